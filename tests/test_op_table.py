"""The op table is the one definition of each op (issue 18): every entry carries its forward
function, its local derivative as a formula, its kind and (activations) its common slips, and
the numbers the engine computes are the formulas' numbers at random points, op by op. The
tests call the table entries themselves."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd.functional  # noqa: F401  (registers the losses in the Tensor table)
from autograd import Tensor
from autograd.engine import OPS, Value
from autograd.graph import KINDS, input_names

POINTS = st.floats(-4.0, 4.0, allow_nan=False).filter(lambda v: abs(v) > 1e-3)
POSITIVE = st.floats(0.05, 4.0)


@pytest.mark.parametrize("name", sorted(OPS))
def test_every_scalar_op_has_its_formulas_kind_and_slips(name):
    spec = OPS[name]
    assert callable(spec.function)
    assert spec.kind in KINDS
    assert spec.slopes, f"{name}: no local derivative formula"
    assert spec.value is not None or spec.arity == -1, f"{name}: no value formula"
    if spec.kind == "activation":
        assert spec.slips, f"{name}: an activation lists the wrong derivatives people write"
    for slip in spec.slips:
        assert slip.says and slip.of in ("value", "slope")


def test_losses_are_marked_as_losses_in_the_tensor_table():
    losses = {name for name, spec in Tensor.OPS.items() if spec.kind == "loss"}
    assert {"mse_loss", "cross_entropy", "binary_cross_entropy"} <= losses


def _apply(name: str, inputs: list[float], params: dict) -> Value:
    spec = OPS[name]
    nodes = [Value(v) for v in inputs]
    if spec.arity == -1:
        return spec.function(nodes)
    if name == "pow" and "exponent" in params:
        return spec.function(nodes[0], params["exponent"])
    return spec.function(*nodes, **params)


def _check(name: str, inputs: list[float], params: dict) -> None:
    spec = OPS[name]
    out = _apply(name, inputs, params)
    value, slopes = spec.formulas(out.params or params, len(inputs))
    env = spec.environment(inputs, None, out.params or params)
    assert value.evaluate(env) == pytest.approx(out.data, rel=1e-9, abs=1e-12)
    env["y"] = out.data
    for k, slope in enumerate(slopes):
        assert slope.evaluate(env) == pytest.approx(out.local_grads[k], rel=1e-9, abs=1e-12), (
            name, k, inputs,
        )  # fmt: skip


@pytest.mark.parametrize("name", sorted(OPS))
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_the_engine_computes_what_the_formulas_say(name, data):
    spec = OPS[name]
    points = POSITIVE if spec.domain == "positive" else POINTS
    count = data.draw(st.integers(1, 4)) if spec.arity == -1 else spec.arity
    inputs = [data.draw(points) for _ in range(count)]
    params = {key: data.draw(st.floats(0.01, 2.0)) for key in spec.params}
    if name == "div":
        inputs[1] = data.draw(POINTS)
    _check(name, inputs, params)
    if name == "pow":  # x ** n with the exponent as a parameter
        _check(name, inputs[:1], {"exponent": float(data.draw(st.integers(-3, 4)))})


def test_formula_functions_are_written_as_the_ops_are():
    from autograd.notation import FUNCTION_SYMBOLS

    for name, symbol in FUNCTION_SYMBOLS.items():
        if name in OPS:
            assert OPS[name].symbol == symbol, name


def test_input_names():
    assert input_names(1, 1) == ["x"] and input_names(2, 2) == ["a", "b"]
    assert input_names(3, -1) == ["x0", "x1", "x2"]
    assert math.isfinite(OPS["tanh"].slopes[0].evaluate({"y": 0.5}))
