"""Graph -> DOT text: a pure function of the graph and the `Style` (same graph, same bytes).

Node names are stable and come from the topological order (`graph_nodes`: `topo_order` over
each root in turn, a node already seen keeps its first index):

- ``n{i}``  the value node with topological index ``i`` (label, forward value, gradient);
- ``op{i}`` the op node that computed value ``i`` (only when ``i`` has parents);
- edges     ``n{j} -> op{i}`` for each input ``k`` of op ``i`` (``a + a`` gives two edges)
            with DOT ``id`` ``op{i}-in{k}``, and ``op{i} -> n{i}`` with ``id`` ``op{i}-out``.

Graphviz writes the node name into the ``<title>`` of the node's ``<g>`` in SVG output, and
the ``id`` attribute (the same name) as the ``<g>``'s ``id``; classes ``value``, ``leaf``,
``op``, ``highlight`` are added to the ``<g>``'s ``class``. The step-through player and the
checker find nodes by these names, so they must not change.

Nodes are read only through the protocol of `autograd.graph` (``data``, ``grad``, ``parents``,
``op``, ``label``, ``params``; ``local_grads`` when present), so `Value` and `Tensor` graphs
are drawn alike. A numpy ``data`` is shown as its shape and, when it has at most 6 elements,
its values.
"""

from __future__ import annotations

import html
import math
import sys
from collections.abc import Iterable, Mapping
from typing import Any

from autograd.graph import scope_of, topo_order
from autograd.viz.style import Style

__all__ = [
    "as_roots",
    "graph_nodes",
    "node_names",
    "to_dot",
    "format_number",
    "format_data",
    "op_text",
]

SMALL_ARRAY = 6  # arrays with at most this many elements show their values
_LEGEND_FILLERS = 12
_GREEK = {"alpha": "α", "beta": "β", "gamma": "γ", "lambda": "λ", "epsilon": "ε"}
_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def as_roots(roots: Any) -> list:
    """One node or an iterable of nodes -> a list of nodes (checked to be nodes)."""
    if hasattr(roots, "parents"):
        roots = [roots]
    else:
        try:
            roots = list(roots)
        except TypeError:
            raise TypeError(
                f"draw: expected a node (Value or Tensor) or a list of nodes, "
                f"got {type(roots).__name__}"
            ) from None
    if not roots:
        raise ValueError("draw: got an empty list of nodes; pass the output node(s) to draw")
    for root in roots:
        if not hasattr(root, "parents"):
            raise TypeError(
                "draw: expected nodes (objects with data, grad, parents, op, label), "
                f"got {type(root).__name__}: {root!r}"
            )
    return roots


def graph_nodes(roots: Any) -> list:
    """Every node the roots depend on, in topological order: `topo_order` of each root in
    turn; a node reached again from a later root keeps its first position.
    The position of a node in this list is its index ``i`` in the names ``n{i}``/``op{i}``."""
    roots = as_roots(roots)
    if len(roots) == 1:
        return topo_order(roots[0])
    order: list = []
    seen: set = set()
    for root in roots:
        for node in topo_order(root):
            if node not in seen:
                seen.add(node)
                order.append(node)
    return order


def node_names(roots: Any) -> dict:
    """{node: "n{i}"} for every node of the graph (see the module docstring)."""
    return {node: f"n{i}" for i, node in enumerate(graph_nodes(roots))}


def format_number(x: Any, decimals: int) -> str:
    """``decimals`` digits after the point; scientific notation from 1e6 on; no ``-0.000``."""
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if abs(x) >= 1e6:
        return f"{x:.{decimals}e}"
    text = f"{x:.{decimals}f}"
    if text.startswith("-") and float(text) == 0.0:
        text = text[1:]  # NOTE: -0.0004 rounds to "-0.000", which reads as a sign error
    return text


def _format_nested(x: Any, decimals: int) -> str:
    if isinstance(x, list):
        return "[" + ", ".join(_format_nested(v, decimals) for v in x) + "]"
    return format_number(x, decimals)


def format_data(data: Any, decimals: int) -> str:
    """A float as a number; a numpy array as ``shape (2, 3)`` plus, when it has at most
    `SMALL_ARRAY` elements, its values on the next lines (one line per row of a matrix);
    ``None`` (a tensor that needs no gradient) as ``no grad``."""
    if data is None:
        return "no grad"
    shape = getattr(data, "shape", None)
    if shape is None or shape == ():
        return format_number(data, decimals)
    text = "shape (" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"
    if int(getattr(data, "size", SMALL_ARRAY + 1)) <= SMALL_ARRAY:
        values = data.tolist()
        if len(shape) == 2:
            text += "".join("\n" + _format_nested(row, decimals) for row in values)
        else:
            text += "\n" + _format_nested(values, decimals)
    return text


