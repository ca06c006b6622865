"""Optional compiled kernels: the ``fast`` extra (``pip install autograd-lab[fast]``, numba).

Where a kernel exists, the numpy code beside its call is the reference: it runs whenever numba
is missing or the kernels are turned off, and the tests run every kernel against it. Turn the
kernels off with ``AUTOGRAD_NUMBA=0`` in the environment or ``use_numba(False)``.

NOTE: numba is imported on the first call of `compiled()`, never by ``import autograd``;
its kernels are compiled on first use and cached next to the package (``cache=True``).
"""

from __future__ import annotations

import os

__all__ = ["compiled", "use_numba"]

_state = {"enabled": os.environ.get("AUTOGRAD_NUMBA", "1") != "0", "kernels": None}


def use_numba(enabled: bool) -> bool:
    """Turn the compiled kernels on or off; returns the previous setting."""
    previous = _state["enabled"]
    _state["enabled"] = bool(enabled)
    return previous


def compiled():
    """The module of compiled kernels (`autograd.kernels.numba_loops`), or None when numba is
    not installed or the kernels are turned off."""
    if not _state["enabled"]:
        return None
    kernels = _state["kernels"]
    if kernels is None:
        try:
            from autograd.kernels import numba_loops as kernels
        except ImportError:
            kernels = False
        _state["kernels"] = kernels
    return kernels or None
