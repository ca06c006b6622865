"""autograd.handcalc.check: claims compared at the precision they were written with, the first wrong
claim in calculation order, and each pitfall hint. Wrong claims are made from the true numbers
(never typed in), so the tests hold for any correct engine."""

import math

import pytest

from autograd import topo_order
from autograd.exercises import A1_INPUTS, a1
from autograd.handcalc.check import (
    CheckReport,
    ClaimError,
    check,
    load_sheet,
    matches,
    parse_claims,
)
from autograd.handcalc.expr import build

A1 = "h = w1*x1 + w2*x2 + b; y = sigmoid(h)"
A3 = "h = w1*x1 + w2*x2 + b; a = sigmoid(h); z = w3*a + b3; y = sigmoid(z); e = y - t; C = e**2"
A3_INPUTS = {**A1_INPUTS, "w3": 2.0, "b3": -1.0, "t": 1.0}


@pytest.fixture
def nodes():
    return build(A1, A1_INPUTS)[1]


def f3(x):
    return f"{x:.3f}"


def only_row(report: CheckReport, key: str):
    [row] = [row for row in report.rows if row.key == key]
    return row


# --- the precision rule ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "claimed, true, ok",
    [
        ("0.33", 0.334, True),
        ("0.33", 0.666, False),
        ("0.33", 0.3349, True),
        ("0.33", 0.3251, True),
        ("0.33", 0.3351, False),
        ("0.33", 0.3249, False),
        ("0.33", 0.335, True),  # an exact tie: both roundings are accepted
        ("0.34", 0.335, True),
        ("0.330", 0.3349, False),  # three decimals written: compared to 0.0005
        ("0.330", 0.3304, True),
        ("-0.08", -0.0779, True),
        ("0.08", -0.0779, False),
        ("1", 0.6, True),
        ("-4", -4.0, True),
        ("1.5e-3", 0.00154, True),
        ("1.5e-3", 0.0016, False),
        ("0.666", float("nan"), False),
    ],
)
def test_claims_match_at_the_precision_written(claimed, true, ok):
    assert matches(claimed, true) is ok


def test_more_digits_written_means_a_stricter_check(nodes):
    y = nodes["y"].data
    for digits in range(7):
        assert check(nodes, {"y": f"{y:.{digits}f}"}).ok, digits
        one_unit_off = f"{y + 10.0**-digits:.{digits}f}"
        assert not check(nodes, {"y": one_unit_off}).ok, digits


# --- reports -----------------------------------------------------------------------------------
def full_sheet(nodes, digits=3):
    claims = {name: f"{node.data:.{digits}f}" for name, node in nodes.items()}
    claims.update({f"grad:{name}": f"{node.grad:.{digits}f}" for name, node in nodes.items()})
    return claims


def test_all_right_sheet_is_ok(nodes):
    report = check(nodes, full_sheet(nodes))
    assert report.ok and report.first_wrong is None and report.hint == ""
    assert len(report.rows) == 2 * len(nodes)
    assert "WRONG" not in report.table()
    assert f"all {len(report.rows)} claims ok" in report.summary()


def test_one_wrong_value_is_found_and_named(nodes):
    claims = full_sheet(nodes)
    claims["grad:w2"] = f3(nodes["w2"].grad + 0.05)
    report = check(nodes, claims)
    assert not report.ok
    assert [row.key for row in report.wrong] == ["grad:w2"]
    assert report.first_wrong.node is nodes["w2"]
    assert report.table().count("WRONG") == 1
    assert "first wrong: grad:w2 (dy/dw2)" in report.summary()
    assert report.wrong_nodes() == {nodes["w2"]: f"claimed grad {claims['grad:w2']}"}


def test_rows_are_in_calculation_order(nodes):
    """Forward values in topological order, then gradients from the output back."""
    claims = {"grad:w1": "0", "grad:h": "0", "y": "0", "w1": "1.45", "h": "0"}
    report = check(nodes, claims)
    assert [row.key for row in report.rows] == ["w1", "h", "y", "grad:h", "grad:w1"]
    assert report.first_wrong.key == "h"