def _lines(text: str) -> str:
    """Escaped text for an HTML-like label, newlines as line breaks."""
    return "<BR/>".join(_esc(line) for line in text.split("\n"))


def _format_param(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (tuple, list)):
        return "(" + ", ".join(_format_param(v) for v in value) + ")"
    return str(value)


def _op_spec(node: Any) -> Any:
    """The op's entry in the op table of the node's own module (Value: engine.OPS, Tensor:
    its module's OPS), else in engine.OPS, else None."""
    from autograd.engine import OPS

    module = sys.modules.get(type(node).__module__)
    for table in (getattr(module, "OPS", None), OPS):
        if isinstance(table, Mapping) and node.op in table:
            return table[node.op]
    return None


def _op_table_symbol(node: Any) -> str:
    """The op's symbol from its op table entry, else the op's name."""
    spec = _op_spec(node)
    return str(node.op) if spec is None else str(spec.symbol)


def op_text(node: Any) -> str:
    """What an op node shows: the op's symbol and its parameters (``ELU α=0.1``, ``x²``)."""
    params = dict(node.params or {})
    spec = _op_spec(node)
    if spec is not None and getattr(spec, "text", None) is not None and node.params:
        return str(spec.text(params))  # the op writes itself (``Conv 5×5, 3→6``)
    if node.op == "pow" and "exponent" in params:
        exponent = float(params.pop("exponent"))
        if exponent.is_integer() and abs(exponent) < 1000:
            text = "x" + str(int(exponent)).translate(_SUPERSCRIPT)
        else:
            text = f"x^{exponent:g}"
    else:
        text = _op_table_symbol(node)
    for name, value in params.items():
        text += f" {_GREEK.get(name, name)}={_format_param(value)}"
    return text


def _cluster_paths(order: list, style: Style) -> list[tuple]:
    """The cluster path of every node (``()``: in no cluster)."""
    paths: list[tuple] = [()] * len(order)
    if style.clusters is None:
        return paths
    index = {node: i for i, node in enumerate(order)}
    if style.clusters == "prefix":
        for i, node in enumerate(order):
            if node.label and "." in node.label:
                paths[i] = tuple(node.label.split(".")[:-1])
    elif style.clusters == "scope":
        paths = [scope_of(node) for node in order]
    else:
        _explicit_clusters(order, index, style.clusters, paths)
    # Unnamed intermediate nodes (the w*x products of a neuron) join the cluster that all their
    # consumers share, else the one all their inputs share; the layout then keeps a neuron
    # together.
    consumers: list[list[int]] = [[] for _ in order]
    for i, node in enumerate(order):
        for parent in node.parents:
            consumers[index[parent]].append(i)
    unnamed = [i for i, node in enumerate(order) if not node.label and node.parents]
    unnamed = [i for i in unnamed if not paths[i]]
    for i in reversed(unnamed):
        shared = {paths[c] for c in consumers[i]}
        if len(shared) == 1:
            paths[i] = shared.pop()
    for i in unnamed:
        if paths[i]:
            continue
        shared = {paths[index[p]] for p in order[i].parents}
        if len(shared) == 1:
            paths[i] = shared.pop()
    return paths


def _explicit_clusters(order: list, index: dict, clusters: Mapping, paths: list) -> None:
    """Fill ``paths`` from ``{title: [nodes or labels]}``."""
    by_label: dict[str, list] = {}
    for node in order:
        if node.label:
            by_label.setdefault(node.label, []).append(node)
    for title, members in clusters.items():
        if isinstance(members, str) or not isinstance(members, Iterable):
            raise ValueError(
                f"clusters: the members of {title!r} must be a list of nodes or labels, "
                f"got {members!r}"
            )
        for member in members:
            if isinstance(member, str):
                found = by_label.get(member)
                if not found:
                    raise ValueError(
                        f"clusters: no node labelled {member!r} in the graph "
                        f"(cluster {title!r}); labels: {sorted(by_label)}"
                    )
                if len(found) > 1:
                    raise ValueError(
                        f"clusters: {len(found)} nodes are labelled {member!r}; "
                        "pass the node objects instead of the label"
                    )
                member = found[0]
            if member not in index:
                raise ValueError(f"clusters: {member!r} (cluster {title!r}) is not in the graph")
            i = index[member]
            if paths[i]:
                raise ValueError(
                    f"clusters: {member!r} is in two clusters, {paths[i][0]!r} and {title!r}"
                )
            paths[i] = (str(title),)


