"""How mathematics reads, in one place: numbers, op texts, and expressions written by ONE
precedence-aware printer, with parentheses exactly where the grammar needs them.

Two spellings of one printer: ``MATH`` for people (``(y1 - t1)²``, ``σ(h)``, ``2 × (-0.5)``)
and ``SOURCE`` for the expression parser (``(y1 - t1)**2``, ``sigmoid(h)``): a text printed in
``SOURCE`` and read back by `autograd.handcalc.expr.build` is the same expression (a property
test over every op). The diagrams, the step player, the checker and the command line all
write through this module; `autograd.viz.format` re-exports it for the drawings.

`Formula` is the one definition of an op's derivative (and of its value): a small expression
tree over the op's inputs (``x``; ``a`` and ``b`` for two inputs), its output ``y`` and its
parameters, that evaluates to a number (or, with another `Arithmetic`, to a sympy
expression) and prints as text:

>>> x, y = Formula.var("x"), Formula.var("y")
>>> slope = y * (1 - y)                                   # σ'(x) written with σ's output y
>>> slope.evaluate({"y": 0.75}), slope.text({"y": ("σ(h)", ATOM)})
(0.1875, 'σ(h) × (1 - σ(h))')
>>> format_number(-0.0004, 3)
'0.000'
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

__all__ = [
    "format_number",
    "formula_number",
    "signed_sum",
    "op_spec",
    "op_text",
    "infix",
    "number_text",
    "Namer",
    "Formula",
    "derivation",
    "conditions",
    "Arithmetic",
    "FLOATS",
    "MATH",
    "SOURCE",
    "ATOM",
    "POWER",
    "PRODUCT",
    "UNARY",
    "SUM",
    "FUNCTION_SYMBOLS",
]

# Precedence levels: an operand whose level is below what its place needs gets parentheses.
CONDITION, SUM, PRODUCT, UNARY, POWER, ATOM = 0, 1, 2, 3, 4, 9
MATH, SOURCE = "math", "source"
_GREEK = {"alpha": "α", "beta": "β", "gamma": "γ", "lambda": "λ", "epsilon": "ε"}
_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
# The infix operators: (math symbol, source symbol, level).
_INFIX = {
    "add": ("+", "+", SUM),
    "sub": ("-", "-", SUM),  # the op table's symbol, as the diagrams' op nodes show it
    "mul": ("×", "*", PRODUCT),
    "div": ("÷", "/", PRODUCT),
}
# How formulas write their functions. NOTE: some are ops of the scalar table too (a test checks
# that their symbols agree); sign and where are not ops.
FUNCTION_SYMBOLS = {"log": "ln", "sigmoid": "σ", "sqrt": "√", "sign": "sign", "exp": "exp"}


# --- numbers -------------------------------------------------------------------------------------
def format_number(x: Any, decimals: int) -> str:
    """``decimals`` digits after the point; scientific notation from 1e6 on; no ``-0.000``."""
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if abs(x) >= 1e6:
        return f"{x:.{decimals}e}"
    text = f"{x:.{decimals}f}"
    if text.startswith("-") and float(text) == 0.0:
        text = text[1:]  # NOTE: -0.0004 rounds to "-0.000", which reads as a sign error
    return text


def formula_number(x: Any, decimals: int) -> str:
    """A number as a derivation, a step or an edge label writes it: `format_number`, except
    that a nonzero number below 1e-4, or one that ``decimals`` digits would round to zero, is
    written in e-notation with ``decimals`` digits (``2.061e-09``, not ``0.000``).

    NOTE: in a derivation such a number may be divided by or raised to a negative power:
    ``0.700 × 0.000^(0.700 - 1) = 282.400`` reads as false, and even at 10 decimals
    ``0.0000000021^(0.7 - 1)`` is 280.8, not the 282.4 the engine computed from
    exp(-20) = 2.0611536224e-09 (found by the property test of tests/test_derivations.py)."""
    x = float(x)
    if 0 < abs(x) < max(1e-4, 0.5 * 10.0**-decimals):
        return f"{x:.{decimals}e}"
    return format_number(x, decimals)


def number_text(text: str) -> tuple[str, int]:
    """A number's text with its precedence: a negative number is a unary minus (``2 ×
    (-0.5)``), anything else an atom."""
    return text, (UNARY if text.startswith(("-", "−")) else ATOM)


def constant_text(x: float, spelling: str = MATH) -> str:
    """A constant as written: ``2``, ``0.5``; in ``SOURCE`` the shortest text that reads
    back as the same float."""
    x = float(x)
    short = f"{x:g}"
    if spelling == SOURCE and float(short) != x:
        return repr(x)
    return short


def signed_sum(terms: list[str]) -> str:
    """``3.000 + 3.000``; a negative term after the first is written ``− 2.000``."""
    text = terms[0]
    for term in terms[1:]:
        text += f" − {term[1:]}" if term.startswith("-") else f" + {term}"
    return text


# --- ops -----------------------------------------------------------------------------------------
def _format_param(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (tuple, list)):
        return "(" + ", ".join(_format_param(v) for v in value) + ")"
    return str(value)


def op_spec(node: Any) -> Any:
    """The node's entry in the op table of its class (``type(node).OPS``: `Value`'s for scalar
    ops, `Tensor`'s for tensor ops and functions), or None."""
    table = getattr(type(node), "OPS", None)
    return table.get(node.op) if isinstance(table, Mapping) else None


