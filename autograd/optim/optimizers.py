"""Optimizers: SGD (momentum, Nesterov, weight decay), Adam, AdamW, Adagrad, RMSprop.

Each takes an iterable of parameters (any object with ``data``, a floating numpy array that is
updated IN PLACE, and ``grad``, a numpy array of the same shape or ``None``) and implements
PyTorch's update rule for one parameter group; the learning rate is the attribute ``lr`` (a
schedule sets it between epochs). Parameters whose ``grad`` is ``None`` are skipped and their
state does not advance, as in PyTorch.

NOTE: hyper-parameters are stored as Python floats and every update is an in-place numpy
operation, so float32 parameters stay float32 with no float64 temporaries (a ``np.float64``
learning rate would otherwise promote every product to float64).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from autograd.arguments import nonnegative, unit_interval
from autograd.kernels import compiled

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "Adagrad", "RMSprop"]


class Optimizer:
    """Base class: holds the parameter list, the learning rate ``lr`` and per-parameter state.

    Subclasses implement ``_update(index, p, g)`` for one parameter whose gradient is ``g``.
    """

    def __init__(self, params: Iterable, lr: float):
        if callable(getattr(params, "parameters", None)):
            raise TypeError(
                f"{type(self).__name__} expects the parameters, got the {type(params).__name__} "
                "itself: pass model.parameters()"
            )
        if hasattr(params, "data") and hasattr(params, "grad"):
            raise TypeError(
                f"{type(self).__name__} expects an iterable of parameters (for example "
                "model.parameters()), got a single parameter; wrap it in a list"
            )
        params = list(params)
        if not params:
            raise ValueError(
                f"{type(self).__name__} got an empty parameter list; expected at least one "
                "parameter (does the model have any? was model.parameters() already consumed?)"
            )
        seen = set()
        for i, p in enumerate(params):
            data = getattr(p, "data", None)
            if not isinstance(data, np.ndarray) or not np.issubdtype(data.dtype, np.floating):
                raise TypeError(
                    f"parameter {i} ({type(p).__name__}) has no floating numpy array in .data; "
                    "optimizers update Parameters/Tensors holding float arrays"
                )
            if id(p) in seen:
                raise ValueError(
                    f"parameter {i} appears twice in the parameter list; each parameter must "
                    "be listed once, or it would be updated twice per step"
                )
            seen.add(id(p))
        self.params = params
        self.lr = lr
        self.state: list[dict] = [{} for _ in params]

    @property
    def lr(self) -> float:
        """The learning rate used by the next ``step()``; settable (schedules set it)."""
        return self._lr

    @lr.setter
    def lr(self, value) -> None:
        self._lr = nonnegative("lr", value)

    def zero_grad(self) -> None:
        """Forget every parameter's gradient (``grad = None``), as ``set_to_none=True`` does."""
        for p in self.params:
            p.grad = None

    def step(self) -> None:
        """Update every parameter that has a gradient, in place."""
        for i, p in enumerate(self.params):
            g = p.grad
            if g is None:
                continue
            if g.shape != p.data.shape:
                raise ValueError(
                    f"parameter {i}: grad has shape {g.shape} but data has shape "
                    f"{p.data.shape}; they must match"
                )
            self._update(i, p.data, g)

    def _update(self, index: int, p: np.ndarray, g: np.ndarray) -> None:  # pragma: no cover
        raise NotImplementedError

    def _scratch(self, index: int, p: np.ndarray) -> np.ndarray:
        """A reusable work array shaped like ``p`` (no allocation per step)."""
        state = self.state[index]
        buf = state.get("scratch")
        if buf is None:
            buf = state["scratch"] = np.empty_like(p)
        return buf

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v}" for k, v in self._hyper().items())
        return f"{type(self).__name__}({len(self.params)} parameters, {fields})"

    def _hyper(self) -> dict:
        return {"lr": self.lr}


