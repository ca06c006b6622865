"""The step-through player: one self-contained HTML page that walks a graph's forward pass node
by node, then its backward pass, on the diagram of `autograd.viz.draw`.

Forward, in topological order (the diagram's ``n{i}`` order), one step per node::

    y = x × x  = 3.000 × 3.000  = 9.000

Backward, in reverse order from the output (seed ``grad(out) = ∂out/∂out = 1``), one step per
node the output depends on. A node's gradient is complete when its step comes, because every
node that uses it came before; the step shows how it adds up from the edges into its children,
then sends it on to each input edge by the chain rule::

    grad(x) = 3.000 + 3.000 = 6.000          (x × x uses x twice: two edges, two terms)
    upstream × local = contribution           (grad(y) × ∂y/∂x, added to grad(x))

Everything is computed here, in Python, from the node protocol (``data``, ``parents``,
``local_grads``, ``op``, ``label``) and embedded in the page as JSON; the page's script
(``steps.js``, inlined with ``steps.css``) only shows it. The player runs its own backward pass
from the local derivatives, so the page does not depend on whether or how often ``backward()``
was called (leaf gradients accumulate in the engine; here every gradient is d(output)/d(node)).
"""

from __future__ import annotations

import copy
import dataclasses
import html
import json
import os
import re
from importlib import resources
from numbers import Real
from pathlib import Path
from typing import Any

from autograd.viz.dot import as_roots, format_number, graph_nodes, op_text
from autograd.viz.style import Style

__all__ = ["StepPlayer", "save_steps", "build_steps"]

_NAME_LIMIT = 32  # longer expressions for an unlabelled node fall back to "#i"
_CSS_COLOR = re.compile(r"#[0-9A-Fa-f]{3,8}|[A-Za-z]+")
_DEFAULT = Style()


# Precedence levels for writing expressions with only the parentheses they need.
_SUM, _PRODUCT, _UNARY, _POWER, _ATOM = 1, 2, 3, 4, 9
_LEVELS = {"add": _SUM, "sub": _SUM, "sum": _SUM, "mul": _PRODUCT, "div": _PRODUCT}


def _is_infix(symbol: str) -> bool:
    return bool(symbol) and not any(ch.isalnum() for ch in symbol)


def _wrap(arg: tuple[str, int], below: int) -> str:
    text, level = arg
    return f"({text})" if level < below else text


def expression(node: Any, args: list[tuple[str, int]]) -> tuple[str, int]:
    """How ``node`` is computed from ``args`` (the names or numbers of its inputs, in order,
    each with its precedence level), and the result's level: ``w1 × x1 + w2 × x2 + b``,
    ``(a + b) × c``, ``x²``, ``σ(h)``, ``ELU(h, α=0.1)``."""
    text = op_text(node)
    symbol, _, params = text.partition(" ")
    level = _LEVELS.get(node.op)
    if level is not None and len(args) >= 2 and not params:
        if node.op == "sum":
            return " + ".join(_wrap(a, _SUM) for a in args), _SUM
        # Left-associative: the right operand of - and ÷ needs parentheses at equal level.
        right = level + 1 if node.op in ("sub", "div") else level
        return f"{_wrap(args[0], level)} {symbol} {_wrap(args[1], right)}", level
    if node.op == "pow" and len(args) == 1 and text.startswith("x"):
        return _wrap(args[0], _ATOM) + text[1:], _POWER
    if node.op == "neg" and len(args) == 1:
        return "−" + _wrap(args[0], _POWER), _UNARY
    if node.op == "abs" and len(args) == 1:
        inner = args[0][0]
        if inner.startswith("(-") and inner.endswith(")"):
            inner = inner[1:-1]  # |-1.000|, not |(-1.000)|
        return f"|{inner}|", _ATOM
    if _is_infix(symbol) and len(args) == 2 and not params:
        return f"{_wrap(args[0], _ATOM)} {symbol} {_wrap(args[1], _ATOM)}", _SUM
    inner = [a[0] for a in args] + ([params] if params else [])
    return f"{symbol}({', '.join(inner)})", _ATOM


class _Namer:
    """Readable names: a label; else a constant's value (``2``); else the expression of the
    inputs' names (``w1 × x1``, ``σ(h)``) when short; else ``#i`` (the topological index)."""

    def __init__(self, order: list):
        self.index = {node: i for i, node in enumerate(order)}
        self.names: list[tuple[str, int]] = []  # (name, precedence level)
        for node in order:
            if node.label:
                name = (str(node.label), _ATOM)
            elif not node.parents:
                name = (f"{float(node.data):g}", _ATOM)
            else:
                name = expression(node, [self.names[self.index[p]] for p in node.parents])
                if len(name[0]) > _NAME_LIMIT:
                    name = (f"#{len(self.names)}", _ATOM)
            self.names.append(name)


