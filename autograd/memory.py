"""How the process keeps the memory it frees (glibc's malloc), for the tensor path's temporaries.

A training step makes and frees many arrays of a few hundred KB to a few MB (activations,
gradients, im2col matrices). glibc serves a request above its mmap threshold with fresh pages
of its own, and gives the top of its heap back to the system whenever more than its trim
threshold is free there. Both start low (128 KB) and glibc raises them by a rule of its own:
when a block it had mapped is freed, the mmap threshold becomes that block's size (at most
32 MB) and the trim threshold twice that. So a step's speed hung on whether its temporaries
happened to include one large block: when they did not, every step mapped its memory, faulted
each page in and returned it at the end. LeNet-5 at batch 64 had its 15 MB im2col matrix;
with the direct convolution of the `fast` extra it has none, and without the setting below
each step took about 3,000 page faults and 7 ms of system time (21 ms a step against 14-19).

`keep_freed_memory` sets both values where glibc's own rule takes them after freeing a 32 MB
block: requests below 32 MB come from the heap, and up to 64 MB of free heap is kept for the
next step. `autograd.tensor` calls it when first imported; set ``AUTOGRAD_MALLOC=0`` in the
environment to leave malloc as it is. Off glibc (macOS, Windows, musl) it does nothing.
"""

from __future__ import annotations

import ctypes
import os

__all__ = ["keep_freed_memory", "MMAP_THRESHOLD", "TRIM_THRESHOLD"]

MMAP_THRESHOLD = 32 << 20  # glibc's DEFAULT_MMAP_THRESHOLD_MAX on 64-bit systems
TRIM_THRESHOLD = 2 * MMAP_THRESHOLD  # what glibc's rule pairs with it
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # <malloc.h>


def _glibc() -> bool:
    try:
        return os.confstr("CS_GNU_LIBC_VERSION").startswith("glibc")
    except (AttributeError, ValueError, OSError):  # no confstr, or not this name: not glibc
        return False


def keep_freed_memory() -> bool:
    """Set glibc's mmap and trim thresholds (above); True when they were set, False when
    ``AUTOGRAD_MALLOC=0`` asks not to or the C library is not glibc."""
    if os.environ.get("AUTOGRAD_MALLOC", "1") == "0" or not _glibc():
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    # NOTE: the mmap threshold first: setting either one ends glibc's own rule for both.
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )
