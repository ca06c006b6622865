"""Values left unknown, as the course's A3 report left its targets: forward values, local
derivatives and gradients as expressions in the unknowns (``0.406 - t1``). The one chain rule,
`autograd.graph.backprop`, computes them: the unknown leaves hold sympy symbols, and the nodes
they reach take their values and local derivatives from their ops' formulas evaluated with
`SYMPY` (sympy is an optional extra: ``pip install autograd-lab[symbolic]``; imported only
when used). Below `autograd.viz` and `autograd.handcalc`, which both read the trace.

>>> from autograd import Value
>>> y, t = Value(0.406, label="y"), Value(0.5, label="t")   # t's number is a placeholder
>>> e = y - t; e.label = "e"
>>> C = e ** 2; C.label = "C"
>>> s = symbolic(C, [t])
>>> s.text(s.values[e]), s.text(s.grads[y])
('0.406 - t', '0.812 - 2·t')

Nodes that do not depend on an unknown keep the engine's numbers; every other value, and every
gradient that an unknown reaches, is an expression. `Symbolic.text` writes one with the
diagrams' number format.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from autograd.graph import Backprop, backprop
from autograd.notation import ATOM, POWER, PRODUCT, SUM, UNARY, Arithmetic, formula_number

__all__ = ["symbolic", "Symbolic", "UNKNOWN", "PLACEHOLDER", "sympy_module", "sympy_arithmetic"]

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


def sympy_text(expr: Any, decimals: int) -> str:
    """``0.406 - t1``: numbers in the diagrams' format, ``·`` for products, ``t1²``."""
    if not getattr(expr, "free_symbols", None):
        try:
            return formula_number(float(expr), decimals)
        except TypeError:  # not a real number (the log of a negative one): printed as sympy's
            pass
    from sympy import S
    from sympy.printing.str import StrPrinter

    class Printer(StrPrinter):
        def _print_Float(self, number):
            x = float(number)
            return str(int(x)) if x.is_integer() and abs(x) < 1e6 else formula_number(x, decimals)

        def _print_Piecewise(self, expr):
            # relu and the other ops with a kink: "(1 if c > 0, else 0)", not sympy's
            # Piecewise((1, c > 0), (0, True)); always in parentheses, so it reads as one term
            parts = []
            for value, condition in expr.args:
                if condition is S.true:  # the last branch: otherwise
                    parts.append(f"else {self._print(value)}")
                else:  # ITE(a, b, c) and the like as and / or of comparisons
                    condition = condition.to_nnf() if hasattr(condition, "to_nnf") else condition
                    text = self._print(condition).replace(" & ", " and ").replace(" | ", " or ")
                    parts.append(f"{self._print(value)} if {text}")
            return "(" + ", ".join(parts) + ")"

        def _print_ComplexInfinity(self, expr):
            # sympy's zoo, an infinity without a sign (0 to a negative power): "±∞"
            return "±∞"

    text = Printer().doprint(expr).replace("**", "^").replace("*", "·")
    # NOTE: whole exponents only: c^0.700 had become c⁰.700 (found on a fresh machine)
    return re.sub(r"\^(\d+)(?![\d.])", lambda m: m.group(1).translate(_SUPERSCRIPT), text)


def _show(expr: Any, decimals: int) -> tuple[str, int]:
    """An expression's text and its precedence level, for `autograd.notation`'s printer."""
    text = sympy_text(expr, decimals)
    if not getattr(expr, "free_symbols", None):
        return text, (UNARY if text.startswith("-") else ATOM)
    if expr.is_Add or expr.is_Piecewise:
        return text, SUM
    if text.startswith("-"):
        return text, UNARY
    if expr.is_Mul:
        return text, PRODUCT
    if expr.is_Pow:
        return text, POWER
    return text, ATOM


def _terms(expr: Any) -> tuple:
    """The terms of a sum (the expression itself when it is not a sum)."""
    return tuple(expr.args) if getattr(expr, "is_Add", False) else (expr,)


def _may_be_infinite(term: Any) -> bool:
    """A term holding an unknown that is not a polynomial in the unknowns."""
    return bool(getattr(term, "free_symbols", None)) and not term.is_polynomial()


_ARITHMETIC: Arithmetic | None = None


def sympy_arithmetic() -> Arithmetic:
    """The `Arithmetic` of sympy expressions (imports sympy)."""
    global _ARITHMETIC
    if _ARITHMETIC is None:
        sp = sympy_module()

        def where(x, then, otherwise):
            if not getattr(x, "free_symbols", None):
                return then() if float(x) > 0 else otherwise()
            return sp.Piecewise((then(), x > 0), (otherwise(), True))

        def accumulate(total, term):
            # NOTE: sympy cancels X - X to 0 even where X is infinite; the engine sums
            # inf - inf = nan there (c·0^(c - 1), infinite for c < 1, was found in
            # (a - a)^c; sympy's own is_finite calls it finite). When a term that is not a
            # polynomial in the unknowns (finite everywhere) would vanish from the sum, the
            # sum stays as written.
            out = total + term
            risky = [t for t in _terms(total) + _terms(term) if _may_be_infinite(t)]
            if not risky or set(risky) <= set(_terms(out)):
                return out
            return sp.Add(total, term, evaluate=False)

        _ARITHMETIC = Arithmetic(
            {
                "exp": sp.exp,
                "log": sp.log,
                "tanh": sp.tanh,
                "sigmoid": lambda x: 1 / (1 + sp.exp(-x)),
                "sqrt": sp.sqrt,
                "sign": sp.sign,
                "abs": sp.Abs,
            },
            where,
            _show,
            "sympy",
            accumulate,
        )
    return _ARITHMETIC


class Symbolic:
    """The chain rule with unknowns: ``trace`` (the `autograd.graph.Backprop` of the pass),
    ``values`` and ``grads`` ({node: sympy expression or number}), ``symbols`` ({node: the
    sympy symbol of an unknown leaf}) and ``depends`` (the nodes whose value holds one)."""

    def __init__(self, trace: Backprop, symbols: dict, decimals: int):
        self.trace = trace
        self.values = trace.values
        self.grads = trace.grads
        self.symbols = symbols
        self.depends = trace.depends
        self.decimals = decimals

    def is_symbolic(self, expr: Any) -> bool:
        return bool(getattr(expr, "free_symbols", None))

    def texts(self) -> dict:
        """{node: (value text or None, gradient text or None)} for the nodes with an
        expression, for tables."""
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
        return sympy_text(expr, self.decimals if decimals is None else decimals)


def symbolic(roots: Any, unknowns: Iterable, decimals: int = 3) -> Symbolic:
    """Values and gradients (of the sum of ``roots``) with the leaves ``unknowns`` as symbols
    named by their labels: `autograd.graph.backprop` with sympy symbols in those leaves."""
    sp = sympy_module()
    roots = [roots] if hasattr(roots, "parents") else list(roots)
    symbols = {}
    for leaf in [unknowns] if hasattr(unknowns, "parents") else unknowns:
        if leaf.parents or not leaf.label:
            raise ValueError("symbolic: an unknown must be a labelled leaf (an input)")
        symbols[leaf] = sp.Symbol(leaf.label, real=True)
    trace = backprop(
        roots[0] if len(roots) == 1 else roots,
        unknowns=symbols,
        arithmetic=sympy_arithmetic(),
    )
    return Symbolic(trace, symbols, decimals)
