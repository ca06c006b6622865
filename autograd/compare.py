"""Train the same network here and in PyTorch, side by side (exercise C6, done properly).

    result = compare_with_torch(model, x, y, loss="cross_entropy", epochs=5, lr=0.05)
    print(result)            # epoch, our loss, PyTorch's loss, difference

Both sides start from the same weights (PyTorch's copy is made by `nn.to_torch` before the
first step), see the same mini-batches in the same order, and take plain SGD steps (PyTorch's
update rule, with momentum and weight decay if asked). With float32 weights the per-epoch
losses agree to float32 precision: what differs is only the order of floating-point sums
inside the two libraries' kernels. torch is needed (``pip install "autograd-lab[torch]"``)
and imported only when the function runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from autograd.arguments import positive_int
from autograd.data import DataLoader
from autograd.nn.layers import Dropout
from autograd.nn.losses import CrossEntropyLoss, MSELoss
from autograd.nn.module import Module
from autograd.nn.pytorch import require_torch, to_torch
from autograd.optim import SGD
from autograd.tensor import Tensor

__all__ = ["compare_with_torch", "Comparison", "LOSSES"]

LOSSES = ("cross_entropy", "mse")


@dataclass
class Comparison:
    """Per-epoch mean training losses of both runs (averaged over the batches as trained,
    weighted by batch size), the largest absolute weight difference after training, and the
    PyTorch model as trained (``torch_model``; ``model`` is ours)."""

    ours: list[float] = field(default_factory=list)
    theirs: list[float] = field(default_factory=list)
    max_weight_difference: float = 0.0
    model: Module | None = None
    torch_model: object = None

    def __str__(self) -> str:
        lines = [f"{'epoch':>5}  {'autograd':>12}  {'PyTorch':>12}  {'difference':>10}"]
        for i, (a, b) in enumerate(zip(self.ours, self.theirs), 1):
            lines.append(f"{i:>5}  {a:>12.6f}  {b:>12.6f}  {a - b:>10.2e}")
        lines.append(f"largest weight difference after training: {self.max_weight_difference:.2e}")
        return "\n".join(lines)


def compare_with_torch(
    model: Module,
    x,
    y,
    loss: str = "cross_entropy",
    epochs: int = 5,
    batch_size: int = 32,
    lr: float = 0.05,
    momentum: float = 0.0,
    weight_decay: float = 0.0,
    seed: int = 0,
) -> Comparison:
    """Train ``model`` (in place) and a PyTorch copy of it (made before the first step) on
    the same shuffled mini-batches of ``(x, y)`` with SGD, and return the losses per epoch.

    ``loss`` is ``"cross_entropy"`` (``y``: integer class indices) or ``"mse"`` (``y``: float
    targets shaped like the output). The model must translate with `nn.to_torch` and must not
    drop out at random (the two libraries would draw different masks): call ``model.eval()``
    or leave Dropout out.
    """
    if loss not in LOSSES:
        raise ValueError(f"compare_with_torch: loss must be one of {LOSSES}, got {loss!r}")
    epochs = positive_int("compare_with_torch: epochs", epochs)
    dropping = [
        name for name, m in model.named_modules() if isinstance(m, Dropout) and m.training and m.p
    ]
    if dropping:
        raise ValueError(
            f"compare_with_torch: Dropout {', '.join(dropping)} would draw different random "
            "masks in the two libraries; call model.eval() first or compare without Dropout"
        )
    torch = require_torch("compare_with_torch")
    theirs = to_torch(model)
    params = list(model.parameters())
    dtype = params[0].data.dtype
    loader = DataLoader(x, y, batch_size=batch_size, shuffle=True, seed=seed)
    ours_opt = SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay)
    theirs_opt = torch.optim.SGD(
        theirs.parameters(), lr=lr, momentum=momentum, weight_decay=weight_decay
    )
    ours_loss = CrossEntropyLoss() if loss == "cross_entropy" else MSELoss()
    functional = torch.nn.functional
    theirs_loss = functional.cross_entropy if loss == "cross_entropy" else functional.mse_loss
    result = Comparison(model=model, torch_model=theirs)
    for _ in range(epochs):
        total_ours = total_theirs = 0.0
        for xb, yb in loader:
            xb = np.asarray(xb, dtype=dtype)
            yb = np.asarray(yb) if loss == "cross_entropy" else np.asarray(yb, dtype=dtype)
            ours_opt.zero_grad()
            value = ours_loss(model(Tensor(xb)), yb if loss == "cross_entropy" else Tensor(yb))
            value.backward()
            ours_opt.step()
            theirs_opt.zero_grad()
            target = torch.from_numpy(yb.astype(np.int64) if loss == "cross_entropy" else yb)
            value_t = theirs_loss(theirs(torch.from_numpy(xb)), target)
            value_t.backward()
            theirs_opt.step()
            total_ours += value.item() * len(xb)
            total_theirs += value_t.item() * len(xb)
        result.ours.append(total_ours / loader.num_samples)
        result.theirs.append(total_theirs / loader.num_samples)
    state = theirs.state_dict()
    result.max_weight_difference = max(
        float(np.max(np.abs(p.data - state[name].detach().numpy())))
        for name, p in model.named_parameters()
    )
    return result
