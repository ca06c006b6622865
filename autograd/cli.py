"""The ``autograd`` command. Each subcommand is one function ``cmd_NAME(args) -> exit code``;
its options are declared in ``build_parser``."""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys
from pathlib import Path


def cmd_demo(args: argparse.Namespace) -> int:
    """The project's main job: the course's part-A numbers, the diagram gallery and the
    step-through pages, and a small network trained on XOR with the Tensor path."""
    from autograd.exercises import A1_ACTIVATIONS, a1, a3

    names = ["y", "h", "w1", "w2", "b", "x1", "x2"]
    print("A1: y = f(w1*x1 + w2*x2 + b), x = (2.8, -1.8), w = (1.45, -0.35), b = -4")
    print(f"{'f':<22}{'y':>9}" + "".join(f"{'dy/d' + n:>9}" for n in names[1:]))
    for activation, params in A1_ACTIVATIONS.items():
        exercise = a1(activation)
        title = activation + "".join(f"({k}={p})" for k, p in params.items())
        row = [exercise.nodes["y"].data] + [exercise.nodes[n].grad for n in names[1:]]
        print(f"{title:<22}" + "".join(f"{x:>9.3f}" for x in row))

    out = Path(args.out)
    try:
        from autograd.exercises import CLUSTERS, write_gallery
        from autograd.viz import RenderError
        from autograd.viz.steps import save_steps
        from autograd.viz.style import Style

        out.mkdir(parents=True, exist_ok=True)
        gallery = write_gallery(out)
        pages = [
            save_steps(a1("sigmoid").output, out / "steps_a1_sigmoid.html"),
            # one box per neuron, as in the gallery
            save_steps(
                a3().output, out / "steps_a3.html", Style(edge_grads=True, clusters=CLUSTERS["a3"])
            ),
        ]
    except (ImportError, RenderError, OSError) as e:
        return _fail("demo", f"{type(e).__name__}: {e}", code=3)
    print(f"\ndiagrams of part A ({len(gallery)} files, SVG and DOT) in {out.resolve()}/")
    for page in pages:
        print(f"step through backprop in a browser: {Path(page).resolve()}")

    print("\nB1: XOR, 2-2-1 tanh, MSE, full-batch SGD lr 0.5, L2 0.01, 200 epochs, seed 0")
    from autograd import Tensor, nn, optim
    from autograd.data import xor

    x, t = xor()
    model = nn.Sequential(
        nn.Linear(2, 2, init="glorot_normal", rng=0), nn.Tanh(),
        nn.Linear(2, 1, init="glorot_normal", rng=1), nn.Tanh(),
    )  # fmt: skip
    opt = optim.SGD(model.parameters(), lr=0.5)
    for _ in range(200):
        opt.zero_grad()
        loss = nn.MSELoss()(model(Tensor(x)), Tensor(t)) + nn.l2_penalty(model, 0.01)
        loss.backward()
        opt.step()
    output = model(Tensor(x)).numpy().ravel()
    for xi, ti, oi in zip(x, t.ravel(), output):
        print(f"  x = ({xi[0]:+.0f}, {xi[1]:+.0f})  target {ti:+.0f}  output {oi:+.3f}")
    return 0


def cmd_exercises(args: argparse.Namespace) -> int:
    """Write the part-A diagrams (NAME.svg and NAME.dot) into a folder: the gallery."""
    from autograd.exercises import write_gallery
    from autograd.viz import RenderError

    try:
        paths = write_gallery(args.directory, formats=args.format)
    except (RenderError, OSError) as e:
        return _fail("exercises", f"{type(e).__name__}: {e}", code=3)
    for path in paths:
        print(f"wrote {path}")
    return 0


DIAGRAM_SUFFIXES = (".svg", ".png", ".pdf", ".dot")


class UsageError(ValueError):
    """Bad command-line input: printed as one line, exit code 2, nothing written."""


MESSAGE_MAX_CHARS = 300


