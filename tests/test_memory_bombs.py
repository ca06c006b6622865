"""Small files that declare huge sizes, for every loader (checkpoints, IDX, CIFAR-10): each must
be refused with a clear error, in a child process whose address space is capped a few hundred
MiB above what it already uses (RLIMIT_AS), so a loader that allocates from a declared size
fails there with a MemoryError instead of passing on a machine with enough memory.

The bombs are built without compressing gigabytes: a deflate stream flushed with Z_FULL_FLUSH
restarts from an empty state, so the compressed form of one MiB of zeros can be repeated.
"""

from __future__ import annotations

import gzip
import io
import json
import struct
import subprocess
import sys
import tarfile
import textwrap
import zlib
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="caps memory with RLIMIT_AS and /proc (Linux)"
)

MIB = 2**20
HEADROOM_MIB = 200  # the child may allocate this much more than it uses at the start
BOMB_MIB = 512  # what the bombs decompress to, or declare


# --- building bombs ---------------------------------------------------------------------------
def deflate_with_zeros(prefix: bytes, zeros: int, suffix: bytes = b"") -> tuple[bytes, int, int]:
    """Raw deflate of prefix + `zeros` zero bytes + suffix: (data, crc32, uncompressed size)."""
    block = zlib.compressobj(9, zlib.DEFLATED, -15)
    one_mib = block.compress(bytes(MIB)) + block.flush(zlib.Z_FULL_FLUSH)
    out = zlib.compressobj(9, zlib.DEFLATED, -15)
    parts = [out.compress(prefix) + out.flush(zlib.Z_FULL_FLUSH)]
    crc = zlib.crc32(prefix)
    zero_mib = bytes(MIB)
    for _ in range(zeros // MIB):
        parts.append(one_mib)
        crc = zlib.crc32(zero_mib, crc)
    rest = bytes(zeros % MIB) + suffix
    parts.append(out.compress(rest) + out.flush())
    crc = zlib.crc32(rest, crc)
    return b"".join(parts), crc, len(prefix) + zeros + len(suffix)


def gzip_with_zeros(prefix: bytes, zeros: int, suffix: bytes = b"") -> bytes:
    data, crc, size = deflate_with_zeros(prefix, zeros, suffix)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    return header + data + struct.pack("<II", crc, size % 2**32)


def zip_bytes(members: dict[str, bytes | tuple[bytes, int, int]]) -> bytes:
    """A zip archive: a bytes member is stored, a (deflate data, crc, size) member deflated."""
    out, central = io.BytesIO(), []
    for name, member in members.items():
        if isinstance(member, bytes):
            data, crc, size, method = member, zlib.crc32(member), len(member), 0
        else:
            (data, crc, size), method = member, 8
        offset = out.tell()
        encoded = name.encode()
        fields = (20, 0, method, 0, 0, crc, len(data), size, len(encoded), 0)
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields) + encoded + data)
        central.append(
            struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, *fields, 0, 0, 0, 0, offset) + encoded
        )
    start = out.tell()
    out.write(b"".join(central))
    size = out.tell() - start
    out.write(
        struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), size, start, 0)
    )
    return out.getvalue()


