"""The image sets (also importable as `autograd.datasets`): MNIST and Fashion-MNIST in their
official IDX files (``*-ubyte.gz``), CIFAR-10 in its *binary* version
(``cifar-10-binary.tar.gz``: 1 label byte + 3072 pixel bytes per record), the user's own
``.npz`` files and image folders, and `channels_first` for the convolution layers. Nothing here
unpickles: reading a file never runs code.

Where the files are looked for, in order: the ``path`` you pass, ``$AUTOGRAD_DATA`` (and its
sub-folder named after the set), the user cache (``~/.cache/autograd/<set>``), known system
locations (Debian's ``dataset-fashion-mnist`` package installs /usr/share/datasets/fashion-mnist;
skipped when ``$AUTOGRAD_NO_SYSTEM_DATA`` is set to anything but ``""`` or ``0``, to see what a
machine without them sees) and only then, with ``download=True``, the official address, checked
against its MD5 checksum (pooch, from the ``data`` extra) and stored in the user cache.
"""

from __future__ import annotations

import gzip
import math
import os
import tarfile
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from autograd.safe_read import (
    MAX_IMAGE_PIXELS,
    fill_from,
    most_inflated,
    npy_header,
    npz_members,
    open_npz,
)

__all__ = [
    "mnist",
    "fashion_mnist",
    "cifar10",
    "channels_first",
    "read_idx",
    "read_cifar10",
    "read_official",
    "read_npz",
    "MAX_CLASSES",
    "read_image_folder",
    "locate",
    "cache_dir",
    "system_data_ignored",
    "DataSet",
    "DATASETS",
    "CIFAR10_CLASSES",
    "FASHION_MNIST_CLASSES",
    "IMAGE_SUFFIXES",
]

CIFAR10_CLASSES = (
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
)
FASHION_MNIST_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)


@dataclass
class DataSet:
    """Where a data set comes from: its files with their MD5 and the addresses to fetch them."""

    files: dict[str, str]
    base_urls: tuple[str, ...]
    system_dirs: tuple[str, ...] = ()


_IDX_FILES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)
DATASETS = {
    "mnist": DataSet(
        dict(
            zip(
                _IDX_FILES,
                (
                    "f68b3c2dcbeaaa9fbdd348bbdeb94873",
                    "d53e105ee54ea40749a09fcbcd1e9432",
                    "9fb629c4189551a2d022fa330f9573f3",
                    "ec29112dd5afa0611ce80d1b7f02629c",
                ),
            )
        ),
        ("https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/"),
        ("/usr/share/datasets/mnist",),
    ),
    "fashion-mnist": DataSet(
        dict(
            zip(
                _IDX_FILES,
                (
                    "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
                    "25c81989df183df01b3e8a0aad5dffbe",
                    "bef4ecab320f06d8554ea6380940ec79",
                    "bb300cfdad3c16e7a12a480ee83cd310",
                ),
            )
        ),
        ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",),
        ("/usr/share/datasets/fashion-mnist",),
    ),
    "cifar-10": DataSet(
        {"cifar-10-binary.tar.gz": "c32a1d4ab5d03f1284b67883e8d87530"},
        ("https://www.cs.toronto.edu/~kriz/",),
    ),
}

CIFAR10_BATCH_RECORDS = 10_000  # images in each file of the binary version

_IDX_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def system_data_ignored() -> bool:
    """True when ``$AUTOGRAD_NO_SYSTEM_DATA`` asks the loaders to skip the system folders."""
    return os.environ.get("AUTOGRAD_NO_SYSTEM_DATA", "") not in ("", "0")