def _shorten(text: str, limit: int = MESSAGE_MAX_CHARS) -> str:
    """`text` cut in the middle to at most about `limit` characters (an error message may quote
    a whole 100,000-character input)."""
    if len(text) <= limit:
        return text
    half = limit // 2
    return f"{text[:half]} … ({len(text) - 2 * half} characters) … {text[-half:]}"


def _fail(command: str, message: str, pointer: str = "", code: int = 2) -> int:
    print(f"autograd {command}: error: {_shorten(message)}", file=sys.stderr)
    for line in pointer.splitlines():
        print(f"  {line}", file=sys.stderr)
    return code


def _output_path(path: str, suffixes: tuple[str, ...], option: str) -> Path:
    from autograd.files import output_path

    try:
        return output_path(path, suffixes, option)
    except (ValueError, FileNotFoundError) as e:
        raise UsageError(str(e)) from None


def _style_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("diagram style")
    group.add_argument(
        "--no-grad", dest="show_grad", action="store_false", help="forward values only"
    )
    group.add_argument(
        "--edge-grads", action="store_true", help="write the local derivative on every edge"
    )
    group.add_argument("--tb", action="store_true", help="top to bottom (default: left to right)")
    group.add_argument(
        "--decimals", type=int, default=3, metavar="N", help="digits after the point (default: 3)"
    )
    group.add_argument("--title", default="", help="text above the diagram")
    group.add_argument(
        "--max-nodes",
        type=int,
        metavar="N",
        help="refuse graphs with more value nodes than this (default: 500)",
    )


def _style(args: argparse.Namespace):
    from autograd.viz.style import Style

    try:
        return Style(
            show_grad=args.show_grad,
            edge_grads=args.edge_grads,
            decimals=args.decimals,
            rankdir="TB" if args.tb else "LR",
            title=args.title,
            **({} if args.max_nodes is None else {"max_nodes": args.max_nodes}),
        )
    except ValueError as e:
        raise UsageError(str(e)) from None


def _too_large(command: str, error) -> int:
    return _fail(
        command,
        f"the graph has {error.count} value nodes, more than --max-nodes {error.limit}; "
        "Graphviz would take long and the picture would be unreadable. Draw a part of it "
        f"(the expression of one step) or raise the limit: --max-nodes {error.count}",
    )


def _note_unused(command: str, values: dict, nodes: dict) -> None:
    unused = sorted(set(values) - set(nodes))
    if unused:
        print(
            f"autograd {command}: note: not used by the expression: {', '.join(unused)}",
            file=sys.stderr,
        )


def _save_diagram(root, style, path: Path, highlight=None, symbols=None) -> None:
    from autograd.viz import draw

    draw(root, style, highlight=highlight, symbols=symbols).save(path)
    print(f"wrote {path}")


def _unknowns(values: dict) -> tuple[dict, list[str]]:
    """``--set t1=?``: the numbers with placeholders, and the names left unknown (sympy is
    imported only then, with a one-line error when it is missing)."""
    from autograd.handcalc.expr import split_unknowns

    if "?" not in values.values():
        return values, []
    try:
        from autograd.handcalc.symbolic import sympy_module

        sympy_module()
    except ImportError as e:
        raise UsageError(str(e)) from None
    return split_unknowns(values)


def _symbolic_texts(root, symbols, style) -> dict:
    if not symbols:
        return {}
    from autograd.handcalc.symbolic import symbolic

    return symbolic(root, symbols, style.decimals).texts()


def _build_graph(command: str, expression: str, values: dict, outputs: str | None = None):
    """`autograd.handcalc.expr.build`, with the engine's warnings (a non-finite value or gradient)
    printed as one line each instead of Python's warning format; notes say which outputs and
    which output label were used."""
    import warnings

    from autograd.handcalc.expr import build

    names = None if outputs is None else [n.strip() for n in outputs.split(",") if n.strip()]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        graph = build(expression, values, outputs=names)
    for warning in caught:
        print(f"autograd {command}: warning: {warning.message}", file=sys.stderr)
    root = graph[0]
    if isinstance(root, list):
        labels = [node.label for node in root]
        print(
            f"autograd {command}: note: outputs {', '.join(labels)} (steps no other step uses; "
            f"choose with --outputs); gradients are ∂({' + '.join(labels)})/∂node",
            file=sys.stderr,
        )
        return graph
    named_step = re.search(rf"(^|[;\n])\s*{re.escape(root.label)}\s*=(?!=)", expression)
    if root.label != "y" and not named_step:
        taken = "an input" if "y" in values else "a step"
        print(
            f"autograd {command}: note: the output is labelled {root.label!r} ('y' is {taken}); "
            "name it with a last step such as 'out = ...'",
            file=sys.stderr,
        )
    return graph


