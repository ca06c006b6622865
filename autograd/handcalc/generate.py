"""Per-student exercises: every student of a roster gets their own numbers for one exercise,
drawn reproducibly from their roster id and the class's seed, so copying is pointless and a
sheet can be graded against its author's own numbers.

>>> a = assignment("a1-sigmoid", "s001", seed=7)
>>> b = assignment("a1-sigmoid", "s001", seed=7)
>>> a.values == b.values and a.values != assignment("a1-sigmoid", "s002", seed=7).values
True

The fairness rules (`RULES`), checked on every draw (`unfair` names the rule a draw breaks):

1. every input on a 0.1 grid, inside its template's range;
2. every pre-activation of sigmoid or tanh with |h| <= 3 (not saturated, so σ' and tanh' are
   not lost in rounding); every input of relu, elu, leaky_relu and abs at least 0.1 from the
   kink at 0 (the derivative is defined and read off one branch);
3. no gradient of a node (inputs, named steps and the unnamed ones between) below 0.01 in
   magnitude, so no answer is 0.000 at the course's 3 decimals;
4. no two students of a class with the same numbers (`generate_class` draws again).

A draw that breaks a rule is thrown away and the next one is taken (``attempt`` 0, 1, 2 ...);
the attempt that was kept is written in the student's sheet with the template, the id and the
seed, and `regenerate` makes the same numbers from them.

Templates are the course exercises of `autograd.exercises.TEMPLATES` (``a1-sigmoid`` ...
``a4``) or any expression `autograd.handcalc.expr.build` reads with a range for each input
(`Template.custom`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import os
import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograd.graph import Backprop, backprop
from autograd.handcalc.claims import ClaimError
from autograd.handcalc.expr import ExpressionError, build

__all__ = ["Template", "Assignment", "template", "assignment", "generate_class", "regenerate"]
__all__ += ["unfair", "read_roster", "write_class", "sheet_text", "blank_trace", "RULES"]
__all__ += ["own_numbers", "practice_data", "TEMPLATE_NAMES", "practice_player", "student_player"]
__all__ += ["sheet_info", "generate", "parse_ranges", "GENERATE_HELP"]

RULES = (
    "inputs and weights on a 0.1 grid inside the template's ranges; "
    "pre-activations of sigmoid and tanh with |h| <= 3, inputs of relu, elu, leaky_relu and abs "
    "at least 0.1 from 0; no gradient below 0.01 in magnitude; "
    "no two students with the same numbers"
)
GRID = 0.1
SATURATION = 3.0  # |h| above this: sigmoid and tanh are flat, their slopes round to nothing
KINK_MARGIN = 0.1  # |h| below this: too near the kink of relu, elu, leaky_relu, abs
MIN_GRADIENT = 0.01
MAX_ATTEMPTS = 2000
ROSTER_MAX_BYTES = 1_000_000
_SATURATING = ("sigmoid", "tanh")
_KINKED = ("relu", "elu", "leaky_relu", "abs")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


@dataclass(frozen=True)
class Template:
    """An exercise to hand out: its ``name``, its ``expression`` (`build`'s language) and the
    range ``(low, high)`` of every input."""

    name: str
    expression: str
    ranges: dict[str, tuple[float, float]]

    @classmethod
    def custom(cls, expression: str, ranges: dict[str, tuple[float, float]]) -> Template:
        """A template of any expression: every input needs a range ``(low, high)``, with at
        least one point of the 0.1 grid in it."""
        for name, bounds in ranges.items():
            try:
                low, high = (float(x) for x in bounds)
            except (TypeError, ValueError):
                raise ValueError(f"range of {name}: expected (low, high), got {bounds!r}") from None
            if not (math.isfinite(low) and math.isfinite(high)) or _grid(low, high) == []:
                raise ValueError(
                    f"range of {name}: ({low}, {high}) holds no multiple of {GRID} "
                    "(expected low <= high, finite)"
                )
        try:
            _, nodes = build(expression, {name: 0.5 for name in ranges})
        except ExpressionError as e:
            if e.missing:
                raise ValueError(
                    f"no range for the input {e.missing!r}: give {e.missing}=LOW:HIGH"
                ) from None
            raise
        unused = sorted(name for name in ranges if name not in nodes)
        if unused:
            raise ValueError(f"range(s) for {', '.join(unused)}, which the expression never uses")
        return cls("custom", expression, {k: (float(a), float(b)) for k, (a, b) in ranges.items()})


def _grid(low: float, high: float) -> list[int]:
    """The points of the 0.1 grid in [low, high], in tenths."""
    first, last = math.ceil(round(low / GRID, 9)), math.floor(round(high / GRID, 9))
    return [first, last] if first <= last else []


def _course_templates() -> dict[str, Template]:
    from autograd.exercises import TEMPLATES

    return {name: Template(name, expr, dict(ranges)) for name, (expr, ranges) in TEMPLATES.items()}


TEMPLATE_NAMES = ("a1-sigmoid", "a1-tanh", "a1-elu", "a1-leaky-relu", "a2", "a3", "a4")


def template(name: str) -> Template:
    """The course template ``name`` (`TEMPLATE_NAMES`); `ValueError` naming them otherwise."""
    templates = _course_templates()
    if name not in templates:
        raise ValueError(f"unknown template {name!r}; expected one of {', '.join(templates)}")
    return templates[name]


@dataclass
class Assignment:
    """One student's exercise: the template, the student's id, the class seed, the attempt
    that was kept, the numbers, and the built, back-propagated graph (``root``, ``nodes``)."""

    template: Template
    student: str
    seed: int
    attempt: int
    values: dict[str, float]
    root: Any = field(repr=False, default=None)
    nodes: dict[str, Any] = field(repr=False, default_factory=dict)

    @property
    def key(self) -> tuple:
        """What makes two assignments alike: their numbers."""
        return tuple(sorted(self.values.items()))

    def trace(self) -> Backprop:
        return backprop(self.root)


def _rng(tpl: Template, student: str, seed: int, attempt: int) -> random.Random:
    # NOTE: sha256, not hash(): Python salts str hashes per process; this must be the same
    # number on every machine and in every year the sheet is graded.
    text = f"{tpl.expression}|{seed}|{student}|{attempt}"
    return random.Random(int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big"))


def _draw(tpl: Template, student: str, seed: int, attempt: int) -> dict[str, float]:
    rng = _rng(tpl, student, seed, attempt)
    values = {}
    for name in sorted(tpl.ranges):
        first, last = _grid(*tpl.ranges[name])
        values[name] = round(rng.randint(first, last) * GRID, 1)
    return values


def unfair(root, nodes: dict[str, Any]) -> str:
    """The fairness rule (2 or 3 of `RULES`) the graph of ``root`` breaks, or ``""``."""
    trace = backprop(root)
    for node in trace.order:
        if node.op in _SATURATING and abs(node.parents[0].data) > SATURATION:
            return f"saturated: |input of {node.op}| = {abs(node.parents[0].data):.3g} > 3"
        if node.op in _KINKED and abs(node.parents[0].data) < KINK_MARGIN:
            return f"at the kink: |input of {node.op}| = {abs(node.parents[0].data):.3g} < 0.1"
    for node in trace.order:
        if not node.parents and not node.label:
            continue  # a constant of the formula (the 2 of 2xy): not asked for
        if not abs(trace.grads[node]) >= MIN_GRADIENT:
            name = node.label or f"the {node.op} node"
            return f"tiny gradient: |grad {name}| = {abs(trace.grads[node]):.3g} < 0.01"
    return ""


def assignment(
    tpl: Template | str, student: str, seed: int, start: int = 0, taken: set | None = None
) -> Assignment:
    """The first fair draw for ``student`` (attempts ``start``, ``start + 1`` ...), skipping
    numbers already in ``taken`` (`Assignment.key`s). `ValueError` if no fair draw is found."""
    tpl = template(tpl) if isinstance(tpl, str) else tpl
    _check_id(student)
    last = ""
    for attempt in range(start, start + MAX_ATTEMPTS):
        values = _draw(tpl, student, seed, attempt)
        if taken and tuple(sorted(values.items())) in taken:
            continue
        root, nodes = build(tpl.expression, values)
        last = unfair(root, nodes)
        if not last:
            return Assignment(tpl, student, seed, attempt, values, root, nodes)
    raise ValueError(
        f"{tpl.name}: no fair numbers for {student!r} in {MAX_ATTEMPTS} draws (the last was "
        f"{last or 'taken by another student'}); widen the input ranges"
    )


def regenerate(tpl: Template | str, student: str, seed: int, attempt: int) -> Assignment:
    """The numbers of ``student``'s sheet, made again from its template, id, seed and attempt
    (`ValueError` if that attempt is not a fair draw: it cannot come from `generate_class`)."""
    tpl = template(tpl) if isinstance(tpl, str) else tpl
    _check_id(student)
    values = _draw(tpl, student, seed, attempt)
    root, nodes = build(tpl.expression, values)
    rule = unfair(root, nodes)
    if rule:
        raise ValueError(
            f"{tpl.name}, {student}, seed {seed}, attempt {attempt}: not a generated draw ({rule})"
        )
    return Assignment(tpl, student, seed, attempt, values, root, nodes)


def generate_class(tpl: Template | str, students: list[str], seed: int) -> list[Assignment]:
    """Every student's assignment, in roster order; a student whose numbers a student before
    them already has draws again (rule 4), so no two are alike."""
    tpl = template(tpl) if isinstance(tpl, str) else tpl
    if len(set(students)) != len(students):
        twice = sorted({s for s in students if students.count(s) > 1})
        raise ValueError(f"roster: id(s) {', '.join(twice)} appear more than once")
    taken: set = set()
    out = []
    for student in students:
        a = assignment(tpl, student, seed, taken=taken)
        taken.add(a.key)
        out.append(a)
    return out


def _check_id(student: str) -> None:
    if not isinstance(student, str) or not _ID.fullmatch(student):
        raise ValueError(
            f"student id {student!r}: expected 1 to 64 letters, digits, '_', '.' or '-' "
            "(it names the student's files), starting with a letter or digit"
        )


def read_roster(path: str | os.PathLike) -> list[str]:
    """The student ids of a roster CSV: the column ``id`` (other columns are ignored), in
    order. `ValueError` naming the file for a missing column, an empty or bad id."""
    path = Path(path)
    try:
        with open(path, "rb") as f:
            data = f.read(ROSTER_MAX_BYTES + 1)  # NOTE: bounded: /dev/zero never ends
    except OSError as e:
        raise ValueError(f"roster {path}: cannot be read ({e.strerror or e})") from None
    if len(data) > ROSTER_MAX_BYTES:
        raise ValueError(f"roster {path}: larger than {ROSTER_MAX_BYTES} bytes")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ValueError(f"roster {path}: not UTF-8 text ({e})") from None
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "id" not in [f.strip() for f in reader.fieldnames]:
        raise ValueError(f"roster {path}: expected a CSV with a column 'id' (e.g. id,name)")
    column = next(f for f in reader.fieldnames if f.strip() == "id")
    ids = []
    for line, row in enumerate(reader, start=2):
        student = (row.get(column) or "").strip()
        try:
            _check_id(student)
        except ValueError as e:
            raise ValueError(f"roster {path}, line {line}: {e}") from None
        ids.append(student)
    if not ids:
        raise ValueError(f"roster {path}: no students")
    return ids


# --- what the student gets ------------------------------------------------------------------
def _answer_names(a: Assignment) -> tuple[list[str], list[str]]:
    """The nodes a sheet asks for: the value of every step, the gradient of every named node
    but the outputs (theirs is 1), both in hand order."""
    order = a.trace().order
    outputs = a.root if isinstance(a.root, list) else [a.root]
    named = {node: name for name, node in a.nodes.items()}
    values = [named[n] for n in order if n in named and n.parents]
    grads = [named[n] for n in reversed(order) if n in named and n not in outputs]
    return values, grads


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a TOML basic string is JSON's string


def sheet_text(a: Assignment, answers: dict[str, str] | None = None, exercise: bool = True) -> str:
    """The student's answer sheet (TOML, read by ``autograd check --claims``): the
    expression, the ``[exercise]`` it was generated from, the student's inputs and a blank
    (``""``) for every value and gradient to work out; ``answers`` ({``"h"`` or
    ``"grad:w1"``: number as text}) fills some in."""
    answers = answers or {}
    values, grads = _answer_names(a)
    who = f"{a.template.name} for {a.student}" if exercise else "Answer sheet"
    lines = [
        f'# {who}: replace each "" by your number (e.g. 0.123);',
        "# gradients are d(output)/d(node). Grade it: autograd check --claims THIS_FILE",
        f"expression = {_toml_string(a.template.expression)}",
    ]
    if exercise:
        lines += [
            "",
            "[exercise]  # where your numbers come from: do not edit",
            f"template = {_toml_string(a.template.name)}",
            f"student = {_toml_string(a.student)}",
            f"seed = {a.seed}",
            f"attempt = {a.attempt}",
        ]
        if a.template.name == "custom":
            lines.append(f"ranges = {_toml_string(json.dumps(a.template.ranges))}")
    lines += ["", "[inputs]"]
    lines += [f"{name} = {_input(a.values[name])}" for name in a.values]
    lines += ["", "[values]"]
    lines += [f"{name} = {_answer(answers.get(name))}" for name in values]
    lines += ["", "[grads]"]
    lines += [f"{name} = {_answer(answers.get('grad:' + name))}" for name in grads]
    return "\n".join(lines) + "\n"


def _input(value) -> str:
    return '"?"' if value == "?" else repr(value)  # "?": left unknown (handcalc.symbolic)


def _answer(text: str | None) -> str:
    if text is None or not str(text).strip():
        return '""'
    try:
        float(text)
    except ValueError:
        return _toml_string(str(text).strip())  # an expression in unknowns
    return str(text).strip()


class _Blank:
    """A number left for the student to work out (drawn as an empty box)."""

    free_symbols = True  # NOTE: `Arithmetic.is_number` says no, so the diagram asks `show`


def blank_trace(a: Assignment) -> Backprop:
    """The trace of the student's graph with every number but the inputs' values blank: drawn
    by `autograd.viz.draw(..., trace=...)` it is the blank graph handed out."""
    from autograd.notation import ATOM, FLOATS, Arithmetic

    trace = a.trace()

    def show(x, decimals):
        return ("        ", ATOM) if isinstance(x, _Blank) else FLOATS.show(x, decimals)

    blank = Arithmetic(FLOATS.functions, FLOATS.where, show, "blank")
    keep = {node for node in trace.order if not node.parents}
    values = {n: (n.data if n in keep else _Blank()) for n in trace.order}
    grads = {n: _Blank() for n in trace.order}
    return Backprop(trace.root, trace.order, grads, trace.edges, values, blank)


def practice_data(a: Assignment) -> dict:
    """What the practice page needs beyond the steps, computed here from the checker: for
    every answer (``"h"``, ``"grad:w1"``) the numbers the known slips give with the hint the
    checker writes for each (`autograd.handcalc.hints`), and the precision rule's unit
    (3 decimals). The page only compares typed numbers with these."""
    from autograd.handcalc.check import check
    from autograd.notation import Namer
    from autograd.viz.dot import as_roots, graph_nodes, is_constant

    trace = a.trace()
    # every node by the name the player shows (w1 × x1 for an unnamed product), so that the
    # steps between the named ones get the checker's hints too
    order = graph_nodes(as_roots(a.root))
    namer = Namer(order)
    named = {namer.name(i): node for i, node in enumerate(order) if not is_constant(node)}
    outputs = as_roots(a.root)
    keys = [name for name, node in named.items() if node.parents]
    keys += [f"grad:{name}" for name, node in named.items()
             if node in trace.grads and not any(node is y for y in outputs)]  # fmt: skip
    out = {}
    for key in keys:
        kind, name = ("grad", key[5:]) if key.startswith("grad:") else ("value", key)
        node = named[name]
        true = node.data if kind == "value" else trace.grads[node]
        slips = []
        for wrong in _slip_candidates(a, node, kind, trace):
            text = f"{wrong:.3f}"
            if text in {s["value"] for s in slips}:
                continue
            row = check((a.root, named), {key: text}).rows[0]
            if not row.ok and row.hint:
                slips.append({"value": text, "hint": row.hint})
        out[key] = {"true": true, "text": f"{true:.3f}", "slips": slips}
    return out


def _slip_candidates(a: Assignment, node, kind: str, trace: Backprop) -> list[float]:
    """The numbers the checker's pitfalls stand for at ``node`` (each is tried through the
    checker, which keeps only those it has a hint for): the op table's value and slope slips,
    a lost sign, a forward value given as a gradient (and back), the upstream gradient
    without the local factor, half a squared error's gradient, truncation."""
    from autograd.graph import children

    true = node.data if kind == "value" else trace.grads[node]
    out = [-true, math.trunc(true * 1000) / 1000]
    if kind == "value":
        out.append(trace.grads[node])
        spec = type(node).OPS.get(node.op) if node.parents else None
        for slip in () if spec is None else spec.slips:
            if slip.of == "value":
                env = spec.environment([p.data for p in node.parents], node.data, node.params)
                out.append(_evaluate(slip.formula, env, {}))
        return [x for x in out if x is not None and math.isfinite(x)]
    out += [node.data, true / 2]
    kids = children(trace.order).get(node, ())
    for child in kids:
        out.append(trace.grads[child])
        spec = type(child).OPS.get(child.op)
        if spec is None:
            continue
        env = spec.environment([p.data for p in child.parents], child.data, child.params)
        mine = sum(trace.grads[child] * d for p, d in zip(child.parents, child.local_grads)
                   if p is node)  # fmt: skip
        for slip in spec.slips:
            if slip.of == "slope":
                wrong = _evaluate(slip.formula, env, child.params or {})
                if wrong is not None:
                    out.append(true - mine + trace.grads[child] * wrong)
    return [x for x in out if x is not None and math.isfinite(x)]


