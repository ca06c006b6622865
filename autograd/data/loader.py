"""Batches, splits and the preparation of arrays: `DataLoader`, `split`/`train_val_split`,
`one_hot`, `standardize`.

Everything here is plain numpy: a loader yields ``(x_batch, y_batch)`` numpy arrays, and the
training loop (`autograd.train.fit`) wraps them in Tensors.
"""

from __future__ import annotations

import math

import numpy as np

from autograd.arguments import positive_int
from autograd.tensor import as_array

__all__ = [
    "DataLoader",
    "split",
    "train_val_split",
    "one_hot",
    "standardize",
]


def _check_pair(x, y) -> tuple[np.ndarray, np.ndarray]:
    x, y = as_array(x), as_array(y)
    if x.ndim == 0 or y.ndim == 0:
        raise ValueError(
            f"x and y must be arrays with one sample per row, got shapes {x.shape} and {y.shape}"
        )
    if len(x) != len(y):
        raise ValueError(
            f"x and y must have the same number of samples (first dimension), got "
            f"{len(x)} (x shape {x.shape}) and {len(y)} (y shape {y.shape})"
        )
    return x, y


class DataLoader:
    """Mini-batches ``(x[idx], y[idx])`` over one pass of the data per iteration.

    - ``shuffle=False``: batches in order (each a view of x and y, no copy);
    - ``shuffle=True``: a new permutation at every iteration, drawn from a numpy Generator made
      once from ``seed``: the same seed gives the same sequence of epochs on every run;
    - ``drop_last=True`` drops the final batch when it is smaller than ``batch_size``.

    ``len(loader)`` is the number of batches per epoch; the loader can be iterated any number
    of times (one epoch each).
    """

    def __init__(
        self,
        x,
        y,
        batch_size: int = 32,
        shuffle: bool = False,
        drop_last: bool = False,
        seed: int | None = None,
    ):
        self.x, self.y = _check_pair(x, y)
        batch_size = positive_int("batch_size", batch_size)
        if drop_last and batch_size > len(self.x):
            raise ValueError(
                f"drop_last=True with batch_size {batch_size} > {len(self.x)} samples would "
                "yield no batch at all"
            )
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.seed = seed
        self.rng = np.random.default_rng(seed)

    @property
    def num_samples(self) -> int:
        return len(self.x)

    def __len__(self) -> int:
        if self.drop_last:
            return self.num_samples // self.batch_size
        return math.ceil(self.num_samples / self.batch_size)

    def __iter__(self):
        n, size = self.num_samples, self.batch_size
        stop = n - n % size if self.drop_last else n
        if self.shuffle:
            order = self.rng.permutation(n)
            for start in range(0, stop, size):
                idx = order[start : start + size]
                yield self.x[idx], self.y[idx]
        else:
            for start in range(0, stop, size):
                yield self.x[start : start + size], self.y[start : start + size]

    def __repr__(self) -> str:
        return (
            f"DataLoader({self.num_samples} samples, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, drop_last={self.drop_last}, {len(self)} batches)"
        )


def split(x, y, fractions=(0.8, 0.2), seed: int | None = 0, shuffle: bool = True) -> list:
    """Split ``(x, y)`` into parts of the given fractions of the samples (which must add up
    to 1): ``[(x_0, y_0), (x_1, y_1), ...]``. The last part takes the rounding remainder.

        (x_tr, y_tr), (x_va, y_va), (x_te, y_te) = split(x, y, (0.8, 0.1, 0.1), seed=0)
    """
    x, y = _check_pair(x, y)
    fractions = [float(f) for f in fractions]
    if len(fractions) < 2 or any(f <= 0 for f in fractions):
        raise ValueError(f"fractions must be two or more positive numbers, got {fractions}")
    if abs(sum(fractions) - 1.0) > 1e-6:
        raise ValueError(f"fractions must add up to 1, got {fractions} (sum {sum(fractions)})")
    n = len(x)
    counts = [int(round(f * n)) for f in fractions[:-1]]
    counts.append(n - sum(counts))
    if min(counts) < 1:
        raise ValueError(f"{n} samples cannot be split into parts {fractions}: one would be empty")
    order = np.random.default_rng(seed).permutation(n) if shuffle else np.arange(n)
    parts, start = [], 0
    for count in counts:
        idx = order[start : start + count]
        parts.append((x[idx], y[idx]))
        start += count
    return parts


def train_val_split(x, y, val_fraction: float = 0.2, seed: int | None = 0, shuffle: bool = True):
    """``(x_train, y_train), (x_val, y_val)``: a random ``val_fraction`` of the samples held
    out for validation (shuffled with ``seed``; ``shuffle=False`` keeps the last ones)."""
    if not 0.0 < val_fraction < 1.0:
        raise ValueError(f"val_fraction must be in (0, 1), got {val_fraction}")
    train, val = split(x, y, (1.0 - val_fraction, val_fraction), seed=seed, shuffle=shuffle)
    return train, val


def one_hot(labels, num_classes: int | None = None, dtype=np.float32) -> np.ndarray:
    """Rows of the identity: ``one_hot([2, 0], 3) == [[0, 0, 1], [1, 0, 0]]``."""
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(
            f"labels must be a 1-D array of integer class indices, got dtype {labels.dtype} "
            f"and shape {labels.shape}"
        )
    if num_classes is None:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(
            f"labels must be in [0, {num_classes}), got values from {labels.min()} to "
            f"{labels.max()}"
        )
    out = np.zeros((len(labels), num_classes), dtype=dtype)
    out[np.arange(len(labels)), labels] = 1
    return out


def standardize(x, mean=None, std=None, eps: float = 1e-8, copy: bool = True):
    """``(x - mean) / (std + eps)`` per feature (over axis 0); returns ``(z, mean, std)``.
    A constant feature (``std == 0``, e.g. MNIST's blank border pixels) is only centred, as
    scikit-learn's StandardScaler does: dividing by ``eps`` would turn a test image's stray
    pixel there into an input of 1e8.

    Compute the statistics on the training set and reuse them for validation and test::

        x_train, mean, std = standardize(x_train)
        x_test, _, _ = standardize(x_test, mean, std)

    Pass ``std=1`` to only subtract the mean (CIFAR-10 in EXERCISES C1 subtracts the mean
    training image). ``copy=False`` overwrites a floating-point ``x`` with ``z`` (as
    StandardScaler(copy=False)): the same numbers without a second array of x's size.
    """
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float32)
    if mean is None:
        mean = x.mean(axis=0)
    if std is None:
        std = x.std(axis=0)
    mean = np.asarray(mean, dtype=x.dtype)
    std = np.asarray(std, dtype=x.dtype)
    scale = np.where(std == 0, x.dtype.type(1), std) + x.dtype.type(eps)
    if copy:
        return (x - mean) / scale, mean, std
    np.subtract(x, mean, out=x)
    np.divide(x, scale, out=x)
    return x, mean, std
