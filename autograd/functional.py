"""Fused layers and losses for the Tensor path: one graph node each, so a training step runs
a few large numpy calls instead of many small ones (and computes no gradient twice).

Each function is registered in `autograd.tensor.OPS` like the Tensor methods (the gradient
tests run over that table). The names and arguments are PyTorch's (``torch.nn.functional``).
"""

from __future__ import annotations

import numbers

import numpy as np

from autograd.tensor import Tensor, _operand, _result, _sigmoid, register, unbroadcast

__all__ = [
    "linear",
    "cross_entropy",
    "mse_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "dropout",
]

REDUCTIONS = ("mean", "sum", "none")


def _tensor(x, like=None) -> Tensor:
    if isinstance(x, Tensor):
        return x
    return _operand(x, like) if like is not None else Tensor(x)


def _check_reduction(reduction, name):
    if reduction not in REDUCTIONS:
        raise ValueError(f"{name}: reduction must be one of {REDUCTIONS}, got {reduction!r}")


def _reduce(loss_terms, reduction, dtype):
    """The loss node's value: the mean or sum of the per-element terms, or the terms."""
    if reduction == "none":
        return loss_terms
    total = loss_terms.sum()
    if reduction == "mean":
        total = total / max(loss_terms.size, 1)
    return np.asarray(total, dtype=dtype)


def _params(reduction):
    """The node's parameters for diagrams: only what differs from the defaults."""
    return None if reduction == "mean" else {"reduction": reduction}


def _grad_scale(g, reduction, size):
    """d(loss)/d(term i) for the reduction: g/n (mean), g (sum) or g itself (none); a Python
    float for a scalar loss (cheaper than 0-d array arithmetic, and it keeps float32)."""
    if reduction == "none":
        return g
    return float(g) / max(size, 1) if reduction == "mean" else float(g)


@register("linear", "linear", arity=-1)
def linear(x, weight, bias=None) -> Tensor:
    """y = x Wᵀ + b, W of shape (out, in) as in PyTorch;
    gx = g W, gW = gᵀ x (leading axes of x flattened), gb = Σ g over all but the last axis"""
    x = _tensor(x, weight)
    X, W = x.data, weight.data
    if X.dtype != W.dtype and W.dtype.kind == "f":
        # NOTE: data (x / 255.0 is float64) is cast to the weights' dtype, so one float64
        # batch does not silently run the whole step, gradients included, in float64.
        if x.requires_grad:
            raise TypeError(
                f"linear: the input is {X.dtype} and requires grad, the weight is {W.dtype}; "
                f"convert one of them (e.g. Tensor(x.astype(np.{W.dtype})))"
            )
        X = X.astype(W.dtype)
    if W.ndim != 2:
        raise ValueError(f"linear: weight must be 2-d (out, in), got shape {W.shape}")
    if X.ndim == 0 or X.shape[-1] != W.shape[1]:
        raise ValueError(
            f"linear: the input has shape {X.shape} but the weight {W.shape} (out, in) expects "
            f"{W.shape[1]} features in the last axis"
        )
    out = X @ W.T
    if bias is None:
        parents = (x, weight)
    else:
        if bias.data.shape != (W.shape[0],):
            raise ValueError(
                f"linear: bias has shape {bias.data.shape}, expected ({W.shape[0]},) for a "
                f"weight of shape {W.shape}"
            )
        out += bias.data
        parents = (x, weight, bias)

    def backward(g):
        gx = g @ W if x.requires_grad else None
        gw = gb = None
        if weight.requires_grad:
            x2 = X if X.ndim == 2 else X.reshape(-1, W.shape[1])
            g2 = g if g.ndim == 2 else g.reshape(-1, W.shape[0])
            if W.strides[0] < W.strides[1]:
                # A weight stored as the transpose of an (in, out) array (nn.Linear's
                # layout, the one BLAS multiplies fastest): its gradient in the same layout,
                # so the optimizer's elementwise updates run over both arrays contiguously.
                gw = (x2.T @ g2).T
            else:
                gw = g2.T @ x2
        if bias is not None and bias.requires_grad:
            gb = np.add.reduce(g if g.ndim == 2 else g.reshape(-1, W.shape[0]), axis=0)
        return gx, gw, gb

    return _result(out, parents, "linear", backward)


