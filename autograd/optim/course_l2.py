"""`CourseL2`: the course's L2 penalty as a step of any optimizer.

    opt = CourseL2(optim.SGD(model.parameters(), lr=0.5), lam=0.01)

The penalty (lambda/2) sum ||W||^2 runs over the weight matrices only (parameters of two or
more dimensions, not the biases), and its gradient lambda W is added to theirs before the
wrapped optimizer steps; the losses reported stay the data loss. `autograd.nn.l2_penalty` is
the same penalty as a loss term; the optimizers' ``weight_decay`` (PyTorch's) includes the
biases.
"""

from __future__ import annotations

__all__ = ["CourseL2"]


class CourseL2:
    """An optimizer whose step first adds ``lam * W`` to the gradient of every weight matrix
    (parameters of two or more dimensions): the gradient of the course's L2 penalty
    (lam/2) sum ||W||^2, biases not included (`nn.l2_penalty` is the same penalty as a loss
    term). Everything else is the wrapped optimizer's (``lr`` is read and set through)."""

    def __init__(self, optimizer, lam: float):
        self.optimizer = optimizer
        self.lam = float(lam)

    @property
    def params(self):
        return self.optimizer.params

    @property
    def lr(self) -> float:
        return self.optimizer.lr

    @lr.setter
    def lr(self, value) -> None:
        self.optimizer.lr = value

    def zero_grad(self) -> None:
        self.optimizer.zero_grad()

    def step(self) -> None:
        for p in self.optimizer.params:
            if p.grad is not None and p.data.ndim >= 2:
                p.grad = p.grad + self.lam * p.data
        self.optimizer.step()

    def __repr__(self) -> str:
        return f"CourseL2({self.optimizer!r}, lam={self.lam})"
