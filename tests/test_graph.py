"""autograd.graph: the one chain rule as a pure function (`backprop`) agrees with the fast
in-place `Value.backward` on random graphs, and its per-edge trace adds up."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value, sum_values, topo_order
from autograd.graph import backprop, children, is_released

UNARY = ["tanh", "sigmoid", "relu", "exp", "softplus", "abs", "neg", "elu", "leaky_relu"]
BINARY = ["add", "sub", "mul", "div", "sum3"]


def apply(op: str, nodes: list, picks: list[int], constant: float):
    """Apply ``op`` to nodes picked (with repeats: shared nodes) from ``nodes``."""
    a, b, c = (nodes[p % len(nodes)] for p in picks)
    if op in ("tanh", "sigmoid", "relu", "exp", "softplus"):
        return getattr(a, op)()
    if op == "abs":
        return abs(a)
    if op == "neg":
        return -a
    if op in ("elu", "leaky_relu"):
        return getattr(a, op)(alpha=0.1)
    if op == "add":
        return a + b
    if op == "sub":
        return a - (b if constant > 0 else constant)  # a Value or a constant leaf
    if op == "mul":
        return a * b
    if op == "div":
        return a / (abs(b) + 0.5)
    return sum_values([a, b, c])


graphs = st.tuples(
    st.lists(st.floats(-2.0, 2.0), min_size=1, max_size=4),
    st.lists(
        st.tuples(
            st.sampled_from(UNARY + BINARY),
            st.lists(st.integers(0, 50), min_size=3, max_size=3),
            st.floats(-1.0, 1.0),
        ),
        min_size=1,
        max_size=12,
    ),
)


def build(spec):
    inputs, steps = spec
    nodes = [Value(x, label=f"x{i}") for i, x in enumerate(inputs)]
    for op, picks, constant in steps:
        nodes.append(apply(op, nodes, picks, constant))
    return nodes[-1]


def same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


@settings(max_examples=200, deadline=None)
@given(graphs, st.sampled_from([1.0, -0.5, 2.0]))
def test_backprop_agrees_with_backward_on_random_graphs(spec, seed):
    root = build(spec)
    result = backprop(root, seed=seed)  # before backward: it must not read node.grad
    root.backward(seed)
    assert result.order == topo_order(root)
    for node in result.order:
        # The same terms added in the same order: equal to the last bit.
        assert same(result.grads[node], node.grad), node


@settings(max_examples=100, deadline=None)
@given(graphs)
def test_the_trace_adds_up(spec):
    root = build(spec)
    result = backprop(root)
    users = children(result.order)
    for node in result.order:
        incoming = result.incoming(node)
        assert {edge.child for edge in incoming} == set(users[node])
        if node is not root:
            assert same(result.sum_into(node), result.grads[node])
        for edge in result.outgoing(node):
            assert edge.parent is edge.child.parents[edge.position]
            assert edge.local == edge.child.local_grads[edge.position]
            assert same(edge.upstream, result.grads[edge.child])
            expected = edge.upstream * edge.local if edge.upstream else 0.0
            assert same(edge.contribution, expected)
    assert sum(len(node.parents) for node in result.order) == len(result.edges)


def test_given_replaces_a_gradient_before_it_is_sent_on():
    w, x = Value(2.0, label="w"), Value(3.0, label="x")
    h = w * x
    y = h.tanh()
    true = backprop(y)
    student = backprop(y, given={h: 0.5})
    assert student.grads[h] == 0.5
    assert student.sum_into(h) == true.grads[h]  # what the true upstream says
    assert student.grads[w] == 0.5 * 3.0 and student.grads[x] == 0.5 * 2.0
    assert true.grads[w] == pytest.approx((1 - y.data**2) * 3.0)


def test_backprop_leaves_nodes_alone():
    x = Value(3.0, label="x")
    y = x * x
    y.backward()
    y.backward()  # leaf gradients accumulate: x.grad is 12
    assert backprop(y).grads[x] == 6.0
    assert x.grad == 12.0


def test_children_lists_each_user_once():
    a = Value(1.0)
    b = a * a
    c = a + b
    assert children(topo_order(c))[a] == [b, c]


def test_is_released_tells_a_released_tensor_from_a_leaf():
    from autograd import Tensor

    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    assert not is_released(x) and not is_released(y)
    y.backward()
    assert is_released(y) and not is_released(x)
    assert not is_released(Value(1.0))


@settings(max_examples=100, deadline=None)
@given(graphs, st.integers(0, 50))
def test_several_outputs_give_the_gradient_of_their_sum(spec, pick):
    last = build(spec)
    nodes = topo_order(last)
    other = nodes[pick % len(nodes)]  # another output, maybe an ancestor of the first
    both = backprop([last, other])
    one, two = backprop(last), backprop(other)
    for node in both.order:
        expected = one.grads.get(node, 0.0) + two.grads.get(node, 0.0)
        if other is last:
            expected = one.grads[node]  # the same output listed twice is one output
        assert both.grads[node] == pytest.approx(expected, rel=1e-9, abs=1e-12, nan_ok=True)
