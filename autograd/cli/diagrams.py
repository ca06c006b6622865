"""``autograd demo``, ``autograd draw`` and ``autograd exercises``: expressions and the course's
part-A exercises drawn, and what ``autograd check`` shares with ``draw`` (the style flags, the
expression flags, building the graph with its notes)."""

from __future__ import annotations

import argparse
import dataclasses
import re
import warnings
from pathlib import Path

from autograd import Tensor, nn, optim
from autograd.cli.common import UsageError, note, user_output_path, warn
from autograd.data import xor
from autograd.exercises import A1_ACTIVATIONS, CLUSTERS, a1, a3, write_gallery
from autograd.handcalc import expr
from autograd.handcalc.generate import GENERATE_HELP, generate, practice_player
from autograd.handcalc.symbolic import symbolic, sympy_module
from autograd.viz import GraphTooLarge, draw
from autograd.viz.dot import graph_nodes
from autograd.viz.format import format_number
from autograd.viz.render import SUFFIXES
from autograd.viz.steps import save_steps
from autograd.viz.style import THEMES, Style

__all__ = [
    "add_commands",
    "cmd_demo",
    "cmd_draw",
    "cmd_exercises",
    "cmd_exercises_generate",
    "neuron_clusters",
]

DIAGRAM_SUFFIXES = SUFFIXES  # .svg .png .pdf .dot, and .tex (TikZ for slides)
NAMED_OUTPUTS = 5  # a note names this many outputs, then says how many there are
# The ops that make a weighted sum a neuron (`neuron_clusters`).
NEURON_OPS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus")


def cmd_demo(args: argparse.Namespace) -> int:
    """The project's main job: the course's part-A numbers, the diagram gallery and the
    step-through pages, and a small network trained on XOR with the Tensor path."""
    names = ["y", "h", "w1", "w2", "b", "x1", "x2"]
    print("A1: y = f(w1*x1 + w2*x2 + b), x = (2.8, -1.8), w = (1.45, -0.35), b = -4")
    print(f"{'f':<22}{'y':>9}" + "".join(f"{'dy/d' + n:>9}" for n in names[1:]))
    for activation, params in A1_ACTIVATIONS.items():
        exercise = a1(activation)
        title = activation + "".join(f"({k}={p})" for k, p in params.items())
        row = [exercise.nodes["y"].data] + [exercise.nodes[n].grad for n in names[1:]]
        print(f"{title:<22}" + "".join(f"{x:>9.3f}" for x in row))

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: exists and is not a folder")
    out.mkdir(parents=True, exist_ok=True)
    gallery = write_gallery(out, formats=("svg", "png", "dot"))  # the course hands in PNG
    pages = [
        save_steps(a1("sigmoid").output, out / "steps_a1_sigmoid.html"),
        # one box per neuron, as in the gallery
        save_steps(
            a3().output, out / "steps_a3.html", Style(edge_grads=True, clusters=CLUSTERS["a3"])
        ),
    ]
    print(f"\ndiagrams of part A ({len(gallery)} files, SVG, PNG and DOT) in {out.resolve()}/")
    for page in pages:
        print(f"step through backprop in a browser: {Path(page).resolve()}")

    print("\nB1: XOR, 2-2-1 tanh, MSE, full-batch SGD lr 0.5, L2 0.01, 200 epochs, seed 0")
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
    for path in write_gallery(args.directory, formats=args.format):
        print(f"wrote {path}")
    return 0


# --- what draw and check share ----------------------------------------------------------------
def add_style_flags(parser: argparse.ArgumentParser) -> None:
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
        "--theme",
        default="course",
        choices=tuple(THEMES),
        help="colours: course (light blue values, pink gradients; default), colorblind "
        "(Okabe-Ito, gradients also marked with ∇), grayscale (print), dark (slides)",
    )
    group.add_argument(
        "--max-nodes",
        type=int,
        metavar="N",
        help="refuse graphs with more value nodes than this (default: 500)",
    )
    group.add_argument(
        "--clusters",
        default="auto",
        metavar="auto|none|prefix|SPEC",
        help="boxes around groups of nodes. auto (default): one box per neuron when the "
        "expression has two or more (a weighted sum through an activation), and one for "
        "what follows them (the cost); prefix: by label prefix (n1.w, n1.b); or explicit: "
        "'neuron 1=w11,w12,b1,h1,y1; neuron 2=w21,w22,b2,h2,y2'",
    )


