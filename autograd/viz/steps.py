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
(``steps.js``, inlined with ``steps.css``) only shows it. The gradients and the per-edge terms
come from `autograd.graph.backprop` (the chain rule as a pure function), so the page does not
depend on whether or how often ``backward()`` was called (leaf gradients accumulate in the
engine; here every gradient is d(output)/d(node)). Names, numbers and formulas are written by
`autograd.viz.format`.
"""

from __future__ import annotations

import copy
import dataclasses
import html
import json
import math
import os
import re
from collections.abc import Mapping
from importlib import resources
from numbers import Real
from pathlib import Path
from typing import Any

from autograd.files import output_path, write_atomic
from autograd.graph import Backprop, Edge, backprop, input_names
from autograd.notation import (
    ATOM,
    Namer,
    derivation,
    expression,
    infix,
    op_spec,
    op_text,
    signed_sum,
)
from autograd.viz.dot import as_roots, graph_nodes, is_constant
from autograd.viz.style import Style

__all__ = ["StepPlayer", "save_steps", "build_steps"]

_CSS_COLOR = re.compile(r"#[0-9A-Fa-f]{3,8}|[A-Za-z]+")
_DEFAULT = Style()


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


def _check_local_grads(node: Any, name: str) -> None:
    local = getattr(node, "local_grads", None)
    if local is None or len(local) != len(node.parents):
        raise TypeError(
            f"StepPlayer: node {name!r} (op {node.op!r}) needs local_grads, one local derivative "
            f"per input ({len(node.parents)}), got {local!r}"
        )


def check_scalar_graph(roots: Any) -> None:
    """Refuse a graph the player cannot step through (tensors, nodes without local_grads),
    naming the node."""
    order = graph_nodes(roots)
    namer = Namer(order)
    for i, node in enumerate(order):
        _check_scalar(node, namer.name(i))
        _check_local_grads(node, namer.name(i))


def build_steps(
    roots: Any,
    style: Style | None = None,
    output: Any = None,
    symbols: Any = None,
    trace: Backprop | None = None,
) -> dict:
    """The player's data: nodes (names, values, gradients) and steps, all numbers formatted.

    ``output`` is the node whose gradient the backward pass computes (default: the first
    root). Returns ``{"nodes": [...], "steps": [...], "output": i, "decimals": d}``: one forward
    step per node of the graph (topological order, index ``i`` = diagram node ``n{i}``), then
    one backward step per node ``output`` depends on (reverse order). Each backward step
    lists ``incoming`` (the terms of its gradient: the edges into its children, in the order
    they were added), ``sum`` and ``outgoing`` (``upstream × local = contribution`` per input
    edge, with the input's gradient so far, ``running``, and ``why``: how the local derivative
    is worked out, from its op's formula). Every number is read from one
    `autograd.graph.backprop` trace: ``trace`` when given, else the pass of ``output`` with
    the leaves ``symbols`` left unknown (their numbers written as expressions; the trace is
    computed by `autograd.symbolic`, which needs sympy).
    """
    style = style or _DEFAULT
    roots = as_roots(roots)
    order = graph_nodes(roots)
    if output is None:  # several roots: the gradients of their sum, as `draw` shows them
        output = roots[0] if len(roots) == 1 else list(roots)
    outputs = output if isinstance(output, list) else [output]
    namer = Namer(order)
    for node in outputs:
        if node not in namer.index:
            raise ValueError(f"StepPlayer: output {node!r} is not in the graph of the given roots")
    check_scalar_graph(roots)
    if trace is None:
        trace = backprop_of(output, symbols, style.decimals)
    elif any(node not in trace.values for node in outputs):
        raise ValueError("build_steps: the trace given is not one of these outputs")
    decimals = style.decimals

    def show(x: Any) -> tuple[str, int]:
        return trace.arithmetic.show(x, decimals)

    def fmt(x: Any) -> str:
        return show(x)[0]

    data = {
        "nodes": _node_entries(order, namer, trace, fmt),
        "steps": _forward_steps(hand_order(roots), namer, trace, show)
        + _backward_steps(namer, trace, outputs, show),
        "output": namer.index[outputs[-1]],
        "decimals": decimals,
        # unformatted, for tests and for tools that read the JSON
        "raw_grads": [_raw(trace.grads.get(node, 0.0)) for node in order],
    }
    return data


def _raw(x: Any) -> Any:
    try:
        return float(x)
    except TypeError:  # an expression in unknowns
        return str(x)


def backprop_of(output: Any, symbols: Any, decimals: int) -> Backprop:
    """The trace the pictures read: `autograd.graph.backprop` of ``output``, with the leaves
    ``symbols`` left unknown (through `autograd.symbolic`, imported only then)."""
    if symbols is None:
        return backprop(output)
    from autograd.symbolic import symbolic

    return symbolic(output, symbols, decimals).trace


def _node_entries(order: list, namer: Namer, trace: Backprop, fmt) -> list[dict]:
    """One entry per node: its diagram id, name, op text, value, gradient (``None`` when the
    output does not depend on it) and its inputs' indices."""
    return [
        {
            "id": f"n{i}",
            "name": namer.name(i),
            "op": op_text(node) if node.parents else "",
            "value": fmt(trace.values.get(node, node.data)),
            "grad": fmt(trace.grads[node]) if node in trace.grads else None,
            "parents": [namer.index[p] for p in node.parents],
        }
        for i, node in enumerate(order)
    ]


def hand_order(roots: Any) -> list:
    """The nodes in the order a person computes them by hand: each node after its inputs, and
    of an op's inputs the one with the longest calculation behind it first (``w3 × a``: the
    first neuron that makes ``a`` before the weight ``w3``); ties in argument order."""
    roots = as_roots(roots)
    height: dict = {}
    for node in graph_nodes(roots):
        height[node] = 1 + max((height[p] for p in node.parents), default=-1)

    def inputs(node):
        return iter(sorted(node.parents, key=lambda p: -height[p]))  # stable: argument order

    order: list = []
    seen: set = set()
    for root in roots:
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, inputs(root))]
        while stack:
            node, parents = stack[-1]
            for parent in parents:
                if parent not in seen:
                    seen.add(parent)
                    stack.append((parent, inputs(parent)))
                    break
            else:
                stack.pop()
                order.append(node)
    return order


