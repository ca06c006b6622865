"""`Module`, `Parameter`, `Sequential` and `ModuleList`: the containers networks are built from.

A `Module` registers every `Parameter` and sub-`Module` assigned to one of its attributes, in
assignment order, so ``parameters()``, ``named_parameters()``, ``state_dict()`` and
``load_state_dict()`` find them without being told, as in PyTorch::

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden = nn.Linear(2, 4)
            self.out = nn.Linear(4, 1)

        def forward(self, x):
            return self.out(self.hidden(x).tanh())

Registered things also stay ordinary attributes, so ``self.hidden`` in ``forward`` costs one
attribute look-up (no ``__getattr__`` on the hot path).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

import numpy as np

from autograd.functional import concatenate
from autograd.tensor import Tensor

__all__ = ["Module", "Parameter", "Sequential", "ModuleList", "LoadResult"]


class Parameter(Tensor):
    """A `Tensor` that is a learnable weight of a `Module`: ``requires_grad=True`` by default.

    ``dtype=None`` keeps the dtype of a floating-point numpy array (float64 for gradient checks,
    float32 as the layers make them) and uses float32 for everything else (lists, scalars,
    integer arrays). NOTE: like ``torch.from_numpy``, a numpy array is not copied: the
    parameter and the array share memory.
    """

    __slots__ = ()  # as lean as a Tensor: no per-instance __dict__

    def __init__(self, data, requires_grad: bool = True, label: str = "", dtype=None):
        if isinstance(data, Tensor):
            data = data.data
        if dtype is not None:
            data = np.asarray(data, dtype=dtype)
        elif not (isinstance(data, np.ndarray) and np.issubdtype(data.dtype, np.floating)):
            data = np.asarray(data, dtype=np.float32)
        super().__init__(data, requires_grad=requires_grad, label=label)

    def __repr__(self) -> str:
        return f"Parameter(shape={tuple(self.data.shape)}, dtype={self.data.dtype})"


class LoadResult(NamedTuple):
    """What ``load_state_dict(strict=False)`` skipped: names the model has and the state dict
    lacks (``missing_keys``), and names the state dict has and the model lacks."""

    missing_keys: list[str]
    unexpected_keys: list[str]


class Module:
    """Base class of layers, losses and whole networks.

    Subclasses call ``super().__init__()`` first, assign their `Parameter`s and sub-modules as
    attributes, and define ``forward``; ``module(x)`` calls ``forward(x)``.

    ``training`` is True after construction; ``eval()`` and ``train()`` set it on the whole
    tree (only `Dropout` behaves differently).
    """

    training: bool

    def __init__(self) -> None:
        d = self.__dict__
        d["_parameters"] = {}
        d["_modules"] = {}
        d["training"] = True

    # --- registration -------------------------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        d = self.__dict__
        params = d.get("_parameters")
        if params is None:
            if isinstance(value, (Parameter, Module)):
                raise AttributeError(
                    f"cannot assign {type(value).__name__} to {type(self).__name__}.{name} "
                    "before Module.__init__(): call super().__init__() first in __init__"
                )
            object.__setattr__(self, name, value)
            return
        modules = d["_modules"]
        params.pop(name, None)
        modules.pop(name, None)
        if isinstance(value, Parameter):
            params[name] = value
            if not value.label:
                value.label = name  # diagrams then say "weight", "bias"
        elif isinstance(value, Module):
            modules[name] = value
            # Parameters still labelled with their name inside `value` take this name in
            # front, so a diagram of a whole network says "0.weight" and "2.weight" (the
            # state_dict names), not "weight" twice. Labels set by hand are left alone.
            for sub_name, p in value.named_parameters():
                if p.label == sub_name:
                    p.label = f"{name}.{sub_name}"
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        self.__dict__["_parameters"].pop(name, None)
        self.__dict__["_modules"].pop(name, None)
        object.__delattr__(self, name)

    # --- calling ------------------------------------------------------------------------------
    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    # --- walking the tree ---------------------------------------------------------------------
    def named_parameters(self, prefix: str = "", recurse: bool = True):
        """``(dotted name, Parameter)`` pairs, each parameter once (the first name it is found
        under: a weight shared by two layers is trained once, not twice)."""
        seen: set[int] = set()
        modules = self.named_modules(prefix) if recurse else [(prefix, self)]
        for module_name, module in modules:
            for name, p in module._parameters.items():
                if id(p) in seen:
                    continue
                seen.add(id(p))
                yield (f"{module_name}.{name}" if module_name else name), p

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every `Parameter` of this module and its sub-modules, once each, in a stable order."""
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """Direct sub-modules, with their attribute names."""
        seen: set[int] = set()
        for name, m in self._modules.items():
            if id(m) not in seen:
                seen.add(id(m))
                yield name, m

    def children(self) -> Iterator[Module]:
        for _, m in self.named_children():
            yield m

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module (named ``prefix``) and every module below it, depth first, once each."""
        seen: set[int] = set()
        stack = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            subs = list(module._modules.items())
            for sub_name, sub in reversed(subs):  # reversed: the first child comes out first
                stack.append((f"{name}.{sub_name}" if name else sub_name, sub))

    def modules(self) -> Iterator[Module]:
        for _, m in self.named_modules():
            yield m

    def apply(self, fn) -> Module:
        """Call ``fn(module)`` on every module of the tree, children before their parent (as
        PyTorch); returns ``self``. E.g. re-initialize every Linear."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    # --- modes and gradients --------------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        """Set training mode (``mode=True``) or evaluation mode on the whole tree; returns
        ``self``."""
        if not isinstance(mode, bool):
            raise TypeError(f"train(mode) expects a bool, got {type(mode).__name__}")
        for m in self.modules():
            m.__dict__["training"] = mode
        return self

    def eval(self) -> Module:
        """Evaluation mode: `Dropout` passes its input through unchanged."""
        return self.train(False)

    def zero_grad(self) -> None:
        """Forget every parameter's gradient (``grad = None``), as before a new backward pass."""
        for p in self.parameters():
            p.grad = None

    # --- state ----------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, np.ndarray]:
        """A snapshot ``{dotted name: copy of the parameter's array}``; later training does not
        change it (so it can serve as "the best weights so far")."""
        return {name: p.data.copy() for name, p in self.named_parameters()}

    def load_state_dict(self, state_dict, strict: bool = True) -> LoadResult:
        """Copy arrays from ``state_dict`` into the parameters (in place: optimizers that hold
        the parameters keep working).

        Every entry is checked first: with ``strict=True`` the names must match exactly; in
        any mode each shared name must have the same shape and dtype. If anything is wrong a
        ValueError lists every problem and NOTHING is loaded. With ``strict=False`` the names
        that did not match are returned in a `LoadResult`.
        """
        if not hasattr(state_dict, "items"):
            raise TypeError(
                f"load_state_dict expects a dict of name -> numpy array, got "
                f"{type(state_dict).__name__}"
            )
        own = dict(self.named_parameters())
        missing = [name for name in own if name not in state_dict]
        unexpected = [name for name in state_dict if name not in own]
        problems = []
        arrays = {}
        for name, p in own.items():
            if name not in state_dict:
                continue
            value = state_dict[name]
            array = value.data if isinstance(value, Tensor) else value
            if not isinstance(array, np.ndarray):
                problems.append(f"{name!r} is a {type(value).__name__}, expected a numpy array")
            elif array.shape != p.data.shape:
                problems.append(
                    f"{name!r} has shape {tuple(array.shape)}, the model's is {tuple(p.data.shape)}"
                )
            elif array.dtype != p.data.dtype:
                problems.append(f"{name!r} has dtype {array.dtype}, the model's is {p.data.dtype}")
            else:
                arrays[name] = array
        if strict:
            if missing:
                problems.append(f"missing from the state dict: {', '.join(missing)}")
            if unexpected:
                problems.append(f"not in the model: {', '.join(map(str, unexpected))}")
        if problems:
            raise ValueError(
                f"{type(self).__name__}.load_state_dict: nothing was loaded, because "
                + "; ".join(problems)
            )
        for name, array in arrays.items():
            np.copyto(own[name].data, array)
        return LoadResult(missing, unexpected)

    # --- printing -------------------------------------------------------------------------------
    def extra_repr(self) -> str:
        """The text inside the parentheses of this module's repr (its constructor settings)."""
        return ""

    def __repr__(self) -> str:
        lines = []
        extra = self.extra_repr()
        if extra:
            lines.extend(extra.split("\n"))
        for name, module in self._modules.items():
            body = repr(module).replace("\n", "\n  ")
            lines.append(f"({name}): {body}")
        if not self._modules:
            return f"{type(self).__name__}({extra})"
        return type(self).__name__ + "(\n  " + "\n  ".join(lines) + "\n)"


