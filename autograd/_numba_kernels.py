"""The numba kernels behind `autograd.kernels.compiled()` (imported only from there: it
imports numba). Each computes the same numbers as the numpy code it replaces, in the same
order of operations and in the arrays' own dtype, so the results are equal bit for bit."""

from __future__ import annotations

from numba import njit


@njit(cache=True)
def sgd_step(p, g, lr, decay):
    """p <- p·decay - lr·g in one pass (p, g: 1-d views of the same layout; lr and decay in
    p's dtype, so float32 stays float32 as in numpy)."""
    for i in range(p.size):
        p[i] = p[i] * decay - g[i] * lr
