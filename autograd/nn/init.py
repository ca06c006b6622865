"""Weight initializers: each returns a new numpy array of the given shape drawn with ``rng``.

For a weight of shape ``(out, in)`` (the `Linear` layout) ``fan_in = in`` and
``fan_out = out``; for a 1-D shape both are its length.

====================  =================================  =========================
name                  distribution                       standard deviation
====================  =================================  =========================
``glorot_uniform``    U(-a, a), a = sqrt(6/(in+out))     sqrt(2/(in+out))
``glorot_normal``     N(0, 2/(in+out))                   sqrt(2/(in+out))
``he_uniform``        U(-a, a), a = sqrt(6/in)           sqrt(2/in)
``he_normal``         N(0, 2/in)                         sqrt(2/in)
``uniform``           U(low, high); default +-1/sqrt(in)  (PyTorch's Linear default)
``zeros``             0                                  0
====================  =================================  =========================

``xavier_*`` and ``kaiming_*`` are the same functions under PyTorch's names. ``rng`` is a
``numpy.random.Generator``, an int seed, or None (fresh, unpredictable entropy).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "as_generator",
    "fans",
    "glorot_uniform",
    "glorot_normal",
    "xavier_uniform",
    "xavier_normal",
    "he_uniform",
    "he_normal",
    "kaiming_uniform",
    "kaiming_normal",
    "uniform",
    "zeros",
    "get",
    "INITIALIZERS",
]


def as_generator(rng=None) -> np.random.Generator:
    """A numpy Generator from a Generator (returned as is), an int seed, or None."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, (int, np.integer)) and not isinstance(rng, bool)):
        return np.random.default_rng(rng)
    raise TypeError(
        f"rng must be a numpy.random.Generator, an int seed or None, got {type(rng).__name__}"
    )


def fans(shape) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight of ``shape``: ``(in, out)`` for ``(out, in)``."""
    shape = tuple(int(n) for n in shape)
    if len(shape) == 0:
        raise ValueError("an initializer needs a shape with at least one dimension, got ()")
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


def _draw_uniform(shape, limit, rng, dtype):
    return as_generator(rng).uniform(-limit, limit, size=shape).astype(dtype, copy=False)


def _draw_normal(shape, std, rng, dtype):
    return (as_generator(rng).standard_normal(size=shape) * std).astype(dtype, copy=False)


def glorot_uniform(shape, rng=None, gain: float = 1.0, dtype=np.float32) -> np.ndarray:
    """U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)); std = gain*sqrt(2/(in+out))."""
    fan_in, fan_out = fans(shape)
    return _draw_uniform(shape, gain * np.sqrt(6.0 / (fan_in + fan_out)), rng, dtype)


def glorot_normal(shape, rng=None, gain: float = 1.0, dtype=np.float32) -> np.ndarray:
    """N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out)) (not truncated)."""
    fan_in, fan_out = fans(shape)
    return _draw_normal(shape, gain * np.sqrt(2.0 / (fan_in + fan_out)), rng, dtype)


def he_uniform(shape, rng=None, gain: float = np.sqrt(2.0), dtype=np.float32) -> np.ndarray:
    """U(-a, a) with a = gain * sqrt(3 / fan_in); the default gain sqrt(2) (for ReLU) gives
    a = sqrt(6 / fan_in), std = sqrt(2 / fan_in)."""
    fan_in, _ = fans(shape)
    return _draw_uniform(shape, gain * np.sqrt(3.0 / fan_in), rng, dtype)


def he_normal(shape, rng=None, gain: float = np.sqrt(2.0), dtype=np.float32) -> np.ndarray:
    """N(0, std^2) with std = gain / sqrt(fan_in) = sqrt(2 / fan_in) for the default gain."""
    fan_in, _ = fans(shape)
    return _draw_normal(shape, gain / np.sqrt(fan_in), rng, dtype)


def uniform(shape, rng=None, low=None, high=None, dtype=np.float32) -> np.ndarray:
    """U(low, high); without bounds U(-1/sqrt(fan_in), 1/sqrt(fan_in)), PyTorch's default for
    `Linear` weights."""
    if (low is None) != (high is None):
        raise ValueError("uniform(): give both low and high, or neither")
    if low is None:
        bound = 1.0 / np.sqrt(fans(shape)[0])
        low, high = -bound, bound
    if not low < high:
        raise ValueError(f"uniform(): low must be below high, got low={low}, high={high}")
    return as_generator(rng).uniform(low, high, size=shape).astype(dtype, copy=False)


def zeros(shape, rng=None, dtype=np.float32) -> np.ndarray:
    """All zeros (``rng`` is accepted for a uniform signature and not used)."""
    return np.zeros(shape, dtype=dtype)


xavier_uniform = glorot_uniform
xavier_normal = glorot_normal
kaiming_uniform = he_uniform
kaiming_normal = he_normal

INITIALIZERS = {
    "glorot_uniform": glorot_uniform,
    "glorot_normal": glorot_normal,
    "xavier_uniform": glorot_uniform,
    "xavier_normal": glorot_normal,
    "he_uniform": he_uniform,
    "he_normal": he_normal,
    "kaiming_uniform": he_uniform,
    "kaiming_normal": he_normal,
    "uniform": uniform,
    "zeros": zeros,
}


def get(init):
    """The initializer called ``init`` (a name above), or ``init`` itself if it is callable
    (any ``f(shape, rng, dtype=...) -> ndarray``)."""
    if callable(init):
        return init
    try:
        return INITIALIZERS[init]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown initializer {init!r}; expected a callable or one of {', '.join(INITIALIZERS)}"
        ) from None