def test_first_wrong_gradient_is_the_one_nearest_the_output(nodes):
    # w1 comes before h in topological order, but dy/dw1 is computed from dy/dh.
    wrong_h = f3(nodes["h"].grad + 0.1)
    claims = {"grad:w1": f3(float(wrong_h) * nodes["x1"].data), "grad:h": wrong_h}
    report = check(nodes, claims)
    assert report.first_wrong.key == "grad:h"
    assert "follows from your own dy/dh" in only_row(report, "grad:w1").hint


def test_check_accepts_a_root_a_node_dict_or_both(nodes):
    root = nodes["y"]
    claims = {"y": f3(root.data), "grad:w1": "0.1"}
    for target in (root, nodes, (root, nodes)):
        report = check(target, claims)
        assert [(row.key, row.ok) for row in report.rows] == [("y", True), ("grad:w1", False)]
    assert check(nodes, {"value:y": f3(root.data)}).ok


def test_true_gradients_do_not_depend_on_backward_calls():
    """Leaf gradients accumulate over backward() calls; the checker computes d(y)/d(node)."""
    exercise = a1("sigmoid")
    claims = {"grad:w1": f3(exercise.nodes["w1"].grad), "grad:h": f3(exercise.nodes["h"].grad)}
    exercise.output.backward()  # w1.grad is now twice d(y)/d(w1)
    assert check(exercise.output, claims).ok
    exercise.output.zero_grad()
    assert check(exercise.output, claims).ok


def test_true_gradients_agree_with_backward_when_a_local_derivative_is_infinite():
    """d sqrt(x)/dx is infinite at 0; a zero upstream sends nothing (0 × inf is not nan)."""
    root, nodes = build("y = 0*sqrt(x)", {"x": 0.0})
    assert nodes["x"].grad == 0.0
    report = check((root, nodes), {"grad:x": "0"})
    assert report.ok, report.summary()


def test_huge_and_infinite_true_numbers():
    with pytest.warns(RuntimeWarning, match="non-finite"):
        root, nodes = build("x*x", {"x": 1e200})  # y overflows to inf
    report = check((root, nodes), {"y": "1e300", "grad:x": "2e200"})
    assert [row.ok for row in report.rows] == [False, True]
    assert report.rows[0].hint == ""
    assert "inf" in report.table() and "2.0000e+200" in report.table()
    assert all(len(line) < 80 for line in report.summary().splitlines())  # no 200 digits


def test_claim_names_are_read_as_the_expression_reads_them(tmp_path):
    root, nodes = build("𝑦 = 2*ｘ", {"ｘ": 1.5})
    assert check((root, nodes), {"𝑦": "3.0", "grad:ｘ": "2"}).ok
    sheet = tmp_path / "sheet.toml"
    sheet.write_text('expression = "2*ｘ"\n[inputs]\n"ｘ" = 1.5\n', encoding="utf-8")
    assert load_sheet(sheet).inputs == {"x": 1.5}


def test_numbers_as_claims_use_their_repr(nodes):
    assert check(nodes, {"y": round(nodes["y"].data, 3)}).ok
    assert check(nodes, {"grad:y": 1}).ok


@pytest.mark.parametrize(
    "claims, message",
    [
        ({"grad:w3": "0.1"}, "no node named 'w3'; known names: b, h, w1, w2, x1, x2, y"),
        ({"q": "0.1"}, "no node named 'q'; known names: b, h,"),
        ({"gard:w1": "0.1"}, "write NAME=NUMBER or grad:NAME=NUMBER, not gard:"),
        ({"y": "abc"}, "claim y: 'abc' is not a number"),
        ({"y": "nan"}, "expected a finite number"),
        ({"y": True}, "expected a number"),
        ({"y": "1e400"}, "claim y: 1e400 is beyond a float's range"),
        ({"y": "1e-400"}, "claim y: 1e-400 is beyond a float's range"),
        ({}, "no claims to check"),
        ({"y": "0.666", "value:y": "0.67"}, "the value of y is claimed twice"),
    ],
)
def test_bad_claims_are_errors(nodes, claims, message):
    with pytest.raises(ClaimError) as info:
        check(nodes, claims)
    assert message in str(info.value)


def test_claim_on_a_node_outside_the_graph(nodes):
    from autograd import Value

    with pytest.raises(ClaimError, match="q is not part of the graph"):
        check((nodes["y"], {**nodes, "q": Value(1.0, label="q")}), {"q": "1"})