def _forward_steps(order: list, namer: Namer, trace: Backprop, show) -> list[dict]:
    """One step per node in ``order`` (`hand_order`): its formula with names, with numbers,
    the result."""
    steps = []
    for node in order:
        i = namer.index[node]
        name = namer.name(i)
        value = show(trace.values.get(node, node.data))[0]
        parents = [namer.index[p] for p in node.parents]
        if node.parents:
            symbolic, _ = expression(node, [namer.names[p] for p in parents])
            inputs = [show(trace.values.get(p, p.data)) for p in node.parents]
            numeric, _ = expression(node, inputs)
            lines = [symbolic if symbolic == name else f"{name} = {symbolic}"]
            for line in (f"= {numeric}", f"= {value}"):
                if line != lines[-1]:
                    lines.append(line)
            note = f"computed by {op_text(node)} from its input{'s' if len(parents) > 1 else ''}"
        elif node in trace.depends:
            lines = [f"{name} is unknown"]
            note = "an input left unknown: the numbers it reaches are expressions in it"
        elif node.label:
            lines = [f"{name} = {value}"]
            note = "an input (a leaf): its value is given"
        else:
            lines = [value]
            note = "a constant (a leaf without a label)"
        steps.append({"phase": "forward", "node": i, "lines": lines, "note": note})
    return steps


def _edge_entry(edge: Edge, index: dict, show, why: str = "", last: bool = False) -> dict:
    def fmt(x: Any) -> str:
        return show(x)[0]

    return {
        "from": index[edge.child],
        "to": index[edge.parent],
        "k": edge.position,
        "upstream": fmt(edge.upstream),
        "local": fmt(edge.local),
        "product": infix("mul", [show(edge.upstream), show(edge.local)])[0],
        "contribution": fmt(edge.contribution),
        "running": fmt(edge.running),
        "why": why,  # where the local derivative comes from
        "last": last,  # the last term of the input's gradient: it is complete
    }