def _evaluate(formula, env, params) -> float | None:
    try:
        return float(formula.bind(dict(params)).evaluate(env))
    except (ValueError, ZeroDivisionError, OverflowError, TypeError, KeyError):
        return None


# --- grading: a generated sheet against its author's own numbers -----------------------------
def own_numbers(sheet, path) -> tuple[Any, list[str]]:
    """For a generated sheet (one with ``[exercise]``): the sheet with the expression and
    inputs regenerated from its template, id, seed and attempt, and notes naming whatever the
    student's copy changed (``inputs edited: x1 = 2.7, generated 2.8``). `ClaimError` for an
    ``[exercise]`` that does not name a generated draw."""
    import dataclasses

    info = sheet.exercise
    try:
        name, student = info["template"], info["student"]
        seed, attempt = int(info["seed"]), int(info["attempt"])
        if name == "custom":
            ranges = {k: tuple(v) for k, v in json.loads(info["ranges"]).items()}
            tpl = Template.custom(sheet.expression or "", ranges)
        else:
            tpl = template(name)
        a = regenerate(tpl, student, seed, attempt)
    except (KeyError, TypeError, ValueError) as e:
        what = f"missing {e}" if isinstance(e, KeyError) else str(e)
        raise ClaimError(
            f"{path}: [exercise] does not name a generated exercise ({what}); it needs "
            "template, student, seed and attempt as written by autograd exercises generate"
        ) from None
    notes = []
    if sheet.expression is not None and sheet.expression != tpl.expression:
        notes.append("expression edited (graded against the generated one)")
    edited = [
        f"{k} = {sheet.inputs.get(k, 'missing')}, generated {v!r}"
        for k, v in a.values.items()
        if k in sheet.inputs and sheet.inputs[k] != v or k not in sheet.inputs
    ]
    extra = sorted(set(sheet.inputs) - set(a.values))
    edited += [f"{k} added" for k in extra]
    if edited:
        notes.append("inputs edited: " + "; ".join(edited))
    fixed = dataclasses.replace(sheet, expression=tpl.expression, inputs=dict(a.values))
    return fixed, notes