def cache_dir() -> Path:
    """The user cache: ``$XDG_CACHE_HOME/autograd`` or ``~/.cache/autograd``."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "autograd"


def _gzip_declared_size(path: Path) -> int:
    """ISIZE, the last 4 bytes of a gzip file: its uncompressed size modulo 2**32."""
    with open(path, "rb") as f:
        f.seek(0, os.SEEK_END)
        if f.tell() < 18:  # a gzip header and trailer take 18 bytes
            raise ValueError(f"{path}: too short to be a gzip file ({f.tell()} bytes)")
        f.seek(-4, os.SEEK_END)
        return int.from_bytes(f.read(4), "little")


def read_idx(path: str | os.PathLike, ndim: int | None = None, kind: str = "") -> np.ndarray:
    """An IDX file (gzip-compressed or not) as a numpy array of its declared type and shape.

    ``ndim`` and ``kind`` (numpy dtype kinds, e.g. ``"u"`` or ``"iu"``) are what the caller
    expects; the header is checked against them, and its declared size against what the file
    can hold, before anything is allocated."""
    path = Path(path)
    compressed = path.suffix == ".gz"
    try:
        with (gzip.open if compressed else open)(path, "rb") as f:
            magic = f.read(4)
            if len(magic) < 4 or magic[0] != 0 or magic[1] != 0 or magic[2] not in _IDX_TYPES:
                raise ValueError(
                    f"{path}: not an IDX file (expected the magic bytes 00 00 <type> <ndim>, "
                    f"got {magic.hex(' ') or 'nothing'})"
                )
            dtype = np.dtype(_IDX_TYPES[magic[2]])
            dims = f.read(4 * magic[3])
            if len(dims) < 4 * magic[3]:
                raise ValueError(f"{path}: truncated IDX header ({magic[3]} dimensions declared)")
            shape = tuple(int.from_bytes(dims[i : i + 4], "big") for i in range(0, len(dims), 4))
            if (ndim is not None and len(shape) != ndim) or (kind and dtype.kind not in kind):
                raise ValueError(
                    f"{path}: expected a {ndim}-d IDX file of {_KINDS.get(kind, kind)}, but its "
                    f"header declares {dtype.newbyteorder('=')} of shape {shape}"
                )
            header = 4 + len(dims)
            size = header + math.prod(shape) * dtype.itemsize  # Python ints: no wrap-around
            # NOTE: gzip's trailer gives the uncompressed size modulo 2**32, and deflate
            # expands at most DEFLATE_MAX_RATIO times: both are known before decompressing.
            if compressed:
                holds = _gzip_declared_size(path)
                fits = size <= most_inflated(path.stat().st_size) and size % 2**32 == holds
            else:
                holds = path.stat().st_size
                fits = size == holds
            if not fits:
                raise ValueError(
                    f"{path}: cannot read as an IDX file: its header declares shape {shape} "
                    f"({size} bytes) but the file holds {holds} bytes "
                    f"{'of data (gzip trailer) ' if compressed else ''}(truncated or corrupt)"
                )
            array = fill_from(f, shape, dtype, str(path))
    except (OSError, EOFError, zlib.error) as error:
        raise ValueError(f"{path}: cannot read as an IDX file ({error})") from None
    return array.astype(dtype.newbyteorder("="), copy=False)


_KINDS = {"u": "unsigned integers", "iu": "integers", "f": "floats"}


def read_cifar10(archive: str | os.PathLike, split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """Images (N, 32, 32, 3) uint8 and labels (N,) uint8 from ``cifar-10-binary.tar.gz``, or
    from the folder it extracts to (``cifar-10-batches-bin/``, holding ``data_batch_1.bin``...)."""
    if split not in ("train", "test"):  # anything else used to read the test set silently
        raise ValueError(f"cifar-10: split must be 'train' or 'test', got {split!r}")
    names = [f"data_batch_{i}.bin" for i in range(1, 6)] if split == "train" else ["test_batch.bin"]
    try:
        if Path(archive).is_dir():
            return _cifar10_records(archive, names, _folder_members(Path(archive)))
        # NOTE: read as a stream, each member when met, in one pass: listing the members of a
        # .tar.gz first (getmembers) and then opening some decompressed it twice per split
        # (both splits of the real archive: 5.3 s, now 3.1 s; the same arrays).
        with tarfile.open(archive, "r|gz") as tar:
            members = (
                (Path(m.name).name, m.size, lambda m=m: tar.extractfile(m))
                for m in tar
                if m.isfile()
            )
            return _cifar10_records(archive, names, members)
    except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
        raise ValueError(f"{archive}: cannot read as cifar-10-binary.tar.gz ({error})") from None


def _folder_members(folder: Path) -> list:
    if (folder / "cifar-10-batches-bin").is_dir():
        folder = folder / "cifar-10-batches-bin"
    return [(p.name, p.stat().st_size, lambda p=p: open(p, "rb")) for p in folder.glob("*.bin")]


def _cifar10_records(source, names, members) -> tuple[np.ndarray, np.ndarray]:
    """The records of the named members as images and labels; ``members`` yields (name,
    declared size, open() -> stream) in any order, and each named one is read when met (a tar
    stream is read once, in its order)."""
    record = 1 + 3072
    parts = {}
    for name, size, open_member in members:
        if name not in names or name in parts:
            continue
        # NOTE: the size the tar header (or the file system) declares is checked before it is
        # read: a 1 MB archive may declare a 1 GiB member.
        if size % record or size > CIFAR10_BATCH_RECORDS * record:
            raise ValueError(
                f"{source}: {name} declares {size} bytes, expected a multiple of the "
                f"{record}-byte record and at most {CIFAR10_BATCH_RECORDS} records"
            )
        with open_member() as f:
            parts[name] = fill_from(f, (size // record, record), np.uint8, f"{source}: {name}")
        if len(parts) == len(names):
            break
    for name in names:
        if name not in parts:
            raise ValueError(f"{source}: no member {name!r}; is it the CIFAR-10 *binary* version?")
    records = np.concatenate([parts[name] for name in names])
    images = records[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(images), records[:, 0].copy()


def read_official(name: str, folder: str | os.PathLike, split: str = "train"):
    """Data set `name` ("mnist", "fashion-mnist", "cifar-10") from a folder holding its
    official files as downloaded (``*-ubyte.gz``, ``cifar-10-binary.tar.gz``) or extracted
    (``*-ubyte``, ``cifar-10-batches-bin/``); no search, no download."""
    folder = Path(folder)
    if name == "cifar-10":
        archive = folder / "cifar-10-binary.tar.gz"
        if archive.is_file():
            return read_cifar10(archive, split)
        if _folder_members(folder):
            return read_cifar10(folder, split)
        raise FileNotFoundError(
            f"cifar-10: neither cifar-10-binary.tar.gz nor the extracted "
            f"cifar-10-batches-bin/*.bin in {folder}; get the binary version from "
            f"{DATASETS[name].base_urls[0]}"
        )
    if split not in ("train", "test"):
        raise ValueError(f"{name}: split must be 'train' or 'test', got {split!r}")
    prefix = "train" if split == "train" else "t10k"
    arrays = []
    for kind, ndim, types in (("images-idx3", 3, "u"), ("labels-idx1", 1, "iu")):
        for file in (folder / f"{prefix}-{kind}-ubyte.gz", folder / f"{prefix}-{kind}-ubyte"):
            if file.is_file():
                arrays.append(read_idx(file, ndim=ndim, kind=types))
                break
        else:
            raise FileNotFoundError(
                f"{name}: no {prefix}-{kind}-ubyte(.gz) in {folder}; expected the official "
                f"files {', '.join(DATASETS[name].files)} (or their extracted copies)"
            )
    if len(arrays[0]) != len(arrays[1]):
        raise ValueError(f"{folder}: {len(arrays[0])} {split} images but {len(arrays[1])} labels")
    return arrays[0], arrays[1]


def locate(name: str, path: str | os.PathLike | None = None, download: bool = True) -> Path:
    """The folder holding every file of data set `name`, fetching them if needed and allowed."""
    spec = DATASETS[name]
    candidates = []
    if path is not None:
        candidates += [Path(path), Path(path) / name]
    if os.environ.get("AUTOGRAD_DATA"):
        candidates += [Path(os.environ["AUTOGRAD_DATA"]) / name, Path(os.environ["AUTOGRAD_DATA"])]
    candidates.append(cache_dir() / name)
    ignored = system_data_ignored() and bool(spec.system_dirs)
    if not ignored:
        candidates += [Path(d) for d in spec.system_dirs]
    for folder in candidates:
        if all((folder / f).is_file() for f in spec.files):
            return folder
    looked = ", ".join(str(c) for c in candidates)
    if ignored:
        looked += (
            f" (system folders {', '.join(spec.system_dirs)} skipped: AUTOGRAD_NO_SYSTEM_DATA)"
        )
    if not download:
        raise FileNotFoundError(
            f"{name}: files {sorted(spec.files)} not found in: {looked}; "
            "pass download=True, or put them in one of these folders"
        )
    return _download(name, spec, cache_dir() / name)


def _download(name: str, spec: DataSet, folder: Path) -> Path:
    try:
        import pooch
    except ImportError:
        raise ImportError(
            f"{name}: downloading needs pooch: pip install 'autograd-lab[data]'"
        ) from None
    folder.mkdir(parents=True, exist_ok=True)
    for filename, md5 in spec.files.items():
        errors = []
        for base in spec.base_urls:
            try:  # NOTE: pooch writes to a temporary file and moves it only once the MD5 matches.
                pooch.retrieve(
                    base + filename,
                    known_hash=f"md5:{md5}",
                    fname=filename,
                    path=folder,
                    progressbar=False,
                )
                break
            except Exception as error:  # noqa: BLE001 - try the next mirror, report all
                errors.append(f"{base + filename}: {error}")
        else:
            raise OSError(f"{name}: could not download {filename}:\n  " + "\n  ".join(errors))
    return folder


def _idx_pair(name: str, split: str, path, download: bool) -> tuple[np.ndarray, np.ndarray]:
    if split not in ("train", "test"):
        raise ValueError(f"{name}: split must be 'train' or 'test', got {split!r}")
    return read_official(name, locate(name, path, download), split)


def channels_first(images) -> np.ndarray:
    """Images as the convolution layers take them, (N, C, H, W), from the loaders' layouts:
    (N, H, W) gray images (MNIST, Fashion-MNIST) get a channel axis of 1, (N, H, W, C) colour
    images (CIFAR-10, C = 3) have their channel axis moved (a C-contiguous copy; dtype kept).
    For an MLP keep the loaders' arrays and flatten them to rows (``x.reshape(len(x), -1)``)."""
    images = np.asarray(images)
    if images.ndim == 3:
        return images[:, None, :, :]
    if images.ndim == 4 and images.shape[-1] in (1, 3, 4):
        return np.ascontiguousarray(images.transpose(0, 3, 1, 2))
    raise ValueError(
        f"channels_first: expected (N, H, W) gray or (N, H, W, C) colour images with C of 1, 3 "
        f"or 4, got shape {images.shape}"
    )