def local_text(edge: Edge, namer: Namer, trace: Backprop, show) -> str:
    """How an edge's local derivative is worked out, from its op's one formula
    (`autograd.graph.OpSpec.slopes`) and the trace's numbers: ``∂y/∂h = y × (1 - y) = 0.666 ×
    (1 - 0.666) = 0.222``; ``""`` for an op without a formula."""
    node = edge.child
    spec = op_spec(node)
    if spec is None or spec.slopes is None:
        return ""
    _, slopes = spec.formulas(node.params, len(node.parents))
    variables = input_names(len(node.parents), spec.arity)
    params = dict(node.params or {})
    names = {v: namer.named(p) for v, p in zip(variables, node.parents)}
    names["y"] = expression(node, [namer.named(p) for p in node.parents])
    values = {v: show(trace.values[p]) for v, p in zip(variables, node.parents)}
    values["y"] = show(trace.values[node])
    values.update({key: show(value) for key, value in params.items()})
    choose = {v: trace.values[p] for v, p in zip(variables, node.parents)}
    choose.update(params)
    child, parent = namer.named(node), namer.named(edge.parent)
    if spec.kind in ("function", "activation") and "|" not in spec.symbol:  # σ'(h)
        head = f"{spec.symbol}'({parent[0]})"
    else:
        head = f"∂{_operand(child)}/∂{_operand(parent)}"
    return derivation(head, slopes[edge.position], names, values, choose, show(edge.local)[0])


def _operand(name: tuple[str, int]) -> str:
    """A name after ∂: in parentheses unless it is an atom (∂(w × x)/∂w, ∂((y - t)²)/∂y)."""
    text, level = name
    return text if level >= ATOM else f"({text})"


def _backward_steps(namer: Namer, trace: Backprop, outputs: list, show) -> list[dict]:
    """One step per node the output depends on, from the output back: how its gradient adds
    up from the edges into its children, and what it sends on to each input, with where each
    local derivative comes from."""
    index = namer.index

    def fmt(x: Any) -> str:
        return show(x)[0]

    last = {id(trace.incoming(node)[-1]) for node in trace.order if trace.incoming(node)}
    entries = {
        id(edge): _edge_entry(
            edge, index, show, local_text(edge, namer, trace, show), id(edge) in last
        )
        for edge in trace.edges
    }
    steps = []
    for node in reversed(trace.order):
        if is_constant(node):
            continue  # a number of the formula (the 2 of 2xy) is drawn without a gradient
        i = index[node]
        incoming = [entries[id(edge)] for edge in trace.incoming(node)]
        outgoing = [entries[id(edge)] for edge in trace.outgoing(node)]
        is_output = any(node is y for y in outputs)
        contributions = [edge.contribution for edge in trace.incoming(node)]
        terms = [show(x) for x in contributions]
        numbers = all(trace.arithmetic.is_number(x) for x in contributions)
        total, note = _gradient_sum(namer, i, is_output, terms, fmt(trace.grads[node]), numbers)
        if outgoing:
            more = "chain rule: each input gets upstream × local"
            note = f"{note}; {more}" if note else more
        elif not is_output:
            more = "a leaf: its gradient is complete"
            note = f"{note}; {more}" if note else more
        steps.append(
            {
                "phase": "backward",
                "node": i,
                "grad": fmt(trace.grads[node]),
                "sum": total,
                "incoming": incoming,
                "outgoing": outgoing,
                "note": note,
            }
        )
    return steps


