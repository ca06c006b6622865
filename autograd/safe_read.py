"""Reading untrusted files without allocating what they merely declare.

A file's header says how large its data is; a 2 kB file can say "a gigabyte". The loaders
(`autograd.nn.load`, `autograd.data.read_idx`, `read_cifar10`) read the header first,
compare the declared size with what the file can hold (its own size, or for compressed data
the most that deflate can expand it to), and only then allocate an array of exactly the
declared size and fill it from the stream, refusing data that is shorter or longer.
"""

from __future__ import annotations

import numpy as np

__all__ = ["DEFLATE_MAX_RATIO", "most_inflated", "fill_from"]

# deflate (zip, gzip) cannot expand data more than about 1032 times (RFC 1951: a 258-byte match
# costs at least 2 bits); a member claiming more than that was not made by deflate.
DEFLATE_MAX_RATIO = 1032


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
