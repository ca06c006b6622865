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
are drawn alike. A numpy ``data`` is shown as its shape and, when it has at most 8 elements
(XOR's 4×2), its values.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from typing import Any

from autograd.graph import (
    Backprop,
    backprop,
    children,
    scope_of,
    topo_order,
    topo_order_of_all,
)
from autograd.notation import op_spec, op_text
from autograd.viz.format import format_data
from autograd.viz.style import DEFAULT_STYLE, Style

__all__ = [
    "as_roots",
    "graph_nodes",
    "node_names",
    "to_dot",
]

_LEGEND_FILLERS = 12


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
    return topo_order(roots[0]) if len(roots) == 1 else topo_order_of_all(roots)


def node_names(roots: Any) -> dict:
    """{node: "n{i}"} for every node of the graph (see the module docstring)."""
    return {node: f"n{i}" for i, node in enumerate(graph_nodes(roots))}


def _lines(text: str) -> str:
    """Escaped text for an HTML-like label, newlines as line breaks."""
    return "<BR/>".join(_esc(line) for line in text.split("\n"))


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
    users = children(order)
    unnamed = [i for i, node in enumerate(order) if not node.label and node.parents]
    unnamed = [i for i in unnamed if not paths[i]]
    for i in reversed(unnamed):
        shared = {paths[index[c]] for c in users[order[i]]}
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


def _value_label(
    node: Any, style: Style, name: str, note: str | None, grad: Any, texts: tuple = (None, None)
) -> str:
    """A value node: a table of name (bold), forward value (value colour) and gradient (grad
    colour), plus the note of a highlighted node."""
    # A minimum width (points) so the boxes of a column line up whatever their numbers.
    cell = f'COLOR="{_esc(style.line_color)}" WIDTH="{round(style.font_size * 4.5)}"'
    rows = []
    if name:
        fill = style.highlight_fill if note is not None else style.label_color
        rows.append(f'<TD BGCOLOR="{_esc(fill)}" {cell}><B>{_esc(name)}</B></TD>')
    data = texts[0] if texts[0] is not None else format_data(node.data, style.decimals)
    rows.append(f'<TD BGCOLOR="{_esc(style.value_color)}" {cell}>{_lines(data)}</TD>')
    if style.show_grad:
        grad = texts[1] if texts[1] is not None else format_data(grad, style.decimals)
        grad = style.grad_mark + grad
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
        if len(roots) == 1 and not roots[0].label and _is_loss(roots[0]):
            wrt = "gradient ∂loss/∂node"
        elif all(root.label for root in roots):
            seed = " + ".join(root.label for root in roots)
            wrt = f"gradient ∂{seed if len(roots) == 1 else f'({seed})'}/∂node"
        wrt = style.grad_mark + wrt
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


def to_dot(
    roots: Any,
    style: Style,
    highlight: Mapping[Any, str] | None = None,
    trace: Backprop | None = None,
    texts: Mapping[Any, tuple] | None = None,
) -> str:
    """The DOT text of the graph of ``roots`` (see the module docstring for the names).
    ``trace`` (an `autograd.graph.backprop` result of these scalar roots) gives the edge
    labels (each edge's local derivative) and, where its values are expressions in unknowns,
    the values and gradients drawn; without one, scalar graphs get the trace of their roots.
    ``texts`` ({node: (value text, gradient text)}, either None) draws given text instead of a
    node's numbers (a folded neuron's rows, `autograd.viz.fold`)."""
    roots = as_roots(roots)
    order = graph_nodes(roots)
    index = {node: i for i, node in enumerate(order)}
    notes = _notes_by_index(index, highlight)
    paths = _cluster_paths(order, style)
    grads = output_grads(roots, order)
    scalar = all(getattr(node, "local_grads", None) is not None for node in order)
    if trace is None and scalar and style.edge_grads:
        trace = backprop(roots)
    shown = _symbolic_texts(trace, style.decimals) if trace is not None else {}
    texts = {**shown, **(texts or {})}
    names = leaf_names(order)
    lines = ["digraph autograd {"]
    lines += _header_lines(style, roots, order, bool(notes))

    def node_lines(i: int, indent: str) -> list[str]:
        return _node_lines(
            order[i], i, style, paths[i], notes, indent, grads, texts, names.get(order[i])
        )

    lines += _cluster_lines(paths, node_lines, style)
    for i in reversed(range(len(order))):
        if not paths[i]:
            lines.extend(node_lines(i, "  "))
    lines += _edge_lines(order, index, style, any(paths), trace)
    lines.append("}")
    return "\n".join(lines) + "\n"


def _symbolic_texts(trace: Backprop, decimals: int) -> dict:
    """{node: (value text or None, gradient text or None)} for the numbers of ``trace`` that
    are expressions in unknowns."""
    arithmetic = trace.arithmetic
    texts = {}
    for node in trace.order:
        value, grad = trace.values[node], trace.grads[node]
        shown = [None if arithmetic.is_number(x) else arithmetic.show(x, decimals)[0]
                 for x in (value, grad)]  # fmt: skip
        if shown != [None, None]:
            texts[node] = tuple(shown)
    return texts


def output_grads(roots: list, order: list) -> dict:
    """{node: the gradient drawn}: ``node.grad`` for one root; for several scalar roots the
    gradient of their sum, ∂(y1 + y2)/∂node, from `autograd.graph.backprop` (what a report
    draws for a layer with two outputs: both outputs' gradients summed at the shared inputs),
    whatever ``backward()`` ran before."""
    scalar = all(getattr(node, "local_grads", None) is not None for node in order)
    if len(roots) > 1 and scalar:
        return backprop(roots).grads
    return {node: node.grad for node in order}


def _is_loss(node: Any) -> bool:
    """Is ``node`` made by an op its table marks as a loss (``kind="loss"``)?"""
    spec = op_spec(node)
    return spec is not None and spec.kind == "loss"


def leaf_names(order: list) -> dict:
    """Names for the unlabelled array leaves of a Tensor graph: ``target`` (the second input
    of a loss), ``input`` (data that needs no gradient)."""
    names: dict = {}
    for node in order:
        if _is_loss(node) and len(node.parents) > 1:
            target = node.parents[1]
            if not target.label and not target.parents:
                names[target] = "target"
    for node in order:
        shaped = getattr(node.data, "shape", ()) != ()
        if shaped and not node.parents and not node.label and node not in names:
            if not getattr(node, "requires_grad", True):
                names[node] = "input"
    return names


def is_constant(node: Any) -> bool:
    """A number written in the formula: an unlabelled scalar leaf (``2`` in ``2*x*y``)."""
    return not node.parents and not node.label and getattr(node.data, "shape", ()) == ()


def format_constant(x: Any) -> str:
    """A constant as written: ``2``, ``0.5``."""
    return f"{float(x):g}"


def _notes_by_index(index: dict, highlight: Mapping[Any, str] | None) -> dict[int, str]:
    """{topological index: note} of the highlighted nodes."""
    notes: dict[int, str] = {}
    for node, note in (highlight or {}).items():
        if node not in index:
            raise ValueError(f"highlight: {node!r} is not in the graph being drawn")
        notes[index[node]] = "" if note is None else str(note)
    return notes


def _header_lines(style: Style, roots: list, order: list, highlighted: bool) -> list[str]:
    """The graph's attributes (layout, title and legend) and the node and edge defaults."""
    font = _esc(style.font)
    size = f"{style.font_size:g}"
    graph_attrs = {
        "rankdir": style.rankdir,
        "fontname": style.font,
        "fontsize": size,
        "nodesep": "0.25",
        "ranksep": "0.3",
        "bgcolor": style.background,
        "pad": "0.15",
        # Inputs of an op in argument order (w1 above x1), as the expression is written.
        "ordering": "in",
    }
    # Tensor nodes keep no per-edge derivatives: no edge labels, so no legend entry for them.
    edge_labels = style.edge_grads and any(getattr(n, "local_grads", None) for n in order)
    legend = _legend_label(style, roots, highlighted, edge_labels)
    if legend is not None:
        graph_attrs.update(label=legend, labelloc="t", labeljust="l")
        if style.text_color != DEFAULT_STYLE.text_color:  # (the default's DOT stays the same)
            graph_attrs["fontcolor"] = style.text_color
    return [
        f"  graph {_attrs(**graph_attrs)};",
        f'  node [fontname="{font}", fontsize="{size}", color="{_esc(style.line_color)}", '
        f'fontcolor="{_esc(style.text_color)}", penwidth="1"];',
        f'  edge [fontname="{font}", fontsize="{style.font_size - 2:g}", '
        f'color="{_esc(style.line_color)}", arrowsize="0.6", penwidth="0.9"];',
    ]


def _node_lines(
    node: Any,
    i: int,
    style: Style,
    path: tuple,
    notes: dict[int, str],
    indent: str,
    grads: dict,
    texts: Mapping,
    given_name: str | None = None,
) -> list[str]:
    """The op node (when ``node`` has parents) and the value node of topological index ``i``."""
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
    name = node.label or given_name or ""
    if style.clusters == "prefix" and path and node.label:
        name = name.split(".")[-1]
    classes = "value" + ("" if node.parents else " leaf") + (" highlight" if i in notes else "")
    if is_constant(node) and i not in notes:
        # A number of the formula (the 2 of 2xy): its value only, small, with no gradient.
        classes += " constant"
        label = (
            f'<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="2"><TR>'
            f'<TD BGCOLOR="{_esc(style.op_color)}" COLOR="{_esc(style.line_color)}">'
            f"{_esc(format_constant(node.data))}</TD></TR></TABLE>>"
        )
    else:
        label = _value_label(
            node, style, name, notes.get(i), grads[node], texts.get(node, (None, None))
        )
    out.append(
        indent + f"n{i} " + _attrs(id=f"n{i}", class_=classes, shape="plain", label=label) + ";"
    )
    return out


def _cluster_lines(paths: list[tuple], node_lines, style: Style) -> list[str]:
    """Clusters, nested by path, in order of their first member, each with its nodes
    (declared last-first: see the NOTE in `_edge_lines`)."""
    tree: dict[tuple, list] = {}
    for i, path in enumerate(paths):
        for depth in range(1, len(path) + 1):
            tree.setdefault(path[:depth], [])
        if path:
            tree[path].append(i)
    cluster_ids = {path: n for n, path in enumerate(tree)}
    lines: list[str] = []

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
                color=style.cluster_line_color,
                fontcolor=style.cluster_text_color,
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
    return lines


def _edge_lines(
    order: list, index: dict, style: Style, clustered: bool, trace: Backprop | None
) -> list[str]:
    """The edges into each op (labelled with the local derivative of the trace's edge when
    ``style.edge_grads``) and from each op to its value node."""
    labels = {}
    if trace is not None and style.edge_grads:
        for edge in trace.edges:
            text = trace.arithmetic.show(edge.local, style.decimals)[0]
            labels[(edge.child, edge.position)] = text
    # NOTE: Graphviz's crossing minimisation decides the order of an op's inputs (w1 above x1,
    # or left of it in TB). Measured on the course graphs (tests/test_viz.py checks A1): nodes
    # declared last-first plus ordering=in keep argument order, except in an LR layout with
    # clusters and no edge labels, which needs the input edges listed last-first too.
    flip_inputs = style.rankdir in ("LR", "RL") and clustered and not style.edge_grads
    lines = []
    for i, node in enumerate(order):
        if not node.parents:
            continue
        inputs = list(enumerate(node.parents))
        if flip_inputs:
            inputs.reverse()
        for k, parent in inputs:
            attrs: dict[str, Any] = {"id": f"op{i}-in{k}"}
            if (node, k) in labels:
                attrs["label"] = f"<{_lines(labels[(node, k)])}>"
                attrs["fontcolor"] = style.edge_label_color
                # NOTE: labels of edges that meet at one op sat side by side (2.800 1.450);
                # decorate underlines each and draws a line to the middle of its own edge.
                attrs["decorate"] = "true"
            lines.append(f"  n{index[parent]} -> op{i} {_attrs(**attrs)};")
        lines.append(f"  op{i} -> n{i} {_attrs(id=f'op{i}-out')};")
    return lines
