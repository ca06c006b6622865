"""The node protocol shared by `Value` and `Tensor`, the one topological sort, the one chain
rule of the scalar tools (for numbers and for values left unknown) and the op tables.

A node is any object with these attributes (every tool reads nodes through them only):

- ``data``        its forward value (a float for `Value`, a numpy array for `Tensor`);
- ``grad``        the gradient of the output of the last ``backward()`` with respect to it
                  (``None`` for a `Tensor` that needs none);
- ``parents``     an ordered tuple of the nodes it was computed from (``a + a`` holds ``a``
                  twice); ``()`` for a leaf;
- ``op``          the name of the operation that made it (``""`` for a leaf);
- ``label``       a name for diagrams (``""`` when unnamed);
- ``params``      ``None`` or a dict of the op's parameters (``{"alpha": 0.1}`` for ``elu``);
- ``local_grads`` scalar nodes (`Value`) only: one local derivative d(node)/d(parent) per
                  entry of ``parents``, in the same order. `backprop`, the step player, the
                  checker and the edge labels of diagrams read it; a `Tensor` has none (its ops
                  keep a backward closure instead) and is drawn without edge labels;
- ``requires_grad`` `Tensor` only: whether a gradient is computed for it;
- ``type(node).OPS`` the op table (`op_table`) of the node's class: diagrams look an op's
                  symbol up there.

A released `Tensor` graph: ``Tensor.backward()`` (without ``retain_graph=True``) frees the
graph as it walks it; a released node keeps its ``op`` but its ``parents`` become ``()`` while
``requires_grad`` stays true. `is_released` tells such a node from a leaf; drawing refuses it.

`backward`, the visualizer and the checker all walk graphs through `topo_order`, so they
agree on one deterministic order: parents in argument order, each node after its parents.
`Value.backward` runs the chain rule in place (fast, into ``grad``); `backprop` runs the same
rule as a pure function and returns every gradient and every edge's upstream, local derivative,
contribution and running sum, for every tool that shows or checks the calculation (the step
player, the edge labels, the checker, the tables of values left unknown): none of them
recomputes any of these. With unknowns (sympy symbols in some leaves) the local derivatives of
the nodes they reach come from the op table's formulas (`OpSpec.formulas`).
"""

from __future__ import annotations

import cmath
import threading
import warnings
import weakref
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from autograd.notation import FLOATS, Arithmetic, Formula

