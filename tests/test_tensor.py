"""The Tensor path: gradients of every registered op against central differences (float64),
broadcasting shapes from hypothesis, dtype preservation, agreement with the scalar engine,
numerical stability, graph release (memory) and error messages."""

from __future__ import annotations

import gc
import math
import re
import tracemalloc
import warnings
import weakref

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

import autograd.functional as F
from autograd import Tensor, Value, gradcheck, no_grad
from autograd.engine import OPS as SCALAR_OPS
from autograd.engine import sum_values
from autograd.functional import concatenate, stack, where
from autograd.tensor import OPS, record_op, unbroadcast

RNG_SEED = 1234


# --- central differences ----------------------------------------------------------------------
def check_gradients(f, arrays, rng, rtol=1e-5, atol=1e-6, layout=np.array):
    """backward() of f at `arrays` (float64) agrees with central differences; the inputs are
    given to f in the memory `layout` (a function returning an array of the same values)."""
    arrays = [np.array(a, dtype=np.float64) for a in arrays]
    inputs = [Tensor(layout(a.copy()), requires_grad=True) for a in arrays]
    upstream = rng.standard_normal(f(*[Tensor(a) for a in arrays]).shape)
    assert gradcheck(f, inputs, rtol=rtol, atol=atol, upstream=upstream)


# Inputs drawn away from kinks (|x| > 0.05) so that central differences are meaningful.
def normal(rng, shape):
    x = rng.standard_normal(shape)
    return x + 0.05 * np.sign(x)  # strictly monotonic: no new ties (max, min, where)


def positive(rng, shape):
    return np.abs(rng.standard_normal(shape)) + 0.5


def probability(rng, shape):
    return rng.uniform(0.1, 0.9, shape)


TARGETS = np.array([0, 2, 1, 2, 0])
CLASS_WEIGHT = np.array([1.0, 2.0, 0.5])

# Every registered op: a list of (function of Tensors, input generators with shapes).
# test_every_op_has_cases fails when an op is registered without an entry here.
CASES = {
    "add": [(lambda a, b: a + b, [(normal, (3, 4)), (normal, (4,))]),
            (lambda a: 2.0 + a, [(normal, (3,))])],
    "sub": [(lambda a, b: a - b, [(normal, (3, 1)), (normal, (1, 4))]),
            (lambda a: 1.0 - a, [(normal, (3,))])],
    "mul": [(lambda a, b: a * b, [(normal, (2, 3, 4)), (normal, (3, 1))]),
            (lambda a: a * a, [(normal, (3,))])],
    "div": [(lambda a, b: a / b, [(normal, (3, 4)), (positive, (4,))]),
            (lambda a: 1.0 / a, [(positive, (3,))])],
    "pow": [(lambda a, b: a**b, [(positive, (3, 4)), (normal, (4,))]),
            (lambda a: a**3, [(normal, (3, 2))]),
            (lambda a: a**2, [(normal, (3, 2))]),
            (lambda a: a**-0.5, [(positive, (4,))]),
            (lambda a: 2.0**a, [(normal, (4,))])],
    "matmul": [(lambda a, b: a @ b, [(normal, (3, 4)), (normal, (4, 2))]),
               (lambda a, b: a @ b, [(normal, (4,)), (normal, (4, 2))]),
               (lambda a, b: a @ b, [(normal, (2, 3, 4)), (normal, (4,))]),
               (lambda a, b: a @ b, [(normal, (4,)), (normal, (4,))]),
               (lambda a, b: a @ b, [(normal, (2, 3, 4)), (normal, (1, 4, 2))])],
    "neg": [(lambda a: -a, [(normal, (3, 2))])],
    "abs": [(lambda a: abs(a), [(normal, (3, 2))])],
    "exp": [(lambda a: a.exp(), [(normal, (3, 2))])],
    "log": [(lambda a: a.log(), [(positive, (3, 2))])],
    "sqrt": [(lambda a: a.sqrt(), [(positive, (3, 2))])],
    "tanh": [(lambda a: a.tanh(), [(normal, (3, 2))])],
    "sigmoid": [(lambda a: a.sigmoid(), [(normal, (3, 2))])],
    "relu": [(lambda a: a.relu(), [(normal, (3, 4))])],
    "leaky_relu": [(lambda a: a.leaky_relu(0.1), [(normal, (3, 4))])],
    "elu": [(lambda a: a.elu(0.7), [(normal, (3, 4))])],
    "softplus": [(lambda a: a.softplus(), [(normal, (3, 4))])],
    "softmax": [(lambda a: a.softmax(), [(normal, (3, 4))]),
                (lambda a: a.softmax(axis=0), [(normal, (3, 4))])],
    "log_softmax": [(lambda a: a.log_softmax(), [(normal, (3, 4))]),
                    (lambda a: a.log_softmax(axis=0), [(normal, (3, 4))])],
    "sum": [(lambda a: a.sum(), [(normal, (3, 4))]),
            (lambda a: a.sum(axis=1), [(normal, (3, 4))]),
            (lambda a: a.sum(axis=(0, 2), keepdims=True), [(normal, (2, 3, 2))])],
    "mean": [(lambda a: a.mean(), [(normal, (3, 4))]),
             (lambda a: a.mean(axis=-1, keepdims=True), [(normal, (3, 4))])],
    "max": [(lambda a: a.max(), [(normal, (3, 4))]),
            (lambda a: a.max(axis=0), [(normal, (3, 4))]),
            (lambda a: a.max(axis=1, keepdims=True), [(normal, (3, 4))])],
    "min": [(lambda a: a.min(), [(normal, (3, 4))]),
            (lambda a: a.min(axis=(0, 1)), [(normal, (3, 4, 2))])],
    "reshape": [(lambda a: a.reshape(4, 3), [(normal, (3, 4))]),
                (lambda a: a.reshape((-1,)), [(normal, (3, 4))])],
    "transpose": [(lambda a: a.T, [(normal, (3, 4))]),
                  (lambda a: a.transpose(1, 2, 0), [(normal, (2, 3, 4))])],
    "getitem": [(lambda a: a[1:, ::2], [(normal, (3, 4))]),
                (lambda a: a[np.array([0, 0, 2])], [(normal, (3, 4))]),
                (lambda a: a[:, [1, 1, 1]], [(normal, (3, 4))]),
                (lambda a: a[a.data > 0], [(normal, (3, 4))]),
                (lambda a: a[1, 2], [(normal, (3, 4))])],
    "clip": [(lambda a: a.clip(-0.5, 0.5), [(normal, (4, 4))]),
             (lambda a: a.clip(low=0.2), [(normal, (4, 4))])],
    "concatenate": [(lambda a, b: concatenate([a, b], axis=1),
                     [(normal, (3, 4)), (normal, (3, 2))]),
                    (lambda a, b, c: concatenate([a, b, c]), [(normal, (2,)), (normal, (3,)),
                                                              (normal, (1,))])],
    "stack": [(lambda a, b: stack([a, b], axis=1), [(normal, (3, 4)), (normal, (3, 4))]),
              (lambda a, b: stack([a, b], axis=-1), [(normal, (3,)), (normal, (3,))])],
    "where": [(lambda a, b: where(a.data > b.data, a, b), [(normal, (3, 4)), (normal, (4,))]),
              (lambda a: where(a.data > 0, a, 0.0), [(normal, (3, 4))])],
    "linear": [(lambda x, w, b: F.linear(x, w, b), [(normal, (5, 4)), (normal, (3, 4)),
                                                    (normal, (3,))]),
               (lambda x, w: F.linear(x, w), [(normal, (2, 5, 4)), (normal, (3, 4))]),
               (lambda x, w, b: F.linear(x, w, b), [(normal, (4,)), (normal, (3, 4)),
                                                    (normal, (3,))])],
    "cross_entropy": [(lambda z: F.cross_entropy(z, TARGETS), [(normal, (5, 3))]),
                      (lambda z: F.cross_entropy(z, TARGETS, reduction="sum"), [(normal, (5, 3))]),
                      (lambda z: F.cross_entropy(z, TARGETS, reduction="none"), [(normal, (5, 3))]),
                      (lambda z: F.cross_entropy(z, TARGETS, weight=CLASS_WEIGHT),
                       [(normal, (5, 3))]),
                      (lambda z: F.cross_entropy(z, TARGETS, weight=CLASS_WEIGHT, reduction="none"),
                       [(normal, (5, 3))])],
    "mse_loss": [(lambda p, t: F.mse_loss(p, t), [(normal, (4, 3)), (normal, (4, 3))]),
                 (lambda p, t: F.mse_loss(p, t, reduction="sum"),
                  [(normal, (4, 3)), (normal, (4, 3))]),
                 (lambda p, t: F.mse_loss(p, t, reduction="none"), [(normal, (4, 3)),
                                                                    (normal, (4, 3))])],
    "binary_cross_entropy": [(lambda p, t: F.binary_cross_entropy(p, t),
                              [(probability, (4, 3)), (probability, (4, 3))]),
                             (lambda p, t: F.binary_cross_entropy(p, t, reduction="none"),
                              [(probability, (4,)), (probability, (4,))])],
    "binary_cross_entropy_with_logits": [
        (lambda z, t: F.binary_cross_entropy_with_logits(z, t),
         [(normal, (4, 3)), (probability, (4, 3))]),
        (lambda z, t: F.binary_cross_entropy_with_logits(z, t, reduction="sum"),
         [(normal, (4, 3)), (probability, (4, 3))])],
    "dropout": [(lambda x: F.dropout(x, 0.4, True, np.random.default_rng(5)), [(normal, (6, 5))])],
    # the table's own functions (tests/test_conv.py checks many more shapes)
    "conv2d": [(lambda x, w, b: OPS["conv2d"].function(x, w, b, stride=2, padding=1),
                [(normal, (2, 3, 7, 6)), (normal, (4, 3, 3, 3)), (normal, (4,))]),
               (lambda x, w: OPS["conv2d"].function(x, w), [(normal, (1, 2, 5, 5)),
                                                            (normal, (3, 2, 4, 4))])],
    "max_pool2d": [(lambda x: OPS["max_pool2d"].function(x, 2), [(normal, (2, 3, 5, 6))]),
                   (lambda x: OPS["max_pool2d"].function(x, 3, 1, 1), [(normal, (1, 2, 5, 5))])],
    "avg_pool2d": [(lambda x: OPS["avg_pool2d"].function(x, 2), [(normal, (2, 3, 5, 6))]),
                   (lambda x: OPS["avg_pool2d"].function(x, 3, 2, 1), [(normal, (1, 2, 5, 5))])],
}  # fmt: skip


