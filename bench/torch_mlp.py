"""The PyTorch reference trainer for bench/tensor.py: the idiomatic PyTorch loop, CPU, float32.

    model = nn.Sequential(nn.Linear(in, h), nn.Sigmoid(), nn.Linear(h, out))
    opt.zero_grad(); loss = loss_fn(model(x), y); loss.backward(); opt.step()

Runs in bench/.venv only (torch==2.13.0 CPU build); the worker process that imports this
module sets the thread count (2, one per core) before any work.
"""

from __future__ import annotations

import torch


class TorchMLP:
    """Same interface as numpy_mlp.NumpyMLP: ``step``, ``loss_value``, ``gradients``,
    ``parameters``. ``weights`` is ``[(W (out, in), b (out,)), ...]`` as numpy arrays."""

    def __init__(self, weights, activation="sigmoid", loss="cross_entropy", lr=0.01,
                 weight_decay=0.0):  # fmt: skip
        act = {"sigmoid": torch.nn.Sigmoid, "relu": torch.nn.ReLU}[activation]
        layers = []
        for i, (w, b) in enumerate(weights):
            linear = torch.nn.Linear(w.shape[1], w.shape[0], dtype=torch.from_numpy(w).dtype)
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(w))
                linear.bias.copy_(torch.from_numpy(b))
            layers.append(linear)
            if i < len(weights) - 1:
                layers.append(act())
        self.model = torch.nn.Sequential(*layers)
        self.loss_fn = {"cross_entropy": torch.nn.CrossEntropyLoss, "mse": torch.nn.MSELoss}[loss]()
        self.opt = torch.optim.SGD(self.model.parameters(), lr=lr, weight_decay=weight_decay)

    @staticmethod
    def convert(x, target):
        """numpy batch -> tensors, without copies (done once per batch, outside the timing)."""
        return torch.from_numpy(x), torch.from_numpy(target)

    def step(self, x, target):
        """One training step on converted tensors; returns the loss tensor (not synchronised)."""
        self.opt.zero_grad()
        loss = self.loss_fn(self.model(x), target)
        loss.backward()
        self.opt.step()
        return loss

    def loss_value(self, x, target):
        """The loss on a numpy batch, weights unchanged."""
        x, target = self.convert(x, target)
        with torch.no_grad():
            return float(self.loss_fn(self.model(x), target))

    def gradients(self, x, target):
        """``(loss, [(dW, db), ...])`` for a numpy batch, as numpy arrays."""
        x, target = self.convert(x, target)
        self.opt.zero_grad()
        loss = self.loss_fn(self.model(x), target)
        loss.backward()
        linears = [m for m in self.model if isinstance(m, torch.nn.Linear)]
        return loss.item(), [(m.weight.grad.numpy().copy(), m.bias.grad.numpy().copy())
                             for m in linears]  # fmt: skip

    def parameters(self):
        linears = [m for m in self.model if isinstance(m, torch.nn.Linear)]
        return [(m.weight.detach().numpy(), m.bias.detach().numpy()) for m in linears]


def set_threads(n: int) -> None:
    """Intra-op threads for this process (the benchmark uses one per core)."""
    torch.set_num_threads(n)
