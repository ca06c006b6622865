"""Every derivation a student sees comes from the one chain rule and the op table, and says
what the engine computed (issue 18). The A3 regression: with the targets left unknown, the
edge labels and the player's lines are expressions in the unknowns that, evaluated at any
targets, equal the numbers drawn with those targets."""

from __future__ import annotations

import re

import pytest

sympy = pytest.importorskip("sympy")

from autograd.handcalc.expr import build  # noqa: E402
from autograd.viz import draw  # noqa: E402
from autograd.viz.steps import build_steps  # noqa: E402

A3 = (
    "h1 = w11*x1 + w12*x2 + b1; h2 = w21*x1 + w22*x2 + b2; y1 = sigmoid(h1); y2 = sigmoid(h2); "
    "C = (y1 - t1)**2 + (y2 - t2)**2"
)
A3_INPUTS = {"x1": -3.1, "x2": 1.5, "w11": -0.2, "w12": 2.0, "w21": -0.5, "w22": -0.3}
A3_INPUTS.update(b1=-4.0, b2=-1.0)
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")


def evaluate(text: str, at: dict[str, float]) -> float:
    """A shown number or expression (``0.812 - 2·t1``, ``2 × (0.406 − t1)``) at the unknowns
    ``at``; test-only (sympify of our own output)."""
    source = text.replace("·", "*").replace("×", "*").replace("−", "-").replace("^", "**")
    source = re.sub(r"([⁰¹²³⁴⁵⁶⁷⁸⁹]+)", lambda m: "**" + m.group(1).translate(_SUPERSCRIPTS),
                    source)  # fmt: skip
    symbols = {name: sympy.Symbol(name) for name in at}
    return float(sympy.sympify(source, locals=symbols).subs(symbols_at(symbols, at)))


def symbols_at(symbols: dict, at: dict) -> dict:
    return {symbols[name]: value for name, value in at.items()}


def edge_labels(dot: str) -> dict[str, str]:
    """{edge id: its label text} of a DOT text."""
    labels = {}
    for match in re.finditer(r'\[id="(op\d+-in\d+)", label=<(.*?)>, fontcolor', dot):
        labels[match.group(1)] = match.group(2).replace("<BR/>", " ")
    return labels


def a3(targets: dict | None):
    """A3 built with these targets, or with both left unknown (``None``): (root, nodes,
    unknown nodes)."""
    values = dict(A3_INPUTS)
    values.update(targets or {"t1": 0.5, "t2": 0.5})
    root, nodes = build(A3, values)
    return root, nodes, ([] if targets else [nodes["t1"], nodes["t2"]])


@pytest.mark.parametrize("targets", [{"t1": 1.0, "t2": 0.0}, {"t1": -0.7, "t2": 2.5}])
def test_a3_edge_labels_with_unknowns_equal_the_numeric_ones_at_any_targets(targets):
    root, _, unknowns = a3(None)
    symbolic = edge_labels(draw(root, symbols=unknowns, edge_grads=True).dot)
    root, _, _ = a3(targets)
    numeric = edge_labels(draw(root, edge_grads=True).dot)
    assert symbolic.keys() == numeric.keys() and symbolic
    for edge, text in symbolic.items():
        assert evaluate(text, targets) == pytest.approx(float(numeric[edge]), abs=2e-3), edge


def test_a3_step_lines_with_unknowns_equal_the_numeric_ones_at_any_targets():
    targets = {"t1": 1.0, "t2": 0.0}
    root, _, unknowns = a3(None)
    symbolic = build_steps(root, symbols=unknowns)
    root, _, _ = a3(targets)
    numeric = build_steps(root)
    for mine, theirs in zip(symbolic["steps"], numeric["steps"]):
        if mine["phase"] != "backward":
            continue
        assert evaluate(mine["grad"], targets) == pytest.approx(float(theirs["grad"]), abs=2e-3)
        for a, b in zip(mine["outgoing"], theirs["outgoing"]):
            for key in ("upstream", "local", "contribution", "running"):
                assert evaluate(a[key], targets) == pytest.approx(float(b[key]), abs=2e-3), key
            # the derivation's last number is the local derivative it explains
            assert evaluate(a["why"].rsplit(" = ", 1)[1], targets) == pytest.approx(
                float(b["local"]), abs=2e-3
            )


def test_a3_derivations_keep_the_parentheses_of_the_squared_error():
    root, _, _ = a3({"t1": 1.0, "t2": 0.0})
    data = build_steps(root)
    whys = [edge["why"] for step in data["steps"] if step["phase"] == "backward"
            for edge in step["outgoing"]]  # fmt: skip
    squares = [why for why in whys if "²" in why.split(" = ")[0]]
    assert squares, whys
    for why in squares:
        assert "(y1 - t1)" in why or "(y2 - t2)" in why, why
        assert "t1²" not in why and "t2²" not in why, why