def test_parse_claims():
    assert parse_claims(["y=0.330", "grad:w1 = -0.61"]) == {"y": "0.330", "grad:w1": "-0.61"}
    with pytest.raises(ClaimError, match="is not NAME=NUMBER"):
        parse_claims(["y0.33"])
    with pytest.raises(ClaimError, match="gives y twice"):
        parse_claims(["y=1", "y=2"])


# --- hints: each computed from the graph -------------------------------------------------------
def hint_for(target, claims, key):
    row = only_row(check(target, claims), key)
    assert not row.ok
    return row.hint


def test_hint_one_minus_sigmoid(nodes):
    hint = hint_for(nodes, {"y": f3(1 - nodes["y"].data)}, "y")
    assert "is 1 − σ(h) instead of σ(h)" in hint


def test_hint_forward_value_given_as_gradient(nodes):
    hint = hint_for(nodes, {"grad:w1": f3(nodes["w1"].data)}, "grad:w1")
    assert "is the forward value of w1, not the gradient dy/dw1" in hint


def test_hint_gradient_given_as_forward_value(nodes):
    hint = hint_for(nodes, {"h": f3(nodes["h"].grad)}, "h")
    assert "is the gradient dy/dh, not the forward value" in hint


def test_hint_sign_flipped(nodes):
    hint = hint_for(nodes, {"grad:x1": f3(-nodes["x1"].grad)}, "grad:x1")
    assert hint.startswith("the sign is flipped")


def test_hint_forgot_the_local_derivative(nodes):
    hint = hint_for(nodes, {"grad:w1": f3(nodes["h"].grad)}, "grad:w1")
    assert "is dy/dh, the gradient upstream of w1; multiply it by the local derivative" in hint


def test_hint_mse_forgot_the_factor_2():
    _, nodes = build(A3, A3_INPUTS)
    for name in ("y", "z", "w3"):
        hint = hint_for(nodes, {f"grad:{name}": f3(nodes[name].grad / 2)}, f"grad:{name}")
        assert "the factor 2 of the squared error was dropped" in hint, name


def test_no_factor_2_hint_when_the_gradient_below_the_square_is_right():
    """dC/da = dC/dz × w3 with w3 = 2: giving dC/dz for dC/da is half the truth, but the
    right claim on z shows the 2 of the square was kept: the local derivative is missing."""
    _, nodes = build(A3, A3_INPUTS)
    assert nodes["w3"].data == 2.0
    claims = {"grad:z": f3(nodes["z"].grad), "grad:a": f3(nodes["z"].grad)}
    hint = hint_for(nodes, claims, "grad:a")
    assert "is dC/dz, the gradient upstream of a; multiply it by the local derivative" in hint
    alone = hint_for(nodes, {"grad:a": f3(nodes["z"].grad)}, "grad:a")
    assert "factor 2 of the squared error" in alone  # without the claim on z: ambiguous


def test_hint_factor_2_for_a_square_written_as_a_product():
    _, nodes = build("e = y - t; C = e*e", {"y": 0.8, "t": 1.0})
    hint = hint_for(nodes, {"grad:y": f3(nodes["y"].grad / 2)}, "grad:y")
    assert "factor 2" in hint


def test_no_factor_2_hint_without_a_square(nodes):
    hint = hint_for(nodes, {"grad:w1": f3(nodes["w1"].grad / 2)}, "grad:w1")
    assert "factor 2" not in hint


def test_hint_rounding_carried_forward(nodes):
    """h = 0.7 is right at one decimal; sigmoid(0.7) at three decimals is not sigmoid(h)."""
    rounded_h = f"{nodes['h'].data:.1f}"
    carried = f3(1 / (1 + math.exp(-float(rounded_h))))
    assert carried != f3(nodes["y"].data)
    report = check(nodes, {"h": rounded_h, "y": carried})
    assert only_row(report, "h").ok
    assert f"follows from your own h = {rounded_h}" in only_row(report, "y").hint
    assert report.first_wrong.key == "y"


def test_hint_truncated_instead_of_rounded(nodes):
    for name, node in nodes.items():  # noqa: B007 (name is used after the loop)
        for digits in range(1, 6):
            q = 10.0**-digits
            truncated = math.trunc(node.grad / q) * q
            if f"{truncated:.{digits}f}" != f"{node.grad:.{digits}f}":
                break
        else:
            continue
        break
    else:
        pytest.fail("no gradient where truncating and rounding differ")
    hint = hint_for(nodes, {f"grad:{name}": f"{truncated:.{digits}f}"}, f"grad:{name}")
    assert "was truncated; round it to the nearest" in hint


