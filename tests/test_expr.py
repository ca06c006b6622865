"""autograd.handcalc.expr: the safe expression parser behind `autograd draw` and `autograd check`.

The graphs it builds are compared with graphs built by hand with the engine (autograd.exercises,
direct op calls) and with calculus done by hand; every error path is checked for its message
and for the token the caret points at."""

import math

import pytest

from autograd import Value, topo_order
from autograd.engine import OPS
from autograd.exercises import A1_ACTIVATIONS, A1_INPUTS, a1
from autograd.handcalc.expr import FUNCTIONS, ExpressionError, build, parse_assignments

A1_STEPS = "h = w1*x1 + w2*x2 + b; y = {f}(h{params})"


def a1_source(activation):
    params = "".join(f", {k}={v}" for k, v in A1_ACTIVATIONS[activation].items())
    return A1_STEPS.format(f=activation, params=params)


def structure(root):
    """Everything about a graph except object identity: per node in topological order, its
    label, op, params, data, grad and the topological indices of its parents."""
    order = topo_order(root)
    index = {node: i for i, node in enumerate(order)}
    return [
        (n.label, n.op, n.params, n.data, n.grad, tuple(index[p] for p in n.parents)) for n in order
    ]


def token(error: ExpressionError) -> str:
    return error.source[error.col : error.col + error.width]


# --- graphs ------------------------------------------------------------------------------------
@pytest.mark.parametrize("activation", sorted(A1_ACTIVATIONS))
def test_a1_steps_build_the_same_graph_as_the_exercise(activation):
    root, nodes = build(a1_source(activation), A1_INPUTS)
    exercise = a1(activation)
    assert structure(root) == structure(exercise.output)
    assert set(nodes) == set(exercise.nodes)
    for name, node in nodes.items():
        assert node.label == name
        assert node.data == exercise.nodes[name].data
        assert node.grad == exercise.nodes[name].grad


def test_a1_sigmoid_numbers_by_hand():
    _, nodes = build("sigmoid(w1*x1 + w2*x2 + b)", A1_INPUTS)
    h = 1.45 * 2.8 + (-0.35) * (-1.8) - 4
    s = 1 / (1 + math.exp(-h))
    assert nodes["y"].data == pytest.approx(s, rel=1e-12)
    slope = s * (1 - s)
    expected = {"w1": 2.8, "x1": 1.45, "w2": -1.8, "x2": -0.35, "b": 1.0}
    for name, local in expected.items():
        assert nodes[name].grad == pytest.approx(slope * local, rel=1e-12), name


def test_named_steps_label_intermediate_nodes_and_newlines_work_like_semicolons():
    semicolons, nodes = build("h = w1*x1 + w2*x2 + b; y = sigmoid(h)", A1_INPUTS)
    newlines, _ = build("h = w1*x1 + w2*x2 + b\n  y = sigmoid(h)\n", A1_INPUTS)
    assert structure(semicolons) == structure(newlines)
    assert nodes["h"].label == "h" and nodes["h"].op == "sum"
    assert semicolons.label == "y" and semicolons.parents == (nodes["h"],)
    unnamed = [n for n in topo_order(semicolons) if not n.label]
    assert [n.op for n in unnamed] == ["mul", "mul"]


def test_last_named_step_is_the_output_and_keeps_its_name():
    root, nodes = build("e = y - t; C = e**2", {"y": 0.8, "t": 1.0})
    assert root.label == "C" and root is nodes["C"]
    assert root.data == pytest.approx(0.04) and nodes["y"].grad == pytest.approx(2 * (0.8 - 1))


def test_unnamed_output_is_y_or_f_when_y_is_an_input():
    root, nodes = build("tanh(x)", {"x": 0.5})
    assert root.label == "y" and nodes["y"] is root
    root, nodes = build("x**2 + 2*x*y + y**2", {"x": 2.0, "y": 3.0})
    assert root.label == "f" and nodes["y"].label == "y" and nodes["y"] is not root
    # A4 by hand: df/dx = df/dy = 2(x + y)
    assert (root.data, nodes["x"].grad, nodes["y"].grad) == (25.0, 10.0, 10.0)


