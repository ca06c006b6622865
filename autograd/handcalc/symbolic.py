"""Values left unknown, as the course's A3 report left its targets: forward values and
gradients as expressions in the unknowns (``0.406 - t1``), computed with sympy (an optional
extra: ``pip install autograd-lab[symbolic]``; imported only when used).

>>> from autograd import Value
>>> y, t = Value(0.406, label="y"), Value(0.5, label="t")   # t's number is a placeholder
>>> e = y - t; e.label = "e"
>>> C = e ** 2; C.label = "C"
>>> s = symbolic(C, [t])
>>> s.text(s.values[e]), s.text(s.grads[y])
('0.406 - t', '0.812 - 2·t')

Nodes that do not depend on an unknown keep the engine's numbers; every other value, and every
gradient that an unknown reaches, is an expression. `Symbolic.text` writes one with the
diagrams' number format; `Symbolic.matches` compares a student's expression with the true one.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from autograd.graph import topo_order, topo_order_of_all
from autograd.viz.format import format_number

__all__ = ["symbolic", "Symbolic", "UNKNOWN", "PLACEHOLDER", "sympy_module"]

UNKNOWN = "?"  # --set t1=? leaves t1 unknown
PLACEHOLDER = 0.5  # the number an unknown leaf holds in the Value graph (never shown)
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def sympy_module():
    """sympy, or an ImportError that says how to install it."""
    try:
        import sympy
    except ImportError:
        raise ImportError(
            "values left unknown (--set t1=? or symbols=) need sympy: "
            "pip install 'autograd-lab[symbolic]'"
        ) from None
    return sympy


def _op(sp, node, args: list):
    """The sympy expression of ``node``'s op applied to ``args``."""
    op, params = node.op, dict(node.params or {})
    a = args[0] if args else None
    alpha = sp.Float(params.get("alpha", 0.0))
    table = {
        "add": lambda: args[0] + args[1],
        "sub": lambda: args[0] - args[1],
        "mul": lambda: args[0] * args[1],
        "div": lambda: args[0] / args[1],
        "sum": lambda: sp.Add(*args),
        "neg": lambda: -a,
        "abs": lambda: sp.Abs(a),
        "exp": lambda: sp.exp(a),
        "log": lambda: sp.log(a),
        "sqrt": lambda: sp.sqrt(a),
        "tanh": lambda: sp.tanh(a),
        "sigmoid": lambda: 1 / (1 + sp.exp(-a)),
        "relu": lambda: sp.Piecewise((a, a > 0), (0, True)),
        "leaky_relu": lambda: sp.Piecewise((a, a > 0), (alpha * a, True)),
        "elu": lambda: sp.Piecewise((a, a > 0), (alpha * (sp.exp(a) - 1), True)),
        "softplus": lambda: sp.log(1 + sp.exp(a)),
    }
    if op == "pow":
        exponent = params.get("exponent")
        if exponent is None:
            return a ** args[1]
        return a ** (sp.Integer(int(exponent)) if float(exponent).is_integer() else exponent)
    if op not in table:
        raise ValueError(f"symbolic: the op {op!r} has no symbolic form")
    return table[op]()