# --- the class's files ------------------------------------------------------------------------
def write_class(
    tpl: Template | str,
    students: list[str],
    seed: int,
    out: str | os.PathLike,
    practice: bool = True,
) -> list[Path]:
    """Write a class's exercises into ``out``: per student ``students/ID/`` with the blank
    graph (``graph.svg``, ``graph.png``), the answer sheet (``sheet.toml``) and the practice
    page (``practice.html``); for the teacher ``key/ID.svg`` (the full diagram),
    ``key/values.csv`` (every value and gradient of every student) and ``manifest.json``.
    Everything is rendered before the first file is written; each file is written atomically.
    Returns the paths written."""
    from autograd.files import write_atomic
    from autograd.notation import format_number
    from autograd.viz import draw

    tpl = template(tpl) if isinstance(tpl, str) else tpl
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f"exercises generate: {str(out)!r} exists and is not a folder")
    assignments = generate_class(tpl, students, seed)
    contents: dict[Path, bytes] = {}
    rows = []
    manifest: dict[str, Any] = {"template": tpl.name, "expression": tpl.expression,
                                "ranges": tpl.ranges, "seed": seed, "rules": RULES,
                                "students": []}  # fmt: skip
    for a in assignments:
        folder = out / "students" / a.student
        title = f"{tpl.name} for {a.student}"
        blank = draw(a.root, trace=blank_trace(a), title=title)
        contents[folder / "graph.svg"] = blank.render("svg")
        contents[folder / "graph.png"] = blank.render("png")
        contents[folder / "sheet.toml"] = sheet_text(a).encode("utf-8")
        if practice:
            page = student_player(a).html()
            contents[folder / "practice.html"] = page.encode("utf-8")
        contents[out / "key" / f"{a.student}.svg"] = draw(
            a.root, title=f"{title} (key)", edge_grads=True
        ).render("svg")
        trace = a.trace()
        for name, node in a.nodes.items():
            rows.append([a.student, seed, a.attempt, name, format_number(node.data, 6),
                         format_number(trace.grads[node], 6)])  # fmt: skip
        manifest["students"].append(
            {"id": a.student, "attempt": a.attempt, "inputs": a.values,
             "files": sorted(str(p.relative_to(out)) for p in contents if p.parent == folder)}
        )  # fmt: skip
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", "seed", "attempt", "node", "value", "grad"])
    writer.writerows(rows)
    contents[out / "key" / "values.csv"] = buffer.getvalue().encode("utf-8")
    contents[out / "manifest.json"] = (json.dumps(manifest, indent=1) + "\n").encode("utf-8")
    for path in contents:
        path.parent.mkdir(parents=True, exist_ok=True)
    return [write_atomic(path, data) for path, data in contents.items()]