__all__ = [
    "topo_order",
    "topo_order_of_all",
    "children",
    "backprop",
    "Backprop",
    "Edge",
    "is_released",
    "no_grad",
    "enable_grad",
    "is_grad_enabled",
    "scope",
    "scope_of",
    "warn_non_finite",
    "op_table",
    "OpSpec",
    "Slip",
    "KINDS",
    "input_names",
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


def children(order: list) -> dict:
    """{node: the nodes of ``order`` that use it, each once, in the order of ``order``}."""
    out: dict = {node: [] for node in order}
    for node in order:
        for parent in node.parents:
            users = out[parent]
            if not users or users[-1] is not node:
                users.append(node)
    return out


class Edge:
    """One edge of the backward pass: the gradient flowing from ``child`` into its input
    ``parent`` (input number ``position`` of ``child``): ``upstream`` (d(root)/d(child)) ×
    ``local`` (d(child)/d(parent)) = ``contribution``; ``running`` is the parent's gradient
    after adding it."""

    __slots__ = ("child", "parent", "position", "upstream", "local", "contribution", "running")

    def __init__(self, child, parent, position, upstream, local, contribution, running):
        self.child = child
        self.parent = parent
        self.position = position
        self.upstream = upstream
        self.local = local
        self.contribution = contribution
        self.running = running

    def __repr__(self) -> str:
        return (
            f"Edge({self.child.op} -> input {self.position}: {self.upstream!r} x "
            f"{self.local!r} = {self.contribution!r})"
        )


class Backprop:
    """The result of `backprop`: ``root`` (as given: a node or a list), ``order`` (every node
    the root depends on, topological), ``grads`` ({node: d(root)/d(node)}), ``edges`` (every
    `Edge`, in the order the contributions were added: children from the root back, inputs in
    argument order), ``values`` ({node: its forward value in this pass}), ``arithmetic`` (what
    the numbers are: `autograd.notation.FLOATS`, or sympy's for values left unknown) and
    ``depends`` (the nodes whose value holds an unknown)."""

    __slots__ = (
        "root", "order", "grads", "edges", "values", "arithmetic", "depends",
        "_incoming", "_outgoing",
    )  # fmt: skip

    def __init__(self, root, order, grads, edges, values=None, arithmetic=FLOATS, depends=()):
        self.root = root
        self.order = order
        self.grads = grads
        self.edges = edges
        self.values = values if values is not None else {node: node.data for node in order}
        self.arithmetic = arithmetic
        self.depends = set(depends)
        self._incoming: dict | None = None
        self._outgoing: dict | None = None

    def _index(self) -> None:
        self._incoming = {node: [] for node in self.order}
        self._outgoing = {node: [] for node in self.order}
        for edge in self.edges:
            self._incoming[edge.parent].append(edge)
            self._outgoing[edge.child].append(edge)

    def incoming(self, node) -> list:
        """The edges whose contributions add up to ``node``'s gradient (from its children)."""
        if self._incoming is None:
            self._index()
        return self._incoming[node]

    def outgoing(self, node) -> list:
        """The edges by which ``node``'s gradient is sent on to its inputs."""
        if self._outgoing is None:
            self._index()
        return self._outgoing[node]

    def sum_into(self, node) -> float:
        """The gradient of ``node`` as its children's gradients make it (Σ contributions),
        before any ``given`` number replaced it."""
        total = 0.0
        for edge in self.incoming(node):
            total += edge.contribution
        return total


def backprop(
    root: Any,
    seed: float = 1.0,
    given: Mapping | None = None,
    local: Mapping | None = None,
    unknowns: Mapping | None = None,
    arithmetic: Arithmetic | None = None,
) -> Backprop:
    """THE chain rule, as a pure function over scalar nodes (nodes with ``local_grads``):
    d(root)/d(node) for every node ``root`` depends on, and a per-edge trace that every tool
    showing or checking a calculation reads (the step player, edge labels, the checker).

    Nodes are not changed (``grad`` is neither read nor written), so the result does not depend
    on whether or how often ``backward()`` ran. ``seed`` is d(root)/d(root). ``given``
    ({node: number}) replaces the gradient of those nodes by the given numbers before they are
    sent on (a student's claimed gradients: what follows from them), the root's included.
    ``local`` ({node: local derivatives, one per parent}) replaces ``node.local_grads`` (the
    local derivatives a student computed from their own rounded values).
    As in `Value.backward`, a zero upstream gradient sends nothing (0 × inf would be nan).
    ``root`` may be a list of output nodes: each gets ``seed``, and the gradients are those of
    their sum (``∂(y1 + y2)/∂node``), over `topo_order_of_all` of them.

    ``unknowns`` ({leaf: value}, e.g. sympy symbols) replaces the values of those leaves; every
    node that depends on one gets its value and its local derivatives from its op's formulas
    (`OpSpec.formulas`) evaluated with ``arithmetic`` (an `autograd.notation.Arithmetic`), so
    the same loop propagates numbers and expressions.

    >>> from autograd import Value
    >>> x = Value(3.0, label="x"); y = x * x
    >>> result = backprop(y)
    >>> result.grads[x], [edge.contribution for edge in result.incoming(x)]
    (6.0, [3.0, 3.0])
    >>> backprop([y, x + 1]).grads[x]             # ∂(y + (x + 1))/∂x
    7.0
    """
    roots = list(root) if isinstance(root, (list, tuple)) else [root]
    order = topo_order(roots[0]) if len(roots) == 1 else topo_order_of_all(roots)
    given = given or {}
    local = dict(local or {})
    values = None
    depends: set = set()
    if unknowns:
        if arithmetic is None:
            raise ValueError("backprop: unknowns need an arithmetic to compute with")
        values, depends = _forward(order, unknowns, arithmetic, local)
    grads = dict.fromkeys(order, 0.0)
    for output in roots:
        grads[output] = seed
    edges = []
    accumulate = arithmetic.accumulate if unknowns else None
    for node in reversed(order):
        if node in given:
            grads[node] = float(given[node])
        upstream = grads[node]
        locals_ = local.get(node, node.local_grads)
        for position, (parent, d) in enumerate(zip(node.parents, locals_)):
            contribution = upstream * d if upstream else 0.0
            if accumulate:
                grads[parent] = accumulate(grads[parent], contribution)
            else:
                grads[parent] += contribution
            edges.append(Edge(node, parent, position, upstream, d, contribution, grads[parent]))
    return Backprop(root, order, grads, edges, values, arithmetic or FLOATS, depends)


def _forward(order: list, unknowns: Mapping, arithmetic: Arithmetic, local: dict):
    """Forward values with the ``unknowns`` put in, and (into ``local``) the local derivatives
    of the nodes they reach, both from the op formulas."""
    values: dict = {}
    depends: set = set()
    placeholders = {symbol: leaf.data for leaf, symbol in unknowns.items()}
    for node in order:
        if node in unknowns:
            if node.parents:
                raise ValueError("backprop: an unknown must be a leaf (an input)")
            values[node] = unknowns[node]
            depends.add(node)
            continue
        if not any(p in depends for p in node.parents):
            values[node] = node.data
            continue
        spec = type(node).OPS[node.op]
        value, slopes = spec.formulas(node.params, len(node.parents))
        inputs = [values[p] for p in node.parents]
        env = spec.environment(inputs, None, node.params)
        env["y"] = value = value.evaluate(env, arithmetic)
        if node not in local:
            local[node] = [
                node.local_grads[k] if _constant(d) or _broken(d, placeholders) else d
                for k, d in enumerate(slope.evaluate(env, arithmetic) for slope in slopes)
            ]
        # NOTE: what no longer holds an unknown (c - c) is a number: the engine's, with its
        # rules at edge points (d(a^b)/da = inf at a = 0 < b < 1, where sympy's formula
        # gives its complex infinity `zoo`), and the nodes after it are numbers too. The Value
        # graph computed it with placeholders in the unknowns, which a constant does not
        # depend on.
        if _constant(value):
            values[node] = node.data
        else:
            values[node] = value
            depends.add(node)
    return values, depends


def _constant(x) -> bool:
    """True for a number, or an expression with no unknown left in it (sympy's 0, zoo)."""
    return not getattr(x, "free_symbols", None)


def _broken(x, placeholders: dict) -> bool:
    """True for an expression that is no finite number at the placeholder values of the
    unknowns: the formula met an edge point where the engine has its own rule (d(a^b)/db =
    a^b·ln a at a = 0 is 0^b·zoo in sympy, 0 in the engine, as PyTorch)."""
    try:
        number = complex(x.subs(placeholders))
    except (TypeError, ValueError, ZeroDivisionError):
        return True
    return not cmath.isfinite(number)


def is_released(node: Any) -> bool:
    """True for a `Tensor` whose graph ``backward()`` released: it was made by an op but has
    lost its parents (see the module docstring)."""
    return bool(node.op) and not node.parents and bool(getattr(node, "requires_grad", False))


def topo_order_of_all(roots: Any) -> list:
    """Every node any of ``roots`` depends on, in topological order: `topo_order` of each root
    in turn, a node reached again from a later root keeping its first position (a node's
    parents still come before it). Diagrams number nodes in this order."""
    order: list = []
    seen: set = set()
    for root in roots:
        for node in topo_order(root):
            if node not in seen:
                seen.add(node)
                order.append(node)
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


KINDS = ("arithmetic", "function", "activation", "loss", "layer", "shape", "reduction")


class Slip:
    """A wrong step people often write for an op, for the checker's hints: ``of`` says what
    it replaces (``"value"``: the op's forward value, ``"slope"``: its local derivative),
    ``formula`` is the wrong number as a `Formula` of the op's inputs and output, ``says`` the
    hint, calling the op's input h (``1 − σ(h) instead of σ(h)·(1 − σ(h))``)."""

    __slots__ = ("of", "formula", "says")

    def __init__(self, of: str, formula: Formula, says: str):
        if of not in ("value", "slope"):
            raise ValueError(f"Slip: of must be 'value' or 'slope', got {of!r}")
        self.of, self.formula, self.says = of, formula, says

    def __repr__(self) -> str:
        return f"Slip({self.of!r}, {self.formula!r}, {self.says!r})"


def input_names(count: int, arity: int) -> list[str]:
    """The variables a formula calls an op's inputs: ``x`` for one, ``a b`` for two, ``x0 x1
    ...`` for an n-ary op."""
    if arity == -1:
        return [f"x{k}" for k in range(count)]
    return ["x"] if arity == 1 else ["a", "b"][:count]


class OpSpec:
    """One entry of an op table: what the op is called, how diagrams write it, how many
    inputs it takes, where its derivative is defined, and for scalar ops the one definition of
    its mathematics: ``value`` (the output as a `Formula` of the inputs), ``slopes`` (the
    local derivative d(output)/d(input k) as a `Formula` of the inputs and the output ``y``;
    one for all inputs of an n-ary op), ``kind`` (one of `KINDS`) and ``slips`` (`Slip`)."""

    __slots__ = (
        "name", "symbol", "arity", "domain", "params", "function", "text",
        "kind", "value", "slopes", "slips", "stands_for",
    )  # fmt: skip

    def __init__(
        self, name, symbol, arity, domain, params, function, text=None, kind="",
        value=None, slopes=None, slips=(), stands_for=None,
    ):  # fmt: skip
        self.name = name
        self.symbol = symbol
        self.arity = arity  # number of node inputs; -1 for n-ary
        self.domain = domain  # "real" or "positive": inputs where the derivative exists
        self.params = params  # default parameters, e.g. {"alpha": 0.1}
        self.function = function
        # text(params) -> what a diagram writes for the node (``Conv 5×5, 3→6``), when the
        # symbol followed by name=value pairs would not read well; None: that default.
        self.text = text
        self.kind = kind
        self.value = value
        self.slopes = None if slopes is None else tuple(Formula.lift(s) for s in slopes)
        self.slips = tuple(slips)
        # {parameter: input variable}: a parameter that takes an input's place (x ** 2 is
        # pow with the exponent b = 2 as a parameter)
        self.stands_for = dict(stands_for or {})

    def __repr__(self) -> str:
        return f"OpSpec({self.name!r}, symbol={self.symbol!r}, arity={self.arity})"

    def formulas(self, params, count: int) -> tuple[Formula, list[Formula]]:
        """The value and the local derivatives of a node of this op with ``count`` inputs and
        these ``params``, with the parameters put in (``2 × x`` for x ** 2)."""
        if self.slopes is None or (self.value is None and self.arity != -1):
            raise ValueError(f"the op {self.name!r} has no formula")
        bound = dict(params or {})
        for param, variable in self.stands_for.items():
            if param in bound:
                bound[variable] = bound[param]
        if self.arity == -1:
            names = input_names(count, -1)
            value = Formula("sum", tuple(Formula.var(n) for n in names))
            slopes = [self.slopes[0].bind(bound)] * count
            return value, slopes
        return self.value.bind(bound), [slope.bind(bound) for slope in self.slopes[:count]]

    def environment(self, inputs: list, output: Any, params) -> dict:
        """{variable: number} to evaluate this op's formulas at: its inputs, ``y`` and its
        parameters."""
        env = dict(params or {})
        env.update(zip(input_names(len(inputs), self.arity), inputs))
        env["y"] = output
        return env


def op_table():
    """A new op table and the decorator that registers into it.

    The decorator returns the function unchanged, so registering costs nothing at run time.
    """
    table: dict[str, OpSpec] = {}

    def register(
        name, symbol, arity=1, domain="real", text=None, kind="", value=None, slopes=None,
        slips=(), stands_for=None, **params,
    ):  # fmt: skip
        if kind and kind not in KINDS:
            raise ValueError(f"register {name!r}: kind must be one of {KINDS}, got {kind!r}")

        def decorate(function):
            table[name] = OpSpec(
                name, symbol, arity, domain, params, function, text, kind, value, slopes,
                slips, stands_for,
            )  # fmt: skip
            return function

        return decorate

    return table, register
