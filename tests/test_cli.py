"""The `autograd draw` and `autograd check` commands, run in-process through
`autograd.cli.main`, plus one run of the installed `autograd` script.

Diagrams written by the CLI are compared with `autograd.viz.draw` of the same graph built by
hand (autograd.exercises), so these tests check the CLI's parsing and wiring, not the drawing."""

import math
import re
import subprocess
import sys
from pathlib import Path

import pytest

from autograd.cli import EXIT_INTERNAL_ERROR
from autograd.exercises import A1_ACTIVATIONS, A1_INPUTS, a1
from autograd.viz import draw

SET = ["--set"] + [f"{name}={value}" for name, value in A1_INPUTS.items()]
PERCEPTRON = "sigmoid(w1*x1 + w2*x2 + b)"


def a1_steps(activation):
    params = "".join(f", {k}={v}" for k, v in A1_ACTIVATIONS[activation].items())
    return f"h = w1*x1 + w2*x2 + b; y = {activation}(h{params})"


# --- draw --------------------------------------------------------------------------------------
@pytest.mark.parametrize("activation", sorted(A1_ACTIVATIONS))
def test_draw_a1_into_dot_matches_the_exercise_diagram(tmp_path, activation, cli):
    path = tmp_path / f"a1_{activation}.dot"
    code, out, err = cli("draw", a1_steps(activation), *SET, "-o", path)
    assert code == 0, err
    exercise = a1(activation)
    assert path.read_text(encoding="utf-8") == draw(exercise.output).dot
    assert f"wrote {path}" in out
    y = exercise.nodes["y"]
    assert f"{y.data:.3f}" in path.read_text(encoding="utf-8")
    # the printed table has every named node's value and gradient
    for name, node in exercise.nodes.items():
        assert any(
            line.split() == [name, f"{node.data:.3f}", f"{node.grad:.3f}"]
            for line in out.splitlines()
        ), name


def test_draw_perceptron_numbers(tmp_path, cli):
    path = tmp_path / "perceptron.dot"
    code, _, _ = cli("draw", PERCEPTRON, *SET, "-o", path)
    assert code == 0
    h = 1.45 * 2.8 + (-0.35) * (-1.8) - 4
    y = 1 / (1 + math.exp(-h))
    dot = path.read_text(encoding="utf-8")
    assert f"{y:.3f}" in dot and f"{y * (1 - y) * 2.8:.3f}" in dot  # y and dy/dw1


@pytest.mark.parametrize(
    "flags, overrides",
    [
        (["--no-grad"], {"show_grad": False}),
        (["--edge-grads"], {"edge_grads": True}),
        (["--tb"], {"rankdir": "TB"}),
        (["--decimals", "5"], {"decimals": 5}),
        (["--title", "A1 sigmoid"], {"title": "A1 sigmoid"}),
    ],
)
def test_draw_style_flags(tmp_path, flags, overrides, cli):
    path = tmp_path / "g.dot"
    code, _, err = cli("draw", a1_steps("sigmoid"), *SET, "-o", path, *flags)
    assert code == 0, err
    expected = draw(a1("sigmoid").output, **overrides).dot
    assert expected != draw(a1("sigmoid").output).dot
    assert path.read_text(encoding="utf-8") == expected


def test_draw_svg(tmp_path, cli):
    pytest.importorskip("pygraphviz")
    path = tmp_path / "perceptron.svg"
    code, _, err = cli("draw", PERCEPTRON, *SET, "-o", path)
    assert code == 0, err
    text = path.read_text(encoding="utf-8")
    assert text.lstrip().startswith("<?xml") and "<svg" in text and "0.666" in text


def test_draw_steps_page(tmp_path, cli):
    pytest.importorskip("autograd.viz.steps")
    page = tmp_path / "steps.html"
    code, out, err = cli("draw", a1_steps("tanh"), *SET, "--steps", page)
    assert code == 0, err
    html = page.read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html") and "w1" in html
    assert f"wrote {page}" in out


def test_unused_values_get_a_note(tmp_path, cli):
    code, _, err = cli("draw", "tanh(w1*x1)", *SET, "-o", tmp_path / "g.dot")
    assert code == 0
    assert "note: not used by the expression: b, w2, x2" in err


def test_engine_warnings_are_one_line(tmp_path, cli):
    code, _, err = cli("draw", "sqrt(x)", "--set", "x=0", "-o", tmp_path / "g.dot")
    assert code == 0 and (tmp_path / "g.dot").exists()
    assert err.splitlines() == [
        "autograd draw: warning: backward(): node 'x' (a leaf) has a non-finite gradient; "
        "gradients downstream of it are not meaningful"
    ]