def _check_scalar(node: Any, name: str) -> float:
    data = node.data
    if isinstance(data, Real) and not isinstance(data, bool):
        return float(data)
    shape = getattr(data, "shape", None)
    what = f"data of shape {tuple(shape)}" if shape is not None else f"data {data!r}"
    raise TypeError(
        f"StepPlayer steps through scalar graphs (Value nodes); node {name!r} holds {what}. "
        "Draw tensor graphs with autograd.viz.draw instead."
    )


def _local_grads(node: Any, name: str) -> list[float]:
    local = getattr(node, "local_grads", None)
    if local is None or len(local) != len(node.parents):
        raise TypeError(
            f"StepPlayer: node {name!r} (op {node.op!r}) needs local_grads, one local derivative "
            f"per input ({len(node.parents)}), got {local!r}"
        )
    return [float(v) for v in local]


def _signed_sum(terms: list[str]) -> str:
    """``3.000 + 3.000``; a negative term after the first is written ``− 2.000``."""
    text = terms[0]
    for term in terms[1:]:
        text += f" − {term[1:]}" if term.startswith("-") else f" + {term}"
    return text


def build_steps(roots: Any, style: Style | None = None, output: Any = None) -> dict:
    """The player's data: nodes (names, values, gradients) and steps, all numbers formatted.

    ``output`` is the node whose gradient the backward pass computes (default: the first
    root). Returns ``{"nodes": [...], "steps": [...], "output": i, "decimals": d}``: one forward
    step per node of the graph (topological order, index ``i`` = diagram node ``n{i}``), then
    one backward step per node ``output`` depends on (reverse order). Each backward step
    lists ``incoming`` (the terms of its gradient: the edges into its children, in the order
    they were added), ``sum`` and ``outgoing`` (``upstream × local = contribution`` per input
    edge, with the input's gradient so far, ``running``).
    """
    style = style or _DEFAULT
    roots = as_roots(roots)
    order = graph_nodes(roots)
    output = roots[0] if output is None else output
    namer = _Namer(order)
    index = namer.index
    names = [name for name, _ in namer.names]
    if output not in index:
        raise ValueError(f"StepPlayer: output {output!r} is not in the graph of the given roots")
    values = [_check_scalar(node, names[i]) for i, node in enumerate(order)]
    locals_ = [_local_grads(node, names[i]) for i, node in enumerate(order)]
    parents = [[index[p] for p in node.parents] for node in order]

    def fmt(x: float) -> str:
        return format_number(x, style.decimals)

    def operand_value(i: int) -> tuple[str, int]:
        text = fmt(values[i])
        return (f"({text})" if text.startswith("-") else text), _ATOM

    # The nodes the output depends on, and the backward order over them.
    needed = [False] * len(order)
    needed[index[output]] = True
    for i in range(len(order) - 1, -1, -1):
        if needed[i]:
            for p in parents[i]:
                needed[p] = True
    backward = [i for i in range(len(order) - 1, -1, -1) if needed[i]]

    # The backward pass, mirroring Value.backward: grad(parent) += grad(node) × local.
    grads = [0.0] * len(order)
    grads[index[output]] = 1.0
    incoming: list[list[dict]] = [[] for _ in order]
    outgoing: list[list[dict]] = [[] for _ in order]
    for i in backward:
        upstream = grads[i]
        for k, (p, local) in enumerate(zip(parents[i], locals_[i])):
            # NOTE: as in the engine, a zero upstream sends nothing (0 × inf would be nan).
            contribution = upstream * local if upstream else 0.0
            grads[p] += contribution
            edge = {
                "from": i,
                "to": p,
                "k": k,
                "upstream": fmt(upstream),
                "local": fmt(local),
                "contribution": fmt(contribution),
                "running": fmt(grads[p]),
            }
            outgoing[i].append(edge)
            incoming[p].append(edge)

    nodes = []
    for i, node in enumerate(order):
        nodes.append(
            {
                "id": f"n{i}",
                "name": names[i],
                "op": op_text(node) if node.parents else "",
                "value": fmt(values[i]),
                "grad": fmt(grads[i]) if needed[i] else None,
                "parents": parents[i],
            }
        )

    steps: list[dict] = []
    for i, node in enumerate(order):
        if node.parents:
            symbolic, _ = expression(node, [namer.names[p] for p in parents[i]])
            numeric, _ = expression(node, [operand_value(p) for p in parents[i]])
            lines = [symbolic if symbolic == names[i] else f"{names[i]} = {symbolic}"]
            lines += [f"= {numeric}", f"= {fmt(values[i])}"]
            note = f"computed by {op_text(node)} from its input{'s' if len(parents[i]) > 1 else ''}"
        elif node.label:
            lines = [f"{names[i]} = {fmt(values[i])}"]
            note = "an input (a leaf): its value is given"
        else:
            lines = [fmt(values[i])]
            note = "a constant (a leaf without a label)"
        steps.append({"phase": "forward", "node": i, "lines": lines, "note": note})

    out = names[index[output]]
    for i in backward:
        terms = [edge["contribution"] for edge in incoming[i]]
        head = f"grad({names[i]})"
        if i == index[output]:
            atomic = namer.names[i][1] == _ATOM  # ∂(a × b)/∂(a × b) would not help
            total = f"{head} = ∂{out}/∂{out} = {fmt(1.0)}" if atomic else f"{head} = {fmt(1.0)}"
            meaning = f"∂{out}/∂v" if atomic else f"∂({out})/∂v"
            note = f"the output: grad(v) means {meaning}; the backward pass starts with 1"
        elif len(terms) > 1:
            total = f"{head} = {_signed_sum(terms)} = {fmt(grads[i])}"
            note = f"{names[i]} is used {len(terms)} times: the contributions add up"
        else:
            total = f"{head} = {fmt(grads[i])}"
            note = ""
        if outgoing[i]:
            more = "chain rule: each input gets upstream × local"
            note = f"{note}; {more}" if note else more
        elif i != index[output]:
            more = "a leaf: its gradient is complete"
            note = f"{note}; {more}" if note else more
        steps.append(
            {
                "phase": "backward",
                "node": i,
                "grad": fmt(grads[i]),
                "sum": total,
                "incoming": incoming[i],
                "outgoing": outgoing[i],
                "note": note,
            }
        )
    return {
        "nodes": nodes,
        "steps": steps,
        "output": index[output],
        "decimals": style.decimals,
        "raw_grads": grads,  # unformatted, for tests and for tools that read the JSON
    }