def test_weighted_sums_become_one_sum_node():
    root, nodes = build("w1*x1 + w2*x2 + b", A1_INPUTS)
    assert root.op == "sum" and len(root.parents) == 3
    assert [p.op for p in root.parents] == ["mul", "mul", ""]
    root, _ = build("w*x + b", {"w": 2.0, "x": 3.0, "b": 1.0})
    assert root.op == "sum" and len(root.parents) == 2
    root, _ = build("a + b + c", {"a": 1, "b": 2, "c": 3})
    assert root.op == "sum" and [p.label for p in root.parents] == ["a", "b", "c"]


def test_plain_additions_and_parentheses_stay_binary():
    root, _ = build("a + b", {"a": 1, "b": 2})
    assert root.op == "add"
    root, _ = build("a + (b + c)", {"a": 1, "b": 2, "c": 3})
    assert root.op == "add" and root.parents[1].op == "add"
    root, _ = build("w1*x1 + w2*x2 + b", A1_INPUTS, group_sums=False)
    assert root.op == "add" and root.parents[0].op == "add"
    assert root.data == pytest.approx(0.69)


def test_a_name_is_one_node_shared_by_every_use():
    root, nodes = build("x*x + x", {"x": 3.0})
    x = nodes["x"]
    assert root.parents[0].parents == (x, x)
    assert x.grad == 2 * 3.0 + 1


def test_numbers_unary_minus_and_powers():
    root, nodes = build("-4 + 2*x", {"x": 1.5})
    constant = root.parents[0]
    assert root.op == "sum" and constant.op == "" and constant.data == -4.0
    root, nodes = build("-x", {"x": 1.5})
    assert root.op == "neg" and nodes["x"].grad == -1.0
    root, nodes = build("+x * 2", {"x": 1.5})
    assert root.op == "mul" and root.parents[0] is nodes["x"]
    root, nodes = build("x**2", {"x": 3.0})
    assert root.parents == (nodes["x"],) and root.params == {"exponent": 2.0}
    root, nodes = build("x**-1", {"x": 4.0})
    assert root.data == 0.25 and nodes["x"].grad == -1 / 16
    root, nodes = build("a**x", {"a": 2.0, "x": 3.0})
    assert len(root.parents) == 2 and nodes["x"].grad == pytest.approx(8 * math.log(2))
    root, _ = build("-x**2", {"x": 3.0})
    assert root.op == "neg" and root.data == -9.0
    root, nodes = build("(a - b) / c", {"a": 5.0, "b": 1.0, "c": 2.0})
    assert root.op == "div" and root.data == 2.0 and nodes["c"].grad == -1.0


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_every_engine_function_by_name(name):
    """New one-input ops of the engine become callable by name, with their parameters."""
    x = 0.7 if OPS[name].domain == "positive" else -0.6
    root, nodes = build(f"{name}(x)", {"x": x})
    direct = OPS[name].function(Value(x), **OPS[name].params)
    direct.backward()
    assert root.op == name and root.data == direct.data
    assert nodes["x"].grad == pytest.approx(direct.local_grads[0])


def test_function_parameters_by_keyword_or_position():
    root, nodes = build("elu(z, alpha=0.1)", {"z": -1.0})
    assert root.params == {"alpha": 0.1} and root.data == pytest.approx(0.1 * math.expm1(-1))
    positional, _ = build("elu(z, 0.1)", {"z": -1.0})
    assert structure(positional) == structure(root)
    root, _ = build("leaky_relu(z, alpha=0.2)", {"z": -2.0})
    assert root.params == {"alpha": 0.2} and root.data == pytest.approx(-0.4)
    root, _ = build("leaky_relu(z, alpha=-0.5)", {"z": -2.0})
    assert root.params == {"alpha": -0.5} and root.data == 1.0
    root, _ = build("elu(z)", {"z": -1.0})
    assert root.params == {"alpha": 1.0}


def test_unused_values_are_ignored_and_backward_has_run():
    root, nodes = build("tanh(w1*x1 + b)", A1_INPUTS)
    assert set(nodes) == {"w1", "x1", "b", "y"}
    assert root.grad == 1.0 and nodes["b"].grad == pytest.approx(1 - root.data**2)


