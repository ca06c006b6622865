"""The checker never misleads (issue 12): hints are true statements about the numbers, the
table settles ties, rounding carried forward where the course's report did it, the names
students write, syntax errors in the course's words, English counts, the output's label.
Wrong claims are made from the true numbers, never typed in."""

import math
from decimal import Decimal

import pytest

from autograd.cli import main
from autograd.exercises import A1_INPUTS
from autograd.handcalc.check import ClaimError, check, truncated
from autograd.handcalc.expr import ExpressionError, build

SET = ["--set"] + [f"{name}={value}" for name, value in A1_INPUTS.items()]
TANH = "h = w1*x1 + w2*x2 + b; y = tanh(h)"


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def row_of(report, key):
    [row] = [row for row in report.rows if row.key == key]
    return row


# --- hints are true --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "expression, inputs, claim",
    [
        ("a*b", {"a": 0.7, "b": 0.1}, "0.06"),  # the float is 0.06999999999999999
        ("elu(w1*x1 + w2*x2 + b, alpha=0.1)", A1_INPUTS, "0.68"),  # true 0.69 (0.6899999...)
    ],
)
def test_no_truncated_hint_on_float_round_off(expression, inputs, claim):
    root, nodes = build(expression, inputs)
    intended = Decimal(claim) + Decimal("0.01")  # the true number: the claim + 0.01
    assert Decimal(f"{root.data:.12g}") == intended
    assert Decimal(root.data) < intended  # ... and its float lies just below it
    report = check((root, nodes), {"y": claim})
    assert not report.ok
    assert "truncated" not in report.hint


def test_truncated_is_read_at_twelve_significant_digits():
    assert truncated(0.06999999999999999, 0.01) is None
    assert truncated(0.5979, 0.01) == pytest.approx(0.59)
    assert truncated(0.5949, 0.01) is None  # cutting and rounding agree


def test_table_shows_enough_digits_to_settle_a_tie(capsys):
    args = ["check", "sigmoid(w*x + b)", "--set", "w=1.45", "x=2.8", "b=-4", "--claim", "y=0.52"]
    code, out, _ = run(capsys, *args)
    true = 1 / (1 + math.exp(-(1.45 * 2.8 - 4)))
    assert f"{true:.5f}" == "0.51500"  # five digits would read as a tie
    assert code == 1
    [line] = [line for line in out.splitlines() if line.startswith("y ")]
    assert "0.51500" not in line
    assert f"{true:.6f}" in line and "WRONG" in line


# --- rounding carried forward, as the report did it ---------------------------------------
def test_report_tanh_rounding_carried_forward():
    """The report wrote tanh's y = 0.59, then 1 - 0.59² = 0.652 for grad_h, and grad_b = grad_h."""
    root, nodes = build(TANH, A1_INPUTS)
    y = nodes["y"].data
    assert f"{y:.2f}" != "0.59" and f"{1 - y * y:.2f}" != "0.65"  # both are wrong
    report = check((root, nodes), {"y": "0.59", "grad:h": "0.65", "grad:b": "0.65"})
    assert report.first_wrong.key == "y" and not report.first_wrong.carried
    grad_h, grad_b = row_of(report, "grad:h"), row_of(report, "grad:b")
    assert grad_h.carried and "follows from your own y = 0.59" in grad_h.hint
    assert grad_b.carried and "not a second error" in grad_b.hint
    assert "dy/dh" in grad_b.hint
    summary = report.summary()
    assert "3 of 3 claims wrong (1 on its own, 2 follow from your own numbers)" in summary
    assert "carried" in report.table()


# --- names students write ----------------------------------------------------------------
@pytest.mark.parametrize("key", ["grad_w1", "w1.grad", "∂y/∂w1", "dy/dw1", "grad:w1"])
def test_gradient_spellings_are_understood(key):
    root, nodes = build("sigmoid(w1*x1 + w2*x2 + b)", A1_INPUTS)
    report = check((root, nodes), {key: f"{nodes['w1'].grad:.3f}"})
    assert report.ok and report.rows[0].kind == "grad" and report.rows[0].name == "w1"


