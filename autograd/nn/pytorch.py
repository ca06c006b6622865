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

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from autograd.nn import layers
from autograd.nn.module import Module, Sequential

__all__ = ["to_torch", "from_torch", "require_torch", "Counterpart", "LAYERS"]


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


def _softmax_dim(t) -> dict:
    if t.dim is None:
        raise ValueError(
            "from_torch: torch.nn.Softmax() without dim picks the axis from the input's rank "
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
)

_BY_OURS = {row.ours: row for row in LAYERS}
_BY_TORCH = {row.torch_name: row for row in LAYERS}


def _supported() -> str:
    return "Sequential, " + ", ".join(row.torch_name for row in LAYERS)


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
    return _to_torch(model, torch, "model")


def _to_torch(module, torch, where):
    if type(module) is Sequential:
        out = torch.nn.Sequential(
            *(_to_torch(m, torch, f"{where}[{i}]") for i, m in enumerate(module))
        )
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
        out = row.ours(**row.from_args(module))
        out.load_state_dict(
            {k: v.detach().cpu().numpy() for k, v in module.state_dict().items()}, strict=True
        )
    out.training = module.training  # this module only: children carry their own mode
    return out
