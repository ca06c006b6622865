"""`Tensor`: a numpy array in a computational graph, with the scalar engine's op names.

Every op computes its result with numpy and records, in one closure, how to turn the gradient
of its output ``g`` into the gradients of its inputs (a vector-Jacobian product). Each op's
docstring gives the forward formula and that rule. ``backward()`` walks the graph once in the
order of `graph.topo_order` (the same sort the scalar engine and the visualizer use) and sums
each gradient down to its input's shape there (`unbroadcast`): ops do not. Ops in other modules
build their nodes with `record_op`; the contract between an op and the driver is written
beside the node constructor below.

dtype: a Tensor made from a numpy array keeps the array's dtype (and shares its memory, as
``torch.from_numpy``); Python numbers and lists become float32. A Python number in an op takes
the Tensor's dtype (``x * 0.5`` stays float32): nothing upcasts to float64 unless you pass
float64 arrays. Integer tensors follow PyTorch: with a Python int they keep their dtype, with a
Python float, and in ops whose result is not an integer (``/``, exp, log, sigmoid, softmax,
mean ...), they become float32. float16 sums (sum, mean, softmax) accumulate in float32, as
numpy's mean and PyTorch do (a float16 sum overflows past 65504), and return float16.

Memory: importing this module sets glibc's malloc to keep freed memory for reuse
(`autograd.memory`; ``AUTOGRAD_MALLOC=0`` leaves it alone). ``backward()`` releases the graph
as it walks it (each non-leaf node drops its parents and its closure once used), so nothing of
a training step outlives the step. Pass ``retain_graph=True`` to keep it (to call backward
twice, or to draw gradients on the graph).
"""

from __future__ import annotations

import numbers

import numpy as np

from autograd.graph import GRAD_MODE, SCOPES, no_grad, op_table, record_scope, topo_order
from autograd.memory import keep_freed_memory

__all__ = [
    "Tensor",
    "accumulator",
    "OPS",
    "record_op",
    "as_tensor",
    "as_array",
    "sigmoid_array",
    "unbroadcast",
    "no_grad",
]

keep_freed_memory()  # a training step's temporaries reuse the heap (see autograd.memory)

OPS, register = op_table()
_new = object.__new__


def _freed(g):
    raise RuntimeError(
        "backward(): this part of the graph was already released by an earlier backward(); "
        "call backward(retain_graph=True) the first time to go through it twice"
    )


def unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """The gradient of numpy broadcasting: sum ``grad`` over the axes that broadcasting added
    or stretched, down to ``shape``; returns ``grad`` itself (no copy) when the shapes already
    match. `Tensor.backward` calls it, the one place gradients are unbroadcast."""
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and grad.shape[lead + i] != 1
    )
    return grad.sum(axis=axes).reshape(shape)


# --- making nodes ---------------------------------------------------------------------------------
# Every Tensor, leaf or op result, gets its fields in `_fill` (the one constructor).
#
# The contract between an op and the backward driver (`Tensor.backward`):
# - An op's ``backward(g)`` gets the gradient ``g`` of its output (an array of the output's
#   shape; it must not write into it: ``g`` may also be another node's gradient or a
#   ``.grad`` the caller reads) and returns one gradient per parent, in the order of
#   ``parents``: ``None`` for a parent that needs none (it may test ``p.requires_grad``),
#   else an array of the parent's shape or of any shape the parent's broadcasts to (the op's
#   output shape, typically): the driver sums it down (`unbroadcast`) and casts it to the
#   parent's dtype.
# - What it returns is ``g`` itself, a view of ``g`` (reshape, transpose, broadcast_to,
#   slices), or a fresh array the op does not keep or change afterwards.
# - The driver never writes into what an op returns. It adds gradients with ``a + b`` (a new
#   array) for nodes reached twice, and copies before storing a leaf's ``.grad`` (which grows
#   with ``+=`` and which optimizers may update in place) when the array is ``g``, a view of
#   memory ``g`` uses, or read-only; a fresh array is stored as it is.
def _fill(out, data, requires_grad, parents, op, backward, params, label):
    """Set every field of the Tensor `out`: the one place a node's fields are written."""
    out.data = data
    out.grad = None
    out.requires_grad = requires_grad
    out.parents = parents
    out.op = op
    out.label = label
    out.params = params
    out._backward = backward
    if SCOPES:  # diagrams: the `scope` block the node was made in
        record_scope(out)
    return out


