"""A hand-written numpy MLP trainer: explicit forward and backprop formulas, no framework.

It is the limit the Tensor path is measured against (bench/tensor.py): the same arithmetic an
autograd framework must do, written as plain numpy calls with no graph, no wrappers and no
temporary arrays that can be avoided. Weights follow PyTorch's layout, ``W`` of shape
(out, in), so one set of initial weights loads into all three benchmarked systems.

Network: ``h_0 = x``, ``z_l = h_{l-1} W_l^T + b_l``, ``h_l = act(z_l)`` for the hidden
layers, the last ``z_L`` are the logits. With ``g_L = dloss/dz_L`` the backward pass is

    dW_l = g_l^T h_{l-1}        db_l = sum over the batch of g_l
    g_{l-1} = (g_l W_l) * act'(z_{l-1})

(no gradient for the input: it is data). Losses, with N samples and C classes:

    cross-entropy  L = mean_n(logsumexp(z_n) - z_n[y_n])        g = (softmax(z) - onehot(y)) / N
    MSE (one-hot)  L = mean_{n,c}(z_nc - t_nc)^2                 g = 2 (z - t) / (N C)

Activations: sigmoid ``s = 1/(1+e^-z)``, ``s' = s(1-s)``; relu ``max(z, 0)``, ``relu' = [z>0]``.

SGD with weight decay, as torch.optim.SGD: ``W <- W - lr (dW + wd W)``. Two tricks keep the
update cheap: the output gradient is scaled by ``lr`` before backprop (everything downstream
is linear in it, so the GEMMs produce ``lr dW`` directly and the big (out, in) matrices are
never scaled), and decay is one in-place multiply ``W *= 1 - lr wd``. Every array is updated
in place and every buffer is allocated once per batch size. Internally the weights are kept
transposed, (in, out), the layout OpenBLAS multiplies fastest here (see ``__init__``).

The dtype is the weights' dtype (float32 in the benchmark; the tests also use float64).
"""

from __future__ import annotations

import numpy as np

ACTIVATIONS = ("sigmoid", "relu")
LOSSES = ("cross_entropy", "mse")


