"""A whole small network at three levels (`autograd.nn.scalar_graph`, `autograd.viz.fold`):
the scalar graph, each neuron folded into a box, the Tensor graph. The same numbers appear at
every level."""

import numpy as np
import pytest

from autograd import Value, nn, scope
from autograd.exercises import A2_INPUTS, a2
from autograd.nn.scalar_graph import draw_network, network_graphs
from autograd.viz.fold import draw_folded, fold
from autograd.viz.format import format_data


def xor_net():
    """The course's XOR network 2-2-1 (tanh), a few SGD steps away from its initial weights."""
    from autograd import optim
    from autograd.data import DataLoader, xor
    from autograd.train import fit

    model = nn.Sequential(nn.Linear(2, 2, rng=0), nn.Tanh(), nn.Linear(2, 1, rng=1), nn.Tanh())
    x, y = xor()
    fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.5), DataLoader(x, y, 4),
        epochs=5, progress=False)  # fmt: skip
    return model


def a2_net():
    model = nn.Sequential(nn.Linear(2, 2, dtype=np.float64), nn.Sigmoid())
    model[0].weight.data[...] = A2_INPUTS["W"]
    model[0].bias.data[...] = A2_INPUTS["b"]
    return model


CASES = {
    "xor 2-2-1 with the squared error": (xor_net, [1.0, -1.0], [1.0]),
    "A2, gradients of y1 + y2": (a2_net, A2_INPUTS["x"], None),
}


@pytest.mark.parametrize("case", list(CASES))
def test_scalar_and_tensor_paths_compute_the_same_numbers(case):
    make, x, target = CASES[case]
    model = make()
    graphs = network_graphs(model, x, target)
    rtol = 1e-5 if model[0].weight.data.dtype == np.float32 else 1e-12
    assert float(graphs.root.data) == pytest.approx(float(graphs.tensor_root.data.sum()), rel=rtol)
    linears = [m for m in model if isinstance(m, nn.Linear)]
    for row, (h_t, a_t), linear in zip(graphs.neurons, graphs.tensor_layers, linears):
        for n in row:
            i = n.index - 1
            for scalar, tensor in ((n.h, h_t), (n.a, a_t)):
                np.testing.assert_allclose(scalar.data, tensor.data[0, i], rtol=rtol, atol=1e-7)
                np.testing.assert_allclose(scalar.grad, tensor.grad[0, i], rtol=rtol, atol=1e-6)
            np.testing.assert_allclose([w.grad for w in n.weights], linear.weight.grad[i],
                                       rtol=rtol, atol=1e-6)  # fmt: skip
            np.testing.assert_allclose(n.bias.grad, linear.bias.grad[i], rtol=rtol, atol=1e-6)


@pytest.mark.parametrize("case", list(CASES))
def test_the_same_numbers_appear_at_every_level(case):
    pytest.importorskip("pygraphviz")
    make, x, target = CASES[case]
    model = make()
    dots = {level: draw_network(model, x, target, level=level).dot
            for level in ("scalar", "neuron", "layer")}  # fmt: skip
    graphs = network_graphs(model, x, target)
    for row in graphs.neurons:
        for n in row:
            for number in (n.h.data, n.h.grad, n.a.data, n.a.grad):
                text = format_data(number, 3)
                for level, dot in dots.items():
                    assert text in dot, (level, n.layer, n.index, text)
    # the neuron level hides the weights and the products: one box per neuron
    assert "w11" in dots["scalar"] and "w11" not in dots["neuron"]
    assert dots["neuron"].count('class="value') < dots["scalar"].count('class="value')


def test_a2_at_the_scalar_level_is_the_course_exercise():
    graphs = network_graphs(a2_net(), A2_INPUTS["x"])
    course = a2().nodes
    for n in graphs.neurons[0]:
        i = n.index
        assert n.a.data == pytest.approx(course[f"y{i}"].data)
        assert n.h.grad == pytest.approx(course[f"h{i}"].grad)
        for j, w in enumerate(n.weights, start=1):
            assert w.grad == pytest.approx(course[f"w{i}{j}"].grad)
    assert [x.grad for x in graphs.inputs] == pytest.approx([course["x1"].grad, course["x2"].grad])


def test_a_neuron_box_shows_its_pre_activation_activation_and_their_gradients():
    x = Value(2.0, label="x")
    with scope("layer 1"), scope("neuron 1"):
        w = Value(0.5, label="w")
        h = w * x
        h.label = "h"
        a = h.tanh()
        a.label = "a"
    y = a * 3.0
    y.label = "y"
    y.backward()
    (root,), texts, groups = fold(y, depth=2)
    (box,) = groups
    assert groups[box] == ("layer 1", "neuron 1") and box.label == "neuron 1"
    assert box.shown == (h, a) and box.parents[0].label == "x"
    values, grads = texts[box]
    assert values.splitlines() == [f"h  {h.data:.3f}", f"a  {a.data:.3f}"]
    assert grads.splitlines() == [f"h  {h.grad:.3f}", f"a  {a.grad:.3f}"]
    assert root.parents[0] is box


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="no node was made inside 2 nested scope blocks"):
        fold(Value(1.0) * 2.0, depth=2)
    with pytest.raises(ValueError, match="got Softmax in Sequential"):
        network_graphs(nn.Sequential(nn.Linear(2, 2), nn.Softmax()), [1.0, 2.0])
    with pytest.raises(ValueError, match="the model takes 2 inputs, x has 3"):
        network_graphs(a2_net(), [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="level must be one of scalar, neuron, layer"):
        draw_network(a2_net(), [1.0, 2.0], level="weights")
    with pytest.raises(ValueError, match="depth must be a positive int"):
        draw_folded(Value(1.0), depth=0)


def test_viz_imports_neither_nn_nor_tensor_nor_train():
    """The design rule: viz draws what it is given (the network is built in nn)."""
    import ast
    from pathlib import Path

    import autograd.viz

    for path in Path(autograd.viz.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                names = [f"{node.module}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                assert not name.startswith(("autograd.nn", "autograd.tensor", "autograd.train")), (
                    path.name,
                    name,
                )
