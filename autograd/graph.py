"""The node protocol shared by `Value` and `Tensor`, and the one topological sort.

A node is any object with these attributes:

- ``data``    its forward value (a float for `Value`, a numpy array for `Tensor`);
- ``grad``    the gradient of the output of the last ``backward()`` with respect to it;
- ``parents`` an ordered tuple of the nodes it was computed from (``a + a`` holds ``a`` twice);
- ``op``      the name of the operation that made it (``""`` for a leaf);
- ``label``   a name for diagrams (``""`` when unnamed);
- ``params``  ``None`` or a dict of the op's parameters (``{"alpha": 0.1}`` for ``elu``).

`backward`, the visualizer and the checker all walk graphs through `topo_order`, so they
agree on one deterministic order: parents in argument order, each node after its parents.
"""

from __future__ import annotations

import math
import threading
import warnings
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = [
    "topo_order",
    "no_grad",
    "enable_grad",
    "is_grad_enabled",
    "scope",
    "scope_of",
    "warn_non_finite",
    "op_table",
]


class _GradMode(threading.local):
    enabled = True


GRAD_MODE = _GradMode()


def is_grad_enabled() -> bool:
    """True unless inside a `no_grad()` block."""
    return GRAD_MODE.enabled


@contextmanager
def no_grad() -> Iterator[None]:
    """Inside this block, operations record no parents: results are leaves, nothing is kept
    for backward (use it for evaluation and parameter updates)."""
    previous = GRAD_MODE.enabled
    GRAD_MODE.enabled = False
    try:
        yield
    finally:
        GRAD_MODE.enabled = previous


@contextmanager
def enable_grad() -> Iterator[None]:
    """Turn graph recording back on inside a `no_grad()` block."""
    previous = GRAD_MODE.enabled
    GRAD_MODE.enabled = True
    try:
        yield
    finally:
        GRAD_MODE.enabled = previous


# Open `scope` blocks, innermost last, each as its path ("layer 1", "neuron 2"). A plain list:
# node constructors test its truth, which costs next to nothing when no scope is open.
# NOTE: shared by all threads; build scoped graphs in one thread at a time.
SCOPES: list[tuple[str, ...]] = []
_SCOPE_OF: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@contextmanager
def scope(name: str) -> Iterator[tuple[str, ...]]:
    """Group the nodes created inside the block under ``name``, for diagrams:
    ``draw(y, clusters="scope")`` draws each group in a box. Blocks nest (a neuron inside a
    layer); a node belongs to the innermost open block.

    >>> from autograd import Value
    >>> with scope("neuron 1"):
    ...     h = Value(2.0, label="w") * Value(3.0, label="x")
    >>> scope_of(h)
    ('neuron 1',)
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"scope: expected a non-empty name (str), got {name!r}")
    SCOPES.append((SCOPES[-1] if SCOPES else ()) + (name,))
    try:
        yield SCOPES[-1]
    finally:
        SCOPES.pop()


def record_scope(node: Any) -> None:
    """Called by node constructors while a `scope` is open."""
    _SCOPE_OF[node] = SCOPES[-1]


def scope_of(node: Any) -> tuple[str, ...]:
    """The scope path a node was created in (``()``: none)."""
    return _SCOPE_OF.get(node, ())


def topo_order(root: Any) -> list:
    """Every node `root` depends on, itself included, each after all of its parents.

    Iterative depth-first post-order (no recursion limit: a chain of a million nodes is fine);
    parents are visited in argument order, so the order is the same on every run.
    """
    order = []
    seen = {root}
    # Each stack entry holds a node and an iterator over its parents still to visit: the
    # iterator remembers where the walk left off, so every edge is looked at once.
    stack = [(root, iter(root.parents))]
    push, pop, add, emit = stack.append, stack.pop, seen.add, order.append
    while stack:
        node, parents = stack[-1]
        for parent in parents:
            if parent not in seen:
                add(parent)
                push((parent, iter(parent.parents)))
                break
        else:
            pop()
            emit(node)
    return order


def _describe(node: Any, index: int) -> str:
    name = f"'{node.label}'" if node.label else f"#{index}"
    made = f"made by {node.op}" if node.op else "a leaf"
    return f"node {name} ({made})"


def warn_non_finite(order: list, is_finite) -> None:
    """Warn once, naming the first node in `order` whose value or gradient is not finite."""
    for index, node in enumerate(order):
        if not is_finite(node.data):
            what = "value"
        elif not is_finite(node.grad):
            what = "gradient"
        else:
            continue
        warnings.warn(
            f"backward(): {_describe(node, index)} has a non-finite {what}; "
            "gradients downstream of it are not meaningful",
            RuntimeWarning,
            stacklevel=3,
        )
        return


def scalar_is_finite(x: float) -> bool:
    return math.isfinite(x)


class OpSpec:
    """One entry of an op table: what the op is called, how diagrams write it, how many
    inputs it takes, and where its derivative is defined (for tests and checkers)."""

    __slots__ = ("name", "symbol", "arity", "domain", "params", "function", "text")

    def __init__(self, name, symbol, arity, domain, params, function, text=None):
        self.name = name
        self.symbol = symbol
        self.arity = arity  # number of node inputs; -1 for n-ary
        self.domain = domain  # "real" or "positive": inputs where the derivative exists
        self.params = params  # default parameters, e.g. {"alpha": 0.1}
        self.function = function
        # text(params) -> what a diagram writes for the node (``Conv 5×5, 3→6``), when the
        # symbol followed by name=value pairs would not read well; None: that default.
        self.text = text

    def __repr__(self) -> str:
        return f"OpSpec({self.name!r}, symbol={self.symbol!r}, arity={self.arity})"


def op_table():
    """A new op table and the decorator that registers into it.

    The decorator returns the function unchanged, so registering costs nothing at run time.
    """
    table: dict[str, OpSpec] = {}

    def register(name, symbol, arity=1, domain="real", text=None, **params):
        def decorate(function):
            table[name] = OpSpec(name, symbol, arity, domain, params, function, text)
            return function

        return decorate

    return table, register