class Sequential(Module):
    """Layers applied one after the other: ``Sequential(a, b, c)(x) == c(b(a(x)))``.

    Sub-modules are named ``"0"``, ``"1"``, ... (so ``state_dict()`` keys read
    ``"0.weight"``), and the container supports ``model[i]``, ``model[1:]``, ``len(model)``,
    iteration and ``append``.
    """

    def __init__(self, *layers: Module):
        super().__init__()
        for layer in layers:
            self.append(layer)

    def append(self, layer: Module) -> Sequential:
        if not isinstance(layer, Module):
            raise TypeError(
                f"Sequential takes Modules, got {type(layer).__name__} at position {len(self)}"
            )
        setattr(self, str(len(self._modules)), layer)
        return self

    def forward(self, x):
        for layer in self._modules.values():
            x = layer(x)
        return x

    def __getitem__(self, index):
        layers = list(self._modules.values())
        if isinstance(index, slice):
            return Sequential(*layers[index])
        try:
            return layers[index]
        except IndexError:
            raise IndexError(
                f"Sequential index {index} out of range for {len(layers)} layers"
            ) from None

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(list(self._modules.values()))


class ModuleList(Module):
    """A list of modules that registers them (a plain Python list would hide their parameters
    from ``parameters()``). It has no ``forward``: the owner decides how to use them."""

    def __init__(self, modules: Iterable[Module] = ()):
        super().__init__()
        for m in modules:
            self.append(m)

    def append(self, module: Module) -> ModuleList:
        if not isinstance(module, Module):
            raise TypeError(f"ModuleList takes Modules, got {type(module).__name__}")
        setattr(self, str(len(self._modules)), module)
        return self

    def __getitem__(self, index):
        layers = list(self._modules.values())
        return ModuleList(layers[index]) if isinstance(index, slice) else layers[index]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(list(self._modules.values()))