def test_table_prints_numbers_as_the_diagram_does(tmp_path, cli):
    code, out, _ = cli("draw", "x*y", "--set", "x=1e300", "y=2", "-o", tmp_path / "g.dot")
    assert code == 0
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines()[1:-1]}
    assert rows["x"] == ["1.000e+300", "2.000"]
    assert rows["y"] == ["2.000", "1.000e+300"]
    assert all(len(line) < 40 for line in out.splitlines()[:-1])  # not 301 digits


@pytest.mark.parametrize("command", ["draw", "check"])
def test_too_large_graph_names_the_command_line_option(tmp_path, command, cli):
    chain = "tanh(" * 14 + "x" + ")" * 14  # 15 value nodes
    args = [command, chain, "--set", "x=0.5", "-o", tmp_path / "g.svg"]
    args += ["--claim", "y=0.1"] if command == "check" else ["--steps", tmp_path / "s.html"]
    code, _, err = cli(*args, "--max-nodes", "10")
    assert code == 2
    assert err.splitlines()[-1] == (
        f"autograd {command}: error: the graph has 15 value nodes, more than --max-nodes 10; "
        "Graphviz would take long and the picture would be unreadable. Draw a part of it "
        "(the expression of one step) or raise the limit: --max-nodes 15"
    )
    assert list(tmp_path.iterdir()) == []
    code, _, err = cli(*args, "--max-nodes", "15")
    assert code in (0, 1) and (tmp_path / "g.svg").exists(), err


DRAW_ERRORS = [
    # (arguments after "draw", message, token under the caret or None)
    ([PERCEPTRON.replace("w2", "w3"), *SET], "no value for 'w3'", "w3"),
    (["sigmod(w1*x1 + b)", *SET], "unknown function 'sigmod'; did you mean 'sigmoid'?", "sigmod"),
    (["sigmoid(w1*x1 + b", *SET], "syntax error: '(' was never closed", "("),
    (["x1 ^ 2", *SET], "'^' is not a power here", "x1 ^ 2"),
    (["log(b)", *SET], "cannot compute this: log: needs a positive input, got -4", "log(b)"),
    ([PERCEPTRON, *SET, "x3"], "--set item 'x3' is not NAME=NUMBER", "x3"),
    ([PERCEPTRON, *SET, "x3=abc"], "--set x3: 'abc' is not a number", "x3=abc"),
    ([PERCEPTRON, *SET, "b=1"], "--set gives b twice", "b=1"),
]


@pytest.mark.parametrize("args, message, bad", DRAW_ERRORS)
def test_draw_errors(tmp_path, args, message, bad, cli):
    out = tmp_path / "g.svg"
    code, stdout, err = cli("draw", *args, "-o", out)
    assert code == 2
    lines = err.splitlines()
    assert lines[0].startswith("autograd draw: error: ") and message in lines[0]
    source, caret = lines[1], lines[2]
    assert caret.strip() == "^" * len(bad)
    start = caret.index("^")
    assert source[start : start + len(bad)] == bad
    assert list(tmp_path.iterdir()) == []
    assert stdout == ""


@pytest.mark.parametrize(
    "args, message",
    [
        (["-o", "{tmp}/g.jpg"], "-o {tmp}/g.jpg: unknown suffix '.jpg'; expected one of .svg"),
        (["-o", "{tmp}/g"], "unknown suffix '(none)'"),
        (["-o", "{tmp}/no/such/g.svg"], "the folder '{tmp}/no/such' does not exist"),
        (["--steps", "{tmp}/s.svg"], "--steps {tmp}/s.svg: unknown suffix '.svg'; expected one of"),
        ([], "nothing to write: give -o FILE"),
        (["-o", "{tmp}/g.svg", "--decimals", "20"], "decimals must be an int from 0 to 12"),
    ],
)
def test_draw_bad_output_options(tmp_path, args, message, cli):
    args = [a.format(tmp=tmp_path) for a in args]
    code, stdout, err = cli("draw", PERCEPTRON, *SET, *args)
    assert code == 2
    [line] = err.splitlines()
    assert line.startswith("autograd draw: error: ") and message.format(tmp=tmp_path) in line
    assert list(tmp_path.iterdir()) == [] and stdout == ""