def practice_player(expression: str, values: dict[str, float], **options):
    """The practice page (`autograd.viz.steps.StepPlayer` with ``practice=True``) of any
    expression `build` reads, with the checker's slips and hints and an answer sheet to
    download (``autograd draw EXPR --set ... --practice page.html``). ``options`` go to the
    player (``style``). An input whose value is ``"?"`` is left unknown: the numbers it
    reaches are typed as expressions and compared by the checker when the sheet is graded
    (no hints on such a page yet)."""
    from autograd.handcalc.expr import split_unknowns
    from autograd.viz.steps import StepPlayer

    numbers, unknown = split_unknowns(values)
    root, nodes = build(expression, numbers)
    inputs = {name: value for name, value in values.items() if name in nodes}
    a = Assignment(Template("expression", expression, {}), "", 0, 0, inputs, root, nodes)
    symbols = [nodes[name] for name in unknown if name in nodes] or None
    answers = practice_data(a) if symbols is None else {}  # NOTE: slips of numbers only
    return StepPlayer(
        root, practice=True, answers=answers, sheet=sheet_info(a, exercise=False),
        symbols=symbols, **options,
    )  # fmt: skip


def student_player(a: Assignment):
    """A student's practice page: their own numbers, their sheet to download."""
    from autograd.viz.steps import StepPlayer

    title = f"Practice: {a.template.name} for {a.student}"
    from autograd.viz.style import Style

    return StepPlayer(
        a.root, Style(title=title), practice=True, answers=practice_data(a), sheet=sheet_info(a)
    )


