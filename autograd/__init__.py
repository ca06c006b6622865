"""autograd: a scalar automatic-differentiation engine with a computational-graph visualizer,
and a vectorized tensor path that trains real neural networks.

``import autograd`` loads numpy at most; drawing (pygraphviz) and plotting (matplotlib) load
on first use.
"""

from autograd.engine import Value, sum_values
from autograd.graph import enable_grad, is_grad_enabled, no_grad, topo_order

__version__ = "0.1.0"

__all__ = [
    "Value",
    "sum_values",
    "no_grad",
    "enable_grad",
    "is_grad_enabled",
    "topo_order",
    "__version__",
]
