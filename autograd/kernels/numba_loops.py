"""The numba kernels behind `autograd.kernels.compiled()` (imported only from there: it
imports numba, which is optional). Each computes the same numbers as the numpy code it
replaces, in the same order of operations and in the arrays' own dtype, so the results are
equal bit for bit."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def sgd_step(p, g, lr, decay):
    """p <- p·decay - lr·g in one pass (p, g: 1-d views of the same layout; lr and decay in
    p's dtype, so float32 stays float32 as in numpy)."""
    for i in range(p.size):
        p[i] = p[i] * decay - g[i] * lr


@njit(cache=True)
def max_pool_forward(xp, kernel_h, kernel_w, stride_h, stride_w, best, arg):
    """best[c,n,p,q] = max over the window of xp (channel-major, padded), arg = the offset
    i·kw + j of the first maximum in row-major order, or of the last NaN (numpy path:
    `functional._window_max`).

    NOTE: one thread. With ``parallel=True`` (prange over the planes, 2 threads) LeNet-5's
    first pool took 24-28 ms instead of 0.75 ms on the 2-core machine shared with other jobs:
    the parallel region waits for its slowest thread, and that one waits for a core."""
    channels, images, out_h, out_w = best.shape
    for plane in range(channels * images):
        c, n = plane // images, plane % images
        for p in range(out_h):
            for q in range(out_w):
                top, left = p * stride_h, q * stride_w
                top_value = xp[c, n, top, left]
                where = 0
                for i in range(kernel_h):
                    for j in range(kernel_w):
                        v = xp[c, n, top + i, left + j]
                        if v > top_value or v != v:  # v != v: a NaN wins, the last one
                            top_value = v
                            where = i * kernel_w + j
                best[c, n, p, q] = top_value
                arg[c, n, p, q] = where


@njit(cache=True)
def adagrad_step(p, g, total, lr, decay, eps):
    """Adagrad in one pass: g' = g + decay·p, total <- total + g'², p <- p - lr·g'/(√total + eps)
    (1-d views of one layout; the scalars in p's dtype; numpy path: `optim.Adagrad._update`)."""
    for i in range(p.size):
        gi = g[i] + decay * p[i] if decay else g[i]
        total[i] = total[i] + gi * gi
        p[i] = p[i] - gi / (np.sqrt(total[i]) + eps) * lr