def test_every_op_has_cases():
    assert set(CASES) == set(OPS), (
        f"registered without gradient cases: {sorted(set(OPS) - set(CASES))}; "
        f"cases for unregistered ops: {sorted(set(CASES) - set(OPS))}"
    )


@pytest.mark.parametrize("name", sorted(OPS))
def test_op_gradients_match_central_differences(name):
    rng = np.random.default_rng(RNG_SEED)
    for f, inputs in CASES[name]:
        arrays = [make(rng, shape) for make, shape in inputs]
        check_gradients(f, arrays, rng)


# How to call each op table entry's own function (the method or function it was registered on),
# on inputs of shape (3, 4).
TABLE_CALLS = {
    **{name: lambda f, a, b: f(a, b) for name in ("add", "sub", "mul", "div")},
    "pow": lambda f, a, b: f(abs(a) + 0.5, b),
    "matmul": lambda f, a, b: f(a, b.T),
    **{name: lambda f, a, b: f(a) for name in (
        "neg", "abs", "exp", "tanh", "sigmoid", "relu", "leaky_relu", "elu", "softplus",
        "softmax", "log_softmax", "sum", "mean", "max", "min", "transpose")},
    **{name: lambda f, a, b: f(abs(a) + 0.5) for name in ("log", "sqrt")},
    "reshape": lambda f, a, b: f(a, 4, 3),
    "getitem": lambda f, a, b: f(a, (slice(1, None),)),
    "clip": lambda f, a, b: f(a, -0.5, 0.5),
    "concatenate": lambda f, a, b: f([a, b]),
    "stack": lambda f, a, b: f([a, b]),
    "where": lambda f, a, b: f(a.data > b.data, a, b),
    "linear": lambda f, a, b: f(a, b),
    "cross_entropy": lambda f, a, b: f(a, np.array([0, 2, 1])),
    "mse_loss": lambda f, a, b: f(a, b),
    "binary_cross_entropy": lambda f, a, b: f(a.sigmoid(), b.sigmoid()),
    "binary_cross_entropy_with_logits": lambda f, a, b: f(a, b.sigmoid()),
    "dropout": lambda f, a, b: f(a, 0.5, True, np.random.default_rng(0)),
    "conv2d": lambda f, a, b: f(a.reshape(1, 1, 3, 4), b[:2, :2].reshape(1, 1, 2, 2)),
    **{name: lambda f, a, b: f(a.reshape(1, 1, 3, 4), 2) for name in ("max_pool2d", "avg_pool2d")},
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(OPS))
def test_every_op_table_entry_is_registered_on_its_own_function(name):
    """Calling an entry's function makes a node of that op (a registration decorator on the
    wrong function, a helper, fails here)."""
    rng = np.random.default_rng(RNG_SEED)
    a, b = (Tensor(normal(rng, (3, 4)), requires_grad=True) for _ in range(2))
    out = TABLE_CALLS[name](OPS[name].function, a, b)
    assert isinstance(out, Tensor) and out.op == name, (name, OPS[name].function)