def sheet_info(a: Assignment, exercise: bool = True) -> dict:
    """The sheet's fixed part, for the practice page's download: the sheet text with a
    placeholder the page fills with the typed answers (`sheet_text`)."""
    values, grads = _answer_names(a)
    marker = {name: f"@@{name}@@" for name in values}
    marker.update({f"grad:{name}": f"@@grad:{name}@@" for name in grads})
    text = sheet_text(a, {}, exercise=exercise)
    # each blank line "name = """ gets its key, so the page can put the typed number there
    lines = []
    section = ""
    for line in text.splitlines():
        if line.startswith("["):
            section = line.split("]")[0] + "]"
        name = line.split(" = ")[0]
        if line.endswith('= ""') and section in ("[values]", "[grads]"):
            key = name if section == "[values]" else f"grad:{name}"
            line = f"{name} = {marker[key]}"
        lines.append(line)
    name = f"{a.student}-sheet.toml" if a.student else "answer-sheet.toml"
    return {"text": "\n".join(lines) + "\n", "name": name}


# --- the command line's entry points (autograd exercises generate, autograd draw --practice) --
GENERATE_HELP = (
    "Make a class's exercises: every student of the roster (a CSV with a column 'id') gets "
    "their own numbers for TEMPLATE (a1-sigmoid a1-tanh a1-elu a1-leaky-relu a2 a3 a4, or an "
    "expression with --range for each input), drawn reproducibly from their id and --seed. "
    f"Fairness rules: {RULES}. Per student (DIR/students/ID/): the blank graph (graph.svg, "
    "graph.png), the answer sheet (sheet.toml, graded by autograd check --claims) and the "
    "practice page (practice.html); for the teacher: DIR/key/ (full diagrams, values.csv "
    "of every value and gradient) and DIR/manifest.json."
)


