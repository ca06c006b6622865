"""The conv layers against PyTorch's own on random inputs: forward values and the gradients of
the input, weight and bias (runs where torch is installed: ``make test-torch``; skipped by
``make test``, whose environment has no torch)."""

from __future__ import annotations

import numpy as np
import pytest

from autograd import Tensor, nn

torch = pytest.importorskip("torch", reason="torch is only in the bench extra (make test-torch)")


def close(actual, expected, what, rel=2e-5):
    """Equal up to float32 rounding: sums of thousands of terms (a weight gradient sums over
    every output pixel of the batch) differ by more than 1e-5 of each term, so the tolerance
    is relative to the array's largest magnitude."""
    scale = max(float(np.abs(expected).max()), 1.0)
    np.testing.assert_allclose(actual, expected, rtol=rel, atol=rel * scale, err_msg=what)


def compare(ours, theirs, x, rel=2e-5):
    """Same input, same upstream gradient: same output, input gradient and parameter
    gradients (float32)."""
    rng = np.random.default_rng(0)
    ours_x = Tensor(x.copy(), requires_grad=True)
    out = ours(ours_x)
    their_x = torch.from_numpy(x.copy()).requires_grad_(True)
    ref = theirs(their_x)
    close(out.data, ref.detach().numpy(), "output", rel)
    g = rng.standard_normal(out.shape).astype(np.float32)
    out.backward(g)
    ref.backward(torch.from_numpy(g))
    close(ours_x.grad, their_x.grad.numpy(), "input gradient", rel)
    for (name, p), (their_name, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert name == their_name
        close(p.grad, q.grad.numpy(), name, rel)


def same_weights(ours, theirs):
    """PyTorch's module with our module's weights (the state_dict keys are the same)."""
    theirs.load_state_dict({k: torch.from_numpy(np.ascontiguousarray(v))
                            for k, v in ours.state_dict().items()})  # fmt: skip
    return theirs


@pytest.mark.parametrize("c_in, c_out, k, stride, padding, shape", [
    (3, 6, 5, 1, 0, (4, 3, 32, 32)),
    (1, 1, 4, 1, 0, (3, 1, 28, 28)),
    (6, 16, 3, 2, 1, (2, 6, 15, 13)),
    (2, 5, (3, 1), (1, 2), (0, 1), (3, 2, 9, 8)),
    (4, 3, 1, 1, 0, (2, 4, 7, 7)),
    (3, 2, 4, 3, 2, (2, 3, 11, 10)),
])  # fmt: skip
def test_conv2d_matches_torch(c_in, c_out, k, stride, padding, shape):
    ours = nn.Conv2d(c_in, c_out, k, stride=stride, padding=padding, rng=1)
    theirs = same_weights(ours, torch.nn.Conv2d(c_in, c_out, k, stride=stride, padding=padding))
    x = np.random.default_rng(2).standard_normal(shape).astype(np.float32)
    compare(ours, theirs, x)


@pytest.mark.parametrize("k, stride, padding", [(2, None, 0), (3, 1, 1), (3, 2, 0), (2, 1, 0),
                                                ((2, 3), (1, 2), (1, 1))])  # fmt: skip
@pytest.mark.parametrize("layer", ["MaxPool2d", "AvgPool2d"])
def test_pools_match_torch(layer, k, stride, padding):
    ours = getattr(nn, layer)(k, stride, padding)
    theirs = getattr(torch.nn, layer)(k, stride, padding)
    x = np.random.default_rng(3).standard_normal((3, 4, 9, 11)).astype(np.float32)
    compare(ours, theirs, x)


def test_max_pool_ties_go_where_torch_sends_them():
    # Quantised values: many ties inside each window (ReLU outputs are often all 0).
    x = np.random.default_rng(4).integers(0, 3, (2, 3, 8, 8)).astype(np.float32)
    compare(nn.MaxPool2d(2), torch.nn.MaxPool2d(2), x)
    compare(nn.MaxPool2d(3, 1, 1), torch.nn.MaxPool2d(3, 1, 1), x)


def test_lenet5_matches_torch():
    def lenet(ns):
        return ns.Sequential(
            ns.Conv2d(3, 6, 5), ns.ReLU(), ns.MaxPool2d(2, 2),
            ns.Conv2d(6, 16, 5), ns.ReLU(), ns.MaxPool2d(2, 2), ns.Flatten(),
            ns.Linear(400, 120), ns.ReLU(), ns.Linear(120, 84), ns.ReLU(), ns.Linear(84, 10),
        )  # fmt: skip

    ours = lenet(nn)
    theirs = same_weights(ours, lenet(torch.nn))
    x = np.random.default_rng(5).standard_normal((8, 3, 32, 32)).astype(np.float32)
    compare(ours, theirs, x, rel=1e-4)


def test_default_init_has_torchs_bounds():
    ours, theirs = nn.Conv2d(6, 16, 5, rng=0), torch.nn.Conv2d(6, 16, 5)
    for name in ("weight", "bias"):
        a, b = getattr(ours, name).data, getattr(theirs, name).detach().numpy()
        bound = 1 / np.sqrt(6 * 5 * 5)
        assert np.abs(a).max() <= bound and np.abs(b).max() <= bound
        assert abs(a.std() - b.std()) < 0.25 * b.std()


def test_max_pool_nan_and_all_minus_inf_windows_as_torch():
    # issue 24: a NaN anywhere in a window wins it (the last NaN takes the gradient); an all
    # -inf window overlapping the padding sends its gradient to its first pixel in the image
    rng = np.random.default_rng(6)
    x = rng.standard_normal((2, 3, 8, 8)).astype(np.float32)
    x[rng.random(x.shape) < 0.1] = np.nan
    x[0, 1] = -np.inf
    for k, stride, padding in ((2, None, 0), (3, 1, 1), (2, 2, 1), (3, 2, 1)):
        ours = Tensor(x.copy(), requires_grad=True)
        out = nn.MaxPool2d(k, stride, padding)(ours)
        theirs = torch.from_numpy(x.copy()).requires_grad_(True)
        ref = torch.nn.MaxPool2d(k, stride, padding)(theirs)
        np.testing.assert_array_equal(out.data, ref.detach().numpy())
        g = rng.standard_normal(out.shape).astype(np.float32)
        out.backward(g)
        ref.backward(torch.from_numpy(g))
        np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-6, atol=1e-6)


def test_torch_also_refuses_an_empty_kernel():
    x = torch.zeros(1, 1, 4, 4)
    with pytest.raises(RuntimeError):
        torch.nn.functional.conv2d(x, torch.zeros(2, 1, 0, 0))
