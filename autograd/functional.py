"""Fused layers and losses for the Tensor path: one graph node each, so a training step runs
a few large numpy calls instead of many small ones (and computes no gradient twice).

Each function is registered in `autograd.tensor.OPS` like the Tensor methods (the gradient
tests run over that table). The names and arguments are PyTorch's (``torch.nn.functional``).
"""

from __future__ import annotations

import numbers

import numpy as np

from autograd.arguments import int_pair
from autograd.graph import is_grad_enabled
from autograd.kernels import compiled
from autograd.tensor import Tensor, accumulator, as_tensor, record_op, register, sigmoid_array

__all__ = [
    "linear",
    "cross_entropy",
    "mse_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "dropout",
    "concatenate",
    "stack",
    "where",
    "check_reduction",
    "conv2d",
    "max_pool2d",
    "avg_pool2d",
]

REDUCTIONS = ("mean", "sum", "none")


def check_reduction(reduction, name):
    """ValueError unless `reduction` is one of `REDUCTIONS` (`name` says who asked)."""
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
    x = as_tensor(x, weight)
    W = weight.data
    X = _cast_like(x, W, "linear")
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

    return record_op(out, parents, "linear", backward)


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


@register("cross_entropy", "CE", arity=1, kind="loss", reduction="mean")
def cross_entropy(logits, target, weight=None, reduction="mean", label_smoothing=0.0) -> Tensor:
    """Softmax cross-entropy with integer targets, fused (log-softmax + NLL in one node).

    ℓₙ = w[yₙ]·(log Σⱼ e^zₙⱼ - zₙ,yₙ);  mean = Σ ℓₙ / Σ w[yₙ] (PyTorch's weighted mean),
    sum = Σ ℓₙ, none = the ℓₙ.  dℓₙ/dzₙ = w[yₙ]·(softmax(zₙ) - onehot(yₙ)).

    ``label_smoothing`` ε (PyTorch's): the target is (1 - ε)·onehot(y) + ε/K over the K classes,
    ℓₙ = (1 - ε)·w[yₙ]·(-log pₙ,yₙ) + (ε/K)·Σⱼ w[j]·(-log pₙⱼ) (the mean still divides by
    Σ w[yₙ]); dℓₙ/dzₙ = ((1 - ε)·w[yₙ] + (ε/K)·Σⱼ w[j])·softmax(zₙ) - (1 - ε)·w[yₙ]·onehot(yₙ)
    - (ε/K)·w.
    """
    check_reduction(reduction, "cross_entropy")
    eps = float(label_smoothing)
    if not 0.0 <= eps <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing}")
    logits = as_tensor(logits)
    Z = logits.data
    if Z.ndim != 2:
        raise ValueError(f"cross_entropy: logits must be (N, classes), got shape {Z.shape}")
    n, classes = Z.shape
    t = _class_targets(target, n, classes, "cross_entropy")
    w_class = None
    if weight is not None:
        w_class = np.asarray(weight.data if isinstance(weight, Tensor) else weight, Z.dtype)
        if w_class.shape != (classes,):
            raise ValueError(
                f"cross_entropy: weight has shape {w_class.shape}, expected ({classes},): one "
                "weight per class"
            )
    # Flat positions of the target logits: 1-d indexing is several times faster than Z[rows, t].
    picked = _row_starts(n, classes) + t
    # NOTE: log-sum-exp with the row max taken out: e^z never overflows. e is allocated in C
    # order whatever the layout of the logits (transposed, Fortran-ordered), so that its flat
    # positions are the `picked` ones.
    m = np.maximum.reduce(Z, axis=1, keepdims=True)
    e = np.subtract(Z, m, order="C")
    nll = -_flat_view(e)[picked]  # -(z_y - m)
    if eps:  # Σⱼ w[j]·(zₙⱼ - m), before e is overwritten
        shifted = np.add.reduce(e, axis=1) if w_class is None else e @ w_class
    np.exp(e, out=e)
    s = np.add.reduce(e, axis=1, keepdims=True)
    log_s = np.log(s.reshape(n))
    nll += log_s
    w = None
    if w_class is not None:
        w = w_class[t]
        nll *= w
    if eps:  # (1 - ε)·ℓ + (ε/K)·Σⱼ w[j]·(log s - (zₙⱼ - m))
        w_total = classes if w_class is None else float(np.add.reduce(w_class))
        nll *= 1.0 - eps
        nll += (eps / classes) * (w_total * log_s - shifted)
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
            base = g
        else:
            # A Python float: cheaper than 0-d array arithmetic, and it keeps float32.
            base = float(g)
            if reduction == "mean":
                base /= max(n, 1) if w is None else float(np.add.reduce(w))
        coef = base if w is None else base * w
        if eps:
            coef = coef * (1.0 - eps)
            on_softmax = coef + base * (eps / classes * w_total)
        else:
            on_softmax = coef
        if type(on_softmax) is float:
            scale = on_softmax / s
        else:
            scale = np.reshape(on_softmax, (-1, 1)) / s
        grad = np.multiply(e, scale, order="C")
        _flat_view(grad)[picked] -= coef
        if eps:
            spread = eps / classes if w_class is None else (eps / classes) * w_class
            if type(base) is float:
                grad -= base * spread
            else:
                grad -= base[:, None] * spread
        return (grad,)

    params = _params(reduction)
    if weight is not None:
        params = {**(params or {}), "weight": w_class.tolist()}
    if eps:
        params = {**(params or {}), "label_smoothing": eps}
    return record_op(loss, (logits,), "cross_entropy", backward, params)


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