def _esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _value_label(node: Any, style: Style, name: str, note: str | None) -> str:
    """A value node: a table of name (bold), forward value (value colour) and gradient (grad
    colour), plus the note of a highlighted node."""
    # A minimum width (points) so the boxes of a column line up whatever their numbers.
    cell = f'COLOR="{_esc(style.line_color)}" WIDTH="{round(style.font_size * 4.5)}"'
    rows = []
    if name:
        fill = style.highlight_fill if note is not None else style.label_color
        rows.append(f'<TD BGCOLOR="{_esc(fill)}" {cell}><B>{_esc(name)}</B></TD>')
    data = format_data(node.data, style.decimals)
    rows.append(f'<TD BGCOLOR="{_esc(style.value_color)}" {cell}>{_lines(data)}</TD>')
    if style.show_grad:
        grad = format_data(node.grad, style.decimals)
        rows.append(f'<TD BGCOLOR="{_esc(style.grad_color)}" {cell}>{_lines(grad)}</TD>')
    if note:
        rows.append(
            f'<TD BGCOLOR="{_esc(style.highlight_fill)}" {cell}>'
            f'<FONT COLOR="{_esc(style.highlight_color)}" POINT-SIZE="{style.font_size - 1:g}">'
            f"{_esc(note)}</FONT></TD>"
        )
    if note is not None:
        table = f'BORDER="2" COLOR="{_esc(style.highlight_color)}"'
    else:
        table = 'BORDER="0"'
    body = "".join(f"<TR>{row}</TR>" for row in rows)
    return f'<<TABLE {table} CELLBORDER="1" CELLSPACING="0" CELLPADDING="3">{body}</TABLE>>'


def _legend_label(style: Style, roots: list, highlighted: bool, edge_labels: bool) -> str | None:
    cells = []
    line = _esc(style.line_color)
    box = f'BORDER="1" COLOR="{line}"'
    cells.append(f'<TD {box} BGCOLOR="{_esc(style.value_color)}">forward value</TD>')
    if style.show_grad:
        wrt = "gradient"
        if len(roots) == 1 and roots[0].label:
            wrt = f"gradient ∂{roots[0].label}/∂node"
        cells.append(f'<TD {box} BGCOLOR="{_esc(style.grad_color)}">{_esc(wrt)}</TD>')
    if edge_labels:
        cells.append(
            f'<TD><FONT COLOR="{_esc(style.edge_label_color)}">'
            "on edges: local derivative ∂out/∂in</FONT></TD>"
        )
    if highlighted:
        cells.append(
            f'<TD BORDER="2" COLOR="{_esc(style.highlight_color)}" '
            f'BGCOLOR="{_esc(style.highlight_fill)}">highlighted</TD>'
        )
    rows = []
    if style.title:
        size = f"{style.font_size + 1:g}"
        rows.append(
            f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="{size}"><B>{_esc(style.title)}</B></FONT>'
            "</TD></TR>"
        )
    if style.legend:
        # NOTE: Graphviz stretches a nested table to the width of its cell (here: the title's)
        # and spreads the extra width evenly over its columns; empty columns after the legend
        # take most of it, so a long title does not blow up the legend boxes.
        if style.title:
            cells.extend(['<TD CELLPADDING="0" WIDTH="0"></TD>'] * _LEGEND_FILLERS)
        inner = '<TABLE BORDER="0" CELLSPACING="4" CELLPADDING="3"><TR>' + "".join(cells)
        rows.append(f'<TR><TD ALIGN="LEFT">{inner}</TR></TABLE></TD></TR>')
    if not rows:
        return None
    return f'<<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="1">{"".join(rows)}</TABLE>>'


def _attrs(**attrs: Any) -> str:
    parts = []
    for key, value in attrs.items():
        key = key.rstrip("_")
        if isinstance(value, str) and value.startswith("<") and value.endswith(">"):
            parts.append(f"{key}={value}")  # an HTML-like label
        else:
            text = str(value).replace("\\", "\\\\").replace('"', '\\"')
            parts.append(f'{key}="{text}"')
    return "[" + ", ".join(parts) + "]"