def style_from(args: argparse.Namespace, nodes: dict | None = None) -> Style:
    """The `Style` of the style flags; ``nodes`` (name -> node): for ``--clusters auto``."""
    clusters = parse_clusters(args.clusters, nodes or {})
    try:
        return Style.theme(
            args.theme,
            show_grad=args.show_grad,
            edge_grads=args.edge_grads,
            decimals=args.decimals,
            rankdir="TB" if args.tb else "LR",
            title=args.title,
            clusters=clusters,
            **({} if args.max_nodes is None else {"max_nodes": args.max_nodes}),
        )
    except ValueError as e:
        raise UsageError(str(e)) from None


def parse_clusters(text: str, nodes: dict):
    """``--clusters``: None, ``"prefix"``, the neurons of ``nodes`` (auto) or the mapping
    written ``NAME=a,b,c; NAME=d,e``."""
    if text == "none":
        return None
    if text == "prefix":
        return "prefix"
    if text == "auto":
        return neuron_clusters(nodes) or None
    clusters = {}
    for part in filter(str.strip, text.split(";")):
        title, sep, members = part.partition("=")
        names = [m.strip() for m in members.split(",") if m.strip()]
        if not sep or not title.strip() or not names:
            raise UsageError(
                f"--clusters: cannot read {part.strip()!r}; expected auto, none, prefix or "
                "'NAME=a,b,c; NAME=d,e'"
            )
        missing = [n for n in names if nodes and n not in nodes]
        if missing:
            raise UsageError(f"--clusters: no node named {missing[0]!r} in the expression")
        clusters[title.strip()] = names
    return clusters


def neuron_clusters(nodes: dict) -> dict[str, list[str]]:
    """One box per neuron, by name (``{"neuron 1": [...], ..., "cost": [...]}``), when the
    named nodes have two or more neurons; else empty.

    A neuron is a named step ``y = act(h)`` (an op of `NEURON_OPS`; ``h`` named or not), with
    the named inputs that only ``h`` reaches (its weights and bias: an input that two
    neurons share, such as ``x1``, stays outside). The steps no neuron holds or reads (the
    error terms of a cost) are the last box, ``cost``."""
    named = {id(node): name for name, node in nodes.items()}
    neurons = [
        (name, node.parents[0])
        for name, node in nodes.items()
        if node.op in NEURON_OPS and len(node.parents) == 1
    ]
    if len(neurons) < 2:
        return {}
    reach = []  # per neuron: the named nodes its sum reads, up to other named steps
    for _, h in neurons:
        found, stack, seen = [], list(h.parents) if id(h) in named else [h], set()
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if id(node) in named:
                found.append(named[id(node)])
                if node.parents:  # another named step (a neuron before this one): stop
                    continue
            stack.extend(node.parents)
        reach.append(found)
    counts: dict[str, int] = {}
    for found in reach:
        for name in set(found):
            counts[name] = counts.get(name, 0) + 1
    clusters, held, read = {}, set(), set()
    for i, ((name, h), found) in enumerate(zip(neurons, reach), start=1):
        own = [n for n in found if counts[n] == 1 and not nodes[n].parents]
        steps = [named[id(h)], name] if id(h) in named else [name]  # h may be unnamed
        members = [*sorted(own, key=list(nodes).index), *steps]
        clusters[f"neuron {i}"] = members
        held.update(members)
        read.update(found)
    # NOTE: inputs (the targets) stay out: in the box they would pull it above the neurons
    rest = [n for n in nodes if n not in held and n not in read and nodes[n].parents]
    if rest:
        clusters["cost"] = rest
    return clusters


def add_expression_flags(parser: argparse.ArgumentParser, optional: bool = False) -> None:
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
        metavar="NAME=NUMBER|?",
        help="input values, e.g. --set x1=2.8 b=-4; 'NAME=?' leaves one unknown (the numbers "
        "it reaches become expressions in it; quote it: zsh takes t1=? for a file pattern)",
    )
    parser.add_argument(
        "--outputs",
        metavar="Y1,Y2",
        help="the output steps (default: every step no other step uses; with several, the "
        "gradients are those of their sum)",
    )


