"""Data set readers on small files made here in the official formats, the search order, the
download path against a local HTTP server on loopback, and the real Fashion-MNIST when present."""

import functools
import gzip
import hashlib
import http.server
import io
import tarfile
import threading
from pathlib import Path

import numpy as np
import pytest

from autograd import datasets
from autograd.datasets import DataSet

FASHION = Path("/usr/share/datasets/fashion-mnist")


def idx_bytes(array: np.ndarray) -> bytes:
    codes = {np.dtype(np.uint8): 0x08, np.dtype(">f4"): 0x0D}
    header = bytes([0, 0, codes[array.dtype], array.ndim])
    header += b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    return gzip.compress(header + array.tobytes())


def write_idx_set(folder: Path, n_train=6, n_test=4, seed=0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    arrays = {
        "train-images-idx3-ubyte.gz": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte.gz": rng.integers(0, 10, n_train, dtype=np.uint8),
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte.gz": rng.integers(0, 10, n_test, dtype=np.uint8),
    }
    folder.mkdir(parents=True, exist_ok=True)
    for name, array in arrays.items():
        (folder / name).write_bytes(idx_bytes(array))
    return arrays


def md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


@pytest.fixture
def no_search_path(monkeypatch, tmp_path):
    """Nothing found except what the test puts there: empty cache, no system folders."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("AUTOGRAD_DATA", raising=False)
    for name, spec in datasets.DATASETS.items():
        monkeypatch.setitem(datasets.DATASETS, name, DataSet(spec.files, spec.base_urls, ()))


def test_read_idx_round_trips_types_and_shapes(tmp_path):
    floats = np.arange(12, dtype=">f4").reshape(3, 4)
    (tmp_path / "f.gz").write_bytes(idx_bytes(floats))
    out = datasets.read_idx(tmp_path / "f.gz")
    assert out.shape == (3, 4) and out.dtype == np.float32 and np.array_equal(out, floats)


def test_read_idx_rejects_truncated_and_foreign_files(tmp_path):
    good = idx_bytes(np.zeros((5, 28, 28), np.uint8))
    (tmp_path / "cut.gz").write_bytes(gzip.compress(gzip.decompress(good)[:-100]))
    with pytest.raises(ValueError, match=r"declares shape \(5, 28, 28\).*truncated"):
        datasets.read_idx(tmp_path / "cut.gz")
    (tmp_path / "text.gz").write_bytes(gzip.compress(b"hello world"))
    with pytest.raises(ValueError, match="not an IDX file"):
        datasets.read_idx(tmp_path / "text.gz")
    (tmp_path / "broken.gz").write_bytes(good[:40])
    with pytest.raises(ValueError, match="cannot read as an IDX file"):
        datasets.read_idx(tmp_path / "broken.gz")


def test_explicit_path_then_environment(tmp_path, monkeypatch, no_search_path):
    arrays = write_idx_set(tmp_path / "mine")
    x, y = datasets.fashion_mnist("test", path=tmp_path / "mine", download=False)
    assert np.array_equal(x, arrays["t10k-images-idx3-ubyte.gz"])
    assert np.array_equal(y, arrays["t10k-labels-idx1-ubyte.gz"])
    write_idx_set(tmp_path / "env" / "mnist", n_train=3)
    monkeypatch.setenv("AUTOGRAD_DATA", str(tmp_path / "env"))
    assert datasets.mnist("train", download=False)[0].shape == (3, 28, 28)


def test_missing_files_without_download_say_where_they_were_looked_for(tmp_path, no_search_path):
    with pytest.raises(FileNotFoundError, match=r"fashion-mnist: files .* not found in: .*cache"):
        datasets.fashion_mnist(path=tmp_path / "nowhere", download=False)
    with pytest.raises(ValueError, match="split must be 'train' or 'test'"):
        datasets.fashion_mnist("validation", path=tmp_path)


def test_system_folders_can_be_ignored(tmp_path, monkeypatch, no_search_path):
    """AUTOGRAD_NO_SYSTEM_DATA=1 shows what a machine without the system packages sees."""
    arrays = write_idx_set(tmp_path / "system", n_test=3)
    spec = datasets.DATASETS["fashion-mnist"]
    monkeypatch.setitem(
        datasets.DATASETS, "fashion-mnist", DataSet(spec.files, (), (str(tmp_path / "system"),))
    )
    x, _ = datasets.fashion_mnist("test", download=False)
    assert np.array_equal(x, arrays["t10k-images-idx3-ubyte.gz"])
    monkeypatch.setenv("AUTOGRAD_NO_SYSTEM_DATA", "1")
    with pytest.raises(FileNotFoundError, match=r"system folders .*system skipped: AUTOGRAD_NO"):
        datasets.fashion_mnist("test", download=False)
    monkeypatch.setenv("AUTOGRAD_NO_SYSTEM_DATA", "0")
    assert datasets.fashion_mnist("test", download=False)[0].shape == (3, 28, 28)


def cifar_archive(path: Path, n_per_batch=2, seed=0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    images, labels = [], []
    with tarfile.open(path, "w:gz") as tar:
        for name in [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]:
            chw = rng.integers(0, 256, (n_per_batch, 3, 32, 32), dtype=np.uint8)
            lab = rng.integers(0, 10, n_per_batch, dtype=np.uint8)
            raw = np.concatenate([lab[:, None], chw.reshape(n_per_batch, -1)], axis=1).tobytes()
            info = tarfile.TarInfo(f"cifar-10-batches-bin/{name}")
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
            images.append(chw.transpose(0, 2, 3, 1))
            labels.append(lab)
    return np.concatenate(images), np.concatenate(labels)


def test_cifar10_binary_records_become_hwc_images(tmp_path, no_search_path):
    images, labels = cifar_archive(tmp_path / "cifar-10-binary.tar.gz")
    x, y = datasets.cifar10("train", path=tmp_path, download=False)
    assert x.shape == (10, 32, 32, 3) and x.dtype == np.uint8
    assert np.array_equal(x, images[:10]) and np.array_equal(y, labels[:10])
    x, y = datasets.cifar10("test", path=tmp_path, download=False)
    assert np.array_equal(x, images[10:]) and np.array_equal(y, labels[10:])
    with pytest.raises(ValueError, match="split must be 'train' or 'test', got 'val'"):
        datasets.read_cifar10(tmp_path / "cifar-10-binary.tar.gz", "val")


def test_channels_first_gives_the_conv_layout(tmp_path, no_search_path):
    images, _ = cifar_archive(tmp_path / "cifar-10-binary.tar.gz")
    x, _ = datasets.cifar10("train", path=tmp_path, download=False, channels_first=True)
    assert x.shape == (10, 3, 32, 32) and x.dtype == np.uint8 and x.flags.c_contiguous
    # the record's own (C, H, W) order: pixel (row 4, column 7) of the green plane
    assert np.array_equal(x[:, 1, 4, 7], images[:10, 4, 7, 1])
    arrays = write_idx_set(tmp_path / "mnist")
    x, y = datasets.mnist("test", path=tmp_path / "mnist", download=False, channels_first=True)
    assert x.shape == (4, 1, 28, 28)
    assert np.array_equal(x[:, 0], arrays["t10k-images-idx3-ubyte.gz"])
    x, _ = datasets.fashion_mnist(path=tmp_path / "mnist", download=False, channels_first=True)
    assert x.shape == (6, 1, 28, 28)
    with pytest.raises(ValueError, match=r"\(N, H, W\) gray .* got shape \(5, 784\)"):
        datasets.channels_first(np.zeros((5, 784)))


def test_cifar10_rejects_a_truncated_archive(tmp_path, no_search_path):
    cifar_archive(tmp_path / "whole.tar.gz")
    data = (tmp_path / "whole.tar.gz").read_bytes()
    (tmp_path / "cifar-10-binary.tar.gz").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="cannot read as cifar-10-binary.tar.gz"):
        datasets.cifar10(path=tmp_path, download=False)


@pytest.fixture
def server(tmp_path):
    """A local HTTP server on loopback serving tmp_path/served."""
    root = tmp_path / "served"
    root.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *args: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


def test_download_checks_the_checksum_and_fills_the_cache(server, monkeypatch, no_search_path):
    pytest.importorskip("pooch")
    root, url = server
    arrays = write_idx_set(root)
    files = {name: md5(root / name) for name in arrays}
    monkeypatch.setitem(
        datasets.DATASETS, "fashion-mnist", DataSet(files, ("http://127.0.0.1:9/", url))
    )
    x, y = datasets.fashion_mnist("train")  # the first mirror refuses; the second serves
    assert np.array_equal(x, arrays["train-images-idx3-ubyte.gz"])
    assert (datasets.cache_dir() / "fashion-mnist" / "train-images-idx3-ubyte.gz").is_file()
    (root / "train-images-idx3-ubyte.gz").unlink()  # now served from the cache
    assert np.array_equal(datasets.fashion_mnist("train", download=False)[1], y)


def test_download_with_a_wrong_checksum_keeps_nothing(server, monkeypatch, no_search_path):
    pytest.importorskip("pooch")
    root, url = server
    arrays = write_idx_set(root)
    files = {name: md5(root / name) for name in arrays}
    files["t10k-images-idx3-ubyte.gz"] = "0" * 32
    monkeypatch.setitem(datasets.DATASETS, "mnist", DataSet(files, (url,)))
    with pytest.raises(OSError, match="could not download t10k-images-idx3-ubyte.gz"):
        datasets.mnist("test")
    assert not (datasets.cache_dir() / "mnist" / "t10k-images-idx3-ubyte.gz").exists()


REAL_FASHION = pytest.mark.skipif(
    not FASHION.is_dir() or datasets.system_data_ignored(),
    reason="the real Fashion-MNIST is not installed (or AUTOGRAD_NO_SYSTEM_DATA is set): "
    "apt-get install dataset-fashion-mnist (.ci/run installs it)",
)


@REAL_FASHION
def test_real_fashion_mnist_from_the_system_location(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("AUTOGRAD_DATA", raising=False)
    x, y = datasets.fashion_mnist("test", download=False)
    assert x.shape == (10_000, 28, 28) and x.dtype == np.uint8
    assert np.array_equal(np.bincount(y), [1000] * 10)


def test_read_official_takes_the_archives_or_their_extracted_files(tmp_path):
    arrays = write_idx_set(tmp_path / "gz", n_train=5)
    x, y = datasets.read_official("fashion-mnist", tmp_path / "gz", "train")
    assert np.array_equal(x, arrays["train-images-idx3-ubyte.gz"]) and len(y) == 5
    (tmp_path / "raw").mkdir()
    for name, array in arrays.items():  # what `gunzip *.gz` leaves
        (tmp_path / "raw" / name[:-3]).write_bytes(gzip.decompress(idx_bytes(array)))
    x, y = datasets.read_official("mnist", tmp_path / "raw", "test")
    assert np.array_equal(y, arrays["t10k-labels-idx1-ubyte.gz"])
    (tmp_path / "c").mkdir()
    images, labels = cifar_archive(tmp_path / "c" / "cifar-10-binary.tar.gz", n_per_batch=3)
    (tmp_path / "extracted" / "cifar-10-batches-bin").mkdir(parents=True)
    with tarfile.open(tmp_path / "c" / "cifar-10-binary.tar.gz") as tar:
        for member in tar.getmembers():  # what `tar xzf` makes
            (tmp_path / "extracted" / member.name).write_bytes(tar.extractfile(member).read())
    for folder in (
        tmp_path / "c",
        tmp_path / "extracted",
        tmp_path / "extracted" / "cifar-10-batches-bin",
    ):
        x, y = datasets.read_official("cifar-10", folder, "test")
        assert np.array_equal(x, images[15:]) and np.array_equal(y, labels[15:])
    with pytest.raises(FileNotFoundError, match=r"no t10k-images-idx3-ubyte\(.gz\) in"):
        datasets.read_official("mnist", tmp_path / "c", "test")
    with pytest.raises(FileNotFoundError, match="neither cifar-10-binary.tar.gz nor"):
        datasets.read_official("cifar-10", tmp_path / "gz", "test")


def test_read_npz_names_the_file_and_what_is_wrong(tmp_path):
    x, y = np.zeros((6, 28, 28), np.uint8), np.arange(6) % 3
    np.savez(tmp_path / "ok.npz", x=x, y=y, classes=np.array(["a", "b", "c"]))
    got_x, got_y, classes = datasets.read_npz(tmp_path / "ok.npz")
    assert got_x.shape == (6, 28, 28) and got_y.dtype == np.int64 and classes == ("a", "b", "c")
    bad = {
        "noy.npz": (dict(x=x), r"no array 'y'"),
        "shape.npz": (dict(x=x, y=y[:4]), r"y must be 6 integer class labels"),
        "floaty.npz": (dict(x=x, y=y.astype(float)), r"y must be 6 integer"),
        "flat.npz": (dict(x=np.zeros(6), y=y), r"x must hold numbers with one sample per row"),
        "names.npz": (dict(x=x, y=y, classes=np.array(["a"])), "classes must be"),
    }
    for name, (arrays, message) in bad.items():
        np.savez(tmp_path / name, **arrays)
        with pytest.raises(ValueError, match=f"{name}: {message}"):
            datasets.read_npz(tmp_path / name)
    (tmp_path / "corrupt.npz").write_bytes((tmp_path / "ok.npz").read_bytes()[:100])
    with pytest.raises(ValueError, match="corrupt.npz: cannot read as an .npz file"):
        datasets.read_npz(tmp_path / "corrupt.npz")
    np.savez(tmp_path / "objects.npz", x=np.array([None] * 6, dtype=object), y=y)
    with pytest.raises(ValueError, match="objects.npz: cannot read"):
        datasets.read_npz(tmp_path / "objects.npz")


def write_image_folder(root: Path, classes=("airplanes", "motorbikes"), n=3, size=(12, 16)):
    image = pytest.importorskip("PIL.Image")
    rng = np.random.default_rng(0)
    for k, name in enumerate(classes):
        (root / name).mkdir(parents=True)
        for i in range(n):
            pixels = rng.integers(0, 256, (*size, 3), dtype=np.uint8)
            pixels[..., k % 3] = 255  # each class has one saturated channel
            image.fromarray(pixels).save(root / name / f"{i}.png")
    return root


def test_read_image_folder_one_class_per_sub_folder(tmp_path):
    root = write_image_folder(tmp_path / "imgs")
    x, y, classes = datasets.read_image_folder(root)
    assert (
        x.shape == (6, 12, 16, 3) and x.dtype == np.uint8 and classes == ("airplanes", "motorbikes")
    )
    assert list(y) == [0, 0, 0, 1, 1, 1] and (x[y == 1][..., 1] == 255).all()
    x, _, _ = datasets.read_image_folder(root, size=(8, 8), grayscale=True)
    assert x.shape == (6, 8, 8, 1)
    from PIL import Image

    Image.fromarray(np.zeros((5, 5, 3), np.uint8)).save(root / "motorbikes" / "small.png")
    with pytest.raises(ValueError, match=r"small.png: 5x5 pixels, but .*0.png has 12x16"):
        datasets.read_image_folder(root)
    (root / "motorbikes" / "small.png").write_bytes(b"not a png")
    with pytest.raises(ValueError, match="small.png: cannot read as an image"):
        datasets.read_image_folder(root)
    (root / "motorbikes" / "small.png").unlink()
    (root / "motorbikes" / "notes.txt").write_text("x")
    with pytest.raises(ValueError, match="notes.txt: not an image file"):
        datasets.read_image_folder(root)


# --- issue 15: malformed IDX files are a ValueError naming the file and what was expected -------
def idx_raw(type_code: int, shape, data: bytes = b"") -> bytes:
    header = bytes([0, 0, type_code, len(shape)]) + b"".join(n.to_bytes(4, "big") for n in shape)
    return gzip.compress(header + data)


@pytest.mark.parametrize(
    "images, labels, message",
    [
        (
            idx_raw(0x08, ()),
            None,
            r"expected a 3-d IDX file of unsigned integers, but its header "
            r"declares uint8 of shape \(\)",
        ),
        (
            None,
            idx_raw(0x0E, (4,), bytes(32)),
            r"expected a 1-d IDX file of integers, but its "
            r"header declares float64 of shape \(4,\)",
        ),
        (idx_raw(0x08, (2**31, 2**31, 4)), None, r"declares shape \(2147483648, 2147483648, 4\)"),
        (idx_raw(0x0D, (4, 28, 28), bytes(4 * 784 * 4)), None, "3-d IDX file of unsigned"),
    ],
    ids=["images 0-d", "float64 labels", "size wraps to 0", "float images"],
)
def test_malformed_idx_files_name_the_file_and_what_was_expected(
    tmp_path, no_search_path, images, labels, message
):
    write_idx_set(tmp_path)
    name = "t10k-images-idx3-ubyte.gz" if images is not None else "t10k-labels-idx1-ubyte.gz"
    (tmp_path / name).write_bytes(images if images is not None else labels)
    with pytest.raises(ValueError, match=message) as info:
        datasets.fashion_mnist("test", path=tmp_path, download=False)
    assert str(tmp_path / name) in str(info.value)


def test_read_idx_refuses_a_truncated_header_and_trailing_data(tmp_path):
    (tmp_path / "h.gz").write_bytes(gzip.compress(bytes([0, 0, 8, 3]) + bytes(5)))
    with pytest.raises(ValueError, match=r"truncated IDX header \(3 dimensions declared\)"):
        datasets.read_idx(tmp_path / "h.gz")
    plain = tmp_path / "plain-idx1-ubyte"
    plain.write_bytes(bytes([0, 0, 8, 1, 0, 0, 0, 3]) + bytes(4))
    with pytest.raises(
        ValueError, match=r"declares shape \(3,\) \(11 bytes\) but the file holds 12"
    ):
        datasets.read_idx(plain)
    plain.write_bytes(bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 8, 9]))
    assert datasets.read_idx(plain).tolist() == [7, 8, 9]


def test_the_data_package_exports_every_name_from_its_three_modules():
    import autograd.data as data
    from autograd.data import images, loader, toy

    for module in (loader, toy, images):
        for name in module.__all__:
            assert getattr(data, name) is getattr(module, name), (module.__name__, name)
    assert sorted(data.__all__) == sorted(loader.__all__ + toy.__all__ + images.__all__)
    # autograd.datasets is the short name of the image sets: the same objects, every public name
    assert set(datasets.__all__) == set(images.__all__)
    for name in datasets.__all__:
        assert getattr(datasets, name) is getattr(images, name)
    defined_here = {
        n
        for n, v in vars(images).items()
        if not n.startswith("_") and getattr(v, "__module__", images.__name__) == images.__name__
    }
    assert {n for n in defined_here if callable(getattr(images, n))} <= set(images.__all__)
    # the toy sets and the loader stay where they were imported from before the package
    from autograd.data import (  # noqa: F401  # noqa: F401
        DataLoader,
        moons,
        one_hot,
        parity,
        spirals,
        split,
        standardize,
        train_val_split,
        xor,
    )


# --- issue 24: every pixel format is read without clipping; every declared size is bounded ------
def _folder_of(root: Path, image, name="pic.png") -> Path:
    """Two class folders holding the one `image` (a Pillow image) each."""
    for cls in ("a", "b"):
        (root / cls).mkdir(parents=True)
        image.save(root / cls / name)
    return root


def _pixel_formats():
    """(Pillow image, gray (H, W) or None, rgb (H, W, 3) or None): what read_image_folder must
    return for each format; None where Pillow's own conversion (a luma formula) decides."""
    from PIL import Image

    ramp8 = np.arange(256, dtype=np.uint8).reshape(16, 16)
    ramp16 = np.linspace(0, 60000, 256).astype(np.uint16).reshape(16, 16)
    scaled16 = np.rint(ramp16 / 257).astype(np.uint8)  # 65535 -> 255
    rgb = np.stack([ramp8, ramp8[::-1], np.full_like(ramp8, 77)], axis=-1)
    palette = np.array([[255, 0, 0], [0, 128, 255], [10, 20, 30]], np.uint8)
    indices = (np.arange(256).reshape(16, 16) % 3).astype(np.uint8)
    p_image = Image.fromarray(indices, "P")
    p_image.putpalette(palette.reshape(-1).tolist())
    alpha = np.full_like(ramp8, 9)
    cmyk = np.zeros((16, 16, 4), np.uint8)
    cmyk[:8, :, 0] = 255  # cyan: no red
    cmyk[8:, :8, 3] = 255  # black
    cmyk_rgb = np.full((16, 16, 3), 255, np.uint8)
    cmyk_rgb[:8, :, 0] = 0
    cmyk_rgb[8:, :8] = 0
    return {
        "8-bit gray": (Image.fromarray(ramp8), ramp8, np.repeat(ramp8[..., None], 3, -1)),
        "16-bit gray": (
            Image.fromarray(ramp16),
            scaled16,
            np.repeat(scaled16[..., None], 3, -1),
        ),
        "palette": (p_image, None, palette[indices]),
        "gray+alpha": (
            Image.fromarray(np.stack([ramp8, alpha], -1), "LA"),
            ramp8,
            np.repeat(ramp8[..., None], 3, -1),
        ),
        "rgba": (Image.fromarray(np.dstack([rgb, alpha]), "RGBA"), None, rgb),
        "cmyk": (Image.frombytes("CMYK", (16, 16), cmyk.tobytes()), None, cmyk_rgb),
        "rgb": (Image.fromarray(rgb), None, rgb),
    }


@pytest.mark.parametrize(
    "kind", ["8-bit gray", "16-bit gray", "palette", "gray+alpha", "rgba", "cmyk", "rgb"]
)
def test_image_folders_read_every_pixel_format_without_clipping(tmp_path, kind):
    """Issue 24: a 16-bit PNG came back as two levels (convert("L") clips at 255)."""
    pytest.importorskip("PIL")
    image, gray, rgb = _pixel_formats()[kind]
    suffix = ".tif" if kind == "cmyk" else ".png"  # PNG holds no CMYK
    root = _folder_of(tmp_path / "imgs", image, "pic" + suffix)
    x, y, _ = datasets.read_image_folder(root)
    assert x.dtype == np.uint8 and list(y) == [0, 1]
    np.testing.assert_array_equal(x[0], rgb)
    if gray is not None:
        x, _, _ = datasets.read_image_folder(root, grayscale=True)
        np.testing.assert_array_equal(x[0, :, :, 0], gray)


def test_image_folders_refuse_pixels_of_unknown_range(tmp_path):
    """32-bit integer images beyond 16 bits and float images: refused with the reason;
    32-bit integer images within 0..65535 (how older Pillow opens 16-bit PNGs) are 16-bit."""
    Image = pytest.importorskip("PIL.Image")
    values = np.array([[0, 65535], [257, 514]], np.int32)
    root = _folder_of(tmp_path / "i16", Image.fromarray(values, "I"), "pic.tif")
    x, _, _ = datasets.read_image_folder(root, grayscale=True)
    np.testing.assert_array_equal(x[0, :, :, 0], [[0, 255], [1, 2]])
    root = _folder_of(tmp_path / "i32", Image.fromarray(values * 4, "I"), "pic.tif")
    with pytest.raises(ValueError, match=r"pic.tif: 32-bit integer pixels from 0 to 262140"):
        datasets.read_image_folder(root)
    root = _folder_of(tmp_path / "f", Image.fromarray(values.astype(np.float32), "F"), "p.tif")
    with pytest.raises(ValueError, match=r"p.tif: floating-point pixels \(Pillow mode F\)"):
        datasets.read_image_folder(root)


def test_image_folders_refuse_an_image_declaring_too_many_pixels(tmp_path):
    """Issue 24: a 24 kB 10000x10000 PNG decoded to 1.1 GB; a 20000x20000 one escaped as
    Pillow's DecompressionBombError (not a ValueError). Both are refused by their header."""
    Image = pytest.importorskip("PIL.Image")
    from autograd.safe_read import MAX_IMAGE_PIXELS

    for side in (10_000, 20_000):
        root = tmp_path / str(side)
        _folder_of(root, Image.new("1", (side, side)))
        assert side * side > MAX_IMAGE_PIXELS and (root / "a" / "pic.png").stat().st_size < MIB
        with pytest.raises(ValueError, match=r"a/pic.png: .*(10000x10000|400000000) pixels"):
            datasets.read_image_folder(root)


MIB = 2**20


def _savez(path: Path, **arrays) -> Path:
    np.savez(path, **arrays)
    return path


def test_read_npz_bounds_the_number_of_classes_by_the_data(tmp_path):
    """Issue 24: labels [0, 10**9] without names made a billion class-name strings."""
    x = np.zeros((2, 4), np.float32)
    path = _savez(tmp_path / "huge_label.npz", x=x, y=np.array([0, 10**9]))
    with pytest.raises(ValueError, match=r"huge_label.npz: y holds labels up to 1000000000"):
        datasets.read_npz(path)
    path = _savez(tmp_path / "sparse.npz", x=np.zeros((3, 4)), y=np.array([0, 5, 1]))
    with pytest.raises(ValueError, match=r"6 classes for 3 samples"):
        datasets.read_npz(path)
    names = np.array([f"c{i}" for i in range(6)])
    path = _savez(tmp_path / "named.npz", x=np.zeros((3, 4)), y=np.array([0, 5, 1]), classes=names)
    assert datasets.read_npz(path)[2][5] == "c5"
    names = np.array(["c"] * (datasets.MAX_CLASSES + 1))
    path = _savez(tmp_path / "many.npz", x=x, y=np.array([0, 1]), classes=names)
    with pytest.raises(ValueError, match=r"classes must be a 1-D array of at most 100000"):
        datasets.read_npz(path)


def test_read_npz_names_the_file_for_files_that_are_not_arrays(tmp_path):
    """Issue 24: a `.npy` named `.npz` escaped as an AttributeError; an empty file and an
    empty .npz must name the file too."""
    np.save(tmp_path / "single.npy", np.zeros((3, 4)))
    (tmp_path / "single.npy").rename(tmp_path / "single.npz")
    (tmp_path / "empty.npz").write_bytes(b"")
    np.savez(tmp_path / "nothing.npz")
    for name, message in (
        ("single.npz", r"holds a single .npy array \(np.save\), not an .npz file of arrays"),
        ("empty.npz", r"cannot read as an .npz file of arrays, .*\(it is empty\)"),
        ("nothing.npz", r"no array 'x' or 'y'.*found nothing"),
    ):
        with pytest.raises(ValueError, match=f"{tmp_path / name}: {message}"):
            datasets.read_npz(tmp_path / name)


def test_read_npz_checks_the_declared_shapes_before_reading_the_data(tmp_path, monkeypatch):
    """Shapes and dtypes come from the headers: a mismatch is refused before any data is
    read (a 292 kB deflated .npz reached 327 MB before being refused), and other arrays in
    the file are never read."""
    import autograd.data.images as module

    read = []
    original = module.fill_from
    monkeypatch.setattr(module, "fill_from", lambda *a, **k: read.append(a[3]) or original(*a, **k))
    np.savez_compressed(tmp_path / "m.npz", x=np.zeros((1000, 300), np.float32), y=np.zeros(3, int))
    with pytest.raises(ValueError, match=r"m.npz: y must be 1000 integer class labels"):
        datasets.read_npz(tmp_path / "m.npz")
    assert read == []
    np.savez(tmp_path / "ok.npz", x=np.ones((2, 3)), y=np.array([0, 1]), extra=np.zeros(7))
    x, y, _ = datasets.read_npz(tmp_path / "ok.npz")
    assert x.shape == (2, 3) and [w.rsplit(" ", 1)[-1] for w in read] == ["'x'", "'y'"]


def test_a_one_class_npz_is_refused_before_training(tmp_path):
    """Issue 24: a one-class .npz trained at loss 0 and reported accuracies of 0.75/0.5/1.0
    (cross-entropy) or failed after training (MSE); image folders refuse one class already."""
    from autograd.experiments.config import Config
    from autograd.experiments.data import DataError, load_data, load_raw

    x = np.zeros((8, 4), np.float32)
    for name, y, classes in (
        ("one.npz", np.zeros(8, int), {}),
        ("named.npz", np.ones(8, int), {"classes": np.array(["cat", "dog"])}),
    ):
        np.savez(tmp_path / name, x=x, y=y, **classes)
        config = Config(dataset=str(tmp_path / name), layers=[4, 2], loss="ce")
        assert len(load_raw(config).labels) == 8  # evaluating on one class is fine
        with pytest.raises(DataError, match=f"{name}: the labels hold 1 class .*two classes or"):
            load_data(config)
    np.savez(tmp_path / "two.npz", x=x, y=np.arange(8) % 2)
    data = load_data(Config(dataset=str(tmp_path / "two.npz"), layers=[4, 2], loss="ce"))
    assert data.classes == ("0", "1")


def test_an_image_folder_too_large_for_memory_is_a_value_error(tmp_path, monkeypatch):
    """Images that each pass the pixel bound may still not fit together: a ValueError naming
    the folder, not a MemoryError traceback."""
    root = write_image_folder(tmp_path / "imgs")

    def no_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(np, "stack", no_memory)
    with pytest.raises(ValueError, match=r"imgs: not enough memory for 6 images of \(12, 16, 3\)"):
        datasets.read_image_folder(root)


def png16(path: Path, pixels: np.ndarray, color_type: int) -> None:
    """A 16-bit PNG written by hand (Pillow writes 16 bits for gray only): colour type 2 is
    RGB, 4 gray+alpha; `pixels` (H, W, channels) uint16."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    height, width = pixels.shape[:2]
    rows = b"".join(b"\x00" + row.astype(">u2").tobytes() for row in pixels)
    header = struct.pack(">IIBBBBB", width, height, 16, color_type, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )  # fmt: skip


@pytest.mark.parametrize("color_type, channels", [(2, 3), (4, 2)], ids=["rgb", "gray+alpha"])
def test_sixteen_bit_colour_pngs_keep_their_levels(tmp_path, color_type, channels):
    """16-bit RGB and gray+alpha PNGs: Pillow keeps the high byte (within 1 of v·255/65535),
    no clipping; the colour channels are read, the alpha dropped."""
    pytest.importorskip("PIL")
    pixels = np.linspace(0, 65535, 16 * channels).astype(np.uint16).reshape(4, 4, channels)
    for cls in ("a", "b"):
        (tmp_path / cls).mkdir()
        png16(tmp_path / cls / "p.png", pixels, color_type)
    x, _, _ = datasets.read_image_folder(tmp_path, grayscale=channels == 2)
    colour = pixels[..., :3] if channels == 3 else pixels[..., :1]
    assert np.abs(x[0].astype(int) - np.rint(colour / 257)).max() <= 1
    assert len(np.unique(x[0])) == colour.size  # every level kept
