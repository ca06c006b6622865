"""The part-A course exercises (shared/EXERCISES.md) as graphs of `Value` nodes.

Each builder returns an `Exercise` whose graph has been built and back-propagated from its
output, so every node holds its forward value and its gradient. The CLI, the gallery, the demo
and the notebooks all build the exercises here, so they always show the same numbers.

Inputs that EXERCISES.md leaves open (A3's second neuron and target, A4's point) are fixed
here and stated in each exercise's ``title``. `gallery` draws them all (the diagrams of
``graphs/``, written by ``autograd exercises DIR`` with `write_gallery`).
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
# A3: A1's neuron feeds a second sigmoid neuron; squared error against a target.
A3_INPUTS = {**A1_INPUTS, "w3": 2.0, "b3": -1.0, "t": 1.0}
# A4: f(x, y) = x² + 2xy + y² at this point.
A4_INPUTS = {"x": 2.0, "y": 3.0}


@dataclass
class Exercise:
    """A built and back-propagated exercise graph: ``output`` is the node backward ran from,
    ``nodes`` maps every labelled node's label to the node."""

    name: str
    title: str
    output: Value
    nodes: dict[str, Value] = field(default_factory=dict)


def _leaves(values: dict[str, float]) -> dict[str, Value]:
    return {name: Value(value, label=name) for name, value in values.items()}


def _finish(name: str, title: str, output: Value, nodes: dict[str, Value]) -> Exercise:
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
    title = f"A1: perceptron y = {activation}(w1*x1 + w2*x2 + b{params and ', ' + params})"
    return _finish(f"a1_{activation}", title, y, {**v, "h": h})


def a2(output: int = 1) -> Exercise:
    """A2: ``y = sigmoid(W x + b)`` with two outputs; back-propagated from ``y{output}``."""
    if output not in (1, 2):
        raise ValueError(f"a2: output must be 1 or 2, got {output!r}")
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
        nodes.update({b.label: b, h.label: h})
        outputs.append(y)
    title = f"A2: y = sigmoid(W x + b), gradients of y{output}"
    return _finish(f"a2_y{output}", title, outputs[output - 1], nodes)


def a3() -> Exercise:
    """A3: two sigmoid neurons in a row and the squared error ``C = (y - t)²``."""
    v = _leaves(A3_INPUTS)
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
    title = "A3: a = sigmoid(w1*x1 + w2*x2 + b), y = sigmoid(w3*a + b3), C = (y - t)^2"
    return _finish("a3", title, cost, {**v, "h": h, "a": a, "z": z, "y": y, "e": e})


def a4() -> Exercise:
    """A4: ``f(x, y) = x² + 2xy + y²``."""
    v = _leaves(A4_INPUTS)
    x, y = v["x"], v["y"]
    f = sum_values([x**2, 2 * x * y, y**2], label="f")
    return _finish("a4", "A4: f(x, y) = x^2 + 2xy + y^2", f, v)


def part_a() -> list[Exercise]:
    """Every part-A exercise, in the order of EXERCISES.md."""
    return [a1(name) for name in A1_ACTIVATIONS] + [a2(1), a2(2), a3(), a4()]


# --- the gallery: every exercise drawn ---------------------------------------------------------
# A3's two neurons as clusters in the gallery.
A3_CLUSTERS = {
    "neuron 1": ["w1", "x1", "w2", "x2", "b", "h", "a"],
    "neuron 2": ["w3", "b3", "z", "y"],
}


def gallery() -> dict[str, Diagram]:
    """The diagrams of every part-A exercise (`autograd.exercises.part_a`), by file stem:
    ``a1_sigmoid``, ``a1_tanh``, ``a1_elu``, ``a1_leaky_relu``, ``a2_y1``, ``a2_y2``, ``a3``,
    ``a4``. Course style, each titled with its exercise."""
    from autograd.viz import draw

    diagrams = {}
    for exercise in part_a():
        options: dict[str, Any] = {"title": exercise.title}
        if exercise.name == "a3":
            options["clusters"] = A3_CLUSTERS
        diagrams[exercise.name] = draw(exercise.output, **options)
    return diagrams


def write_gallery(directory: str | os.PathLike) -> list[Path]:
    """Write ``NAME.svg`` and ``NAME.dot`` for every `gallery` diagram into ``directory``
    (made when missing). Everything is rendered before the first file is written, so a
    rendering failure leaves the folder as it was; each file is replaced atomically (a write
    failure half-way leaves some files new, none partial). Returns the paths."""
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise NotADirectoryError(f"gallery: {str(directory)!r} exists and is not a folder")
    contents: dict[Path, bytes] = {}
    for name, diagram in gallery().items():
        contents[directory / f"{name}.svg"] = diagram.render("svg")
        contents[directory / f"{name}.dot"] = diagram.dot.encode("utf-8")
    from autograd.files import write_atomic

    directory.mkdir(parents=True, exist_ok=True)
    return [write_atomic(path, data) for path, data in contents.items()]
