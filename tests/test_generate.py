"""Per-student exercises (autograd.handcalc.generate): the fairness rules over thousands of
draws, reproducibility from id + seed, the class's files, and grading of generated sheets that
all differ (with deliberate slips, carried credit and an edited sheet)."""

from __future__ import annotations

import csv
import json
import math

import pytest

from autograd.files import read_toml
from autograd.graph import backprop
from autograd.handcalc.check import load_sheet
from autograd.handcalc.generate import (
    TEMPLATE_NAMES,
    Template,
    assignment,
    generate_class,
    practice_data,
    read_roster,
    regenerate,
    sheet_text,
    unfair,
    write_class,
)
from autograd.handcalc.grade import grade


def _on_grid(x: float) -> bool:
    return math.isclose(x * 10, round(x * 10), abs_tol=1e-9)


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_fairness_rules_hold_over_many_draws(name):
    """Rules 1-4 of RULES, checked independently of `unfair` over 500 students per template
    (3500 draws): grid and ranges, |pre-activation| <= 3 for σ/tanh and >= 0.1 at a kink, no
    gradient below 0.01, no two students alike."""
    students = [f"s{i:04d}" for i in range(500)]
    cls = generate_class(name, students, seed=2026)
    seen = set()
    for a in cls:
        for k, x in a.values.items():
            low, high = a.template.ranges[k]
            assert _on_grid(x) and low - 1e-9 <= x <= high + 1e-9, (a.student, k, x)
        trace = backprop(a.root)
        for node in trace.order:
            if node.op in ("sigmoid", "tanh"):
                assert abs(node.parents[0].data) <= 3.0
            if node.op in ("elu", "leaky_relu", "relu"):
                assert abs(node.parents[0].data) >= 0.1 - 1e-12
            if node.parents or node.label:
                assert abs(trace.grads[node]) >= 0.01, (a.student, node.label, node.op)
        assert a.key not in seen
        seen.add(a.key)


def test_reproducible_from_id_and_seed():
    a = assignment("a2", "ana", seed=3)
    assert regenerate("a2", "ana", 3, a.attempt).values == a.values
    assert assignment("a2", "ana", seed=4).values != a.values
    assert assignment("a2", "ben", seed=3).values != a.values


def test_unfair_names_the_rule():
    from autograd.handcalc.expr import build

    root, nodes = build("y = sigmoid(w*x)", {"w": 2.0, "x": 2.0})
    assert unfair(root, nodes).startswith("saturated")
    root, nodes = build("y = sigmoid(w*x)", {"w": 0.0, "x": 2.0})
    assert unfair(root, nodes).startswith("tiny gradient: |grad x|")
    root, nodes = build("y = elu(w*x, alpha=0.1)", {"w": 0.1, "x": 0.5})
    assert unfair(root, nodes).startswith("at the kink")


def test_regenerate_refuses_an_unfair_attempt():
    tpl = Template.custom("y = sigmoid(w*x)", {"w": (3.0, 3.0), "x": (2.0, 2.0)})
    with pytest.raises(ValueError, match="not a generated draw"):
        regenerate(tpl, "ana", 1, 0)
    with pytest.raises(ValueError, match="no fair numbers"):
        assignment(tpl, "ana", 1)


def test_custom_template_errors():
    with pytest.raises(ValueError, match="no range for the input 'b'"):
        Template.custom("w*x + b", {"w": (-1, 1), "x": (-1, 1)})
    with pytest.raises(ValueError, match="holds no multiple"):
        Template.custom("w*x", {"w": (0.01, 0.02), "x": (-1, 1)})
    with pytest.raises(ValueError, match="never uses"):
        Template.custom("w*x", {"w": (-1, 1), "x": (-1, 1), "z": (0, 1)})


