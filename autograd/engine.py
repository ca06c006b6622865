"""`Value`: a scalar node that records its forward value, its parents and, per edge, the local
derivative d(self)/d(parent). ``backward()`` multiplies those along every path (the chain rule)
and adds the contributions of all paths into ``grad``.

Python floats and the `math` module only: no numpy, nothing to import but the standard library.
Each op below is registered in `OPS` with its diagram symbol; its docstring gives the forward
formula and the local derivative.
"""

from __future__ import annotations

import math
from numbers import Real

from autograd.graph import (
    GRAD_MODE,
    SCOPES,
    no_grad,
    op_table,
    record_scope,
    topo_order,
    warn_non_finite,
)

__all__ = ["Value", "OPS", "sum_values", "no_grad"]

OPS, register = op_table()
_INF = math.inf


def _as_float(data, what: str = "Value") -> float:
    if isinstance(data, Real) and not isinstance(data, bool):
        return float(data)
    raise TypeError(
        f"{what} expects a real number (int or float), got {type(data).__name__}: {data!r}"
    )


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:  # NOTE: math.exp raises where IEEE gives inf; match numpy and torch.
        return _INF


class Value:
    """A scalar in a computational graph: ``data``, ``grad``, ``label``, ``op``, ``parents``.

    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> y = a * b + a; y.backward(); (y.data, a.grad, b.grad)
    (-4.0, -2.0, 2.0)

    ``backward()`` sets the gradient of every node in the graph, with ``self`` as the output.
    Intermediate nodes are recomputed on each call (calling it twice gives the same values);
    leaf gradients accumulate across calls, as in PyTorch, until ``zero_grad()``.
    """

    __slots__ = ("data", "grad", "label", "op", "parents", "local_grads", "params", "__weakref__")
    OPS = OPS  # the op table of Value nodes (diagrams read op symbols through the class)

    def __init__(self, data, label="", op="", parents=(), local_grads=(), params=None):
        self.data = data if type(data) is float else _as_float(data)
        self.grad = 0.0
        self.label = label
        self.op = op
        if parents and not GRAD_MODE.enabled:
            parents = local_grads = ()
        self.parents = parents
        self.local_grads = local_grads  # d(self)/d(parent), one per edge, in parent order
        self.params = params
        if SCOPES:
            record_scope(self)

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g}{label})"

    # --- binary ops ---------------------------------------------------------------------------
    @register("add", "+", arity=2, local=lambda k, a, *_: f"∂({a[0]} + {a[1]})/∂{a[k]} = 1")
    def __add__(self, other):
        """a + b;  d/da = 1, d/db = 1"""
        if type(other) is not Value:
            other = Value(other)
        return Value(self.data + other.data, "", "add", (self, other), (1.0, 1.0))

    def __radd__(self, other):
        return Value(other) + self

    @register(
        "sub", "-", arity=2,
        local=lambda k, a, *_: f"∂({a[0]} − {a[1]})/∂{a[k]} = {'1' if k == 0 else '−1'}",
    )  # fmt: skip
    def __sub__(self, other):
        """a - b;  d/da = 1, d/db = -1"""
        if type(other) is not Value:
            other = Value(other)
        return Value(self.data - other.data, "", "sub", (self, other), (1.0, -1.0))

    def __rsub__(self, other):
        return Value(other) - self

    @register(
        "mul", "×", arity=2,
        local=lambda k, a, *_: f"∂({a[0]} × {a[1]})/∂{a[k]} = {a[1 - k]}",
    )  # fmt: skip
    def __mul__(self, other):
        """a * b;  d/da = b, d/db = a"""
        if type(other) is not Value:
            other = Value(other)
        a, b = self.data, other.data
        return Value(a * b, "", "mul", (self, other), (b, a))

    def __rmul__(self, other):
        return Value(other) * self

    @register(
        "div", "÷", arity=2,
        local=lambda k, a, v, y, p, n: (
            f"∂({a[0]} ÷ {a[1]})/∂{a[0]} = 1/{a[1]} = 1/{n(v[1])}" if k == 0
            else f"∂({a[0]} ÷ {a[1]})/∂{a[1]} = −{a[0]}/{a[1]}² = −{n(v[0])}/{n(v[1])}²"
        ),
    )  # fmt: skip
    def __truediv__(self, other):
        """a / b;  d/da = 1/b, d/db = -a/b²"""
        if type(other) is not Value:
            other = Value(other)
        a, b = self.data, other.data
        if b == 0.0:
            raise ZeroDivisionError(f"div: division by zero ({self!r} / {other!r})")
        return Value(a / b, "", "div", (self, other), (1.0 / b, -a / (b * b)))

    def __rtruediv__(self, other):
        return Value(other) / self

    @register("pow", "**", arity=2, domain="positive", local=lambda *e: _local_pow(*e))
    def __pow__(self, other):
        """a ** b;  d/da = b·a^(b-1), d/db = a^b·ln(a)

        Edge points take PyTorch's values (the Tensor path's too): d/da = 0 where b = 0 (also
        at a = 0), d/db = 0 where a = 0 and b ≥ 0, d/db = nan where a < 0 (ln a is not real;
        backward() warns). 0 ** b with b < 0 is a ZeroDivisionError, as 1 / 0."""
        a = self.data
        if type(other) is not Value:
            n = _as_float(other, "pow exponent")
            out = _real_pow(a, n)
            return Value(out, "", "pow", (self,), (_pow_slope(a, n),), {"exponent": n})
        b = other.data
        out = _real_pow(a, b)
        if a > 0.0:
            slope_b = out * math.log(a)
        elif a == 0.0:  # b ≥ 0 here: _real_pow refused b < 0
            slope_b = 0.0
        else:
            slope_b = math.nan
        return Value(out, "", "pow", (self, other), (_pow_slope(a, b), slope_b))

    def __rpow__(self, other):
        return Value(other) ** self

    # --- unary ops ----------------------------------------------------------------------------
    @register("neg", "−", local=lambda k, a, *_: f"∂(−{a[0]})/∂{a[0]} = −1")
    def __neg__(self):
        """-a;  d/da = -1"""
        return Value(-self.data, "", "neg", (self,), (-1.0,))

    @register("abs", "|x|", local=lambda k, a, v, y, p, n: f"|x|' = sign({a[0]}) = sign({n(v[0])})")
    def __abs__(self):
        """|a|;  d/da = sign(a) (0 at 0)"""
        a = self.data
        return Value(abs(a), "", "abs", (self,), (1.0 if a > 0 else -1.0 if a < 0 else 0.0,))

    @register("exp", "exp", local=lambda k, a, v, y, p, n: f"exp'({a[0]}) = exp({a[0]})")
    def exp(self):
        """e^a;  d/da = e^a"""
        out = _exp(self.data)
        return Value(out, "", "exp", (self,), (out,))

    @register(
        "log", "ln", domain="positive",
        local=lambda k, a, v, y, p, n: f"ln'({a[0]}) = 1/{_paren(a[0])} = 1/{n(v[0])}",
    )  # fmt: skip
    def log(self):
        """ln(a), a > 0;  d/da = 1/a"""
        a = self.data
        if not a > 0.0 and not math.isnan(a):
            raise ValueError(f"log: needs a positive input, got {a} (from {self!r})")
        return Value(math.log(a), "", "log", (self,), (1.0 / a,))

    @register(
        "sqrt", "√", domain="positive",
        local=lambda k, a, v, y, p, n: f"√'({a[0]}) = 1/(2·√{_paren(a[0])}) = 1/(2 × {n(y)})",
    )  # fmt: skip
    def sqrt(self):
        """√a, a ≥ 0;  d/da = 1/(2√a)"""
        a = self.data
        if a < 0.0:
            raise ValueError(f"sqrt: needs a non-negative input, got {a} (from {self!r})")
        out = math.sqrt(a)
        return Value(out, "", "sqrt", (self,), (0.5 / out if out else _INF,))

    @register(
        "tanh", "tanh",
        local=lambda k, a, v, y, p, n: f"tanh'({a[0]}) = 1 − tanh²({a[0]}) = 1 − {n(y)}²",
    )  # fmt: skip
    def tanh(self):
        """tanh(a);  d/da = 1 - tanh²(a)"""
        out = math.tanh(self.data)
        return Value(out, "", "tanh", (self,), (1.0 - out * out,))

    @register(
        "sigmoid", "σ",
        local=lambda k, a, v, y, p, n: (
            f"σ'({a[0]}) = σ({a[0]})·(1 − σ({a[0]})) = {n(y)} × {n(1.0 - y)}"
        ),
    )  # fmt: skip
    def sigmoid(self):
        """σ(a) = 1/(1 + e^-a);  d/da = σ(a)(1 - σ(a))"""
        a = self.data
        # NOTE: e^-a overflows for very negative a; e^a/(1 + e^a) is the same number there.
        if a >= 0.0:
            out = 1.0 / (1.0 + math.exp(-a))
        else:
            z = _exp(a)
            out = z / (1.0 + z)
        return Value(out, "", "sigmoid", (self,), (out * (1.0 - out),))

    @register(
        "relu", "ReLU",
        local=lambda k, a, v, *_: f"ReLU'({a[0]}) = "
        + ("1 (input > 0)" if v[0] > 0 else "0 (input ≤ 0)"),
    )  # fmt: skip
    def relu(self):
        """max(0, a);  d/da = 1 if a > 0 else 0"""
        a = self.data
        if a > 0.0:
            return Value(a, "", "relu", (self,), (1.0,))
        return Value(0.0, "", "relu", (self,), (0.0,))

    @register(
        "leaky_relu", "LeakyReLU", alpha=0.01,
        local=lambda k, a, v, y, p, n: f"LeakyReLU'({a[0]}) = "
        + ("1 (input > 0)" if v[0] > 0 else "α (input ≤ 0)"),
    )  # fmt: skip
    def leaky_relu(self, alpha=0.01):
        """a if a > 0 else α·a;  d/da = 1 if a > 0 else α"""
        a = self.data
        alpha = _as_float(alpha, "leaky_relu alpha")
        if a > 0.0:
            return Value(a, "", "leaky_relu", (self,), (1.0,), {"alpha": alpha})
        return Value(alpha * a, "", "leaky_relu", (self,), (alpha,), {"alpha": alpha})

    @register(
        "elu", "ELU", alpha=1.0,
        local=lambda k, a, v, y, p, n: f"ELU'({a[0]}) = "
        + ("1 (input > 0)" if v[0] > 0
           else f"α·e^{_paren(a[0])} (input ≤ 0) = {p['alpha']:g} × e^{n(v[0])}"),
    )  # fmt: skip
    def elu(self, alpha=1.0):
        """a if a > 0 else α(e^a - 1);  d/da = 1 if a > 0 else α·e^a"""
        a = self.data
        alpha = _as_float(alpha, "elu alpha")
        if a > 0.0:
            return Value(a, "", "elu", (self,), (1.0,), {"alpha": alpha})
        return Value(
            alpha * math.expm1(a), "", "elu", (self,), (alpha * math.exp(a),), {"alpha": alpha}
        )

    @register(
        "softplus", "softplus",
        local=lambda k, a, v, y, p, n: f"softplus'({a[0]}) = σ({a[0]}) = σ({n(v[0])})",
    )  # fmt: skip
    def softplus(self):
        """ln(1 + e^a);  d/da = σ(a)"""
        a = self.data
        # NOTE: max(a, 0) + ln(1 + e^-|a|) never overflows.
        out = max(a, 0.0) + math.log1p(math.exp(-abs(a)))
        slope = 1.0 / (1.0 + math.exp(-a)) if a >= 0.0 else math.exp(a) / (1.0 + math.exp(a))
        return Value(out, "", "softplus", (self,), (slope,))

    # --- gradients ----------------------------------------------------------------------------
    def backward(self, grad: float = 1.0) -> None:
        """Back-propagate from this node: set ``node.grad = d(self)/d(node)`` for every node.

        Gradients of intermediate nodes are recomputed from zero; those of leaves (nodes with
        no parents: inputs and weights) accumulate, as in PyTorch, until ``zero_grad()``.
        Warns once, naming the first such node, if a value or gradient is not finite.
        """
        order = topo_order(self)
        for node in order:
            if node.parents:
                node.grad = 0.0
        self.grad += grad
        for node in reversed(order):
            g = node.grad
            if g:
                for parent, local in zip(node.parents, node.local_grads):
                    parent.grad += g * local
        if not math.isfinite(sum([node.data + node.grad for node in order])):
            warn_non_finite(order, math.isfinite)

    def zero_grad(self) -> None:
        """Set the gradient of every node of this graph (leaves included) to 0."""
        for node in topo_order(self):
            node.grad = 0.0


