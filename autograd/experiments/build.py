"""From a `Config` to the objects `autograd.train.fit` takes: the model, the loss, and the
optimizer (with the course's L2, `autograd.optim.CourseL2`) and its schedule.

    model = build_model(config)
    loss_fn = build_loss(config)
    optimizer, scheduler = build_optimizer(config, model)
"""

from __future__ import annotations

import numpy as np

from autograd import nn, optim
from autograd.experiments.config import CONV_ARCHS, Config
from autograd.functional import mse_loss

__all__ = ["build_model", "build_loss", "build_optimizer", "skip_network", "CourseMSELoss"]

ACTIVATIONS = {
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "relu": nn.ReLU,
    "elu": nn.ELU,
    "leaky_relu": nn.LeakyReLU,
}


class CourseMSELoss(nn.MSELoss):
    """The course's MSE: (1/n) sum_i ||y_i - t_i||^2, summed over the outputs and averaged over
    the n samples of the batch (``nn.MSELoss()`` also averages over the outputs)."""

    def forward(self, prediction, target):
        return mse_loss(prediction, target, reduction="sum") * (1.0 / len(prediction.data))


def _output_layer(config: Config):
    """The module after the last Linear: none for logits (cross-entropy fuses the softmax;
    BCE with a linear output takes logits), else the named function."""
    if config.out_act == "softmax":
        return nn.Identity if config.loss == "ce" else (lambda: nn.Softmax(axis=-1))
    return {"linear": nn.Identity, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh}[config.out_act]


def conv_network(arch: str, classes: int, init: str, rng) -> nn.Sequential:
    """C5's convolutional networks (EXERCISES.md), as the course's PyTorch report writes them;
    ``init`` for the Linear layers (the Conv2d layers start as PyTorch's)."""

    def linear(n_in, n_out):
        return nn.Linear(n_in, n_out, init=init, rng=rng)

    if arch == "conv1":  # MNIST: one 4x4 filter
        layers = [nn.Conv2d(1, 1, 4, rng=rng), nn.Flatten(), linear(625, classes), nn.ReLU()]
    elif arch == "conv2":  # Fashion-MNIST: two convs, ReLU then ELU
        layers = [nn.Conv2d(1, 20, 4, rng=rng), nn.ReLU(), nn.Conv2d(20, 1, 3, rng=rng),
                  nn.ELU(), nn.Flatten(), linear(529, classes), nn.ReLU()]  # fmt: skip
    elif arch == "conv-dense":  # CIFAR-10: one conv, then 10,000 dense units
        layers = [nn.Conv2d(3, 3, 5, rng=rng), nn.ReLU(), nn.Flatten(),
                  linear(3 * 28 * 28, 10000), nn.ReLU(), linear(10000, classes)]  # fmt: skip
    else:  # LeNet-5
        layers = [nn.Conv2d(3, 6, 5, rng=rng), nn.ReLU(), nn.MaxPool2d(2, 2),
                  nn.Conv2d(6, 16, 5, rng=rng), nn.ReLU(), nn.MaxPool2d(2, 2), nn.Flatten(),
                  linear(400, 120), nn.ReLU(), linear(120, 84), nn.ReLU(),
                  linear(84, classes)]  # fmt: skip
    return nn.Sequential(*layers)


def skip_network(n_in: int, n_hidden: int, n_out: int, act, out, init: str, rng) -> nn.Sequential:
    """B1's architecture 2: one hidden layer, and the inputs wired into the output neurons too,
    ``out(W2 [x, act(W1 x + b1)] + b2)``: an `nn.Concat` of the inputs and the hidden layer
    (``nn.save`` saves it like any MLP)."""
    hidden = nn.Sequential(nn.Linear(n_in, n_hidden, init=init, rng=rng), act())
    layers = [
        nn.Concat(nn.Identity(), hidden),
        nn.Linear(n_in + n_hidden, n_out, init=init, rng=rng),
    ]
    if out is not nn.Identity:
        layers.append(out())
    return nn.Sequential(*layers)


def build_model(config: Config) -> nn.Module:
    """The network of ``config`` (layers, act, out_act, dropout, init, arch), seeded by
    ``config.seed``: an `nn.Sequential` of built-in layers (``nn.save`` saves it)."""
    rng = np.random.default_rng(config.seed)
    if config.arch in CONV_ARCHS:
        return conv_network(config.arch, config.layers[-1], config.init, rng)
    act, out = ACTIVATIONS[config.act], _output_layer(config)
    sizes = config.layers
    if config.arch == "skip":
        return skip_network(sizes[0], sizes[1], sizes[2], act, out, config.init, rng)
    layers = []
    for n_in, n_out in zip(sizes[:-2], sizes[1:-1]):
        layers += [nn.Linear(n_in, n_out, init=config.init, rng=rng), act()]
        if config.dropout:
            layers.append(nn.Dropout(config.dropout, rng=rng))
    layers.append(nn.Linear(sizes[-2], sizes[-1], init=config.init, rng=rng))
    if out is not nn.Identity:
        layers.append(out())
    return nn.Sequential(*layers)


def build_loss(config: Config):
    if config.loss == "mse":
        return CourseMSELoss()
    if config.loss == "mse-mean":
        return nn.MSELoss()
    if config.loss == "bce":
        return nn.BCELoss() if config.out_act == "sigmoid" else nn.BCEWithLogitsLoss()
    weight = None
    if config.class_weights:
        weight = np.ones(config.layers[-1], dtype=np.float32)
        for key, value in config.class_weights.items():
            if int(key) >= len(weight):
                raise ValueError(
                    f"class_weights: class {key} does not exist; the network has "
                    f"{len(weight)} outputs (classes 0 to {len(weight) - 1})"
                )
            weight[int(key)] = value
    return nn.CrossEntropyLoss(weight=weight, label_smoothing=config.label_smoothing)


def build_optimizer(config: Config, model):
    """``(optimizer, scheduler or None)`` for ``model``'s parameters."""
    params = model.parameters()
    name, lr, wd = config.optimizer, config.lr, config.weight_decay
    if name == "sgd":
        opt = optim.SGD(params, lr, config.momentum, config.nesterov, weight_decay=wd)
    elif name in ("adam", "adamw"):
        opt = (optim.Adam if name == "adam" else optim.AdamW)(
            params, lr, betas=tuple(config.betas), weight_decay=wd
        )
    elif name == "adagrad":
        opt = optim.Adagrad(params, lr, weight_decay=wd)
    else:
        opt = optim.RMSprop(params, lr, weight_decay=wd, momentum=config.momentum)
    if config.l2:
        opt = optim.CourseL2(opt, config.l2)
    horizon = config.schedule_epochs or config.epochs
    scheduler = {
        "none": lambda: None,
        "linear": lambda: optim.LinearSaturated(opt, T=horizon, lr_min=config.lr_min),
        "exponential": lambda: optim.Exponential(opt, gamma=config.gamma),
        "step": lambda: optim.Step(opt, step_size=config.step_size, gamma=config.gamma),
        "cosine": lambda: optim.Cosine(opt, T=horizon, lr_min=config.lr_min),
    }[config.schedule]()
    return opt, scheduler
