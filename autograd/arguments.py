"""The argument checks of the package, one of each: every constructor that takes a rate, a
count or a probability checks it here, so the same mistake reads the same everywhere
(``lr must be a finite number >= 0, got -0.1``). Each returns the value, converted.

>>> positive_int("batch_size", 32)
32
>>> unit_interval("momentum", 1.5)
Traceback (most recent call last):
...
ValueError: momentum must be in [0, 1), got 1.5
"""

from __future__ import annotations

import math
from numbers import Integral

__all__ = [
    "number",
    "finite",
    "nonnegative",
    "positive",
    "unit_interval",
    "positive_int",
    "int_pair",
    "NotAnIntError",
]


def number(name: str, value) -> float:
    """``value`` as a float; `TypeError` when it is not a number."""
    if isinstance(value, bool):
        raise TypeError(f"{name} must be a number, got {value!r}")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number, got {value!r}") from None


def finite(name: str, value) -> float:
    """A finite number (inf and nan refused: a file may say alpha = Infinity)."""
    value = number(name, value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}")
    return value


def nonnegative(name: str, value) -> float:
    """A finite number >= 0 (nan and inf refused)."""
    value = number(name, value)
    if not value >= 0.0 or math.isinf(value):  # `not >=` also refuses nan
        raise ValueError(f"{name} must be a finite number >= 0, got {value}")
    return value


def positive(name: str, value) -> float:
    """A number > 0 (nan refused)."""
    value = number(name, value)
    if not value > 0.0:
        raise ValueError(f"{name} must be > 0, got {value:g}")
    return value


def unit_interval(name: str, value) -> float:
    """A number in [0, 1) (a momentum, a decay rate)."""
    value = number(name, value)
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {value}")
    return value


class NotAnIntError(TypeError, ValueError):
    """An argument that must be an int is not one (``2.5``, ``"4"``, ``True``): a `TypeError`,
    and a `ValueError` too, as the loader's and `fit`'s own checks raised before, so callers
    that catch bad values catch it."""


def positive_int(name: str, value) -> int:
    """An int >= 1 (a Python or numpy integer; not a bool, not a float)."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise NotAnIntError(f"{name} must be a positive int, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return int(value)


def int_pair(name: str, value, minimum: int = 1) -> tuple[int, int]:
    """An int or a pair of ints (height, width), each >= ``minimum``, as a pair: a kernel size,
    stride or padding (``int_pair("Conv2d stride", 2)`` is ``(2, 2)``)."""
    items = value if isinstance(value, (tuple, list)) else (value, value)
    if len(items) != 2 or not all(
        isinstance(v, Integral) and not isinstance(v, bool) and v >= minimum for v in items
    ):
        raise ValueError(
            f"{name} must be an int >= {minimum} or a pair of them (height, width), got {value!r}"
        )
    return int(items[0]), int(items[1])