def output_names(text: str | None) -> list[str] | None:
    """``--outputs y1,y2`` as names (None: every step no other step uses)."""
    if text is None:
        return None
    return [name.strip() for name in text.split(",") if name.strip()]


def unknowns(values: dict) -> tuple[dict, list[str]]:
    """``--set t1=?``: the numbers with placeholders, and the names left unknown (sympy is
    imported only then, with a one-line error when it is missing)."""
    if "?" not in values.values():
        return values, []
    try:
        sympy_module()  # sympy itself is imported only now
    except ImportError as e:
        raise UsageError(str(e)) from None
    return expr.split_unknowns(values)


def symbol_nodes(nodes: dict, unknown: list[str]) -> list | None:
    """The nodes of the names left unknown (None when there are none)."""
    return [nodes[name] for name in unknown if name in nodes] or None


def note_unused(command: str, values: dict, nodes: dict) -> None:
    unused = sorted(set(values) - set(nodes))
    if unused:
        note(command, f"not used by the expression: {', '.join(unused)}")


def _listed(labels: list[str]) -> str:
    """The first `NAMED_OUTPUTS` labels, and how many there are when there are more."""
    if len(labels) <= NAMED_OUTPUTS:
        return ", ".join(labels)
    return f"{', '.join(labels[:NAMED_OUTPUTS])}, ... ({len(labels)} in all)"


