"""Data: what a training run reads, in three modules.

- `autograd.data.loader`: `DataLoader` (mini-batches), `split` and `train_val_split`, and the
  preparation of arrays, `one_hot` and `standardize`;
- `autograd.data.toy`: the toy sets made in memory, `xor`, `parity`, `moons`, `spirals`;
- `autograd.data.images`: the image sets read from their official files, MNIST and
  Fashion-MNIST (IDX) and CIFAR-10 (binary), the user's own ``.npz`` files and image folders,
  and `channels_first` for the convolution layers (also importable as `autograd.datasets`).

Everything is plain numpy, and every name of the three modules is importable from here:
``from autograd.data import DataLoader, xor, fashion_mnist``.
"""

from autograd.data import images, loader, toy
from autograd.data.images import *  # noqa: F403
from autograd.data.loader import *  # noqa: F403
from autograd.data.toy import *  # noqa: F403

__all__ = [*loader.__all__, *toy.__all__, *images.__all__]
