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

from autograd.data.images import (
    CIFAR10_CLASSES,
    DATASETS,
    FASHION_MNIST_CLASSES,
    IMAGE_SUFFIXES,
    DataSet,
    cache_dir,
    channels_first,
    cifar10,
    fashion_mnist,
    locate,
    mnist,
    read_cifar10,
    read_idx,
    read_image_folder,
    read_npz,
    read_official,
    system_data_ignored,
)
from autograd.data.loader import DataLoader, one_hot, split, standardize, train_val_split
from autograd.data.toy import moons, parity, spirals, xor

__all__ = [
    # loader
    "DataLoader",
    "split",
    "train_val_split",
    "one_hot",
    "standardize",
    # toy
    "xor",
    "parity",
    "moons",
    "spirals",
    # images
    "mnist",
    "fashion_mnist",
    "cifar10",
    "channels_first",
    "read_idx",
    "read_cifar10",
    "read_official",
    "read_npz",
    "read_image_folder",
    "locate",
    "cache_dir",
    "system_data_ignored",
    "DataSet",
    "DATASETS",
    "CIFAR10_CLASSES",
    "FASHION_MNIST_CLASSES",
    "IMAGE_SUFFIXES",
]
