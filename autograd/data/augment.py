"""Data augmentation of image batches: random left-right flips and small translations
(import it from here; `autograd.data` does not re-export it).

    batch = flip_shift(images, rng, flip=True, shift=2)        # (N, H, W, C) pixels
    loader = AugmentLoader(x, y, 128, image_shape=(32, 32, 3), offset=..., step=..., shift=2)

A translation by (dy, dx) moves every pixel: ``out[i, j] = image[i - dy, j - dx]``, with
``dy, dx`` drawn uniformly from ``-shift..shift`` for each image; the pixels it uncovers are
``fill`` (black: torchvision's ``RandomCrop(size, padding=shift)``). A flip mirrors the
columns, ``out[i, j] = image[i, W - 1 - j]``, for a random half of the images. Both are one
gather from the padded batch, so an augmented batch costs one copy.
"""

from __future__ import annotations

import numpy as np

from autograd.data.loader import DataLoader

__all__ = ["flip_shift", "AugmentLoader"]


def flip_shift(images, rng, flip: bool = True, shift: int = 0, fill: float = 0.0) -> np.ndarray:
    """A new array of the (N, H, W, C) ``images``, each mirrored left-right with probability
    1/2 (``flip``) and moved by up to ``shift`` pixels along each axis (the uncovered pixels set
    to ``fill``); ``rng`` is a numpy Generator. Shape and dtype are kept."""
    images = np.asarray(images)
    if images.ndim != 4:
        raise ValueError(f"flip_shift: expected (N, H, W, C) images, got shape {images.shape}")
    shift = int(shift)
    n, h, w = images.shape[:3]
    if shift < 0 or shift >= min(h, w):
        raise ValueError(f"flip_shift: shift must be in [0, {min(h, w)}), got {shift}")
    rows = np.broadcast_to(np.arange(h), (n, h))
    cols = np.broadcast_to(np.arange(w), (n, w))
    if flip:
        cols = np.where(rng.random(n)[:, None] < 0.5, cols[:, ::-1], cols)
    source = images
    if shift:
        # out[i, j] = image[i - dy, j - dx] = padded[i - dy + shift, j - dx + shift]
        pad = ((0, 0), (shift, shift), (shift, shift), (0, 0))
        source = np.pad(images, pad, constant_values=np.asarray(fill, images.dtype))
        rows = rows + rng.integers(0, 2 * shift + 1, n)[:, None]
        cols = cols + rng.integers(0, 2 * shift + 1, n)[:, None]
    return source[np.arange(n)[:, None, None], rows[:, :, None], cols[:, None, :]]


class AugmentLoader(DataLoader):
    """A shuffling `DataLoader` whose batches are augmented with `flip_shift`.

    ``x`` holds preprocessed images, ``x = pixels * step + offset`` element by element (with
    ``offset`` the preprocessed black image and ``step`` the preprocessed white minus black,
    one flat (H*W*C,) row each, in the (H, W, C) order of the rows): either rows of
    ``image_shape`` = (H, W, C) images (an MLP's inputs) or (N, C, H, W) arrays (a conv
    net's). The flips and translations are done on the pixels (undone, moved, redone), so a
    mean image or per-pixel statistics stay where they belong; uncovered pixels are black.
    """

    def __init__(self, x, y, batch_size: int, *, image_shape, offset, step, flip: bool = True,
                 shift: int = 0, seed: int | None = None):  # fmt: skip
        super().__init__(x, y, batch_size=batch_size, shuffle=True, seed=seed)
        if image_shape is None or len(image_shape) != 3:
            raise ValueError(
                "augmentation (flips, shifts) needs images; this data set has flat samples "
                f"(image shape {image_shape})"
            )
        self.image_shape = tuple(int(s) for s in image_shape)
        pixels = int(np.prod(self.image_shape))
        if self.x.shape[1:] not in ((pixels,), self._channels_first_shape()):
            raise ValueError(
                f"AugmentLoader: samples of shape {self.x.shape[1:]} are neither rows of "
                f"{'x'.join(map(str, self.image_shape))} images nor (C, H, W) images"
            )
        self.offset = np.asarray(offset, np.float32).reshape(self.image_shape)
        self.step = np.asarray(step, np.float32).reshape(self.image_shape)
        self.flip, self.shift = bool(flip), int(shift)
        self.augment_rng = np.random.default_rng(None if seed is None else [seed, 1])

    def _channels_first_shape(self) -> tuple[int, ...]:
        h, w, c = self.image_shape
        return (c, h, w)

    def augment(self, xb: np.ndarray) -> np.ndarray:
        """One batch of preprocessed samples, augmented (same shape and layout)."""
        rows = xb.ndim == 2
        images = xb.reshape(-1, *self.image_shape) if rows else np.moveaxis(xb, 1, -1)
        pixels = (images - self.offset) / self.step
        moved = flip_shift(pixels, self.augment_rng, self.flip, self.shift) * self.step
        moved += self.offset
        if rows:
            return moved.reshape(len(xb), -1)
        return np.ascontiguousarray(np.moveaxis(moved, -1, 1))

    def __iter__(self):
        for xb, yb in super().__iter__():
            yield self.augment(xb), yb
