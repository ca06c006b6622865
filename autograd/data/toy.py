"""The toy data sets, made in memory (nothing to download): `xor` and `parity` (EXERCISES B1,
B2: every pattern, inputs and targets in {-1, 1}), `moons` and `spirals` (two-dimensional
points with integer labels, for classifiers you can draw).
"""

from __future__ import annotations

import itertools

import numpy as np

from autograd.arguments import positive_int

__all__ = ["xor", "parity", "moons", "spirals"]


def xor(xnor: bool = False, dtype=np.float32) -> tuple[np.ndarray, np.ndarray]:
    """The four XOR patterns with inputs and targets in {-1, 1} (EXERCISES B1).

    ``x`` has shape (4, 2); ``y`` (4, 1) is +1 when the inputs differ (XOR), or when they are
    equal with ``xnor=True``. For tanh outputs and MSE.
    """
    x = np.array([[-1, -1], [-1, 1], [1, -1], [1, 1]], dtype=dtype)
    y = -x[:, :1] * x[:, 1:]  # differ -> product -1 -> target +1
    return x, (-y if xnor else y)


def parity(n: int, dtype=np.float32) -> tuple[np.ndarray, np.ndarray]:
    """All ``2**n`` patterns of ``n`` inputs in {-1, 1} and their parity target, the product
    of the inputs (EXERCISES B2): ``x`` (2**n, n), ``y`` (2**n, 1). ``parity(2)`` is XNOR."""
    n = positive_int("parity: n", n)
    if n > 20:
        raise ValueError(f"parity({n}) would have 2**{n} patterns; n must be <= 20")
    x = np.array(list(itertools.product((-1, 1), repeat=n)), dtype=dtype)
    return x, np.prod(x, axis=1, keepdims=True)


def moons(n: int = 200, noise: float = 0.1, seed: int | None = 0, dtype=np.float32):
    """Two interleaving half circles (scikit-learn's ``make_moons``): ``x`` (n, 2) and integer
    labels ``y`` (n,) in {0, 1}, half each (the odd sample to class 0), Gaussian ``noise``."""
    if not isinstance(n, int) or n < 2:
        raise ValueError(f"n must be an int >= 2, got {n!r}")
    rng = np.random.default_rng(seed)
    n_outer = n - n // 2
    t_outer = np.linspace(0, np.pi, n_outer)
    t_inner = np.linspace(0, np.pi, n // 2)
    x = np.concatenate(
        [
            np.stack([np.cos(t_outer), np.sin(t_outer)], axis=1),
            np.stack([1 - np.cos(t_inner), 0.5 - np.sin(t_inner)], axis=1),
        ]
    )
    y = np.concatenate([np.zeros(n_outer, np.int64), np.ones(n // 2, np.int64)])
    x = x + noise * rng.standard_normal(x.shape)
    order = rng.permutation(n)
    return x[order].astype(dtype), y[order]


def spirals(
    n_per_class: int = 100,
    classes: int = 3,
    noise: float = 0.2,
    seed: int | None = 0,
    dtype=np.float32,
):
    """Interleaved spiral arms, one per class (the CS231n toy set): ``x`` (n_per_class *
    classes, 2) with radius 0..1, and integer labels ``y``; ``noise`` jitters the angle."""
    if not isinstance(n_per_class, int) or n_per_class < 1 or not isinstance(classes, int):
        raise ValueError(f"n_per_class and classes must be positive ints, got {n_per_class!r}")
    if classes < 2:
        raise ValueError(f"classes must be >= 2, got {classes}")
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for k in range(classes):
        r = np.linspace(0.0, 1.0, n_per_class)
        theta = np.linspace(4.0 * k, 4.0 * (k + 1), n_per_class)
        theta = theta + noise * rng.standard_normal(n_per_class)
        xs.append(np.stack([r * np.sin(theta), r * np.cos(theta)], axis=1))
        ys.append(np.full(n_per_class, k, np.int64))
    x, y = np.concatenate(xs), np.concatenate(ys)
    order = rng.permutation(len(x))
    return x[order].astype(dtype), y[order]
