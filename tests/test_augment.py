"""autograd.data.augment: flips and translations, checked pixel by pixel against a loop."""

import numpy as np
import pytest

from autograd.data import standardize
from autograd.data.augment import AugmentLoader, flip_shift


def _moved(image, dy, dx, mirror, fill):
    """The reference: out[i, j] = image[i - dy, j' - dx] with j' the mirrored column."""
    h, w = image.shape[:2]
    source = image[:, ::-1] if mirror else image
    out = np.full_like(image, fill)
    for i in range(h):
        for j in range(w):
            if 0 <= i - dy < h and 0 <= j - dx < w:
                out[i, j] = source[i - dy, j - dx]
    return out


def _which(image, result, shift, fill=0):
    """Every (dy, dx, mirror) whose reference gives ``result``."""
    return [
        (dy, dx, mirror)
        for dy in range(-shift, shift + 1)
        for dx in range(-shift, shift + 1)
        for mirror in (False, True)
        if np.array_equal(_moved(image, dy, dx, mirror, fill), result)
    ]


def test_flip_shift_moves_each_image_by_at_most_shift_pixels_with_a_black_border():
    rng = np.random.default_rng(0)
    images = rng.integers(1, 256, (60, 5, 6, 3)).astype(np.float32)  # no 0: borders show
    out = flip_shift(images, np.random.default_rng(1), flip=True, shift=2)
    assert out.shape == images.shape and out.dtype == images.dtype
    found = [_which(a, b, 2) for a, b in zip(images, out)]
    assert all(len(f) == 1 for f in found)
    moves = [f[0] for f in found]
    assert 10 < sum(m[2] for m in moves) < 50  # about half mirrored
    assert {m[0] for m in moves} == {-2, -1, 0, 1, 2} == {m[1] for m in moves}


def test_flip_shift_without_shift_only_mirrors_and_without_flip_only_moves():
    rng = np.random.default_rng(2)
    images = rng.integers(1, 256, (40, 4, 4, 1)).astype(np.float32)
    mirrored = flip_shift(images, np.random.default_rng(3), flip=True, shift=0)
    moves = [_which(a, b, 0)[0] for a, b in zip(images, mirrored)]
    assert {m[2] for m in moves} == {False, True}
    shifted = flip_shift(images, np.random.default_rng(3), flip=False, shift=1, fill=-1)
    moves = [_which(a, b, 1, fill=-1) for a, b in zip(images, shifted)]
    assert all(m and not m[0][2] for m in moves)
    same = flip_shift(images, np.random.default_rng(3), flip=False, shift=0)
    assert np.array_equal(same, images) and same is not images


def _gathered(images, rng, flip, shift, fill):
    """The first implementation of flip_shift (one fancy-index gather over rows and columns of
    (N, H, W, C) images): the windows must give the same draws and the same numbers."""
    n, h, w = images.shape[:3]
    rows = np.broadcast_to(np.arange(h), (n, h))
    cols = np.broadcast_to(np.arange(w), (n, w))
    if flip:
        cols = np.where(rng.random(n)[:, None] < 0.5, cols[:, ::-1], cols)
    source = images
    if shift:
        pad = ((0, 0), (shift, shift), (shift, shift), (0, 0))
        source = np.pad(images, pad, constant_values=np.asarray(fill, images.dtype))
        rows = rows + rng.integers(0, 2 * shift + 1, n)[:, None]
        cols = cols + rng.integers(0, 2 * shift + 1, n)[:, None]
    return source[np.arange(n)[:, None, None], rows[:, :, None], cols[:, None, :]]


@pytest.mark.parametrize("flip, shift, fill", [(True, 2, 0.0), (True, 0, 0.0), (False, 1, -1.0),
                                               (True, 3, 5.0), (False, 0, 0.0)])  # fmt: skip
def test_flip_shift_gives_the_first_implementations_draws_and_numbers(flip, shift, fill):
    # the figures measured with augmentation (README, Results) stay reproducible
    images = np.random.default_rng(6).standard_normal((33, 7, 9, 3)).astype(np.float32)
    expected = _gathered(images, np.random.default_rng(8), flip, shift, fill)
    np.testing.assert_array_equal(
        flip_shift(images, np.random.default_rng(8), flip, shift, fill), expected
    )