def test_mse_loss_entry_computes_the_loss():
    p, t = Tensor([[1.0, 2.0]], requires_grad=True), Tensor([[0.0, 4.0]])
    out = OPS["mse_loss"].function(p, t)
    assert out.item() == pytest.approx((1.0 + 4.0) / 2)


# --- memory layouts: an op must not assume C order (issue 15: cross_entropy lost its gradient
# for Fortran-ordered logits) ------------------------------------------------------------------
def _transposed(a):
    """The same values with the memory order of the last two axes swapped (neither C nor F
    order from 3-d on)."""
    if a.ndim < 2:
        return a.copy()
    return np.swapaxes(np.ascontiguousarray(np.swapaxes(a, -1, -2)), -1, -2)


def _strided(a):
    """The same values as every other element of a larger array."""
    if a.ndim == 0:
        return a.copy()
    wide = np.zeros(a.shape[:-1] + (2 * a.shape[-1],), a.dtype)
    wide[..., ::2] = a
    return wide[..., ::2]


LAYOUTS = {
    "fortran": np.asfortranarray,
    "transposed": _transposed,
    "negative_strides": lambda a: np.flip(np.flip(a).copy()),
    "strided": _strided,
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@pytest.mark.parametrize("name", sorted(OPS))
def test_op_gradients_for_every_memory_layout(name, layout):
    """Every case of the op table with its inputs in another memory layout, and with the
    gradient arriving in another layout too (the output transposed by the next op)."""
    make_layout = LAYOUTS[layout]
    rng = np.random.default_rng(RNG_SEED)
    for f, inputs in CASES[name]:
        arrays = [make(rng, shape) for make, shape in inputs]
        check_gradients(f, arrays, rng, layout=make_layout)
        if f(*[Tensor(a) for a in arrays]).ndim >= 2:
            check_gradients(lambda *xs, f=f: f(*xs).T, arrays, rng, layout=make_layout)


def test_layouts_are_what_they_say():
    a = np.arange(24.0).reshape(2, 3, 4)
    for name, make in LAYOUTS.items():
        b = make(a)
        np.testing.assert_array_equal(b, a)
        assert not b.flags.c_contiguous, name
    assert np.flip(np.flip(a).copy()).strides[0] < 0


# Ops that take 0-d tensors, with 0-d inputs (the others need axes: matmul, linear,
# cross_entropy, concatenate). test_every_op_is_tried_at_0d keeps the two lists complete.
ZERO_D_CASES = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b, "pow": lambda a, b: a**b, "neg": lambda a: -a,
    "abs": lambda a: abs(a), "exp": lambda a: a.exp(), "log": lambda a: a.log(),
    "sqrt": lambda a: a.sqrt(), "tanh": lambda a: a.tanh(), "sigmoid": lambda a: a.sigmoid(),
    "relu": lambda a: a.relu(), "leaky_relu": lambda a: a.leaky_relu(0.1),
    "elu": lambda a: a.elu(0.7), "softplus": lambda a: a.softplus(),
    "softmax": lambda a: a.softmax() * a, "log_softmax": lambda a: a.log_softmax() + a,
    "sum": lambda a: a.sum(), "mean": lambda a: a.mean(keepdims=True), "max": lambda a: a.max(),
    "min": lambda a: a.min(keepdims=True), "reshape": lambda a: a.reshape(1, 1),
    "transpose": lambda a: a.T, "getitem": lambda a: a[()], "clip": lambda a: a.clip(0.1, 0.9),
    "stack": lambda a, b: stack([a, b]), "where": lambda a, b: where(a.data > b.data, a, b),
    "mse_loss": lambda a, b: F.mse_loss(a, b),
    "binary_cross_entropy": lambda p, t: F.binary_cross_entropy(p, t),
    "binary_cross_entropy_with_logits": lambda z, t: F.binary_cross_entropy_with_logits(z, t),
    "dropout": lambda a: F.dropout(a, 0.4, True, np.random.default_rng(5)),
}  # fmt: skip
NOT_0D = {"matmul", "linear", "cross_entropy", "concatenate", "conv2d", "max_pool2d", "avg_pool2d"}


def test_every_op_is_tried_at_0d():
    assert set(ZERO_D_CASES) | NOT_0D == set(OPS)


@pytest.mark.parametrize("name", sorted(ZERO_D_CASES))
def test_op_gradients_at_0d(name):
    f = ZERO_D_CASES[name]
    rng = np.random.default_rng(RNG_SEED)
    arity = f.__code__.co_argcount
    for values in ([0.3, 0.6], [0.7, 0.2]):  # both sides of where
        arrays = [np.array(v) for v in values[:arity]]
        check_gradients(f, arrays, rng)
        # the tensor and its gradient stay arrays (a numpy scalar cannot take out=)
        xs = [Tensor(a, requires_grad=True) for a in arrays]
        out = f(*xs)
        out.backward(np.ones(out.shape))
        assert type(out.data) is np.ndarray
        assert all(type(x.grad) is np.ndarray and x.grad.shape == () for x in xs)


def test_op_table_shares_names_and_symbols_with_scalar_engine():
    shared = set(OPS) & set(SCALAR_OPS)
    assert {"add", "sub", "mul", "div", "pow", "neg", "exp", "log", "tanh", "sigmoid",
            "relu", "elu", "leaky_relu", "softplus", "sqrt", "abs", "sum"} <= shared  # fmt: skip
    for name in shared:
        assert OPS[name].symbol == SCALAR_OPS[name].symbol, name
    for name, spec in OPS.items():
        assert spec.function.__doc__ and ";" in spec.function.__doc__, f"{name}: no formula"


# --- broadcasting shapes from hypothesis ------------------------------------------------------
BROADCAST_OPS = {
    "add": (lambda a, b: a + b, normal, normal),
    "sub": (lambda a, b: a - b, normal, normal),
    "mul": (lambda a, b: a * b, normal, normal),
    "div": (lambda a, b: a / b, normal, positive),
    "pow": (lambda a, b: a**b, positive, normal),
    # the condition does not depend on b: a, b close to each other would be a kink
    "where": (lambda a, b: where(a.data > 0, a, b), normal, normal),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(BROADCAST_OPS))