def _css_color(value: str, default: str) -> str:
    """A Graphviz colour that is also a CSS colour (``#rrggbb`` or a name), else ``default``."""
    return value if _CSS_COLOR.fullmatch(value) else default


def _script_json(data: Any) -> str:
    # NOTE: "<", ">" and "&" escaped so a label like "</script>" cannot end the script element.
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _resource(name: str) -> str:
    return resources.files("autograd.viz").joinpath(name).read_text(encoding="utf-8")


def _inline_svg(svg: str) -> str:
    """The ``<svg>`` element alone: no XML declaration, DOCTYPE (it names a remote DTD) or
    comments before it."""
    start = svg.find("<svg")
    if start < 0:
        raise ValueError("StepPlayer: the rendered diagram holds no <svg> element")
    return svg[start:].strip()


def _svg_size(svg: str) -> tuple[float, float]:
    """The diagram's size in CSS pixels (Graphviz writes points: 1pt = 4/3 px)."""
    match = re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    if not match:
        return 600.0, 400.0
    return float(match.group(1)) * 4 / 3, float(match.group(2)) * 4 / 3


class StepPlayer:
    """A step-through page for the graph of ``roots`` (one node or a list).

    >>> x = Value(3.0, label="x"); y = x * x; y.label = "y"; y.backward()
    >>> StepPlayer(y).save("steps.html")         # open it in a browser; ← → Home End

    ``style`` is the diagram's `Style` (default: the course style with the local derivative
    on every edge); gradients are always drawn. ``output`` (default: the first root) is the
    node the backward pass starts from. The player is a snapshot: it records the values,
    gradients and the diagram (``.diagram``, from `autograd.viz.draw`) when it is made, and
    raises then if the graph cannot be shown (not scalar, too large for ``style.max_nodes``).
    In Jupyter, the player displays itself inline.
    """

    def __init__(self, roots: Any, style: Style | None = None, *, output: Any = None):
        from autograd.viz import draw

        self.roots = as_roots(roots)
        base = style if style is not None else Style(edge_grads=True)
        if not isinstance(base, Style):
            raise TypeError(f"StepPlayer: style must be a Style, got {type(base).__name__}")
        self.style = dataclasses.replace(base, show_grad=True)
        self.output = output
        self._data = build_steps(self.roots, self.style, output)
        self.diagram = draw(self.roots, self.style)

    def data(self) -> dict:
        """The steps as embedded in the page (see `build_steps`); a copy."""
        return copy.deepcopy(self._data)

    def html(self) -> str:
        """The page: one HTML document, no network access (diagram, script, style inline)."""
        data = self.data()
        del data["raw_grads"]  # NOTE: may hold inf or nan, which JSON.parse rejects
        style = self.style
        svg = _inline_svg(self.diagram.svg())
        out = data["nodes"][data["output"]]["name"]
        title = style.title or f"Forward and backward pass of {out}"
        data["colors"] = {"value": style.value_color.lower(), "grad": style.grad_color.lower()}
        data["title"] = title
        colors = {
            "--hl": _css_color(style.highlight_color, _DEFAULT.highlight_color),
            "--hl-fill": _css_color(style.highlight_fill, _DEFAULT.highlight_fill),
            "--value": _css_color(style.value_color, _DEFAULT.value_color),
            "--grad": _css_color(style.grad_color, _DEFAULT.grad_color),
        }
        root_css = ":root{" + "".join(f"{k}:{v};" for k, v in colors.items()) + "}"
        script = _resource("steps.js")
        if "</script" in script.lower():
            raise ValueError("steps.js must not contain '</script'")
        total = len(data["steps"])
        # A wide diagram (left to right) gets the whole width under the panel; a tall one
        # sits next to it.
        width, height = _svg_size(svg)
        layout = "stacked" if width > 1.6 * height else "side"
        return _PAGE.format(
            layout=layout,
            title=html.escape(title),
            root_css=root_css,
            css=_resource("steps.css"),
            total=total,
            svg=svg,
            data=_script_json(data),
            script=script,
        )

    def save(self, path: str | os.PathLike) -> Path:
        """Write the page to ``path`` (``.html`` or ``.htm``); returns the path.

        The file appears complete or not at all (a temporary file in the same folder, then
        ``os.replace``): an error while rendering or writing leaves any old page intact.
        """
        path = Path(path)
        if path.suffix.lower() not in (".html", ".htm"):
            raise ValueError(
                f"StepPlayer.save {str(path)!r}: expected a path ending in .html (or .htm), "
                f"got suffix {path.suffix or '(none)'!r}"
            )
        folder = path.resolve().parent
        if not folder.is_dir():
            raise FileNotFoundError(
                f"StepPlayer.save {str(path)!r}: the folder {str(folder)!r} does not exist"
            )
        text = self.html()
        from autograd.viz.render import write_atomic

        write_atomic(path, text.encode("utf-8"))
        return path

    def _repr_html_(self) -> str:
        # An iframe so the page's script runs (notebooks do not run scripts of plain HTML
        # output everywhere) and its CSS and ids cannot clash with the notebook's.
        page = self.html()
        _, svg_height = _svg_size(page)
        height = int(min(900, max(420, svg_height + 360)))
        return (
            f'<iframe srcdoc="{html.escape(page, quote=True)}" sandbox="allow-scripts" '
            f'style="width:100%;height:{height}px;border:1px solid #ddd;border-radius:6px" '
            f'title="step-through player"></iframe>'
        )