def _gradient_sum(
    namer: Namer, i: int, is_output: bool, terms: list, grad: str, numbers: bool = True
):
    """The line that states a node's gradient (the seed, or the sum of its ``terms``, texts
    with their levels) and the note that explains it."""
    name = namer.name(i)
    head = f"grad({name})"
    if is_output:
        atomic = namer.names[i][1] == ATOM  # ∂(a × b)/∂(a × b) would not help
        total = f"{head} = ∂{name}/∂{name} = {grad}" if atomic else f"{head} = {grad}"
        meaning = f"∂{name}/∂v" if atomic else f"∂({name})/∂v"
        return total, f"the output: grad(v) means {meaning}; the backward pass starts with 1"
    if len(terms) > 1:
        if numbers:  # 3.000 − 2.000
            written = signed_sum([text for text, _ in terms])
        else:
            written = infix("sum", terms)[0]
        total = f"{head} = {written} = {grad}"
        return total, f"{name} is used {len(terms)} times: the contributions add up"
    return f"{head} = {grad}", ""


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

    >>> from autograd import Value
    >>> x = Value(3.0, label="x"); y = x * x; y.label = "y"; y.backward()
    >>> player = StepPlayer(y)
    >>> [step["phase"] for step in player.data()["steps"]]
    ['forward', 'forward', 'backward', 'backward']
    >>> player.save("steps.html")    # open it in a browser; ← → Home End  # doctest: +SKIP

    ``style`` is the diagram's `Style` (default: the course style with the local derivative
    on every edge); gradients are always drawn. ``output`` (default: the first root) is the
    node the backward pass starts from. The player is a snapshot: it records the values,
    gradients and the diagram (``.diagram``, from `autograd.viz.draw`) when it is made, and
    raises then if the graph cannot be shown (not scalar, too large for ``style.max_nodes``).
    In Jupyter, the player displays itself inline.
    """

    def __init__(
        self,
        roots: Any,
        style: Style | None = None,
        *,
        output: Any = None,
        symbols: Any = None,
        practice: bool = False,
        answers: Mapping[str, Mapping] | None = None,
        sheet: Mapping[str, str] | None = None,
    ):
        from autograd.viz import draw

        self.roots = as_roots(roots)
        base = style if style is not None else Style(edge_grads=not practice)
        if not isinstance(base, Style):
            raise TypeError(f"StepPlayer: style must be a Style, got {type(base).__name__}")
        self.style = dataclasses.replace(base, show_grad=True)
        if practice:  # the local derivatives on the edges are part of what is practised
            self.style = dataclasses.replace(self.style, edge_grads=False)
        elif answers is not None or sheet is not None:
            raise ValueError("StepPlayer: answers and sheet are for practice=True")
        self.practice = practice
        self.output = output
        check_scalar_graph(self.roots)
        if output is None:
            output = self.roots[0] if len(self.roots) == 1 else list(self.roots)
        # one trace for the steps and the diagram's edge labels: they cannot disagree
        trace = backprop_of(output, symbols, self.style.decimals)
        self._data = build_steps(self.roots, self.style, output, trace=trace)
        if practice:
            self._data["practice"] = practice_questions(self._data, trace, answers, sheet)
        self.diagram = draw(self.roots, self.style, trace=trace)

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
            practice=_PRACTICE_BAR if self.practice else "",
            keys=_PRACTICE_KEYS if self.practice else "",
        )

    def save(self, path: str | os.PathLike) -> Path:
        """Write the page to ``path`` (``.html`` or ``.htm``); returns the path.

        The file appears complete or not at all (a temporary file in the same folder, then
        ``os.replace``): an error while rendering or writing leaves any old page intact.
        """
        path = output_path(path, (".html", ".htm"), "StepPlayer.save")
        return write_atomic(path, self.html().encode("utf-8"))

    def _repr_html_(self) -> str:
        # An iframe so the page's script runs (notebooks do not run scripts of plain HTML
        # output everywhere) and its CSS and ids cannot clash with the notebook's.
        page = self.html()
        _, svg_height = _svg_size(page)
        height = int(min(720, max(480, svg_height + 160)))  # the diagram scrolls inside
        # practice: the typed answers are saved as an answer sheet (a download)
        sandbox = "allow-scripts allow-downloads" if self.practice else "allow-scripts"
        return (
            f'<iframe srcdoc="{html.escape(page, quote=True)}" sandbox="{sandbox}" '
            f'style="width:100%;height:{height}px;border:1px solid #ddd;border-radius:6px" '
            f'title="step-through player"></iframe>'
        )


def practice_questions(
    data: dict, trace: Backprop, answers: Mapping[str, Mapping] | None, sheet: Mapping | None
) -> dict:
    """The practice page's questions, one per step whose number the student works out: the
    value of every node computed from others (``"h"``), the gradient of every node but the
    output (``"grad:h"``). Each holds the true number (``true``, as the page compares it) and
    its text, and the known slips of that number with their hints, as the caller computed
    them (``answers[key]["slips"]``: ``[{"value": number, "hint": text}]``; the checker's, in
    `autograd.handcalc.generate.practice_data`: the page only compares numbers). A number
    that is an expression in unknowns (``symbols``) is typed as an expression and saved for
    the answer sheet, where ``autograd check`` compares it symbolically (``expression``).
    ``sheet``: ``{"text", "name"}``, the answer sheet the page fills with the typed answers
    (``@@key@@`` placeholders) and downloads."""
    answers = answers or {}
    order, nodes, questions = trace.order, data["nodes"], {}
    for s, step in enumerate(data["steps"]):
        i = step["node"]
        node = order[i] if i < len(order) else None
        entry = nodes[i]
        if step["phase"] == "forward":
            if not entry["parents"]:
                continue  # given
            key, true = entry["name"], trace.values.get(node, getattr(node, "data", None))
        else:
            if i == data["output"] or step["incoming"] == []:
                continue  # the seed, 1
            key, true = f"grad:{entry['name']}", trace.grads.get(node)
        text = entry["value"] if step["phase"] == "forward" else entry["grad"]
        try:
            number = float(true)
        except (TypeError, ValueError):
            # an expression in unknowns: the student types it; the page cannot compare
            # expressions (no sympy in a browser), so it is saved for the checker's sheet
            questions[str(s)] = {"key": key, "true": None, "text": text, "slips": []}
            questions[str(s)]["expression"] = True
            continue
        if not math.isfinite(number):
            continue  # nothing to type (and JSON has no inf)
        slips = [
            {"value": float(slip["value"]), "hint": str(slip["hint"])}
            for slip in answers.get(key, {}).get("slips", ())
        ]
        questions[str(s)] = {"key": key, "true": number, "text": text, "slips": slips}
    unknown = sorted(set(answers) - {q["key"] for q in questions.values()})
    if unknown:
        raise ValueError(f"StepPlayer: answers for {', '.join(unknown)}, not numbers of the graph")
    return {"questions": questions, "sheet": dict(sheet) if sheet else None}


def save_steps(
    roots: Any,
    path: str | os.PathLike,
    style: Style | None = None,
    *,
    output: Any = None,
    symbols: Any = None,
) -> Path:
    """Write the step-through page of the graph of ``roots`` to ``path`` (see `StepPlayer`)."""
    return StepPlayer(roots, style, output=output, symbols=symbols).save(path)


_PRACTICE_BAR = """<nav class="practice-bar" aria-label="practice">
  <span id="score" aria-live="polite"></span>
  <button id="download" type="button" title="save your answers as an answer sheet">
  Download answer sheet</button>
</nav>
"""
_PRACTICE_KEYS = (
    "; practice: type the number, Enter checks (Enter again: next step), &#x2191; &#x2193; "
    "step from the answer box, Tab to Reveal"
)

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
{practice}<main class="{layout}">
  <section id="panel" aria-live="polite"></section>
  <div id="diagram">{svg}</div>
</main>
<footer>Keys: &#x2190; &#x2192; step, Home/End first/last{keys}. Made by autograd-lab.</footer>
</div>
<script id="autograd-steps" type="application/json">{data}</script>
<script>
{script}
</script>
</body>
</html>
"""
