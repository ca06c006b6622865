"""``autograd train``, ``repeat``, ``reproduce``, ``evaluate`` and ``presets``: the course's
experiments from the command line (thin layers over `autograd.experiments`).

Every `Config` field is a flag of ``train`` and ``repeat`` (``batch_size`` -> ``--batch-size``,
``out_act`` -> ``--out-act``, the output activation; ``--out DIR`` is the output folder).
Lists are written ``--layers 3072-100-10``, ``--split 0.8,0.2``, ``--class-weights
5=2,7=2,9=2``. Every command that reads a data set takes the same data flags
(`add_data_flags`: ``--data-dir``, ``--download``); ``train`` and ``repeat`` share the run
flags (`add_run_flags`). Exit codes: `autograd.cli`'s table.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import shutil
import textwrap
from pathlib import Path

from autograd.cli.common import UsageError, user_output_path
from autograd.experiments.config import (
    CHOICES,
    DATASETS,
    Config,
    ConfigError,
    load_config,
    resolve,
)
from autograd.experiments.evaluate import evaluate_model
from autograd.experiments.presets import PRESETS
from autograd.experiments.repeat import repeat, summary_line
from autograd.experiments.reproduce import TABLE_NAMES, reproduce
from autograd.experiments.run import RunInterrupted, run
from autograd.nn.scalar_graph import LEVELS
from autograd.viz.render import SUFFIXES

__all__ = [
    "add_commands",
    "add_run_flags",
    "add_data_flags",
    "add_setting_flags",
    "resolve_from_args",
    "setting_value",
    "jobs_count",
    "whole_number",
    "cmd_train",
    "cmd_repeat",
    "cmd_reproduce",
    "cmd_evaluate",
    "cmd_presets",
]

SKIP_FLAGS = ("preset", "data_dir")  # --preset NAME is the base; --data-dir is a data flag
METAVARS = {
    "str": "TEXT",
    "int": "N",
    "float": "X",
    "list[int]": "A-B-C",
    "list[float]": "X,Y",
    "dict[str, float]": "K=W,...",
}


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _parse_value(name: str, kind: str, text: str):
    """A flag's text as the field's type; ConfigError naming the flag when it is not."""
    flag = _flag(name)
    try:
        if kind == "int":
            return int(text)
        if kind == "float":
            return float(text)
        if kind == "list[int]":
            separator = "x" if name == "image_size" else "-"
            return [int(v) for v in text.replace(",", separator).split(separator)]
        if kind == "list[float]":
            return [float(v) for v in text.split(",") if v.strip()]
        if kind.startswith("dict"):
            pairs = [p for p in text.replace(":", "=").split(",") if p.strip()]
            return {k.strip(): float(v) for k, v in (p.split("=") for p in pairs)}
    except ValueError:
        example = {
            "int": "an integer",
            "float": "a number",
            "list[int]": "sizes such as 784-100-10",
            "list[float]": "numbers such as 0.8,0.2",
        }.get(kind, "CLASS=WEIGHT pairs such as 5=2,7=2,9=2")
        raise ConfigError(f"{flag}: cannot read {text!r}; expected {example}") from None
    return text


def _default_text(value) -> str:
    """A `Config` default as a flag takes it (``[2, 2, 1]`` -> ``2-2-1``)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "-".join(map(str, value)) if value else "none"
    if isinstance(value, dict):
        return ",".join(f"{k}={v:g}" for k, v in value.items()) or "none"
    return str(value) if value != "" else "none"


