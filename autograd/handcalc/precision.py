"""The precision rule of claims: a number is compared at the precision it was written with.
``"0.33"`` has two decimals, so it is right when the true value rounds to 0.33, i.e. when
``|true - 0.33| <= 0.005`` (half a unit in the last written digit; both roundings of an exact
tie are accepted): 0.334 matches, 0.666 does not. ``"1.5e-3"`` is compared to 0.0001.
"""

from __future__ import annotations

import math
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal, InvalidOperation

__all__ = ["matches", "quantum", "close", "decimals", "truncated"]


def matches(claimed: str, true: float) -> bool:
    """True when ``true`` rounds to ``claimed`` at the precision ``claimed`` was written with."""
    claim = Decimal(claimed)
    return close(float(claim), true, quantum(claim))


def quantum(claim: Decimal) -> float:
    """The unit of the last written digit of a claim (0.01 for 0.33)."""
    exponent = claim.as_tuple().exponent
    return 10.0**exponent if -324 < exponent < 309 else (0.0 if exponent < 0 else math.inf)


def close(claim: float, true: float, quantum: float) -> bool:
    """Is ``true`` within half a ``quantum`` of ``claim``?"""
    # NOTE: the relative slack absorbs binary rounding of ties such as 0.335 vs "0.33".
    slack = 1e-9 * quantum + 1e-12 * abs(true)
    return math.isfinite(true) and abs(true - claim) <= quantum / 2 + slack


def decimals(quantum: float) -> int:
    """The decimals a claim of precision ``quantum`` was written with."""
    # NOTE: at most 17, the digits a float holds (a claim of 1E-323 would ask for 323).
    return min(17, max(0, -round(math.log10(quantum))))


def truncated(true: float, quantum: float) -> float | None:
    """``true`` cut (not rounded) to ``quantum``, when cutting and rounding give different
    numbers; else None. The true number is first read at 12 significant digits, so float
    round-off (0.06999999999999999 for 0.07) is not taken for a digit to cut."""
    try:
        exact = Decimal(f"{true:.12g}")
        step = Decimal(repr(quantum))
        cut = exact.quantize(step, rounding=ROUND_DOWN)
        rounded = exact.quantize(step, rounding=ROUND_HALF_EVEN)
    except (InvalidOperation, ValueError):
        return None
    return None if cut == rounded else float(cut)
