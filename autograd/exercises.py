"""The part-A course exercises (shared/EXERCISES.md) as graphs of `Value` nodes.

Each builder returns an `Exercise` whose graph has been built and back-propagated from its
output, so every node holds its forward value and its gradient. The CLI, the gallery, the demo
and the notebooks all build the exercises here, so they always show the same numbers.

Inputs that EXERCISES.md leaves open (A3's targets, A4's point, the second neuron of the
extra exercise ``a3_series``) are fixed here and stated in each exercise's ``title``. A2 and A3
have two outputs drawn in one graph, as the course's report draws them: their gradients are
those of the sum of the outputs (``∂(y1 + y2)/∂node``, the report's ``dx = W^T delta``).
`gallery` draws them all (the diagrams of ``graphs/``, written by ``autograd exercises DIR``
with `write_gallery`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autograd.engine import Value, sum_values

if TYPE_CHECKING:
    from autograd.viz import Diagram

# A1 and A2 inputs, exactly as given in EXERCISES.md.
A1_INPUTS = {"x1": 2.8, "x2": -1.8, "w1": 1.45, "w2": -0.35, "b": -4.0}
A1_ACTIVATIONS = {
    "sigmoid": {},
    "tanh": {},
    "elu": {"alpha": 0.1},
    "leaky_relu": {"alpha": 0.1},
}
A2_INPUTS = {"x": (-3.1, 1.5), "W": ((-0.2, 2.0), (-0.5, -0.3)), "b": (-4.0, -1.0)}
# A3 (the course's): A2's network and C = (y1 - t1)² + (y2 - t2)² (EXERCISES.md's MSE of one
# sample: summed over the outputs). The report left t1, t2 open; these are ours.
A3_TARGETS = {"t1": 1.0, "t2": 0.0}
# The extra exercise a3_series: A1's neuron feeds a second sigmoid neuron; squared error.
A3_SERIES_INPUTS = {**A1_INPUTS, "w3": 2.0, "b3": -1.0, "t": 1.0}
# A4: f(x, y) = x² + 2xy + y² at this point.
A4_INPUTS = {"x": 2.0, "y": 3.0}


@dataclass
class Exercise:
    """A built and back-propagated exercise graph: ``output`` is the node backward ran from,
    ``nodes`` maps every labelled node's label to the node."""

    name: str
    title: str
    output: Value | list[Value]  # a list for A2's two outputs
    nodes: dict[str, Value] = field(default_factory=dict)


def _leaves(values: dict[str, float]) -> dict[str, Value]:
    return {name: Value(value, label=name) for name, value in values.items()}


def _finish(name: str, title: str, output, nodes: dict[str, Value]) -> Exercise:
    if isinstance(output, list):  # several outputs: the gradients of their sum
        from autograd.graph import backprop

        trace = backprop(output)
        for node in trace.order:
            node.grad = trace.grads[node]
        return Exercise(name, title, output, {**nodes, **{y.label: y for y in output}})
    output.backward()
    nodes = {**nodes, output.label: output}
    return Exercise(name, title, output, nodes)


def a1(activation: str = "sigmoid") -> Exercise:
    """A1: ``y = f(w1*x1 + w2*x2 + b)`` for f in sigmoid, tanh, elu(0.1), leaky_relu(0.1)."""
    if activation not in A1_ACTIVATIONS:
        raise ValueError(
            f"a1: unknown activation {activation!r}; expected one of {sorted(A1_ACTIVATIONS)}"
        )
    v = _leaves(A1_INPUTS)
    h = sum_values([v["w1"] * v["x1"], v["w2"] * v["x2"], v["b"]], label="h")
    y = getattr(h, activation)(**A1_ACTIVATIONS[activation])
    y.label = "y"
    params = ", ".join(f"{k}={p}" for k, p in A1_ACTIVATIONS[activation].items())
    symbol = {"sigmoid": "σ", "tanh": "tanh", "elu": "ELU", "leaky_relu": "LeakyReLU"}[activation]
    params = params.replace("alpha", "α")
    title = f"A1: perceptron y = {symbol}(w1·x1 + w2·x2 + b{params and ', ' + params})"
    return _finish(f"a1_{activation}", title, y, {**v, "h": h})