def _exponent_text(exponent: float) -> str:
    if float(exponent).is_integer() and abs(exponent) < 1000:
        return str(int(exponent)).translate(_SUPERSCRIPT)
    return f"^{float(exponent):g}"


def op_text(node: Any) -> str:
    """What an op node shows: the op's symbol and its parameters (``ELU α=0.1``, ``x²``)."""
    params = dict(node.params or {})
    spec = op_spec(node)
    if spec is not None and spec.text is not None and params:
        return str(spec.text(params))  # the op writes itself (``Conv 5×5, 3→6``)
    if node.op == "pow" and "exponent" in params:
        text = "x" + _exponent_text(float(params.pop("exponent")))
    else:
        text = str(node.op) if spec is None else str(spec.symbol)
    for name, value in params.items():
        text += f" {_GREEK.get(name, name)}={_format_param(value)}"
    return text


# --- the printer ---------------------------------------------------------------------------------
def _wrap(arg: tuple[str, int], needs: int) -> str:
    """``arg``'s text, in parentheses when its level is below ``needs``."""
    text, level = arg
    return f"({text})" if level < needs else text


def infix(
    op: str,
    args: list[tuple[str, int]],
    params: Mapping | None = None,
    spelling: str = MATH,
    symbol: str | None = None,
) -> tuple[str, int]:
    """THE printer: how ``op`` applied to ``args`` (texts with their levels) is written, and
    the level of the result. Binary operators are left-associative, so a right operand at the
    same level is parenthesised (``a − (b − c)``, ``a × (b × c)``); a power's base is
    parenthesised unless it is an atom (``(y1 − t1)²``, ``(−2)²``); a negative operand after
    an operator is parenthesised (``2 × (−0.5)``). ``symbol`` is the op table's symbol for a
    function (``σ``, ``ReLU``); ``params`` its parameters (``ELU(h, α=0.1)``)."""
    params = dict(params or {})
    math_ = spelling == MATH
    if op in _INFIX and len(args) == 2:
        shown, source, level = _INFIX[op]
        left = _wrap(args[0], level)
        right = _wrap(args[1], level + 1)
        if args[1][1] == UNARY and not right.startswith("("):
            right = f"({right})"
        return f"{left} {shown if math_ else source} {right}", level
    if op == "sum":
        if len(args) == 1:
            return infix("call", args, None, spelling, "Σ" if math_ else "sum")
        # Every term at the level of a sum is parenthesised: ``(a + b) + c`` is not ``a + b + c``
        # (one sum of three terms) when read back.
        terms = [_wrap(arg, SUM + 1) for arg in args]
        terms = [f"({t})" if i and arg[1] == UNARY and not t.startswith("(") else t
                 for i, (t, arg) in enumerate(zip(terms, args))]  # fmt: skip
        return " + ".join(terms), SUM
    if op == "pow":
        base = _wrap(args[0], ATOM)
        if len(args) == 1:
            exponent = float(params.pop("exponent"))
            if math_:
                return base + _exponent_text(exponent), POWER
            return f"{base}**{constant_text(exponent, SOURCE)}", POWER
        exponent = _wrap(args[1], ATOM if math_ else POWER)
        return (f"{base}^{exponent}" if math_ else f"{base}**{exponent}"), POWER
    if op == "neg" and len(args) == 1:
        return ("−" if math_ else "-") + _wrap(args[0], POWER), UNARY
    if op == "abs" and len(args) == 1 and math_:
        inner = args[0][0]
        return f"|{inner}|", ATOM
    if op == "where" and len(args) == 3:
        # then if x > 0 else otherwise
        condition = _wrap(args[0], SUM)
        return f"{_wrap(args[1], SUM)} if {condition} > 0 else {_wrap(args[2], SUM)}", CONDITION
    name = symbol if symbol is not None else op
    if math_ and symbol is None:
        name = FUNCTION_SYMBOLS.get(op, op)
    inner = [text for text, _ in args]
    for key, value in params.items():
        inner.append(f"{_GREEK.get(key, key) if math_ else key}={_format_param(value)}")
    return f"{name}({', '.join(inner)})", ATOM