@settings(max_examples=15, deadline=None)
@given(shapes=mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3),
       seed=st.integers(0, 2**16))  # fmt: skip
def test_broadcasting_gradients(name, shapes, seed):
    f, make_a, make_b = BROADCAST_OPS[name]
    rng = np.random.default_rng(seed)
    shape_a, shape_b = shapes.input_shapes
    check_gradients(f, [make_a(rng, shape_a), make_b(rng, shape_b)], rng)


@settings(max_examples=30, deadline=None)
@given(shapes=mutually_broadcastable_shapes(num_shapes=2, max_dims=4, max_side=3))
def test_unbroadcast_is_the_adjoint_of_broadcasting(shapes):
    shape, _ = shapes.input_shapes
    g = np.arange(np.prod(shapes.result_shape), dtype=np.float64).reshape(shapes.result_shape)
    out = unbroadcast(g, shape)
    assert out.shape == shape
    # <broadcast(x), g> == <x, unbroadcast(g)> for every x
    x = np.random.default_rng(0).standard_normal(shape)
    assert np.isclose(np.sum(np.broadcast_to(x, g.shape) * g), np.sum(x * out))
    if shape == g.shape:
        assert out is g  # no copy when nothing was broadcast


# --- graph semantics --------------------------------------------------------------------------
def test_shared_nodes_accumulate():
    x = Tensor([1.0, -2.0, 3.0], requires_grad=True)
    y = x * x + x + x  # x used four times
    y.sum().backward()
    np.testing.assert_allclose(x.grad, 2 * x.data + 2)


def test_leaf_gradients_accumulate_until_zero_grad():
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x * 3.0).sum().backward()
    (x * 3.0).sum().backward()
    np.testing.assert_allclose(x.grad, [6.0, 6.0])
    x.zero_grad()
    assert x.grad is None


def test_retain_graph_gives_same_intermediate_gradients_twice():
    x = Tensor([0.5, -1.5], requires_grad=True)
    h = x.tanh()
    y = (h * h).sum()
    y.backward(retain_graph=True)
    first = h.grad.copy()
    y.backward(retain_graph=True)
    np.testing.assert_allclose(h.grad, first)
    np.testing.assert_allclose(x.grad, 2 * (2 * h.data * (1 - h.data**2)))


def test_a_failed_backward_leaves_no_state_behind():
    """Gradients of intermediate nodes belong to one backward() call: one that fails half-way
    leaves none on the nodes (the old module-wide "stale gradients" flag did), and the next
    backward of another graph is exact."""

    def fail(g):
        raise FloatingPointError("this op's backward fails")

    x = Tensor([1.0, 2.0], requires_grad=True)
    broken = record_op(x.data * 1.0, (x,), "broken", fail)
    h = broken.tanh()
    with pytest.raises(FloatingPointError):
        (h * 2.0).sum().backward()
    assert broken.grad is None and h.grad is None
    assert x.grad is None
    y = (x * 3.0).sum()
    y.backward()
    np.testing.assert_allclose(x.grad, [3.0, 3.0])


def test_retained_then_released_backward_clears_intermediate_gradients():
    x = Tensor([0.5, -1.5], requires_grad=True)
    h = x.tanh()
    y = (h * h).sum()
    y.backward(retain_graph=True)
    assert h.grad is not None
    y.backward()
    assert h.grad is None  # released: the intermediate gradient is not kept


def test_backward_driver_unbroadcasts_what_an_op_returns():
    """The node contract (tensor.py, `_fill`): an op may return its output's gradient for a
    parent it broadcast, or `g` itself; the driver sums it down and copies before storing a
    leaf's grad."""
    a = Tensor(np.ones((3, 1), np.float32), requires_grad=True)
    b = Tensor(np.ones(4, np.float32), requires_grad=True)
    out = record_op(a.data + b.data, (a, b), "my_add", lambda g: (g, g))
    out.backward(np.arange(12, dtype=np.float32).reshape(3, 4))
    np.testing.assert_array_equal(a.grad, [[6.0], [22.0], [38.0]])
    np.testing.assert_array_equal(b.grad, [12.0, 15.0, 18.0, 21.0])
    c = Tensor(np.ones(2, np.float32), requires_grad=True)
    seed = np.array([1.0, 2.0], np.float32)
    record_op(c.data * 1, (c,), "identity", lambda g: (g,)).backward(seed)
    c.grad += 1  # an optimizer updating in place must not reach the caller's seed
    np.testing.assert_array_equal(seed, [1.0, 2.0])


def test_backward_twice_without_retain_graph_raises():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    assert y.parents == ()  # released
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()
    z = x.exp()
    a, b = z.sum(), (z * 2.0).sum()
    a.backward()
    with pytest.raises(RuntimeError, match="already released"):
        b.backward()  # goes through z, released by a.backward()


def test_leaf_gradients_do_not_alias():
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()
    assert a.grad is not b.grad
    a.grad *= 10  # an optimizer updating one gradient in place must not touch the other
    np.testing.assert_allclose(b.grad, [1.0, 1.0])
    c = Tensor([[1.0, 2.0]], requires_grad=True)
    c.reshape(2).sum().backward()
    assert c.grad.flags.writeable and c.grad.base is None


def test_no_grad_and_detach_record_nothing():
    x = Tensor([1.0, 2.0], requires_grad=True)
    with no_grad():
        y = x * 2.0 + 1.0
    assert not y.requires_grad and y.parents == ()
    d = x.detach()
    assert not d.requires_grad and d.data is x.data
    z = (d * x).sum()
    z.backward()
    np.testing.assert_allclose(x.grad, x.data)
    constant = Tensor([1.0]) * Tensor([2.0])
    assert not constant.requires_grad and constant.parents == ()


def test_graph_protocol_for_the_visualizer():
    a = Tensor([1.0, 2.0], requires_grad=True, label="a")
    y = (a * 2.0).elu(0.5)
    assert y.op == "elu" and y.params == {"alpha": 0.5}
    assert y.parents[0].op == "mul" and y.parents[0].parents[0] is a
    assert a.label == "a" and a.op == "" and a.parents == ()


# --- dtype ----------------------------------------------------------------------------------
def test_dtype_rules():
    assert Tensor([1, 2]).dtype == np.float32
    assert Tensor(3.0).dtype == np.float32
    x64 = np.ones(3)
    t = Tensor(x64)
    assert t.dtype == np.float64 and t.data is x64  # shared, as torch.from_numpy
    assert Tensor(np.arange(3)).dtype.kind == "i"
    assert Tensor([1, 2], dtype=np.float64).dtype == np.float64
    with pytest.raises(TypeError, match="floating-point"):
        Tensor(np.arange(3), requires_grad=True)


