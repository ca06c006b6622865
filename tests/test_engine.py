"""The scalar engine: every op against central differences, random graphs, the course numbers,
deep and wide graphs, backward semantics and bad input."""

import math
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from autograd import Value, gradcheck, no_grad, sum_values
from autograd.engine import OPS


def op_inputs(spec, arity):
    """Points inside the op's domain, away from kinks at 0."""
    if spec.domain == "positive":
        return [0.7, 1.9, 1.3][:arity]
    return [0.8, -1.3, 0.6][:arity]


def call_op(spec, values):
    return spec.function(*values, **spec.params)


@pytest.mark.parametrize("name", sorted(OPS))
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_every_op_matches_central_differences(name, sign):
    spec = OPS[name]
    arity = 3 if spec.arity == -1 else spec.arity
    xs = op_inputs(spec, arity)
    if spec.domain == "real":
        xs = [sign * x for x in xs]

    def f(*values):
        return call_op(spec, [list(values)] if spec.arity == -1 else list(values))

    out = f(*[Value(x) for x in xs])
    assert out.op == name
    assert math.isclose(out.data, f(*[Value(x) for x in xs]).data, rel_tol=1e-12)
    assert gradcheck(f, xs, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("exponent", [2, 3, 0.5, -1, -2.5, 0])
def test_pow_with_number_exponent(exponent):
    x = Value(1.7)
    y = x**exponent
    y.backward()
    assert y.data == pytest.approx(1.7**exponent)
    assert gradcheck(lambda a: a**exponent, [1.7], rtol=1e-6, atol=0.0)
    assert y.params == {"exponent": float(exponent)}


@pytest.mark.parametrize(
    "expression, expected_grads",
    [
        (lambda a, b: 2 + a, (1.0, 0.0)),
        (lambda a, b: 2 - a, (-1.0, 0.0)),
        (lambda a, b: 3 * b, (0.0, 3.0)),
        (lambda a, b: 1 / a, (-1 / 1.5**2, 0.0)),
        (lambda a, b: 2**a, (2**1.5 * math.log(2), 0.0)),
        (lambda a, b: a**b, (-2 * 1.5**-3, 1.5**-2 * math.log(1.5))),
        (lambda a, b: -a + abs(b), (-1.0, -1.0)),
    ],
)
def test_reflected_operators_and_numbers(expression, expected_grads):
    a, b = Value(1.5), Value(-2.0)
    out = expression(a, b)
    out.backward()
    assert (a.grad, b.grad) == pytest.approx(expected_grads)


def test_parents_are_ordered_and_keep_repeated_edges():
    a = Value(3.0, label="a")
    y = a + a
    assert y.parents == (a, a)
    y.backward()
    assert a.grad == 2.0
    x = Value(-4.0)
    z = x * x
    z.backward()
    assert x.grad == -8.0


def test_sum_values_is_one_node_with_one_edge_per_term():
    w1, x1, w2, x2, b = (Value(v) for v in (1.45, 2.8, -0.35, -1.8, -4.0))
    products = [w1 * x1, w2 * x2]
    h = sum_values(products + [b], label="h")
    assert h.op == "sum" and h.parents == (products[0], products[1], b) and h.label == "h"
    assert h.data == pytest.approx(0.69)
    with pytest.raises(ValueError, match="empty"):
        sum_values([])


# --- random graphs -------------------------------------------------------------------------
BINARY = ["add", "sub", "mul"]
UNARY = ["tanh", "sigmoid", "exp", "softplus", "neg", "elu", "leaky_relu"]


@st.composite
def programs(draw):
    """A random straight-line program over 3 inputs: each step combines earlier results, so
    nodes are shared (fan-out), and x*x, a+a appear when both picks coincide."""
    steps = []
    for k in range(draw(st.integers(1, 12))):
        available = 3 + k
        if draw(st.booleans()):
            steps.append(
                (
                    draw(st.sampled_from(BINARY)),
                    draw(st.integers(0, available - 1)),
                    draw(st.integers(0, available - 1)),
                )
            )
        else:
            steps.append((draw(st.sampled_from(UNARY)), draw(st.integers(0, available - 1)), None))
    return steps


KINKED = {"elu", "leaky_relu", "relu", "abs"}  # not differentiable at 0


def run_program(steps, inputs):
    """The program's output, and how close an input of a kinked op came to its kink."""
    nodes = list(inputs)
    kink_distance = math.inf
    for name, i, j in steps:
        spec = OPS[name]
        args = [nodes[i]] if j is None else [nodes[i], nodes[j]]
        if name in KINKED:
            kink_distance = min(kink_distance, abs(nodes[i].data))
        nodes.append(spec.function(*args, **spec.params))
    return sum_values(nodes[3:] + [nodes[0] * 0.0]), kink_distance  # every step feeds the output


@settings(max_examples=150, deadline=None)
@given(
    programs(),
    st.lists(st.floats(-1.5, 1.5).filter(lambda x: abs(x) > 0.05), min_size=3, max_size=3),
)
def test_random_graphs_match_central_differences(steps, xs):
    leaves = [Value(x) for x in xs]
    out, kink_distance = run_program(steps, leaves)
    assume(kink_distance > 1e-3 and math.isfinite(out.data) and abs(out.data) < 1e6)
    assert gradcheck(lambda *values: run_program(steps, list(values))[0], xs, rtol=1e-4, atol=1e-5)


# --- the course numbers (computed by hand from EXERCISES.md, see the comments) ---------------
A1 = {  # activation: (y, dy/dh, dy/dw1, dy/dw2, dy/dx1, dy/dx2, dy/db); h = 0.69
    "sigmoid": (0.666, 0.222, 0.623, -0.400, 0.323, -0.078, 0.222),
    "tanh": (0.598, 0.642, 1.799, -1.156, 0.932, -0.225, 0.642),
    "elu": (0.690, 1.000, 2.800, -1.800, 1.450, -0.350, 1.000),  # h > 0: ELU is the identity
    "leaky_relu": (0.690, 1.000, 2.800, -1.800, 1.450, -0.350, 1.000),
}


def perceptron(activation, **params):
    x1, x2 = Value(2.8, label="x1"), Value(-1.8, label="x2")
    w1, w2, b = Value(1.45, label="w1"), Value(-0.35, label="w2"), Value(-4.0, label="b")
    h = w1 * x1 + w2 * x2 + b
    y = getattr(h, activation)(**params)
    y.backward()
    return y, h, w1, w2, x1, x2, b


@pytest.mark.parametrize("activation", sorted(A1))
def test_course_a1(activation):
    params = {"alpha": 0.1} if activation in ("elu", "leaky_relu") else {}
    y, h, *rest = perceptron(activation, **params)
    got = (y.data, h.grad) + tuple(v.grad for v in rest)
    assert [round(g, 3) for g in got] == pytest.approx(A1[activation], abs=1.5e-3)


def test_course_a1_negative_branch_of_elu_and_leaky_relu():
    h = Value(-0.5)
    y = h.elu(alpha=0.1)
    y.backward()
    assert (round(y.data, 3), round(h.grad, 3)) == (-0.039, 0.061)
    h = Value(-0.5)
    y = h.leaky_relu(alpha=0.1)
    y.backward()
    assert (y.data, h.grad) == (pytest.approx(-0.05), pytest.approx(0.1))


def test_course_a2():
    # y_i = sigmoid(W_i x + b_i); delta_i = y_i (1 - y_i); dW_i = delta_i x; dx = delta_i W_i
    x = [Value(-3.1), Value(1.5)]
    W = [[Value(-0.2), Value(2.0)], [Value(-0.5), Value(-0.3)]]
    b = [Value(-4.0), Value(-1.0)]
    expected = {
        0: (0.406, 0.241, (-0.748, 0.362), (-0.048, 0.482)),
        1: (0.525, 0.249, (-0.773, 0.374), (-0.125, -0.075)),
    }
    for i, (y_i, delta, dW, dx) in expected.items():
        for v in x + W[0] + W[1] + b:
            v.grad = 0.0
        y = sum_values([W[i][0] * x[0], W[i][1] * x[1], b[i]]).sigmoid()
        y.backward()
        assert round(y.data, 3) == y_i
        assert round(b[i].grad, 3) == delta
        assert tuple(round(w.grad, 3) for w in W[i]) == dW
        assert tuple(round(v.grad, 3) for v in x) == dx
        assert all(w.grad == 0.0 for w in W[1 - i])


def test_course_a3():
    # a = sigmoid(h), h = 0.69; y = sigmoid(2a - 1); C = (y - 1)^2
    x1, x2, w1, w2, b = (Value(v) for v in (2.8, -1.8, 1.45, -0.35, -4.0))
    w3, b3, t = Value(2.0), Value(-1.0), Value(1.0)
    a = (w1 * x1 + w2 * x2 + b).sigmoid()
    y = (w3 * a + b3).sigmoid()
    cost = (y - t) ** 2
    cost.backward()
    got = [cost.data, y.data, a.data, w3.grad, b3.grad, w1.grad, w2.grad, x1.grad, x2.grad, b.grad]
    hand = [0.175, 0.582, 0.666, -0.135, -0.203, -0.253, 0.163, -0.131, 0.032, -0.090]
    assert [round(g, 3) for g in got] == pytest.approx(hand, abs=1.5e-3)


def test_course_a4():
    x, y = Value(2.0), Value(3.0)
    f = x**2 + 2 * x * y + y**2
    f.backward()
    assert (f.data, x.grad, y.grad) == (25.0, 10.0, 10.0)  # df/dx = 2x + 2y


def test_exercise_module_matches_the_hand_numbers():
    from autograd.exercises import a1, a3_series

    e = a1("tanh")
    assert round(e.nodes["y"].data, 3) == 0.598 and round(e.nodes["w1"].grad, 3) == 1.799
    e = a3_series()
    assert round(e.output.data, 3) == 0.175 and round(e.nodes["w3"].grad, 3) == -0.135


# --- graph size -----------------------------------------------------------------------------
def test_million_node_chain_back_propagates():
    x = Value(0.5)
    y = x
    for _ in range(1_000_000):
        y = -y
    y.backward()
    assert x.grad == 1.0  # an even number of negations


def test_hundred_thousand_input_sum_back_propagates():
    xs = [Value(float(i)) for i in range(100_000)]
    total = sum_values(xs)
    total.backward()
    assert total.data == sum(range(100_000))
    assert all(x.grad == 1.0 for x in xs)


# --- backward semantics ---------------------------------------------------------------------
def test_backward_twice_recomputes_intermediates_and_accumulates_leaves():
    a, b = Value(2.0), Value(-3.0)
    c = a * b
    y = c.tanh()
    y.backward()
    first = (c.grad, y.grad, a.grad)
    y.backward()
    assert (c.grad, y.grad) == first[:2]
    assert a.grad == 2 * first[2]
    y.zero_grad()
    assert (a.grad, b.grad, c.grad, y.grad) == (0.0, 0.0, 0.0, 0.0)


def test_no_grad_records_no_parents():
    a = Value(2.0)
    with no_grad():
        y = a * 3 + 1
    assert y.parents == () and y.data == 7.0
    z = a * 3
    assert z.parents and z.parents[0] is a


def test_stable_at_extremes():
    assert Value(-1000).sigmoid().data == 0.0
    assert Value(1000).sigmoid().data == 1.0
    assert Value(1000).softplus().data == 1000.0
    assert Value(-1000).softplus().data == 0.0
    assert Value(1000).exp().data == math.inf


# --- bad input ------------------------------------------------------------------------------
@pytest.mark.parametrize("bad", ["abc", None, [1.0], 1 + 2j, True])
def test_value_of_a_non_number_names_the_type(bad):
    with pytest.raises(TypeError, match=type(bad).__name__):
        Value(bad)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: Value(0.0).log(), r"log: needs a positive input, got 0\.0"),
        (lambda: Value(-2.0).log(), r"log: needs a positive input, got -2\.0"),
        (lambda: Value(-1.0).sqrt(), r"sqrt: needs a non-negative input, got -1\.0"),
        (lambda: Value(-8.0) ** (1 / 3), r"pow: -8\.0 \*\* 0\.333"),
    ],
)
def test_out_of_domain_raises_value_error_naming_op_and_value(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_division_by_zero_names_the_operands():
    with pytest.raises(ZeroDivisionError, match="div: division by zero"):
        Value(1.0) / 0


def test_non_finite_values_are_accepted_and_backward_warns_once_naming_the_node():
    a = Value(math.inf, label="a")
    b = Value(2.0, label="b")
    c = a * b
    c.label = "c"
    y = c - c
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        y.backward()
    assert len(caught) == 1
    assert "'a'" in str(caught[0].message) and "non-finite value" in str(caught[0].message)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (Value(1.0) * 2).backward()  # finite graphs stay silent


def test_submodules_load_on_first_use_by_one_rule():
    import autograd

    code = (
        "import sys, autograd\n"
        f"lazy = {autograd._LAZY_SUBMODULES!r}\n"
        "early = [m for m in lazy if 'autograd.' + m in sys.modules]\n"
        "assert not early, early\n"
        "for m in lazy:\n"
        "    assert getattr(autograd, m).__name__ == 'autograd.' + m\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    packages = Path(autograd.__file__).parent
    submodules = {p.stem for p in packages.glob("*.py")} | {
        p.parent.name for p in packages.glob("*/__init__.py")
    }
    core = {"__init__", "notation", "graph", "engine", "tensor", "memory", "numerical"}
    assert submodules - core == set(autograd._LAZY_SUBMODULES)


def test_no_module_imports_another_modules_private_names():
    """Public means documented; private means not imported elsewhere (STYLE.md)."""
    import ast

    import autograd

    root = Path(autograd.__file__).parent
    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("autograd"):
                found += [
                    f"{path.relative_to(root)}:{node.lineno} {node.module}.{a.name}"
                    for a in node.names
                    if a.name.startswith("_") and not a.name.startswith("__")
                ]
    assert not found, found


def test_import_loads_numpy_at_most():
    code = (
        "import sys, autograd\n"
        "heavy = [m for m in ('pygraphviz', 'matplotlib', 'torch', 'tqdm') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_scope_records_the_innermost_block_and_nests():
    from autograd import scope
    from autograd.graph import scope_of

    outside = Value(1.0)
    with scope("layer 1") as path:
        assert path == ("layer 1",)
        a = Value(2.0)
        with scope("neuron 1"):
            b = a * outside
        c = b + 1
    d = c * 2
    assert scope_of(outside) == () and scope_of(d) == ()
    assert scope_of(a) == ("layer 1",) and scope_of(c) == ("layer 1",)
    assert scope_of(b) == ("layer 1", "neuron 1")
    with pytest.raises(TypeError, match="non-empty name"):
        with scope(""):
            pass