def expression(node: Any, args: list[tuple[str, int]], spelling: str = MATH) -> tuple[str, int]:
    """How ``node`` is computed from ``args`` (the names or numbers of its inputs, in order,
    each with its level), and the result's level: ``w1 × x1 + w2 × x2 + b``, ``(a + b) × c``,
    ``(y1 − t1)²``, ``σ(h)``, ``ELU(h, α=0.1)``."""
    spec = op_spec(node)
    params = dict(node.params or {})
    if spec is not None and spec.text is not None and params:
        symbol = str(spec.text(params))
        return infix("call", args, None, spelling, symbol)
    if node.op in _INFIX or node.op in ("sum", "pow", "neg", "abs"):
        return infix(node.op, args, params, spelling)
    symbol = None if spec is None else str(spec.symbol)
    if spelling == SOURCE:
        symbol = node.op
    return infix(node.op, args, params, spelling, symbol)


class Namer:
    """Readable names for the nodes of ``order`` (a topological order): the name given in
    ``names`` ({node: name}, default: the node's label); else a constant's value (``2``); else
    the expression of the inputs' names (``w1 × x1``, ``σ(h)``) when at most ``limit``
    characters long (``limit=None``: any length); else ``#i`` (the topological index).
    ``spelling=SOURCE`` writes the expression as `autograd.handcalc.expr` reads it.

    >>> from autograd import Value, topo_order
    >>> w, x, b = Value(2.0, label="w"), Value(3.0, label="x"), Value(1.0, label="b")
    >>> Namer(topo_order((w * x + b).sigmoid())).name(-1)
    'σ(w × x + b)'
    """

    def __init__(
        self,
        order: list,
        names: Mapping | None = None,
        limit: int | None = 32,
        spelling: str = MATH,
    ):
        self.index = {node: i for i, node in enumerate(order)}
        self.names: list[tuple[str, int]] = []  # (name, precedence level)
        for node in order:
            given = names.get(node) if names is not None else node.label
            if given:
                name = (str(given), ATOM)
            elif not node.parents:
                name = number_text(constant_text(node.data, spelling))
            else:
                inputs = [self.names[self.index[p]] for p in node.parents]
                name = expression(node, inputs, spelling)
                if limit is not None and len(name[0]) > limit:
                    name = (f"#{len(self.names)}", ATOM)
            self.names.append(name)

    def name(self, i: int) -> str:
        """The name of the node with topological index ``i``."""
        return self.names[i][0]

    def of(self, node: Any) -> str:
        """The name of ``node``."""
        return self.names[self.index[node]][0]

    def named(self, node: Any) -> tuple[str, int]:
        """The name of ``node`` with its precedence level."""
        return self.names[self.index[node]]


# --- formulas ------------------------------------------------------------------------------------
def _sigmoid(x: float) -> float:
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:  # NOTE: IEEE gives inf where math.exp raises (as the engine does)
        return math.inf


class Arithmetic:
    """What a `Formula` evaluates with: Python's operators plus these functions. `FLOATS` is
    the engine's (floats, `math`); `autograd.symbolic` has one for sympy expressions."""

    def __init__(
        self,
        functions: Mapping[str, Callable],
        where: Callable,
        show: Callable,
        name: str,
        accumulate: Callable | None = None,
    ):
        self.functions = dict(functions)
        self.where = where  # where(x, then, otherwise): then if x > 0 else otherwise
        self.show = show  # show(value, decimals) -> (text, precedence level)
        self.name = name
        # accumulate(total, term): a gradient's running sum (the chain rule's +=)
        self.accumulate = accumulate or (lambda total, term: total + term)

    def is_number(self, value: Any) -> bool:
        """Is ``value`` a plain number (not an expression in unknowns)?"""
        return not getattr(value, "free_symbols", None)

    def __repr__(self) -> str:
        return f"Arithmetic({self.name!r})"


