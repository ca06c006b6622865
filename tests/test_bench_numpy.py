"""The hand-written numpy trainer of bench/ (the speed limit the Tensor path is measured
against) is itself verified: its gradients against central differences and against our
Tensor path, its SGD step against the formula, on small random MLPs."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from autograd.numerical import numerical_gradient

BENCH = Path(__file__).resolve().parent.parent / "bench"


def load_numpy_mlp():
    spec = importlib.util.spec_from_file_location("numpy_mlp", BENCH / "numpy_mlp.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


NumpyMLP = load_numpy_mlp().NumpyMLP
CASES = [(a, loss) for a in ("sigmoid", "relu") for loss in ("cross_entropy", "mse")]
SIZES = (7, 5, 4, 3)  # three layers: the hidden-to-hidden backprop is exercised too


def problem(dtype, seed=0, n=6):
    rng = np.random.default_rng(seed)
    weights = [
        (rng.normal(0, 0.7, (o, i)).astype(dtype), rng.normal(0, 0.3, o).astype(dtype))
        for i, o in zip(SIZES[:-1], SIZES[1:])
    ]
    x = rng.normal(0, 1, (n, SIZES[0])).astype(dtype)
    labels = rng.integers(0, SIZES[-1], n)
    return weights, x, labels


def target_for(loss, labels, dtype):
    return labels if loss == "cross_entropy" else np.eye(SIZES[-1], dtype=dtype)[labels]


@pytest.mark.parametrize("activation,loss", CASES)
def test_gradients_match_central_differences(activation, loss):
    weights, x, labels = problem(np.float64)
    target = target_for(loss, labels, np.float64)
    _, grads = NumpyMLP(weights, activation, loss).gradients(x, target)
    params = [param.copy() for w, b in weights for param in (w, b)]

    def loss_value(*params):
        pairs = [(params[i], params[i + 1]) for i in range(0, len(params), 2)]
        return NumpyMLP(pairs, activation, loss).loss_value(x, target)

    numeric = numerical_gradient(loss_value, params, eps=1e-6)
    for layer in range(len(weights)):
        for which in (0, 1):
            expected = numeric[2 * layer + which]
            np.testing.assert_allclose(grads[layer][which], expected, rtol=1e-6, atol=1e-8)


def test_sgd_step_is_the_formula_and_leaves_the_callers_weights_alone():
    weights, x, labels = problem(np.float64)
    before = [(w.copy(), b.copy()) for w, b in weights]
    lr, wd = 0.1, 0.01
    model = NumpyMLP(weights, "sigmoid", "cross_entropy", lr=lr, weight_decay=wd)
    loss, grads = model.gradients(x, labels)
    assert model.step(x, labels) == pytest.approx(loss, rel=1e-12)
    for (w, b), (dw, db), (w_new, b_new) in zip(weights, grads, model.parameters()):
        np.testing.assert_allclose(w_new, w - lr * (dw + wd * w), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(b_new, b - lr * (db + wd * b), rtol=1e-12, atol=1e-15)
    for (w, b), (w0, b0) in zip(weights, before):
        assert np.array_equal(w, w0) and np.array_equal(b, b0)


def test_float32_stays_float32_and_bad_shapes_fail_clearly():
    weights, x, labels = problem(np.float32)
    model = NumpyMLP(weights, "relu", "cross_entropy", lr=0.1)
    model.step(x, labels)
    assert all(w.dtype == np.float32 == b.dtype for w, b in model.parameters())
    assert model.h[-1].dtype == np.float32
    with pytest.raises(ValueError, match="layer 1 takes"):
        NumpyMLP([weights[0], weights[2]])
    with pytest.raises(ValueError, match="activation"):
        NumpyMLP(weights, "softsign")


def our_loss_and_grads(weights, x, labels, activation, loss):
    """The same MLP through autograd's Tensor path: functional ops, dtype kept from numpy."""
    from autograd import Tensor
    from autograd import functional as F

    params = [(Tensor(w, requires_grad=True), Tensor(b, requires_grad=True)) for w, b in weights]
    h = Tensor(x)
    for i, (w, b) in enumerate(params):
        h = F.linear(h, w, b)
        if i < len(params) - 1:
            h = h.sigmoid() if activation == "sigmoid" else h.relu()
    if loss == "cross_entropy":
        value = F.cross_entropy(h, labels)
    else:
        value = F.mse_loss(h, Tensor(target_for(loss, labels, x.dtype)))
    value.backward()
    return float(value.item()), [(w.grad, b.grad) for w, b in params]


@pytest.mark.parametrize("activation,loss", CASES)
@pytest.mark.parametrize("dtype,rtol", [(np.float64, 1e-10), (np.float32, 2e-5)])
def test_gradients_match_our_tensor_path(activation, loss, dtype, rtol):
    weights, x, labels = problem(dtype, seed=1)
    ours, our_grads = our_loss_and_grads(weights, x, labels, activation, loss)
    ref, ref_grads = NumpyMLP(weights, activation, loss).gradients(
        x, target_for(loss, labels, dtype)
    )
    assert ours == pytest.approx(ref, rel=rtol)
    for (dw, db), (rw, rb) in zip(our_grads, ref_grads):
        assert dw.dtype == dtype and db.dtype == dtype
        scale = max(np.abs(rw).max(), np.abs(rb).max())
        np.testing.assert_allclose(dw, rw, rtol=rtol, atol=rtol * scale)
        np.testing.assert_allclose(db, rb, rtol=rtol, atol=rtol * scale)
