"""A small trained network and one example, as the scalar engine's graph and as the Tensor
graph, back-propagated from the same seed: the graph of a whole network at three levels.

    graphs = network_graphs(model, x, target)     # model: Linear layers and activations
    draw_network(model, x, target, level="scalar")   # every multiply, a box per neuron (A2)
    draw_network(model, x, target, level="neuron")   # a box per neuron: h, a and gradients
    draw_network(model, x, target, level="layer")    # the Tensor graph: one node per layer op

The scalar graph is built with `autograd.Value` from the model's weights, neuron by neuron,
each inside ``with autograd.scope("layer l"), autograd.scope("neuron i")`` (the course's A2
drawing): ``h_i = Σ_j w_ij x_j + b_i`` and ``a_i = act(h_i)``. With a ``target`` both graphs
end in the course's squared error ``C = Σ_k (y_k - t_k)²`` (A3); without one, in the sum of the
outputs (one output: the output itself), whose gradients are those the course's A2 draws.
Both paths compute the same numbers (up to float32 rounding of the Tensor path), which the
three pictures show side by side. `autograd.viz` draws what it is given: this module builds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from autograd.engine import Value, sum_values
from autograd.graph import scope
from autograd.nn.layers import ELU, Dropout, Identity, LeakyReLU, Linear, ReLU, Sigmoid, Tanh
from autograd.nn.module import Sequential
from autograd.tensor import Tensor

__all__ = ["Neuron", "NetworkGraphs", "network_graphs", "draw_network", "LEVELS"]

LEVELS = ("scalar", "neuron", "layer")


def _activation(module):
    """The scalar op of an elementwise activation module, or None when it is not one."""
    if isinstance(module, Tanh):
        return Value.tanh
    if isinstance(module, Sigmoid):
        return Value.sigmoid
    if isinstance(module, ReLU):
        return Value.relu
    if isinstance(module, LeakyReLU):
        return lambda v: v.leaky_relu(module.alpha)
    if isinstance(module, ELU):
        return lambda v: v.elu(module.alpha)
    return None


@dataclass
class Neuron:
    """Neuron ``index`` of Linear layer ``layer`` (both from 1) in the scalar graph:
    pre-activation ``h``, activation ``a`` (``a is h`` without an activation)."""

    layer: int
    index: int
    h: Value
    a: Value
    weights: list[Value]
    bias: Value | None


@dataclass
class NetworkGraphs:
    """One example through a model on both paths, both back-propagated from the same root.

    ``root``: the scalar graph's root (the loss ``C``, or the output(s)); ``neurons``: per
    Linear layer, its `Neuron` list; ``tensor_root``: the Tensor graph's root (its graph kept,
    ``backward(retain_graph=True)``); ``tensor_layers``: per Linear layer, the Tensors
    ``(h, a)`` of shape ``(1, units)`` whose ``.data`` and ``.grad`` are the same numbers."""

    inputs: list[Value]
    neurons: list[list[Neuron]]
    outputs: list[Value]
    root: Value
    tensor_root: Tensor
    tensor_layers: list[tuple[Tensor, Tensor]] = field(default_factory=list)


def _layers(model) -> list[tuple[Linear, object]]:
    """``[(linear, activation module or None), ...]`` of a Sequential of Linear layers, each
    followed by at most one elementwise activation (Dropout is skipped: off at evaluation)."""
    modules = list(model) if isinstance(model, Sequential) else [model]
    modules = [m for m in modules if not isinstance(m, (Dropout, Identity))]
    layers: list[tuple[Linear, object]] = []
    for module in modules:
        if isinstance(module, Linear):
            layers.append((module, None))
        elif _activation(module) is not None and layers and layers[-1][1] is None:
            layers[-1] = (layers[-1][0], module)
        else:
            raise ValueError(
                "network_graphs draws a Sequential of Linear layers, each followed by at most "
                "one of Tanh, Sigmoid, ReLU, LeakyReLU, ELU (Dropout and Identity are skipped); "
                f"got {type(module).__name__} in {type(model).__name__}"
            )
    if not layers:
        raise ValueError(f"network_graphs: {type(model).__name__} has no Linear layer")
    return layers


def network_graphs(model, x, target=None) -> NetworkGraphs:
    """Build and back-propagate the scalar graph and the Tensor graph of ``model`` on the one
    example ``x`` (``n_in`` numbers), with the squared error against ``target`` when given
    (see the module's docstring). The model is evaluated in ``eval()`` mode (its mode is
    restored); its parameters' ``.grad`` become this example's (as after ``zero_grad()`` and
    one ``backward()``), and they get the labels ``W1``, ``b1``, ... when unlabelled."""
    layers = _layers(model)
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    if x.size != layers[0][0].in_features:
        raise ValueError(
            f"network_graphs: the model takes {layers[0][0].in_features} inputs, x has {x.size}"
        )
    n_out = layers[-1][0].out_features
    if target is not None:
        target = np.asarray(target, dtype=np.float64).reshape(-1)
        if target.size != n_out:
            raise ValueError(
                f"network_graphs: the model has {n_out} outputs, target has {target.size}"
            )

    # the scalar path, neuron by neuron
    inputs = [Value(float(v), label=f"x{j + 1}") for j, v in enumerate(x)]
    current, neurons = inputs, []
    last = len(layers)
    for number, (linear, act) in enumerate(layers, start=1):
        weight = linear.weight.data
        bias = None if linear.bias is None else linear.bias.data
        op = _activation(act) if act is not None else None
        row = []
        with scope(f"layer {number}"):
            for i in range(linear.out_features):
                with scope(f"neuron {i + 1}"):
                    w = [Value(float(weight[i, j]), label=f"w{i + 1}{j + 1}")
                         for j in range(linear.in_features)]  # fmt: skip
                    b = None if bias is None else Value(float(bias[i]), label=f"b{i + 1}")
                    terms = [wj * xj for wj, xj in zip(w, current)] + ([b] if b is not None else [])
                    h = sum_values(terms, label=f"h{i + 1}")
                    a = op(h) if op is not None else h
                    if a is not h:
                        a.label = f"{'y' if number == last else 'a'}{i + 1}"
                row.append(Neuron(number, i + 1, h, a, w, b))
        neurons.append(row)
        current = [n.a for n in row]
    outputs = current
    if target is not None:
        targets = [Value(float(t), label=f"t{k + 1}") for k, t in enumerate(target)]
        errors = []
        for k, (y, t) in enumerate(zip(outputs, targets), start=1):
            e = y - t
            e.label = f"e{k}"
            errors.append(e**2)
        root = sum_values(errors, label="C")
    elif len(outputs) > 1:
        root = sum_values(outputs, label=" + ".join(y.label or "y" for y in outputs))
    else:
        root = outputs[0]
    root.backward()

    # the Tensor path: the model's own layers
    for number, (linear, _) in enumerate(layers, start=1):
        for name, p in (("W", linear.weight), ("b", linear.bias)):
            if p is not None and not p.label:
                p.label = f"{name}{number}"
    was_training = getattr(model, "training", False)
    model.eval()
    try:
        dtype = layers[0][0].weight.data.dtype
        out = Tensor(x[None].astype(dtype), label="x")
        tensor_layers = []
        for number, (linear, act) in enumerate(layers, start=1):
            h_t = linear(out)
            h_t.label = f"h (layer {number})"
            out = act(h_t) if act is not None else h_t
            if act is not None:
                out.label = f"{'y' if number == last else 'a'} (layer {number})"
            tensor_layers.append((h_t, out))
        if target is not None:
            tensor_root = ((out - Tensor(target[None].astype(dtype), label="t")) ** 2).sum()
            tensor_root.label = "C"
        elif n_out > 1:
            tensor_root = out.sum()
            tensor_root.label = root.label
        else:
            tensor_root = out
        model.zero_grad()  # the parameters' gradients become this example's
        tensor_root.backward(retain_graph=True)
    finally:
        if was_training:
            model.train()
    return NetworkGraphs(inputs, neurons, outputs, root, tensor_root, tensor_layers)


def draw_network(model, x, target=None, level: str = "scalar", style=None, **overrides):
    """The `autograd.viz.Diagram` of ``model`` on the example ``x`` at one ``level``:
    ``"scalar"`` (every multiply, a box per neuron), ``"neuron"`` (each neuron folded into one
    box: its ``h``, its activation and their gradients) or ``"layer"`` (the Tensor graph).
    ``style`` and ``overrides`` as for `autograd.viz.draw`."""
    if level not in LEVELS:
        raise ValueError(f"draw_network: level must be one of {', '.join(LEVELS)}, got {level!r}")
    from autograd.viz import draw
    from autograd.viz.fold import draw_folded

    graphs = network_graphs(model, x, target)
    if level == "scalar":
        overrides.setdefault("clusters", "scope")
        return draw(graphs.root, style, **overrides)
    if level == "neuron":
        return draw_folded(graphs.root, depth=2, style=style, **overrides)
    return draw(graphs.tensor_root, style, **overrides)
