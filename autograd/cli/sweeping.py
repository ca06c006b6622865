"""``autograd sweep``: a sweep of any experiment's settings (a thin layer over
`autograd.experiments.sweep`).

    autograd sweep --preset cifar10-relu-ce --grid lr=0.01,0.05,0.1 --grid act=sigmoid,relu \\
        --epochs 2 --data-dir ../shared/data/cifar10 --jobs 2 --out runs/c1-lr

``--grid SETTING=A,B,C`` lists the values of one setting (as its flag takes them; values that
hold a comma themselves, such as ``split``, are separated by ``;``), ``SETTING=LOW:HIGH`` (or
``LOW:HIGH:log``) is a range for ``--random K`` draws. The same sweep from a file:
``--config sweep.toml`` (`autograd.experiments.sweep.read_sweep_file`); flags override it.
"""

from __future__ import annotations

import argparse
import dataclasses

from autograd.cli.common import UsageError
from autograd.cli.training import (
    add_run_flags,
    jobs_count,
    resolve_from_args,
    setting_value,
    whole_number,
)
from autograd.experiments.config import Config, ConfigError, resolve
from autograd.experiments.sweep import Range, plan_sweep, read_sweep_file, sweep

__all__ = ["add_commands", "cmd_sweep", "parse_grid"]


def parse_grid(text: str) -> tuple[str, list | Range]:
    """``"lr=0.01,0.1"`` -> ``("lr", [0.01, 0.1])``; ``"lr=0.001:0.1:log"`` -> a `Range`."""
    name, sep, values = text.partition("=")
    name = name.strip().replace("-", "_")
    if not sep or not name:
        raise UsageError(f"--grid {text!r}: expected SETTING=A,B,... (e.g. lr=0.01,0.1)")
    fields = {f.name for f in dataclasses.fields(Config)}
    if name not in fields:
        return name, [values]  # plan_sweep names it and lists the settings
    items = [v.strip() for v in values.split(";" if ";" in values else ",") if v.strip()]
    if len(items) == 1 and ":" in items[0] and name != "class_weights":
        low, _, rest = items[0].partition(":")
        high, _, log = rest.partition(":")
        if log not in ("", "log"):
            raise UsageError(f"--grid {text!r}: a range is LOW:HIGH or LOW:HIGH:log")
        try:
            return name, Range(float(low), float(high), log == "log")
        except ValueError:
            raise UsageError(f"--grid {text!r}: a range is two numbers, LOW:HIGH") from None
    return name, [setting_value(name, v) for v in items]


def _given_flags(args: argparse.Namespace) -> list[str]:
    return [
        f.name
        for f in dataclasses.fields(Config)
        if getattr(args, f"set_{f.name}", None) is not None
    ]


def _plan(args: argparse.Namespace):
    grid: dict = {}
    options = {"seeds": args.seeds, "random": args.random, "random_seed": args.random_seed}
    if args.config:
        if args.preset:
            raise UsageError(
                'give --preset or --config, not both (the file may say preset = "NAME")'
            )
        settings, grid, from_file = read_sweep_file(args.config)
        options.update({k: v for k, v in from_file.items() if getattr(args, k) is None})
        flags = {n: getattr(args, f"set_{n}") for n in _given_flags(args)}
        try:
            base = resolve(settings.pop("preset", None), **settings)
            base = base.replace(
                **{n: v if isinstance(v, bool) else setting_value(n, v) for n, v in flags.items()}
            )
        except ConfigError as error:
            raise ConfigError(f"{args.config}: {error}") from None
    else:
        base = resolve_from_args(args)
    for text in args.grid:
        name, values = parse_grid(text)
        if name in grid:
            raise UsageError(f"--grid {name}: given twice; one --grid per setting")
        grid[name] = values
    fixed = [n for n in _given_flags(args) if n in grid]
    if fixed:
        raise UsageError(
            f"--{fixed[0].replace('_', '-')} and --grid {fixed[0]}=... contradict each other: "
            "give one"
        )
    return plan_sweep(
        base,
        grid,
        seeds=options["seeds"] or 1,
        random=options["random"] or 0,
        random_seed=options["random_seed"] or 0,
    )


def cmd_sweep(args: argparse.Namespace) -> int:
    plan = _plan(args)
    out = args.out or f"runs/sweep-{plan.base.label}"
    result = sweep(plan, out, n_jobs=args.jobs, scheduler=args.scheduler,
                   send_data=True if args.send_data else None, force=args.force,
                   progress=not args.quiet, download=args.download)  # fmt: skip
    print(result.markdown(), end="")
    if result.skipped:
        print(f"note: {result.skipped} runs were finished already (read from their folders)")
    for line in result.notes:
        print(f"note: {line}")
    print(f"files in {result.out_dir}/: results.csv, results.md, sweep.png, runs/ (one per run)")
    return 0


def add_commands(commands) -> None:
    """Add ``sweep``."""
    p = commands.add_parser(
        "sweep",
        help="one experiment over a grid of settings: a run folder each, one results table",
        description="Run an experiment for every combination of the --grid values (or --random "
        "K draws), each a run folder under OUT/runs/, and write results.csv and results.md "
        "(best validation accuracy first) and sweep.png. A rerun skips finished runs and redoes "
        "half-done ones. Example: autograd sweep --preset cifar10-relu-ce --grid "
        "lr=0.01,0.05,0.1 --grid act=sigmoid,relu --epochs 2 --out runs/c1. --config FILE.toml: "
        "a run's settings plus a [grid] table.",
    )
    add_run_flags(p, out_default="runs/sweep-NAME")
    p.add_argument("--grid", action="append", default=[], metavar="SETTING=A,B,...",
                   help="values of one setting (LOW:HIGH[:log]: a range for --random); "
                   "repeat for more settings")  # fmt: skip
    p.add_argument("--seeds", type=whole_number, metavar="N",
                   help="run every combination from N seeds, counting up from --seed")  # fmt: skip
    p.add_argument("--random", type=whole_number, metavar="K",
                   help="K random draws of the grid instead of every combination")  # fmt: skip
    p.add_argument(
        "--random-seed",
        type=int,
        metavar="S",
        help="seed of the --random draws (default: 0: a rerun draws the same)",
    )
    p.add_argument(
        "--jobs",
        type=jobs_count,
        default=1,
        metavar="N",
        help="runs at once (joblib processes; -1: one per core; default: 1)",
    )
    p.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                   help="run on a running Dask cluster (the distributed extra); --out and "
                   "--data-dir must be paths every worker sees")  # fmt: skip
    p.add_argument("--send-data", action="store_true",
                   help="read the data set here once and send it to the cluster's workers "
                   "(default: each worker reads it from --data-dir)")  # fmt: skip
    p.add_argument("--quiet", action="store_true", help="no progress, no line per run")
    p.set_defaults(run=cmd_sweep)
