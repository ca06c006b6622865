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


@pytest.mark.skipif(
    not FASHION.is_dir(),
    reason="the real Fashion-MNIST is not installed: apt-get install dataset-fashion-mnist "
    "(.ci/run installs it)",
)
def test_real_fashion_mnist_from_the_system_location(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("AUTOGRAD_DATA", raising=False)
    x, y = datasets.fashion_mnist("test", download=False)
    assert x.shape == (10_000, 28, 28) and x.dtype == np.uint8
    assert np.array_equal(np.bincount(y), [1000] * 10)


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
