"""The numba kernels behind `autograd.kernels.compiled()` (imported only from there: it
imports numba, which is optional). Each computes the same numbers as the numpy code it
replaces, in the same order of operations and in the arrays' own dtype, so the results are
equal bit for bit; except the direct convolution, which adds in another order (see its NOTE)."""

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
def max_pool_forward_2x2(xp, stride_h, stride_w, best, arg):
    """`max_pool_forward` for a 2×2 kernel: the same comparisons in the same order, written as
    selects, not branches (a third of the time: the arg-max of random data mispredicts)."""
    channels, images, out_h, out_w = best.shape
    for c in range(channels):
        for n in range(images):
            plane = xp[c, n]
            for p in range(out_h):
                upper, lower = plane[p * stride_h], plane[p * stride_h + 1]
                best_row, arg_row = best[c, n, p], arg[c, n, p]
                for q in range(out_w):
                    left = q * stride_w
                    a0, a1, a2, a3 = upper[left], upper[left + 1], lower[left], lower[left + 1]
                    top_value, where = a0, 0
                    take = (a1 > top_value) | (a1 != a1)  # a NaN wins, the last one
                    top_value, where = (a1, 1) if take else (top_value, where)
                    take = (a2 > top_value) | (a2 != a2)
                    top_value, where = (a2, 2) if take else (top_value, where)
                    take = (a3 > top_value) | (a3 != a3)
                    top_value, where = (a3, 3) if take else (top_value, where)
                    best_row[q] = top_value
                    arg_row[q] = where


@njit(cache=True)
def col2im(g_cols, gp):
    """gp[c,n, p+i, q+j] += g_cols[c,i,j,n,p,q] (stride 1), one kernel offset (i, j) after the
    other in row-major order, as the numpy path adds them (`functional.conv2d`'s input gradient),
    so the same bits; gp: zeros, the padded channel-major input's shape (C, N, Hp, Wp)."""
    channels, kernel_h, kernel_w, images, out_h, out_w = g_cols.shape
    for c in range(channels):
        for n in range(images):
            plane = gp[c, n]
            for i in range(kernel_h):
                for j in range(kernel_w):
                    rows = g_cols[c, i, j, n]
                    for p in range(out_h):
                        into, row = plane[p + i, j : j + out_w], rows[p]
                        for q in range(out_w):
                            into[q] += row[q]


@njit(cache=True)
def adagrad_step(p, g, total, lr, decay, eps):
    """Adagrad in one pass: g' = g + decay·p, total <- total + g'², p <- p - lr·g'/(√total + eps)
    (1-d views of one layout; the scalars in p's dtype; numpy path: `optim.Adagrad._update`)."""
    for i in range(p.size):
        gi = g[i] + decay * p[i] if decay else g[i]
        total[i] = total[i] + gi * gi
        p[i] = p[i] - gi / (np.sqrt(total[i]) + eps) * lr


# --- direct convolution (stride 1): `functional.conv2d` when the conv has few output channels ---
# NOTE: these two do not give the numpy path's bits: they add the same products in another
# order (as PyTorch's kernels do), so the tests compare them with a float tolerance. Each
# image plane is read as one flat row of `width` numbers a line: an output pixel p·width + q
# reads the input at p·width + q + i·width + j, so one kernel offset of a whole plane is one
# contiguous run of `span` numbers (the runs' last width - ow numbers a line are thrown away,
# or multiplied by zeros). The loops over a run are what LLVM vectorizes; the taps of a kernel
# row are taken four at a time, so a run is loaded once per four taps, not per tap.
# fastmath: only reassociation and contraction (FMA), so a NaN or an inf still propagates.
# NOTE: the `_one` and `_two` helpers below are near-copies on purpose. Measured on LeNet-5's
# first conv: one helper for both (a second channel equal to the first when there is none)
# made a single channel 30% slower (Fashion-MNIST's 20 -> 1 conv), and one helper with a
# branch inside the loop lost the pairing's gain (forward 1.9 ms against 1.0 ms).
_FAST = {"reassoc", "contract"}


