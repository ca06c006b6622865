"""autograd: a scalar automatic-differentiation engine with a computational-graph visualizer,
and a vectorized tensor path that trains real neural networks.

``import autograd`` loads numpy at most: the core (`Value`, `Tensor`, `gradcheck`, the graph
tools) is imported, every other submodule (``autograd.nn``, ``.train``, ``.viz``, ...) on first
use; drawing (pygraphviz) and plotting (matplotlib) load when first needed.
"""

from autograd.engine import Value, sum_values
from autograd.graph import enable_grad, is_grad_enabled, no_grad, scope, topo_order
from autograd.numerical import gradcheck
from autograd.tensor import Tensor

__version__ = "0.1.0"

# One rule: `import autograd` loads the core (graph, engine, tensor and its malloc setting,
# numerical); every other submodule loads on first use, as an attribute (``autograd.train``)
# or by its own import (``from autograd.train import fit``). So `import autograd` stays
# numpy-only and cheap.
_LAZY_SUBMODULES = (
    "functional",
    "nn",
    "optim",
    "train",
    "early_stopping",
    "data",
    "datasets",
    "metrics",
    "kernels",
    "plots",
    "viz",
    "exercises",
    "handcalc",
    "cli",
    "files",
    "arguments",
    "safe_read",
    "experiments",
    "compare",
    "symbolic",
)


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