FLOATS = Arithmetic(
    {
        "exp": _exp,
        "log": math.log,
        "tanh": math.tanh,
        "sigmoid": _sigmoid,
        "sqrt": math.sqrt,
        "sign": lambda x: 1.0 if x > 0 else -1.0 if x < 0 else 0.0,
        "abs": abs,
    },
    lambda x, then, otherwise: then() if x > 0 else otherwise(),
    lambda x, decimals: number_text(formula_number(x, decimals)),
    "float",
)

_ARITHMETIC = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a**b,
}


class Formula:
    """An expression over named variables, built with Python's operators from `var` and
    numbers and `call` for functions (``Formula.call("sigmoid", x)``) and `where`
    (``where(x, 1, alpha)``: 1 if x > 0 else alpha). Numbers are folded as it is built
    (``2 × x¹`` is ``2 × x``), so a formula with its parameters bound reads as on paper."""

    __slots__ = ("op", "args", "value")

    def __init__(self, op: str, args: tuple = (), value: Any = None):
        self.op = op  # "num", "var", an arithmetic op, "neg", "where", or a function's name
        self.args = args
        self.value = value  # the number of a "num", the name of a "var"

    # --- building ---------------------------------------------------------------------------
    @staticmethod
    def var(name: str) -> Formula:
        return Formula("var", (), name)

    @staticmethod
    def num(x: float) -> Formula:
        return Formula("num", (), float(x))

    @staticmethod
    def lift(x: Any) -> Formula:
        """A formula, a variable's name or a number as a formula."""
        return _lift(x)

    @staticmethod
    def call(function: str, *args) -> Formula:
        return Formula(function, tuple(_lift(a) for a in args))

    @staticmethod
    def where(x, then, otherwise) -> Formula:
        """``then`` where ``x > 0``, else ``otherwise``."""
        return Formula("where", (_lift(x), _lift(then), _lift(otherwise)))

    def _binary(self, op: str, other, swap: bool = False) -> Formula:
        a, b = (_lift(other), self) if swap else (self, _lift(other))
        return _fold(op, a, b)

    def __add__(self, other):
        return self._binary("add", other)

    def __radd__(self, other):
        return self._binary("add", other, True)

    def __sub__(self, other):
        return self._binary("sub", other)

    def __rsub__(self, other):
        return self._binary("sub", other, True)

    def __mul__(self, other):
        return self._binary("mul", other)

    def __rmul__(self, other):
        return self._binary("mul", other, True)

    def __truediv__(self, other):
        return self._binary("div", other)

    def __rtruediv__(self, other):
        return self._binary("div", other, True)

    def __pow__(self, other):
        return self._binary("pow", other)

    def __neg__(self):
        if self.op == "num":
            return Formula.num(-self.value)
        return Formula("neg", (self,))

    def __repr__(self) -> str:
        return f"Formula({self.text(spelling=SOURCE)!r})"

    # --- reading ----------------------------------------------------------------------------
    def variables(self) -> set[str]:
        """The names this formula uses."""
        if self.op == "var":
            return {self.value}
        out: set[str] = set()
        for arg in self.args:
            out |= arg.variables()
        return out

    def bind(self, values: Mapping[str, float]) -> Formula:
        """The formula with the variables of ``values`` (parameters: ``exponent``, ``alpha``)
        replaced by those numbers, folded: ``exponent·x^(exponent − 1)`` at 2 is ``2 × x``."""
        if self.op == "var":
            return Formula.num(values[self.value]) if self.value in values else self
        if self.op == "num":
            return self
        args = tuple(arg.bind(values) for arg in self.args)
        if self.op in _ARITHMETIC:
            return _fold(self.op, *args)
        if self.op == "neg":
            return -args[0]
        return Formula(self.op, args)

    def evaluate(self, env: Mapping[str, Any], arithmetic: Arithmetic = FLOATS) -> Any:
        """The formula's value with the variables of ``env`` (numbers, or sympy expressions
        with a sympy `Arithmetic`)."""
        op = self.op
        if op == "num":
            return self.value
        if op == "var":
            return env[self.value]
        if op == "where":
            x, then, otherwise = self.args
            return arithmetic.where(
                x.evaluate(env, arithmetic),
                lambda: then.evaluate(env, arithmetic),
                lambda: otherwise.evaluate(env, arithmetic),
            )
        args = [arg.evaluate(env, arithmetic) for arg in self.args]
        if op in _ARITHMETIC:
            return _ARITHMETIC[op](*args)
        if op == "neg":
            return -args[0]
        if op == "sum":
            total = args[0]
            for arg in args[1:]:
                total = total + arg
            return total
        return arithmetic.functions[op](*args)

    def text(
        self,
        names: Mapping[str, tuple[str, int]] | None = None,
        spelling: str = MATH,
        choose: Mapping[str, Any] | None = None,
    ) -> str:
        """The formula as text, each variable written as ``names`` gives it (a text with its
        level; default: its own name). ``choose`` ({variable: number}) picks the branch of a
        `where` whose condition is known: ``1`` rather than ``1 if h > 0 else 0``."""
        return self._text(names or {}, spelling, choose or {})[0]

    def _text(self, names, spelling, choose) -> tuple[str, int]:
        op = self.op
        if op == "num":
            return number_text(constant_text(self.value, spelling))
        if op == "var":
            shown = _GREEK.get(self.value, self.value) if spelling == MATH else self.value
            return names.get(self.value, (shown, ATOM))
        if op == "where":
            picked = self.branch(choose)
            if picked is not None:
                return picked._text(names, spelling, choose)
        if op == "pow" and self.args[1].op == "num":  # x², as the diagrams write it
            base = self.args[0]._text(names, spelling, choose)
            return infix("pow", [base], {"exponent": self.args[1].value}, spelling)
        args = [arg._text(names, spelling, choose) for arg in self.args]
        return infix(op, args, None, spelling)

    def branch(self, choose: Mapping[str, Any]) -> Formula | None:
        """The branch of a `where` that applies at the numbers of ``choose`` (None when its
        condition is not a number there)."""
        if self.op != "where":
            return None
        try:
            x = float(self.args[0].evaluate(choose))
        except (KeyError, TypeError, ValueError):
            return None
        return self.args[1] if x > 0 else self.args[2]


