"""Hand a model to PyTorch and back: `to_torch` and `from_torch`.

    torch_model = nn.to_torch(model)        # a torch.nn.Sequential with the same weights
    model = nn.from_torch(torch_model)      # and back

Layer names, ``state_dict`` keys and outputs are the same on both sides. Weights travel as
numpy arrays (copied on the way, never pickled, never shared). torch is an optional
dependency (``pip install "autograd-lab[torch]"``), imported only by these functions.

`LAYERS` is the table of corresponding layers: one `Counterpart` per layer type, saying
which ``torch.nn`` class it is and how the constructor arguments translate in each
direction. The weights need no entry: they go through ``state_dict``, whose names the two
libraries share. Adding a layer type is adding one entry.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from autograd.nn import layers
from autograd.nn.module import Concat, Module, Sequential
from autograd.nn.serialization import refuse_shared_weights

__all__ = ["to_torch", "from_torch", "require_torch", "torch_concat", "Counterpart", "LAYERS"]


class Counterpart(NamedTuple):
    """One row of the layer table: our class, the ``torch.nn`` class name, and the
    constructor arguments of the other side computed from a layer (``to_args(our_layer,
    torch)``, ``from_args(torch_layer)``)."""

    ours: type
    torch_name: str
    to_args: Callable[[Any, Any], dict]
    from_args: Callable[[Any], dict]


def _no_args(*_) -> dict:
    return {}


def _numpy_dtype(torch_dtype) -> str:
    return str(torch_dtype).removeprefix("torch.")


def _torch_dtype(torch, array: np.ndarray):
    return getattr(torch, array.dtype.name)


def _pair(value) -> tuple:
    return tuple(value) if isinstance(value, (tuple, list)) else (value, value)


def _unsupported(t, **settings) -> None:
    """ValueError naming the first of PyTorch's `settings` (attribute=value we support) that
    the layer `t` sets otherwise."""
    for name, supported in settings.items():
        value = getattr(t, name)
        if value != supported and _pair(value) != _pair(supported):
            raise ValueError(
                f"{type(t).__name__} with {name}={value!r} has no counterpart here "
                f"(supported: {name}={supported!r})"
            )


def _conv2d_args(t) -> dict:
    _unsupported(t, dilation=(1, 1), groups=1, padding_mode="zeros")
    if isinstance(t.padding, str):
        raise ValueError(
            f"Conv2d with padding={t.padding!r} has no counterpart here "
            "(supported: padding given in pixels)"
        )
    return {
        "in_channels": t.in_channels,
        "out_channels": t.out_channels,
        "kernel_size": _pair(t.kernel_size),
        "stride": _pair(t.stride),
        "padding": _pair(t.padding),
        "bias": t.bias is not None,
        "dtype": _numpy_dtype(t.weight.dtype),
    }


def _pool_to_args(m, torch) -> dict:
    return {"kernel_size": m.kernel_size, "stride": m.stride, "padding": m.padding}


def _max_pool_args(t) -> dict:
    _unsupported(t, dilation=1, ceil_mode=False, return_indices=False)
    return {
        "kernel_size": _pair(t.kernel_size),
        "stride": _pair(t.stride),
        "padding": _pair(t.padding),
    }


def _avg_pool_args(t) -> dict:
    _unsupported(t, ceil_mode=False, count_include_pad=True, divisor_override=None)
    return {
        "kernel_size": _pair(t.kernel_size),
        "stride": _pair(t.stride),
        "padding": _pair(t.padding),
    }


def _softmax_dim(t) -> dict:
    if t.dim is None:
        raise ValueError(
            "Softmax() without dim picks the axis from the input's rank "
            "(a deprecated implicit rule); build it with Softmax(dim=...) to convert it"
        )
    return {"axis": t.dim}


LAYERS: tuple[Counterpart, ...] = (
    Counterpart(
        layers.Linear,
        "Linear",
        lambda m, torch: {
            "in_features": m.in_features,
            "out_features": m.out_features,
            "bias": m.bias is not None,
            "dtype": _torch_dtype(torch, m.weight.data),
        },
        lambda t: {
            "in_features": t.in_features,
            "out_features": t.out_features,
            "bias": t.bias is not None,
            "init": "zeros",  # the weights are copied in afterwards
            "dtype": _numpy_dtype(t.weight.dtype),
        },
    ),
    Counterpart(layers.Sigmoid, "Sigmoid", _no_args, _no_args),
    Counterpart(layers.Tanh, "Tanh", _no_args, _no_args),
    Counterpart(layers.ReLU, "ReLU", _no_args, _no_args),
    Counterpart(
        layers.LeakyReLU,
        "LeakyReLU",
        lambda m, torch: {"negative_slope": m.alpha},
        lambda t: {"alpha": t.negative_slope},
    ),
    Counterpart(
        layers.ELU, "ELU", lambda m, torch: {"alpha": m.alpha}, lambda t: {"alpha": t.alpha}
    ),
    Counterpart(layers.Softmax, "Softmax", lambda m, torch: {"dim": m.axis}, _softmax_dim),
    Counterpart(layers.Identity, "Identity", _no_args, _no_args),
    Counterpart(layers.Dropout, "Dropout", lambda m, torch: {"p": m.p}, lambda t: {"p": t.p}),
    Counterpart(
        layers.Conv2d,
        "Conv2d",
        lambda m, torch: {
            "in_channels": m.in_channels,
            "out_channels": m.out_channels,
            "kernel_size": m.kernel_size,
            "stride": m.stride,
            "padding": m.padding,
            "bias": m.bias is not None,
            "dtype": _torch_dtype(torch, m.weight.data),
        },
        _conv2d_args,
    ),
    Counterpart(layers.MaxPool2d, "MaxPool2d", _pool_to_args, _max_pool_args),
    Counterpart(layers.AvgPool2d, "AvgPool2d", _pool_to_args, _avg_pool_args),
    Counterpart(
        layers.Flatten,
        "Flatten",
        lambda m, torch: {"start_dim": m.start_dim, "end_dim": m.end_dim},
        lambda t: {"start_dim": t.start_dim, "end_dim": t.end_dim},
    ),
)

_BY_OURS = {row.ours: row for row in LAYERS}
_BY_TORCH = {row.torch_name: row for row in LAYERS}


def _supported() -> str:
    return "Sequential, Concat, " + ", ".join(row.torch_name for row in LAYERS)


@functools.cache
def torch_concat(torch):
    """The torch module for `autograd.nn.Concat` (torch.nn has none): branches named ``"0"``,
    ``"1"``, ... (the same ``state_dict`` keys), outputs joined by ``torch.cat`` along
    ``dim``. Made once, when torch is first needed, so this module does not import torch."""

    class TorchConcat(torch.nn.Module):
        def __init__(self, *branches, dim: int = 1):
            super().__init__()
            self.dim = dim
            for i, branch in enumerate(branches):
                self.add_module(str(i), branch)

        def forward(self, x):
            return torch.cat([branch(x) for branch in self.children()], dim=self.dim)

    TorchConcat.__name__ = TorchConcat.__qualname__ = "Concat"
    return TorchConcat


def require_torch(caller: str):
    """The ``torch`` module, or ImportError saying that `caller` needs it and how to get it."""
    try:
        import torch
    except ImportError:
        raise ImportError(
            f"{caller} needs PyTorch, an optional dependency: pip install 'autograd-lab[torch]' "
            "(or any torch build for your machine)"
        ) from None
    return torch


def to_torch(model: Module):
    """A ``torch.nn.Module`` that computes what ``model`` computes: a ``torch.nn.Sequential``
    for a `Sequential` (nested ones too), the matching ``torch.nn`` layer for a layer.

    The parameters are copies of ours (same names in ``state_dict()``, same values, same
    dtype), the training/evaluation mode is carried over; the two models share no memory.
    Only the built-in layers translate (`LAYERS`); a custom Module raises TypeError (its
    ``forward`` is Python code: rebuild it in torch and copy the weights through
    ``state_dict``).
    """
    torch = require_torch("to_torch")
    return _to_torch(model, torch, "model", {})


def _to_torch(module, torch, where, seen):
    refuse_shared_weights(  # the rule of nn.save: torch would get two separate layers
        module,
        where,
        seen,
        "to_torch cannot convert",
        "Convert a model without the shared layer and tie the weights in torch",
    )
    if type(module) is Sequential:
        out = torch.nn.Sequential(
            *(_to_torch(m, torch, f"{where}[{i}]", seen) for i, m in enumerate(module))
        )
    elif type(module) is Concat:
        branches = (_to_torch(m, torch, f"{where}[{i}]", seen) for i, m in enumerate(module))
        out = torch_concat(torch)(*branches, dim=module.axis)
    else:
        row = _BY_OURS.get(type(module))
        if row is None:
            raise TypeError(
                f"to_torch: {where} is a {type(module).__name__}, which has no PyTorch "
                f"counterpart here; supported: {_supported()}"
            )
        out = getattr(torch.nn, row.torch_name)(**row.to_args(module, torch))
        state = {
            name: torch.from_numpy(np.ascontiguousarray(p.data))
            for name, p in module.named_parameters(recurse=False)
        }
        with torch.no_grad():
            out.load_state_dict(state, strict=True)  # copies into torch's own tensors
    out.training = module.training  # this module only: children carry their own mode
    return out


def from_torch(module) -> Module:
    """Our model for a ``torch.nn.Sequential`` (nested ones too) or a single layer, made of the
    layers in `LAYERS`: same names in ``state_dict()``, copies of the weights (through numpy,
    in the layer's own dtype), the same training/evaluation mode.

    Any other layer raises TypeError naming it (and where it sits) and what is supported.
    """
    torch = require_torch("from_torch")
    if not isinstance(module, torch.nn.Module):
        raise TypeError(f"from_torch expects a torch.nn.Module, got {type(module).__name__}")
    return _from_torch(module, torch, "module")


def _from_torch(module, torch, where):
    if type(module) is torch.nn.Sequential:
        names = [name for name, _ in module.named_children()]
        if names != [str(i) for i in range(len(names))]:
            raise ValueError(
                f"from_torch: {where} names its layers {names}; our Sequential names them "
                "0, 1, 2, ... (the state_dict keys would differ): build the torch Sequential "
                "from a list of layers, not an OrderedDict"
            )
        out = Sequential(*(_from_torch(m, torch, f"{where}[{i}]") for i, m in enumerate(module)))
    elif type(module) is torch_concat(torch):
        branches = (_from_torch(m, torch, f"{where}[{i}]") for i, m in enumerate(module.children()))
        out = Concat(*branches, axis=module.dim)
    else:
        name = type(module).__name__
        row = _BY_TORCH.get(name)
        if row is None or type(module) is not getattr(torch.nn, name, None):
            raise TypeError(
                f"from_torch: {where} is {type(module).__module__}.{name}, which has no "
                f"counterpart here; supported: {_supported()} (torch.nn classes, no "
                "subclasses)"
            )
        if list(module.buffers()):
            raise TypeError(f"from_torch: {where} ({name}) holds buffers, which we cannot carry")
        for param_name, p in module.named_parameters(recurse=False):
            if p.dtype not in (torch.float16, torch.float32, torch.float64):
                raise TypeError(  # NOTE: numpy has no bfloat16 ("data type not understood")
                    f"from_torch: {where} ({name}) has {param_name} of dtype {p.dtype}, which "
                    "numpy has no type for; convert the model first, e.g. module.float()"
                )
        try:
            out = row.ours(**row.from_args(module))
        except ValueError as exc:
            raise ValueError(f"from_torch: {where}: {exc}") from None
        out.load_state_dict(
            {k: v.detach().cpu().numpy() for k, v in module.state_dict().items()}, strict=True
        )
    out.training = module.training  # this module only: children carry their own mode
    return out