def save_steps(
    roots: Any, path: str | os.PathLike, style: Style | None = None, *, output: Any = None
) -> Path:
    """Write the step-through page of the graph of ``roots`` to ``path`` (see `StepPlayer`)."""
    return StepPlayer(roots, style, output=output).save(path)


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{root_css}
{css}</style>
</head>
<body>
<div class="player">
<header>
  <h1>{title}</h1>
  <p class="legend"><span class="chip value">forward value</span>
  <span class="chip grad">gradient</span>
  <span class="chip partial">gradient so far (more to add)</span>
  <span class="chip current">current node</span>
  <span class="chip related">its inputs</span></p>
</header>
<nav class="controls" aria-label="steps">
  <button id="first" type="button" title="first step (Home)">&#xAB; First</button>
  <button id="prev" type="button" title="previous step (&#x2190;)">&#x25C0; Prev</button>
  <span id="counter" aria-live="polite">Step 1 of {total}</span>
  <button id="next" type="button" title="next step (&#x2192;)">Next &#x25B6;</button>
  <button id="last" type="button" title="last step (End)">Last &#xBB;</button>
  <input id="scrub" type="range" min="1" max="{total}" value="1" aria-label="step">
</nav>
<main class="{layout}">
  <section id="panel" aria-live="polite"></section>
  <div id="diagram">{svg}</div>
</main>
<footer>Keys: &#x2190; &#x2192; step, Home/End first/last. Made by autograd-lab.</footer>
</div>
<script id="autograd-steps" type="application/json">{data}</script>
<script>
{script}
</script>
</body>
</html>
"""