@register("mse_loss", "MSE", arity=2, kind="loss", reduction="mean")
def mse_loss(pred, target, reduction="mean") -> Tensor:
    """(1/n) Σ (p - t)² (mean), Σ (p - t)² (sum) or the (p - t)² (none);
    gp = 2(p - t)·g/n, gt = -gp"""
    check_reduction(reduction, "mse_loss")
    pred = as_tensor(pred)
    target = _target_like("mse_loss", pred, target)
    P, T = pred.data, target.data
    diff = P - T
    if reduction == "none":
        loss = diff * diff
    else:
        # NOTE: float16 accumulates in float32 (`accumulator`): 10,000 squares of 3 are inf
        wide = diff if accumulator(diff.dtype) is None else diff.astype(np.float32)
        total = np.vdot(wide, wide) if diff.dtype.kind == "f" else (diff * diff).sum()
        if reduction == "mean":
            total = total / max(diff.size, 1)
        loss = np.asarray(total, dtype=diff.dtype)

    def backward(g):
        d = diff * (_grad_scale(g, reduction, diff.size) * 2)
        return (d if pred.requires_grad else None), (-d if target.requires_grad else None)

    return record_op(loss, (pred, target), "mse_loss", backward, _params(reduction))


@register(
    "binary_cross_entropy", "BCE", arity=2, domain="probability", kind="loss", reduction="mean"
)
def binary_cross_entropy(p, target, reduction="mean") -> Tensor:
    """-(t·ln p + (1 - t)·ln(1 - p)), each log clamped at -100 as in PyTorch;
    gp = g·(p - t)/(p(1 - p)), gt = g·(ln(1 - p) - ln p)"""
    check_reduction(reduction, "binary_cross_entropy")
    p = as_tensor(p)
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
            gp = scale * (P - T) / np.maximum(P * (1 - P), 1e-12)
        if target.requires_grad:
            gt = scale * (log_q - log_p)
        return gp, gt

    return record_op(loss, (p, target), "binary_cross_entropy", backward, _params(reduction))