def test_roster_errors(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("name,id\nAna,s1\nBen,s2\n")
    assert read_roster(path) == ["s1", "s2"]
    path.write_text("name\nAna\n")
    with pytest.raises(ValueError, match="column 'id'"):
        read_roster(path)
    path.write_text("id\n../etc\n")
    with pytest.raises(ValueError, match="line 2"):
        read_roster(path)
    with pytest.raises(ValueError, match="more than once"):
        generate_class("a4", ["s1", "s1"], 1)


def _fill(a, answers: dict[str, str]) -> str:
    return sheet_text(a, answers)


def _true_answers(a) -> dict[str, str]:
    data = practice_data(a)
    return {key: entry["text"] for key, entry in data.items()}


def _svg_number(x: float) -> str:
    return f">{x:.3f}<".replace("-", "&#45;")


def test_write_class_files(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\ns01,Ana\ns02,Ben\n")
    written = write_class("a1-tanh", read_roster(roster), 11, tmp_path / "out", practice=False)
    out = tmp_path / "out"
    for sid in ("s01", "s02"):
        folder = out / "students" / sid
        assert (folder / "graph.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        svg = (folder / "graph.svg").read_text()
        sheet = read_toml(folder / "sheet.toml")
        assert sheet["exercise"]["student"] == sid
        # the blank graph shows the inputs' values and no other number
        for x in sheet["inputs"].values():
            assert _svg_number(x) in svg
        a = regenerate("a1-tanh", sid, 11, sheet["exercise"]["attempt"])
        assert _svg_number(a.root.data) not in svg
        assert _svg_number(a.nodes["h"].data) not in svg
        assert _svg_number(a.root.data) in (out / "key" / f"{sid}.svg").read_text()
    rows = list(csv.DictReader((out / "key" / "values.csv").open()))
    assert {r["student"] for r in rows} == {"s01", "s02"} and len(rows) == 2 * 7
    manifest = json.loads((out / "manifest.json").read_text())
    assert [s["id"] for s in manifest["students"]] == ["s01", "s02"]
    assert "0.1 grid" in manifest["rules"]
    assert len(written) == 2 * 4 + 2  # graph.svg, .png, sheet, key svg; values.csv, manifest


def test_grading_a_generated_class_with_slips(tmp_path):
    """Every student has other numbers; each sheet is graded against its author's own ones.
    ana: all right. ben: 1 − σ for σ' at h (the checker's hint), the rest carried from it.
    cem: right numbers of ana's exercise (copied): wrong against his own. dan: edited inputs."""
    cls = generate_class("a1-sigmoid", ["ana", "ben", "cem", "dan"], seed=5)
    ana, ben, cem, dan = cls
    sheets = {}
    sheets["ana"] = _fill(ana, _true_answers(ana))
    answers = _true_answers(ben)
    wrong_h = float(ben.nodes["y"].grad) * (1 - ben.root.data)
    answers["grad:h"] = f"{wrong_h:.3f}"
    for name in ("b", "x1", "x2", "w1", "w2"):  # carried on from the wrong grad:h
        local = ben.nodes[name].grad / ben.nodes["h"].grad
        answers[f"grad:{name}"] = f"{wrong_h * local:.3f}"
    sheets["ben"] = _fill(ben, answers)
    sheets["cem"] = _fill(cem, _true_answers(ana))  # ana's answers on cem's sheet
    text = _fill(dan, _true_answers(dan))
    x1 = dan.values["x1"]
    sheets["dan"] = text.replace(f"x1 = {x1!r}", f"x1 = {x1 + 0.1:.1f}")
    paths = []
    for sid, text in sheets.items():
        path = tmp_path / f"{sid}.toml"
        path.write_text(text)
        paths.append(path)
    grades = grade(paths)
    rows = {row.sheet.stem: row for row in grades.rows}
    assert rows["ana"].wrong == 0 and rows["ana"].status == "graded"
    assert rows["ben"].first_wrong == "grad:h"
    assert "1 − σ(h)" in rows["ben"].hint
    carried = [r for r in rows["ben"].report.wrong if r.carried]
    assert {r.key for r in carried} >= {"grad:w1", "grad:b"}
    assert rows["cem"].wrong >= 6  # ana's numbers are not cem's
    assert rows["dan"].wrong == 0
    assert rows["dan"].status.startswith("graded; inputs edited: x1 = ")
    assert grades.most_missed()[0][0] in {r.key for r in rows["cem"].report.wrong}
    table = list(csv.reader(grades.csv().splitlines()))
    assert "inputs edited" in table[4][1]


def test_generated_sheet_without_answers_or_with_a_forged_exercise(tmp_path):
    a = assignment("a4", "eve", seed=1)
    path = tmp_path / "eve.toml"
    path.write_text(sheet_text(a))
    sheet = load_sheet(path)
    assert sheet.claims == {} and "grad:x" in sheet.unanswered
    (row,) = grade([path]).rows
    assert row.status.startswith("unreadable") and "nothing answered yet" in row.error
    path.write_text(sheet_text(a, {"f": "1"}).replace("attempt = 0", 'attempt = "x"'))
    (row,) = grade([path]).rows
    assert "does not name a generated exercise" in row.error


def test_cli_generates_a_class_and_grades_it(tmp_path, capsys):
    from autograd.cli import main

    roster = tmp_path / "roster.csv"
    roster.write_text("id\nana\nben\n")
    out = tmp_path / "class"
    argv = ["exercises", "generate", "a4", "--students", str(roster), "--seed", "3"]
    assert main([*argv, "--out", str(out)]) == 0
    assert (out / "students" / "ben" / "practice.html").exists()
    sheets = sorted(out.glob("students/*/sheet.toml"))
    # ana answers all right, ben copies ana's numbers
    ana, ben = (regenerate("a4", sid, 3, 0) for sid in ("ana", "ben"))
    sheets[0].write_text(sheet_text(ana, _true_answers(ana)))
    sheets[1].write_text(sheet_text(ben, _true_answers(ana)))
    grades = tmp_path / "grades.csv"
    assert main(["check", "--claims", *map(str, sheets), "--csv", str(grades)]) == 1
    rows = list(csv.DictReader(grades.open()))
    assert [(r["status"], r["wrong"]) for r in rows] == [("graded", "0"), ("graded", "3")]
    assert "most often wrong" in capsys.readouterr().out
    expression = ["exercises", "generate", "w*x", "--students", str(roster), "--seed", "1"]
    assert main([*expression, "--out", str(out)]) == 2  # an expression needs --range
    assert "--range NAME=LOW:HIGH" in capsys.readouterr().err
    assert main([*expression, "--out", str(out), "--range", "w=1:2", "x=1:2"]) == 0


def test_cli_draw_practice(tmp_path, capsys):
    from autograd.cli import main

    page = tmp_path / "p.html"
    assert main(["draw", "y = tanh(w*x + b)", "--set", "w=0.5", "x=1.2", "b=-0.3",
                 "--practice", str(page)]) == 0  # fmt: skip
    assert '"key":"grad:w"' in page.read_text()
    # an unknown: its numbers are typed as expressions, for the checker
    assert main(["draw", "w*x", "--set", "w=?", "x=1", "--practice", str(page)]) == 0
    assert '"key":"y","true":null' in page.read_text()


def test_an_expression_template_is_graded_from_the_ranges_in_its_sheet(tmp_path):
    tpl = Template.custom("y = tanh(w*x + b)", {"w": (-2, 2), "x": (-2, 2), "b": (-1, 1)})
    ana, ben = generate_class(tpl, ["ana", "ben"], seed=5)
    for a in (ana, ben):
        (tmp_path / f"{a.student}.toml").write_text(sheet_text(a, _true_answers(a)))
    text = (tmp_path / "ben.toml").read_text()
    assert '\\"w\\": [-2.0, 2.0]' in text  # the ranges, a JSON text in a TOML string
    (tmp_path / "ben.toml").write_text(text.replace('\\"w\\": [-2.0, 2.0]', '\\"w\\": [-3.0, 3.0]'))
    ok, forged = grade(sorted(tmp_path.glob("*.toml"))).rows
    assert ok.status == "graded" and ok.wrong == 0 and ok.claims == 4
    # other ranges, other numbers: not the draw the sheet says it is (or other inputs)
    assert forged.error or forged.notes, forged