def test_step_that_is_a_number_is_a_labelled_constant():
    root, nodes = build("c = 2; y = c*x", {"x": 3.0})
    assert nodes["c"].label == "c" and nodes["c"].data == 2.0 and nodes["c"].grad == 3.0


# --- errors ------------------------------------------------------------------------------------
X = {"x": 2.0, "w": 1.5}
ERRORS = [
    # (source, part of the message, token under the caret)
    ("sigmoid(w*x + v)", "no value for 'v'; give one with --set v=NUMBER", "v"),
    ("sigmod(w*x)", "unknown function 'sigmod'; did you mean 'sigmoid'?", "sigmod"),
    ("foo(x)", "unknown function 'foo'; known: abs, elu, exp", "foo"),
    ("__import__('os')", "unknown function '__import__'", "__import__"),
    ("sigmoid(w*x +", "syntax error: '(' was never closed", "("),
    ("w*x +* 2", "syntax error", "*"),
    ("2x + w", "write 2*x for 2x: a product needs", "2x"),
    ("x^2", "'^' is not a power here; write a**b", "x^2"),
    ("x < 2", "unsupported: comparisons", "x < 2"),
    ("x.real", "unsupported: attributes", "x.real"),
    ("().__class__", "unsupported: attributes", "().__class__"),
    ("x[0]", "unsupported: indexing", "x[0]"),
    ("'abc'", "unsupported: this constant (only numbers)", "'abc'"),
    ("True * x", "unsupported: this constant", "True"),
    ("1j * x", "unsupported: this constant", "1j"),
    ("x // 2", "unsupported operator '//'", "x // 2"),
    ("~x", "unsupported operator '~'", "~x"),
    ("(lambda: x)()", "unsupported call", "lambda: x"),
    ("import os", "unsupported statement", "import os"),
    ("x += 1", "unsupported statement", "x += 1"),
    ("a, b = x, w", "a step assigns one name", "a, b"),
    ("elu(x, alpha=w)", "elu: parameter alpha must be a number", "w"),
    ("elu(x, beta=1)", "elu has no parameter 'beta' (parameters: alpha)", "beta=1"),
    ("elu(x, 0.1, alpha=0.2)", "parameter 'alpha' given twice", "alpha=0.2"),
    ("tanh(x, 2)", "tanh takes one input: tanh(z)", "2"),
    ("tanh()", "tanh takes one input", "tanh()"),
    ("tanh(*x)", "unsupported: *arguments", "*x"),
    ("sigmoid * 2", "'sigmoid' is a function; call it: sigmoid(...)", "sigmoid"),
    ("exp = x*2; y = exp + 1", "'exp' is a function; choose another name", "exp"),
    ("h = x*2; h = x*3", "'h' is defined twice", "h"),
    ("x = w*2; y = x", "'x' is both given a value and defined as a step", "x"),
    ("h = x; y = h*2", "step 'h' only renames 'x'", "x"),
    ("h = +x; y = h*2", "step 'h' only renames 'x'", "+x"),
    ("y = sigmoid(h); h = x*2", "'h' is used before the step that defines it", "h"),
    ("x*2; y = w", "only the last step may be unnamed", "x*2"),
    ("log(x - 5)", "cannot compute this: log: needs a positive input, got -3", "log(x - 5)"),
    ("sqrt(w - x)", "sqrt: needs a non-negative input", "sqrt(w - x)"),
    ("w / (x - 2)", "cannot compute this: div: division by zero", "w / (x - 2)"),
    ("(w - x) ** 0.5", "not a real number", "(w - x) ** 0.5"),
    ("", "empty expression", ""),
    ("x + 1e400", "this number is too large: expected a finite number", "1e400"),
    ("x * 1" + "0" * 400, "this number is too large", "1" + "0" * 400),
    ("elu(x, alpha=-1e999)", "this number is too large", "1e999"),
]


@pytest.mark.parametrize("source, message, bad", ERRORS)
def test_errors_name_the_problem_and_point_at_the_token(source, message, bad):
    with pytest.raises(ExpressionError) as info:
        build(source, X)
    error = info.value
    text = str(error)
    assert message in text
    assert "\n" not in text  # one line
    if bad:
        assert token(error) == bad
        line, caret = error.pointer().split("\n")
        assert line == source
        assert caret.strip() == "^" * len(bad) and caret.index("^") == error.col


