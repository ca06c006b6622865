"""Layers: `Linear`, `Conv2d`, the pools, `Flatten`, the activation modules and `Dropout`.

Every layer here can describe itself (``config()``: its constructor arguments, JSON-safe), so
a `Sequential` of them can be saved with its architecture and rebuilt by ``nn.load``.
"""

from __future__ import annotations

import numpy as np

from autograd.arguments import finite, int_pair, positive_int
from autograd.functional import avg_pool2d, conv2d, dropout, linear, max_pool2d
from autograd.nn import init as initializers
from autograd.nn.module import Module, Parameter

__all__ = [
    "Linear",
    "Conv2d",
    "MaxPool2d",
    "AvgPool2d",
    "Flatten",
    "Sigmoid",
    "Tanh",
    "ReLU",
    "LeakyReLU",
    "ELU",
    "Softmax",
    "Identity",
    "Dropout",
]


class Linear(Module):
    """``y = x @ weight.T + bias``, with ``weight`` of shape ``(out_features, in_features)`` and
    ``bias`` of shape ``(out_features,)``, as in PyTorch.

    ``init`` names the weight initializer (`autograd.nn.init`: ``"glorot_uniform"`` (default),
    ``"glorot_normal"``, ``"he_uniform"``, ``"he_normal"``, their ``xavier_``/``kaiming_``
    aliases, ``"uniform"``, ``"zeros"``) or is a callable ``f(shape, rng, dtype=...)``; the
    bias starts at zero. ``rng`` is a numpy Generator or an int seed for reproducible weights
    (None: fresh entropy). Parameters are float32 unless ``dtype`` says otherwise.

    The weight array is column-major (Fortran order; see the NOTE in ``__init__``): reading,
    indexing and assigning into it (``weight.data[...] = w``) work as usual, but ``reshape``
    of it returns a copy, so change it through indexing, not through a reshaped view.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        init="glorot_uniform",
        rng=None,
        dtype=np.float32,
    ):
        super().__init__()
        self.in_features = positive_int("Linear in_features", in_features)
        self.out_features = positive_int("Linear out_features", out_features)
        dtype = np.dtype(dtype)
        if not np.issubdtype(dtype, np.floating):
            raise ValueError(f"Linear dtype must be a floating-point type, got {dtype}")
        initializer = initializers.get(init)
        shape = (self.out_features, self.in_features)
        weight = np.asarray(initializer(shape, initializers.as_generator(rng), dtype=dtype))
        if weight.shape != shape or weight.dtype != dtype:
            raise ValueError(
                f"initializer {init!r} returned shape {weight.shape} dtype {weight.dtype}, "
                f"expected {shape} {dtype}"
            )
        # NOTE: stored column-major: the (out, in) array is the transpose of a C-ordered
        # (in, out) one, so x @ weight.T and the weight gradient xᵀ g are plain GEMMs on
        # contiguous operands, the layout OpenBLAS runs fastest (3-22% per training step on
        # the benchmarked MLPs; bench/README.md). Shape, values and indexing are PyTorch's.
        self.weight = Parameter(np.asfortranarray(weight))
        self.bias = Parameter(np.zeros(self.out_features, dtype=dtype)) if bias else None

    def forward(self, x):
        return linear(x, self.weight, self.bias)

    def config(self) -> dict:
        return {
            "in_features": self.in_features,
            "out_features": self.out_features,
            "bias": self.bias is not None,
            "dtype": str(self.weight.data.dtype),
        }

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


def _refuse_with_layer(layer, exc):
    """The op's error, prefixed with the layer that raised it (in a Sequential of several convs,
    which one got the wrong shape)."""
    return ValueError(f"{layer!r}: {exc}")


class Conv2d(Module):
    """2-d convolution over (N, C, H, W) images, PyTorch's ``nn.Conv2d`` without dilation and
    groups: ``weight`` of shape ``(out_channels, in_channels, kh, kw)``, ``bias`` of shape
    ``(out_channels,)``; the output is (N, out_channels, OH, OW) with
    ``OH = (H + 2·padding - kh) // stride + 1``.

    Initialisation is PyTorch's default: weight and bias uniform in ±1/sqrt(fan_in),
    fan_in = in_channels·kh·kw (kaiming_uniform with a=sqrt(5)); ``init`` names another
    initializer (as in `Linear`), then the bias starts at zero. ``rng``: a numpy Generator or
    an int seed (None: fresh entropy).
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size,
        stride=1,
        padding=0,
        bias: bool = True,
        init=None,
        rng=None,
        dtype=np.float32,
    ):
        super().__init__()
        self.in_channels = positive_int("Conv2d in_channels", in_channels)
        self.out_channels = positive_int("Conv2d out_channels", out_channels)
        self.kernel_size = int_pair("Conv2d kernel_size", kernel_size)
        self.stride = int_pair("Conv2d stride", stride)
        self.padding = int_pair("Conv2d padding", padding, minimum=0)
        dtype = np.dtype(dtype)
        if not np.issubdtype(dtype, np.floating):
            raise ValueError(f"Conv2d dtype must be a floating-point type, got {dtype}")
        shape = (self.out_channels, self.in_channels, *self.kernel_size)
        rng = initializers.as_generator(rng)
        initializer = initializers.get("uniform" if init is None else init)
        weight = np.asarray(initializer(shape, rng, dtype=dtype))
        if weight.shape != shape or weight.dtype != dtype:
            raise ValueError(
                f"initializer {init!r} returned shape {weight.shape} dtype {weight.dtype}, "
                f"expected {shape} {dtype}"
            )
        self.weight = Parameter(np.ascontiguousarray(weight))
        self.bias = None
        if bias:
            if init is None:  # PyTorch: U(±1/sqrt(fan_in)) for the bias too
                bound = 1.0 / np.sqrt(initializers.fans(shape)[0])
                b = initializers.uniform((self.out_channels,), rng, -bound, bound, dtype)
            else:
                b = np.zeros(self.out_channels, dtype=dtype)
            self.bias = Parameter(b)

    def forward(self, x):
        try:
            return conv2d(x, self.weight, self.bias, self.stride, self.padding)
        except ValueError as exc:
            raise _refuse_with_layer(self, exc) from None

    def config(self) -> dict:
        return {
            "in_channels": self.in_channels,
            "out_channels": self.out_channels,
            "kernel_size": list(self.kernel_size),
            "stride": list(self.stride),
            "padding": list(self.padding),
            "bias": self.bias is not None,
            "dtype": str(self.weight.data.dtype),
        }

    def extra_repr(self) -> str:
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}"
        text += f", stride={self.stride}"
        if self.padding != (0, 0):
            text += f", padding={self.padding}"
        if self.bias is None:
            text += ", bias=False"
        return text


