"""Claims on values left unknown: a student's expression in the unknowns (``0.196 - 0.482*t1``)
read safely and compared with the true one. The expressions themselves come from the one
chain rule (`autograd.symbolic`, re-exported here: `symbolic`, `Symbolic`).

A claim is parsed with `ast` and a whitelist, never evaluated by Python, and its size is
bounded before sympy sees it (`MAX_CLAIM_CHARS` characters, `MAX_CLAIM_TERMS` operators and
operands, exponents that are whole numbers up to `MAX_EXPONENT`, a total degree up to
`MAX_DEGREE`): a short claim such as ``(t1+1)**((t1/t1+t1/t1)*...)`` would otherwise keep
sympy expanding for minutes. Everything refused is a `ValueError` that says which bound.
"""

from __future__ import annotations

import ast
import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from autograd.symbolic import (
    PLACEHOLDER,
    UNKNOWN,
    Symbolic,
    symbolic,
    sympy_module,
)

__all__ = ["symbolic", "Symbolic", "UNKNOWN", "PLACEHOLDER", "sympy_module"]
__all__ += ["parse_claim", "claim_matches", "MAX_CLAIM_CHARS", "MAX_DEGREE"]

MAX_CLAIM_CHARS = 300
MAX_CLAIM_TERMS = 100
MAX_EXPONENT = 8
MAX_DEGREE = 16
_DECIMAL = re.compile(r"(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_OPS = {ast.Add: "__add__", ast.Sub: "__sub__", ast.Mult: "__mul__", ast.Div: "__truediv__",
        ast.Pow: "__pow__"}  # fmt: skip


def _source(text: str) -> str:
    """The claim as Python syntax: ``·`` and ``×`` are ``*``, ``^`` and superscripts powers,
    ``−`` a minus."""
    source = text.replace("·", "*").replace("×", "*").replace("^", "**").replace("−", "-")
    return re.sub(r"([⁰¹²³⁴⁵⁶⁷⁸⁹]+)", lambda m: "**" + m.group(1).translate(_SUPERSCRIPTS), source)


def parse_claim(sym: Symbolic, text: str) -> tuple[Any, float]:
    """A student's expression (numbers, the unknowns' names, + - * / ** and ^, · and ×,
    parentheses) as sympy, with the coarsest precision written (0.001 for ``0.241*t1``).
    Raises `ValueError` naming what is not allowed or which bound the claim passes."""
    sp = sympy_module()
    names = {str(symbol): symbol for symbol in sym.symbols.values()}
    if len(text) > MAX_CLAIM_CHARS:
        raise ValueError(
            f"the expression is {len(text)} characters long; a claim may have at most "
            f"{MAX_CLAIM_CHARS} (expand it, or claim a step in between)"
        )
    source = _source(text).strip()
    try:
        tree = ast.parse(source, mode="eval")
    except (SyntaxError, ValueError):
        raise ValueError("not an expression") from None
    except (RecursionError, MemoryError):
        raise ValueError("the expression is nested too deeply") from None
    count = sum(1 for _ in ast.walk(tree))
    if count > MAX_CLAIM_TERMS:
        raise ValueError(
            f"the expression has {count} parts; a claim may have at most {MAX_CLAIM_TERMS}"
        )
    quanta: list[float] = []

    def number(node: ast.Constant) -> Any:
        segment = ast.get_source_segment(source, node) or ""
        if isinstance(node.value, bool) or not _DECIMAL.fullmatch(segment):
            raise ValueError(f"{segment or node.value!r} is not a decimal number (e.g. 0.406)")
        try:
            value = Decimal(segment)
        except InvalidOperation:
            raise ValueError(f"{segment!r} is not a number") from None
        if not math.isfinite(float(value)):
            raise ValueError(f"{segment} is beyond a float's range (at most about 1e308)")
        # NOTE: a whole number written without a point (the 2 of 2·t1, a squared error's
        # factor) is exact: it does not make the claim's other numbers coarse.
        quanta.append((10.0 ** value.as_tuple().exponent, "." in segment or "e" in segment.lower()))
        return sp.Float(float(value))

    def walk(node) -> tuple[Any, int]:
        """(sympy expression, a bound of its degree in the unknowns)."""
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return number(node), 0
        if isinstance(node, ast.Name):
            if node.id not in names:
                raise ValueError(f"{node.id!r} is not an unknown (unknowns: {', '.join(names)})")
            return names[node.id], 1
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            operand, degree = walk(node.operand)
            return (-operand if isinstance(node.op, ast.USub) else operand), degree
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            left, left_degree = walk(node.left)
            if isinstance(node.op, ast.Pow):
                exponent = _exponent(node.right, source)
                degree = left_degree * abs(exponent)
                right = sp.Integer(exponent)
            else:
                right, right_degree = walk(node.right)
                is_sum = isinstance(node.op, (ast.Add, ast.Sub))
                degree = max(left_degree, right_degree) if is_sum else left_degree + right_degree
            if degree > MAX_DEGREE:
                raise ValueError(
                    f"the expression reaches degree {degree} in the unknowns; a claim may "
                    f"have at most degree {MAX_DEGREE}"
                )
            return getattr(left, _OPS[type(node.op)])(right), degree
        raise ValueError("expected numbers, unknowns, + - * / ** and parentheses")

    try:
        expr, _ = walk(tree)
    except RecursionError:
        raise ValueError("the expression is nested too deeply") from None
    written = [q for q, decimal in quanta if decimal] or [q for q, _ in quanta]
    return sp.sympify(expr), max(written, default=1e-12)


def _exponent(node: ast.expr, source: str) -> int:
    """The exponent of a power in a claim: a whole number written as such, at most
    `MAX_EXPONENT` in size."""
    sign = 1
    while isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        sign = -sign if isinstance(node.op, ast.USub) else sign
        node = node.operand
    segment = ast.get_source_segment(source, node) or "?"
    if (
        not isinstance(node, ast.Constant)
        or isinstance(node.value, bool)
        or not isinstance(node.value, int)
        or not segment.isdigit()
        or node.value > MAX_EXPONENT
    ):
        raise ValueError(
            f"the exponent {segment!r}: a claim's exponents are whole numbers up to "
            f"{MAX_EXPONENT} (write t1**2, not t1**(...))"
        )
    return sign * node.value


def claim_matches(sym: Symbolic, claimed: str, true: Any) -> bool:
    """Is a student's expression the true one at the precision written? Both are expanded
    and compared term by term, each coefficient within half the claim's coarsest written
    unit (of its decimal numbers: a whole number such as the 2 of ``2·t1`` is exact) relative
    to its size (``0.241*(0.812 - 2*t1)`` is ``0.196 - 0.482·t1``, and so is
    the true ``0.1959 - 0.4824·t1``); expressions that are not polynomials in the unknowns
    (a sigmoid of one) are compared at the unknowns = -1, 0, 1 instead."""
    sp = sympy_module()
    expr, quantum = parse_claim(sym, claimed)
    symbols = list(sym.symbols.values())
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
        try:
            got, want = sp.N(sp.sympify(expr).subs(at)), sp.N(sp.sympify(true).subs(at))
            if not close(got, want):
                return False
        except (TypeError, ZeroDivisionError):  # undefined there (t1/t1 at 0): skip the point
            continue
    return True
