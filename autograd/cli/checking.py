"""``autograd check``: a hand calculation checked node by node (claims on the command line or
an answer sheet), and a whole class graded (several sheets: one row each, ``--csv``,
``--diagrams``). Exit code 1 when a claim is wrong."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from autograd.cli.common import UsageError, user_output_path
from autograd.cli.diagrams import (
    DIAGRAM_SUFFIXES,
    add_expression_flags,
    add_style_flags,
    build_graph,
    neuron_clusters,
    note_unused,
    output_names,
    save_diagram,
    style_from,
    symbol_nodes,
    unknowns,
)
from autograd.files import write_text
from autograd.handcalc import grade as grading
from autograd.handcalc.check import check, parse_claims
from autograd.handcalc.expr import parse_assignments
from autograd.viz import draw

__all__ = ["add_commands", "cmd_check"]


def _builder(expression: str, values: dict, outputs: list[str] | None):
    """`build_graph` for `autograd.handcalc.grade.sheet_check`: the command line's notes."""
    return build_graph("check", expression, values, outputs)


def cmd_check(args: argparse.Namespace) -> int:
    """Compare claimed numbers with the true ones; exit 1 when any claim is wrong."""
    if len(args.claims) > 1 or args.csv or args.diagrams:
        return _grade_class(args)
    out = user_output_path(args.output, DIAGRAM_SUFFIXES, "-o") if args.output else None
    style_from(args)  # bad style flags are refused before the expression is parsed
    values, unknown = unknowns(parse_assignments(args.set))
    claims = parse_claims(args.claim)
    outputs = output_names(args.outputs)
    if args.claims:
        root, nodes, report, values = grading.sheet_check(
            args.claims[0], args.expression, values, claims, outputs, unknown, builder=_builder
        )
    else:
        if not args.expression:
            raise UsageError(
                "no expression: give it as the first argument or as "
                'expression = "..." in the --claims sheet'
            )
        if not claims:
            raise UsageError("no claims: give --claim y=0.33 grad:w1=0.61 or --claims FILE.toml")
        root, nodes = build_graph("check", args.expression, values, outputs)
        report = check((root, nodes), claims, symbols=symbol_nodes(nodes, unknown))
    note_unused("check", values, nodes)
    print(report.summary())
    if out is not None:
        style = style_from(args, nodes)
        if not style.title:
            wrong = len(report.wrong)
            title = f"{wrong} of {len(report.rows)} claims wrong" if wrong else "all claims ok"
            style = dataclasses.replace(style, title=f"autograd check: {title}")
        symbols = symbol_nodes(nodes, unknown)
        save_diagram(root, style, out, highlight=report.wrong_nodes(), symbols=symbols)
    return 0 if report.ok else 1


def _grade_class(args: argparse.Namespace) -> int:
    """``autograd check --claims sheets/*.toml --csv grades.csv``: one row per sheet, the
    nodes the class got wrong most often, optionally each student's highlighted diagram."""
    if args.claim or args.output:
        raise UsageError(
            "with several sheets, give the claims in the sheets (not --claim) and "
            "--diagrams DIR for the highlighted diagrams (not -o)"
        )
    csv_path = user_output_path(args.csv, (".csv",), "--csv") if args.csv else None
    style = style_from(args)
    values = parse_assignments(args.set)
    folder = Path(args.diagrams).resolve() if args.diagrams else None
    if folder is not None and folder.exists() and not folder.is_dir():
        raise UsageError(f"--diagrams: {args.diagrams!r} exists and is not a folder")
    grades = grading.grade(args.claims, args.expression, values, output_names(args.outputs))
    print(grades.summary())
    if csv_path is not None:
        write_text(csv_path, grades.csv())
        print(f"wrote {csv_path}")
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        for row in grades.rows:
            if row.graph is None:
                continue
            title = f"{row.sheet.stem}: {row.report.count_line()}"
            path = Path(args.diagrams) / f"{row.sheet.stem}.svg"
            highlight = row.report.wrong_nodes()
            clusters = style.clusters
            if args.clusters == "auto":  # each sheet may have its own expression
                clusters = neuron_clusters(row.graph[1]) or None
            row_style = dataclasses.replace(style, title=title, clusters=clusters)
            diagram = draw(row.graph[0], row_style, highlight=highlight)
            diagram.save(path)
            print(f"wrote {path}")
    clean = all(row.wrong == 0 and not row.error for row in grades.rows)
    return 0 if clean else 1


def add_commands(commands) -> None:
    """Add ``check`` to the ``autograd`` sub-command parsers."""
    check_parser = commands.add_parser(
        "check",
        help="check a hand calculation node by node",
        description="Compare claimed forward values and gradients with the true ones, at the "
        "precision they are written with (0.33 matches 0.334, not 0.336). Exit code 0: all "
        "right; 1: some claim is wrong; 2: bad input. "
        'Example: autograd check "sigmoid(w*x + b)" --set w=1.45 x=2.8 b=-4 '
        "--claim y=0.52 grad:w=0.7",
    )
    add_expression_flags(check_parser, optional=True)
    check_parser.add_argument(
        "--claim",
        nargs="+",
        action="extend",
        default=[],
        metavar="NAME=NUMBER",
        help="a claimed value (y=0.33) or gradient (grad:w1=0.61)",
    )
    check_parser.add_argument(
        "--claims",
        nargs="+",
        action="extend",
        default=[],
        metavar="SHEET.toml",
        help="answer sheet(s): [values], [grads], optional expression and [inputs]; several "
        "sheets (sheets/*.toml) grade a class: one row per sheet and the nodes most often wrong",
    )
    check_parser.add_argument(
        "--csv", metavar="FILE.csv", help="grading: write one row per sheet to this file"
    )
    check_parser.add_argument(
        "--diagrams",
        metavar="DIR",
        help="grading: write each student's diagram, wrong nodes highlighted, as DIR/SHEET.svg",
    )
    check_parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="diagram with the wrong nodes highlighted: .svg .png .pdf .dot or .tex",
    )
    add_style_flags(check_parser)
    check_parser.set_defaults(run=cmd_check)
