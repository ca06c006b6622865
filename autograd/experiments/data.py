"""The data of one experiment: load the set a `Config` names, split it, keep the fraction,
preprocess it as the course does, and make the targets its loss takes.

    data = load_data(config)        # a `Data`: x_train, y_train, ..., labels_test, classes
    data.apply(images)              # the same preprocessing on new raw samples (evaluate)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from autograd.data import images, moons, one_hot, parity, spirals, split, standardize, xor
from autograd.experiments.config import CONV_ARCHS, DATASETS, Config, ConfigError

__all__ = ["Data", "load_data", "load_raw", "as_images", "DataError", "sized"]

TOY = ("xor", "xnor", "parity")  # every pattern is trained on and evaluated on
OFFICIAL = {"mnist": "mnist", "fashion-mnist": "fashion-mnist", "cifar10": "cifar-10"}
HOW_TO_GET = {
    "mnist": "pass --download (pip install 'autograd-lab[data]'), or --data-dir DIR holding "
    "the four *-ubyte.gz files",
    "fashion-mnist": "apt-get install dataset-fashion-mnist (Debian), pass --download "
    "(pip install 'autograd-lab[data]'), or --data-dir DIR holding the four *-ubyte.gz files",
    "cifar10": "pass --download (170 MB; pip install 'autograd-lab[data]'), or --data-dir DIR "
    "holding cifar-10-binary.tar.gz (https://www.cs.toronto.edu/~kriz/cifar.html)",
}


class DataError(ValueError):
    """The data cannot be had or does not fit the config; the message says which and why."""


@dataclass
class Raw:
    """A data set as read: samples (N, ...) and integer labels (N,), with the official test
    part when there is one."""

    x: np.ndarray
    labels: np.ndarray
    x_test: np.ndarray | None
    labels_test: np.ndarray | None
    classes: tuple[str, ...]

    def head(self, n: int, n_test: int | None = None) -> Raw:
        """The first ``n`` samples (and ``n_test`` of the official test part): a quick look
        at a big set (the notebooks' small mode)."""
        n_test = n if n_test is None else n_test
        test = self.x_test is not None
        return Raw(
            self.x[:n],
            self.labels[:n],
            self.x_test[:n_test] if test else None,
            self.labels_test[:n_test] if test else None,
            self.classes,
        )


@dataclass
class Data:
    """Preprocessed float32 inputs (one row per sample; (N, C, H, W) images for the conv
    architectures) and the targets the loss takes
    (``y_*``: class indices for cross-entropy, one-hot or a column for MSE/BCE), with the
    integer class labels (``labels_*``) for the metrics."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    labels_train: np.ndarray
    labels_val: np.ndarray
    labels_test: np.ndarray
    classes: tuple[str, ...]
    image_shape: tuple[int, ...] | None  # (H, W, C) for images, for flips and pictures
    stats: dict[str, np.ndarray] = field(default_factory=dict)  # "scale", "mean", "std"

    def apply(self, x) -> np.ndarray:
        """The training preprocessing (scale, mean, std) applied to raw samples ``x`` (rows;
        use `as_images` for a conv network)."""
        return preprocess(np.asarray(x), self.stats)


def as_images(rows: np.ndarray, image_shape) -> np.ndarray:
    """Preprocessed rows of (H, W, C) images as the conv layers take them: (N, C, H, W)."""
    if image_shape is None or int(np.prod(image_shape)) != rows.shape[1]:
        raise DataError(
            f"a conv network needs images; these samples are rows of {rows.shape[1]} numbers"
            + (f", not {'x'.join(map(str, image_shape))} images" if image_shape else "")
        )
    return images.channels_first(rows.reshape(len(rows), *image_shape))


def preprocess(x: np.ndarray, stats: dict) -> np.ndarray:
    """Rows of float32 samples: scaled, then centred (and standardized) with ``stats``."""
    x = x.reshape(len(x), -1).astype(np.float32)  # a new array, changed in place below
    if "scale" in stats:
        x *= np.float32(stats["scale"])
    if "mean" in stats:
        x, _, _ = standardize(x, stats["mean"], stats.get("std", np.float32(1)), copy=False)
    return x


def load_raw(config: Config, download: bool = False) -> Raw:
    """Read the data set named by ``config.dataset`` (a name or a path); no preprocessing."""
    name = config.dataset
    if name in ("xor", "xnor", "parity"):
        x, t = parity(config.parity_n) if name == "parity" else xor(xnor=name == "xnor")
        return Raw(x, (t[:, 0] > 0).astype(np.int64), None, None, ("-1", "+1"))
    if name in ("moons", "spirals"):
        if name == "moons":
            x, y = moons(config.samples, seed=config.split_seed)
        else:
            x, y = spirals(config.samples // 3, classes=3, seed=config.split_seed)
        return Raw(x, y, None, None, tuple(str(c) for c in range(int(y.max()) + 1)))
    if name in OFFICIAL:
        return _official(config, download)
    path = Path(name)
    if path.suffix == ".npz" and path.is_file():
        x, y, classes = images.read_npz(path)
    elif path.is_dir():
        size = tuple(config.image_size) if config.image_size else None
        x, y, classes = images.read_image_folder(path, size, config.grayscale)
    else:
        raise DataError(
            f"dataset: unknown data set {name!r}; known: {', '.join(DATASETS)}, or a path to "
            "your data: FILE.npz (arrays x and y) or a folder with one sub-folder of images per "
            f"class{' (no such file or folder)' if not path.exists() else ''}"
        )
    classes = classes or tuple(str(c) for c in range(int(y.max()) + 1))
    return Raw(x, y, None, None, classes)


def _official(config: Config, download: bool) -> Raw:
    name = config.dataset
    key = OFFICIAL[name]
    try:
        if config.data_dir:
            folder = Path(config.data_dir)
            if not folder.is_dir():
                raise FileNotFoundError(f"--data-dir {folder}: no such folder")
            sub = folder / key if (folder / key).is_dir() else folder
            x, y = images.read_official(key, sub, "train")
            x_test, y_test = images.read_official(key, sub, "test")
        else:
            loader = {"mnist": images.mnist, "fashion-mnist": images.fashion_mnist}.get(
                name, images.cifar10
            )
            x, y = loader("train", download=download)
            x_test, y_test = loader("test", download=download)
    except FileNotFoundError as error:
        # NOTE: the loaders speak Python (download=True); this is read on the command line.
        message = str(error).replace("pass download=True, or put", "put")
        raise DataError(f"{message}\nto get {name}: {HOW_TO_GET[name]}") from None
    except OSError as error:  # the download failed: no network, a mirror down
        raise DataError(
            f"{name}: the download failed ({error}); download the files elsewhere and give "
            f"their folder with --data-dir DIR, or put them in {images.cache_dir() / key}"
        ) from None
    classes = {
        "fashion-mnist": images.FASHION_MNIST_CLASSES,
        "cifar10": images.CIFAR10_CLASSES,
    }.get(name, tuple(str(d) for d in range(10)))
    return Raw(x, y.astype(np.int64), x_test, y_test.astype(np.int64), classes)


def _image_shape(x: np.ndarray) -> tuple[int, ...] | None:
    if x.ndim == 3:
        return (*x.shape[1:], 1)
    if x.ndim == 4:
        return tuple(x.shape[1:])
    return None


def sized(config: Config, n_inputs: int, n_classes: int) -> Config:
    """``config`` with ``layers`` that start or end with 0 given the data's sizes: the inputs
    per sample, and the classes (one output for two classes, except with cross-entropy)."""
    first, *hidden, last = config.layers
    if first and last:
        return config
    one = n_classes == 2 and config.loss != "ce"
    return config.replace(layers=[first or n_inputs, *hidden, last or (1 if one else n_classes)])


def load_data(config: Config, download: bool = False, raw: Raw | None = None) -> Data:
    """Everything `autograd.experiments.run` trains and evaluates on (``raw``: already read).
    Data of one class is refused (DataError) before anything is trained.
    Layers that start or end with 0 take the data's sizes (`sized`)."""
    raw = raw or load_raw(config, download)
    present = np.unique(raw.labels)
    if len(present) < 2:  # as read_image_folder: one class trains to loss 0 and means nothing
        raise DataError(
            f"{config.dataset}: the labels hold {len(present)} class"
            f"{'es' if not len(present) else ''} ({', '.join(map(str, present)) or 'no samples'});"
            " training a classifier needs samples of two classes or more"
        )
    config = sized(config, int(np.prod(raw.x.shape[1:])), len(raw.classes))
    n_classes = len(raw.classes)
    if config.dataset in TOY and not config.split:
        train = val = test = (raw.x, raw.labels)
    elif raw.x_test is not None:
        fractions = config.split or [0.8, 0.2]
        if len(fractions) != 2:
            raise ConfigError(
                f"split: {config.dataset} has its own test set, so split takes two fractions of "
                f"its training set (train, val), got {fractions}"
            )
        train, val = split(raw.x, raw.labels, fractions, seed=config.split_seed)
        test = (raw.x_test, raw.labels_test)
    else:
        fractions = config.split or [0.8, 0.1, 0.1]
        if len(fractions) != 3:
            raise ConfigError(
                f"split: {config.dataset} has no test set of its own, so split takes three "
                f"fractions (train, val, test), got {fractions}"
            )
        try:
            train, val, test = split(raw.x, raw.labels, fractions, seed=config.split_seed)
        except ValueError as error:
            raise DataError(f"split: {error}") from None
    if config.fraction < 1:
        keep = max(1, round(config.fraction * len(train[0])))
        order = np.random.default_rng(config.split_seed).permutation(len(train[0]))[:keep]
        train = (train[0][order], train[1][order])

    stats: dict[str, np.ndarray] = {}
    if config.scale and raw.x.dtype == np.uint8:
        stats["scale"] = np.float32(1 / 255)
    x_train = preprocess(train[0], stats)  # scaled; its statistics give the rest of `stats`
    if config.normalize == "mean-image":
        stats["mean"] = x_train.mean(axis=0)
        x_train, _, _ = standardize(x_train, stats["mean"], np.float32(1), copy=False)
    elif config.normalize == "standardize":
        x_train, stats["mean"], stats["std"] = standardize(x_train, copy=False)

    n_in = config.layers[0]
    if x_train.shape[1] != n_in:
        raise ConfigError(
            f"layers: {config.dataset} has {x_train.shape[1]} inputs per sample, but the layers "
            f"{'-'.join(map(str, config.layers))} start with {n_in}"
        )
    x_val, x_test = preprocess(val[0], stats), preprocess(test[0], stats)
    if config.arch in CONV_ARCHS:
        shape = _image_shape(raw.x)
        x_train, x_val, x_test = (as_images(x, shape) for x in (x_train, x_val, x_test))
    return Data(
        x_train,
        _targets(config, train[1], n_classes),
        x_val,
        _targets(config, val[1], n_classes),
        x_test,
        _targets(config, test[1], n_classes),
        train[1],
        val[1],
        test[1],
        raw.classes,
        _image_shape(raw.x),
        stats,
    )


def _targets(config: Config, labels: np.ndarray, n_classes: int) -> np.ndarray:
    n_out = config.layers[-1]
    if config.loss == "ce":
        if n_out != n_classes:
            raise ConfigError(
                f"layers: {config.dataset} has {n_classes} classes, so the cross-entropy needs "
                f"{n_classes} outputs, but the layers end with {n_out}"
            )
        return labels
    if n_out == 1 and n_classes == 2:
        target = labels[:, None].astype(np.float32)
    elif n_out == n_classes:
        target = one_hot(labels, n_classes)
    else:
        raise ConfigError(
            f"layers: {config.dataset} has {n_classes} classes: the layers must end with "
            f"{n_classes} outputs{' (or 1)' if n_classes == 2 else ''}, not {n_out}"
        )
    kind = config.targets
    if kind == "auto":
        kind = "plus-minus-one" if config.out_act == "tanh" else "zero-one"
    if kind == "plus-minus-one":
        if config.loss == "bce":
            raise ConfigError("targets: bce needs targets in {0, 1} (zero-one)")
        target = 2 * target - 1
    return target
