"""autograd: a scalar automatic-differentiation engine with a computational-graph visualizer,
and a vectorized tensor path that trains real neural networks.

``import autograd`` loads numpy at most; drawing (pygraphviz) and plotting (matplotlib) load
on first use.
"""

from autograd.engine import Value, sum_values
from autograd.graph import enable_grad, is_grad_enabled, no_grad, scope, topo_order
from autograd.numerical import gradcheck
from autograd.tensor import Tensor

__version__ = "0.1.0"

# Submodules loaded on first use (``autograd.nn``): `import autograd` stays numpy-only.
_LAZY_SUBMODULES = ("nn", "optim", "functional")


def __getattr__(name):
    if name in _LAZY_SUBMODULES:
        import importlib

        return importlib.import_module(f"autograd.{name}")
    raise AttributeError(f"module 'autograd' has no attribute {name!r}")


__all__ = [
    "Value",
    "Tensor",
    "sum_values",
    "no_grad",
    "scope",
    "enable_grad",
    "is_grad_enabled",
    "topo_order",
    "gradcheck",
    "__version__",
]
