"""The image sets under their short name: ``autograd.datasets`` is `autograd.data.images`
(MNIST, Fashion-MNIST, CIFAR-10, the user's own files); its names are the same objects.

    from autograd import datasets
    x, y = datasets.fashion_mnist("train")
"""

from autograd.data.images import *  # noqa: F403
from autograd.data.images import __all__  # noqa: F401