def conditions(formula: Formula, names: Mapping, choose: Mapping) -> list[str]:
    """The conditions that picked the branches of the `where` parts of ``formula`` at the
    numbers of ``choose``: ``["h ≤ 0"]``."""
    out: list[str] = []
    if formula.op == "where":
        picked = formula.branch(choose)
        if picked is not None:
            condition = formula.args[0]._text(names, MATH, choose)[0]
            out.append(f"{condition} {'>' if picked is formula.args[1] else '≤'} 0")
            return out + conditions(picked, names, choose)
    for arg in formula.args:
        out += conditions(arg, names, choose)
    return out


def derivation(
    head: str, slope: Formula, names: Mapping, values: Mapping, choose: Mapping, result: str
) -> str:
    """How a local derivative is worked out, from its one formula: ``∂y/∂h = y × (1 - y) =
    0.666 × (1 - 0.666) = 0.222`` (``head``, the formula in ``names``, in ``values``, the
    ``result``); ``as h ≤ 0: ...`` in front when a case of the formula was picked. The last
    number is the one the chain rule used, and a test evaluates the line before it."""
    parts = [head]
    if slope.op == "num":
        parts.append(slope.text(spelling=MATH))
    else:
        parts += [slope.text(names, MATH, choose), slope.text(values, MATH, choose), result]
    shown = [parts[0]]
    for part in parts[1:]:
        if part != shown[-1]:
            shown.append(part)
    text = " = ".join(shown)
    cases = conditions(slope, names, choose)
    return f"as {', '.join(cases)}: {text}" if cases else text


def _lift(x: Any) -> Formula:
    if isinstance(x, Formula):
        return x
    if isinstance(x, str):
        return Formula.var(x)
    return Formula.num(x)


def _fold(op: str, a: Formula, b: Formula) -> Formula:
    """``a op b``, with numbers folded and the identities people skip (``1 × x``, ``x¹``,
    ``x + 0``) dropped."""
    if a.op == "num" and b.op == "num":
        try:
            return Formula.num(_ARITHMETIC[op](a.value, b.value))
        except (ZeroDivisionError, OverflowError, ValueError):
            pass
    if op == "mul":
        if (a.op == "num" and a.value == 0.0) or (b.op == "num" and b.value == 0.0):
            return Formula.num(0.0)  # x⁰'s slope 0 × x⁻¹ is 0, at x = 0 too (as the engine)
        if a.op == "num" and a.value == 1.0:
            return b
        if b.op == "num" and b.value == 1.0:
            return a
    if op == "pow" and b.op == "num":
        if b.value == 1.0:
            return a
        if b.value == 0.0:
            return Formula.num(1.0)
    if op in ("add", "sub") and b.op == "num" and b.value == 0.0:
        return a
    return Formula(op, (a, b))