def build_graph(command: str, expression: str, values: dict, outputs: list[str] | None = None):
    """`autograd.handcalc.expr.build`, with the engine's warnings (a non-finite value or
    gradient) printed as one line each instead of Python's warning format; notes say which
    outputs and which output label were used."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        graph = expr.build(expression, values, outputs=outputs)
    for warning in caught:
        warn(command, str(warning.message))
    root = graph[0]
    if isinstance(root, list):
        labels = [node.label for node in root]
        total = " + ".join(labels) if len(labels) <= NAMED_OUTPUTS else "the outputs' sum"
        note(
            command,
            f"outputs {_listed(labels)} (steps no other step uses; choose with --outputs); "
            f"gradients are ∂({total})/∂node",
        )
        return graph
    named_step = re.search(rf"(^|[;\n])\s*{re.escape(root.label)}\s*=(?!=)", expression)
    if root.label != "y" and not named_step:
        taken = "an input" if "y" in values else "a step"
        note(
            command,
            f"the output is labelled {root.label!r} ('y' is {taken}); "
            "name it with a last step such as 'out = ...'",
        )
    return graph


def check_size(root, style: Style) -> None:
    """`GraphTooLarge` before anything is printed: a table as long as the graph helps no one."""
    count = len(graph_nodes(root))
    if count > style.max_nodes:
        raise GraphTooLarge("", count, style.max_nodes)


def save_diagram(root, style: Style, path: Path, highlight=None, symbols=None) -> None:
    draw(root, style, highlight=highlight, symbols=symbols).save(path)
    print(f"wrote {path}")


def _table(nodes: dict, texts: dict, decimals: int) -> list[str]:
    """One row per named node: value and gradient as the diagram writes them (1e300 is
    1.000e+300; an expression in the unknowns where one reaches), columns as wide as their
    widest entry."""
    rows = [("node", "value", "grad")]
    for name, node in nodes.items():
        numbers = [format_number(x, decimals) for x in (node.data, node.grad)]
        value, grad = (t or n for t, n in zip(texts.get(node, (None, None)), numbers))
        rows.append((name, value, grad))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    widths[1:] = [max(w, 12) for w in widths[1:]]
    return [f"{a:<{widths[0]}}  {b:>{widths[1]}}  {c:>{widths[2]}}".rstrip() for a, b, c in rows]


def cmd_draw(args: argparse.Namespace) -> int:
    """Parse the expression, compute forward and backward, write the diagram and/or steps."""
    out = user_output_path(args.output, DIAGRAM_SUFFIXES, "-o") if args.output else None
    steps = user_output_path(args.steps, (".html",), "--steps") if args.steps else None
    practice = user_output_path(args.practice, (".html",), "--practice") if args.practice else None
    if out is None and steps is None and practice is None:
        raise UsageError(
            "nothing to write: give -o FILE (.svg .png .pdf .dot .tex), --steps FILE.html and/or "
            "--practice FILE.html"
        )
    style_from(args)  # bad style flags are refused before the expression is parsed
    values, unknown = unknowns(expr.parse_assignments(args.set))
    root, nodes = build_graph("draw", args.expression, values, output_names(args.outputs))
    style = style_from(args, nodes)
    symbols = symbol_nodes(nodes, unknown)
    texts = {}
    if symbols:
        texts = symbolic(root, symbols, style.decimals).texts()
    note_unused("draw", values, nodes)
    check_size(root, style)
    for line in _table(nodes, texts, style.decimals):
        print(line)
    if out is not None:
        save_diagram(root, style, out, symbols=symbols)
    if steps is not None:
        # the player explains upstream x local: the local derivatives belong on the edges
        save_steps(root, steps, dataclasses.replace(style, edge_grads=True), symbols=symbols)
        print(f"wrote {steps}")
    if practice is not None:
        practice_player(args.expression, expr.parse_assignments(args.set), style=style).save(
            practice
        )
        print(f"wrote {practice}")
    return 0


def cmd_exercises_generate(args: argparse.Namespace) -> int:
    """One exercise per student of a roster (`autograd.handcalc.generate.generate`)."""
    paths = generate(args.template, args.students, args.seed, args.out, args.range)
    print(f"wrote {len(paths)} files into {args.out}")
    return 0


def add_commands(commands) -> None:
    """Add ``demo``, ``draw`` and ``exercises`` to the ``autograd`` sub-command parsers."""
    demo = commands.add_parser(
        "demo",
        help="part-A numbers, the diagram gallery and step-through pages, XOR trained",
        description="The course's part A in one go: the A1 values and gradients for every "
        "activation, every part-A diagram as SVG, PNG and DOT, two step-through pages (A1 and "
        "A3) to open in a browser, and B1's XOR network trained with the Tensor path.",
    )
    demo.add_argument(
        "--out", default="demo", metavar="DIR", help="folder for the diagrams and pages (demo/)"
    )
    demo.set_defaults(run=cmd_demo)
    draw_parser = commands.add_parser(
        "draw",
        help="draw the graph of an expression with its values and gradients",
        description="Parse EXPR, compute forward and backward, write the annotated diagram "
        "(-o; format by suffix) and/or the step-through page (--steps). "
        'Example: autograd draw "sigmoid(w1*x1 + w2*x2 + b)" '
        "--set x1=2.8 x2=-1.8 w1=1.45 w2=-0.35 b=-4 -o perceptron.svg",
    )
    add_expression_flags(draw_parser)
    draw_parser.add_argument(
        "-o", "--output", metavar="FILE", help="diagram: .svg .png .pdf .dot, or .tex (TikZ)"
    )
    draw_parser.add_argument("--steps", metavar="FILE.html", help="step-through player page")
    draw_parser.add_argument(
        "--practice",
        metavar="FILE.html",
        help="practice page: every number hidden, each typed answer checked at once",
    )
    add_style_flags(draw_parser)
    draw_parser.set_defaults(run=cmd_draw)
    exercises = commands.add_parser(
        "exercises",
        help="write every part-A diagram (SVG and DOT) into a folder",
        description="Render the diagrams of the course's part-A exercises (A1 with sigmoid, "
        "tanh, ELU and Leaky ReLU, A2, A3, A4) as NAME.svg and NAME.dot into DIR. "
        "The repository's graphs/ folder is this output: autograd exercises graphs. "
        "One exercise per student: autograd exercises generate --help",
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
    # `autograd exercises generate ...` (main turns it into this command's name)
    gen = commands.add_parser(
        "exercises-generate", prog="autograd exercises generate", description=GENERATE_HELP
    )
    gen.add_argument("template", metavar="TEMPLATE", help="a1-sigmoid ... a4, or an EXPR")
    gen.add_argument("--students", required=True, metavar="ROSTER.csv", help="column 'id'")
    gen.add_argument("--seed", required=True, type=int, help="the class's seed")
    gen.add_argument("--out", required=True, metavar="DIR", help="output folder")
    gen.add_argument("--range", nargs="+", action="extend", default=[], metavar="NAME=LO:HI",
                     help="the range an input's values are drawn from")  # fmt: skip
    gen.set_defaults(run=cmd_exercises_generate)