def record_op(data, parents: tuple, op: str, backward, params=None) -> Tensor:
    """The Tensor an op returns: ``data`` (its value), and, when grad mode is on and a parent
    requires grad, ``parents`` and ``backward`` (the vector-Jacobian product, see the contract
    above); otherwise a leaf that requires no grad. ``params`` are the op's parameters for
    diagrams. Ops in other modules (`autograd.functional`) make their nodes with it too."""
    # NOTE: numpy ufuncs turn 0-d arrays into scalars (np.float32); data stays an array.
    if type(data) is not np.ndarray:
        data = np.asarray(data)
    if GRAD_MODE.enabled:
        for p in parents:
            if p.requires_grad:
                return _fill(_new(Tensor), data, True, parents, op, backward, params, "")
    return _fill(_new(Tensor), data, False, (), op, None, params, "")


def as_tensor(x, like: Tensor | None = None) -> Tensor:
    """``x`` as a Tensor: a Tensor as it is, a numpy array shared (a leaf), a number in the
    float dtype of ``like`` (``x * 0.5`` stays float32: no silent upcast), anything else
    through ``Tensor(x)``."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, np.ndarray):
        return _fill(_new(Tensor), x, False, (), "", None, None, "")
    if like is not None and isinstance(x, (numbers.Number, np.generic)):
        # NOTE: numpy scalars too (np.sqrt(2) is a float64): a float tensor keeps its dtype.
        dtype = like.data.dtype
        if dtype.kind != "f":
            dtype = _number_dtype(x, dtype)
        try:
            array = np.asarray(x, dtype=dtype)
        except OverflowError:  # uint8 tensor - 1: numpy's own promotion (int64), not an error
            array = np.asarray(x)
        return _fill(_new(Tensor), array, False, (), "", None, None, "")
    return Tensor(x)


def _number_dtype(x, dtype: np.dtype):
    """The dtype of a Python number `x` in an op with a non-float tensor of `dtype`, as in
    PyTorch: an int keeps an integer tensor's dtype, a float makes float32 (numpy's float64
    would upcast the result); None (numpy's choice) otherwise."""
    if isinstance(x, (bool, np.bool_)):
        return dtype if dtype.kind != "b" else None
    if isinstance(x, numbers.Integral):
        return dtype if dtype.kind in "iu" else None
    if isinstance(x, numbers.Real):
        return np.float32
    return None


def _promote(A: np.ndarray, B: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's promotion of an integer (or bool) array with a float array: both in the
    float's dtype (numpy gives float64 for int32 with float32). Other pairs as they are."""
    if A.dtype.kind == "f":
        if B.dtype.kind in "iub":
            return A, B.astype(A.dtype)
    elif B.dtype.kind == "f" and A.dtype.kind in "iub":
        return A.astype(B.dtype), B
    return A, B


def _floating(A: np.ndarray) -> np.ndarray:
    """`A` itself when it holds floats, else as float32 (PyTorch's default dtype): the input of
    an op whose result is not an integer (numpy would give float64, or refuse to write floats
    into an integer array)."""
    return A if A.dtype.kind == "f" else A.astype(np.float32)


def accumulator(dtype: np.dtype):
    """The dtype a sum of `dtype` numbers accumulates in: float32 for float16 (numpy's mean and
    PyTorch do the same: a float16 sum overflows past 65504 and loses digits long before),
    None (the array's own) for everything else. Pass it as the ``dtype=`` of ``.sum``."""
    return np.float32 if dtype.char == "e" else None  # "e": float16, either byte order


def as_array(x) -> np.ndarray:
    """``x`` as a numpy array: a Tensor's own ``data`` (shared, not a copy), anything else
    through ``np.asarray``. The loader, `fit` and the metrics accept either."""
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def _broadcast_error(op, a, b):
    return ValueError(
        f"{op}: shapes {a.data.shape} and {b.data.shape} do not broadcast (numpy rules: "
        "trailing axes must be equal or 1)"
    )


def sigmoid_array(x: np.ndarray) -> np.ndarray:
    """σ(x) = 1/(1 + e^-x) of a numpy array (a new array), in three in-place passes."""
    out = np.negative(x) if x.ndim else np.negative(x, out=np.empty_like(x))  # 0-d: an array
    # NOTE: e^-x overflows to inf for x < -88 (float32); 1/(1 + inf) = 0 is the right limit,
    # so only the warning is silenced, the value is exact.
    with np.errstate(over="ignore"):
        np.exp(out, out=out)
    out += 1
    return np.divide(1, out, out=out)  # NOTE: faster than np.reciprocal for float32


def _axes(axis, ndim):
    """`axis` (None, int or tuple) as a tuple of non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, numbers.Integral) else tuple(axis)
    out = []
    for a in axes:
        if not -ndim <= a < ndim:
            raise ValueError(f"axis {a} is out of range for a tensor with {ndim} dimensions")
        out.append(a % ndim)
    return tuple(out)


def _expand(g, shape, axis, keepdims):
    """Broadcast the gradient of a reduction over `axis` back to the input `shape`."""
    if not keepdims and axis is not None:
        g = np.expand_dims(g, _axes(axis, len(shape)))
    return np.broadcast_to(g, shape)


class Tensor:
    """A numpy array that records the operations made from it, for ``backward()``.

    >>> x = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> y = (x * x).sum(); y.backward(); x.grad
    array([[2., 4.],
           [6., 8.]], dtype=float32)

    Leaf gradients (tensors made by you, e.g. weights) accumulate across ``backward()`` calls,
    as in PyTorch, until ``zero_grad()``; gradients of intermediate results are not kept
    unless ``backward(retain_graph=True)``.
    """

    __slots__ = (
        "data",
        "grad",
        "requires_grad",
        "parents",
        "op",
        "label",
        "params",
        "_backward",
        "__weakref__",
    )
    OPS = OPS  # the op table of Tensor nodes (diagrams read op symbols through the class)
    __array_ufunc__ = None  # numpy defers to our reflected operators: array + Tensor -> Tensor

    def __init__(self, data, requires_grad=False, label="", dtype=None):
        if isinstance(data, Tensor):
            data = data.data
        if isinstance(data, np.ndarray):
            array = data if dtype is None else data.astype(dtype, copy=False)
        elif isinstance(data, np.generic):
            array = np.asarray(data, dtype=dtype)
        else:
            try:
                array = np.asarray(data, dtype=np.float32 if dtype is None else dtype)
            except (TypeError, ValueError) as exc:
                raise TypeError(
                    f"Tensor expects a numpy array, a number or a (nested) list of numbers, "
                    f"got {type(data).__name__}: {exc}"
                ) from None
        if array.dtype.kind not in "fiub":
            raise TypeError(f"Tensor holds numbers; got an array of dtype {array.dtype}")
        if requires_grad and array.dtype.kind != "f":
            raise TypeError(
                f"only floating-point tensors can require grad; this one is {array.dtype} "
                "(pass dtype=np.float32 or a float array)"
            )
        _fill(self, array, bool(requires_grad), (), "", None, None, label)

    # --- array-like properties ------------------------------------------------------------------
    @property
    def shape(self) -> tuple:
        return self.data.shape

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def T(self) -> Tensor:
        return self.transpose()

    def __len__(self) -> int:
        return len(self.data)

    def __array__(self, dtype=None, copy=None):
        return self.data if dtype is None else self.data.astype(dtype)

    def item(self) -> float:
        """The value of a one-element tensor as a Python number."""
        if self.data.size != 1:
            raise ValueError(f"item(): needs a one-element tensor, got shape {self.data.shape}")
        return self.data.item()

    def numpy(self) -> np.ndarray:
        """The data array (shared, not copied)."""
        return self.data

    def detach(self) -> Tensor:
        """The same data as a new leaf that requires no grad (memory is shared)."""
        return as_tensor(self.data)

    def zero_grad(self) -> None:
        """Forget the gradient (``grad = None``)."""
        self.grad = None

    def __repr__(self) -> str:
        body = np.array2string(self.data, precision=4, separator=", ", threshold=20)
        extra = f", dtype={self.data.dtype}" if self.data.dtype != np.float32 else ""
        if self.requires_grad:
            extra += ", requires_grad=True"
        if self.label:
            extra += f", label={self.label!r}"
        return f"Tensor({body}{extra})"

    # --- binary ops (broadcasting) ----------------------------------------------------------
    @register("add", "+", arity=2)
    def __add__(self, other):
        """a + b;  ga = g, gb = g (summed over broadcast axes)"""
        a, b = self, other if type(other) is Tensor else as_tensor(other, self)

        def backward(g):
            return g, g

        A, B = a.data, b.data
        if A.dtype is not B.dtype:  # NOTE: identity first: the float32 hot path pays one test
            A, B = _promote(A, B)
        try:
            out = A + B
        except ValueError:
            raise _broadcast_error("add", a, b) from None
        return record_op(out, (a, b), "add", backward)

    def __radd__(self, other):
        return as_tensor(other, self) + self

    @register("sub", "-", arity=2)
    def __sub__(self, other):
        """a - b;  ga = g, gb = -g"""
        a, b = self, other if type(other) is Tensor else as_tensor(other, self)

        def backward(g):
            return g, (-g if b.requires_grad else None)

        A, B = a.data, b.data
        if A.dtype is not B.dtype:
            A, B = _promote(A, B)
        try:
            out = A - B
        except ValueError:
            raise _broadcast_error("sub", a, b) from None
        return record_op(out, (a, b), "sub", backward)

    def __rsub__(self, other):
        return as_tensor(other, self) - self

    @register("mul", "×", arity=2)
    def __mul__(self, other):
        """a * b;  ga = g·b, gb = g·a"""
        a, b = self, other if type(other) is Tensor else as_tensor(other, self)
        A, B = a.data, b.data
        if A.dtype is not B.dtype:
            A, B = _promote(A, B)

        def backward(g):
            ga = g * B if a.requires_grad else None
            gb = g * A if b.requires_grad else None
            return ga, gb

        try:
            out = A * B
        except ValueError:
            raise _broadcast_error("mul", a, b) from None
        return record_op(out, (a, b), "mul", backward)

    def __rmul__(self, other):
        return as_tensor(other, self) * self

    @register("div", "÷", arity=2)
    def __truediv__(self, other):
        """a / b;  ga = g/b, gb = -g·a/b² = -(g/b)·(a/b)"""
        a, b = self, other if type(other) is Tensor else as_tensor(other, self)
        A, B = a.data, b.data
        if A.dtype.kind != "f" or B.dtype.kind != "f":  # int / int: float32, as PyTorch
            A, B = _promote(A, B)
            A, B = _floating(A), _floating(B)
        try:
            out = A / B
        except ValueError:
            raise _broadcast_error("div", a, b) from None

        def backward(g):
            g_over_b = g / B
            ga = g_over_b if a.requires_grad else None
            gb = -g_over_b * out if b.requires_grad else None
            return ga, gb

        return record_op(out, (a, b), "div", backward)

    def __rtruediv__(self, other):
        return as_tensor(other, self) / self

    @register("pow", "**", arity=2, domain="positive")
    def __pow__(self, other):
        """a ** b;  ga = g·b·a^(b-1), gb = g·a^b·ln(a)

        At the edge points the values are PyTorch's (and the scalar engine's): ga = 0 where
        b = 0 (also at a = 0); gb = 0 where a = 0 and b ≥ 0; gb = nan where a < 0 (ln a is not
        real) and -inf·g where a = 0 and b < 0. A number exponent is a parameter of the node
        (one parent), as in the scalar engine."""
        a = self
        A = a.data
        if isinstance(other, numbers.Real) and not isinstance(other, Tensor):
            n = float(other)

            def backward_number(g):
                if n == 2.0:
                    return (g * (A + A),)
                if n == 0.0:  # NOTE: not 0·a^-1, which is nan at a = 0
                    return (np.zeros_like(g),)
                return (g * (n * A ** (n - 1.0)),)

            out = A**n
            if A.dtype.kind != "f":  # as PyTorch: int ** int stays int, int ** float is float32
                out = A ** int(other) if isinstance(other, numbers.Integral) else _floating(A) ** n
            return record_op(out, (a,), "pow", backward_number, {"exponent": n})
        b = as_tensor(other, self)
        B = b.data
        if A.dtype is not B.dtype:
            A, B = _promote(A, B)
        out = A**B

        def backward(g):
            ga = gb = None
            with np.errstate(divide="ignore", invalid="ignore"):
                if a.requires_grad:
                    ga = np.where(B == 0, 0, g * B * A ** (B - 1))
                if b.requires_grad:
                    gb = np.where((A == 0) & (B >= 0), 0, g * out * np.log(A))
            return ga, gb

        return record_op(out, (a, b), "pow", backward)

    def __rpow__(self, other):
        return as_tensor(other, self) ** self

    @register("matmul", "@", arity=2)
    def __matmul__(self, other):
        """a @ b (numpy matmul rules);  ga = g @ bᵀ, gb = aᵀ @ g"""
        a, b = self, other if type(other) is Tensor else as_tensor(other, self)
        A, B = a.data, b.data
        if A.ndim == 0 or B.ndim == 0:
            raise ValueError(
                f"matmul: needs tensors of at least one dimension, got shapes {A.shape} and "
                f"{B.shape} (use * to multiply by a scalar)"
            )
        k_b = B.shape[-2] if B.ndim > 1 else B.shape[0]
        if A.shape[-1] != k_b:
            raise ValueError(
                f"matmul: shapes {A.shape} and {B.shape} do not align: the left operand has "
                f"{A.shape[-1]} columns, the right one {k_b} rows"
            )
        try:
            out = A @ B
        except ValueError as exc:
            raise ValueError(f"matmul: shapes {A.shape} and {B.shape}: {exc}") from None

        def backward(g):
            if A.ndim == 2 and B.ndim == 2:
                ga = g @ B.T if a.requires_grad else None
                gb = A.T @ g if b.requires_grad else None
                return ga, gb
            # 1-d operands are promoted as numpy does: a -> (1, n), b -> (n, 1); the promoted
            # axis is dropped again, batch axes are summed by the driver (unbroadcast).
            a2 = A.reshape(1, -1) if A.ndim == 1 else A
            b2 = B.reshape(-1, 1) if B.ndim == 1 else B
            g2 = g[..., None] if B.ndim == 1 else g
            g2 = np.expand_dims(g2, -2) if A.ndim == 1 else g2
            ga = gb = None
            if a.requires_grad:
                ga = g2 @ np.swapaxes(b2, -1, -2)
                ga = ga[..., 0, :] if A.ndim == 1 else ga
            if b.requires_grad:
                gb = np.swapaxes(a2, -1, -2) @ g2
                gb = gb[..., 0] if B.ndim == 1 else gb
            return ga, gb

        return record_op(out, (a, b), "matmul", backward)

    def __rmatmul__(self, other):
        return as_tensor(other, self) @ self

    # --- unary ops ----------------------------------------------------------------------------
    @register("neg", "−")
    def __neg__(self):
        """-a;  ga = -g"""
        return record_op(-self.data, (self,), "neg", lambda g: (-g,))

    @register("abs", "|x|")
    def __abs__(self):
        """|a|;  ga = g·sign(a) (0 at 0)"""
        A = self.data
        return record_op(np.abs(A), (self,), "abs", lambda g: (g * np.sign(A),))

    def abs(self):
        return self.__abs__()

    @register("exp", "exp")
    def exp(self):
        """e^a;  ga = g·e^a"""
        out = np.exp(_floating(self.data))
        return record_op(out, (self,), "exp", lambda g: (g * out,))

    @register("log", "ln", domain="positive")
    def log(self):
        """ln(a), a > 0;  ga = g/a"""
        A = _floating(self.data)
        return record_op(np.log(A), (self,), "log", lambda g: (g / A,))

    @register("sqrt", "√", domain="positive")
    def sqrt(self):
        """√a, a ≥ 0;  ga = g/(2√a)"""
        out = np.sqrt(_floating(self.data))
        return record_op(out, (self,), "sqrt", lambda g: (g / (out + out),))

    @register("tanh", "tanh")
    def tanh(self):
        """tanh(a);  ga = g·(1 - tanh²(a))"""
        out = np.tanh(_floating(self.data))

        def backward(g):
            # NOTE: `out * out` of a 0-d array is a numpy scalar, which cannot take out=.
            d = np.multiply(out, out, out=np.empty_like(out))
            np.subtract(1, d, out=d)
            d *= g
            return (d,)

        return record_op(out, (self,), "tanh", backward)

    @register("sigmoid", "σ")
    def sigmoid(self):
        """σ(a) = 1/(1 + e^-a);  ga = g·σ(a)(1 - σ(a))"""
        out = sigmoid_array(_floating(self.data))

        def backward(g):
            d = np.subtract(1, out)
            d *= out
            d *= g
            return (d,)

        return record_op(out, (self,), "sigmoid", backward)

    @register("relu", "ReLU")
    def relu(self):
        """max(0, a);  ga = g·[a > 0]"""
        A = self.data
        return record_op(np.maximum(A, 0), (self,), "relu", lambda g: (g * (A > 0),))

    @register("leaky_relu", "LeakyReLU", alpha=0.01)
    def leaky_relu(self, alpha=0.01):
        """a if a > 0 else α·a;  ga = g if a > 0 else α·g"""
        alpha = float(alpha)
        A = _floating(self.data)
        positive = A > 0
        out = np.where(positive, A, alpha * A)
        return record_op(
            out,
            (self,),
            "leaky_relu",
            lambda g: (np.where(positive, g, alpha * g),),
            {"alpha": alpha},
        )

    @register("elu", "ELU", alpha=1.0)
    def elu(self, alpha=1.0):
        """a if a > 0 else α(e^a - 1);  ga = g if a > 0 else g·α·e^a"""
        alpha = float(alpha)
        A = _floating(self.data)
        positive = A > 0
        # NOTE: e^a only where a ≤ 0: e^a of large positive a would overflow (and warn).
        exp_neg = np.exp(np.minimum(A, 0))
        out = np.where(positive, A, alpha * (exp_neg - 1))
        return record_op(
            out,
            (self,),
            "elu",
            lambda g: (np.where(positive, g, g * (alpha * exp_neg)),),
            {"alpha": alpha},
        )

    @register("softplus", "softplus")
    def softplus(self):
        """ln(1 + e^a);  ga = g·σ(a)"""
        A = _floating(self.data)
        # NOTE: max(a, 0) + ln(1 + e^-|a|) never overflows.
        out = np.maximum(A, 0) + np.log1p(np.exp(-np.abs(A)))
        return record_op(out, (self,), "softplus", lambda g: (g * sigmoid_array(A),))

    @register("softmax", "softmax", axis=-1)
    def softmax(self, axis=-1):
        """sᵢ = e^aᵢ / Σⱼ e^aⱼ along `axis`;  ga = s·(g - Σ g·s)"""
        A = _floating(self.data)
        acc = accumulator(A.dtype)  # NOTE: 70,000 float16 terms of up to 1 would sum to inf
        # NOTE: shifting by the max changes nothing mathematically and keeps e^a finite.
        # (into an array of its own: `A - max` of a 0-d A is a numpy scalar, and exp needs out=)
        out = np.subtract(A, A.max(axis=axis, keepdims=True), out=np.empty_like(A))
        np.exp(out, out=out)
        out /= out.sum(axis=axis, keepdims=True, dtype=acc)

        def backward(g):
            gs = g * out
            gs -= out * gs.sum(axis=axis, keepdims=True, dtype=acc)
            return (gs,)

        return record_op(out, (self,), "softmax", backward, {"axis": axis})

    @register("log_softmax", "log softmax", axis=-1)
    def log_softmax(self, axis=-1):
        """aᵢ - log Σⱼ e^aⱼ along `axis`;  ga = g - softmax(a)·Σ g"""
        A = _floating(self.data)
        acc = accumulator(A.dtype)
        shifted = A - A.max(axis=axis, keepdims=True)  # NOTE: log-sum-exp trick, as softmax
        out = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True, dtype=acc))
        out = out.astype(A.dtype, copy=False)

        def backward(g):
            return (g - np.exp(out) * g.sum(axis=axis, keepdims=True, dtype=acc),)

        return record_op(out, (self,), "log_softmax", backward, {"axis": axis})

    # --- reductions ---------------------------------------------------------------------------
    @register("sum", "Σ")
    def sum(self, axis=None, keepdims=False):
        """Σ a over `axis` (all by default);  ga = g broadcast back to a's shape"""
        A = self.data
        _axes(axis, A.ndim)  # a clear error for a bad axis
        acc = accumulator(A.dtype)
        out = np.asarray(A.sum(axis=axis, keepdims=keepdims, dtype=acc))
        if acc is not None:
            with np.errstate(over="ignore"):  # a float16 sum past 65504 is inf, as in PyTorch
                out = out.astype(A.dtype)
        return record_op(
            out,
            (self,),
            "sum",
            lambda g: (_expand(g, A.shape, axis, keepdims),),
            {"axis": axis} if axis is not None else None,
        )

    @register("mean", "mean")
    def mean(self, axis=None, keepdims=False):
        """(1/n) Σ a over `axis`;  ga = g/n broadcast back"""
        A = self.data
        axes = _axes(axis, A.ndim)
        count = 1
        for ax in axes:
            count *= A.shape[ax]
        scale = 1.0 / count if count else float("nan")
        acc = accumulator(A.dtype) if A.dtype.kind == "f" else np.float32  # ints: float32
        out = np.asarray(A.sum(axis=axis, keepdims=keepdims, dtype=acc) * scale)
        if acc is not None:
            out = out.astype(A.dtype if A.dtype.kind == "f" else np.float32)
        return record_op(
            out,
            (self,),
            "mean",
            lambda g: (_expand(g * scale, A.shape, axis, keepdims),),
            {"axis": axis} if axis is not None else None,
        )

    def _extreme(self, axis, keepdims, name, reduce):
        A = self.data
        _axes(axis, A.ndim)
        if A.size == 0:
            raise ValueError(f"{name}: the tensor is empty (shape {A.shape}); no {name} exists")
        kept = reduce(A, axis=axis, keepdims=True)
        out = kept if keepdims else np.asarray(reduce(A, axis=axis))

        def backward(g):
            # The gradient goes to the extreme element; ties share it equally.
            mask = A == kept
            g_kept = g if keepdims or axis is None else np.expand_dims(g, _axes(axis, A.ndim))
            share = mask / mask.sum(axis=axis, keepdims=True, dtype=A.dtype)
            return (share * g_kept,)

        return record_op(out, (self,), name, backward, {"axis": axis} if axis is not None else None)

    @register("max", "max")
    def max(self, axis=None, keepdims=False):
        """max a over `axis`;  ga = g at the maximum (shared equally between ties), 0 elsewhere"""
        return self._extreme(axis, keepdims, "max", np.max)

    @register("min", "min")
    def min(self, axis=None, keepdims=False):
        """min a over `axis`;  ga = g at the minimum (shared equally between ties), 0 elsewhere"""
        return self._extreme(axis, keepdims, "min", np.min)

    # --- shape ops ----------------------------------------------------------------------------
    @register("reshape", "reshape")
    def reshape(self, *shape):
        """a with a new shape (same elements in the same order);  ga = g reshaped back"""
        if len(shape) == 1 and not isinstance(shape[0], numbers.Integral):
            shape = tuple(shape[0])
        A = self.data
        try:
            out = A.reshape(shape)
        except ValueError:
            raise ValueError(
                f"reshape: cannot reshape a tensor of shape {A.shape} ({A.size} elements) "
                f"into {shape}"
            ) from None
        return record_op(
            out, (self,), "reshape", lambda g: (g.reshape(A.shape),), {"shape": out.shape}
        )

    @register("transpose", "ᵀ")
    def transpose(self, *axes):
        """a with its axes permuted (reversed by default);  ga = g with the inverse permutation"""
        if len(axes) == 1 and not isinstance(axes[0], numbers.Integral):
            axes = tuple(axes[0])
        A = self.data
        if axes:
            # As numpy and PyTorch: each axis in [-ndim, ndim), each axis once (no modulo).
            ok = len(axes) == A.ndim and all(
                isinstance(a, numbers.Integral) and -A.ndim <= a < A.ndim for a in axes
            )
            if not ok or sorted(a % A.ndim for a in axes) != list(range(A.ndim)):
                raise ValueError(
                    f"transpose: axes {axes} are not a permutation of the {A.ndim} axes of a "
                    f"tensor of shape {A.shape} (give each of 0..{A.ndim - 1} once, or -1 for "
                    "the last)"
                )
        perm = tuple(a % A.ndim for a in axes) if axes else tuple(range(A.ndim - 1, -1, -1))
        inverse = tuple(np.argsort(perm))
        return record_op(
            A.transpose(perm),
            (self,),
            "transpose",
            lambda g: (g.transpose(inverse),),
            {"axes": perm} if axes else None,
        )

    @register("getitem", "[]")
    def __getitem__(self, index):
        """a[index] (numpy indexing);  ga = g scattered back to the indexed places; repeated
        indices add up (np.add.at)"""
        index = _plain_index(index)
        A = self.data
        out = A[index]
        advanced = _has_int_array(index)

        def backward(g):
            ga = np.zeros(A.shape, dtype=g.dtype)
            if advanced:
                np.add.at(ga, index, g)
            else:
                ga[index] = g  # basic indexing and boolean masks select each place once
            return (ga,)

        return record_op(np.asarray(out), (self,), "getitem", backward, {"index": index})

    @register("clip", "clip")
    def clip(self, low=None, high=None):
        """min(max(a, low), high);  ga = g where low ≤ a ≤ high, else 0"""
        if low is None and high is None:
            raise ValueError("clip: give low, high or both")
        A = self.data
        low = None if low is None else float(low)
        high = None if high is None else float(high)
        out = np.clip(A, low, high)

        def backward(g):
            inside = np.ones(A.shape, dtype=bool) if low is None else A >= low
            if high is not None:
                inside &= A <= high
            return (g * inside,)

        return record_op(out, (self,), "clip", backward, {"low": low, "high": high})

    # --- gradients ----------------------------------------------------------------------------
    def backward(self, grad=None, retain_graph=False) -> None:
        """Back-propagate from this tensor: every leaf that requires grad gets
        ``leaf.grad += d(self)/d(leaf)`` (``grad`` is the seed; 1 for a one-element output).

        The graph is released on the way (each node drops its parents and closure after use)
        unless ``retain_graph=True``, which also keeps the gradients of intermediate nodes.
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward(): this tensor does not require grad (no input of it has "
                "requires_grad=True, or it was computed under no_grad())"
            )
        data = self.data
        if grad is None:
            if data.size != 1:
                raise RuntimeError(
                    f"backward(): the output has shape {data.shape}; pass grad= (an array of "
                    "that shape) or reduce it to one element first (e.g. .sum())"
                )
            seed = np.array(1, dtype=data.dtype) if not data.ndim else np.ones_like(data)
        else:
            seed = np.array(grad.data if isinstance(grad, Tensor) else grad, dtype=data.dtype)
            if seed.shape != data.shape:
                raise ValueError(
                    f"backward(): grad has shape {seed.shape} but the output has shape {data.shape}"
                )
        if self._backward is None:  # a leaf: its gradient is the seed
            _accumulate_leaf(self, seed, None)
            return
        # An intermediate node's .grad holds its gradient while the walk needs it. Every one
        # starts from None (a retained graph keeps the last backward's, for display), so no
        # gradient of an earlier call, or of one that failed half-way, can leak into this one.
        order = topo_order(self)
        for node in order:
            if node._backward is not None:
                node.grad = None
        self.grad = seed
        try:
            for node in reversed(order):
                fn = node._backward
                if fn is None:
                    continue
                g = node.grad
                if g is not None:
                    for p, gp in zip(node.parents, fn(g)):
                        if gp is None or not p.requires_grad:
                            continue
                        data = p.data
                        if gp.shape != data.shape:
                            gp = unbroadcast(gp, data.shape)
                        if gp.dtype is not data.dtype and gp.dtype != data.dtype:
                            gp = gp.astype(data.dtype)
                        if p._backward is None:
                            _accumulate_leaf(p, gp, g)
                        elif p.grad is None:
                            p.grad = gp
                        else:
                            # NOTE: not +=: p.grad may be the very array another node holds.
                            p.grad = p.grad + gp
                if not retain_graph:
                    node.parents = ()
                    node._backward = _freed
                    node.grad = None
        except BaseException:
            for node in order:  # a failed walk leaves no gradient behind on the graph
                if node._backward is not None:
                    node.grad = None
            raise
        self.grad = seed


def _accumulate_leaf(leaf, gp, g):
    """Add `gp` into a leaf's gradient; the leaf owns its array (optimizers update in place)."""
    if leaf.grad is None:
        # A fresh array from the op is stored as is (in whatever memory layout the op chose);
        # the op's own input gradient `g` or a view of it (passed through by add, reshape,
        # sum, ...) is shared with other nodes, so it is copied.
        base = gp.base
        if type(gp) is not np.ndarray or (
            g is not None
            and (gp is g or (base is not None and (base is _owner(g) or not gp.flags.writeable)))
        ):
            gp = np.array(gp)  # also makes a numpy scalar (from a 0-d op) an array
        leaf.grad = gp
    else:
        leaf.grad += gp


def _owner(array):
    """The array that owns `array`'s memory (numpy collapses chains of views to it)."""
    return array if array.base is None else array.base


def _plain_index(index):
    """An index with Tensors replaced by their arrays and lists by arrays."""
    if isinstance(index, tuple):
        return tuple(_plain_index(i) for i in index)
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, list):
        return np.asarray(index)
    return index


def _has_int_array(index) -> bool:
    items = index if isinstance(index, tuple) else (index,)
    return any(isinstance(i, np.ndarray) and i.dtype.kind in "iu" for i in items)