def test_float32_stays_float32_through_an_mlp_step():
    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((8, 5), dtype=np.float32))
    w1 = Tensor(rng.standard_normal((6, 5), dtype=np.float32), requires_grad=True)
    b1 = Tensor(np.zeros(6, np.float32), requires_grad=True)
    w2 = Tensor(rng.standard_normal((3, 6), dtype=np.float32), requires_grad=True)
    y = np.array([0, 1, 2, 0, 1, 2, 0, 1])
    h = F.linear(x, w1, b1).sigmoid()
    h = (h * 0.5 + 1 - h / 3.0) ** 2  # Python numbers must not upcast
    h = h * np.sqrt(2.0) + np.float64(0.1)  # nor numpy float64 scalars
    h = h.tanh().relu().leaky_relu().elu().softplus().clip(0.1, 5.0)
    z = F.linear(h, w2)
    loss = F.cross_entropy(z, y) + F.mse_loss(z.softmax(), np.eye(3, dtype=np.float32)[y])
    loss = loss + z.log_softmax().mean() * 0.01 + 0.5 * (w1 * w1).sum() / 2 + z.max() * 1e-3
    assert loss.dtype == np.float32
    loss.backward()
    for p in (w1, b1, w2):
        assert p.grad.dtype == np.float32


def test_float16_reductions_accumulate_in_float32():
    """Issue 24: the mean of 10,000 float16 tens was inf, mse_loss inf, and softmax over
    70,000 classes summed to 0 (float16 overflows past 65504); numpy's mean and PyTorch
    accumulate in float32 and give 10, 9 and 1."""
    tens = Tensor(np.full(10_000, 10, np.float16), requires_grad=True)
    mean = tens.mean()
    assert mean.dtype == np.float16 and mean.item() == 10
    mean.backward()
    assert tens.grad.dtype == np.float16 and np.allclose(tens.grad, 1e-4, rtol=1e-2)
    threes = Tensor(np.full(10_000, 3, np.float16))
    loss = F.mse_loss(threes, np.zeros(10_000, np.float16))
    assert loss.dtype == np.float16 and loss.item() == 9
    p = Tensor(np.zeros(70_000, np.float16), requires_grad=True)
    s = p.softmax()
    assert s.dtype == np.float16 and s.data.sum(dtype=np.float32) == pytest.approx(1, rel=1e-2)
    (s * Tensor(np.arange(70_000) % 2, dtype=np.float16)).sum().backward()
    assert np.isfinite(p.grad).all() and p.grad.dtype == np.float16
    log_s = p.log_softmax()
    assert log_s.dtype == np.float16 and log_s.data[0] == pytest.approx(-np.log(70_000), rel=1e-3)
    assert Tensor(np.full(4, 20_000, np.float16)).sum().item() == np.inf  # as PyTorch: too big


def test_integer_tensors_follow_pytorchs_type_promotion():
    """Issue 24: sigmoid and softmax of an integer tensor crashed with numpy's casting error,
    and int32 * 0.5 was float64. PyTorch: an int keeps the integer dtype, a Python float or a
    float tensor gives the float's dtype (float32 for numbers), and ops whose result is not an
    integer give float32."""
    i = Tensor(np.arange(4, dtype=np.int32))
    f32, f16 = Tensor(np.ones(4, np.float32)), Tensor(np.ones(4, np.float16))
    cases = {
        "i * 0.5": (i * 0.5, np.float32),
        "0.5 * i": (0.5 * i, np.float32),
        "i - 0.5": (i - 0.5, np.float32),
        "1.5 + i": (1.5 + i, np.float32),
        "i / 2": (i / 2, np.float32),
        "i / i": (Tensor(np.arange(1, 5)) / Tensor(np.arange(1, 5)), np.float32),
        "i ** 0.5": (i**0.5, np.float32),
        "i * f32": (i * f32, np.float32),
        "f16 + i": (f16 + i, np.float16),
        "f32 * int64 array": (f32 * np.arange(4), np.float32),
        "i + 1": (i + 1, np.int32),
        "i * 2": (i * 2, np.int32),
        "i ** 2": (i**2, np.int32),
        "i.sum()": (i.sum(), np.int64),  # numpy and PyTorch both sum int32 into int64
        "i.mean()": (i.mean(), np.float32),
    }
    for name in ("sigmoid", "softmax", "log_softmax", "exp", "tanh", "sqrt", "softplus", "elu"):
        cases[f"i.{name}()"] = (getattr(i, name)(), np.float32)
    wrong = {name: str(t.dtype) for name, (t, dtype) in cases.items() if t.dtype != dtype}
    assert not wrong
    np.testing.assert_allclose((i * 0.5).data, [0, 0.5, 1, 1.5])
    np.testing.assert_allclose(i.sigmoid().data, 1 / (1 + np.exp(-np.arange(4))), rtol=1e-6)
    np.testing.assert_allclose(i.softmax().data.sum(), 1, rtol=1e-6)
    assert i.mean().item() == 1.5


# --- the scalar engine and the Tensor path agree ------------------------------------------------
def scalar_mlp(x, w1, b1, w2, b2, y, loss):
    """Loss and parameter gradients of a 1-hidden-layer sigmoid MLP, with `Value`s."""
    V = lambda a: [[Value(float(v)) for v in row] for row in np.atleast_2d(a)]  # noqa: E731
    W1, W2 = V(w1), V(w2)
    B1, B2 = V(b1)[0], V(b2)[0]
    total = []
    for xn, yn in zip(x, y):
        h = [sum_values([w * float(xi) for w, xi in zip(row, xn)] + [b]).sigmoid()
             for row, b in zip(W1, B1)]  # fmt: skip
        z = [sum_values([w * hi for w, hi in zip(row, h)] + [b]) for row, b in zip(W2, B2)]
        if loss == "mse":
            total.extend((zc - float(t)) ** 2 for zc, t in zip(z, yn))
        else:
            total.append(sum_values([zc.exp() for zc in z]).log() - z[int(yn)])
    out = sum_values(total) / len(total)
    out.backward()
    grads = [np.array([[v.grad for v in row] for row in W]) for W in (W1, W2)]
    grads.insert(1, np.array([v.grad for v in B1]))
    grads.append(np.array([v.grad for v in B2]))
    return out.data, grads