def _paren(text: str) -> str:
    """An input's name as a factor or exponent: ``(x + 1)``, ``x``."""
    return f"({text})" if " " in text else text


def _local_pow(k, a, v, y, p, n) -> str:
    """How the local derivative of a power is worked out (x² : 2x)."""
    if "exponent" in (p or {}):
        e = float(p["exponent"])
        shown = f"{int(e)}" if e.is_integer() else f"{e:g}"
        if e == 2.0:
            return f"∂({a[0]}²)/∂{a[0]} = 2·{a[0]} = 2 × {n(v[0])}"
        return (
            f"∂({a[0]}^{shown})/∂{a[0]} = {shown}·{a[0]}^{e - 1:g} = {shown} × {n(v[0])}^{e - 1:g}"
        )
    if k == 0:
        return f"∂({a[0]}^{a[1]})/∂{a[0]} = {a[1]}·{a[0]}^({a[1]} − 1)"
    return f"∂({a[0]}^{a[1]})/∂{a[1]} = {a[0]}^{a[1]}·ln({a[0]}) = {n(y)} × ln({n(v[0])})"


def _real_pow(a: float, b: float) -> float:
    if a == 0.0 and b < 0.0:
        raise ZeroDivisionError(f"pow: 0 ** {b} is a division by zero")
    if a < 0.0 and not b.is_integer():
        raise ValueError(
            f"pow: {a} ** {b} is not a real number (negative base, fractional exponent)"
        )
    try:
        return a**b
    except OverflowError:
        return _INF if a > 0.0 or b % 2 == 0 else -_INF


def _pow_slope(a: float, b: float) -> float:
    """d(a^b)/da = b·a^(b-1); infinite at a = 0 when 0 < b < 1."""
    if b == 0.0:
        return 0.0
    if a == 0.0 and b < 1.0:
        return _INF
    return b * _real_pow(a, b - 1.0)


@register("sum", "Σ", arity=-1, local=lambda k, a, *_: f"∂Σ/∂{a[k]} = 1")
def sum_values(values, label: str = "") -> Value:
    """Σ vᵢ as one node with one edge per term;  d/dvᵢ = 1

    ``sum_values([w1*x1, w2*x2, b])`` is the weighted sum of a neuron as a single node with
    three inputs, as drawn in the course. Numbers are accepted as constant inputs.
    """
    terms = tuple(v if type(v) is Value else Value(v) for v in values)
    if not terms:
        raise ValueError("sum_values: needs at least one value, got an empty sequence")
    return Value(sum([t.data for t in terms]), label, "sum", terms, (1.0,) * len(terms))