def parse_ranges(items: list[str]) -> dict[str, tuple[float, float]]:
    """``["w=-2:2", "x=0:1.5"]`` -> ``{"w": (-2.0, 2.0), "x": (0.0, 1.5)}``."""
    ranges = {}
    for item in items:
        name, eq, bounds = item.partition("=")
        low, colon, high = bounds.partition(":")
        try:
            if not (eq and colon and name.strip()):
                raise ValueError
            ranges[name.strip()] = (float(low), float(high))
        except ValueError:
            raise ValueError(f"--range {item!r}: expected NAME=LOW:HIGH, e.g. w=-2:2") from None
    return ranges


def generate(
    template_or_expression: str,
    roster: str | os.PathLike,
    seed: int,
    out: str | os.PathLike,
    ranges: list[str] | None = None,
) -> list[Path]:
    """``autograd exercises generate``: a course template by name (`TEMPLATE_NAMES`), or an
    expression with ``ranges`` (``NAME=LOW:HIGH`` items) for its inputs; `write_class`."""
    if template_or_expression in TEMPLATE_NAMES:
        if ranges:
            raise ValueError("--range is for an expression; a course template has its ranges")
        tpl = template(template_or_expression)
    else:
        if not ranges:
            raise ValueError(
                f"{template_or_expression!r} is not a template ({', '.join(TEMPLATE_NAMES)}); "
                "for an expression give --range NAME=LOW:HIGH for each input"
            )
        tpl = Template.custom(template_or_expression, parse_ranges(ranges))
    return write_class(tpl, read_roster(roster), seed, out)