def add_setting_flags(parser: argparse.ArgumentParser) -> None:
    """Add one flag per `Config` field to ``parser`` (``batch_size`` -> ``--batch-size``, stored
    as ``set_batch_size``; `resolve_from_args` reads them back), each help with its default."""
    group = parser.add_argument_group(
        "experiment settings (override the preset or --config; defaults: B1's XOR network)"
    )
    defaults = Config()
    for f in dataclasses.fields(Config):
        if f.name in SKIP_FLAGS:
            continue
        kind = str(f.type)
        text = f"{f.metadata.get('help', '')} (default: {_default_text(getattr(defaults, f.name))})"
        if kind == "bool":
            group.add_argument(
                _flag(f.name),
                dest=f"set_{f.name}",
                action=argparse.BooleanOptionalAction,
                help=text,
            )
            continue
        metavar = "|".join(CHOICES[f.name]) if f.name in CHOICES else METAVARS.get(kind, "X")
        metavar = "HxW" if f.name == "image_size" else metavar
        group.add_argument(_flag(f.name), dest=f"set_{f.name}", metavar=metavar, help=text)


def add_data_flags(parser: argparse.ArgumentParser) -> None:
    """The flags of every command that reads a data set: where the official files are, and
    whether to download them."""
    group = parser.add_argument_group("data")
    group.add_argument(
        "--data-dir",
        dest="set_data_dir",
        metavar="DIR",
        help="folder of the official files: cifar-10-binary.tar.gz, *-ubyte.gz, or extracted",
    )
    group.add_argument(
        "--download",
        action="store_true",
        help="download a missing official data set into the user cache (the data extra)",
    )


def add_run_flags(parser: argparse.ArgumentParser, out_default: str) -> None:
    """The flags that say what to run and where to write it, shared by ``train`` and
    ``repeat``: --preset, --config, --out, --force, the data flags and every setting."""
    parser.add_argument("--preset", metavar="NAME", help="a course experiment (autograd presets)")
    parser.add_argument("--config", metavar="FILE.toml", help="settings from a TOML file")
    parser.add_argument("--out", metavar="DIR", help=f"output folder (default: {out_default})")
    parser.add_argument("--force", action="store_true", help="overwrite a run already in --out")
    add_data_flags(parser)
    add_setting_flags(parser)


def setting_value(name: str, text: str):
    """The text of the setting ``name`` as its `Config` type, as its flag takes it
    (``3072-100-10``, ``0.8,0.2``; ``yes`` / ``no`` for a switch); ConfigError naming the flag
    when it is not one (``autograd sweep --grid`` values)."""
    kind = {f.name: str(f.type) for f in dataclasses.fields(Config)}[name]
    if kind == "bool":
        words = {"yes": True, "true": True, "no": False, "false": False}
        if text.strip().lower() not in words:
            raise ConfigError(f"{_flag(name)}: cannot read {text!r}; expected yes or no")
        return words[text.strip().lower()]
    return _parse_value(name, kind, text)


def _overrides(args: argparse.Namespace) -> dict:
    changes = {}
    for f in dataclasses.fields(Config):
        value = getattr(args, f"set_{f.name}", None)
        if value is not None:
            kind = str(f.type)
            changes[f.name] = value if kind == "bool" else _parse_value(f.name, kind, value)
    return changes


def _as_flags(error: ConfigError) -> ConfigError:
    """``batch_size: must be >= 0`` -> ``--batch-size: must be >= 0`` (what the user typed)."""
    name, sep, rest = str(error).partition(": ")
    fields = {f.name for f in dataclasses.fields(Config)}
    return ConfigError(f"{_flag(name)}: {rest}") if sep and name in fields else error


def resolve_from_args(args: argparse.Namespace) -> Config:
    """The Config of ``--config`` and/or ``--preset`` with every given flag on top. For the
    user's own data, layers left at the default take the data's input and output sizes."""
    overrides = _overrides(args)
    try:
        if args.config:
            if args.preset:
                raise ConfigError(
                    'give --preset or --config, not both (the file may say preset = "NAME")'
                )
            config = load_config(args.config, **overrides)
        else:
            config = resolve(args.preset, **overrides)
        if config.dataset not in DATASETS and config.layers == Config().layers:
            config = config.replace(layers=[0, *config.layers[1:-1], 0])
        return config
    except ConfigError as error:
        raise _as_flags(error) from None