def npy_header(shape, dtype="<f4") -> bytes:
    """An .npy header (version 1.0) for an array of `shape`."""
    text = repr({"descr": dtype, "fortran_order": False, "shape": tuple(shape)})
    text += " " * (-(len(text) + 11) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text.encode()


def npy_bytes(array: np.ndarray) -> bytes:
    out = io.BytesIO()
    np.lib.format.write_array(out, array, allow_pickle=False)
    return out.getvalue()


def checkpoint(model: dict, listing: dict, arrays: dict) -> bytes:
    header = {"format": "autograd-lab", "version": 1, "kind": "model", "model": model,
              "training": False, "parameters": listing}  # fmt: skip
    return zip_bytes({"__architecture__.npy": npy_bytes(np.array(json.dumps(header))), **arrays})


def linear(n_in, n_out, bias=False):
    config = {"in_features": n_in, "out_features": n_out, "bias": bias}
    return {"type": "Sequential", "layers": [{"type": "Linear", "config": config}]}


def idx_header(type_code: int, shape) -> bytes:
    return bytes([0, 0, type_code, len(shape)]) + b"".join(n.to_bytes(4, "big") for n in shape)


def tar_gz_with_zeros(name: str, size: int) -> bytes:
    """A .tar.gz holding one member `name` of `size` zero bytes."""
    info = tarfile.TarInfo(name)
    info.size = size
    header = info.tobuf(format=tarfile.USTAR_FORMAT)
    padding = -size % 512 + 1024  # to the block, then the two empty end blocks
    return gzip_with_zeros(header, size + padding)


# --- the capped child -------------------------------------------------------------------------
CHILD = """
import os, resource, sys
import numpy as np
from autograd import datasets, nn

def vm_size():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024

limit = vm_size() + {headroom} * 2**20
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
try:
    {call}
except MemoryError as e:
    print("MemoryError", e)
    sys.exit(3)
except Exception as e:
    print(type(e).__name__ + ":", e)
    sys.exit(0)
print("loaded without an error")
sys.exit(4)
"""


def refused_under_cap(call: str) -> str:
    """Run `call` in a child whose memory is capped; return its one-line error."""
    code = textwrap.dedent(CHILD).format(headroom=HEADROOM_MIB, call=call)
    env = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env
    )
    assert done.returncode == 0, f"exit {done.returncode}: {done.stdout}{done.stderr[-2000:]}"
    return done.stdout.strip()


