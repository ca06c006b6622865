"""Early stopping on a monitored metric, with restore-best: driven by `autograd.train.fit`
(``fit(..., early_stopping=EarlyStopping("val_loss"))``), importable as
``autograd.train.EarlyStopping`` (and, as before, ``autograd.optim.EarlyStopping``)."""

from __future__ import annotations

import math

import numpy as np

from autograd.arguments import nonnegative, positive_int

__all__ = ["EarlyStopping"]

_HIGHER_IS_BETTER = ("acc", "f1", "precision", "recall")


class EarlyStopping:
    """Stop training when ``monitor`` has not improved for ``patience`` epochs.

    An epoch improves on the best value so far when ``value < best - min_delta`` (mode
    ``"min"``) or ``value > best + min_delta`` (mode ``"max"``); a nan never improves. With
    ``restore_best=True`` a copy of the model's ``state_dict()`` is kept at every improvement,
    and `restore` (called by `autograd.train.fit` when training ends) loads it back, so the
    model ends with the weights of its best epoch, not its last.

    ``mode="auto"`` picks ``"min"`` for a monitor whose name contains ``loss`` and ``"max"``
    for accuracy, F1, precision and recall.

    Used by hand::

        stopper = EarlyStopping("val_loss", patience=10)
        for epoch in range(epochs):
            ...
            if stopper.step(val_loss, model):
                break
        stopper.restore(model)
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        mode: str = "auto",
        patience: int = 10,
        min_delta: float = 0.0,
        restore_best: bool = True,
    ):
        if mode == "auto":
            name = monitor.lower()
            if "loss" in name:
                mode = "min"
            elif any(word in name for word in _HIGHER_IS_BETTER):
                mode = "max"
            else:
                raise ValueError(
                    f"cannot tell whether {monitor!r} should go up or down; "
                    "pass mode='min' or mode='max'"
                )
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min', 'max' or 'auto', got {mode!r}")
        self.monitor = monitor
        self.mode = mode
        self.patience = positive_int("patience", patience)
        self.min_delta = nonnegative("min_delta", min_delta)
        self.restore_best = restore_best
        self.reset()

    def reset(self) -> None:
        """Forget everything seen so far (to reuse the object for another run)."""
        self.best = math.inf if self.mode == "min" else -math.inf
        self.best_epoch = None  # 0-based index of the best epoch
        self.best_state = None
        self.wait = 0  # epochs since the last improvement
        self.epoch = -1
        self.stopped = False

    def improved(self, value: float) -> bool:
        """Would ``value`` count as an improvement on the best so far?"""
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def step(self, value: float, model=None) -> bool:
        """Record one epoch's ``value``; returns True when training should stop.

        ``model`` is needed with ``restore_best=True`` (its state_dict is copied on improvement).
        """
        self.epoch += 1
        value = float(value)
        if self.improved(value):  # nan compares False: never an improvement
            self.best = value
            self.best_epoch = self.epoch
            self.wait = 0
            if self.restore_best:
                if model is None:
                    raise ValueError(
                        "EarlyStopping(restore_best=True).step needs the model, to keep a copy "
                        "of its best weights: call step(value, model)"
                    )
                # Copies: state_dict() may return views of the live parameter arrays.
                self.best_state = {k: np.array(v, copy=True) for k, v in model.state_dict().items()}
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.stopped = True
        return self.stopped

    def restore(self, model) -> bool:
        """Load the best epoch's weights into ``model``; returns False if there is nothing to
        restore (``restore_best=False``, or no epoch ever improved, e.g. all nan)."""
        if not self.restore_best or self.best_state is None:
            return False
        model.load_state_dict({k: v.copy() for k, v in self.best_state.items()})
        return True

    def __repr__(self) -> str:
        return (
            f"EarlyStopping(monitor={self.monitor!r}, mode={self.mode!r}, "
            f"patience={self.patience}, best={self.best:.4g} at epoch {self.best_epoch})"
        )