class NumpyMLP:
    """An MLP with explicit forward/backward formulas and an in-place SGD step.

    ``weights`` is a list of ``(W, b)`` pairs, ``W`` of shape (out, in) and ``b`` of shape
    (out,); they are copied (the caller's arrays are never modified). ``activation`` is used
    on every hidden layer; the output layer is linear (logits). ``loss`` is ``"cross_entropy"``
    (targets: integer class indices, shape (N,)) or ``"mse"`` (targets: float one-hot rows,
    shape (N, C)).
    """

    def __init__(self, weights, activation="sigmoid", loss="cross_entropy", lr=0.01,
                 weight_decay=0.0):  # fmt: skip
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")
        if loss not in LOSSES:
            raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")
        if not weights:
            raise ValueError("weights must hold at least one (W, b) pair")
        # Stored transposed, (in, out) C-contiguous: OpenBLAS runs x @ W and x^T g about 7%
        # faster at batch 32 than x @ W^T and g^T x on PyTorch's (out, in) layout.
        ws = [np.asarray(w) for w, _ in weights]
        self.b = [np.array(b, copy=True) for _, b in weights]
        self.dtype = ws[0].dtype
        for i, (w, b) in enumerate(zip(ws, self.b)):
            if (
                w.ndim != 2
                or b.shape != (w.shape[0],)
                or w.dtype != self.dtype
                or b.dtype != self.dtype
            ):
                raise ValueError(
                    f"layer {i}: expected W (out, in) and b (out,) of one dtype, got "
                    f"W {w.shape} {w.dtype} and b {b.shape} {b.dtype}"
                )
            if i and w.shape[1] != ws[i - 1].shape[0]:
                raise ValueError(
                    f"layer {i} takes {w.shape[1]} inputs but layer {i - 1} gives "
                    f"{ws[i - 1].shape[0]}"
                )
        self.Wt = [np.array(w.T, order="C", copy=True) for w in ws]  # never the caller's
        self.activation = activation
        self.loss = loss
        self.lr = lr
        self.weight_decay = weight_decay
        self.dWt = [np.empty_like(w) for w in self.Wt]
        self.db = [np.empty_like(b) for b in self.b]
        self._batch = None  # batch size the activation buffers are allocated for

    # --- buffers ---------------------------------------------------------------------------
    def _buffers(self, n):
        if self._batch != n:
            # h[l]: output of layer l (activation for hidden layers, logits for the last);
            # g[l]: gradient w.r.t. the pre-activation z_l; t[l]: scratch of the same shape.
            shapes = [(n, w.shape[1]) for w in self.Wt]
            self.h = [np.empty(s, self.dtype) for s in shapes]
            self.g = [np.empty(s, self.dtype) for s in shapes]
            self.t = [np.empty(s, self.dtype) for s in shapes]
            self.rows = np.arange(n)
            self._batch = n

    @staticmethod
    def convert(x, target):
        """A numpy batch is used as it is (same interface as the other benchmarked systems)."""
        return x, target

    # --- forward and backward ----------------------------------------------------------------
    def forward(self, x):
        """Logits for the batch ``x`` (N, in); fills the activation buffers for backward."""
        self._buffers(len(x))
        last = len(self.Wt) - 1
        h = x
        for i, (w, b) in enumerate(zip(self.Wt, self.b)):
            z = self.h[i]
            np.matmul(h, w, out=z)
            z += b
            if i < last:
                if self.activation == "sigmoid":
                    # NOTE: exp(-z) overflows to inf for z < -88 (float32); 1/(1+inf) = 0 is
                    # the right limit, so the warning is silenced, not the value clipped.
                    np.negative(z, out=z)
                    with np.errstate(over="ignore"):
                        np.exp(z, out=z)
                    z += 1
                    np.reciprocal(z, out=z)
                else:
                    np.maximum(z, 0, out=z)
            h = z
        return h

    def _loss_and_output_grad(self, target, scale):
        """Loss value, and ``scale * dloss/dlogits`` written into the last g buffer."""
        z, g = self.h[-1], self.g[-1]
        n, c = z.shape
        if self.loss == "cross_entropy":
            # NOTE: log-sum-exp stable: shift by the row max before exp.
            m = z.max(axis=1, keepdims=True)
            np.subtract(z, m, out=g)
            np.exp(g, out=g)
            s = g.sum(axis=1, keepdims=True)
            # np.mean costs ~5 us of overhead on arrays this small: sums and one division
            loss = float(np.log(s).sum() + m.sum() - z[self.rows, target].sum()) / n
            g *= scale / (n * s)
            g[self.rows, target] -= scale / n
        else:
            np.subtract(z, target, out=g)
            loss = float(np.vdot(g, g)) / g.size
            g *= 2 * scale / g.size
        return loss

    def backward(self, x, scale=1.0):
        """Fill ``dWt``/``db`` with ``scale`` times the gradients (output gradient in g)."""
        for i in range(len(self.Wt) - 1, -1, -1):
            g = self.g[i]
            h_in = x if i == 0 else self.h[i - 1]
            np.matmul(h_in.T, g, out=self.dWt[i])
            np.sum(g, axis=0, out=self.db[i])
            if i:
                gp, t = self.g[i - 1], self.t[i - 1]
                np.matmul(g, self.Wt[i].T, out=gp)
                if self.activation == "sigmoid":  # s' = s (1 - s)
                    np.subtract(1, h_in, out=t)
                    t *= h_in
                    gp *= t
                else:  # relu' = [h > 0]
                    np.greater(h_in, 0, out=t)
                    gp *= t

    def gradients(self, x, target):
        """``(loss, [(dW, db), ...])`` for the batch, without changing the weights."""
        self.forward(x)
        loss = self._loss_and_output_grad(target, 1.0)
        self.backward(x, 1.0)
        return loss, [(dw.T.copy(), db.copy()) for dw, db in zip(self.dWt, self.db)]

    def step(self, x, target):
        """One SGD step on the batch; returns the loss before the step."""
        self.forward(x)
        loss = self._loss_and_output_grad(target, self.lr)
        self.backward(x, self.lr)  # dWt, db now hold lr * gradient
        self.update()
        return loss

    def update(self):
        """The SGD update, after ``backward(x, lr)``: decay, then subtract ``lr *`` gradient."""
        decay = 1.0 - self.lr * self.weight_decay
        for w, b, dw, db in zip(self.Wt, self.b, self.dWt, self.db):
            if self.weight_decay:
                w *= decay
                b *= decay
            w -= dw
            b -= db

    def loss_value(self, x, target):
        """The loss on a batch, weights unchanged."""
        self.forward(x)
        return self._loss_and_output_grad(target, 1.0)

    def parameters(self):
        """The weights as ``[(W (out, in), b), ...]`` (views of the live arrays)."""
        return [(w.T, b) for w, b in zip(self.Wt, self.b)]
