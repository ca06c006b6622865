"""The checker's hints (issue 18): from the op table's slips for values and gradients, the
squared-error hint only where there is a squared error, each hint once, and a carried number
that names the wrong claim it follows from; claims in unknowns bounded (issue 24)."""

from __future__ import annotations

import time

import pytest

from autograd.handcalc.check import ClaimError, check
from autograd.handcalc.expr import build

A1 = "h = w1*x1 + w2*x2 + b; y = {}(h)"
A1_INPUTS = {"x1": 2.8, "x2": -1.8, "w1": 1.45, "w2": -0.35, "b": -4}


@pytest.mark.parametrize(
    "activation, claim, says",
    [("sigmoid", "0.334", "1 − σ(h) instead of σ'(h)"),
     ("tanh", "0.402", "1 − tanh(h) instead of 1 − tanh²(h)")],
)  # fmt: skip
def test_a_slip_of_the_activation_derivative_gets_its_hint(activation, claim, says):
    _, nodes = build(A1.format(activation), A1_INPUTS)
    report = check(nodes, {"grad:h": claim})
    assert not report.ok and says in report.hint, report.summary()


def test_one_minus_sigmoid_as_the_value_gets_its_hint():
    _, nodes = build(A1.format("sigmoid"), A1_INPUTS)
    assert "1 − σ(h) instead of σ(h)" in check(nodes, {"y": "0.334"}).hint


def test_no_squared_error_hint_without_a_squared_error():
    _, nodes = build("x**2 + 2*x*y + y**2", {"x": 1.0, "y": 1.5})
    report = check(nodes, {"grad:y": "2.5"})  # half of the true 5
    assert not report.ok and "squared error" not in report.hint
    _, nodes = build("e = y - t; C = e**2", {"y": 0.4, "t": 1.0})
    assert "factor 2" in check(nodes, {"grad:y": "-0.6"}).hint


def test_each_hint_is_shown_once():
    _, nodes = build(A1.format("tanh"), A1_INPUTS)
    summary = check(nodes, {"y": "0.59", "grad:h": "0.65", "grad:b": "0.65"}).summary()
    hints = [line.split(": ", 1)[-1] for line in summary.splitlines() if "follows" in line]
    assert len(hints) == len(set(hints)), summary


def test_a_carried_number_names_the_wrong_claim_it_follows_from():
    _, nodes = build(A1.format("sigmoid"), A1_INPUTS)
    # grad:y claimed 2 (wrong); grad:h = 2 × σ'(h) follows from it
    true_local = nodes["y"].data * (1 - nodes["y"].data)
    report = check(nodes, {"grad:y": "2", "grad:h": f"{2 * true_local:.3f}"})
    row = next(r for r in report.rows if r.key == "grad:h")
    assert row.carried and "fix grad:y first" in row.hint, row.hint


@pytest.mark.parametrize(
    "claim, says",
    [("0x10*t", "not a decimal number"), ("True*t", "not a decimal number"),
     ("1e400*t", "beyond a float's range"), (" + ".join(["t"] * 3000), "at most 300"),
     ("(t+1)**((t/t+t/t)*(t/t+t/t)*(t/t+t/t))",
      "exponents are whole numbers"),
     ("(t+1)**8*(t+1)**8*(t+1)**8", "degree")],
)  # fmt: skip
def test_claims_in_unknowns_are_bounded_and_refused_by_name(claim, says):
    pytest.importorskip("sympy")
    _, nodes = build("e = y - t; C = e**2", {"y": 0.4, "t": 0.5})
    start = time.perf_counter()
    with pytest.raises(ClaimError, match=says):
        check(nodes, {"grad:y": claim}, symbols=[nodes["t"]])
    assert time.perf_counter() - start < 5
