"""Learning-rate schedules, stepped once per epoch.

A schedule reads the optimizer's learning rate when it is made (``lr0``), and each ``step()``
(call it at the end of an epoch) advances the epoch counter ``t`` and sets ``optimizer.lr`` to
``lr_at(t)``. ``lr`` is the rate for the current epoch; ``lr_at(t)`` is the formula itself, so a
schedule can be plotted before training (`autograd.plots.plot_lr`).

    opt = optim.SGD(model.parameters(), lr=0.1)
    sched = optim.lr_scheduler.Exponential(opt, gamma=0.97)
    for epoch in range(epochs):
        train_one_epoch(...)          # uses opt.lr == sched.lr
        sched.step()
"""

from __future__ import annotations

import math

from autograd.arguments import nonnegative, positive, positive_int

__all__ = ["LRScheduler", "LinearSaturated", "Exponential", "Step", "Cosine"]


class LRScheduler:
    """Base class. Subclasses define ``lr_at(t)``, the learning rate of epoch ``t = 0, 1, ...``."""

    def __init__(self, optimizer, lr0: float | None = None):
        if not hasattr(optimizer, "lr"):
            raise TypeError(
                f"{type(self).__name__} needs an optimizer with an `lr` attribute, "
                f"got {type(optimizer).__name__}"
            )
        self.optimizer = optimizer
        self.lr0 = nonnegative("lr0", optimizer.lr if lr0 is None else lr0)
        self.t = 0
        self.optimizer.lr = self.lr_at(0)

    @property
    def lr(self) -> float:
        """The learning rate of the current epoch ``t``."""
        return self.lr_at(self.t)

    def lr_at(self, t: int) -> float:  # pragma: no cover
        raise NotImplementedError

    def step(self) -> float:
        """End of an epoch: ``t <- t + 1`` and ``optimizer.lr <- lr_at(t)``. Returns the new lr."""
        self.t += 1
        lr = self.lr_at(self.t)
        self.optimizer.lr = lr
        return lr

    def __repr__(self) -> str:
        return f"{type(self).__name__}(lr0={self.lr0}, t={self.t}, lr={self.lr:.4g})"


class LinearSaturated(LRScheduler):
    """Linear decay to a floor: ``lr(t) = max(lr_min, lr0 * (1 - t / T))``."""

    def __init__(self, optimizer, T: int, lr_min: float = 0.0, lr0: float | None = None):
        self.T = positive("T", T)
        self.lr_min = nonnegative("lr_min", lr_min)
        super().__init__(optimizer, lr0)

    def lr_at(self, t: int) -> float:
        return max(self.lr_min, self.lr0 * (1.0 - t / self.T))


class Exponential(LRScheduler):
    """Exponential decay: ``lr(t) = lr0 * gamma^t`` (``torch.optim.lr_scheduler.ExponentialLR``)."""

    def __init__(self, optimizer, gamma: float, lr0: float | None = None):
        self.gamma = float(positive("gamma", gamma))
        super().__init__(optimizer, lr0)

    def lr_at(self, t: int) -> float:
        return self.lr0 * self.gamma**t


class Step(LRScheduler):
    """Piecewise constant: ``lr(t) = lr0 * gamma^floor(t / step_size)`` (``StepLR``)."""

    def __init__(self, optimizer, step_size: int, gamma: float = 0.1, lr0: float | None = None):
        self.step_size = positive_int("step_size", step_size)
        self.gamma = float(positive("gamma", gamma))
        super().__init__(optimizer, lr0)

    def lr_at(self, t: int) -> float:
        return self.lr0 * self.gamma ** (t // self.step_size)


class Cosine(LRScheduler):
    """Cosine annealing over ``T`` epochs, then flat:
    ``lr(t) = lr_min + (lr0 - lr_min) * (1 + cos(pi * min(t, T) / T)) / 2``.

    NOTE: PyTorch's ``CosineAnnealingLR`` keeps oscillating after ``T`` (it climbs back up);
    here the rate stays at ``lr_min``, which is what training for longer than ``T`` wants.
    """

    def __init__(self, optimizer, T: int, lr_min: float = 0.0, lr0: float | None = None):
        self.T = positive("T", T)
        self.lr_min = nonnegative("lr_min", lr_min)
        super().__init__(optimizer, lr0)

    def lr_at(self, t: int) -> float:
        progress = min(t, self.T) / self.T
        return self.lr_min + (self.lr0 - self.lr_min) * (1.0 + math.cos(math.pi * progress)) / 2