def _class_targets(target, n, classes, name):
    t = target.data if isinstance(target, Tensor) else target
    if type(t) is not np.ndarray:
        t = np.asarray(t)
    if t.dtype.kind not in "iu":
        raise TypeError(
            f"{name}: target must hold integer class indices, got dtype {t.dtype} "
            "(for one-hot or probability targets use mse_loss or binary_cross_entropy)"
        )
    if t.shape != (n,):
        raise ValueError(f"{name}: target has shape {t.shape}, expected ({n},) for {n} rows")
    # bincount is one fast pass that fails on negatives and grows past `classes` on too large
    # indices (min() and max() would be two slower reductions).
    try:
        valid = len(np.bincount(t, minlength=classes)) == classes
    except (TypeError, ValueError):  # negative, or uint64 that bincount will not take
        valid = not n or (t.min() >= 0 and t.max() < classes)
    if not valid:
        raise ValueError(
            f"{name}: target holds class indices in [{t.min()}, {t.max()}] but the logits "
            f"have {classes} classes (valid: 0 to {classes - 1})"
        )
    # NOTE: as numpy's index type: uint64 plus the int64 row offsets would promote to float64,
    # which cannot index (the values are checked to be in [0, classes) above).
    return t.astype(np.intp, copy=False)


def _flat_view(a: np.ndarray) -> np.ndarray:
    """`a` as one row, sharing its memory, so that writes through it reach `a`.

    NOTE: ``reshape(-1)`` silently returns a copy for any array that is not C-contiguous (a
    transposed or Fortran-ordered one), and writes to the copy are lost; this refuses."""
    if not a.flags.c_contiguous:
        raise ValueError(f"_flat_view: needs a C-contiguous array, got strides {a.strides}")
    return a.reshape(-1)


_ROW_STARTS: dict = {}


def _row_starts(n, classes):
    """[0, C, 2C, ...]: flat index of each row's first element, cached per shape (read-only)."""
    starts = _ROW_STARTS.get((n, classes))
    if starts is None:
        if len(_ROW_STARTS) > 32:
            _ROW_STARTS.clear()
        starts = _ROW_STARTS[n, classes] = np.arange(0, n * classes, classes)
        starts.flags.writeable = False
    return starts


@register("cross_entropy", "CE", arity=1, reduction="mean")
def cross_entropy(logits, target, weight=None, reduction="mean") -> Tensor:
    """Softmax cross-entropy with integer targets, fused (log-softmax + NLL in one node).

    ℓₙ = w[yₙ]·(log Σⱼ e^zₙⱼ - zₙ,yₙ);  mean = Σ ℓₙ / Σ w[yₙ] (PyTorch's weighted mean),
    sum = Σ ℓₙ, none = the ℓₙ.  dℓₙ/dzₙ = w[yₙ]·(softmax(zₙ) - onehot(yₙ)).
    """
    _check_reduction(reduction, "cross_entropy")
    logits = _tensor(logits)
    Z = logits.data
    if Z.ndim != 2:
        raise ValueError(f"cross_entropy: logits must be (N, classes), got shape {Z.shape}")
    n, classes = Z.shape
    t = _class_targets(target, n, classes, "cross_entropy")
    # Flat positions of the target logits: 1-d indexing is several times faster than Z[rows, t].
    picked = _row_starts(n, classes) + t
    # NOTE: log-sum-exp with the row max taken out: e^z never overflows. e is allocated in C
    # order whatever the layout of the logits (transposed, Fortran-ordered), so that its flat
    # positions are the `picked` ones.
    m = np.maximum.reduce(Z, axis=1, keepdims=True)
    e = np.subtract(Z, m, order="C")
    nll = -_flat_view(e)[picked]  # -(z_y - m)
    np.exp(e, out=e)
    s = np.add.reduce(e, axis=1, keepdims=True)
    nll += np.log(s.reshape(n))
    if weight is not None:
        w_class = np.asarray(weight.data if isinstance(weight, Tensor) else weight, Z.dtype)
        if w_class.shape != (classes,):
            raise ValueError(
                f"cross_entropy: weight has shape {w_class.shape}, expected ({classes},): one "
                "weight per class"
            )
        w = w_class[t]
        nll *= w
    else:
        w = None
    if reduction == "none":
        loss = nll
    else:
        total = np.add.reduce(nll)
        if reduction == "mean":
            total = total / (np.add.reduce(w) if w is not None else max(n, 1))
        loss = np.asarray(total, dtype=Z.dtype)

    def backward(g):
        # coef[n] = d(loss)/d(ℓₙ before weighting): g·w[yₙ] / (Σ w or N or 1)
        if reduction == "none":
            coef = g if w is None else g * w
        else:
            # A Python float: cheaper than 0-d array arithmetic, and it keeps float32.
            coef = float(g)
            if reduction == "mean":
                coef /= max(n, 1) if w is None else float(np.add.reduce(w))
            if w is not None:
                coef = coef * w
        scale = coef / s if type(coef) is float else coef[:, None] / s
        grad = np.multiply(e, scale, order="C")
        _flat_view(grad)[picked] -= coef
        return (grad,)

    params = _params(reduction)
    if weight is not None:
        params = {**(params or {}), "weight": w_class.tolist()}
    return _result(loss, (logits,), "cross_entropy", backward, params)