@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
def test_tiny_mlp_same_loss_and_gradients_as_scalar_engine(loss):
    rng = np.random.default_rng(7)
    x = rng.standard_normal((4, 3))
    w1, b1 = rng.standard_normal((5, 3)), rng.standard_normal(5)
    w2, b2 = rng.standard_normal((2, 5)), rng.standard_normal(2)
    y = rng.standard_normal((4, 2)) if loss == "mse" else np.array([0, 1, 1, 0])
    params = [Tensor(a.copy(), requires_grad=True) for a in (w1, b1, w2, b2)]
    z = F.linear(F.linear(Tensor(x), params[0], params[1]).sigmoid(), params[2], params[3])
    out = F.mse_loss(z, y) if loss == "mse" else F.cross_entropy(z, y)
    out.backward()
    expected_loss, expected_grads = scalar_mlp(x, w1, b1, w2, b2, y, loss)
    assert out.item() == pytest.approx(expected_loss, rel=1e-12)
    for p, g in zip(params, expected_grads):
        np.testing.assert_allclose(p.grad, g, rtol=1e-10, atol=1e-12)


# --- indexing ----------------------------------------------------------------------------------
def test_repeated_indices_add_up():
    x = Tensor(np.arange(4.0), requires_grad=True)
    x[np.array([0, 0, 3, 0])].sum().backward()
    np.testing.assert_allclose(x.grad, [3.0, 0.0, 0.0, 1.0])
    m = Tensor(np.zeros((3, 2)), requires_grad=True)
    (m[[2, 2], [1, 1]] * Tensor([1.0, 5.0])).sum().backward()
    np.testing.assert_allclose(m.grad, [[0, 0], [0, 0], [0, 6.0]])
    e = Tensor(np.arange(3.0), requires_grad=True)
    e[Tensor(np.array([1, 1]))].sum().backward()  # a Tensor index works too
    np.testing.assert_allclose(e.grad, [0, 2.0, 0])


# --- numerical stability -----------------------------------------------------------------------
def test_stable_at_extreme_inputs():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warnings either
        for dtype in (np.float32, np.float64):
            z = Tensor(np.array([[1000.0, 1000.0, -1000.0]], dtype), requires_grad=True)
            lsm = z.log_softmax()
            np.testing.assert_allclose(
                lsm.data, [[-np.log(2), -np.log(2), -2000.0 - np.log(2)]], rtol=1e-6
            )
            sm = z.softmax()
            np.testing.assert_allclose(sm.data, [[0.5, 0.5, 0.0]])
            ce = F.cross_entropy(z, np.array([2]))
            assert ce.item() == pytest.approx(2000.0 + np.log(2), rel=1e-6)
            ce.backward()
            np.testing.assert_allclose(z.grad, [[0.5, 0.5, -1.0]], atol=1e-7)
            s = Tensor(np.array([-1000.0, 0.0, 1000.0], dtype), requires_grad=True)
            out = s.sigmoid()
            np.testing.assert_array_equal(out.data, [0.0, 0.5, 1.0])
            out.sum().backward()
            np.testing.assert_array_equal(s.grad, [0.0, 0.25, 0.0])
            sp = Tensor(np.array([-1000.0, 1000.0], dtype)).softplus()
            np.testing.assert_allclose(sp.data, [0.0, 1000.0])
            bce = F.binary_cross_entropy_with_logits(
                Tensor(np.array([-1000.0, 1000.0], dtype)), np.array([1.0, 0.0], dtype)
            )
            assert bce.item() == pytest.approx(1000.0)
            elu = Tensor(np.array([1000.0, -1000.0], dtype)).elu()
            np.testing.assert_allclose(elu.data, [1000.0, -1.0])


# --- functional -------------------------------------------------------------------------------
def test_cross_entropy_weighted_mean_is_pytorch_semantics():
    rng = np.random.default_rng(3)
    z = rng.standard_normal((5, 3))
    nll = -(z - np.log(np.exp(z).sum(1, keepdims=True)))[np.arange(5), TARGETS]
    w = CLASS_WEIGHT[TARGETS]
    got = F.cross_entropy(Tensor(z), TARGETS, weight=CLASS_WEIGHT).item()
    assert got == pytest.approx((w * nll).sum() / w.sum())
    got_sum = F.cross_entropy(Tensor(z), TARGETS, weight=CLASS_WEIGHT, reduction="sum").item()
    assert got_sum == pytest.approx((w * nll).sum())


def test_dropout():
    x = Tensor(np.ones((200, 50)), requires_grad=True)
    assert F.dropout(x, 0.5, training=False) is x
    y = F.dropout(x, 0.25, training=True, rng=np.random.default_rng(0))
    kept = y.data != 0
    assert 0.7 < kept.mean() < 0.8
    np.testing.assert_allclose(y.data[kept], 1 / 0.75)  # inverted: expectation unchanged
    y.sum().backward()
    np.testing.assert_allclose(x.grad, y.data)
    again = F.dropout(x, 0.25, training=True, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(again.data, y.data)  # same seed, same mask
    assert not F.dropout(x, 1.0, rng=np.random.default_rng(0)).data.any()


# --- memory -----------------------------------------------------------------------------------
def _mlp_params():
    rng = np.random.default_rng(0)
    shapes = [(16, 10), (16,), (3, 16), (3,)]
    params = [Tensor(rng.standard_normal(s).astype(np.float32) * 0.1, requires_grad=True)
              for s in shapes]  # fmt: skip
    return params, rng.standard_normal((8, 10)).astype(np.float32), rng.integers(0, 3, 8)


def _mlp_step(x, y, params, lr=0.1, retain_graph=False):
    w1, b1, w2, b2 = params
    h = F.linear(Tensor(x), w1, b1).relu()
    loss = F.cross_entropy(F.linear(h, w2, b2), y) + 1e-4 * (w1 * w1).sum()
    loss.backward(retain_graph=retain_graph)
    with no_grad():
        for p in params:
            p.data -= lr * p.grad
            p.grad = None
    return loss, h


def test_graph_is_released_after_backward():
    params, x, y = _mlp_params()
    loss, h = _mlp_step(x, y, params)
    hidden = weakref.ref(h)
    del h
    # Without gc: the graph holds no reference cycles, so refcounting frees it at once.
    assert hidden() is None, "an intermediate node outlived its training step"
    assert loss.parents == ()


def _growth_per_step(steps, keep_losses, retain_graph=False):
    """Bytes allocated and still held per training step, after 100 warm-up steps."""
    params, x, y = _mlp_params()
    kept = []
    gc.collect()
    tracemalloc.start()
    try:
        for step in range(100 + steps):
            if step == 100:
                base, _ = tracemalloc.get_traced_memory()
            loss, _ = _mlp_step(x, y, params, retain_graph=retain_graph)
            if keep_losses:
                kept.append(loss)  # as a user logging losses does
        end, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return (end - base) / steps


def test_thousand_training_steps_do_not_grow_memory():
    assert _growth_per_step(1000, keep_losses=False) < 20, "memory grows with every step"
    # Keeping every loss keeps only its value (~300 bytes), not its step's graph (~10 kB):
    # the retained-graph run shows what a graph that is not released costs.
    released = _growth_per_step(200, keep_losses=True)
    retained = _growth_per_step(200, keep_losses=True, retain_graph=True)
    assert released < 1000 and retained > 5 * released, (released, retained)


# --- errors -----------------------------------------------------------------------------------
def test_clear_errors():
    a, b = Tensor(np.ones((3, 4))), Tensor(np.ones((5, 2)))
    with pytest.raises(ValueError, match=r"\(3, 4\) and \(5, 2\)"):
        a @ b
    with pytest.raises(ValueError, match=r"add: shapes \(3, 4\) and \(5, 2\) do not broadcast"):
        a + b
    with pytest.raises(ValueError, match="at least one dimension"):
        a @ Tensor(2.0)
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(RuntimeError, match=r"shape \(2, 3\).*grad="):
        (x * 2.0).backward()
    with pytest.raises(ValueError, match=r"grad has shape \(3,\)"):
        (x * 2.0).backward(np.ones(3))
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor([1.0]).sum().backward()
    with pytest.raises(ValueError, match=r"reshape.*\(2, 3\).*\(4,\)"):
        x.reshape(4)
    with pytest.raises(ValueError, match="axis 2 is out of range"):
        x.sum(axis=2)
    with pytest.raises(ValueError, match=r"weight \(4, 5\) \(out, in\) expects 5"):
        F.linear(x, Tensor(np.ones((4, 5))))
    with pytest.raises(ValueError, match="classes"):
        F.cross_entropy(x, np.array([0, 3]))
    with pytest.raises(TypeError, match="integer class indices"):
        F.cross_entropy(x, np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"target has shape \(3,\)"):
        F.cross_entropy(x, np.array([0, 1, 2]))
    with pytest.raises(ValueError, match="reduction"):
        F.mse_loss(x, x, reduction="avg")
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\]"):
        F.binary_cross_entropy(x * 2.0, x)
    with pytest.raises(ValueError, match="probability"):
        F.dropout(x, 1.5)
    with pytest.raises(TypeError, match="Generator"):
        F.dropout(x, 0.5, True, 0)
    with pytest.raises(TypeError, match="numbers"):
        Tensor("abc")