def test_dw1_is_answered_with_did_you_mean():
    root, nodes = build("sigmoid(w1*x1 + w2*x2 + b)", A1_INPUTS)
    with pytest.raises(ClaimError, match=r"did you mean grad:w1"):
        check((root, nodes), {"dw1": "0.62"})


def test_gradient_of_another_output_is_refused_with_the_right_spelling():
    root, nodes = build("sigmoid(w1*x1 + w2*x2 + b)", A1_INPUTS)
    with pytest.raises(ClaimError, match=r"those of the output 'y'; write grad:w1"):
        check((root, nodes), {"dC/dw1": "0.62"})


def test_claim_on_an_unnamed_intermediate_says_how_to_name_it():
    root, nodes = build("sigmoid(w1*x1 + w2*x2 + b)", A1_INPUTS)
    with pytest.raises(ClaimError) as error:
        check((root, nodes), {"h": "0.69"})
    message = str(error.value)
    assert "no node named 'h'" in message and "name its step in the expression" in message
    assert "w1 × x1 + w2 × x2 + b" in message


def test_sheet_with_dotted_gradient_keys(tmp_path, capsys):
    sheet = tmp_path / "sheet.toml"
    sheet.write_text(
        'expression = "sigmoid(w1*x1 + w2*x2 + b)"\n[inputs]\n'
        + "".join(f"{k} = {v}\n" for k, v in A1_INPUTS.items())
        + "[claims]\nw1.grad = 0.623\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "check", "--claims", sheet)
    assert code == 0, err
    assert "w1.grad" in out


def test_sheet_without_an_input_says_to_add_it_under_inputs(tmp_path, capsys):
    sheet = tmp_path / "ana.toml"
    sheet.write_text('expression = "w*x"\n[inputs]\nw = 2\n[values]\ny = 3\n', encoding="utf-8")
    code, _, err = run(capsys, "check", "--claims", sheet)
    assert code == 2
    assert f"add it under [inputs] in {sheet}" in err and "x = NUMBER" in err


# --- syntax errors in the course's words ---------------------------------------------------
@pytest.mark.parametrize(
    "source, message, bad",
    [
        ("h = w*x + b, y = sigmoid(h)", "separate steps with ';' or a new line", ","),
        ("2x + b", "write 2*x for 2x", "2x"),
        ("w*x + 2(b)", "write 2*(...)", "2(b)"),
        ("e^x", "write exp(x) for e^x", "e^x"),
        ("e^(2*x)", "write exp(2*x) for e^(2*x)", "e^(2*x)"),
        ("ReLU(x)", "did you mean 'relu'", "ReLU"),
        ("ln(x)", "did you mean 'log'", "ln"),
    ],
)
def test_syntax_errors_speak_the_course_language(source, message, bad):
    with pytest.raises(ExpressionError) as error:
        build(source, {"x": 1.0, "w": 2.0, "b": 0.5})
    assert message in str(error.value)
    e = error.value
    assert source[e.col : e.col + e.width] == bad


def test_numbers_with_exponents_are_not_taken_for_products():
    root, _ = build("1e2*x", {"x": 2.0})
    assert root.data == 200.0


# --- English, and the output's label ---------------------------------------------------------
def test_counts_read_as_english():
    root, nodes = build("sigmoid(w1*x1 + w2*x2 + b)", A1_INPUTS)
    one = check((root, nodes), {"y": f"{root.data:.3f}"}).summary()
    assert one.splitlines()[-1] == "the claim is ok" and "all 1 claims" not in one
    wrong = check((root, nodes), {"y": "0.1"}).summary()
    assert wrong.splitlines()[-1] == "the claim is wrong"
    two = check((root, nodes), {"y": f"{root.data:.3f}", "grad:b": "0.1"}).summary()
    assert two.splitlines()[-1] == "1 of 2 claims wrong"


def test_cli_says_which_label_the_output_got(tmp_path, capsys):
    code, out, err = run(capsys, "draw", "x*y", "--set", "x=1", "y=2", "-o", tmp_path / "g.dot")
    assert code == 0
    assert "the output is labelled 'f' ('y' is an input)" in err
    code, out, err = run(capsys, "draw", "x*z", "--set", "x=1", "z=2", "-o", tmp_path / "g.dot")
    assert code == 0 and "labelled" not in err
