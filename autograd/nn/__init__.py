"""Neural-network building blocks with PyTorch's names: `Module`, `Parameter`, `Linear`,
`Sequential`, `Conv2d`, `MaxPool2d`, `AvgPool2d`, `Flatten`, activations, `Dropout`, losses,
initializers (`nn.init`), saving (`nn.save` / `nn.load`) and the hand-off to PyTorch
(`nn.to_torch` / `nn.from_torch`).

    from autograd import Tensor, nn
    model = nn.Sequential(nn.Linear(784, 100, init="he_normal", rng=0), nn.ReLU(),
                          nn.Linear(100, 10, rng=1))
    loss = nn.CrossEntropyLoss()(model(Tensor(x)), y)
"""

from autograd.nn import init
from autograd.nn.layers import (
    ELU,
    AvgPool2d,
    Conv2d,
    Dropout,
    Flatten,
    Identity,
    LeakyReLU,
    Linear,
    MaxPool2d,
    ReLU,
    Sigmoid,
    Softmax,
    Tanh,
)
from autograd.nn.losses import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, l2_penalty
from autograd.nn.module import Concat, LoadResult, Module, ModuleList, Parameter, Sequential
from autograd.nn.pytorch import from_torch, to_torch
from autograd.nn.serialization import CheckpointError, load, load_state, save, save_state

__all__ = [
    "Module",
    "Parameter",
    "Sequential",
    "Concat",
    "ModuleList",
    "LoadResult",
    "Linear",
    "Conv2d",
    "MaxPool2d",
    "AvgPool2d",
    "Flatten",
    "Sigmoid",
    "Tanh",
    "ReLU",
    "LeakyReLU",
    "ELU",
    "Softmax",
    "Identity",
    "Dropout",
    "MSELoss",
    "CrossEntropyLoss",
    "BCELoss",
    "BCEWithLogitsLoss",
    "l2_penalty",
    "init",
    "save",
    "load",
    "save_state",
    "load_state",
    "CheckpointError",
    "to_torch",
    "from_torch",
]
