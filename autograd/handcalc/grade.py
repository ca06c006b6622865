"""Grading a whole class: every student's answer sheet checked against one expression (or the
sheet's own), one row per sheet, and which nodes the class got wrong most often.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "ana.toml").write_text('[inputs]\\nw = 2\\nx = 3\\n[values]\\ny = 6\\n')
>>> _ = (folder / "ben.toml").write_text('[inputs]\\nw = 2\\nx = 3\\n[grads]\\nw = 2\\n')
>>> grades = grade(sorted(folder.glob("*.toml")), "w*x")
>>> [(row.sheet.name, row.claims, row.wrong, row.first_wrong) for row in grades.rows]
[('ana.toml', 1, 0, ''), ('ben.toml', 1, 1, 'grad:w')]
>>> grades.most_missed()
[('grad:w', 1)]

A malformed sheet (bad TOML, an unknown node, a missing input) is reported in its row
(``error``) and does not stop the others. `sheet_check` merges one sheet with the command
line's expression, inputs and claims; ``autograd check`` uses it for one sheet and for many.
"""

from __future__ import annotations

import csv
import io
import os
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograd.handcalc.check import CheckReport, ClaimError, check, load_sheet
from autograd.handcalc.expr import ExpressionError, build

__all__ = ["grade", "Grades", "GradeRow", "sheet_check", "CSV_COLUMNS"]

CSV_COLUMNS = ("sheet", "status", "claims", "wrong", "first_wrong", "hints", "error")


def sheet_check(
    path: str | os.PathLike,
    expression: str | None = None,
    values: Mapping[str, float] | None = None,
    claims: Mapping[str, str] | None = None,
    outputs: list[str] | None = None,
    unknown: list[str] | None = None,
    builder=None,
    notes: list[str] | None = None,
) -> tuple[Any, dict, CheckReport, dict[str, float]]:
    """Check the sheet at ``path``, with ``expression``, input ``values`` and ``claims`` given
    besides it (on the command line). Returns ``(root, nodes, report, values used)``.
    ``unknown``: names of inputs left unknown (``--set t1=?``; a sheet's ``t1 = "?"``).
    ``builder(expression, values, outputs)`` builds the graph (default: `build`; the command
    line passes one that prints the engine's warnings and its notes).
    A generated sheet (``[exercise]``, `autograd.handcalc.generate`) is checked against its
    author's own numbers, made again from its id and seed; what the student's copy changed is
    appended to ``notes`` (``inputs edited: ...``).
    Raises `ClaimError` or `ExpressionError` (naming the sheet) for a malformed sheet."""
    sheet = load_sheet(path)
    if sheet.exercise is not None:
        from autograd.handcalc.generate import own_numbers

        sheet, edits = own_numbers(sheet, path)
        if notes is not None:
            notes.extend(edits)
        if expression and expression != sheet.expression:
            raise ClaimError(f"{path} is a generated sheet of another expression")
        expression = sheet.expression
    if sheet.expression and expression and sheet.expression != expression:
        raise ClaimError(f"{path} has another expression; give only one of them")
    expression = expression or sheet.expression
    values = dict(values or {})
    for name, value in sheet.inputs.items():
        if values.setdefault(name, value) != value:
            raise ClaimError(
                f"{name} is {value} in {path} but {values[name]} in --set; give it once"
            )
    claims = dict(claims or {})
    for key in claims.keys() & sheet.claims.keys():
        raise ClaimError(f"{key} is claimed both in {path} and by --claim")
    claims.update(sheet.claims)
    if not expression:
        raise ClaimError(
            f'no expression: give it as the first argument or as expression = "..." in {path}'
        )
    if not claims and sheet.unanswered:
        raise ClaimError(f'{path}: nothing answered yet (every number is still "")')
    if not claims:
        raise ClaimError(f"{path} has no claims: add [values] or [grads]")
    unknown = list(unknown or [])
    if "?" in values.values():
        from autograd.handcalc.expr import split_unknowns

        values, more = split_unknowns(values)
        unknown += [name for name in more if name not in unknown]
    try:
        if builder is None:
            root, nodes = build(expression, values, outputs=outputs)
        else:
            root, nodes = builder(expression, values, outputs)
    except ExpressionError as e:
        if e.missing:
            e.message = (
                f"no value for {e.missing!r}: add it under [inputs] in {path} "
                f"({e.missing} = NUMBER) or give --set {e.missing}=NUMBER"
            )
            e.args = (e.message,)
        raise
    symbols = [nodes[name] for name in unknown if name in nodes] or None
    return root, nodes, check((root, nodes), claims, symbols=symbols), values


