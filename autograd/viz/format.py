"""How nodes read, in one place: numbers, op text, and expressions written with only the
parentheses they need. The diagrams (`autograd.viz.dot`), the step player, the checker
(`autograd.handcalc.check`) and the command line's tables all write through these functions,
so a number or an op reads the same everywhere.

>>> format_number(-0.0004, 3)
'0.000'
>>> from autograd import Value
>>> w, x, b = Value(2.0, label="w"), Value(3.0, label="x"), Value(1.0, label="b")
>>> y = (w * x + b).sigmoid()
>>> from autograd import topo_order
>>> Namer(topo_order(y)).name(-1)
'σ(w × x + b)'
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

__all__ = [
    "SMALL_ARRAY",
    "format_number",
    "format_data",
    "op_text",
    "op_spec",
    "expression",
    "signed_sum",
    "Namer",
    "ATOM",
]

SMALL_ARRAY = 8  # arrays with at most this many elements show their values (XOR's 4×2)
_GREEK = {"alpha": "α", "beta": "β", "gamma": "γ", "lambda": "λ", "epsilon": "ε"}
_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


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


def _format_nested(x: Any, decimals: int) -> str:
    if isinstance(x, list):
        return "[" + ", ".join(_format_nested(v, decimals) for v in x) + "]"
    return format_number(x, decimals)


def format_data(data: Any, decimals: int) -> str:
    """A float as a number; a numpy array as ``shape (2, 3)`` plus, when it has at most
    `SMALL_ARRAY` elements, its values on the next lines (one line per row of a matrix);
    ``None`` (a tensor that needs no gradient) as ``no grad``."""
    if data is None:
        return "no grad"
    shape = getattr(data, "shape", None)
    if shape is None or shape == ():
        return format_number(data, decimals)
    text = "shape (" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"
    if int(getattr(data, "size", SMALL_ARRAY + 1)) <= SMALL_ARRAY:
        values = data.tolist()
        if len(shape) == 2:
            text += "".join("\n" + _format_nested(row, decimals) for row in values)
        else:
            text += "\n" + _format_nested(values, decimals)
    return text


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


def _op_symbol(node: Any) -> str:
    """The op's symbol from its op table entry, else the op's name."""
    spec = op_spec(node)
    return str(node.op) if spec is None else str(spec.symbol)


def op_text(node: Any) -> str:
    """What an op node shows: the op's symbol and its parameters (``ELU α=0.1``, ``x²``)."""
    params = dict(node.params or {})
    spec = op_spec(node)
    if spec is not None and getattr(spec, "text", None) is not None and node.params:
        return str(spec.text(params))  # the op writes itself (``Conv 5×5, 3→6``)
    if node.op == "pow" and "exponent" in params:
        exponent = float(params.pop("exponent"))
        if exponent.is_integer() and abs(exponent) < 1000:
            text = "x" + str(int(exponent)).translate(_SUPERSCRIPT)
        else:
            text = f"x^{exponent:g}"
    else:
        text = _op_symbol(node)
    for name, value in params.items():
        text += f" {_GREEK.get(name, name)}={_format_param(value)}"
    return text


# --- expressions ---------------------------------------------------------------------------------
# Precedence levels for writing expressions with only the parentheses they need.
_SUM, _PRODUCT, _UNARY, _POWER, ATOM = 1, 2, 3, 4, 9
_LEVELS = {"add": _SUM, "sub": _SUM, "sum": _SUM, "mul": _PRODUCT, "div": _PRODUCT}


def _is_infix(symbol: str) -> bool:
    return bool(symbol) and not any(ch.isalnum() for ch in symbol)


def _wrap(arg: tuple[str, int], below: int) -> str:
    text, level = arg
    return f"({text})" if level < below else text


def expression(node: Any, args: list[tuple[str, int]]) -> tuple[str, int]:
    """How ``node`` is computed from ``args`` (the names or numbers of its inputs, in order,
    each with its precedence level), and the result's level: ``w1 × x1 + w2 × x2 + b``,
    ``(a + b) × c``, ``x²``, ``σ(h)``, ``ELU(h, α=0.1)``. The one infix printer."""
    text = op_text(node)
    symbol, _, params = text.partition(" ")
    level = _LEVELS.get(node.op)
    if level is not None and len(args) >= 2 and not params:
        if node.op == "sum":
            return " + ".join(_wrap(a, _SUM) for a in args), _SUM
        # Left-associative: the right operand of - and ÷ needs parentheses at equal level.
        right = level + 1 if node.op in ("sub", "div") else level
        return f"{_wrap(args[0], level)} {symbol} {_wrap(args[1], right)}", level
    if node.op == "pow" and len(args) == 1 and text.startswith("x"):
        return _wrap(args[0], ATOM) + text[1:], _POWER
    if node.op == "neg" and len(args) == 1:
        return "−" + _wrap(args[0], _POWER), _UNARY
    if node.op == "abs" and len(args) == 1:
        inner = args[0][0]
        if inner.startswith("(-") and inner.endswith(")"):
            inner = inner[1:-1]  # |-1.000|, not |(-1.000)|
        return f"|{inner}|", ATOM
    if _is_infix(symbol) and len(args) == 2 and not params:
        return f"{_wrap(args[0], ATOM)} {symbol} {_wrap(args[1], ATOM)}", _SUM
    inner = [a[0] for a in args] + ([params] if params else [])
    return f"{symbol}({', '.join(inner)})", ATOM


class Namer:
    """Readable names for the nodes of ``order`` (a topological order): the name given in
    ``names`` ({node: name}, default: the node's label); else a constant's value (``2``); else
    the expression of the inputs' names (``w1 × x1``, ``σ(h)``) when at most ``limit``
    characters long; else ``#i`` (the topological index)."""

    def __init__(self, order: list, names: Mapping | None = None, limit: int = 32):
        self.index = {node: i for i, node in enumerate(order)}
        self.names: list[tuple[str, int]] = []  # (name, precedence level)
        for node in order:
            given = names.get(node) if names is not None else node.label
            if given:
                name = (str(given), ATOM)
            elif not node.parents:
                name = (f"{float(node.data):g}", ATOM)
            else:
                name = expression(node, [self.names[self.index[p]] for p in node.parents])
                if len(name[0]) > limit:
                    name = (f"#{len(self.names)}", ATOM)
            self.names.append(name)

    def name(self, i: int) -> str:
        """The name of the node with topological index ``i``."""
        return self.names[i][0]

    def of(self, node: Any) -> str:
        """The name of ``node``."""
        return self.names[self.index[node]][0]