@njit(fastmath=_FAST, cache=True)
def _forward_one(plane, w, o, c, kernel_h, kernel_w, width, span, acc):
    """acc += Σ_{i,j} w[o,c,i,j]·(plane's run at i·width + j): one output channel."""
    for i in range(kernel_h):
        j = 0
        while j + 4 <= kernel_w:
            w0, w1, w2, w3 = w[o, c, i, j], w[o, c, i, j + 1], w[o, c, i, j + 2], w[o, c, i, j + 3]
            run = plane[i * width + j : i * width + j + span + 3]
            for k in range(span):
                acc[k] += w0 * run[k] + w1 * run[k + 1] + w2 * run[k + 2] + w3 * run[k + 3]
            j += 4
        while j < kernel_w:
            w0 = w[o, c, i, j]
            run = plane[i * width + j : i * width + j + span]
            for k in range(span):
                acc[k] += w0 * run[k]
            j += 1


@njit(fastmath=_FAST, cache=True)
def _forward_two(plane, w, o, c, kernel_h, kernel_w, width, span, acc, acc2):
    """`_forward_one` for the output channels o and o + 1 from the same loads of the runs."""
    for i in range(kernel_h):
        j = 0
        while j + 4 <= kernel_w:
            w0, w1, w2, w3 = w[o, c, i, j], w[o, c, i, j + 1], w[o, c, i, j + 2], w[o, c, i, j + 3]
            v0, v1 = w[o + 1, c, i, j], w[o + 1, c, i, j + 1]
            v2, v3 = w[o + 1, c, i, j + 2], w[o + 1, c, i, j + 3]
            run = plane[i * width + j : i * width + j + span + 3]
            for k in range(span):
                r0, r1, r2, r3 = run[k], run[k + 1], run[k + 2], run[k + 3]
                acc[k] += w0 * r0 + w1 * r1 + w2 * r2 + w3 * r3
                acc2[k] += v0 * r0 + v1 * r1 + v2 * r2 + v3 * r3
            j += 4
        while j < kernel_w:
            w0, v0 = w[o, c, i, j], w[o + 1, c, i, j]
            run = plane[i * width + j : i * width + j + span]
            for k in range(span):
                acc[k] += w0 * run[k]
                acc2[k] += v0 * run[k]
            j += 1


@njit(fastmath=_FAST, cache=True)
def conv_forward(xp, w, bias, out, width):
    """out[o,n,p,q] = bias[o] + Σ_{c,i,j} w[o,c,i,j]·xp[c,n, p·width + q + i·width + j]
    (xp: the padded channel-major input, (C, N, Hp·Wp) with width = Wp; out (O, N, OH, OW)).
    Two output channels at a time where there are two (LeNet-5's first conv: 25% less time)."""
    channels, images, _ = xp.shape
    outs, _, kernel_h, kernel_w = w.shape
    out_h, out_w = out.shape[2], out.shape[3]
    span = (out_h - 1) * width + out_w
    acc = np.empty(span, out.dtype)
    acc2 = np.empty(span, out.dtype)
    for n in range(images):
        for o in range(0, outs, 2):
            two = o + 1 < outs
            acc[:] = bias[o]
            if two:
                acc2[:] = bias[o + 1]
            for c in range(channels):
                if two:
                    _forward_two(xp[c, n], w, o, c, kernel_h, kernel_w, width, span, acc, acc2)
                else:
                    _forward_one(xp[c, n], w, o, c, kernel_h, kernel_w, width, span, acc)
            for p in range(out_h):
                out[o, n, p, :] = acc[p * width : p * width + out_w]
                if two:
                    out[o + 1, n, p, :] = acc2[p * width : p * width + out_w]


