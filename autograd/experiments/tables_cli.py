"""The ``autograd repeat`` and ``autograd reproduce`` commands (and ``train --seeds N``),
registered by `autograd.cli.build_parser` through `add_commands`.

Exit codes as for ``autograd train``: 0 done, 2 bad input (one line on stderr), 3 a missing
optional part, 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autograd.experiments.cli import (
    add_run_flags,
    add_setting_flags,
    one_line_usage_error,
    report_error,
    resolve_from_args,
)
from autograd.experiments.config import ConfigError

__all__ = ["add_commands", "cmd_repeat", "cmd_reproduce"]


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number >= 1, got {value}")
    return value


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value == 0 or value < -1:
        raise argparse.ArgumentTypeError(
            f"expected a number >= 1, or -1 for every core; got {value}"
        )
    return value


def _errors(command: str, call) -> int:
    """Run ``call()`` and turn the expected failures into one line and an exit code."""
    from autograd.experiments.data import DataError
    from autograd.experiments.run import OutputExists

    try:
        call()
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (ConfigError, DataError, OutputExists, FileNotFoundError) as error:
        return report_error(command, str(error))
    except ImportError as error:
        return report_error(command, str(error), code=3)
    except ValueError as error:
        return report_error(command, str(error))
    return 0


def cmd_repeat(args: argparse.Namespace) -> int:
    from autograd.experiments.repeat import repeat, summary_line

    def call():
        config = resolve_from_args(args)
        out = args.out or Path("runs") / f"{config.label.replace('/', '_')}-{args.seeds}-seeds"
        result = repeat(config, args.seeds, out, force=args.force, n_jobs=args.jobs,
                        stuck_at=args.stuck_at, download=args.download)  # fmt: skip
        print(summary_line(result))
        for note in result.notes:
            print(f"note: {note}")
        print(f"files in {result.out_dir}/: seeds.csv, summary.json, bands.csv, histogram.png, "
              "curves.png")  # fmt: skip

    return _errors("repeat", call)


def cmd_reproduce(args: argparse.Namespace) -> int:
    from autograd.experiments.reproduce import reproduce

    def call():
        overrides = {"dataset": args.dataset} if args.dataset else {}
        out = args.out or Path("runs") / f"reproduce-{args.table}"
        table = reproduce(args.table, out, epochs=args.epochs, epoch_scale=args.epoch_scale,
                          seeds=args.seeds, fraction=args.fraction, data_dir=args.data_dir,
                          overrides=overrides, force=args.force, n_jobs=args.jobs,
                          progress=not args.quiet)  # fmt: skip
        print(table.markdown(), end="")
        for note in table.notes:
            print(f"note: {note}")
        print(f"written in {out}/: table.md, table.csv, curves.png, and each experiment's files")

    return _errors("reproduce", call)


def _train_or_repeat(train_run):
    """``autograd train ... --seeds N`` is ``autograd repeat ... --seeds N``."""

    def dispatch(args: argparse.Namespace) -> int:
        if args.seeds is None:
            return train_run(args)
        args.jobs, args.stuck_at = 1, None
        return cmd_repeat(args)

    return dispatch


def add_commands(commands) -> None:
    """Add ``repeat`` and ``reproduce``, and ``--seeds`` to ``train``."""
    from autograd.experiments.reproduce import TABLE_NAMES

    repeat = commands.add_parser(
        "repeat",
        help="one experiment over many seeds: histogram, bands, per-seed metrics",
        description="Train one experiment from many seeds (B1 and B2's tiny networks all at "
        "once) and write seeds.csv (per seed), summary.json (mean, std, stuck and solved "
        "fractions), bands.csv, histogram.png and curves.png. Example: autograd repeat "
        "--preset xor-arch1 --seeds 500. Seeds count up from --seed (0).",
    )
    add_run_flags(repeat, out_default="runs/NAME-N-seeds")
    repeat.add_argument("--seeds", type=_positive_int, default=100, metavar="N",
                        help="how many seeds (default 100)")  # fmt: skip
    repeat.add_argument("--jobs", type=_jobs, default=1, metavar="N",
                        help="processes (joblib; -1: one per core)")  # fmt: skip
    stuck_help = "a seed is stuck when its final accuracy is at most this (chance level)"
    repeat.add_argument("--stuck-at", type=float, metavar="ACC", help=stuck_help)
    add_setting_flags(repeat)
    repeat.set_defaults(run=cmd_repeat)
    repeat.error = one_line_usage_error("repeat")

    reproduce = commands.add_parser(
        "reproduce",
        help="a whole table of the course beside the course's numbers",
        description="Run every experiment of one exercise table and write it beside the "
        "course's numbers (table.md, table.csv), with the curves in one figure (curves.png). "
        "--epochs, --fraction and --seeds shorten every experiment (a quick look).",
    )
    reproduce.add_argument("table", choices=TABLE_NAMES, metavar="|".join(TABLE_NAMES))
    reproduce.add_argument("--out", metavar="DIR", help="output folder (runs/reproduce-TABLE)")
    reproduce.add_argument("--data-dir", metavar="DIR", help="where the official files are")
    reproduce.add_argument("--dataset", metavar="FILE.npz|DIR",
                           help="the data set of c2 (the course's 49-class file)")  # fmt: skip
    reproduce.add_argument("--epochs", type=_positive_int, metavar="N",
                           help="epochs of every experiment")  # fmt: skip
    reproduce.add_argument("--epoch-scale", type=float, metavar="F",
                           help="run this fraction of each experiment's epochs")  # fmt: skip
    reproduce.add_argument("--seeds", type=_positive_int, metavar="N",
                           help="seeds of b1 (500) and b2 (100)")  # fmt: skip
    reproduce.add_argument("--fraction", type=float, metavar="F",
                           help="train on this fraction of the training data")  # fmt: skip
    reproduce.add_argument("--force", action="store_true", help="overwrite a table in --out")
    reproduce.add_argument("--quiet", action="store_true", help="no progress on stderr")
    reproduce.add_argument("--jobs", type=_jobs, default=1, metavar="N",
                           help="processes for b1/b2 (joblib; -1: one per core)")  # fmt: skip
    reproduce.set_defaults(run=cmd_reproduce)
    reproduce.error = one_line_usage_error("reproduce")

    train = commands.choices["train"]
    train.add_argument("--seeds", type=_positive_int, metavar="N",
                       help="train from N seeds (as autograd repeat) instead of one")  # fmt: skip
    train.set_defaults(run=_train_or_repeat(train.get_default("run")))