def test_linear_gradient_in_the_weights_memory_layout():
    rng = np.random.default_rng(2)
    x = Tensor(rng.standard_normal((5, 4)))
    w_c = Tensor(rng.standard_normal((3, 4)), requires_grad=True)
    w_f = Tensor(np.asfortranarray(w_c.data), requires_grad=True)  # e.g. a transposed (in, out)
    for w in (w_c, w_f):
        F.linear(x, w).sum().backward()
    np.testing.assert_allclose(w_f.grad, w_c.grad)
    assert w_f.grad.flags.f_contiguous and w_c.grad.flags.c_contiguous
    assert w_f.grad.flags.writeable


def test_array_like_properties():
    t = Tensor(np.arange(6.0, dtype=np.float32).reshape(2, 3), label="t")
    assert t.shape == (2, 3) and t.ndim == 2 and t.size == 6 and len(t) == 2
    assert t.T.shape == (3, 2) and t.numpy() is t.data
    assert Tensor([[2.5]]).item() == 2.5
    assert np.asarray(t) is t.data
    with pytest.raises(ValueError, match="one-element"):
        t.item()
    assert "label='t'" in repr(t) and "requires_grad" not in repr(t)
    y = np.ones(3, np.float32) + Tensor([1.0, 2.0, 3.0], requires_grad=True)  # numpy on the left
    assert isinstance(y, Tensor) and y.requires_grad


def test_nodes_record_the_scope_they_were_made_in():
    from autograd.graph import scope, scope_of

    w = Tensor(np.ones((2, 3)), requires_grad=True)
    with scope("layer 1"):
        x = Tensor(np.ones((4, 3)))
        h = F.linear(x, w).sigmoid()
    assert scope_of(h) == ("layer 1",) and scope_of(x) == ("layer 1",)
    assert scope_of(w) == () and scope_of(h * 2.0) == ()


@pytest.mark.parametrize(
    "loss", [F.mse_loss, F.binary_cross_entropy, F.binary_cross_entropy_with_logits]
)
def test_elementwise_losses_refuse_a_target_that_would_broadcast_and_keep_float32(loss):
    p = Tensor(np.full((4, 1), 0.25, dtype=np.float32), requires_grad=True)
    with pytest.raises(ValueError, match=r"target has shape \(4,\) but the prediction .*\(4, 1\)"):
        loss(p, np.ones(4))
    out = loss(p, np.ones((4, 1)))  # a float64 target does not turn the step into float64
    out.backward()
    assert out.data.dtype == np.float32 and p.grad.dtype == np.float32


def test_linear_casts_float64_data_to_the_weights_dtype():
    w = Tensor(np.ones((2, 3), dtype=np.float32), requires_grad=True)
    out = F.linear(np.ones((4, 3)), w)  # float64 data, as x / 255.0 gives
    out.sum().backward()
    assert out.data.dtype == np.float32 and w.grad.dtype == np.float32
    with pytest.raises(TypeError, match="float64 and requires grad"):
        F.linear(Tensor(np.ones((4, 3)), requires_grad=True), w)


# --- issue 15: wrong results and crashes found by an adversarial sweep ------------------------
# Expected numbers are PyTorch 2.13's (float64), written out: torch is not in the test venv.
def test_cross_entropy_gradient_of_transposed_logits_is_pytorchs():
    zT = Tensor(np.zeros((3, 2)), requires_grad=True)
    F.cross_entropy(zT.T, np.array([0, 1])).backward()
    # torch.nn.functional.cross_entropy(zT.T, tensor([0, 1])).backward(); zT.grad.T
    expected = [[-1 / 3, 1 / 6, 1 / 6], [1 / 6, -1 / 3, 1 / 6]]
    np.testing.assert_allclose(zT.grad.T, expected, rtol=1e-12)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_same_gradient_for_every_memory_layout(reduction, weighted):
    rng = np.random.default_rng(3)
    z = rng.standard_normal((5, 3))
    weight = CLASS_WEIGHT if weighted else None
    grads = []
    for layout in (np.ascontiguousarray, np.asfortranarray, lambda a: a[::-1].copy()[::-1]):
        x = Tensor(layout(z.copy()), requires_grad=True)
        loss = F.cross_entropy(x, TARGETS, weight=weight, reduction=reduction)
        loss.backward(np.ones(loss.shape))
        grads.append(x.grad)
    for g in grads[1:]:
        np.testing.assert_allclose(g, grads[0], rtol=1e-12)