@register(
    "binary_cross_entropy_with_logits", "BCEWithLogits", arity=2, kind="loss", reduction="mean"
)
def binary_cross_entropy_with_logits(logits, target, reduction="mean") -> Tensor:
    """-(t·ln σ(z) + (1 - t)·ln(1 - σ(z))) = max(z, 0) - z·t + ln(1 + e^-|z|) (stable);
    gz = g·(σ(z) - t), gt = -g·z"""
    check_reduction(reduction, "binary_cross_entropy_with_logits")
    logits = as_tensor(logits)
    target = _target_like("binary_cross_entropy_with_logits", logits, target)
    Z, T = logits.data, target.data
    # NOTE: this form never takes e^z of a large z: no overflow, no log(0).
    terms = np.maximum(Z, 0) - Z * T + np.log1p(np.exp(-np.abs(Z)))
    loss = _reduce(terms, reduction, terms.dtype)

    def backward(g):
        scale = _grad_scale(g, reduction, terms.size)
        gz = scale * (sigmoid_array(Z) - T) if logits.requires_grad else None
        gt = -scale * Z if target.requires_grad else None
        return gz, gt

    return record_op(
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
    x = as_tensor(x)
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
    return record_op(X * mask, (x,), "dropout", lambda g: (g * mask,), {"p": float(p)})


# --- joining and selecting ----------------------------------------------------------------------
def _join(tensors, axis, name, join):
    """The inputs as Tensors and numpy's `join` (np.concatenate or np.stack) of their arrays;
    a ValueError naming `name`, the shapes and the axis when they do not fit together."""
    items = list(tensors)
    if not items:
        raise ValueError(f"{name}: needs at least one tensor, got an empty sequence")
    like = next((t for t in items if isinstance(t, Tensor)), None)
    parts = tuple(as_tensor(t, like) for t in items)
    try:
        return parts, join([t.data for t in parts], axis=axis)
    except ValueError as exc:
        shapes = ", ".join(str(t.data.shape) for t in parts)
        raise ValueError(f"{name}: shapes {shapes} along axis {axis}: {exc}") from None


@register("concatenate", "concat", arity=-1)
def concatenate(tensors, axis=0) -> Tensor:
    """[a, b, ...] joined along an existing `axis`;  each input gets its slice of g"""
    parts, out = _join(tensors, axis, "concatenate", np.concatenate)
    ax = axis % out.ndim
    bounds = np.cumsum([t.data.shape[ax] for t in parts])[:-1]

    def backward(g):
        return tuple(np.split(g, bounds, axis=ax))

    return record_op(out, parts, "concatenate", backward, {"axis": axis})


@register("stack", "stack", arity=-1)
def stack(tensors, axis=0) -> Tensor:
    """[a, b, ...] stacked along a new `axis`;  input i gets g[..., i, ...]"""
    parts, out = _join(tensors, axis, "stack", np.stack)
    lead = (slice(None),) * (axis % out.ndim)

    def backward(g):
        return tuple(g[lead + (i,)] for i in range(len(parts)))

    return record_op(out, parts, "stack", backward, {"axis": axis})


@register("where", "where", arity=2)
def where(condition, a, b) -> Tensor:
    """a where `condition` else b (broadcasting);  ga = g where condition, gb = g elsewhere"""
    cond = np.asarray(condition.data if isinstance(condition, Tensor) else condition, dtype=bool)
    like = a if isinstance(a, Tensor) else b if isinstance(b, Tensor) else None
    a, b = as_tensor(a, like), as_tensor(b, like)
    A, B = a.data, b.data

    def backward(g):
        ga = np.where(cond, g, 0) if a.requires_grad else None
        gb = np.where(cond, 0, g) if b.requires_grad else None
        return ga, gb

    return record_op(np.where(cond, A, B), (a, b), "where", backward)


# --- convolution and pooling (NCHW) ------------------------------------------------------------
# Shapes are PyTorch's: images (N, C, H, W), conv weights (out, in, kh, kw). Inside, the ops keep
# images channel-major, in (C, N, H, W) memory: an output is an (N, C, H, W)-shaped view of such
# an array, which the next conv or pool reads back without a copy. NOTE: the layout decides the
# speed. Every strided slice (one kernel offset of all windows) then runs along image rows, W
# numbers in a row; channels-last memory made them runs of C numbers (3 or 6 in LeNet) and the
# col2im adds 10x slower. The im2col matrix comes out transposed, (C·kh·kw, N·OH·OW), with its
# rows in the order of PyTorch's weight: the forward GEMM is weight.reshape(O, -1) @ cols, and
# the weight gradient g @ colsᵀ has the weight's own shape and layout.
# Not here: PyTorch's dilation, groups, ceil_mode and padding modes other than zeros.


def _image_input(x, name, like=None):
    """x as a Tensor holding an (N, C, H, W) batch."""
    x = as_tensor(x, like)
    if x.data.ndim != 4:
        raise ValueError(
            f"{name}: expects a 4-d input (N, C, H, W), got shape {x.data.shape} "
            "(one image: add the batch axis with x.reshape(1, C, H, W))"
        )
    return x


def _cast_like(x, W, name):
    """The input's array in the weights' float dtype (`linear` and `conv2d`).

    NOTE: data (x / 255.0 is float64) is cast to the weights' dtype, so one float64 batch does
    not silently run the whole step, gradients included, in float64."""
    X = x.data
    if X.dtype != W.dtype and W.dtype.kind == "f":
        if x.requires_grad:
            raise TypeError(
                f"{name}: the input is {X.dtype} and requires grad, the weight is {W.dtype}; "
                f"convert one of them (e.g. Tensor(x.astype(np.{W.dtype})))"
            )
        X = X.astype(W.dtype)
    return X


def _out_size(size, kernel, stride, padding, name, what):
    if size + 2 * padding < kernel:
        raise ValueError(
            f"{name}: the input's {what} is {size} (+ 2·{padding} padding) but the kernel is "
            f"{kernel} high/wide: the image is smaller than the kernel"
        )
    return (size + 2 * padding - kernel) // stride + 1


def _channel_major(X, padding, fill=0.0):
    """(N, C, H, W) -> a C-contiguous (C, N, H + 2ph, W + 2pw) array, the border filled with
    `fill`: the array's own memory when it already is one (an earlier op's output)."""
    ph, pw = padding
    xc = X.transpose(1, 0, 2, 3)
    if not ph and not pw:
        return np.ascontiguousarray(xc)
    c, n, h, w = xc.shape
    out = np.empty((c, n, h + 2 * ph, w + 2 * pw), X.dtype)
    out[:, :, :ph] = fill
    out[:, :, h + ph :] = fill
    out[:, :, ph : h + ph, :pw] = fill
    out[:, :, ph : h + ph, w + pw :] = fill
    out[:, :, ph : h + ph, pw : w + pw] = xc
    return out


def _matmul(a, b):
    """a @ b for 2-d arrays; an outer product (inner size 1, e.g. the input gradient of a conv
    with one output channel) as a broadcast multiply."""
    # NOTE: numpy's matmul with an inner size of 1 is ~10x slower than the multiply here
    # (measured: (180, 1) @ (1, 21160) 4.4 ms against 0.45 ms).
    if a.shape[1] == 1:
        return np.multiply(a, b)
    return a @ b


# NOTE: with the `fast` extra, a stride-1 conv with at most this many output channels runs the
# compiled direct kernels (forward and weight gradient) instead of im2col and GEMMs: with few
# output rows the GEMM only streams the im2col matrix (15 MB for LeNet-5's first conv at batch
# 64). Measured on the 2-core machine (forward and weight gradient, im2col and GEMMs at 2 BLAS
# threads against the direct kernels, median of 5 paired repeats): 3.0x for 3 -> 6 channels 5x5
# on 32x32, 1.9x for 6 -> 6 on 14x14, 4.7x for 20 -> 1 3x3, 1.3-1.6x for 4 output channels;
# with 8 output channels from 0.64x (16 -> 8, 3x3) to 1.27x, with 16 0.83x.
_DIRECT_MAX_OUT = 6


def _direct_kernels(xp, W, stride):
    """The compiled kernels when they should run this conv (see _DIRECT_MAX_OUT), else None."""
    if stride != (1, 1) or W.shape[0] > _DIRECT_MAX_OUT:
        return None
    if xp.dtype != W.dtype or xp.dtype not in (np.float32, np.float64):
        return None
    return compiled()


# NOTE: evaluating LeNet-5 on batches of 1000 images made a 235 MB im2col matrix per call,
# fresh memory every time (page faults): 40 ms a call. When no weight gradient will be asked
# for (no_grad, a frozen weight), the forward pass takes the batch in slices whose matrix has at
# most this many elements (4 MB of float32).
_COLS_SLICE = 1 << 20


def _offsets(kernel, stride, out_hw):
    """For each kernel offset (i, j): the slices of a channel-major padded image that hold the
    offset's input pixel of every window."""
    oh, ow = out_hw
    for i in range(kernel[0]):
        for j in range(kernel[1]):
            rows = slice(i, i + stride[0] * (oh - 1) + 1, stride[0])
            columns = slice(j, j + stride[1] * (ow - 1) + 1, stride[1])
            yield i, j, (slice(None), slice(None), rows, columns)


def _unpad(gp, padding):
    """The (N, C, H, W)-shaped gradient of the unpadded input, from a channel-major padded one."""
    ph, pw = padding
    h, w = gp.shape[2] - 2 * ph, gp.shape[3] - 2 * pw
    return gp[:, :, ph : ph + h, pw : pw + w].transpose(1, 0, 2, 3)


def _correlation_pays(stride, copies, adds):
    """Take the input gradient of a conv as a full correlation (`_full_correlation`) rather
    than a GEMM and col2im: at stride 1, when it copies fewer numbers per image (O·H·W) than
    col2im adds (C·OH·OW)."""
    return stride == (1, 1) and copies < adds


def _full_correlation(g, W, padding, image_hw):
    """The input gradient of a stride-1 conv as one conv: gx = g ⋆ W flipped, the output
    gradient padded by kernel - 1 - padding, i.e.
    gx[n,c,y,x] = Σ_{o,i,j} g_pad[n,o, y+ph+i, x+pw+j]·W[o,c, kh-1-i, kw-1-j] (g_pad: g with
    kh-1 and kw-1 zero rows and columns around it); an (N, C, H, W)-shaped channel-major view.

    NOTE: it copies O·kh·kw numbers per input pixel where col2im adds C·kh·kw per output pixel
    (and the GEMM is larger by H·W/(OH·OW)): it pays when the conv has fewer output than
    input channels (Fashion-MNIST's 20 -> 1: 9 copies of 1 channel against 9 adds of 20)."""
    o, c, kh, kw = W.shape
    n, _, oh, ow = g.shape
    h, w = image_hw
    gp = np.zeros((o, n, oh + 2 * (kh - 1), ow + 2 * (kw - 1)), g.dtype)
    gp[:, :, kh - 1 : kh - 1 + oh, kw - 1 : kw - 1 + ow] = g.transpose(1, 0, 2, 3)
    so, sn, sh, sw = gp.strides
    start = gp[:, :, padding[0] :, padding[1] :]
    windows = np.lib.stride_tricks.as_strided(
        start, (o, kh, kw, n, h, w), (so, sh, sw, sn, sh, sw), writeable=False
    )
    cols = windows.reshape(o * kh * kw, n * h * w)
    flipped = np.ascontiguousarray(W[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)).reshape(c, -1)
    return _matmul(flipped, cols).reshape(c, n, h, w).transpose(1, 0, 2, 3)


def _size_text(pair):
    return f"{pair[0]}" if pair[0] == pair[1] else f"{pair[0]}×{pair[1]}"


def _window_text(name, params):
    """Diagram text of a conv or pool node: ``Conv 5×5, 3→6``, ``MaxPool 2×2``, and the stride
    and padding when they are not the defaults."""
    kh, kw = params["kernel_size"]
    text = f"{name} {kh}×{kw}"
    if "in_channels" in params:
        text += f", {params['in_channels']}→{params['out_channels']}"
    default_stride = (1, 1) if name == "Conv" else params["kernel_size"]
    if tuple(params["stride"]) != tuple(default_stride):
        text += f", stride {_size_text(params['stride'])}"
    if tuple(params["padding"]) != (0, 0):
        text += f", padding {_size_text(params['padding'])}"
    return text


@register("conv2d", "Conv", arity=-1, text=lambda params: _window_text("Conv", params))
def conv2d(x, weight, bias=None, stride=1, padding=0) -> Tensor:
    """2-d cross-correlation, PyTorch's conv2d: x (N, C, H, W), weight (O, C, kh, kw), bias (O,);
    y[n,o,p,q] = b[o] + Σ_{c,i,j} W[o,c,i,j]·x_pad[n,c, s·p+i, s·q+j];
    gW[o,c,i,j] = Σ_{n,p,q} g[n,o,p,q]·x_pad[n,c, s·p+i, s·q+j], gb[o] = Σ_{n,p,q} g[n,o,p,q],
    gx_pad[n,c, s·p+i, s·q+j] += Σ_o g[n,o,p,q]·W[o,c,i,j]

    As GEMMs: the im2col matrix X (C·kh·kw rows, one column per output pixel) gives
    y = W X + b, gW = g Xᵀ, and the input gradient Wᵀ g, added back into the image once per
    kernel offset (kh·kw strided adds, col2im). With the `fast` extra, a stride-1 conv with
    few output channels computes y and gW directly from the image (`_DIRECT_MAX_OUT`)."""
    name = "conv2d"
    x = _image_input(x, name, weight)
    W = weight.data
    if W.ndim != 4:
        raise ValueError(f"{name}: weight must be 4-d (out, in, kh, kw), got shape {W.shape}")
    stride = int_pair(f"{name}: stride", stride)
    padding = int_pair(f"{name}: padding", padding, minimum=0)
    X = _cast_like(x, W, name)
    n, c, h, w = X.shape
    o, c_w, kh, kw = W.shape
    if c != c_w:
        raise ValueError(
            f"{name}: the input has {c} channels (shape {X.shape}) but the weight {W.shape} "
            f"(out, in, kh, kw) expects {c_w}"
        )
    if not kh or not kw:
        raise ValueError(
            f"{name}: the kernel {kh}×{kw} of the weight {W.shape} (out, in, kh, kw) is empty; "
            "expected at least 1×1 (as PyTorch)"
        )
    oh = _out_size(h, kh, stride[0], padding[0], name, f"height (shape {X.shape})")
    ow = _out_size(w, kw, stride[1], padding[1], name, f"width (shape {X.shape})")
    xp = _channel_major(X, padding)
    sc, sn, sh, sw = xp.strides
    steps = (sc, sh, sw, sn, sh * stride[0], sw * stride[1])
    w_mat = W.reshape(o, c * kh * kw)
    m = oh * ow
    cols = None
    if bias is not None and bias.data.shape != (o,):
        raise ValueError(f"{name}: bias has shape {bias.data.shape}, expected ({o},)")
    kernels = _direct_kernels(xp, W, stride)
    direct_gw = False
    needs_gw = is_grad_enabled() and weight.requires_grad
    if needs_gw:  # the weight gradient needs all of cols
        images = n
    else:
        images = max(1, _COLS_SLICE // (c * kh * kw * m))
    if kernels:  # the `fast` extra, few output channels: no im2col matrix
        out = np.empty((o, n * m), xp.dtype)
        shift = np.zeros(o, xp.dtype) if bias is None else bias.data.astype(xp.dtype, copy=False)
        planes = xp.reshape(c, n, -1)
        kernels.conv_forward(
            planes, np.ascontiguousarray(W), shift, out.reshape(o, n, oh, ow), xp.shape[3]
        )
        # NOTE: the direct weight gradient multiplies the input pixels past each window row's
        # end by zeros (see numba_loops), so an inf or NaN pixel would spoil taps that never
        # read it. At stride 1 every pixel is in a window and w·inf, w·NaN are never finite: the
        # output is finite only when the input is; otherwise the weight gradient takes im2col.
        with np.errstate(invalid="ignore", over="ignore"):  # inf - inf: a NaN, as it should
            direct_gw = needs_gw and bool(np.isfinite(np.add.reduce(out, axis=None)))
    elif images >= n:
        windows = np.lib.stride_tricks.as_strided(xp, (c, kh, kw, n, oh, ow), steps)
        cols = windows.reshape(c * kh * kw, n * m)  # im2col: the one copy of the input
        out = _matmul(w_mat, cols)
    else:  # a slice of the batch at a time: cols of a few MB, not of the whole batch
        out = np.empty((o, n * m), np.result_type(W, xp))
        for a in range(0, n, images):
            b = min(n, a + images)
            windows = np.lib.stride_tricks.as_strided(xp[:, a:b], (c, kh, kw, b - a, oh, ow), steps)
            out[:, a * m : b * m] = _matmul(w_mat, windows.reshape(c * kh * kw, (b - a) * m))
    if bias is not None:
        if not kernels:
            out += bias.data[:, None]
        parents = (x, weight, bias)
    else:
        parents = (x, weight)
    y = out.reshape(o, n, oh, ow).transpose(1, 0, 2, 3)

    def backward(g):
        gc = np.ascontiguousarray(g.transpose(1, 0, 2, 3))  # no copy when g is channel-major
        g2 = gc.reshape(o, -1)
        gx = gw = gb = None
        if weight.requires_grad and direct_gw:
            gw = np.empty(W.shape, gc.dtype)
            kernels.conv_weight_grad(planes, gc, gw, xp.shape[3], gc.dtype.type(0))
        elif weight.requires_grad:
            x_cols = cols
            if x_cols is None:  # the direct forward made none
                windows = np.lib.stride_tricks.as_strided(xp, (c, kh, kw, n, oh, ow), steps)
                x_cols = windows.reshape(c * kh * kw, n * m)
            # NOTE: as (X gᵀ)ᵀ, both operands in their own memory order: OpenBLAS took 30% less
            # time for LeNet-5's (6, 50176) @ (50176, 75) than g Xᵀ (one thread, CPU time).
            gw = (x_cols @ g2.T).T.reshape(W.shape)
        if bias is not None and bias.requires_grad:
            gb = np.add.reduce(g2, axis=1)
        if x.requires_grad:
            if _correlation_pays(stride, o * h * w, c * oh * ow):
                gx = _full_correlation(g, W, padding, (h, w))
            else:
                g_cols = _matmul(w_mat.T, g2).reshape(c, kh, kw, n, oh, ow)
                gp = np.zeros(xp.shape, g_cols.dtype)
                compiled_col2im = compiled() if stride == (1, 1) else None
                if compiled_col2im:  # the same adds in the same order, a third of the time
                    compiled_col2im.col2im(g_cols, gp)
                else:
                    for i, j, where in _offsets((kh, kw), stride, (oh, ow)):
                        gp[where] += g_cols[:, i, j]
                gx = _unpad(gp, padding)
        return gx, gw, gb

    params = {"in_channels": c, "out_channels": o, "kernel_size": (kh, kw), "stride": stride,
              "padding": padding}  # fmt: skip
    return record_op(y, parents, name, backward, params)


def _pool_setup(x, kernel_size, stride, padding, name):
    x = _image_input(x, name)
    kernel = int_pair(f"{name}: kernel_size", kernel_size)
    stride = kernel if stride is None else int_pair(f"{name}: stride", stride)
    padding = int_pair(f"{name}: padding", padding, minimum=0)
    if padding[0] > kernel[0] // 2 or padding[1] > kernel[1] // 2:
        raise ValueError(
            f"{name}: padding {padding} must be at most half the kernel size {kernel} "
            "(as in PyTorch)"
        )
    X = x.data
    if X.dtype.kind != "f":
        X = X.astype(np.float32)
    _, _, h, w = X.shape
    out_hw = (
        _out_size(h, kernel[0], stride[0], padding[0], name, f"height (shape {X.shape})"),
        _out_size(w, kernel[1], stride[1], padding[1], name, f"width (shape {X.shape})"),
    )
    params = {"kernel_size": kernel, "stride": stride, "padding": padding}
    return x, X, kernel, stride, padding, out_hw, params


def _arg_dtype(kernel):
    """The smallest integer type for an offset in a window."""
    return np.uint8 if kernel[0] * kernel[1] <= 256 else np.int32


def _window_max(xp, kernel, stride, out_hw, nan_aware):
    """The max of every window of a channel-major padded image and its arg-max (the offset
    i·kw + j in the window): the first maximum in row-major order, or the last NaN."""
    best = arg = larger = None
    for i, j, where in _offsets(kernel, stride, out_hw):
        part = xp[where]
        if best is None:
            best = part.copy()
            arg = np.zeros(best.shape, _arg_dtype(kernel))
            larger = np.empty(best.shape, bool)
            step = np.empty(best.shape, arg.dtype)
            continue
        # NOTE: strictly greater: an equal later value keeps the first arg-max (PyTorch's).
        np.greater(part, best, out=larger)
        if nan_aware:
            larger |= np.isnan(part)
        # NOTE: offsets come in increasing order, so where `larger`, the new offset is the
        # largest so far: arg = max(arg, offset·larger). np.maximum keeps a NaN, as the window
        # does. Both are a few times faster than np.copyto(..., where=larger).
        np.maximum(best, part, out=best)
        np.multiply(larger, arg.dtype.type(i * kernel[1] + j), out=step)
        np.maximum(arg, step, out=arg)
    return best, arg


def _first_pixel_of_flat_windows(best, arg, kernel, stride, padding):
    """An all -inf window keeps its arg-max at its first pixel inside the image (PyTorch's
    choice), not in the padding, where the gradient would be lost."""
    oh, ow = best.shape[2:]
    first_row = np.maximum(padding[0] - stride[0] * np.arange(oh), 0)
    first_column = np.maximum(padding[1] - stride[1] * np.arange(ow), 0)
    start = (first_row[:, None] * kernel[1] + first_column[None, :]).astype(arg.dtype)
    np.copyto(arg, start, where=best == -np.inf)


@register("max_pool2d", "MaxPool", text=lambda params: _window_text("MaxPool", params))
def max_pool2d(x, kernel_size, stride=None, padding=0) -> Tensor:
    """y[n,c,p,q] = max_{i,j} x_pad[n,c, s·p+i, s·q+j] (stride defaults to the kernel size;
    padding counts as -inf);  gx = g at the window's arg-max, the first one in row-major
    order when several are equal (as PyTorch), added up where windows overlap"""
    name = "max_pool2d"
    x, X, kernel, stride, padding, out_hw, params = _pool_setup(
        x, kernel_size, stride, padding, name
    )
    xp = _channel_major(X, padding, fill=-np.inf)
    kernels = compiled()
    if kernels:  # the `fast` extra: one pass over the windows, the same numbers
        best = np.empty((xp.shape[0], xp.shape[1], *out_hw), xp.dtype)
        arg = np.empty(best.shape, _arg_dtype(kernel))
        if kernel == (2, 2):
            kernels.max_pool_forward_2x2(xp, *stride, best, arg)
        else:
            kernels.max_pool_forward(xp, *kernel, *stride, best, arg)
    else:
        # NOTE: a NaN wins its window wherever it is, as in PyTorch (the last NaN in row-major
        # order takes the gradient); the strict `>` never picks one, so the comparison also
        # tests for NaN when the input holds one (its sum is then NaN: one cheap pass).
        nan_aware = bool(np.isnan(np.add.reduce(X, axis=None)))
        best, arg = _window_max(xp, kernel, stride, out_hw, nan_aware)
    if padding[0] or padding[1]:
        _first_pixel_of_flat_windows(best, arg, kernel, stride, padding)
    disjoint = stride[0] >= kernel[0] and stride[1] >= kernel[1]

    def backward(g):
        gc = g.transpose(1, 0, 2, 3)
        gp = np.zeros(xp.shape, g.dtype)
        for i, j, where in _offsets(kernel, stride, out_hw):
            hit = arg == i * kernel[1] + j
            if disjoint:  # each input pixel is in one window at most: write, not add
                np.multiply(gc, hit, out=gp[where])
            else:
                gp[where] += gc * hit
        return (_unpad(gp, padding),)

    return record_op(best.transpose(1, 0, 2, 3), (x,), name, backward, params)


@register("avg_pool2d", "AvgPool", text=lambda params: _window_text("AvgPool", params))
def avg_pool2d(x, kernel_size, stride=None, padding=0) -> Tensor:
    """y[n,c,p,q] = (1/(kh·kw)) Σ_{i,j} x_pad[n,c, s·p+i, s·q+j] (zero padding counted, as
    PyTorch's default count_include_pad=True);  gx_pad[window] += g/(kh·kw)"""
    name = "avg_pool2d"
    x, X, kernel, stride, padding, out_hw, params = _pool_setup(
        x, kernel_size, stride, padding, name
    )
    xp = _channel_major(X, padding)
    scale = 1.0 / (kernel[0] * kernel[1])
    total = None
    for _, _, where in _offsets(kernel, stride, out_hw):
        total = xp[where].copy() if total is None else np.add(total, xp[where], out=total)
    total *= scale

    def backward(g):
        share = g.transpose(1, 0, 2, 3) * scale
        gp = np.zeros(xp.shape, share.dtype)
        for _, _, where in _offsets(kernel, stride, out_hw):
            gp[where] += share
        return (_unpad(gp, padding),)

    return record_op(total.transpose(1, 0, 2, 3), (x,), name, backward, params)