def cmd_draw(args: argparse.Namespace) -> int:
    """Parse the expression, compute forward and backward, write the diagram and/or steps."""
    from autograd.handcalc.expr import ExpressionError, parse_assignments
    from autograd.viz import GraphTooLarge

    try:
        out = _output_path(args.output, DIAGRAM_SUFFIXES, "-o") if args.output else None
        steps = _output_path(args.steps, (".html",), "--steps") if args.steps else None
        if out is None and steps is None and not args.practice:
            raise UsageError(
                "nothing to write: give -o FILE (.svg .png .pdf .dot) and/or --steps FILE.html"
            )
        style = _style(args)
        values, unknown = _unknowns(parse_assignments(args.set))
        root, nodes = _build_graph("draw", args.expression, values, args.outputs)
        symbols = [nodes[name] for name in unknown if name in nodes] or None
        texts = _symbolic_texts(root, symbols, style)
        if steps is not None:
            from autograd.viz.steps import save_steps
    except ExpressionError as e:
        return _fail("draw", str(e), e.pointer())
    except (UsageError, ImportError) as e:
        return _fail("draw", str(e))
    _note_unused("draw", values, nodes)
    from autograd.viz.dot import graph_nodes

    count = len(graph_nodes(root))
    if count > style.max_nodes:  # before the table: it would be as long as the graph
        return _too_large("draw", GraphTooLarge("", count, style.max_nodes))
    from autograd.viz.format import format_number

    print(f"{'node':<8} {'value':>12} {'grad':>12}")
    for name, node in nodes.items():
        # The diagram's number format: 1e300 prints as 1.000e+300, not 301 digits.
        value, grad = (format_number(x, style.decimals) for x in (node.data, node.grad))
        value, grad = (t or n for t, n in zip(texts.get(node, (None, None)), (value, grad)))
        print(f"{name:<8} {value:>12} {grad:>12}")
    try:
        if out is not None:
            _save_diagram(root, style, out, symbols=symbols)
        if steps is not None:
            # the player explains upstream x local: the local derivatives belong on the edges
            save_steps(root, steps, dataclasses.replace(style, edge_grads=True), symbols=symbols)
            print(f"wrote {steps}")
        if args.practice:
            _practice_page(args, parse_assignments(args.set), style)  # issue 20
    except GraphTooLarge as e:
        return _too_large("draw", e)
    except ValueError as e:  # a UsageError of --practice too
        return _fail("draw", str(e))
    except (OSError, RuntimeError) as e:  # rendering or writing failed
        return _fail("draw", f"{type(e).__name__}: {e}", code=3)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Compare claimed numbers with the true ones; exit 1 when any claim is wrong."""
    from autograd.handcalc.check import ClaimError, check, parse_claims
    from autograd.handcalc.expr import ExpressionError, parse_assignments
    from autograd.handcalc.grade import sheet_check
    from autograd.viz import GraphTooLarge

    if len(args.claims) > 1 or args.csv or args.diagrams:
        return _grade_class(args)
    try:
        out = _output_path(args.output, DIAGRAM_SUFFIXES, "-o") if args.output else None
        style = _style(args)
        values, unknown = _unknowns(parse_assignments(args.set))
        claims = parse_claims(args.claim)
        expression = args.expression
        if args.claims:
            root, nodes, report, values = sheet_check(
                args.claims[0],
                expression,
                values,
                claims,
                _output_names(args),
                unknown,
                builder=lambda text, numbers, _: _build_graph("check", text, numbers, args.outputs),
            )
            symbols = [nodes[name] for name in unknown if name in nodes] or None
        else:
            if not expression:
                raise UsageError(
                    "no expression: give it as the first argument or as "
                    'expression = "..." in the --claims sheet'
                )
            if not claims:
                raise UsageError(
                    "no claims: give --claim y=0.33 grad:w1=0.61 or --claims FILE.toml"
                )
            root, nodes = _build_graph("check", expression, values, args.outputs)
            symbols = [nodes[name] for name in unknown if name in nodes] or None
            report = check((root, nodes), claims, symbols=symbols)
    except ExpressionError as e:
        return _fail("check", str(e), e.pointer())
    except (UsageError, ClaimError) as e:
        return _fail("check", str(e))
    _note_unused("check", values, nodes)
    print(report.summary())
    if out is not None:
        if not style.title:
            wrong = len(report.wrong)
            title = f"{wrong} of {len(report.rows)} claims wrong" if wrong else "all claims ok"
            style = dataclasses.replace(style, title=f"autograd check: {title}")
        try:
            _save_diagram(root, style, out, highlight=report.wrong_nodes(), symbols=symbols)
        except GraphTooLarge as e:
            return _too_large("check", e)
        except ValueError as e:
            return _fail("check", str(e))
        except (OSError, RuntimeError) as e:
            return _fail("check", f"{type(e).__name__}: {e}", code=3)
    return 0 if report.ok else 1


def _output_names(args: argparse.Namespace) -> list[str] | None:
    if args.outputs is None:
        return None
    return [name.strip() for name in args.outputs.split(",") if name.strip()]


def _grade_class(args: argparse.Namespace) -> int:
    """``autograd check --claims sheets/*.toml --csv grades.csv``: one row per sheet, the
    nodes the class got wrong most often, optionally each student's highlighted diagram."""
    from autograd.files import write_atomic
    from autograd.handcalc.check import ClaimError
    from autograd.handcalc.expr import ExpressionError, parse_assignments
    from autograd.handcalc.grade import grade
    from autograd.viz import GraphTooLarge, draw

    try:
        if args.claim or args.output:
            raise UsageError(
                "with several sheets, give the claims in the sheets (not --claim) and "
                "--diagrams DIR for the highlighted diagrams (not -o)"
            )
        csv_path = _output_path(args.csv, (".csv",), "--csv") if args.csv else None
        style = _style(args)
        values = parse_assignments(args.set)
        folder = Path(args.diagrams) if args.diagrams else None
        if folder is not None and folder.exists() and not folder.is_dir():
            raise UsageError(f"--diagrams: {str(folder)!r} exists and is not a folder")
    except ExpressionError as e:
        return _fail("check", str(e), e.pointer())
    except (UsageError, ClaimError) as e:
        return _fail("check", str(e))
    grades = grade(args.claims, args.expression, values, _output_names(args))
    print(grades.summary())
    try:
        if csv_path is not None:
            write_atomic(csv_path, grades.csv().encode("utf-8"))
            print(f"wrote {csv_path}")
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
            for row in grades.rows:
                if row.graph is None:
                    continue
                title = f"{row.sheet.stem}: {row.report.count_line()}"
                path = folder / f"{row.sheet.stem}.svg"
                highlight = row.report.wrong_nodes()
                diagram = draw(
                    row.graph[0], dataclasses.replace(style, title=title), highlight=highlight
                )
                diagram.save(path)
                print(f"wrote {path}")
    except GraphTooLarge as e:
        return _too_large("check", e)
    except (OSError, RuntimeError) as e:
        return _fail("check", f"{type(e).__name__}: {e}", code=3)
    clean = all(row.wrong == 0 and not row.error for row in grades.rows)
    return 0 if clean else 1


def _expression_arguments(parser: argparse.ArgumentParser, optional: bool = False) -> None:
    parser.add_argument(
        "expression",
        nargs="?" if optional else None,
        metavar="EXPR",
        help='e.g. "sigmoid(w1*x1 + w2*x2 + b)" or "h = w1*x1 + w2*x2 + b; y = sigmoid(h)"',
    )
    parser.add_argument(
        "--set",
        nargs="+",
        action="extend",
        default=[],
        metavar="NAME=NUMBER",
        help="input values, e.g. --set x1=2.8 b=-4",
    )
    parser.add_argument(
        "--outputs",
        metavar="Y1,Y2",
        help="the output steps (default: every step no other step uses; with several, the "
        "gradients are those of their sum)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autograd",
        description="Computational graphs of the course exercises: values, gradients, diagrams.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo = commands.add_parser(
        "demo",
        help="part-A numbers, the diagram gallery and step-through pages, XOR trained",
    )
    demo.add_argument(
        "--out", default="demo", metavar="DIR", help="folder for the diagrams and pages (demo/)"
    )
    demo.set_defaults(run=cmd_demo)
    draw = commands.add_parser(
        "draw",
        help="draw the graph of an expression with its values and gradients",
        description="Parse EXPR, compute forward and backward, write the annotated diagram "
        "(-o; format by suffix) and/or the step-through page (--steps). "
        'Example: autograd draw "sigmoid(w1*x1 + w2*x2 + b)" '
        "--set x1=2.8 x2=-1.8 w1=1.45 w2=-0.35 b=-4 -o perceptron.svg",
    )
    _expression_arguments(draw)
    draw.add_argument("-o", "--output", metavar="FILE", help="diagram: .svg .png .pdf or .dot")
    draw.add_argument("--steps", metavar="FILE.html", help="step-through player page")
    draw.add_argument("--practice", metavar="FILE.html", help="practice page (issue 20)")
    _style_arguments(draw)
    draw.set_defaults(run=cmd_draw)
    check = commands.add_parser(
        "check",
        help="check a hand calculation node by node",
        description="Compare claimed forward values and gradients with the true ones, at the "
        "precision they are written with (0.33 matches 0.334, not 0.336). Exit code 0: all "
        "right; 1: some claim is wrong; 2: bad input. "
        'Example: autograd check "sigmoid(w*x + b)" --set w=1.45 x=2.8 b=-4 '
        "--claim y=0.52 grad:w=0.7",
    )
    _expression_arguments(check, optional=True)
    check.add_argument(
        "--claim",
        nargs="+",
        action="extend",
        default=[],
        metavar="NAME=NUMBER",
        help="a claimed value (y=0.33) or gradient (grad:w1=0.61)",
    )
    check.add_argument(
        "--claims",
        nargs="+",
        action="extend",
        default=[],
        metavar="SHEET.toml",
        help="answer sheet(s): [values], [grads], optional expression and [inputs]; several "
        "sheets (sheets/*.toml) grade a class: one row per sheet and the nodes most often wrong",
    )
    check.add_argument(
        "--csv", metavar="FILE.csv", help="grading: write one row per sheet to this file"
    )
    check.add_argument(
        "--diagrams",
        metavar="DIR",
        help="grading: write each student's diagram, wrong nodes highlighted, as DIR/SHEET.svg",
    )
    check.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="diagram with the wrong nodes highlighted: .svg .png .pdf or .dot",
    )
    _style_arguments(check)
    check.set_defaults(run=cmd_check)
    exercises = commands.add_parser(
        "exercises",
        help="write every part-A diagram (SVG and DOT) into a folder",
        description="Render the diagrams of the course's part-A exercises (A1 with sigmoid, "
        "tanh, ELU and Leaky ReLU, A2, A3, A4) as NAME.svg and NAME.dot into DIR. "
        "The repository's graphs/ folder is this output: autograd exercises graphs. "
        "Per-student exercises: autograd exercises generate --help",
    )
    exercises.add_argument("directory", metavar="DIR", help="output folder (made when missing)")
    exercises.add_argument(
        "--format",
        nargs="+",
        choices=("svg", "png", "pdf", "dot"),
        default=["svg", "dot"],
        metavar="FMT",
        help="file formats to write: svg png pdf dot (default: svg dot)",
    )
    exercises.set_defaults(run=cmd_exercises)
    _add_exercises_generate(commands)  # issue 20
    from autograd.experiments.cli import add_commands  # train, presets, evaluate
    from autograd.experiments.tables_cli import add_commands as add_table_commands

    add_commands(commands)
    add_table_commands(commands)  # repeat, reproduce; train --seeds
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("autograd-lab")
    except PackageNotFoundError:  # run from a source tree that is not installed
        return "(not installed)"


def _expression_last(argv: list[str]) -> list[str]:
    """argparse takes an EXPR that starts with ``-`` (``-4*x + b``, ``-log(p)``) for an unknown
    option; such an item of ``draw`` or ``check`` moves to the end, after ``--``, where only
    positional arguments go."""
    if len(argv) < 2 or argv[0] not in ("draw", "check") or "--" in argv:
        return argv
    for i, item in enumerate(argv[1:], start=1):
        if len(item) > 1 and item[0] == "-" and item[1] != "-" and item[:2] not in ("-o", "-h"):
            try:
                float(item)
                continue  # a negative number: argparse handles those
            except ValueError:
                pass
            return argv[:i] + argv[i + 1 :] + ["--", item]
    return argv


# Exit codes: 0 all right, 1 a claim is wrong (check), 2 bad input, 3 a diagram or file could
# not be rendered or written, 4 an internal error (a bug: never a traceback, one line instead).
EXIT_INTERNAL_ERROR = 4


# --- issue 20: `autograd exercises generate` and `autograd draw --practice` (to port) ---------
def _add_exercises_generate(commands) -> None:
    from autograd.handcalc.generate import GENERATE_HELP

    gen = commands.add_parser(
        "exercises-generate", prog="autograd exercises generate", description=GENERATE_HELP
    )
    gen.add_argument("template", metavar="TEMPLATE", help="a1-sigmoid ... a4, or an EXPR")
    gen.add_argument("--students", required=True, metavar="ROSTER.csv", help="column 'id'")
    gen.add_argument("--seed", required=True, type=int, help="the class's seed")
    gen.add_argument("--out", required=True, metavar="DIR", help="output folder")
    gen.add_argument("--range", nargs="+", action="extend", default=[], metavar="NAME=LO:HI")
    gen.set_defaults(run=cmd_exercises_generate)


def cmd_exercises_generate(args: argparse.Namespace) -> int:
    from autograd.handcalc.expr import ExpressionError
    from autograd.handcalc.generate import generate
    from autograd.viz import RenderError

    try:
        paths = generate(args.template, args.students, args.seed, args.out, args.range)
    except ExpressionError as e:
        return _fail("exercises generate", str(e), e.pointer())
    except (RenderError, OSError) as e:
        return _fail("exercises generate", f"{type(e).__name__}: {e}", code=3)
    except ValueError as e:
        return _fail("exercises generate", str(e))
    print(f"wrote {len(paths)} files into {args.out}")
    return 0


def _practice_page(args, values: dict, style) -> None:
    """``draw --practice FILE.html``: the practice page of the expression."""
    from autograd.handcalc.generate import practice_player

    path = _output_path(args.practice, (".html",), "--practice")
    practice_player(args.expression, values, style=style).save(path)
    print(f"wrote {path}")


# --- end of issue 20's wiring ----------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:2] == ["exercises", "generate"]:  # issue 20: a subcommand of exercises
        argv = ["exercises-generate", *argv[2:]]
    args = build_parser().parse_args(_expression_last(argv))
    try:
        return args.run(args)
    except KeyboardInterrupt:
        return _fail(args.command, "interrupted", code=130)
    except Exception as e:  # noqa: BLE001 - the last resort: one line instead of a traceback
        # NOTE: not code 1, which means "a claim is wrong" to grading scripts.
        return _fail(
            args.command,
            f"internal error ({type(e).__name__}: {_shorten(str(e))}); this is a bug in "
            "autograd-lab, please report it with the command line that caused it",
            code=EXIT_INTERNAL_ERROR,
        )


if __name__ == "__main__":
    sys.exit(main())