def _a2_network() -> tuple[list[Value], dict[str, Value]]:
    """A2's layer ``y = sigmoid(W x + b)``: the two outputs and every labelled node."""
    x = [Value(xj, label=f"x{j + 1}") for j, xj in enumerate(A2_INPUTS["x"])]
    nodes = {xj.label: xj for xj in x}
    outputs = []
    for i, (row, bias) in enumerate(zip(A2_INPUTS["W"], A2_INPUTS["b"]), start=1):
        w = [Value(wij, label=f"w{i}{j + 1}") for j, wij in enumerate(row)]
        b = Value(bias, label=f"b{i}")
        h = sum_values([wij * xj for wij, xj in zip(w, x)] + [b], label=f"h{i}")
        y = h.sigmoid()
        y.label = f"y{i}"
        nodes.update({wij.label: wij for wij in w})
        nodes.update({b.label: b, h.label: h, y.label: y})
        outputs.append(y)
    return outputs, nodes


def a2(output: int | None = None) -> Exercise:
    """A2: ``y = sigmoid(W x + b)`` with two outputs. By default both outputs in one graph,
    as the course's report draws it: the gradients are those of ``y1 + y2`` (the report's
    ``grad_x = W^T delta = (-0.172, 0.407)``); ``output=1`` or ``2`` back-propagates from that
    output alone (the extra diagrams ``a2_y1``, ``a2_y2``)."""
    if output not in (None, 1, 2):
        raise ValueError(f"a2: output must be None (both), 1 or 2, got {output!r}")
    outputs, nodes = _a2_network()
    if output is None:
        title = "A2: y = σ(W x + b), both outputs; gradients of y1 + y2"
        return _finish("a2", title, outputs, nodes)
    nodes = {k: v for k, v in nodes.items() if k != f"y{3 - output}"}
    title = f"A2: y = σ(W x + b), gradients of y{output}"
    return _finish(f"a2_y{output}", title, outputs[output - 1], nodes)


def a3() -> Exercise:
    """A3 as the course gives it: A2's network and the squared error over both outputs,
    ``C = (y1 - t1)² + (y2 - t2)²`` with targets `A3_TARGETS`."""
    outputs, nodes = _a2_network()
    targets = _leaves(A3_TARGETS)
    errors = []
    for i, y in enumerate(outputs, start=1):
        e = y - targets[f"t{i}"]
        e.label = f"e{i}"
        errors.append(e)
    cost = sum_values([e**2 for e in errors], label="C")
    t = ", ".join(f"{v:g}" for v in A3_TARGETS.values())
    title = f"A3: A2's network, C = (y1 − t1)² + (y2 − t2)², t = ({t})"
    return _finish("a3", title, cost, {**nodes, **targets, **{e.label: e for e in errors}})


def a3_series() -> Exercise:
    """An extra exercise: two sigmoid neurons in a row and the squared error ``C = (y - t)²``."""
    v = _leaves(A3_SERIES_INPUTS)
    h = sum_values([v["w1"] * v["x1"], v["w2"] * v["x2"], v["b"]], label="h")
    a = h.sigmoid()
    a.label = "a"
    z = sum_values([v["w3"] * a, v["b3"]], label="z")
    y = z.sigmoid()
    y.label = "y"
    e = y - v["t"]
    e.label = "e"
    cost = e**2
    cost.label = "C"
    title = "Extra: a = σ(w1·x1 + w2·x2 + b), y = σ(w3·a + b3), C = (y − t)²"
    return _finish("a3_series", title, cost, {**v, "h": h, "a": a, "z": z, "y": y, "e": e})


def a4() -> Exercise:
    """A4: ``f(x, y) = x² + 2xy + y²``."""
    v = _leaves(A4_INPUTS)
    x, y = v["x"], v["y"]
    # 2·(x·y): the product x·y sits between x and y, so no edges cross
    f = sum_values([x**2, 2 * (x * y), y**2], label="f")
    return _finish("a4", "A4: f(x, y) = x² + 2xy + y²", f, v)


def part_a() -> list[Exercise]:
    """Every part-A exercise, in the order of EXERCISES.md, with the extras (A2 per output,
    two neurons in series) after the exercise they extend."""
    a1s = [a1(name) for name in A1_ACTIVATIONS]
    return a1s + [a2(), a2(1), a2(2), a3(), a3_series(), a4()]


# --- the gallery: every exercise drawn ---------------------------------------------------------
# One box per neuron in the gallery, as the course draws them.
A2_CLUSTERS = {
    "neuron 1": ["w11", "w12", "b1", "h1", "y1"],
    "neuron 2": ["w21", "w22", "b2", "h2", "y2"],
}
A3_SERIES_CLUSTERS = {
    "neuron 1": ["w1", "x1", "w2", "x2", "b", "h", "a"],
    "neuron 2": ["w3", "b3", "z", "y"],
}
# NOTE: the targets stay out of the cost's box: with them, the box starts at the neurons' last
# rank and Graphviz puts it above the neurons, with long edges up to it; without, to their right.
A3_CLUSTERS = {**A2_CLUSTERS, "cost (MSE)": ["e1", "e2", "C"]}
CLUSTERS = {"a2": A2_CLUSTERS, "a3": A3_CLUSTERS, "a3_series": A3_SERIES_CLUSTERS}