def _run_folder(config: Config, given: str | None, suffix: str = "") -> Path:
    """``--out``, or ``runs/NAME`` (the run's name is one path component: `Config`)."""
    return Path(given) if given else Path("runs") / f"{config.label}{suffix}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _summary(result) -> None:
    m = result.metrics
    reported = f" (course: {m['reported']})" if m.get("reported") else ""
    print(
        f"{m['name']}: test accuracy {m['test_accuracy']:.3f}{reported}, "
        f"val {m['val_accuracy']:.3f}, train {m['train_accuracy']:.3f}; "
        f"test loss {m['test_loss']:.4g}"
    )
    stopped = ", stopped early" if m["stopped_early"] else ""
    print(
        f"{_plural(m['epochs_run'], 'epoch')}{stopped} in {m['seconds']:.1f} s on "
        f"{m['n_train']} training samples; files in {result.out_dir}/"
    )
    for line in m.get("warnings", []) + m.get("notes", []):
        print(f"note: {line}")


def cmd_train(args: argparse.Namespace) -> int:
    if args.seeds is not None:  # autograd train ... --seeds N is autograd repeat
        args.jobs, args.stuck_at = 1, None
        return cmd_repeat(args)
    config = resolve_from_args(args)
    try:
        result = run(
            config,
            _run_folder(config, args.out),
            force=args.force,
            progress=not args.quiet,
            download=args.download,
        )
    except RunInterrupted as stop:
        _summary(stop.result)
        raise
    except ConfigError as error:  # a setting the data refuses (--boundary on 4 inputs)
        raise _as_flags(error) from None
    _summary(result)
    return 0


def cmd_repeat(args: argparse.Namespace) -> int:
    config = resolve_from_args(args)
    out = _run_folder(config, args.out, f"-{args.seeds}-seeds")
    try:
        result = repeat(config, args.seeds, out, force=args.force, n_jobs=args.jobs,
                        stuck_at=args.stuck_at, download=args.download)  # fmt: skip
    except ConfigError as error:
        raise _as_flags(error) from None
    print(summary_line(result))
    for line in result.notes:
        print(f"note: {line}")
    print(f"files in {result.out_dir}/: seeds.csv, summary.json, bands.csv, histogram.png, "
          "curves.png")  # fmt: skip
    return 0


def cmd_reproduce(args: argparse.Namespace) -> int:
    overrides = {"dataset": args.dataset} if args.dataset else {}
    out = Path(args.out) if args.out else Path("runs") / f"reproduce-{args.table}"
    table = reproduce(args.table, out, epochs=args.epochs, epoch_scale=args.epoch_scale,
                      seeds=args.seeds, fraction=args.fraction, data_dir=args.set_data_dir,
                      overrides=overrides, force=args.force, n_jobs=args.jobs,
                      progress=not args.quiet, download=args.download)  # fmt: skip
    print(table.markdown(), end="")
    for line in table.notes:
        print(f"note: {line}")
    print(f"written in {out}/: table.md, table.csv, {table.figure}, and each experiment's files")
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    plot = user_output_path(args.plot, (".png", ".svg", ".pdf"), "--plot") if args.plot else None
    network = user_output_path(args.network, SUFFIXES, "--network") if args.network else None
    print(evaluate_model(args.model, args.data, args.set_data_dir, plot, args.download,
                         network, args.level, args.sample))  # fmt: skip
    return 0


