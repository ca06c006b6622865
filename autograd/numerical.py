"""Gradients by central differences, and `gradcheck`: does ``backward()`` agree with them?

>>> import numpy as np
>>> from autograd import gradcheck
>>> gradcheck(lambda a, b: (a * b).tanh(), [0.3, -1.2])                  # Value functions
True
>>> gradcheck(lambda x, w: (x @ w).sigmoid(), [np.ones((2, 3)), np.eye(3)])  # Tensor functions
True

Everything is computed in float64: ``(f(x + eps) - f(x - eps)) / (2 eps)`` per entry, with
``eps = 1e-6`` by default. A function with a non-scalar output is checked through
``Σ upstream · f`` for a random ``upstream`` of the output's shape (seeded, so the check is the
same on every run), which tests every entry of its backward at the cost of one backward pass.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from numbers import Real
from typing import Any

import numpy as np

__all__ = ["gradcheck", "numerical_gradient", "GradcheckError"]


class GradcheckError(AssertionError):
    """``backward()`` disagrees with central differences; the message names the worst entry."""


def numerical_gradient(
    f: Callable[..., float], arrays: Sequence[np.ndarray], eps: float = 1e-6
) -> list[np.ndarray]:
    """d f(*arrays) / d arrays by central differences, one entry at a time, for a function of
    float64 numpy arrays that returns a number. The arrays are changed during the call and
    restored before it returns."""
    grads = []
    for x in arrays:
        grad = np.zeros_like(x, dtype=np.float64)
        for i in np.ndindex(x.shape):
            old = x[i]
            try:
                x[i] = old + eps
                up = float(f(*arrays))
                x[i] = old - eps
                down = float(f(*arrays))
            finally:
                x[i] = old
            grad[i] = (up - down) / (2 * eps)
        grads.append(grad)
    return grads


def _is_scalar_input(x: Any) -> bool:
    from autograd.engine import Value

    return isinstance(x, Value) or (isinstance(x, Real) and not isinstance(x, bool))


def _scalar_grads(f, inputs, eps):
    from autograd.engine import Value

    numbers = [float(x.data if isinstance(x, Value) else x) for x in inputs]
    values = [Value(x) for x in numbers]
    out = f(*values)
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck: f must return a Value for Value inputs, got {out!r}")
    out.backward()
    analytic = [np.array(v.grad) for v in values]
    arrays = [np.array(x) for x in numbers]

    def value(*arrays):
        return f(*[Value(float(a)) for a in arrays]).data

    return analytic, numerical_gradient(value, arrays, eps)


def _tensor_grads(f, inputs, eps, upstream, seed):
    from autograd.tensor import Tensor

    arrays = [np.array(x.data if isinstance(x, Tensor) else x, dtype=np.float64) for x in inputs]
    tensors = []
    for x, a in zip(inputs, arrays):
        if isinstance(x, Tensor) and x.requires_grad and x.dtype == np.float64:
            x.zero_grad()
            tensors.append(x)  # as given, in its memory layout too
        else:
            tensors.append(Tensor(a.copy(), requires_grad=True))
    out = f(*tensors)
    if not isinstance(out, Tensor):
        raise TypeError(f"gradcheck: f must return a Tensor for array inputs, got {out!r}")
    if out.dtype != np.float64:
        raise GradcheckError(f"gradcheck: float64 inputs gave a {out.dtype} output")
    if upstream is None:
        upstream = np.random.default_rng(seed).standard_normal(out.shape)
    upstream = np.asarray(upstream, dtype=np.float64)
    out.backward(upstream)
    analytic = []
    for i, t in enumerate(tensors):
        if t.grad is None:
            raise GradcheckError(f"gradcheck: input {i} got no gradient")
        if t.grad.shape != t.data.shape:
            raise GradcheckError(
                f"gradcheck: input {i}: its gradient has shape {t.grad.shape}, "
                f"the input {t.data.shape}"
            )
        analytic.append(t.grad)

    def value(*arrays):
        return float(np.sum(f(*[Tensor(a) for a in arrays]).data * upstream))

    return analytic, numerical_gradient(value, arrays, eps)


def gradcheck(
    f: Callable,
    inputs: Sequence,
    *,
    eps: float = 1e-6,
    rtol: float = 1e-5,
    atol: float = 1e-6,
    upstream: Any = None,
    seed: int = 0,
) -> bool:
    """True when the gradients ``backward()`` gives for ``f(*inputs)`` agree with central
    differences: ``|backward - numeric| <= atol + rtol·|numeric|`` for every entry (as
    ``np.allclose``); else raises `GradcheckError` naming the worst entry.

    ``inputs``: numbers (or `Value` s) for a function of `Value` s that returns a `Value`;
    arrays, nested lists (or `Tensor` s) for a function of `Tensor` s that returns a `Tensor`.
    Inputs are copied to float64, except a float64 `Tensor` that requires grad: it is used as
    it is (its memory layout too, to test an op on strided or transposed inputs), its ``grad``
    reset and then set by the check; other inputs' own gradients are not touched.
    ``upstream`` (Tensor functions): the gradient sent into the output (default: random of the
    output's shape, from ``seed``).
    """
    inputs = list(inputs)
    if not inputs:
        raise ValueError("gradcheck: needs at least one input")
    if all(_is_scalar_input(x) for x in inputs):
        analytic, numeric = _scalar_grads(f, inputs, eps)
    else:
        analytic, numeric = _tensor_grads(f, inputs, eps, upstream, seed)
    worst = None  # (excess over the tolerance, input, entry, backward, numeric)
    for k, (a, n) in enumerate(zip(analytic, numeric)):
        a = np.asarray(a, dtype=np.float64)
        with np.errstate(invalid="ignore"):
            excess = np.abs(a - n) - (atol + rtol * np.abs(n))
        excess = np.where(np.isnan(excess), np.inf, excess)
        if excess.size and (worst is None or excess.max() > worst[0]):
            entry = np.unravel_index(int(np.argmax(excess)), excess.shape) if excess.ndim else ()
            worst = (float(excess.max()), k, entry, float(a[entry]), float(n[entry]))
    if worst is not None and worst[0] > 0:
        _, k, entry, a, n = worst
        where = f"input {k}" + (f", entry {tuple(int(i) for i in entry)}" if entry else "")
        raise GradcheckError(
            f"gradcheck: {where}: backward() gives {a:.10g}, central differences {n:.10g} "
            f"(difference {abs(a - n):.3g}, allowed {atol + rtol * abs(n):.3g} = "
            f"atol {atol:g} + rtol {rtol:g} × |numeric|)"
        )
    return True