def test_expression_error_is_a_value_error():
    assert issubclass(ExpressionError, ValueError)


def test_pointer_on_a_later_line_and_after_non_ascii_names():
    source = "h = w*x\n  y = tanh(h) + q"
    with pytest.raises(ExpressionError) as info:
        build(source, X)
    assert info.value.pointer() == "  y = tanh(h) + q\n                ^"
    with pytest.raises(ExpressionError) as info:
        build("α*x + β", {"α": 1.0, "x": 2.0})
    assert token(info.value) == "β"
    assert info.value.pointer().split("\n")[1] == "      ^"


def test_names_are_read_as_python_reads_them():
    """Python folds identifiers to NFKC: a full-width or math-italic x in the text is x."""
    values = parse_assignments(["ｘ=2", "𝑤=3"])
    assert values == {"x": 2.0, "w": 3.0}
    root, nodes = build("ｘ*𝑤", values)
    assert root.data == 6.0 and nodes["x"].grad == 3.0
    root, nodes = build("𝑥 * 2", {"𝑥": 1.5})
    assert root.data == 3.0 and nodes["x"].grad == 2.0
    with pytest.raises(ExpressionError, match="--set gives x twice"):
        parse_assignments(["x=1", "𝑥=2"])
    with pytest.raises(ExpressionError, match="two values for 'x'"):
        build("x*2", {"x": 1.0, "𝑥": 2.0})


def test_nothing_is_ever_evaluated(tmp_path):
    marker = tmp_path / "pwned"
    for source in [
        f"__import__('os').system('touch {marker}')",
        f"exp(__import__('os').system('touch {marker}'))",
        f"open('{marker}', 'w')",
    ]:
        with pytest.raises(ExpressionError):
            build(source, X)
    assert not marker.exists()


def test_deep_nesting_is_an_expression_error_not_a_crash():
    with pytest.raises(ExpressionError, match="nested too deeply|syntax error|too many"):
        build("-" * 200_000 + "x", X)


def test_values_must_be_numbers():
    with pytest.raises(TypeError, match="'x' must be a number"):
        build("x*2", {"x": "2"})


# --- --set items -------------------------------------------------------------------------------
def test_parse_assignments():
    assert parse_assignments(["x1=2.8", "x2=-1.8", "b=-4"]) == {"x1": 2.8, "x2": -1.8, "b": -4.0}
    assert parse_assignments(["x=1, y=2e-3,", "z = 3"]) == {"x": 1.0, "y": 0.002, "z": 3.0}
    assert parse_assignments([]) == {}


@pytest.mark.parametrize(
    "items, message, bad",
    [
        (["x1=2.8", "x2:3"], "--set item 'x2:3' is not NAME=NUMBER", "x2:3"),
        (["x1=2.8", "=3"], "is not NAME=NUMBER", "=3"),
        (["2x=1"], "is not NAME=NUMBER", "2x=1"),
        (["x=1,y=abc"], "--set y: 'abc' is not a number", "y=abc"),
        (["x="], "--set x: '' is not a number", "x="),
        (["x=nan"], "--set x: expected a finite number, got nan", "x=nan"),
        (["x=inf"], "expected a finite number", "x=inf"),
        (["x=1", "y=2", "x=3"], "--set gives x twice", "x=3"),
        (["b=-4", "x=2,8"], "--set item 'x=2,8': write decimals with a point (x=2.8)", "x=2,8"),
    ],
)
def test_bad_set_items_point_at_the_item(items, message, bad):
    with pytest.raises(ExpressionError) as info:
        parse_assignments(items)
    assert message in str(info.value)
    assert token(info.value) == bad
    line, caret = info.value.pointer().split("\n")
    assert line == " ".join(items) and caret == " " * info.value.col + "^" * len(bad)


def test_docstring_examples():
    import doctest

    import autograd.handcalc.expr

    result = doctest.testmod(autograd.handcalc.expr)
    assert result.attempted > 0 and result.failed == 0