def test_the_cap_catches_an_allocation_of_the_bomb_size():
    """The harness itself: allocating what the bombs declare fails in the child."""
    code = textwrap.dedent(CHILD).format(
        headroom=HEADROOM_MIB, call=f"np.ones({BOMB_MIB} * 2**20, np.uint8)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 3 and done.stdout.startswith("MemoryError"), done.stdout


# --- checkpoints ------------------------------------------------------------------------------
def test_checkpoint_asking_for_a_huge_layer_is_refused_before_building_it(tmp_path):
    """2 kB asking for Linear(16000, 16000) (1 GiB): refused by comparing with the listing."""
    path = tmp_path / "huge_layer.npz"
    weight = np.zeros((3, 4), np.float32)
    path.write_bytes(checkpoint(linear(16000, 16000), {"0.weight": {"shape": [3, 4], "dtype":
                     "float32"}}, {"0.weight.npy": npy_bytes(weight)}))  # fmt: skip
    assert path.stat().st_size < 2048
    out = refused_under_cap(f"nn.load({str(path)!r})")
    assert out.startswith("CheckpointError:") and "weights do not fit the architecture" in out
    assert "'0.weight' has shape (3, 4), the model's is (16000, 16000)" in out


def test_checkpoint_npy_header_declaring_a_huge_shape_is_refused(tmp_path):
    path = tmp_path / "huge_npy.npz"
    listing = {"0.weight": {"shape": [10**12], "dtype": "float32"}}
    member = npy_header((10**12,)) + bytes(48)
    path.write_bytes(checkpoint(linear(4, 3), listing, {"0.weight.npy": member}))
    out = refused_under_cap(f"nn.load({str(path)!r})")
    assert out.startswith("CheckpointError:")
    assert "declares shape (1000000000000,)" in out and "holds 48 bytes of data" in out


def test_checkpoint_with_a_deflated_huge_member_is_refused_before_inflating(tmp_path):
    """A 0.5 MB file whose deflated member inflates to 512 MiB, not what the header lists."""
    path = tmp_path / "deflate_bomb.npz"
    n = BOMB_MIB * MIB // 4
    member = deflate_with_zeros(npy_header((n,)), n * 4)
    listing = {"0.weight": {"shape": [3, 4], "dtype": "float32"}}
    path.write_bytes(checkpoint(linear(4, 3), listing, {"0.weight.npy": member}))
    assert path.stat().st_size < MIB
    out = refused_under_cap(f"nn.load({str(path)!r})")
    assert (
        out.startswith("CheckpointError:") and f"is float32 [{n}], listed as float32 [3, 4]" in out
    )


def test_checkpoint_declaring_more_than_deflate_can_expand_is_refused(tmp_path):
    path = tmp_path / "lying_sizes.npz"
    data, crc, _ = deflate_with_zeros(npy_header((12,)), 48)
    listing = {"0.weight": {"shape": [3, 4], "dtype": "float32"}}
    path.write_bytes(checkpoint(linear(4, 3), listing, {"0.weight.npy": (data, crc, 2**32 - 1)}))
    out = refused_under_cap(f"nn.load({str(path)!r})")
    assert out.startswith("CheckpointError:") and "more than deflate can expand" in out


def test_a_consistent_checkpoint_too_large_for_memory_is_a_clear_error(tmp_path):
    """All sizes agree (a 512 MiB model of zeros in 0.5 MB): a valid file, but not for this
    much memory; the error says so instead of a MemoryError traceback."""
    path = tmp_path / "big_model.npz"
    n_in, n_out = BOMB_MIB * MIB // 4 // 1024, 1024
    member = deflate_with_zeros(npy_header((n_out, n_in)), n_out * n_in * 4)
    listing = {"0.weight": {"shape": [n_out, n_in], "dtype": "float32"}}
    path.write_bytes(checkpoint(linear(n_in, n_out), listing, {"0.weight.npy": member}))
    out = refused_under_cap(f"nn.load({str(path)!r})")
    assert out.startswith("CheckpointError:") and "allocate" in out.lower(), out


# --- IDX ----------------------------------------------------------------------------------------
def test_idx_with_a_bad_magic_before_half_a_gigabyte_is_refused_at_once(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(gzip_with_zeros(b"\x12\x34\x56\x78", BOMB_MIB * MIB))
    assert path.stat().st_size < MIB
    out = refused_under_cap(f"datasets.read_idx({str(path)!r})")
    assert out.startswith("ValueError:") and "not an IDX file" in out and "12 34 56 78" in out


@pytest.mark.parametrize("shape", [(2**31, 2**31, 4), (10**6, 28, 28), (700_000, 28, 28)], ids=str)
def test_idx_declaring_more_than_the_file_holds_is_refused(tmp_path, shape):
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(idx_header(0x08, shape) + bytes(5 * 28 * 28)))
    out = refused_under_cap(f"datasets.read_idx({str(path)!r})")
    assert out.startswith("ValueError:") and str(path) in out
    assert f"declares shape {shape}" in out and "truncated or corrupt" in out


def test_a_consistent_idx_file_too_large_for_memory_is_a_clear_error(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte.gz"
    n = BOMB_MIB * MIB // 784
    path.write_bytes(gzip_with_zeros(idx_header(0x08, (n, 28, 28)), n * 784))
    out = refused_under_cap(f"datasets.read_idx({str(path)!r})")
    assert out.startswith("ValueError:") and "MiB of memory" in out and str(path) in out


# --- CIFAR-10 -------------------------------------------------------------------------------------
def test_cifar_archive_with_a_huge_member_is_refused_before_reading_it(tmp_path):
    path = tmp_path / "cifar-10-binary.tar.gz"
    records = BOMB_MIB * MIB // 3073
    path.write_bytes(tar_gz_with_zeros("cifar-10-batches-bin/test_batch.bin", records * 3073))
    assert path.stat().st_size < MIB
    out = refused_under_cap(f"datasets.read_cifar10({str(path)!r}, 'test')")
    assert out.startswith("ValueError:") and "test_batch.bin declares" in out
    assert "at most 10000 records" in out


def test_bomb_builders_make_valid_files(tmp_path):
    """The hand-made zip, gzip and tar files are what they claim (small versions)."""
    data = gzip.decompress(gzip_with_zeros(b"abc", 3 * MIB + 5, b"xyz"))
    assert data == b"abc" + bytes(3 * MIB + 5) + b"xyz"
    raw, crc, size = deflate_with_zeros(b"k", 10)
    assert zlib.decompress(raw, -15) == b"k" + bytes(10) and crc == zlib.crc32(b"k" + bytes(10))
    path = tmp_path / "t.tar.gz"
    path.write_bytes(tar_gz_with_zeros("a/b.bin", 3073 * 2))
    with tarfile.open(path) as tar:
        assert [(m.name, m.size) for m in tar.getmembers()] == [("a/b.bin", 6146)]
    ok = tmp_path / "ok.npz"
    weight = np.arange(12, dtype=np.float32).reshape(3, 4)
    listing = {"0.weight": {"shape": [3, 4], "dtype": "float32"}}
    member = deflate_with_zeros(npy_bytes(weight), 0)
    ok.write_bytes(checkpoint(linear(4, 3), listing, {"0.weight.npy": member}))
    from autograd import nn

    np.testing.assert_array_equal(nn.load(ok)[0].weight.data, weight)
    assert Path(ok).stat().st_size < 2048


# --- issue 24: the user's .npz files, image folders, and the number of layers -------------------
def npz_declaring(tmp_path: Path, name: str, **members) -> Path:
    """An .npz of hand-made members (``x=bytes or (deflate data, crc, size)``)."""
    path = tmp_path / name
    path.write_bytes(zip_bytes({f"{k}.npy": v for k, v in members.items()}))
    return path


def test_npz_declaring_a_huge_x_is_a_value_error_naming_the_file(tmp_path):
    """Issue 24: an .npz declaring x of (10**12, 4) escaped as a MemoryError (exit 4)."""
    path = npz_declaring(
        tmp_path, "huge_x.npz", x=npy_header((10**12, 4)) + bytes(48), y=npy_bytes(np.arange(2))
    )
    out = refused_under_cap(f"datasets.read_npz({str(path)!r})")
    assert out.startswith("ValueError:") and str(path) in out
    assert "declares shape (1000000000000, 4)" in out and "holds 48 bytes of data" in out


def test_npz_with_a_deflated_x_not_matching_y_is_refused_before_inflating(tmp_path):
    """Issue 24: a deflated .npz reached 327 MB before its y was found not to match x; the
    shapes come from the headers, before any data is read."""
    n = BOMB_MIB * MIB // 4 // 4
    x = deflate_with_zeros(npy_header((n, 4)), n * 16)
    path = npz_declaring(tmp_path, "deflated.npz", x=x, y=npy_bytes(np.arange(3)))
    assert path.stat().st_size < MIB
    out = refused_under_cap(f"datasets.read_npz({str(path)!r})")
    assert out.startswith("ValueError:") and f"y must be {n} integer class labels" in out


def test_npz_labels_without_names_cannot_ask_for_a_billion_classes(tmp_path):
    """Issue 24: a 0.5 kB .npz with labels [0, 10**9] built a billion class-name strings."""
    path = tmp_path / "labels.npz"
    np.savez(path, x=np.zeros((2, 4), np.float32), y=np.array([0, 10**9]))
    assert path.stat().st_size < 1024
    call = (
        "from autograd.experiments.config import Config; "
        f"from autograd.experiments.data import load_raw; load_raw(Config(dataset={str(path)!r}))"
    )
    out = refused_under_cap(call)
    assert out.startswith("ValueError:") and "1000000001 classes for 2 samples" in out


def image_folder_with(tmp_path: Path, side: int) -> Path:
    """Two class folders, each holding one blank `side` x `side` PNG (a few kB)."""
    Image = pytest.importorskip("PIL.Image")
    for cls in ("a", "b"):
        (tmp_path / cls).mkdir(parents=True, exist_ok=True)
        Image.new("1", (side, side)).save(tmp_path / cls / "big.png")
    return tmp_path


@pytest.mark.parametrize("side", [10_000, 20_000])
def test_an_image_declaring_too_many_pixels_is_refused_before_decoding(tmp_path, side):
    """Issue 24: a 24 kB 10000x10000 PNG reached 1.1 GB; a 20000x20000 one escaped as
    Pillow's DecompressionBombError."""
    folder = image_folder_with(tmp_path, side)
    assert (folder / "a" / "big.png").stat().st_size < MIB
    out = refused_under_cap(f"datasets.read_image_folder({str(folder)!r})")
    assert out.startswith("ValueError:") and "big.png" in out and "pixels" in out


def test_checkpoint_declaring_more_layers_than_the_maximum_is_refused_before_building(tmp_path):
    """Issue 24: a 187 kB file built 1,000,000 modules (750 MB); a model file now holds at most
    MAX_LAYERS, counted in the description before anything is built."""
    from autograd.nn.serialization import MAX_LAYERS

    layers = {"type": "Sequential", "layers": [{"type": "Tanh"}] * (MAX_LAYERS + 1)}
    path = tmp_path / "many_layers.npz"
    path.write_bytes(checkpoint(layers, {}, {}))
    out = refused_under_cap(f"nn.load({str(path)!r})")
    assert out.startswith("CheckpointError:") and f"more than {MAX_LAYERS} layers" in out
    fine = {"type": "Sequential", "layers": [{"type": "Tanh"}] * 3}
    path.write_bytes(checkpoint(fine, {}, {}))
    from autograd import nn

    assert len(nn.load(path)) == 3


# --- the class: every reader checks declared sizes before allocating ---------------------------
def _idx_bomb(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(idx_header(0x08, (10**6, 28, 28)) + bytes(5 * 784)))
    return path, f"datasets.read_idx({str(path)!r})"


def _official_bomb(tmp_path):
    path, _ = _idx_bomb(tmp_path)
    labels = tmp_path / "train-labels-idx1-ubyte.gz"
    labels.write_bytes(gzip.compress(idx_header(0x08, (5,)) + bytes(5)))
    return path, f"datasets.read_official('mnist', {str(tmp_path)!r})"


def _cifar_bomb(tmp_path):
    path = tmp_path / "cifar-10-binary.tar.gz"
    path.write_bytes(tar_gz_with_zeros("cifar-10-batches-bin/test_batch.bin", 2**29 // 3073 * 3073))
    return path, f"datasets.read_cifar10({str(path)!r}, 'test')"


def _npz_bomb(tmp_path):
    n = BOMB_MIB * MIB // 16
    x = deflate_with_zeros(npy_header((n, 4)), n * 16)
    path = npz_declaring(tmp_path, "data.npz", x=x, y=npy_bytes(np.arange(3)))
    return path, f"datasets.read_npz({str(path)!r})"


def _image_folder_bomb(tmp_path):
    folder = image_folder_with(tmp_path, 10_000)
    return folder / "a" / "big.png", f"datasets.read_image_folder({str(folder)!r})"


def _checkpoint_bomb(function):
    def bomb(tmp_path):
        path = tmp_path / "model.npz"
        n = BOMB_MIB * MIB // 4
        member = deflate_with_zeros(npy_header((n,)), n * 4)
        listing = {"0.weight": {"shape": [3, 4], "dtype": "float32"}}
        path.write_bytes(checkpoint(linear(4, 3), listing, {"0.weight.npy": member}))
        return path, f"nn.{function}({str(path)!r})"

    return bomb


# Every function that reads a file the user gives: a small file declaring a huge size for each.
READERS = {
    "read_idx": _idx_bomb,
    "read_official": _official_bomb,
    "read_cifar10": _cifar_bomb,
    "read_npz": _npz_bomb,
    "read_image_folder": _image_folder_bomb,
    "nn.load": _checkpoint_bomb("load"),
    "nn.load_state": _checkpoint_bomb("load_state"),
}


def test_every_reader_of_files_is_in_the_class_test():
    """A new `read_*` in autograd.datasets (or a new loader in nn) must join `READERS`."""
    from autograd import datasets, nn

    readers = {name for name in datasets.__all__ if name.startswith("read_")}
    readers |= {f"nn.{name}" for name in nn.__all__ if name.startswith("load")}
    assert readers == set(READERS)


@pytest.mark.parametrize("reader", list(READERS))
def test_every_reader_checks_declared_sizes_before_allocating(tmp_path, reader):
    """The class of issues 15 and 24: a small file declaring a huge size is refused with a
    ValueError naming the file, by a child whose memory is capped below that size."""
    path, call = READERS[reader](tmp_path)
    assert path.stat().st_size < MIB
    out = refused_under_cap(call)
    assert out.split(":")[0] in ("ValueError", "CheckpointError") and str(path) in out, out