def _target_like(name, pred, target) -> Tensor:
    """``target`` as a Tensor of the prediction's shape and float dtype (unless it is a Tensor
    that requires grad).

    NOTE: numpy would broadcast a target of shape (N,) against a prediction of shape (N, 1)
    to (N, N) and average N^2 wrong terms without a word; and a float64 or integer target
    would silently turn a float32 loss, and every gradient of the step, into float64.
    """
    t = target.data if isinstance(target, Tensor) else np.asarray(target)
    P = pred.data
    if t.shape != P.shape:
        raise ValueError(
            f"{name}: target has shape {t.shape} but the prediction has shape {P.shape}; "
            f"they must be equal (reshape the target to {P.shape}; numpy broadcasting "
            "would silently compare every prediction with every target)"
        )
    if isinstance(target, Tensor) and (target.requires_grad or t.dtype == P.dtype):
        return target
    if P.dtype.kind == "f" and t.dtype != P.dtype:
        t = t.astype(P.dtype)
    return Tensor(t)


@register("mse_loss", "MSE", arity=2, reduction="mean")
def mse_loss(pred, target, reduction="mean") -> Tensor:
    """(1/n) Σ (p - t)² (mean), Σ (p - t)² (sum) or the (p - t)² (none);
    gp = 2(p - t)·g/n, gt = -gp"""
    _check_reduction(reduction, "mse_loss")
    pred = _tensor(pred)
    target = _target_like("mse_loss", pred, target)
    P, T = pred.data, target.data
    diff = P - T
    if reduction == "none":
        loss = diff * diff
    else:
        total = np.vdot(diff, diff) if diff.dtype.kind == "f" else (diff * diff).sum()
        if reduction == "mean":
            total = total / max(diff.size, 1)
        loss = np.asarray(total, dtype=diff.dtype)

    def backward(g):
        d = diff * (_grad_scale(g, reduction, diff.size) * 2)
        gp = unbroadcast(d, P.shape) if pred.requires_grad else None
        gt = -unbroadcast(d, T.shape) if target.requires_grad else None
        return gp, gt

    return _result(loss, (pred, target), "mse_loss", backward, _params(reduction))


