"""Data augmentation of image batches: random left-right flips and small translations
(import it from here; `autograd.data` does not re-export it).

    batch = flip_shift(images, rng, flip=True, shift=2)        # (N, H, W, C) pixels
    loader = AugmentLoader(x, y, 128, image_shape=(32, 32, 3), offset=..., step=..., shift=2)

A translation by (dy, dx) moves every pixel: ``out[i, j] = image[i - dy, j - dx]``, with
``dy, dx`` drawn uniformly from ``-shift..shift`` for each image; the pixels it uncovers are
``fill`` (black: torchvision's ``RandomCrop(size, padding=shift)``). A flip mirrors the
columns, ``out[i, j] = image[i, W - 1 - j]``, for a random half of the images. Both are one
gather of whole windows from the padded batch (or from its mirror image).
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
    return _moved(images, (1, 2), rng, flip, shift, fill)


def _moved(images, spatial, rng, flip, shift, fill):
    """`flip_shift` of a batch whose rows and columns are the axes ``spatial``: (1, 2) for
    (N, H, W, C), (2, 3) for (N, C, H, W); the draws from ``rng`` are made in one order (the
    flips, the vertical moves, the horizontal ones) whatever the layout.

    Image n is a window of its padded image: out[i, j] = padded[i + dy, j + dx] with dy, dx in
    0..2·shift (the move is dy - shift, dx - shift), and mirrored, out[i, j] =
    padded[i + dy, (W - 1 - j) + dx] = mirrored_padded[i + dy, j + 2·shift - dx]: one gather
    of whole windows for the images kept as they are, one for the mirrored ones."""
    shift = int(shift)
    n = images.shape[0]
    (y, x) = spatial
    h, w = images.shape[y], images.shape[x]
    if shift < 0 or shift >= min(h, w):
        raise ValueError(f"flip_shift: shift must be in [0, {min(h, w)}), got {shift}")
    mirrored = rng.random(n) < 0.5 if flip else np.zeros(n, bool)
    padded = images
    dy = dx = np.zeros(n, np.intp)
    if shift:
        shape = list(images.shape)
        shape[y] += 2 * shift
        shape[x] += 2 * shift
        padded = np.full(shape, fill, images.dtype)
        inside = [slice(None)] * images.ndim
        inside[y], inside[x] = slice(shift, shift + h), slice(shift, shift + w)
        padded[tuple(inside)] = images
        dy = rng.integers(0, 2 * shift + 1, n)
        dx = rng.integers(0, 2 * shift + 1, n)
    out = np.empty(images.shape, images.dtype)
    for which, source, columns in ((~mirrored, padded, dx),
                                   (mirrored, np.flip(padded, x), 2 * shift - dx)):  # fmt: skip
        if which.any():
            windows = np.lib.stride_tricks.sliding_window_view(source, (h, w), axis=spatial)
            # (N, .., dy, dx, .., H, W) -> (N, dy, dx, the image's own axes in its order)
            windows = np.moveaxis(windows, (y, x, -2, -1), (1, 2, y + 2, x + 2))
            out[which] = windows[np.flatnonzero(which), dy[which], columns[which]]
    return out


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
        self._offset_planes = np.ascontiguousarray(self.offset.transpose(2, 0, 1))
        self._step_planes = np.ascontiguousarray(self.step.transpose(2, 0, 1))
        self.flip, self.shift = bool(flip), int(shift)
        self.augment_rng = np.random.default_rng(None if seed is None else [seed, 1])

    def _channels_first_shape(self) -> tuple[int, ...]:
        h, w, c = self.image_shape
        return (c, h, w)

    def augment(self, xb: np.ndarray) -> np.ndarray:
        """One batch of preprocessed samples, augmented (same shape and layout)."""
        # NOTE: in the batch's own layout, every pass reads whole rows of pixels, and whole
        # windows are gathered: a conv net's (N, C, H, W) batch of 128 CIFAR-10 images took
        # 5.2-5.5 ms (moved to (N, H, W, C) and gathered pixel by pixel), now 1.5 ms; an
        # MLP's rows 3.6-4.2 ms, now 1.8-2.1 ms.
        if xb.ndim == 2:
            images, spatial = xb.reshape(-1, *self.image_shape), (1, 2)
            offset, step = self.offset, self.step
        else:
            images, spatial = xb, (2, 3)
            offset, step = self._offset_planes, self._step_planes
        moved = _moved((images - offset) / step, spatial, self.augment_rng, self.flip,
                       self.shift, 0.0)  # fmt: skip
        moved *= step
        moved += offset
        return moved.reshape(xb.shape)

    def __iter__(self):
        for xb, yb in super().__iter__():
            yield self.augment(xb), yb
