"""Diagrams of issue 12: constants drawn as constants, edge labels tied to their edges, A4's
layout and titles with symbols, Tensor graphs with named inputs and targets, values of small
matrices and the loss in the legend."""

import xml.etree.ElementTree as ET

import pytest

pytest.importorskip("pygraphviz")

from autograd import Tensor, Value, nn  # noqa: E402
from autograd.data import xor  # noqa: E402
from autograd.exercises import a1, a4, gallery  # noqa: E402
from autograd.viz import draw  # noqa: E402

SVG = "{http://www.w3.org/2000/svg}"


def node_groups(svg: str) -> dict:
    root = ET.fromstring(svg)
    return {g.get("id"): g for g in root.iter(SVG + "g") if g.get("id")}


def test_constants_are_small_nodes_without_a_gradient():
    x = Value(3.0, label="x")
    y = 2 * x
    y.label = "y"
    y.backward()
    dot = draw(y).dot
    line = next(line for line in dot.splitlines() if line.strip().startswith("n0 "))
    assert "constant" in line and ">2<" in line
    assert "#ffd9e6" not in line  # no pink gradient row
    assert 'class="value leaf"' in next(
        line for line in dot.splitlines() if line.strip().startswith("n1 ")
    )


def test_edge_labels_are_tied_to_their_edges():
    dot = draw(a1("sigmoid").output, edge_grads=True, rankdir="TB").dot
    labelled = [line for line in dot.splitlines() if "-> op" in line and "label=" in line]
    assert labelled and all('decorate="true"' in line for line in labelled)


def test_a4_inputs_side_by_side_and_the_product_between_them():
    e = a4()
    assert e.title == "A4: f(x, y) = x² + 2xy + y²"
    svg = draw(e.output).svg()
    order = __import__("autograd").topo_order(e.output)
    ids = {node: f"n{i}" for i, node in enumerate(order)}
    x, y = e.nodes["x"], e.nodes["y"]
    [xy] = [n for n in order if n.op == "mul" and set(n.parents) == {x, y}]
    groups = node_groups(svg)

    def top(node):
        return min(float(t.get("y")) for t in groups[ids[node]].iter(SVG + "text"))

    assert top(x) < top(xy) < top(y)  # x·y between x and y: no edge crosses another


def test_titles_use_the_symbols():
    titles = {name: d.dot for name, d in gallery().items()}
    assert "y = σ(w1·x1 + w2·x2 + b)" in titles["a1_sigmoid"]
    assert "ELU(w1·x1 + w2·x2 + b, α=0.1)" in titles["a1_elu"]
    assert "x^2" not in titles["a4"] and "sigmoid(" not in titles["a1_sigmoid"]


def test_tensor_graph_names_input_and_target_shows_xor_values_and_the_loss():
    x, t = xor()
    model = nn.Sequential(nn.Linear(2, 2, rng=0), nn.Tanh(), nn.Linear(2, 1, rng=1))
    loss = nn.MSELoss()(model(Tensor(x)), Tensor(t))
    loss.backward(retain_graph=True)
    dot = draw(loss).dot
    assert "<B>input</B>" in dot and "<B>target</B>" in dot
    assert "gradient ∂loss/∂node" in dot
    rows = [f"[{a:.3f}, {b:.3f}]" for a, b in x]
    assert all(row in dot for row in rows)  # the 4×2 inputs are shown