def to_dot(roots: Any, style: Style, highlight: Mapping[Any, str] | None = None) -> str:
    """The DOT text of the graph of ``roots`` (see the module docstring for the names)."""
    roots = as_roots(roots)
    order = graph_nodes(roots)
    index = {node: i for i, node in enumerate(order)}
    notes: dict[int, str] = {}
    for node, note in (highlight or {}).items():
        if node not in index:
            raise ValueError(f"highlight: {node!r} is not in the graph being drawn")
        notes[index[node]] = "" if note is None else str(note)
    paths = _cluster_paths(order, style)
    prefix_clusters = style.clusters == "prefix"

    font = _esc(style.font)
    size = f"{style.font_size:g}"
    lines = ["digraph autograd {"]
    graph_attrs = {
        "rankdir": style.rankdir,
        "fontname": style.font,
        "fontsize": size,
        "nodesep": "0.25",
        "ranksep": "0.3",
        "bgcolor": "white",
        "pad": "0.15",
        # Inputs of an op in argument order (w1 above x1), as the expression is written.
        "ordering": "in",
    }
    # Tensor nodes keep no per-edge derivatives: no edge labels, so no legend entry for them.
    edge_labels = style.edge_grads and any(getattr(n, "local_grads", None) for n in order)
    legend = _legend_label(style, roots, bool(notes), edge_labels)
    if legend is not None:
        graph_attrs.update(label=legend, labelloc="t", labeljust="l")
    lines.append(f"  graph {_attrs(**graph_attrs)};")
    lines.append(
        f'  node [fontname="{font}", fontsize="{size}", color="{_esc(style.line_color)}", '
        f'fontcolor="#1a1a1a", penwidth="1"];'
    )
    lines.append(
        f'  edge [fontname="{font}", fontsize="{style.font_size - 2:g}", '
        f'color="{_esc(style.line_color)}", arrowsize="0.6", penwidth="0.9"];'
    )

    def node_lines(i: int, indent: str) -> list[str]:
        node = order[i]
        out = []
        if node.parents:
            out.append(
                indent
                + f"op{i} "
                + _attrs(
                    id=f"op{i}",
                    class_="op",
                    shape="ellipse",
                    style="filled",
                    fillcolor=style.op_color,
                    margin="0.04,0.02",
                    width="0.3",
                    height="0.3",
                    label=f"<{_esc(op_text(node))}>",
                )
                + ";"
            )
        name = node.label
        if prefix_clusters and paths[i] and name:
            name = name.split(".")[-1]
        classes = "value" + ("" if node.parents else " leaf") + (" highlight" if i in notes else "")
        label = _value_label(node, style, name, notes.get(i))
        out.append(
            indent + f"n{i} " + _attrs(id=f"n{i}", class_=classes, shape="plain", label=label) + ";"
        )
        return out

    # Clusters, nested by path, in order of their first member; then the nodes in none. Nodes
    # are declared last-first (see the NOTE on flip_inputs below).
    tree: dict[tuple, list] = {}
    for i, path in enumerate(paths):
        for depth in range(1, len(path) + 1):
            tree.setdefault(path[:depth], [])
        if path:
            tree[path].append(i)
    cluster_ids = {path: n for n, path in enumerate(tree)}

    def emit_cluster(path: tuple, indent: str) -> None:
        lines.append(f"{indent}subgraph cluster_{cluster_ids[path]} {{")
        inner = indent + "  "
        lines.append(
            inner
            + "graph "
            + _attrs(
                label=f"<<I>{_esc(path[-1])}</I>>",
                labeljust="l",
                style="rounded,dashed",
                color="#9a9a9a",
                fontcolor="#555555",
            )
            + ";"
        )
        for i in reversed(tree[path]):
            lines.extend(node_lines(i, inner))
        for child in tree:
            if len(child) == len(path) + 1 and child[: len(path)] == path:
                emit_cluster(child, inner)
        lines.append(f"{indent}}}")

    for path in tree:
        if len(path) == 1:
            emit_cluster(path, "  ")
    for i in reversed(range(len(order))):
        if not paths[i]:
            lines.extend(node_lines(i, "  "))

    # NOTE: Graphviz's crossing minimisation decides the order of an op's inputs (w1 above x1,
    # or left of it in TB). Measured on the course graphs (tests/test_viz.py checks A1): nodes
    # declared last-first plus ordering=in keep argument order, except in an LR layout with
    # clusters and no edge labels, which needs the input edges listed last-first too.
    flip_inputs = style.rankdir in ("LR", "RL") and any(paths) and not style.edge_grads
    for i, node in enumerate(order):
        if not node.parents:
            continue
        local = getattr(node, "local_grads", None) if style.edge_grads else None
        inputs = list(enumerate(node.parents))
        if flip_inputs:
            inputs.reverse()
        for k, parent in inputs:
            attrs: dict[str, Any] = {"id": f"op{i}-in{k}"}
            if local is not None and k < len(local):
                attrs["label"] = f"<{_lines(format_data(local[k], style.decimals))}>"
                attrs["fontcolor"] = style.edge_label_color
            lines.append(f"  n{index[parent]} -> op{i} {_attrs(**attrs)};")
        lines.append(f"  op{i} -> n{i} {_attrs(id=f'op{i}-out')};")
    lines.append("}")
    return "\n".join(lines) + "\n"