@pytest.mark.parametrize("channels_first", [False, True])
def test_augment_loader_gives_the_first_implementations_numbers(channels_first):
    images = np.random.default_rng(9).integers(0, 256, (40, 6, 5, 3), dtype=np.uint8)
    x, offset, step, _ = _preprocessed(images)
    samples = x.reshape(-1, 6, 5, 3)  # (N, H, W, C), as the first implementation worked
    if channels_first:
        x = np.ascontiguousarray(samples.transpose(0, 3, 1, 2))
    loader = AugmentLoader(x, np.arange(40), 16, image_shape=(6, 5, 3), offset=offset,
                           step=step, shift=2, seed=4)  # fmt: skip
    reference = np.random.default_rng([4, 1])  # the loader's augmentation stream
    offset, step = offset.reshape(6, 5, 3), step.reshape(6, 5, 3)
    for xb, yb in loader:
        pixels = (samples[yb] - offset) / step
        expected = _gathered(pixels, reference, True, 2, 0.0) * step + offset
        got = xb.transpose(0, 2, 3, 1) if channels_first else xb.reshape(-1, 6, 5, 3)
        np.testing.assert_array_equal(got, expected)


def test_flip_shift_refuses_what_is_not_a_batch_of_images_or_too_large_a_shift():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match=r"expected \(N, H, W, C\) images, got shape \(4, 9\)"):
        flip_shift(np.zeros((4, 9)), rng)
    with pytest.raises(ValueError, match=r"shift must be in \[0, 3\), got 3"):
        flip_shift(np.zeros((2, 3, 5, 1)), rng, shift=3)


def _preprocessed(images):
    """Rows of ``images`` scaled to [0, 1] and standardized per pixel, with the offset
    (preprocessed black) and step (preprocessed white minus black)."""
    rows = images.reshape(len(images), -1).astype(np.float32) / 255
    x, mean, std = standardize(rows)
    scale = np.where(std == 0, 1, std) + np.float32(1e-8)
    offset = (0 - mean) / scale
    step = (1 / 255) / scale
    return x, offset, step, lambda raw: (raw.reshape(len(raw), -1) / 255 - mean) / scale


@pytest.mark.parametrize("channels_first", [False, True])
def test_augment_loader_moves_the_pixels_before_the_preprocessing(channels_first):
    rng = np.random.default_rng(4)
    images = rng.integers(1, 256, (48, 4, 5, 3), dtype=np.uint8)
    x, offset, step, preprocess = _preprocessed(images)
    if channels_first:
        x = np.ascontiguousarray(x.reshape(-1, 4, 5, 3).transpose(0, 3, 1, 2))
    loader = AugmentLoader(x, np.arange(48), 48, image_shape=(4, 5, 3), offset=offset,
                           step=step, flip=True, shift=1, seed=0)  # fmt: skip
    xb, yb = next(iter(loader))
    assert xb.shape == x.shape and xb.dtype == np.float32 and sorted(yb) == list(range(48))
    if channels_first:
        assert xb.flags.c_contiguous
        xb = xb.transpose(0, 2, 3, 1)
    xb = xb.reshape(48, -1)
    moves = [(dy, dx, m) for dy in (-1, 0, 1) for dx in (-1, 0, 1) for m in (False, True)]
    for row, i in zip(xb, yb):
        candidates = [preprocess(_moved(images[i], *move, 0)[None])[0] for move in moves]
        matches = [c for c in candidates if np.allclose(c, row, atol=1e-4)]
        assert matches, f"sample {i} is no flip/shift of its image"


def test_augment_loader_is_seeded_and_refuses_flat_samples():
    x = np.random.default_rng(0).random((20, 12), dtype=np.float32)
    args = dict(image_shape=(2, 2, 3), offset=np.zeros(12), step=np.ones(12), shift=1)
    first = [xb for xb, _ in AugmentLoader(x, np.arange(20), 8, seed=3, **args)]
    again = [xb for xb, _ in AugmentLoader(x, np.arange(20), 8, seed=3, **args)]
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    with pytest.raises(ValueError, match="needs images; this data set has flat samples"):
        AugmentLoader(x, np.arange(20), 8, image_shape=None, offset=0, step=1)
    with pytest.raises(ValueError, match=r"neither rows of 2x2x2 images"):
        AugmentLoader(x, np.arange(20), 8, image_shape=(2, 2, 2), offset=0, step=1)
