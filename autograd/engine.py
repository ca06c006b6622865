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
    Slip,
    no_grad,
    op_table,
    record_scope,
    topo_order,
    warn_non_finite,
)
from autograd.notation import Formula

__all__ = ["Value", "OPS", "sum_values", "no_grad"]

OPS, register = op_table()
_INF = math.inf

# The variables of the op formulas: the input x (a and b of a binary op), the output y and the
# parameter alpha. Each op's value and local derivatives are written once, as formulas; the op's
# function computes the same numbers fast (a test ties the two at random points, op by op).
x, y, a, b, alpha = (Formula.var(name) for name in ("x", "y", "a", "b", "alpha"))


def _call(function: str):
    return lambda *args: Formula.call(function, *args)


exp_, ln, tanh_, sigmoid_, sign, abs_, sqrt_ = (
    _call(f) for f in ("exp", "log", "tanh", "sigmoid", "sign", "abs", "sqrt")
)
where = Formula.where


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
    @register("add", "+", arity=2, kind="arithmetic", value=a + b, slopes=(1, 1))
    def __add__(self, other):
        """a + b;  d/da = 1, d/db = 1"""
        if type(other) is not Value:
            other = Value(other)
        return Value(self.data + other.data, "", "add", (self, other), (1.0, 1.0))

    def __radd__(self, other):
        return Value(other) + self

    @register("sub", "-", arity=2, kind="arithmetic", value=a - b, slopes=(1, -1))
    def __sub__(self, other):
        """a - b;  d/da = 1, d/db = -1"""
        if type(other) is not Value:
            other = Value(other)
        return Value(self.data - other.data, "", "sub", (self, other), (1.0, -1.0))

    def __rsub__(self, other):
        return Value(other) - self

    @register("mul", "×", arity=2, kind="arithmetic", value=a * b, slopes=(b, a))
    def __mul__(self, other):
        """a * b;  d/da = b, d/db = a"""
        if type(other) is not Value:
            other = Value(other)
        a, b = self.data, other.data
        return Value(a * b, "", "mul", (self, other), (b, a))

    def __rmul__(self, other):
        return Value(other) * self

    @register("div", "÷", arity=2, kind="arithmetic", value=a / b, slopes=(1 / b, -a / b**2))
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

    @register(
        "pow", "**", arity=2, domain="positive", kind="arithmetic", value=a**b,
        slopes=(b * a ** (b - 1), y * ln(a)), stands_for={"exponent": "b"},
    )  # fmt: skip
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
    @register("neg", "−", kind="arithmetic", value=-x, slopes=(-1,))
    def __neg__(self):
        """-a;  d/da = -1"""
        return Value(-self.data, "", "neg", (self,), (-1.0,))

    @register("abs", "|x|", kind="function", value=abs_(x), slopes=(sign(x),))
    def __abs__(self):
        """|a|;  d/da = sign(a) (0 at 0)"""
        a = self.data
        return Value(abs(a), "", "abs", (self,), (1.0 if a > 0 else -1.0 if a < 0 else 0.0,))

    @register(
        "exp", "exp", kind="function", value=exp_(x), slopes=(y,),
        slips=(Slip("slope", x * exp_(x - 1), "x·e^(x−1) (the power rule) instead of e^x"),),
    )  # fmt: skip
    def exp(self):
        """e^a;  d/da = e^a"""
        out = _exp(self.data)
        return Value(out, "", "exp", (self,), (out,))

    @register("log", "ln", domain="positive", kind="function", value=ln(x), slopes=(1 / x,))
    def log(self):
        """ln(a), a > 0;  d/da = 1/a"""
        a = self.data
        if not a > 0.0 and not math.isnan(a):
            raise ValueError(f"log: needs a positive input, got {a} (from {self!r})")
        return Value(math.log(a), "", "log", (self,), (1.0 / a,))

    @register(
        "sqrt", "√", domain="positive", kind="function", value=sqrt_(x), slopes=(1 / (2 * y),)
    )
    def sqrt(self):
        """√a, a ≥ 0;  d/da = 1/(2√a)"""
        a = self.data
        if a < 0.0:
            raise ValueError(f"sqrt: needs a non-negative input, got {a} (from {self!r})")
        out = math.sqrt(a)
        return Value(out, "", "sqrt", (self,), (0.5 / out if out else _INF,))

    @register(
        "tanh", "tanh", kind="activation", value=tanh_(x), slopes=(1 - y**2,),
        slips=(
            Slip("slope", 1 - y, "1 − tanh(h) instead of 1 − tanh²(h)"),
            Slip("slope", y**2, "tanh²(h) instead of 1 − tanh²(h)"),
            Slip("slope", 1 - x**2, "1 − h² (the input squared) instead of 1 − tanh²(h)"),
        ),
    )  # fmt: skip
    def tanh(self):
        """tanh(a);  d/da = 1 - tanh²(a)"""
        out = math.tanh(self.data)
        return Value(out, "", "tanh", (self,), (1.0 - out * out,))

    @register(
        "sigmoid", "σ", kind="activation", value=1 / (1 + exp_(-x)), slopes=(y * (1 - y),),
        slips=(
            Slip("value", 1 - y, "1 − σ(h) instead of σ(h) = 1/(1 + e^−h)"),
            Slip("slope", 1 - y, "1 − σ(h) instead of σ'(h) = σ(h)·(1 − σ(h))"),
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
        "relu", "ReLU", kind="activation", value=where(x, x, 0), slopes=(where(x, 1, 0),),
        slips=(Slip("slope", 1, "ReLU'(h) = 1 also for h ≤ 0 (it is 0 there)"),),
    )  # fmt: skip
    def relu(self):
        """max(0, a);  d/da = 1 if a > 0 else 0"""
        a = self.data
        if a > 0.0:
            return Value(a, "", "relu", (self,), (1.0,))
        return Value(0.0, "", "relu", (self,), (0.0,))

    @register(
        "leaky_relu", "LeakyReLU", alpha=0.01, kind="activation", value=where(x, x, alpha * x),
        slopes=(where(x, 1, alpha),),
        slips=(Slip("slope", where(x, 1, 0), "ReLU's slope 0 for h ≤ 0; LeakyReLU's is α"),),
    )  # fmt: skip
    def leaky_relu(self, alpha=0.01):
        """a if a > 0 else α·a;  d/da = 1 if a > 0 else α"""
        a = self.data
        alpha = _as_float(alpha, "leaky_relu alpha")
        if a > 0.0:
            return Value(a, "", "leaky_relu", (self,), (1.0,), {"alpha": alpha})
        return Value(alpha * a, "", "leaky_relu", (self,), (alpha,), {"alpha": alpha})

    @register(
        "elu", "ELU", alpha=1.0, kind="activation", value=where(x, x, alpha * (exp_(x) - 1)),
        slopes=(where(x, 1, alpha * exp_(x)),),
        slips=(
            Slip("slope", where(x, 1, exp_(x)), "e^h for h ≤ 0: ELU's slope is α·e^h"),
            Slip("slope", where(x, 1, y), "ELU(h) for h ≤ 0: ELU's slope is α·e^h = ELU(h) + α"),
        ),
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
        "softplus", "softplus", kind="activation", value=ln(1 + exp_(x)),
        slopes=(sigmoid_(x),),
        slips=(Slip("slope", exp_(x), "e^h instead of softplus'(h) = σ(h) = e^h/(1 + e^h)"),),
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


# The formula variables were for the registrations above; they are no names of this module.
del x, y, a, b, alpha, exp_, ln, tanh_, sigmoid_, sign, abs_, sqrt_, where


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


@register("sum", "Σ", arity=-1, kind="arithmetic", value=None, slopes=(1,))
def sum_values(values, label: str = "") -> Value:
    """Σ vᵢ as one node with one edge per term;  d/dvᵢ = 1

    ``sum_values([w1*x1, w2*x2, b])`` is the weighted sum of a neuron as a single node with
    three inputs, as drawn in the course. Numbers are accepted as constant inputs.
    """
    terms = tuple(v if type(v) is Value else Value(v) for v in values)
    if not terms:
        raise ValueError("sum_values: needs at least one value, got an empty sequence")
    return Value(sum([t.data for t in terms]), label, "sum", terms, (1.0,) * len(terms))