class _Pool2d(Module):
    _op = staticmethod(max_pool2d)

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        name = type(self).__name__
        self.kernel_size = int_pair(f"{name} kernel_size", kernel_size)
        self.stride = self.kernel_size if stride is None else int_pair(f"{name} stride", stride)
        self.padding = int_pair(f"{name} padding", padding, minimum=0)

    def forward(self, x):
        try:
            return self._op(x, self.kernel_size, self.stride, self.padding)
        except ValueError as exc:
            raise _refuse_with_layer(self, exc) from None

    def config(self) -> dict:
        return {
            "kernel_size": list(self.kernel_size),
            "stride": list(self.stride),
            "padding": list(self.padding),
        }

    def extra_repr(self) -> str:
        text = f"kernel_size={self.kernel_size}, stride={self.stride}"
        return text + (f", padding={self.padding}" if self.padding != (0, 0) else "")


class MaxPool2d(_Pool2d):
    """The maximum of each kernel_size window (stride defaults to kernel_size, as in PyTorch);
    the gradient goes to the window's first maximum."""

    _op = staticmethod(max_pool2d)


class AvgPool2d(_Pool2d):
    """The mean of each kernel_size window (stride defaults to kernel_size; zero padding is
    counted in the mean, PyTorch's default)."""

    _op = staticmethod(avg_pool2d)


