"""How nodes read in a drawing: numbers, arrays and op texts. The printer itself (numbers,
op texts, expressions with only the parentheses they need) is `autograd.notation`, shared with
the checker and the command line; this module adds only what is drawing-specific (arrays as
their shape and small values) and re-exports the rest for the drawings.

>>> format_number(-0.0004, 3)
'0.000'
>>> import numpy as np
>>> format_data(np.zeros((1, 2)), 1)
'shape (1, 2)\\n[0.0, 0.0]'
"""

from __future__ import annotations

from typing import Any

from autograd.notation import (
    ATOM,
    Namer,
    expression,
    format_number,
    op_spec,
    op_text,
    signed_sum,
)

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