@njit(fastmath=_FAST, cache=True)
def _weight_grad_one(plane, row, gw, o, c, width, span, zero):
    """gw[o,c,:,:] += the dot products of g's wide row with the plane's runs."""
    kernel_h, kernel_w = gw.shape[2], gw.shape[3]
    for i in range(kernel_h):
        j = 0
        while j + 4 <= kernel_w:
            run = plane[i * width + j : i * width + j + span + 3]
            s0, s1, s2, s3 = zero, zero, zero, zero
            for k in range(span):
                v = row[k]
                s0 += v * run[k]
                s1 += v * run[k + 1]
                s2 += v * run[k + 2]
                s3 += v * run[k + 3]
            gw[o, c, i, j] += s0
            gw[o, c, i, j + 1] += s1
            gw[o, c, i, j + 2] += s2
            gw[o, c, i, j + 3] += s3
            j += 4
        while j < kernel_w:
            run = plane[i * width + j : i * width + j + span]
            s0 = zero
            for k in range(span):
                s0 += row[k] * run[k]
            gw[o, c, i, j] += s0
            j += 1


@njit(fastmath=_FAST, cache=True)
def _weight_grad_two(plane, row, row2, gw, o, c, width, span, zero):
    """`_weight_grad_one` for the output channels o and o + 1 from the same loads of the runs."""
    kernel_h, kernel_w = gw.shape[2], gw.shape[3]
    for i in range(kernel_h):
        j = 0
        while j + 4 <= kernel_w:
            run = plane[i * width + j : i * width + j + span + 3]
            s0, s1, s2, s3 = zero, zero, zero, zero
            t0, t1, t2, t3 = zero, zero, zero, zero
            for k in range(span):
                v, u = row[k], row2[k]
                r0, r1, r2, r3 = run[k], run[k + 1], run[k + 2], run[k + 3]
                s0 += v * r0
                s1 += v * r1
                s2 += v * r2
                s3 += v * r3
                t0 += u * r0
                t1 += u * r1
                t2 += u * r2
                t3 += u * r3
            gw[o, c, i, j] += s0
            gw[o, c, i, j + 1] += s1
            gw[o, c, i, j + 2] += s2
            gw[o, c, i, j + 3] += s3
            gw[o + 1, c, i, j] += t0
            gw[o + 1, c, i, j + 1] += t1
            gw[o + 1, c, i, j + 2] += t2
            gw[o + 1, c, i, j + 3] += t3
            j += 4
        while j < kernel_w:
            run = plane[i * width + j : i * width + j + span]
            s0, t0 = zero, zero
            for k in range(span):
                s0 += row[k] * run[k]
                t0 += row2[k] * run[k]
            gw[o, c, i, j] += s0
            gw[o + 1, c, i, j] += t0
            j += 1


@njit(fastmath=_FAST, cache=True)
def conv_weight_grad(xp, g, gw, width, zero):
    """gw[o,c,i,j] = Σ_{n,p,q} g[o,n,p,q]·xp[c,n, p·width + q + i·width + j] (the layouts of
    `conv_forward`; g (O, N, OH, OW) channel-major; zero: 0 in gw's dtype). Two output
    channels at a time where there are two (LeNet-5's first conv: a third less time)."""
    channels, images, _ = xp.shape
    outs = gw.shape[0]
    out_h, out_w = g.shape[2], g.shape[3]
    span = (out_h - 1) * width + out_w
    row = np.zeros(span, g.dtype)  # g's plane on the input's width: zeros past column out_w
    row2 = np.zeros(span, g.dtype)
    gw[:] = zero
    for n in range(images):
        for o in range(0, outs, 2):
            two = o + 1 < outs
            for p in range(out_h):
                row[p * width : p * width + out_w] = g[o, n, p, :]
                if two:
                    row2[p * width : p * width + out_w] = g[o + 1, n, p, :]
            for c in range(channels):
                if two:
                    _weight_grad_two(xp[c, n], row, row2, gw, o, c, width, span, zero)
                else:
                    _weight_grad_one(xp[c, n], row, gw, o, c, width, span, zero)