@pytest.mark.parametrize(
    "argv",
    [
        ["draw", "-4*x+w", "--set", "x=1", "w=2", "-o", "{tmp}/g.dot"],
        ["draw", "--set", "x=1", "w=2", "-o", "{tmp}/g.dot", "-4*x+w"],
        ["draw", "-o", "{tmp}/g.dot", "--set", "x=1", "w=2", "--", "-4*x+w"],
        ["check", "-4*x+w", "--set", "x=1", "w=2", "--claim", "y=-2", "grad:x=-4"],
        ["check", "-x*4", "--set", "x=1", "w=2", "--claim", "y=-4", "grad:x=-4"],
        ["draw", "--title", "-", "--set", "x=1", "w=2", "-o", "{tmp}/g.dot", "-4*x+w"],
    ],
)
def test_expression_may_start_with_a_minus(tmp_path, argv, cli):
    code, out, err = cli(*[a.format(tmp=tmp_path) for a in argv])
    assert code == 0, err
    if argv[0] == "draw":
        assert "-2.000" in (tmp_path / "g.dot").read_text(encoding="utf-8")
    else:
        assert "all 2 claims ok" in out


def test_argparse_errors_exit_2_through_the_one_table(cli):
    code, _, err = cli("draw")
    assert code == 2
    assert err.splitlines() == [
        "autograd draw: error: the following arguments are required: EXPR "
        "(autograd draw --help lists the flags)"
    ]