def test_cross_entropy_loss_of_a_transposed_matmul_trains_the_weights():
    """The issue's nn case: (W @ X.T).T is Fortran-ordered; every entry of dW was off."""
    from autograd import nn

    x = np.array([[1.0, 2.0], [-1.0, 0.5], [0.0, -2.0]])
    w = Tensor(np.array([[0.1, -0.2], [0.3, 0.4], [-0.5, 0.2]]), requires_grad=True)
    y = np.array([2, 0, 1])
    nn.CrossEntropyLoss()((w @ Tensor(x).T).T, y).backward()
    # the same loss with C-ordered logits, x @ W.T
    w2 = Tensor(w.data.copy(), requires_grad=True)
    nn.CrossEntropyLoss()(Tensor(x) @ w2.T, y).backward()
    np.testing.assert_allclose(w.grad, w2.grad, rtol=1e-12)
    # torch: F.cross_entropy((W @ X.T).T, y).backward(); W.grad
    expected = [[0.3094709785, -0.4028058017], [0.1302960546, 1.0252139363],
                [-0.4397670331, -0.6224081346]]  # fmt: skip
    np.testing.assert_allclose(w.grad, expected, atol=1e-9)


@pytest.mark.parametrize(
    "shape, axes",
    [((2, 3), (1, 2)), ((2, 3, 4), (0, 1, 5)), ((2, 3), (0, 0)), ((2, 3), (0,)),
     ((2, 3), (0, 1, 2)), ((2, 3, 4), (0, -4, 1))],
)  # fmt: skip
def test_transpose_refuses_axes_numpy_refuses(shape, axes):
    with pytest.raises(ValueError):
        np.zeros(shape).transpose(axes)  # numpy refuses too (AxisError is a ValueError)
    with pytest.raises(
        ValueError, match=rf"transpose: axes .* of a tensor of shape {re.escape(str(shape))}"
    ):
        Tensor(np.zeros(shape)).transpose(*axes)


def test_transpose_accepts_negative_axes_as_numpy():
    a = np.arange(24.0).reshape(2, 3, 4)
    assert Tensor(a).transpose(-1, 0, 1).shape == a.transpose(-1, 0, 1).shape == (4, 2, 3)


# (a, b) -> (a ** b, d/da, d/db), from torch.pow's backward in float64
POW_EDGES = {
    (0.0, 0.0): (1.0, 0.0, 0.0),
    (0.0, 2.0): (0.0, 0.0, 0.0),
    (0.0, 0.5): (0.0, math.inf, 0.0),
    (0.0, 1.0): (0.0, 1.0, 0.0),
    (-2.0, 2.0): (4.0, -4.0, math.nan),
    (-2.0, 3.0): (-8.0, 12.0, math.nan),
    (-2.0, 0.0): (1.0, 0.0, math.nan),
    (2.0, 0.0): (1.0, 0.0, math.log(2.0)),
}


@pytest.mark.parametrize("a, b", sorted(POW_EDGES))
def test_pow_edge_points_are_pytorchs_for_tensor_and_value(a, b):
    out, ga, gb = POW_EDGES[a, b]
    x, y = Tensor(np.array(a), requires_grad=True), Tensor(np.array(b), requires_grad=True)
    (x**y).backward()
    np.testing.assert_equal([float(x.grad), float(y.grad)], [ga, gb])
    # a number exponent: d/da only
    x = Tensor(np.array(a), requires_grad=True)
    with np.errstate(divide="ignore"):
        (x**b).backward()
    np.testing.assert_equal(float(x.grad), ga)
    # the scalar engine: the same values (backward warns about nan)
    va, vb, vn = Value(a), Value(b), Value(a)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        (va**vb).backward()
        (vn**b).backward()
    np.testing.assert_equal([va.grad, vb.grad], [ga, gb])
    np.testing.assert_equal(vn.grad, ga)


def test_pow_of_zero_to_a_negative_power():
    # torch: 0 ** -1 = inf, d/da = -inf, d/db = -inf
    x, y = Tensor(np.array(0.0), requires_grad=True), Tensor(np.array(-1.0), requires_grad=True)
    with np.errstate(divide="ignore"):
        out = x**y
        out.backward()
    assert out.item() == math.inf and x.grad == -math.inf and y.grad == -math.inf
    # the scalar engine refuses it as it refuses 1 / 0
    for make in (
        lambda: Value(0.0) ** -1,
        lambda: Value(0.0) ** Value(-1.0),
        lambda: 0.0 ** Value(-2),
    ):
        with pytest.raises(ZeroDivisionError, match=r"pow: 0 \*\* -"):
            make()


def test_zero_d_tanh_and_softmax():
    x = Tensor([0.2, 0.3], requires_grad=True)
    x.sum().tanh().backward()
    np.testing.assert_allclose(x.grad, [1 - np.tanh(0.5) ** 2] * 2, rtol=1e-6)
    s = Tensor(np.array(0.3), requires_grad=True)
    out = s.softmax()
    assert out.shape == () and out.item() == 1.0
    out.backward()
    assert s.grad == 0.0


INTEGER_TYPES = sorted({np.dtype(c).type for c in np.typecodes["AllInteger"]}, key=str)


@pytest.mark.parametrize("dtype", INTEGER_TYPES, ids=lambda t: np.dtype(t).name)
@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_takes_class_labels_of_every_integer_dtype(dtype, weighted):
    z = np.random.default_rng(4).standard_normal((5, 3))
    weight = CLASS_WEIGHT if weighted else None
    results = []
    for labels in (TARGETS, TARGETS.astype(dtype)):
        x = Tensor(z.copy(), requires_grad=True)
        loss = F.cross_entropy(x, labels, weight=weight)
        loss.backward()
        results.append((loss.item(), x.grad))
    assert results[1][0] == results[0][0]
    np.testing.assert_array_equal(results[1][1], results[0][1])
    with pytest.raises(ValueError, match=r"class indices in \[0, 3\] but the logits have 3"):
        F.cross_entropy(Tensor(z), np.array([0, 1, 3, 2, 0], dtype=dtype))


def test_as_array_shares_a_tensors_data_and_converts_the_rest():
    from autograd.tensor import as_array

    t = Tensor(np.arange(6.0).reshape(2, 3))
    assert as_array(t) is t.data  # no copy
    assert as_array([[1, 2]]).shape == (1, 2)
    a = np.ones(3)
    assert as_array(a) is a