class Flatten(Module):
    """Flattens axes ``start_dim`` to ``end_dim`` into one (PyTorch's defaults: all but the
    batch axis), e.g. (N, 16, 5, 5) -> (N, 400) in (C, H, W) order, as PyTorch."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        super().__init__()
        for value, what in ((start_dim, "start_dim"), (end_dim, "end_dim")):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise TypeError(f"Flatten {what} must be an int, got {value!r}")
        self.start_dim, self.end_dim = int(start_dim), int(end_dim)

    def forward(self, x):
        shape = x.shape
        rank = max(len(shape), 1)  # a 0-d input flattens to (1,), as in PyTorch
        start, end = self.start_dim % rank, self.end_dim % rank
        # NOTE: both ends are checked: Flatten(1, 5) of a 4-d input wrapped 5 to 1 and did nothing
        if not (-rank <= self.start_dim < rank and -rank <= self.end_dim < rank) or start > end:
            raise ValueError(
                f"{self!r}: cannot flatten axes {self.start_dim} to {self.end_dim} of an input "
                f"of shape {shape}"
            )
        return x.reshape(shape[:start] + (-1,) + shape[end + 1 :])

    def config(self) -> dict:
        return {"start_dim": self.start_dim, "end_dim": self.end_dim}

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Sigmoid(Module):
    """sigmoid(x) = 1 / (1 + exp(-x)), elementwise."""

    def forward(self, x):
        return x.sigmoid()

    def config(self) -> dict:
        return {}


class Tanh(Module):
    """tanh(x), elementwise."""

    def forward(self, x):
        return x.tanh()

    def config(self) -> dict:
        return {}


class ReLU(Module):
    """max(0, x), elementwise."""

    def forward(self, x):
        return x.relu()

    def config(self) -> dict:
        return {}


class LeakyReLU(Module):
    """x if x > 0 else alpha * x (PyTorch calls alpha ``negative_slope``)."""

    def __init__(self, alpha: float = 0.01):
        super().__init__()
        self.alpha = finite("LeakyReLU alpha", alpha)

    def forward(self, x):
        return x.leaky_relu(self.alpha)

    def config(self) -> dict:
        return {"alpha": self.alpha}

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class ELU(Module):
    """x if x > 0 else alpha * (exp(x) - 1)."""

    def __init__(self, alpha: float = 1.0):
        super().__init__()
        self.alpha = finite("ELU alpha", alpha)

    def forward(self, x):
        return x.elu(self.alpha)

    def config(self) -> dict:
        return {"alpha": self.alpha}

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class Softmax(Module):
    """exp(x_i) / sum_j exp(x_j) along ``axis`` (PyTorch's ``dim``). NOTE: to train a
    classifier, end the model with a `Linear` and use `CrossEntropyLoss`, which applies a
    fused, stable log-softmax itself; put `Softmax` only where probabilities are wanted."""

    def __init__(self, axis: int = -1):
        super().__init__()
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise TypeError(f"Softmax axis must be an int, got {axis!r}")
        if not -64 <= axis < 64:  # NOTE: numpy arrays have at most 64 axes
            raise ValueError(f"Softmax axis must be in [-64, 64) (numpy's axes), got {axis}")
        self.axis = int(axis)

    def forward(self, x):
        return x.softmax(axis=self.axis)

    def config(self) -> dict:
        return {"axis": self.axis}

    def extra_repr(self) -> str:
        return f"axis={self.axis}"


class Identity(Module):
    """Returns its input unchanged (a placeholder, e.g. a linear output "activation")."""

    def forward(self, x):
        return x

    def config(self) -> dict:
        return {}


class Dropout(Module):
    """Inverted dropout: in training mode each element is zeroed with probability ``p`` and the
    survivors are scaled by 1/(1-p), so the expected output equals the input; in evaluation
    mode (``model.eval()``) the input passes through unchanged. ``p=1`` drops everything.

    ``rng`` (a numpy Generator or an int seed) makes the masks reproducible.
    """

    def __init__(self, p: float = 0.5, rng=None):
        super().__init__()
        p = float(p)
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout p must be a probability in [0, 1], got {p}")
        self.p = p
        self.rng = initializers.as_generator(rng)

    def forward(self, x):
        if not self.training or self.p == 0.0:
            return x
        return dropout(x, self.p, True, self.rng)

    def config(self) -> dict:
        return {"p": self.p}

    def extra_repr(self) -> str:
        return f"p={self.p}"