@dataclass
class GradeRow:
    """One student's sheet: how many claims, how many wrong, the first wrong one and its hint,
    or the ``error`` that made the sheet unreadable."""

    sheet: Path
    claims: int = 0
    wrong: int = 0
    first_wrong: str = ""
    hint: str = ""
    error: str = ""
    report: CheckReport | None = None
    graph: Any = None  # (root, nodes) for the student's highlighted diagram
    notes: list[str] = field(default_factory=list)  # a generated sheet's edits

    @property
    def status(self) -> str:
        """``graded``, ``graded; inputs edited: ...`` (a generated sheet whose numbers were
        changed: graded against the generated ones), or ``unreadable: REASON``."""
        if self.error:
            return f"unreadable: {self.error}"
        return "; ".join(["graded", *self.notes])

    def hints(self) -> list[str]:
        """Every hint of the sheet, each once, ``key: hint``, the first wrong claim's first."""
        if self.report is None:
            return []
        out: list[str] = []
        first = self.report.first_wrong
        rows = ([first] if first else []) + [r for r in self.report.wrong if r is not first]
        for row in rows:
            if row.hint and not any(text.endswith(row.hint) for text in out):
                out.append(f"{row.key}: {row.hint}")
        return out

    def cells(self) -> list[str]:
        """The CSV row: an unreadable sheet has no numbers (empty, not 0: a spreadsheet
        would count 0 wrong as all right)."""
        if self.error:
            return [str(self.sheet), self.status, "", "", "", "", self.error]
        return [str(self.sheet), self.status, str(self.claims), str(self.wrong),
                self.first_wrong, " | ".join(self.hints()), ""]  # fmt: skip


@dataclass
class Grades:
    """The class's rows and the summary of where it went wrong."""

    rows: list[GradeRow] = field(default_factory=list)

    def most_missed(self, limit: int = 10) -> list[tuple[str, int]]:
        """The claims (``y``, ``grad:w1``) the most sheets got wrong, with their counts."""
        counts: Counter = Counter()
        for row in self.rows:
            if row.report is not None:
                counts.update({r.key for r in row.report.wrong if not r.carried})
        return counts.most_common(limit)

    def csv(self) -> str:
        """One row per sheet with `CSV_COLUMNS`."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for row in self.rows:
            writer.writerow(row.cells())
        return buffer.getvalue()

    def summary(self) -> str:
        """A table of the sheets, then the nodes the class got wrong most often."""
        lines = [("sheet", "claims", "wrong", "first wrong")]
        for row in self.rows:
            if row.error:
                lines.append((str(row.sheet), "-", "-", f"unreadable: {row.error}"))
            else:
                first = "; ".join([row.first_wrong, *row.notes]).strip("; ")
                lines.append((str(row.sheet), str(row.claims), str(row.wrong), first))
        widths = [max(len(line[i]) for line in lines) for i in range(3)]
        out = [
            "  ".join(
                [cell.ljust(width) for cell, width in zip(line[:3], widths)] + [line[3]]
            ).rstrip()
            for line in lines
        ]
        graded = [row for row in self.rows if not row.error]
        perfect = sum(row.wrong == 0 for row in graded)
        bad = len(self.rows) - len(graded)
        out.append("")
        count = f"{len(self.rows)} sheet{'s' if len(self.rows) != 1 else ''}"
        out.append(
            f"{count}: {perfect} all right, {len(graded) - perfect} with wrong claims"
            + (f", {bad} unreadable" if bad else "")
        )
        missed = self.most_missed()
        if missed:
            out.append("most often wrong (sheets, not counting numbers carried from earlier ones):")
            out.extend(f"  {key}: {n} of {len(graded)}" for key, n in missed)
        return "\n".join(out)


def grade(
    paths: list[str | os.PathLike],
    expression: str | None = None,
    values: Mapping[str, float] | None = None,
    outputs: list[str] | None = None,
) -> Grades:
    """Check every sheet of ``paths`` (see `sheet_check`); a malformed sheet gets its error in
    its row."""
    grades = Grades()
    for path in paths:
        row = GradeRow(Path(path))
        try:
            root, nodes, report, _ = sheet_check(
                path, expression, values, outputs=outputs, notes=row.notes
            )
        except (ClaimError, ExpressionError, ValueError) as e:
            row.error = str(e)
        except (ArithmeticError, RecursionError, TypeError, LookupError) as e:
            # NOTE: one sheet must not stop a class's grading; a sheet that reaches this is a
            # bug to report, but its row says so and the others are graded.
            row.error = f"could not be checked ({type(e).__name__}: {e}); please report it"
        else:
            first = report.first_wrong
            row.claims, row.wrong, row.report = len(report.rows), len(report.wrong), report
            row.first_wrong = first.key if first else ""
            row.hint = first.hint if first else ""
            row.graph = (root, nodes)
        grades.rows.append(row)
    return grades