def cmd_presets(args: argparse.Namespace) -> int:
    """Each preset: its name, table and the course's number on one line, what it runs below,
    wrapped to the terminal's width; ``-v`` adds the choices made where the exercise leaves
    one open."""
    names = [n for n, p in PRESETS.items() if not args.table or p.table == args.table]
    if not names:
        tables = sorted({p.table for p in PRESETS.values() if p.table})
        raise UsageError(f"--table: no table {args.table!r}; known: {', '.join(tables)}")
    width = max(40, shutil.get_terminal_size().columns - 1)
    indent = " " * 4
    for name in names:
        p = PRESETS[name]
        head = f"{name} ({p.table or 'this project'}): course reports {p.reported or '-'}"
        print(textwrap.fill(head, width, subsequent_indent=indent, break_on_hyphens=False))
        texts = [p.description] + ([f"chosen: {p.note}"] if args.verbose and p.note else [])
        for text in texts:
            print(textwrap.fill(text, width, initial_indent=indent, subsequent_indent=indent,
                                break_on_hyphens=False))  # fmt: skip
    if not args.verbose:
        print("\n(autograd presets -v: also the choices made where the exercise leaves one open)")
    return 0


def whole_number(text: str, minimum: int = 1) -> int:
    """A flag's whole number of at least ``minimum`` (argparse's ``type=``)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"expected a number >= {minimum}, got {value}")
    return value


def _positive_int(text: str) -> int:
    return whole_number(text)


def jobs_count(text: str) -> int:
    """The argparse type of every ``--jobs``: a count >= 1, or -1 for one per core."""
    value = whole_number(text, minimum=-1)
    if value == 0:
        raise argparse.ArgumentTypeError("expected a number >= 1, or -1 for every core; got 0")
    return value


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None


def _positive_number(text: str) -> float:
    """A finite number > 0 (``--epoch-scale inf`` would ask for endless epochs)."""
    value = _number(text)
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"expected a finite number > 0, got {text!r}")
    return value


def _fraction(text: str) -> float:
    value = _positive_number(text)
    if value > 1:
        raise argparse.ArgumentTypeError(f"expected a fraction in (0, 1], got {text!r}")
    return value


def _accuracy(text: str) -> float:
    """An accuracy in [0, 1] (``nan`` would make every seed not stuck)."""
    value = _number(text)
    if not 0 <= value <= 1:  # `not` also refuses nan
        raise argparse.ArgumentTypeError(f"expected an accuracy in [0, 1], got {text!r}")
    return value


def add_commands(commands) -> None:
    """Add ``train``, ``repeat``, ``reproduce``, ``evaluate`` and ``presets``."""
    train = commands.add_parser(
        "train",
        help="train one experiment (a preset of the course, flags, or a TOML file)",
        description="Train, evaluate and write a run folder (config.toml, history.csv/json, "
        "curves.png, confusion.png, per_class.csv, metrics.json, model.npz). Stable form: "
        "autograd train --preset NAME [--data-dir DIR] [--out DIR] [--epochs N] [--seed S]; "
        "any setting flag overrides the preset. `autograd presets` lists the presets.",
    )
    add_run_flags(train, out_default="runs/NAME")
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    train.add_argument("--seeds", type=_positive_int, metavar="N",
                       help="train from N seeds (as autograd repeat) instead of one")  # fmt: skip
    train.set_defaults(run=cmd_train)

    repeat_parser = commands.add_parser(
        "repeat",
        help="one experiment over many seeds: histogram, bands, per-seed metrics",
        description="Train one experiment from many seeds (B1 and B2's tiny networks all at "
        "once) and write seeds.csv (per seed), summary.json (mean, std, stuck and solved "
        "fractions), bands.csv, histogram.png and curves.png. Example: autograd repeat "
        "--preset xor-arch1 --seeds 500. Seeds count up from --seed (0).",
    )
    add_run_flags(repeat_parser, out_default="runs/NAME-N-seeds")
    repeat_parser.add_argument("--seeds", type=_positive_int, default=100, metavar="N",
                               help="how many seeds (default: 100)")  # fmt: skip
    repeat_parser.add_argument("--jobs", type=jobs_count, default=1, metavar="N",
                               help="processes (joblib; -1: one per core; default: 1)")  # fmt: skip
    repeat_parser.add_argument(
        "--stuck-at", type=_accuracy, metavar="ACC",
        help="a seed is stuck when its final accuracy is at most this (default: chance level)",
    )  # fmt: skip
    repeat_parser.set_defaults(run=cmd_repeat)

    reproduce_parser = commands.add_parser(
        "reproduce",
        help="a whole table of the course beside the course's numbers",
        description="Run every experiment of one exercise table and write it beside the "
        "course's numbers (table.md, table.csv), with the curves in one figure (curves.png; "
        "b1: the histograms of final accuracy, histogram.png). --epochs, --epoch-scale, "
        "--fraction and --seeds shorten every experiment (a quick look).",
    )
    p = reproduce_parser
    p.add_argument("table", choices=TABLE_NAMES, metavar="|".join(TABLE_NAMES))
    p.add_argument("--out", metavar="DIR", help="output folder (default: runs/reproduce-TABLE)")
    add_data_flags(p)
    p.add_argument("--dataset", metavar="FILE.npz|DIR",
                   help="the data set of c2 (the course's 49-class file)")  # fmt: skip
    p.add_argument("--epochs", type=_positive_int, metavar="N", help="epochs of every experiment")
    p.add_argument("--epoch-scale", type=_positive_number, metavar="F",
                   help="run this fraction of each experiment's epochs")  # fmt: skip
    p.add_argument("--seeds", type=_positive_int, metavar="N",
                   help="seeds of b1 (default: 500) and b2 (default: 100)")  # fmt: skip
    p.add_argument("--fraction", type=_fraction, metavar="F",
                   help="train on this fraction of the training data (default: 1)")  # fmt: skip
    p.add_argument("--force", action="store_true", help="overwrite a table in --out")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.add_argument("--jobs", type=jobs_count, default=1, metavar="N",
                   help="processes for b1/b2 (joblib; -1: one per core; default: 1)")  # fmt: skip
    p.set_defaults(run=cmd_reproduce)

    presets = commands.add_parser(
        "presets",
        help="list the course's experiments by name",
        description="The presets of autograd train --preset NAME: the course's experiments "
        "with the number the course reports and what each runs, wrapped to the terminal's "
        "width; -v adds the choices made where the exercise leaves one open.",
    )
    tables = "|".join(sorted({p.table for p in PRESETS.values() if p.table}))
    presets.add_argument("--table", metavar=tables, help="only one exercise's presets")
    presets.add_argument("-v", "--verbose", action="store_true", help="also the choices made")
    presets.set_defaults(run=cmd_presets)

    evaluate = commands.add_parser(
        "evaluate",
        help="accuracy, confusion matrix and per-class precision/recall/F1 of a trained model",
        description="MODEL is a run folder of autograd train (or its model.npz), or a file of "
        "nn.save. Without --data: the run's own test split.",
    )
    evaluate.add_argument("model", metavar="MODEL")
    evaluate.add_argument(
        "--data", metavar="DATASET", help="a data set name (its test set) or FILE.npz / a folder"
    )
    add_data_flags(evaluate)
    evaluate.add_argument("--plot", metavar="FILE.png", help="draw the confusion matrix")
    evaluate.add_argument(
        "--network",
        metavar="FILE",
        help="draw the network on one example (.svg .png .pdf .dot .tex): every neuron's "
        "values and gradients (of the sum of the outputs); Sequential MLPs",
    )
    evaluate.add_argument(
        "--level",
        choices=LEVELS,
        default="neuron",
        help="scalar: every multiply; neuron (default): a box per neuron; layer: the Tensor graph",
    )
    evaluate.add_argument(
        "--sample", type=lambda t: whole_number(t, minimum=0), default=0, metavar="I",
        help="which example of the data to draw (default: 0)",
    )  # fmt: skip
    evaluate.set_defaults(run=cmd_evaluate)