def gallery() -> dict[str, Diagram]:
    """The diagrams of every part-A exercise (`autograd.exercises.part_a`), by file stem:
    ``a1_sigmoid``, ``a1_tanh``, ``a1_elu``, ``a1_leaky_relu``, ``a2`` (both outputs) and
    the extras ``a2_y1``, ``a2_y2``, ``a3`` and the extra ``a3_series``, ``a4``. Course style,
    each titled with its exercise, one box per neuron."""
    from autograd.viz import draw

    diagrams = {}
    for exercise in part_a():
        options: dict[str, Any] = {"title": exercise.title}
        if exercise.name in CLUSTERS:
            options["clusters"] = CLUSTERS[exercise.name]
        diagrams[exercise.name] = draw(exercise.output, **options)
    return diagrams


def write_gallery(directory: str | os.PathLike, formats=("svg", "dot")) -> list[Path]:
    """Write ``NAME.svg`` and ``NAME.dot`` (or the ``formats`` asked for: svg png pdf dot)
    for every `gallery` diagram into ``directory`` (made when missing). Everything is
    rendered before the first file is written, so a rendering failure leaves the folder as it
    was; each file is replaced atomically (a write
    failure half-way leaves some files new, none partial). Returns the paths."""
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise NotADirectoryError(f"gallery: {str(directory)!r} exists and is not a folder")
    unknown = sorted(set(formats) - {"svg", "png", "pdf", "dot"})
    if unknown or not formats:
        raise ValueError(f"gallery: formats must be some of svg png pdf dot, got {formats!r}")
    contents: dict[Path, bytes] = {}
    for name, diagram in gallery().items():
        for fmt in dict.fromkeys(formats):
            data = diagram.dot.encode("utf-8") if fmt == "dot" else diagram.render(fmt)
            contents[directory / f"{name}.{fmt}"] = data
    from autograd.files import write_atomic

    directory.mkdir(parents=True, exist_ok=True)
    return [write_atomic(path, data) for path, data in contents.items()]


# --- templates: the exercises as expressions, for per-student numbers --------------------------
# The same graphs as the builders above, written in the expression language of
# `autograd.handcalc.expr` (what `autograd draw` and `autograd check` read), with the range of
# each input. `autograd.handcalc.generate` draws every student's own numbers from these ranges
# (on a 0.1 grid) and keeps only fair draws; an answer sheet carries the expression, so
# ``autograd check --claims`` can grade it. The ranges hold the course's own numbers.
_A1 = "h = w1*x1 + w2*x2 + b; y = {f}"
_A1_RANGES = {"x1": (-3.0, 3.0), "x2": (-3.0, 3.0), "w1": (-2.0, 2.0), "w2": (-2.0, 2.0),
              "b": (-4.0, 4.0)}  # fmt: skip
_A2 = "h1 = w11*x1 + w12*x2 + b1; h2 = w21*x1 + w22*x2 + b2; y1 = sigmoid(h1); y2 = sigmoid(h2)"
_A2_RANGES = {"x1": (-3.5, 3.5), "x2": (-3.5, 3.5), "b1": (-4.0, 4.0), "b2": (-4.0, 4.0)}
_A2_RANGES |= {f"w{i}{j}": (-2.0, 2.0) for i in (1, 2) for j in (1, 2)}
TEMPLATES: dict[str, tuple[str, dict[str, tuple[float, float]]]] = {
    "a1-sigmoid": (_A1.format(f="sigmoid(h)"), _A1_RANGES),
    "a1-tanh": (_A1.format(f="tanh(h)"), _A1_RANGES),
    "a1-elu": (_A1.format(f="elu(h, alpha=0.1)"), _A1_RANGES),
    "a1-leaky-relu": (_A1.format(f="leaky_relu(h, alpha=0.1)"), _A1_RANGES),
    "a2": (_A2, _A2_RANGES),
    "a3": (
        _A2 + "; e1 = y1 - t1; e2 = y2 - t2; C = e1**2 + e2**2",
        {**_A2_RANGES, "t1": (0.0, 1.0), "t2": (0.0, 1.0)},
    ),
    "a4": ("f = x**2 + 2*x*y + y**2", {"x": (-4.0, 4.0), "y": (-4.0, 4.0)}),
}