def test_hint_number_of_another_node(nodes):
    hint = hint_for(nodes, {"grad:h": f3(nodes["y"].data)}, "grad:h")
    assert "is the value of y; is it on the right node?" in hint


def test_no_hint_for_an_unexplained_number(nodes):
    assert hint_for(nodes, {"y": "0.5"}, "y") == ""


# --- answer sheets -----------------------------------------------------------------------------
def test_sheet_keeps_the_written_precision(tmp_path):
    sheet = tmp_path / "sheet.toml"
    sheet.write_text(
        'expression = "sigmoid(w*x + b)"\n'
        "[inputs]\nw = 1.45\nx = 2.8\nb = -4\n"
        "[values]\ny = 0.330\n"
        "[grads]\nw = 0.61\n"
        '[claims]\n"grad:b" = "0.2"\n'
    )
    loaded = load_sheet(sheet)
    assert loaded.expression == "sigmoid(w*x + b)"
    assert loaded.inputs == {"w": 1.45, "x": 2.8, "b": -4.0}
    assert loaded.claims == {"y": "0.330", "grad:w": "0.61", "grad:b": "0.2"}


@pytest.mark.parametrize(
    "text, message",
    [
        ("[value]\ny = 1\n", "unknown key(s) value; expected expression, inputs"),
        ("[values]\ny = \n", "not valid TOML"),
        ("expression = 3\n", "expression must be a string"),
        ("values = 3\n", "[values] must be a table"),
        ("[values]\ny = [1]\n", "claim y: expected a number"),
        ("[values]\ny = 1\n[claims]\ny = 2\n", "y is claimed twice"),
    ],
)
def test_bad_sheets(tmp_path, text, message):
    sheet = tmp_path / "sheet.toml"
    sheet.write_text(text)
    with pytest.raises(ClaimError) as info:
        load_sheet(sheet)
    assert message in str(info.value)


def test_missing_sheet(tmp_path):
    with pytest.raises(ClaimError, match="cannot read the answer sheet"):
        load_sheet(tmp_path / "nope.toml")


def test_a1_exercise_graph_can_be_checked_directly():
    exercise = a1("tanh")
    y = exercise.nodes["y"]
    report = check(exercise.output, {"y": f3(y.data), "grad:b": f3(exercise.nodes["b"].grad)})
    assert report.ok


def test_docstring_examples():
    import doctest

    import autograd.handcalc.check

    result = doctest.testmod(autograd.handcalc.check)
    assert result.attempted > 0 and result.failed == 0


EDGE_CASES = [
    # (expression, inputs): kinks, infinite local derivatives, shared nodes, zero upstreams
    ("y = 0*sqrt(x)", {"x": 0.0}),
    ("y = relu(x) * x", {"x": 0.0}),
    ("y = abs(x) + x*x", {"x": 0.0}),
    ("y = leaky_relu(x, alpha=0.1) * elu(x, alpha=0.1)", {"x": 0.0}),
    ("y = x**0.5 * 0", {"x": 0.0}),
    ("h = x*w + b; y = tanh(h) * h / (h + 3)", {"x": 0.5, "w": -2.0, "b": 0.25}),
    ("e = sigmoid(x) - t; y = e**2 + softplus(e) + exp(e) + log(x)", {"x": 0.3, "t": 1.0}),
]


@pytest.mark.parametrize("source, inputs", EDGE_CASES)
def test_true_gradients_agree_with_backward_and_the_step_player(source, inputs):
    """The checker, the step player and Value.backward each run the chain rule; they agree."""
    from autograd.viz.steps import build_steps

    root, nodes = build(source, inputs)
    order = topo_order(root)
    player = build_steps(root)["raw_grads"]
    claims = {f"grad:{name}": repr(node.grad) for name, node in nodes.items()}
    report = check((root, nodes), claims)
    assert report.ok, report.summary()
    # NOTE: the same terms, added in another order, may differ in the last bit.
    for row in report.rows:
        assert row.true == pytest.approx(row.node.grad, rel=1e-12, nan_ok=True), row.key
    for node, grad in zip(order, player):
        assert grad == pytest.approx(node.grad, rel=1e-12, nan_ok=True), node