# --- check -------------------------------------------------------------------------------------
def write_sheet(path: Path, exercise, wrong: dict | None = None) -> dict:
    """The student's answer sheet for A1: every value and gradient at 3 decimals, with the
    claims in ``wrong`` replaced."""
    values = {name: f"{node.data:.3f}" for name, node in exercise.nodes.items()}
    grads = {name: f"{node.grad:.3f}" for name, node in exercise.nodes.items()}
    for key, number in (wrong or {}).items():
        kind, _, name = key.rpartition(":")
        (grads if kind == "grad" else values)[name] = number
    lines = [f'expression = "{a1_steps("sigmoid")}"', "[inputs]"]
    lines += [f"{name} = {value}" for name, value in A1_INPUTS.items()]
    lines += ["[values]"] + [f"{name} = {v}" for name, v in values.items()]
    lines += ["[grads]"] + [f"{name} = {v}" for name, v in grads.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {**values, **{f"grad:{n}": v for n, v in grads.items()}}


def test_check_sheet_with_one_wrong_value(tmp_path, cli):
    exercise = a1("sigmoid")
    wrong = f"{1 - exercise.nodes['y'].data:.3f}"  # the classic: 1 - sigmoid(h)
    sheet = tmp_path / "answers.toml"
    claims = write_sheet(sheet, exercise, {"y": wrong})
    code, out, err = cli("check", "--claims", sheet)
    assert code == 1, err
    rows = [line.split() for line in out.splitlines() if line.endswith(("ok", "WRONG"))]
    assert len(rows) == len(claims)
    assert [row[0] for row in rows if row[-1] == "WRONG"] == ["y"]
    assert f"first wrong: y (the forward value): claimed {wrong}" in out
    assert "hint: " in out and "is 1 − σ(h) instead of σ(h)" in out


def test_check_sheet_all_right(tmp_path, cli):
    sheet = tmp_path / "answers.toml"
    claims = write_sheet(sheet, a1("sigmoid"))
    code, out, _ = cli("check", "--claims", sheet)
    assert code == 0 and f"all {len(claims)} claims ok" in out


def test_check_claims_on_the_command_line(cli):
    exercise = a1("sigmoid")
    y, w1 = exercise.nodes["y"], exercise.nodes["w1"]
    right = [f"y={y.data:.2f}", f"grad:w1={w1.grad:.3f}"]
    code, out, _ = cli("check", PERCEPTRON, *SET, "--claim", *right)
    assert code == 0
    code, out, _ = cli("check", PERCEPTRON, *SET, "--claim", right[0], "--claim", "grad:w1=0.5")
    assert code == 1 and "first wrong: grad:w1 (dy/dw1): claimed 0.5" in out


def test_check_writes_the_diagram_with_wrong_nodes_highlighted(tmp_path, cli):
    exercise = a1("sigmoid")
    path = tmp_path / "checked.dot"
    claims = [f"y={exercise.nodes['y'].data:.3f}", "grad:w1=0.61"]
    code, out, _ = cli("check", a1_steps("sigmoid"), *SET, "--claim", *claims, "-o", path)
    assert code == 1
    expected = draw(
        exercise.output,
        highlight={exercise.nodes["w1"]: "claimed grad 0.61"},
        title="autograd check: 1 of 2 claims wrong",
    ).dot
    assert path.read_text(encoding="utf-8") == expected


@pytest.mark.parametrize(
    "args, message",
    [
        (["--claim", "grad:w3=0.1"], "no node named 'w3'; known names: b, w1, w2, x1, x2, y"),
        (["--claim", "y0.3"], "--claim 'y0.3' is not NAME=NUMBER or grad:NAME=NUMBER"),
        (["--claim", "y=abc"], "claim y: 'abc' is not a number"),
        ([], "no claims: give --claim y=0.33"),
        (["--claim", "y=1", "-o", "{tmp}/c.gif"], "unknown suffix '.gif'"),
        (["--claims", "{tmp}/none.toml"], "cannot read the answer sheet"),
    ],
)
def test_check_input_errors(tmp_path, args, message, cli):
    args = [a.format(tmp=tmp_path) for a in args]
    code, stdout, err = cli("check", PERCEPTRON, *SET, *args)
    assert code == 2
    assert err.startswith("autograd check: error: ") and message in err
    assert list(tmp_path.iterdir()) == [] and stdout == ""


def test_check_expression_error_points_at_the_token(tmp_path, cli):
    code, _, err = cli("check", "tanh(w1*q)", *SET, "--claim", "y=1", "-o", tmp_path / "c.svg")
    assert code == 2
    assert err.splitlines()[1:] == ["  tanh(w1*q)", "          ^"]
    assert list(tmp_path.iterdir()) == []


def test_check_sheet_conflicts_with_the_command_line(tmp_path, cli):
    sheet = tmp_path / "answers.toml"
    write_sheet(sheet, a1("sigmoid"))
    code, _, err = cli("check", "tanh(b)", "--claims", sheet)
    assert code == 2 and "has another expression" in err
    code, _, err = cli("check", "--claims", sheet, "--set", "b=1")
    assert code == 2 and "b is -4.0 in" in err and "but 1.0 in --set" in err
    code, _, err = cli("check", "--claims", sheet, "--claim", "y=0.666")
    assert code == 2 and "y is claimed both in" in err
    sheet.write_text("[values]\ny = 1\n")
    code, _, err = cli("check", "--claims", sheet)
    assert code == 2 and "no expression" in err


# --- the installed script ----------------------------------------------------------------------
def test_installed_script(tmp_path):
    script = Path(sys.executable).with_name("autograd")
    assert script.exists(), "the autograd script is missing: pip install -e ."
    path = tmp_path / "p.dot"
    ok = subprocess.run(
        [script, "draw", PERCEPTRON, *SET, "-o", path], capture_output=True, text=True, timeout=60
    )
    assert ok.returncode == 0, ok.stderr
    exercise = a1("sigmoid")
    exercise.nodes["h"].label = ""  # the expression does not name the sum
    assert path.read_text(encoding="utf-8") == draw(exercise.output).dot
    bad = subprocess.run(
        [script, "draw", "tanh(w1*q)", *SET, "-o", tmp_path / "q.svg"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2
    assert bad.stderr.splitlines()[0] == (
        "autograd draw: error: no value for 'q'; give one with --set q=NUMBER"
    )
    assert not (tmp_path / "q.svg").exists()


# --- demo --------------------------------------------------------------------------------------
def test_demo_prints_a1_writes_gallery_and_pages_and_trains_xor(tmp_path, cli):
    code, out, err = cli("demo", "--out", tmp_path / "demo")
    assert code == 0, err
    sigmoid = a1("sigmoid").nodes
    row = next(line for line in out.splitlines() if line.startswith("sigmoid"))
    assert row.split()[1:4] == [
        f"{sigmoid['y'].data:.3f}",
        f"{sigmoid['h'].grad:.3f}",
        f"{sigmoid['w1'].grad:.3f}",
    ]
    written = sorted(p.name for p in (tmp_path / "demo").iterdir())
    assert "a1_sigmoid.svg" in written and "a3.dot" in written
    assert "a1_sigmoid.png" in written and "a3.png" in written  # the course hands in PNG
    assert {"steps_a1_sigmoid.html", "steps_a3.html"} <= set(written)
    assert str((tmp_path / "demo" / "steps_a3.html").resolve()) in out
    # XOR: every output has the target's sign
    xor_rows = [line for line in out.splitlines() if "target" in line]
    assert len(xor_rows) == 4
    for line in xor_rows:
        target, output = float(line.split("target")[1].split()[0]), float(line.split()[-1])
        assert target * output > 0.5, line


def test_draw_steps_page_carries_local_derivatives_on_edges(tmp_path, cli):
    page = tmp_path / "steps.html"
    code, _, err = cli("draw", PERCEPTRON, *SET, "--steps", page)
    assert code == 0, err
    plain = tmp_path / "plain.html"
    from autograd.viz.steps import save_steps
    from autograd.viz.style import Style

    save_steps(a1("sigmoid").output, plain, Style(edge_grads=False))
    # edge labels add <text> elements to the inlined SVG
    assert page.read_text().count("<text") > plain.read_text().count("<text")


# --- issue 15: no traceback, exit codes that mean one thing ------------------------------------
@pytest.mark.parametrize("claim", ["y=1E-323", "y=1E-310", "grad:w1=1E-320"])
def test_claims_of_a_tiny_precision_are_just_wrong(claim, cli):
    code, out, err = cli("check", PERCEPTRON, *SET, "--claim", claim)
    assert code == 1, err
    assert "WRONG" in out and err == ""
    assert max(len(line) for line in out.splitlines()) < 200  # no 323-digit number


@pytest.mark.parametrize("number", ["0E+400", "0E+309", "1E+400"])
def test_claims_beyond_a_floats_range_are_bad_input(tmp_path, number, cli):
    code, _, err = cli("check", PERCEPTRON, *SET, "--claim", f"y={number}")
    assert code == 2 and "beyond a float's range" in err
    sheet = tmp_path / "s.toml"
    sheet.write_text(f'expression = "{PERCEPTRON}"\n[values]\ny = {number}\n')
    code, _, err = cli("check", *SET, "--claims", sheet)
    assert code == 2 and "beyond a float's range" in err


@pytest.mark.parametrize(
    "content, message",
    [
        (b"[values]\ny = 0.5\xff\n", r"not UTF-8 text \(byte 0xff at offset 16\)"),
        (b"a = " + b"[" * 5000 + b"]" * 5000 + b"\n", "nested too deeply"),
        (b"#" * 1_000_001, "larger than 1 MB"),
    ],
    ids=["byte 0xff", "nested 5000 deep", "2 MB"],
)
def test_hostile_answer_sheets_are_bad_input(tmp_path, content, message, cli):
    sheet = tmp_path / "s.toml"
    sheet.write_bytes(content)
    code, _, err = cli("check", PERCEPTRON, *SET, "--claims", sheet)
    assert code == 2, err
    assert re.search(message, err) and len(err.splitlines()) == 1


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_an_endless_answer_sheet_is_refused(cli):
    code, _, err = cli("check", PERCEPTRON, *SET, "--claims", "/dev/zero")
    assert code == 2 and "larger than 1 MB" in err


def test_a_long_input_is_echoed_around_the_caret_only(cli):
    long_name = "a" * 100_000
    code, _, err = cli("draw", f"x + {long_name} * x", "--set", "x=1", "-o", "g.svg")
    assert code == 2 and "no value for 'aaa" in err
    assert len(err) < 2_000
    line, caret = err.splitlines()[1:3]
    assert caret.strip().startswith("^") and line.strip().startswith("x + aaa")
    code, _, err = cli("draw", "x +" + " " * 100_000 + "q", "--set", "x=1", "-o", "g.svg")
    assert code == 2 and len(err) < 2_000
    line, caret = err.splitlines()[1:3]
    assert line.endswith("   q") and line.startswith("  …")
    assert caret.index("^") == line.index("q")


def test_an_internal_error_is_one_line_with_its_own_exit_code(monkeypatch, cli):
    import autograd.handcalc.expr

    def broken(*args, **kwargs):
        raise KeyError("a bug")

    monkeypatch.setattr(autograd.handcalc.expr, "build", broken)
    code, out, err = cli("draw", PERCEPTRON, *SET, "-o", "never.svg")
    assert code == EXIT_INTERNAL_ERROR == 4
    assert err.splitlines() == [
        "autograd draw: error: internal error (KeyError: 'a bug'); this is a bug in "
        "autograd-lab, please report it with the command line that caused it"
    ]
    code, _, err = cli("check", PERCEPTRON, *SET, "--claim", "y=0.5")
    assert code == 4 and "internal error" in err


def test_exit_codes_are_documented_in_the_readme():
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert "4 for an internal error" in readme