@register("binary_cross_entropy", "BCE", arity=2, domain="probability", reduction="mean")
def binary_cross_entropy(p, target, reduction="mean") -> Tensor:
    """-(t·ln p + (1 - t)·ln(1 - p)), each log clamped at -100 as in PyTorch;
    gp = g·(p - t)/(p(1 - p)), gt = g·(ln(1 - p) - ln p)"""
    _check_reduction(reduction, "binary_cross_entropy")
    p = _tensor(p)
    target = _target_like("binary_cross_entropy", p, target)
    P, T = p.data, target.data
    if P.size and (P.min() < 0 or P.max() > 1):
        raise ValueError(
            "binary_cross_entropy: the input must be probabilities in [0, 1] (apply sigmoid, "
            f"or use binary_cross_entropy_with_logits); got values in [{P.min()}, {P.max()}]"
        )
    with np.errstate(divide="ignore"):
        log_p = np.maximum(np.log(P), -100)
        log_q = np.maximum(np.log1p(-P), -100)
    terms = -(T * log_p + (1 - T) * log_q)
    loss = _reduce(terms, reduction, terms.dtype)

    def backward(g):
        scale = _grad_scale(g, reduction, terms.size)
        # NOTE: p(1 - p) is 0 at p = 0 or 1; clamped as PyTorch does (eps 1e-12).
        gp = gt = None
        if p.requires_grad:
            gp = unbroadcast(scale * (P - T) / np.maximum(P * (1 - P), 1e-12), P.shape)
        if target.requires_grad:
            gt = unbroadcast(np.broadcast_to(scale * (log_q - log_p), terms.shape), T.shape)
        return gp, gt

    return _result(loss, (p, target), "binary_cross_entropy", backward, _params(reduction))


@register("binary_cross_entropy_with_logits", "BCEWithLogits", arity=2, reduction="mean")
def binary_cross_entropy_with_logits(logits, target, reduction="mean") -> Tensor:
    """-(t·ln σ(z) + (1 - t)·ln(1 - σ(z))) = max(z, 0) - z·t + ln(1 + e^-|z|) (stable);
    gz = g·(σ(z) - t), gt = -g·z"""
    _check_reduction(reduction, "binary_cross_entropy_with_logits")
    logits = _tensor(logits)
    target = _target_like("binary_cross_entropy_with_logits", logits, target)
    Z, T = logits.data, target.data
    # NOTE: this form never takes e^z of a large z: no overflow, no log(0).
    terms = np.maximum(Z, 0) - Z * T + np.log1p(np.exp(-np.abs(Z)))
    loss = _reduce(terms, reduction, terms.dtype)

    def backward(g):
        scale = _grad_scale(g, reduction, terms.size)
        gz = unbroadcast(scale * (_sigmoid(Z) - T), Z.shape) if logits.requires_grad else None
        gt = None
        if target.requires_grad:
            gt = unbroadcast(np.broadcast_to(-scale * Z, terms.shape), T.shape)
        return gz, gt

    return _result(
        loss, (logits, target), "binary_cross_entropy_with_logits", backward,
        _params(reduction),
    )  # fmt: skip


_DEFAULT_RNG = None


@register("dropout", "dropout", p=0.5)
def dropout(x, p=0.5, training=True, rng=None) -> Tensor:
    """Inverted dropout: y = x·m/(1 - p), m ~ Bernoulli(1 - p) per element, when training;
    y = x otherwise (no rescaling needed at test time).  gx = g·m/(1 - p)"""
    global _DEFAULT_RNG
    if not isinstance(p, numbers.Real) or not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout: p must be a probability in [0, 1], got {p!r}")
    x = _tensor(x)
    if not training or p == 0.0:
        return x
    if rng is None:
        if _DEFAULT_RNG is None:
            _DEFAULT_RNG = np.random.default_rng()
        rng = _DEFAULT_RNG
    elif not isinstance(rng, np.random.Generator):
        # NOTE: an int seed here would give the same mask on every call: refuse it.
        raise TypeError(
            f"dropout: rng must be a numpy Generator (np.random.default_rng(seed)) or None, "
            f"got {type(rng).__name__}"
        )
    X = x.data
    dtype = X.dtype if X.dtype.kind == "f" else np.float32
    if p == 1.0:
        mask = np.zeros(X.shape, dtype)
    else:
        draw = rng.random(X.shape, dtype=np.float32 if dtype == np.float32 else np.float64)
        mask = (draw >= p).astype(dtype)
        mask *= 1.0 / (1.0 - p)
    return _result(X * mask, (x,), "dropout", lambda g: (g * mask,), {"p": float(p)})