class Concat(Module):
    """Branches applied to the same input, their outputs joined along ``axis`` (the features,
    1, by default): ``Concat(a, b)(x) == concatenate([a(x), b(x)], axis)``.

    With `Identity` as a branch the input itself is passed on beside what the other branches
    make of it: a skip connection. B1's architecture 2 (the inputs wired into the output
    neuron too) is ``Sequential(Concat(Identity(), Sequential(Linear(2, 1), Tanh())),
    Linear(3, 1), Tanh())``. Branches are named ``"0"``, ``"1"``, ... as in `Sequential`;
    `autograd.nn.save` describes it, `autograd.nn.to_torch` maps it to a torch module of the
    same name and ``state_dict`` keys."""

    def __init__(self, *branches: Module, axis: int = 1):
        super().__init__()
        if not branches:
            raise ValueError("Concat needs at least one branch")
        if isinstance(axis, bool) or not isinstance(axis, int):
            raise TypeError(f"Concat axis must be an int, got {axis!r}")
        self.axis = axis
        for i, branch in enumerate(branches):
            if not isinstance(branch, Module):
                raise TypeError(f"Concat takes Modules, got {type(branch).__name__} at {i}")
            setattr(self, str(i), branch)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"

    def forward(self, x):
        return concatenate([branch(x) for branch in self._modules.values()], axis=self.axis)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(list(self._modules.values()))

    def __getitem__(self, index: int) -> Module:
        return list(self._modules.values())[index]
