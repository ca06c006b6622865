"""autograd.gradcheck: central differences in float64 against backward(), for Value and Tensor
functions, with a report of the worst entry."""

from __future__ import annotations

import numpy as np
import pytest

from autograd import Tensor, Value, gradcheck
from autograd.numerical import GradcheckError, numerical_gradient


def test_numerical_gradient_of_a_numpy_function():
    x = np.array([1.0, -2.0, 0.5])
    before = x.copy()
    [grad] = numerical_gradient(lambda a: float(np.sum(a**3)), [x])
    np.testing.assert_allclose(grad, 3 * before**2, rtol=1e-8)
    assert np.array_equal(x, before)  # restored


def test_gradcheck_passes_for_value_and_tensor_functions():
    assert gradcheck(lambda a, b: (a * b + a.exp()).sigmoid(), [0.3, Value(-1.2)])
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((4, 3)), rng.standard_normal((3, 2))
    assert gradcheck(lambda x, w: (x @ w).tanh(), [x, Tensor(w)])
    assert gradcheck(lambda x: (x * x).mean(), [x.tolist()])


def wrong_local(a):
    """a² with a local derivative 1 % too large."""
    return Value(a.data**2, op="square", parents=(a,), local_grads=(2.02 * a.data,))


def test_a_wrong_value_gradient_is_reported_with_its_numbers():
    with pytest.raises(GradcheckError, match=r"input 1: backward\(\) gives 3\.03, central") as e:
        gradcheck(lambda a, b: a + wrong_local(b), [0.5, 1.5])
    assert "allowed" in str(e.value)


def test_the_worst_tensor_entry_is_named():
    # x * detached(x): backward sees one factor, so every entry is off by x; most at (1, 2).
    x = np.arange(6.0).reshape(2, 3) / 10
    with pytest.raises(GradcheckError, match=r"input 0, entry \(1, 2\): backward\(\) gives 0\.5,"):
        gradcheck(lambda x: x * Tensor(x.data), [x], upstream=np.ones((2, 3)))


def test_an_input_without_gradient_and_float32_outputs_are_refused():
    with pytest.raises(GradcheckError, match="input 1 got no gradient"):
        gradcheck(lambda x, y: x * Tensor(y.data), [np.ones(2), np.ones(2)])
    with pytest.raises(GradcheckError, match="float32 output"):
        gradcheck(lambda x: Tensor(x.data.astype(np.float32)), [np.ones(2)])
    with pytest.raises(ValueError, match="at least one input"):
        gradcheck(lambda: Value(1.0), [])


def test_a_float64_tensor_input_is_used_as_given():
    base = np.arange(12.0).reshape(3, 4)
    x = Tensor(base[:, ::-2], requires_grad=True)  # negatively strided, not contiguous
    assert not x.data.flags.c_contiguous
    assert gradcheck(lambda x: (x * x).sum(), [x], upstream=1.0)
    np.testing.assert_array_equal(x.grad, 2 * base[:, ::-2])  # its own gradient, set once
