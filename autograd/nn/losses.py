"""Loss modules (PyTorch's names and semantics) and the explicit L2 penalty.

Each loss calls one fused function of `autograd.functional`, so a loss is one graph node with
one hand-written backward (that is where the speed comes from).

``reduction``: ``"mean"`` (default) averages over every element (over the samples for
cross-entropy), ``"sum"`` adds, ``"none"`` returns the per-element (per-sample) losses.
"""

from __future__ import annotations

import numpy as np

from autograd.functional import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    check_reduction,
    cross_entropy,
    mse_loss,
)
from autograd.nn.module import Module
from autograd.tensor import Tensor

__all__ = ["MSELoss", "CrossEntropyLoss", "BCELoss", "BCEWithLogitsLoss", "l2_penalty"]


class _Loss(Module):
    def __init__(self, reduction: str = "mean"):
        super().__init__()
        check_reduction(reduction, type(self).__name__)
        self.reduction = reduction

    def extra_repr(self) -> str:
        return "" if self.reduction == "mean" else f"reduction={self.reduction!r}"


class MSELoss(_Loss):
    """Mean squared error: mean over all elements of (prediction - target)^2.

    ``target`` has the prediction's shape (e.g. one-hot rows for a classifier); a numpy array
    or a Tensor, cast to the prediction's dtype (`autograd.functional.mse_loss` checks both).
    """

    def forward(self, prediction, target):
        return mse_loss(prediction, target, reduction=self.reduction)


class CrossEntropyLoss(_Loss):
    """Softmax cross-entropy on raw scores (logits), fused with a stable log-softmax:
    loss_i = -w[y_i] * log softmax(z_i)[y_i].

    ``target`` holds class indices (ints, shape (N,)). ``weight`` (one number per class, e.g.
    2.0 for classes whose errors cost twice as much) gives PyTorch's weighted mean:
    ``sum_i w[y_i] * loss_i / sum_i w[y_i]`` with ``reduction="mean"``. ``label_smoothing`` ε
    (PyTorch's) trains towards (1 - ε)·onehot(y) + ε/K instead of onehot(y).
    """

    def __init__(self, weight=None, reduction: str = "mean", label_smoothing: float = 0.0):
        super().__init__(reduction)
        if not isinstance(label_smoothing, (int, float)) or not 0.0 <= label_smoothing <= 1.0:
            raise ValueError(
                f"CrossEntropyLoss label_smoothing must be a number in [0, 1], got "
                f"{label_smoothing!r}"
            )
        self.label_smoothing = float(label_smoothing)
        if weight is not None:
            weight = np.asarray(weight.data if isinstance(weight, Tensor) else weight)
            if weight.ndim != 1 or not np.issubdtype(weight.dtype, np.number):
                raise ValueError(
                    f"CrossEntropyLoss weight must be a 1-D array of numbers (one per class), "
                    f"got shape {weight.shape} dtype {weight.dtype}"
                )
            if np.any(weight < 0) or not np.all(np.isfinite(weight)):
                raise ValueError("CrossEntropyLoss weight must be finite and non-negative")
        self.weight = weight

    def forward(self, logits, target):
        return cross_entropy(logits, target, weight=self.weight, reduction=self.reduction,
                             label_smoothing=self.label_smoothing)  # fmt: skip

    def extra_repr(self) -> str:
        parts = [] if self.weight is None else [f"weight={self.weight.tolist()}"]
        if self.reduction != "mean":
            parts.append(f"reduction={self.reduction!r}")
        if self.label_smoothing:
            parts.append(f"label_smoothing={self.label_smoothing}")
        return ", ".join(parts)


class BCELoss(_Loss):
    """Binary cross-entropy on probabilities p in (0, 1):
    -(t * log p + (1 - t) * log(1 - p)), averaged. Prefer `BCEWithLogitsLoss` after a linear
    output: it is the same loss on sigmoid(z), computed without overflow."""

    def forward(self, probabilities, target):
        return binary_cross_entropy(probabilities, target, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy of sigmoid(z): max(z, 0) - z * t + log(1 + exp(-|z|)), averaged."""

    def forward(self, logits, target):
        return binary_cross_entropy_with_logits(logits, target, reduction=self.reduction)


def l2_penalty(params_or_module, lam: float, weights_only: bool = True) -> Tensor:
    """The L2 penalty ``0.5 * lam * sum(w^2)`` as a Tensor to add to the loss.

    ``params_or_module`` is a `Module` or an iterable of Parameters. With ``weights_only``
    (the default) only parameters with two or more dimensions count (the weight matrices);
    biases, as usual, are not penalized. Its gradient is ``lam * w``, so for the weights it
    equals ``optim.SGD(..., weight_decay=lam)``, which however also decays the biases.
    """
    params = (
        params_or_module.parameters() if isinstance(params_or_module, Module) else params_or_module
    )
    lam = float(lam)
    total = None
    for p in params:
        if not isinstance(p, Tensor):
            raise TypeError(f"l2_penalty expects Parameters, got {type(p).__name__}")
        if weights_only and p.data.ndim < 2:
            continue
        square = (p * p).sum()
        total = square if total is None else total + square
    if total is None:
        return Tensor(np.zeros((), dtype=np.float32))
    return total * (0.5 * lam)
