"""The ``autograd`` command. Each subcommand is one function ``cmd_NAME(args) -> exit code``;
its options are declared in ``build_parser``."""

from __future__ import annotations

import argparse
import sys


def cmd_demo(args: argparse.Namespace) -> int:
    """The project's main job: the course's part-A numbers."""
    from autograd.exercises import A1_ACTIVATIONS, a1

    names = ["y", "h", "w1", "w2", "b", "x1", "x2"]
    print("A1: y = f(w1*x1 + w2*x2 + b), x = (2.8, -1.8), w = (1.45, -0.35), b = -4")
    print(f"{'f':<22}{'y':>9}" + "".join(f"{'dy/d' + n:>9}" for n in names[1:]))
    for activation, params in A1_ACTIVATIONS.items():
        exercise = a1(activation)
        title = activation + "".join(f"({k}={p})" for k, p in params.items())
        row = [exercise.nodes["y"].data] + [exercise.nodes[n].grad for n in names[1:]]
        print(f"{title:<22}" + "".join(f"{x:>9.3f}" for x in row))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autograd",
        description="Computational graphs of the course exercises: values, gradients, diagrams.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo = commands.add_parser("demo", help="print the part-A exercise results")
    demo.set_defaults(run=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
