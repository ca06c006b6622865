"""Values left unknown (issue 12): A3's targets as the report left them, values and gradients
as expressions in t1 and t2, in the diagram, the command line and the checker. Expected
expressions are built from the engine's numbers at two target values, not typed in."""

import pytest

sympy = pytest.importorskip("sympy")

from autograd.cli import main  # noqa: E402
from autograd.exercises import A3_CLUSTERS, a3  # noqa: E402
from autograd.handcalc.check import ClaimError, check  # noqa: E402
from autograd.handcalc.symbolic import symbolic  # noqa: E402
from autograd.viz import draw  # noqa: E402

A3 = (
    "h1 = w11*x1 + w12*x2 + b1; h2 = w21*x1 + w22*x2 + b2; y1 = sigmoid(h1); y2 = sigmoid(h2); "
    "e1 = y1 - t1; e2 = y2 - t2; C = e1**2 + e2**2"
)
SET = ["--set", "x1=-3.1", "x2=1.5", "w11=-0.2", "w12=2.0", "w21=-0.5", "w22=-0.3"]
SET += ["b1=-4", "b2=-1"]


def at(targets):
    """The engine's numbers of A3 with these targets."""
    import autograd.exercises as ex

    saved = dict(ex.A3_TARGETS)
    ex.A3_TARGETS.update(targets)
    try:
        return a3()
    finally:
        ex.A3_TARGETS.update(saved)


def test_gradients_are_expressions_that_agree_with_the_engine_at_any_target():
    e = a3()
    s = symbolic(e.output, [e.nodes["t1"], e.nodes["t2"]])
    t1, t2 = s.symbols[e.nodes["t1"]], s.symbols[e.nodes["t2"]]
    for targets in ({"t1": 0.3, "t2": -2.0}, {"t1": 1.7, "t2": 0.25}):
        engine = at(targets)
        for name in ("b1", "x1", "x2", "w22", "y2", "e1"):
            expr = s.grads[e.nodes[name]]
            value = float(expr.subs({t1: targets["t1"], t2: targets["t2"]}))
            assert value == pytest.approx(engine.nodes[name].grad, rel=1e-9, abs=1e-12)
    assert s.text(s.values[e.nodes["e1"]]) == f"{e.nodes['y1'].data:.3f} - t1"
    assert "t2" not in s.text(s.grads[e.nodes["b1"]])  # neuron 1 sees only t1


def test_diagram_shows_the_expressions():
    e = a3()
    dot = draw(e.output, symbols=[e.nodes["t1"], e.nodes["t2"]], clusters=A3_CLUSTERS).dot
    assert f">{e.nodes['y1'].data:.3f} - t1<" in dot
    assert "·t1" in dot and "·t2" in dot
    assert dot.count(">1.000<") >= 1  # dC/dC stays a number


def test_symbolic_claims_are_compared_symbolically():
    e = a3()
    symbols = [e.nodes["t1"], e.nodes["t2"]]
    y1, delta = e.nodes["y1"].data, e.nodes["y1"].data * (1 - e.nodes["y1"].data)
    factored = f"{delta:.3f}*(2*({y1:.3f} - t1))"
    expanded = f"{2 * delta * y1:.3f} - {2 * delta:.3f}*t1"
    wrong = f"{delta:.3f}*({y1:.3f} - t1)"  # the factor 2 dropped
    report = check(e.nodes, {"grad:b1": factored, "grad:h1": expanded, "grad:y1": "0.812 - 2·t1"},
                   symbols=symbols)  # fmt: skip
    assert report.ok, report.summary()
    report = check(e.nodes, {"grad:b1": wrong}, symbols=symbols)
    assert not report.ok and "t1" in report.rows[0].true_text
    # a whole number (the 2) is exact and does not make the written 1.0 coarse: 0.812 is not 1.0
    assert not check(e.nodes, {"grad:y1": "1.0 - 2·t1"}, symbols=symbols).ok
    assert check(e.nodes, {"grad:y1": "0.81 - 2·t1"}, symbols=symbols).ok
    swapped = expanded.replace("t1", "t2")  # the right numbers on the wrong unknown
    assert not check(e.nodes, {"grad:b1": swapped}, symbols=symbols).ok
    with pytest.raises(ClaimError, match="'q' is not an unknown"):
        check(e.nodes, {"grad:b1": "0.2 - q"}, symbols=symbols)


def test_cli_set_unknown(tmp_path, capsys):
    path = tmp_path / "a3.dot"
    code = main(["draw", A3, *SET, "t1=?", "t2=?", "-o", str(path)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert [line.split()[1] for line in out.splitlines() if line.startswith("e1 ")] == ["0.406"]
    assert "0.406 - t1" in out and "0.406 - t1" in path.read_text(encoding="utf-8")
    code = main(["check", A3, *SET, "t1=?", "t2=?", "--claim", "e1=0.406 - t1", "grad:h2=0.5"])
    out, _ = capsys.readouterr()
    assert code == 1
    assert "first wrong: grad:h2 (dC/dh2): claimed 0.5, true 0.262 - 0.499·t2" in out


def test_step_player_writes_the_expressions():
    from autograd.viz.steps import build_steps

    e = a3()
    data = build_steps(e.output, symbols=[e.nodes["t1"], e.nodes["t2"]])
    names = [node["name"] for node in data["nodes"]]
    y1 = f"{e.nodes['y1'].data:.3f}"
    forward = {names[s["node"]]: s for s in data["steps"] if s["phase"] == "forward"}
    backward = {names[s["node"]]: s for s in data["steps"] if s["phase"] == "backward"}
    assert forward["e1"]["lines"] == ["e1 = y1 - t1", f"= {y1} - t1"]
    assert forward["t1"]["lines"] == ["t1 is unknown"]
    assert backward["y1"]["grad"] == f"{2 * float(y1):.3f} - 2·t1"
    [edge] = backward["y1"]["outgoing"]
    assert edge["upstream"] == backward["y1"]["grad"] and "t1" in edge["contribution"]
    assert backward["x1"]["sum"].count("t") >= 2  # both neurons' terms, in t1 and t2


def test_cli_steps_with_unknowns(tmp_path, capsys):
    page = tmp_path / "a3.html"
    code = main(["draw", A3, *SET, "t1=?", "t2=?", "--steps", str(page)])
    assert code == 0, capsys.readouterr().err
    assert "0.406 - t1" in page.read_text(encoding="utf-8")


def test_sheet_with_an_unknown_input(tmp_path, capsys):
    sheet = tmp_path / "ana.toml"
    inputs = "".join(f"{item.replace('=', ' = ')}\n" for item in SET[1:])
    sheet.write_text(
        f'expression = "{A3}"\n[inputs]\n{inputs}t1 = "?"\nt2 = "?"\n'
        '[values]\ne1 = "0.406 - t1"\n[grads]\nh2 = "0.5"\n',
        encoding="utf-8",
    )
    code = main(["check", "--claims", str(sheet)])
    out, err = capsys.readouterr()
    assert code == 1, err
    assert "e1       0.406 - t1" in out and "first wrong: grad:h2" in out
    code = main(["check", "--claims", str(sheet), str(sheet), "--csv", str(tmp_path / "g.csv")])
    out, _ = capsys.readouterr()
    assert code == 1 and "grad:h2: 2 of 2" in out