def _layout(pair, channels_first_: bool):
    images, labels = pair
    return (channels_first(images), labels) if channels_first_ else (images, labels)


def mnist(
    split: str = "train", path=None, download: bool = True, channels_first: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """MNIST digits: images (N, 28, 28) uint8 ((N, 1, 28, 28) with ``channels_first=True``,
    for `nn.Conv2d`) and labels (N,) uint8; N = 60,000 or 10,000."""
    return _layout(_idx_pair("mnist", split, path, download), channels_first)


def fashion_mnist(
    split: str = "train", path=None, download: bool = True, channels_first: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Fashion-MNIST: images (N, 28, 28) uint8 ((N, 1, 28, 28) with ``channels_first=True``),
    labels (N,) uint8 (`FASHION_MNIST_CLASSES`)."""
    return _layout(_idx_pair("fashion-mnist", split, path, download), channels_first)


def cifar10(
    split: str = "train", path=None, download: bool = True, channels_first: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """CIFAR-10: images (N, 32, 32, 3) uint8 ((N, 3, 32, 32) with ``channels_first=True``, for
    `nn.Conv2d`), labels (N,) uint8 (`CIFAR10_CLASSES`)."""
    if split not in ("train", "test"):  # checked before any search or download
        raise ValueError(f"cifar-10: split must be 'train' or 'test', got {split!r}")
    folder = locate("cifar-10", path, download)
    return _layout(read_cifar10(folder / "cifar-10-binary.tar.gz", split), channels_first)


# ---- the user's own data -------------------------------------------------------------------

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".pgm", ".ppm")


MAX_CLASSES = 100_000  # classes in one data set (ImageNet-21k has 21,841)


def read_npz(path: str | os.PathLike) -> tuple[np.ndarray, np.ndarray, tuple[str, ...] | None]:
    """The user's arrays: ``x`` (N, ...) numbers and ``y`` (N,) integer class labels from an
    ``.npz`` file (``np.savez("mine.npz", x=x, y=y)``), optionally ``classes`` (their names).
    Returns ``(x, y, classes or None)``.

    Nothing is unpickled, and nothing is allocated before it is checked: every array's header
    is read first and compared with its zip member's size and with the other arrays
    (`autograd.safe_read`); other arrays in the file are not read. Labels are class indices
    0..K-1 with K at most `MAX_CLASSES` and, without ``classes``, at most N. Any problem
    raises ValueError naming the file."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    try:
        with open_npz(path, kind=".npz file of arrays") as zf:
            members = npz_members(path, zf)
            missing = [name for name in ("x", "y") if name not in members]
            if missing:
                raise ValueError(
                    f"{path}: no array {' or '.join(map(repr, missing))}; expected x (N, ...) and "
                    f"y (N,) (np.savez(file, x=x, y=y)), found {', '.join(members) or 'nothing'}"
                )
            headers = {}
            for name in ("x", "y", "classes"):
                if name in members:
                    with zf.open(members[name]) as stream:
                        headers[name] = npy_header(
                            f"{path}: cannot read as an .npz file of arrays: array {name!r}",
                            members[name],
                            stream,
                        )
            _check_npz_headers(path, headers)
            arrays = {}
            for name, (shape, dtype, fortran) in headers.items():
                with zf.open(members[name]) as stream:
                    npy_header(name, members[name], stream)  # to the data, checked above
                    arrays[name] = fill_from(
                        stream, shape, dtype, f"{path}: array {name!r}", fortran
                    )
    except FileNotFoundError:
        raise
    except (OSError, EOFError, zipfile.BadZipFile, zlib.error, NotImplementedError) as error:
        raise ValueError(f"{path}: cannot read as an .npz file of arrays ({error})") from None
    x, y = arrays["x"], arrays["y"]
    if y.size and y.min() < 0:
        raise ValueError(f"{path}: y must hold class labels >= 0, found {int(y.min())}")
    n_classes = int(y.max()) + 1 if y.size else 0
    if "classes" not in arrays and n_classes > min(len(y), MAX_CLASSES):
        raise ValueError(
            f"{path}: y holds labels up to {n_classes - 1}, that is {n_classes} classes for "
            f"{len(y)} samples; labels must be class indices 0..K-1 with K at most the number of "
            f"samples (and at most {MAX_CLASSES}), or give the class names (np.savez(file, x=x, "
            "y=y, classes=names))"
        )
    if x.dtype.kind == "f" and not np.isfinite(x).all():
        raise ValueError(f"{path}: x holds nan or inf")
    classes = None
    if "classes" in arrays:
        names = arrays["classes"]
        if len(names) < n_classes:
            raise ValueError(
                f"{path}: classes must be a 1-D array of {n_classes} or more strings (y holds "
                f"labels up to {n_classes - 1}), got {len(names)}"
            )
        classes = tuple(str(n) for n in names)
    return x, y.astype(np.int64), classes


def _check_npz_headers(path: Path, headers: dict) -> None:
    """`read_npz`: the declared shapes and dtypes of x, y (and classes), before reading them."""
    x_shape, x_dtype, _ = headers["x"]
    y_shape, y_dtype, _ = headers["y"]
    if len(x_shape) < 2 or x_dtype.kind not in "uif":
        raise ValueError(
            f"{path}: x must hold numbers with one sample per row, (N, features) or (N, H, W[, C]);"
            f" got shape {x_shape} dtype {x_dtype}"
        )
    n = x_shape[0]
    if len(y_shape) != 1 or y_dtype.kind not in "ui" or y_shape[0] != n:
        raise ValueError(
            f"{path}: y must be {n} integer class labels >= 0, shape ({n},); got shape "
            f"{y_shape} dtype {y_dtype}"
        )
    if "classes" in headers:
        shape, dtype, _ = headers["classes"]
        if len(shape) != 1 or dtype.kind != "U" or shape[0] > MAX_CLASSES:
            raise ValueError(
                f"{path}: classes must be a 1-D array of at most {MAX_CLASSES} strings, got "
                f"shape {shape} dtype {dtype}"
            )


class _Refused(ValueError):
    """`read_image_folder`: an image read, and refused for the reason given."""


def _check_pixels(file: Path, image) -> None:
    """`read_image_folder`: refuse an image whose header declares too many pixels."""
    width, height = image.size
    if width * height > MAX_IMAGE_PIXELS:
        raise _Refused(
            f"{file}: the image declares {width}x{height} pixels, more than the "
            f"{MAX_IMAGE_PIXELS} this reads (autograd.safe_read.MAX_IMAGE_PIXELS); make it smaller"
        )


# Pillow's 16-bit gray modes; convert("L") and convert("RGB") clip them to 0..255
_SIXTEEN_BIT = ("I;16", "I;16L", "I;16B", "I;16N")


def _eight_bit(file: Path, image):
    """`image` as one that Pillow's convert("L"/"RGB") reads without clipping: a 16-bit gray
    image (mode I;16, or I holding 0..65535) scaled to 8 bits, v·255/65535 rounded (what
    Pillow does itself for 16-bit colour PNGs); wider integer and floating-point images are
    refused, since their range is unknown."""
    from PIL import Image

    if image.mode not in _SIXTEEN_BIT + ("I", "F"):
        return image
    if image.mode == "F":
        raise _Refused(
            f"{file}: floating-point pixels (Pillow mode F) have no known range; save the "
            "images with 8 or 16 bits per channel"
        )
    values = np.asarray(image)
    if image.mode == "I" and values.size and (values.min() < 0 or values.max() > 65535):
        raise _Refused(
            f"{file}: 32-bit integer pixels from {values.min()} to {values.max()} (Pillow mode "
            "I) have no known range; save the images with 8 or 16 bits per channel"
        )
    scaled = (values.astype(np.uint32) * 255 + 32767) // 65535
    return Image.fromarray(scaled.astype(np.uint8), "L")


def read_image_folder(
    folder: str | os.PathLike, size: tuple[int, int] | None = None, grayscale: bool = False
) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """Images from one sub-folder per class (``folder/airplanes/*.jpg``, ``folder/motorbikes/``),
    read with Pillow (``pip install 'autograd-lab[images]'``): ``(x, y, classes)`` with ``x``
    (N, H, W, C) uint8, ``y`` (N,) the index of the class in ``classes`` (sorted folder names).

    ``size=(height, width)`` resizes every image; without it all images must have one size.
    ``grayscale=True`` gives C = 1, else C = 3 (RGB): palette, gray+alpha, RGBA and CMYK
    images are converted by Pillow (alpha is dropped), 16-bit gray images are scaled to 8 bits
    (v·255/65535, rounded; Pillow itself keeps the high byte of 16-bit colour); 32-bit integer
    and floating-point images are refused. An image whose header declares more than
    `autograd.safe_read.MAX_IMAGE_PIXELS` pixels is refused before it is decoded. A file that
    is not an image, or has another size, raises ValueError naming the file."""
    try:
        from PIL import Image, UnidentifiedImageError
    except ImportError:
        raise ImportError(
            "reading an image folder needs Pillow: pip install 'autograd-lab[images]'"
        ) from None
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such folder")
    classes = tuple(sorted(d.name for d in folder.iterdir() if d.is_dir()))
    if len(classes) < 2:
        raise ValueError(
            f"{folder}: expected one sub-folder of images per class (two or more), found "
            f"{len(classes)}"
        )
    images, labels, first = [], [], None
    for label, name in enumerate(classes):
        files = sorted(
            p for p in (folder / name).iterdir() if p.is_file() and not p.name.startswith(".")
        )
        if not files:
            raise ValueError(f"{folder / name}: the class folder holds no images")
        for file in files:
            if file.suffix.lower() not in IMAGE_SUFFIXES:
                raise ValueError(
                    f"{file}: not an image file (expected {', '.join(IMAGE_SUFFIXES)})"
                )
            try:
                with warnings.catch_warnings():  # NOTE: the size is checked below, by the header
                    warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                    opened = Image.open(file)
                with opened as image:
                    _check_pixels(file, image)  # the header's size, before decoding
                    image = _eight_bit(file, image).convert("L" if grayscale else "RGB")
                    if size is not None:
                        image = image.resize((size[1], size[0]))
                    array = np.asarray(image, dtype=np.uint8)
            except _Refused as refused:  # a plain ValueError for the caller
                raise ValueError(str(refused)) from None
            except MemoryError:
                raise ValueError(
                    f"{file}: not enough memory to decode it (after {len(images)} images)"
                ) from None
            except (
                UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError
            ) as error:  # fmt: skip
                raise ValueError(f"{file}: cannot read as an image ({error})") from None
            array = array[:, :, None] if array.ndim == 2 else array
            if images and array.shape != images[0].shape:
                raise ValueError(
                    f"{file}: {array.shape[0]}x{array.shape[1]} pixels, but {first} has "
                    f"{images[0].shape[0]}x{images[0].shape[1]}; give a size to resize all "
                    "(autograd train --image-size H W)"
                )
            first = first or file
            images.append(array)
            labels.append(label)
    try:
        x = np.stack(images)
    except MemoryError:
        raise ValueError(
            f"{folder}: not enough memory for {len(images)} images of {images[0].shape}"
        ) from None
    return x, np.array(labels, dtype=np.int64), classes