class Symbolic:
    """``values`` and ``grads``: {node: sympy expression or number}; ``symbols``: {node: the
    sympy symbol of an unknown leaf}; ``depends``: the nodes whose value holds an unknown."""

    def __init__(
        self, values: dict, grads: dict, symbols: dict, depends: set, decimals: int, local=None
    ):
        self.local = local or {}  # {node: [d(node)/d(input) as expressions]} where symbolic
        self.values = values
        self.grads = grads
        self.symbols = symbols
        self.depends = depends
        self.decimals = decimals

    def is_symbolic(self, expr: Any) -> bool:
        return bool(getattr(expr, "free_symbols", None))

    def texts(self) -> dict:
        """{node: (value text or None, gradient text or None)} for the nodes with an
        expression, for ``draw``."""
        out = {}
        for node in self.values:
            value, grad = self.values[node], self.grads[node]
            if self.is_symbolic(value) or self.is_symbolic(grad):
                out[node] = (
                    self.text(value) if self.is_symbolic(value) else None,
                    self.text(grad) if self.is_symbolic(grad) else None,
                )
        return out

    def text(self, expr: Any, decimals: int | None = None) -> str:
        """``0.406 - t1``: numbers in the diagrams' format, ``·`` for products."""
        decimals = self.decimals if decimals is None else decimals
        if not self.is_symbolic(expr):
            return format_number(float(expr), decimals)
        from sympy.printing.str import StrPrinter

        class Printer(StrPrinter):
            def _print_Float(self, number):
                x = float(number)
                return (
                    str(int(x)) if x.is_integer() and abs(x) < 1e6 else format_number(x, decimals)
                )

        text = Printer().doprint(expr).replace("**", "^").replace("*", "·")
        return re.sub(r"\^(\d+)\b", lambda m: m.group(1).translate(_SUPERSCRIPT), text)

    def parse(self, text: str):
        """A student's expression (numbers, the unknowns' names, + - * / ** and ^, · and ×,
        parentheses) as sympy, with the coarsest precision written (0.001 for ``0.241*t1``).
        Parsed with `ast` and a whitelist, never evaluated by Python."""
        sp = sympy_module()
        names = {str(symbol): symbol for symbol in self.symbols.values()}
        source = text.replace("·", "*").replace("×", "*").replace("^", "**").replace("−", "-")
        quanta: list[float] = []

        def walk(node):
            if isinstance(node, ast.Expression):
                return walk(node.body)
            if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
                segment = ast.get_source_segment(source, node) or repr(node.value)
                quanta.append(10.0 ** Decimal(segment).as_tuple().exponent)
                return sp.Float(node.value)
            if isinstance(node, ast.Name):
                if node.id not in names:
                    raise ValueError(
                        f"{node.id!r} is not an unknown (unknowns: {', '.join(names)})"
                    )
                return names[node.id]
            if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
                operand = walk(node.operand)
                return -operand if isinstance(node.op, ast.USub) else operand
            if isinstance(node, ast.BinOp):
                ops = {ast.Add: "__add__", ast.Sub: "__sub__", ast.Mult: "__mul__",
                       ast.Div: "__truediv__", ast.Pow: "__pow__"}  # fmt: skip
                name = ops.get(type(node.op))
                if name:
                    return getattr(walk(node.left), name)(walk(node.right))
            raise ValueError("expected numbers, unknowns, + - * / ** and parentheses")

        try:
            tree = ast.parse(source.strip(), mode="eval")
        except SyntaxError:
            raise ValueError("not an expression") from None
        expr = walk(tree)
        return sp.sympify(expr), max(quanta, default=1e-12)

    def matches(self, claimed: str, true) -> bool:
        """Is a student's expression the true one at the precision written? Both are expanded
        and compared term by term, each coefficient within half the claim's coarsest written
        unit relative to its size (``0.241*(0.812 - 2*t1)`` is ``0.196 - 0.482·t1``, and so is
        the true ``0.1959 - 0.4824·t1``); expressions that are not polynomials in the unknowns
        (a sigmoid of one) are compared at the unknowns = -1, 0, 1 instead."""
        sp = sympy_module()
        expr, quantum = self.parse(claimed)
        symbols = list(self.symbols.values())
        tolerance = quantum / 2

        def close(got, want) -> bool:
            return abs(complex(got) - complex(want)) <= tolerance * (1 + abs(complex(want))) + 1e-12

        try:
            mine = sp.Poly(sp.expand(expr), *symbols)
            theirs = sp.Poly(sp.expand(true), *symbols)
        except sp.PolynomialError:
            mine = theirs = None
        if mine is not None and theirs is not None:
            terms = set(mine.monoms()) | set(theirs.monoms())
            return all(close(mine.coeff_monomial(m), theirs.coeff_monomial(m)) for m in terms)
        for point in (-1.0, 0.0, 1.0):
            at = {s: point for s in symbols}
            if not close(sp.N(sp.sympify(expr).subs(at)), sp.N(sp.sympify(true).subs(at))):
                return False
        return True


def symbolic(roots: Any, unknowns: Iterable, decimals: int = 3) -> Symbolic:
    """Values and gradients (of the sum of ``roots``) with the leaves ``unknowns`` as symbols
    named by their labels."""
    sp = sympy_module()
    roots = [roots] if hasattr(roots, "parents") else list(roots)
    order = topo_order(roots[0]) if len(roots) == 1 else topo_order_of_all(roots)
    symbols = {}
    for leaf in unknowns:
        if leaf.parents or not leaf.label:
            raise ValueError("symbolic: an unknown must be a labelled leaf (an input)")
        symbols[leaf] = sp.Symbol(leaf.label, real=True)
    values: dict = {}
    depends: set = set()
    local: dict = {}
    for node in order:
        if node in symbols:
            values[node] = symbols[node]
            depends.add(node)
        elif any(p in depends for p in node.parents):
            dummies = [sp.Dummy() for _ in node.parents]
            formula = _op(sp, node, dummies)
            at = dict(zip(dummies, (values[p] for p in node.parents)))
            values[node] = formula.subs(at)
            local[node] = [sp.diff(formula, d).subs(at) for d in dummies]
            depends.add(node)
        else:
            values[node] = sp.Float(node.data)
    grads: dict = dict.fromkeys(order, sp.Integer(0))
    for root in roots:
        grads[root] = sp.Integer(1)
    for node in reversed(order):
        upstream = grads[node]
        if upstream == 0:
            continue
        slopes = local.get(node, node.local_grads)
        for parent, slope in zip(node.parents, slopes):
            grads[parent] = grads[parent] + upstream * (slope if node in local else sp.Float(slope))
    return Symbolic(values, grads, symbols, depends, decimals, local)