def _flat_views(p: np.ndarray, g: np.ndarray):
    """p and g as 1-d views of their memory, element i of one beside element i of the other,
    when both are contiguous in the same order and of one dtype; else None."""
    if p.dtype != g.dtype:
        return None
    if (p.flags.c_contiguous and g.flags.c_contiguous) or (
        p.flags.f_contiguous and g.flags.f_contiguous
    ):
        return p.ravel(order="K"), g.ravel(order="K")
    return None


# NOTE: an update is a dozen element-wise passes (Adam: thirteen). Over a whole 3072x1024
# weight each pass streams 12 MB from memory; in slices of 2^16 elements the passes after the
# first read the slice from cache: Adam's step on a 3072-1024-512-10 MLP took 16 instead of
# 34 ms here. The numbers do not change (each element sees the same operations in the same
# order).
_CHUNK = 1 << 16


def _in_slices(update, arrays, *scalars) -> None:
    """Run the element-wise ``update(*arrays, *scalars)`` on successive slices of ``_CHUNK``
    elements of the arrays (p, its gradient, its state and work arrays) when they share one
    dtype and one contiguous memory order; else once on the whole arrays."""
    p = arrays[0]
    flat = None
    if p.size > _CHUNK and all(a.dtype == p.dtype and a.shape == p.shape for a in arrays):
        if all(a.flags.c_contiguous for a in arrays) or all(a.flags.f_contiguous for a in arrays):
            flat = [a.ravel(order="K") for a in arrays]
    if flat is None:
        update(*arrays, *scalars)
        return
    for start in range(0, p.size, _CHUNK):
        update(*(a[start : start + _CHUNK] for a in flat), *scalars)


class SGD(Optimizer):
    """Stochastic gradient descent, ``torch.optim.SGD`` without dampening.

    With ``g`` the gradient, ``wd`` the weight decay and ``mu`` the momentum::

        g <- g + wd * p                 (L2 penalty wd/2 |p|^2 folded into the gradient)
        b <- mu * b + g                 (b = g on the first step)
        g <- g + mu * b  if nesterov else  b          (only when mu > 0)
        p <- p - lr * g

    Without momentum the update is computed as ``p <- p (1 - lr wd) - lr g``: the same
    number up to rounding, in place, with one work array reused across steps (no allocation);
    with the ``fast`` extra (numba) in one pass over p and g, to the same bits
    (`autograd.kernels`). ``p.grad`` is never changed.
    """

    def __init__(
        self,
        params,
        lr: float,
        momentum: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
    ):
        super().__init__(params, lr)
        self.momentum = unit_interval("momentum", momentum)
        self.weight_decay = nonnegative("weight_decay", weight_decay)
        if nesterov and self.momentum == 0.0:
            raise ValueError("nesterov=True needs momentum > 0 (as in PyTorch)")
        self.nesterov = bool(nesterov)

    def _hyper(self) -> dict:
        return {
            "lr": self.lr,
            "momentum": self.momentum,
            "nesterov": self.nesterov,
            "weight_decay": self.weight_decay,
        }

    def _update(self, i, p, g):
        lr, wd, mu = self._lr, self.weight_decay, self.momentum
        s = self._scratch(i, p)
        if mu == 0.0:
            kernels = compiled()
            flat = _flat_views(p, g) if kernels else None
            if flat:  # one pass (the `fast` extra) instead of numpy's three
                kernels.sgd_step(*flat, p.dtype.type(lr), p.dtype.type(1.0 - lr * wd))
                return
            _in_slices(_sgd, (p, g, s), lr, wd)
            return
        state = self.state[i]
        b = state.get("momentum_buffer")
        first = b is None
        if first:
            b = state["momentum_buffer"] = np.empty_like(p)  # keeps p's memory layout
        _in_slices(_sgd_momentum, (p, g, s, b), lr, wd, mu, self.nesterov, first)


def _sgd(p, g, s, lr, wd):
    if wd:
        np.multiply(p, 1.0 - lr * wd, out=p)
    np.multiply(g, lr, out=s)
    np.subtract(p, s, out=p)


