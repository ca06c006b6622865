"""Reading untrusted files without allocating what they merely declare.

A file's header says how large its data is; a 2 kB file can say "a gigabyte". The loaders
(`autograd.nn.load`, `autograd.data.read_idx`, `read_cifar10`, `read_npz`,
`read_image_folder`) read the header first, compare the declared size with what the file can
hold (its own size, or for compressed data the most that deflate can expand it to) or with a
stated maximum (`MAX_IMAGE_PIXELS`), and only then allocate an array of exactly the declared
size and fill it from the stream, refusing data that is shorter or longer.
"""

from __future__ import annotations

import os
import zipfile

import numpy as np

__all__ = [
    "DEFLATE_MAX_RATIO",
    "MAX_IMAGE_PIXELS",
    "most_inflated",
    "fill_from",
    "open_npz",
    "npz_members",
    "npy_header",
]

# deflate (zip, gzip) cannot expand data more than about 1032 times (RFC 1951: a 258-byte match
# costs at least 2 bits); a member claiming more than that was not made by deflate.
DEFLATE_MAX_RATIO = 1032

# Pixels one image may declare (8192 x 8192); a 24 kB PNG can declare 10000 x 10000, which
# decodes to 300 MB. Pillow's own limit (Image.MAX_IMAGE_PIXELS, 89 million) only warns.
MAX_IMAGE_PIXELS = 2**26


def most_inflated(compressed_bytes: int) -> int:
    """The largest size `compressed_bytes` of deflate data can decompress to."""
    return DEFLATE_MAX_RATIO * compressed_bytes + 1024  # + room for headers of tiny files


def fill_from(stream, shape, dtype, what: str, fortran_order: bool = False) -> np.ndarray:
    """An array of `shape` and `dtype` filled with the next bytes of `stream`; ValueError
    naming `what` when the stream ends early or holds more bytes after them.

    Call it only once `shape` has been checked against what the file can hold: it allocates
    the whole array (a MemoryError becomes a ValueError that says how much was asked for)."""
    dtype = np.dtype(dtype)
    try:
        array = np.empty(tuple(shape)[::-1] if fortran_order else shape, dtype)
    except (MemoryError, ValueError):
        count = 1
        for n in shape:
            count *= int(n)
        raise ValueError(
            f"{what}: needs {count * dtype.itemsize / 2**20:.0f} MiB of memory for shape "
            f"{tuple(shape)} {dtype}, more than is available"
        ) from None
    if fortran_order:
        array = array.T
    if array.size:
        buffer = memoryview(array.reshape(-1, order="A").view(np.uint8))
        filled = 0
        while filled < len(buffer):
            got = stream.readinto(buffer[filled:])
            if not got:
                raise ValueError(
                    f"{what}: truncated: the header declares {len(buffer)} bytes of data, the "
                    f"file holds {filled}"
                )
            filled += got
    if stream.read(1):  # NOTE: reading to the end also makes zip and gzip check their CRC
        raise ValueError(f"{what}: more data than the header declares (shape {tuple(shape)})")
    return array


# --- .npz files (a zip of .npy arrays) ---------------------------------------------------------
# NOTE: np.load reads an .npz member's header and then allocates whatever shape it declares
# (a 0.5 kB file can declare (10**12, 4)); these read every header first and check it against
# the zip's own sizes, so the caller can compare shapes before any data is allocated.
_FLAG_ENCRYPTED, _FLAG_PATCHED = 0x1, 0x20
NPY_MAGIC = b"\x93NUMPY"


def open_npz(path, error=ValueError, kind: str = ".npz file"):
    """``zipfile.ZipFile(path)``, or `error` naming the file: ``kind`` says what was expected
    (a single ``.npy`` array saved under an ``.npz`` name is named as such)."""
    magic = b""
    try:
        with open(path, "rb") as f:
            magic = f.read(len(NPY_MAGIC))
        return zipfile.ZipFile(path)
    except FileNotFoundError:
        raise
    except (OSError, EOFError, ValueError, zipfile.BadZipFile, NotImplementedError) as exc:
        if magic == NPY_MAGIC:
            raise error(
                f"{path}: holds a single .npy array (np.save), not an {kind} (np.savez)"
            ) from None
        reason = "it is empty" if not magic else f"{type(exc).__name__}: {exc}"
        raise error(
            f"{path}: cannot read as an {kind}, it is truncated or not an .npz ({reason})"
        ) from None


def npz_members(path, zf, error=ValueError) -> dict:
    """The zip's members by array name (``{"x": ZipInfo}``), each checked: an ``.npy`` file,
    stored or deflated, not encrypted, with sizes the file can hold; `error` otherwise."""
    file_size = os.path.getsize(path)
    members: dict[str, zipfile.ZipInfo] = {}
    for info in zf.infolist():
        name = info.filename
        problem = ""
        if not name.endswith(".npy"):
            problem = "is not an .npy array"
        elif info.flag_bits & (_FLAG_ENCRYPTED | _FLAG_PATCHED):
            problem = "is encrypted or patched (zip flags), which numpy never writes"
        elif info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            problem = (
                f"uses zip compression method {info.compress_type} (expected stored or deflated)"
            )
        elif info.compress_size > file_size:
            problem = f"declares {info.compress_size} bytes, more than the whole file ({file_size})"
        elif info.compress_type == zipfile.ZIP_STORED and info.file_size != info.compress_size:
            problem = (
                f"is stored uncompressed but declares {info.file_size} bytes for "
                f"{info.compress_size} stored"
            )
        elif info.file_size > most_inflated(info.compress_size):
            problem = (
                f"declares {info.file_size} bytes uncompressed from {info.compress_size} "
                "compressed, more than deflate can expand"
            )
        elif name[:-4] in members:
            problem = "appears twice"
        if problem:
            raise error(f"{path}: zip member {name!r:.80} {problem}")
        members[name[:-4]] = info
    return members


def npy_header(what: str, info, stream, error=ValueError) -> tuple:
    """Read an ``.npy`` header from `stream` (a zip member): ``(shape, dtype, fortran_order)``,
    checked against the member's declared size ``info.file_size``; numbers and text only (no
    objects). Nothing is allocated here; `error` names `what` when the header is wrong."""
    try:
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(stream)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(stream)
        else:
            raise ValueError(f"unsupported .npy format version {version}")
    except (ValueError, TypeError, SyntaxError, EOFError, OSError) as exc:
        raise error(f"{what} is not a valid .npy array ({exc})") from None
    if dtype.hasobject or dtype.kind not in "biufcU":
        raise error(f"{what} has dtype {dtype}; expected numbers or text")
    count = 1
    for n in shape:
        count *= n
    nbytes = count * dtype.itemsize
    if stream.tell() + nbytes != info.file_size:
        raise error(
            f"{what} declares shape {shape} ({nbytes} bytes of {dtype}) but its zip member "
            f"holds {info.file_size - stream.tell()} bytes of data"
        )
    return shape, dtype, fortran