def _sgd_momentum(p, g, s, b, lr, wd, mu, nesterov, first):
    if wd:  # s = g + wd * p
        np.multiply(p, wd, out=s)
        np.add(s, g, out=s)
    else:
        np.copyto(s, g)
    if first:  # b = g on the first step
        np.copyto(b, s)
    else:
        np.multiply(b, mu, out=b)
        np.add(b, s, out=b)
    if nesterov:  # s = g + mu * b
        s += mu * b
    else:
        np.copyto(s, b)
    s *= lr
    np.subtract(p, s, out=p)


class Adam(Optimizer):
    """Adam (Kingma & Ba), ``torch.optim.Adam`` with ``amsgrad=False``.

    At step ``t = 1, 2, ...``::

        g <- g + wd * p                             (coupled L2, as in PyTorch's Adam)
        m <- b1 m + (1 - b1) g,    v <- b2 v + (1 - b2) g^2
        p <- p - lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
    """

    decoupled = False

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas=(0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ):
        super().__init__(params, lr)
        try:
            b1, b2 = betas
        except (TypeError, ValueError):
            raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}") from None
        self.betas = (unit_interval("betas[0]", b1), unit_interval("betas[1]", b2))
        self.eps = nonnegative("eps", eps)
        self.weight_decay = nonnegative("weight_decay", weight_decay)

    def _hyper(self) -> dict:
        return {
            "lr": self.lr,
            "betas": self.betas,
            "eps": self.eps,
            "weight_decay": self.weight_decay,
        }

    def _update(self, i, p, g):
        state = self.state[i]
        s = self._scratch(i, p)
        if "m" not in state:
            state["step"] = 0
            state["m"] = np.zeros_like(p)
            state["v"] = np.zeros_like(p)
        state["step"] += 1
        t = state["step"]
        b1, b2 = self.betas
        scalars = (self._lr, self.weight_decay, self.eps, b1, b2, t, self.decoupled)
        _in_slices(_adam, (p, g, state["m"], state["v"], s), *scalars)


def _adam(p, g, m, v, s, lr, wd, eps, b1, b2, t, decoupled):
    if wd and decoupled:
        np.multiply(p, 1.0 - lr * wd, out=p)
    elif wd:
        g = g + wd * p  # a new array: the parameter's .grad is left untouched
    np.multiply(g, 1.0 - b1, out=s)
    np.multiply(m, b1, out=m)
    np.add(m, s, out=m)
    np.multiply(g, g, out=s)
    s *= 1.0 - b2
    np.multiply(v, b2, out=v)
    np.add(v, s, out=v)
    # s <- sqrt(v) / sqrt(1 - b2^t) + eps, then the step lr / (1 - b1^t) * m / s
    np.sqrt(v, out=s)
    s /= math.sqrt(1.0 - b2**t)
    s += eps
    np.divide(m, s, out=s)
    s *= lr / (1.0 - b1**t)
    np.subtract(p, s, out=p)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter), ``torch.optim.AdamW``::

        p <- p - lr * wd * p            (before the Adam step; the gradient is not changed)

    then the Adam update of `Adam` with ``wd = 0``. Default ``weight_decay=1e-2`` as in PyTorch.
    """

    decoupled = True

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas=(0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
    ):
        super().__init__(params, lr, betas, eps, weight_decay)


class Adagrad(Optimizer):
    """Adagrad (Duchi et al.), ``torch.optim.Adagrad``. At step ``t = 1, 2, ...``::

    g <- g + wd * p
    lr_t = lr / (1 + (t - 1) * lr_decay)
    G <- G + g^2                     (G starts at initial_accumulator_value)
    p <- p - lr_t * g / (sqrt(G) + eps)
    """

    def __init__(
        self,
        params,
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
    ):
        super().__init__(params, lr)
        self.lr_decay = nonnegative("lr_decay", lr_decay)
        self.weight_decay = nonnegative("weight_decay", weight_decay)
        self.initial_accumulator_value = nonnegative(
            "initial_accumulator_value", initial_accumulator_value
        )
        self.eps = nonnegative("eps", eps)

    def _hyper(self) -> dict:
        return {
            "lr": self.lr,
            "lr_decay": self.lr_decay,
            "weight_decay": self.weight_decay,
            "eps": self.eps,
        }

    def _update(self, i, p, g):
        state = self.state[i]
        s = self._scratch(i, p)
        if "sum" not in state:
            state["step"] = 0
            state["sum"] = np.full_like(p, self.initial_accumulator_value)
        state["step"] += 1
        lr_t = self._lr / (1.0 + (state["step"] - 1) * self.lr_decay)
        total = state["sum"]
        kernels = compiled()
        flat = _flat_views(p, g) if kernels else None
        if flat and _flat_views(p, total):  # one pass (the `fast` extra) instead of seven
            kind = p.dtype.type
            hyper = kind(lr_t), kind(self.weight_decay), kind(self.eps)
            kernels.adagrad_step(*flat, total.ravel(order="K"), *hyper)
            return
        _in_slices(_adagrad, (p, g, total, s), lr_t, self.weight_decay, self.eps)


def _adagrad(p, g, total, s, lr_t, wd, eps):
    if wd:
        g = g + wd * p
    np.multiply(g, g, out=s)
    np.add(total, s, out=total)
    np.sqrt(total, out=s)
    s += eps
    np.divide(g, s, out=s)
    s *= lr_t
    np.subtract(p, s, out=p)


class RMSprop(Optimizer):
    """RMSprop (Hinton), ``torch.optim.RMSprop``::

    g <- g + wd * p
    v <- alpha v + (1 - alpha) g^2
    centered:  a <- alpha a + (1 - alpha) g,   v~ = v - a^2,   else v~ = v
    d = g / (sqrt(v~) + eps)
    momentum > 0:  b <- momentum b + d,   p <- p - lr b;   else  p <- p - lr d
    """

    def __init__(
        self,
        params,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
    ):
        super().__init__(params, lr)
        self.alpha = unit_interval("alpha", alpha)
        self.eps = nonnegative("eps", eps)
        self.weight_decay = nonnegative("weight_decay", weight_decay)
        # NOTE: any momentum >= 0, as torch.optim.RMSprop (steps are normalized by sqrt(v)).
        self.momentum = nonnegative("momentum", momentum)
        self.centered = bool(centered)

    def _hyper(self) -> dict:
        return {
            "lr": self.lr,
            "alpha": self.alpha,
            "eps": self.eps,
            "weight_decay": self.weight_decay,
            "momentum": self.momentum,
            "centered": self.centered,
        }

    def _update(self, i, p, g):
        state = self.state[i]
        s = self._scratch(i, p)
        if "square_avg" not in state:
            state["square_avg"] = np.zeros_like(p)
            if self.centered:
                state["grad_avg"] = np.zeros_like(p)
            if self.momentum:
                state["momentum_buffer"] = np.zeros_like(p)
        arrays = [p, g, state["square_avg"], s]
        for extra in ("grad_avg", "momentum_buffer"):
            arrays.append(state.get(extra, s))  # s stands in for a state it does not keep
        scalars = (self._lr, self.alpha, self.eps, self.weight_decay, self.momentum, self.centered)
        _in_slices(_rmsprop, arrays, *scalars)


def _rmsprop(p, g, v, s, a, b, lr, alpha, eps, wd, momentum, centered):
    if wd:
        g = g + wd * p
    np.multiply(g, g, out=s)
    s *= 1.0 - alpha
    np.multiply(v, alpha, out=v)
    np.add(v, s, out=v)
    if centered:
        np.multiply(a, alpha, out=a)
        a += (1.0 - alpha) * g
        np.multiply(a, a, out=s)
        np.subtract(v, s, out=s)
        np.sqrt(s, out=s)
    else:
        np.sqrt(v, out=s)
    s += eps
    np.divide(g, s, out=s)  # s = d
    if momentum:
        np.multiply(b, momentum, out=b)
        np.add(b, s, out=b)
        np.multiply(b, lr, out=s)
    else:
        s *= lr
    np.subtract(p, s, out=p)
