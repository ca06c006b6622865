"""The ``autograd train``, ``autograd presets`` and ``autograd evaluate`` commands (registered
by `autograd.cli.build_parser` through `add_commands`).

Every `Config` field is a flag of ``train`` (``batch_size`` -> ``--batch-size``), except
``out`` (the output activation), whose flag is ``--out-act`` because ``--out DIR`` is the
output folder. Lists are written ``--layers 3072-100-10``, ``--split 0.8,0.2``,
``--class-weights 5=2,7=2,9=2``. Exit codes: 0 done, 2 bad input (one line on stderr, nothing
trained), 3 a missing optional part, 130 interrupted (Ctrl-C; what was written stays valid).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from autograd.experiments.config import CHOICES, Config, ConfigError

__all__ = [
    "add_commands",
    "cmd_train",
    "cmd_presets",
    "cmd_evaluate",
    "report_error",
    "one_line_usage_error",
    "add_setting_flags",
    "resolve_from_args",
]

FLAG_NAMES = {"out": "out-act"}  # --out is the output folder
SKIP_FLAGS = ("preset",)
METAVARS = {
    "str": "TEXT",
    "int": "N",
    "float": "X",
    "list[int]": "A-B-C",
    "list[float]": "X,Y",
    "dict[str, float]": "K=W,...",
}  # --preset NAME is the base, not a field to set


def report_error(command: str, message: str, code: int = 2) -> int:
    """Print ``autograd COMMAND: error: MESSAGE`` on stderr and return the exit ``code``."""
    print(f"autograd {command}: error: {message}", file=sys.stderr)
    return code


def one_line_usage_error(command: str):
    """A replacement for a parser's ``error``: argparse's message without the usage block, on
    one line that points to ``--help``, exit code 2."""

    def error(message: str):
        report_error(command, f"{message} (autograd {command} --help lists the flags)")
        sys.exit(2)

    return error


def _flag(name: str) -> str:
    return "--" + FLAG_NAMES.get(name, name.replace("_", "-"))


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


def add_setting_flags(parser: argparse.ArgumentParser) -> None:
    """Add one flag per `Config` field to ``parser`` (``batch_size`` -> ``--batch-size``, stored
    as ``set_batch_size``; ``resolve_from_args`` reads them back)."""
    group = parser.add_argument_group("experiment settings (override the preset or --config)")
    for f in dataclasses.fields(Config):
        if f.name in SKIP_FLAGS:
            continue
        kind = str(f.type)
        text = f.metadata.get("help", "")
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


def _overrides(args: argparse.Namespace) -> dict:
    changes = {}
    for f in dataclasses.fields(Config):
        value = getattr(args, f"set_{f.name}", None)
        if value is not None:
            kind = str(f.type)
            changes[f.name] = value if kind == "bool" else _parse_value(f.name, kind, value)
    return changes


def resolve_from_args(args: argparse.Namespace) -> Config:
    """The Config of ``--config`` and/or ``--preset`` with every given flag on top."""
    from autograd.experiments.config import load_config, resolve

    overrides = _overrides(args)
    if args.config:
        if args.preset:
            raise ConfigError(
                'give --preset or --config, not both (the file may say preset = "NAME")'
            )
        return load_config(args.config, **overrides)
    return resolve(args.preset, **overrides)


def cmd_train(args: argparse.Namespace) -> int:
    from autograd.experiments.data import DataError
    from autograd.experiments.run import OutputExists, RunInterrupted, run

    try:
        config = resolve_from_args(args)
        out = Path(args.out) if args.out else Path("runs") / config.label.replace("/", "_")
        result = run(config, out, force=args.force, progress=not args.quiet, download=args.download)
    except RunInterrupted as stop:
        _summary(stop.result)
        print(
            f"interrupted: the files in {stop.result.out_dir}/ hold the "
            f"{stop.result.metrics['epochs_run']} finished epochs",
            file=sys.stderr,
        )
        return 130
    except KeyboardInterrupt:
        print("interrupted before training started", file=sys.stderr)
        return 130
    except ConfigError as error:
        return report_error("train", _as_flags(str(error)))
    except (DataError, OutputExists, FileNotFoundError) as error:
        return report_error("train", str(error))
    except ImportError as error:
        return report_error("train", str(error), code=3)
    except ValueError as error:  # a bad data file: the readers name it
        return report_error("train", str(error))
    _summary(result)
    return 0


def _as_flags(message: str) -> str:
    """``batch_size: must be >= 0`` -> ``--batch-size: must be >= 0`` (what the user typed)."""
    name, sep, rest = message.partition(": ")
    fields = {f.name for f in dataclasses.fields(Config)}
    return f"{_flag(name)}: {rest}" if sep and name in fields else message


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
        f"{m['epochs_run']} epochs{stopped} in {m['seconds']:.1f} s on {m['n_train']} training "
        f"samples; files in {result.out_dir}/"
    )
    for note in m.get("warnings", []) + m.get("notes", []):
        print(f"note: {note}")


def cmd_presets(args: argparse.Namespace) -> int:
    from autograd.experiments.presets import PRESETS

    names = [n for n, p in PRESETS.items() if not args.table or p.table == args.table]
    if not names:
        tables = sorted({p.table for p in PRESETS.values() if p.table})
        return report_error("presets", f"no table {args.table!r}; known: {', '.join(tables)}")
    width = max(len(n) for n in names)
    rw = max(len("course reports"), *(len(PRESETS[n].reported or "-") for n in names))
    print(f"{'preset':<{width}}  {'table':<5}  {'course reports':<{rw}}  experiment")
    for name in names:
        p = PRESETS[name]
        print(f"{name:<{width}}  {p.table or '-':<5}  {p.reported or '-':<{rw}}  {p.description}")
    if args.verbose:
        for name in names:
            if PRESETS[name].note:
                print(f"\n{name}: {PRESETS[name].note}")
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    try:
        report = evaluate_model(args.model, args.data, args.data_dir, args.plot)
    except (ConfigError, FileNotFoundError, ValueError) as error:
        return report_error("evaluate", str(error))
    except ImportError as error:
        return report_error("evaluate", str(error), code=3)
    print(report)
    return 0


def evaluate_model(model_path, data=None, data_dir=None, plot=None) -> str:
    """The text report of ``autograd evaluate`` (accuracy, confusion matrix, per-class
    precision/recall/F1); ``plot``: also draw the confusion matrix there."""
    import numpy as np

    from autograd import metrics, nn
    from autograd.experiments.data import as_images, load_data, load_raw, preprocess
    from autograd.experiments.run import load_run, predicted_labels
    from autograd.train import predict

    path = Path(model_path)
    folder = path if path.is_dir() else path.parent
    if (folder / "config.toml").is_file() and (path.is_dir() or path.name == "model.npz"):
        config, model, stats = load_run(folder)
    elif path.is_file():
        if data is None:
            raise ConfigError(f"{path}: a model file without its run folder needs --data")
        model, config, stats = nn.load(path), None, {}
    else:
        raise FileNotFoundError(f"{path}: no such run folder or model file")
    if data is None:
        ready = load_data(config)
        x, labels, classes, where = ready.x_test, ready.labels_test, ready.classes, "test split"
    else:
        base = config or Config(layers=[1, 1])
        if data_dir is None:  # the run's own folder of official files, for its own data set
            data_dir = base.data_dir if data == base.dataset else ""
        raw = load_raw(base.replace(dataset=data, data_dir=data_dir))
        x_raw, labels = (
            (raw.x_test, raw.labels_test) if raw.x_test is not None else (raw.x, raw.labels)
        )
        if config is None and x_raw.dtype == np.uint8:
            stats = {"scale": np.float32(1 / 255)}
        x, classes = preprocess(x_raw, stats), raw.classes
        if _first_weight_ndim(model) == 4:  # a conv net takes (N, C, H, W) images
            x = as_images(x, x_raw.shape[1:] + (1,) * (x_raw.ndim == 3))
        where = "test set" if raw.x_test is not None else "all of it"
    n_in = _inputs(model)
    if n_in is not None and x.shape[1] != n_in:
        raise ValueError(
            f"{path}: the model takes {n_in} inputs per sample, the data has {x.shape[1]}"
        )
    outputs = predict(model, x)
    if config is not None:
        predicted = predicted_labels(config, outputs)
    else:
        predicted = outputs.argmax(axis=1) if outputs.shape[1] > 1 else (outputs[:, 0] > 0.5)
    cm = metrics.confusion_matrix(
        labels, predicted, num_classes=max(len(classes), outputs.shape[1])
    )
    names = list(classes) + [str(i) for i in range(len(classes), len(cm))]
    lines = [
        f"{path}: {len(x)} samples of {data or config.dataset} ({where})",
        f"accuracy {np.trace(cm) / cm.sum():.4f}",
        "",
        "confusion matrix (rows: true class, columns: predicted)",
        *("  " + " ".join(f"{v:6d}" for v in row) for row in cm),
        "",
        metrics.classification_report(cm, class_names=names).rstrip(),
    ]
    if plot:
        import matplotlib.pyplot as plt

        from autograd import plots

        plt.close(plots.plot_confusion_matrix(cm, names, normalize=True, path=plot))
        lines.append(f"\nconfusion matrix drawn in {plot}")
    return "\n".join(lines)


def _first_weight_ndim(model):
    return next((p.data.ndim for p in model.parameters()), 0)


def _inputs(model):
    for p in model.parameters():
        return p.data.shape[1] if p.data.ndim == 2 else None
    return None


def add_run_flags(parser, out_default: str) -> None:
    """The flags that say what to run and where to write it, shared by ``train`` and
    ``repeat``: --preset, --config, --out, --force, --download."""
    parser.add_argument("--preset", metavar="NAME", help="a course experiment (autograd presets)")
    parser.add_argument("--config", metavar="FILE.toml", help="settings from a TOML file")
    parser.add_argument("--out", metavar="DIR", help=f"output folder ({out_default})")
    parser.add_argument("--force", action="store_true", help="overwrite a run already in --out")
    parser.add_argument(
        "--download", action="store_true", help="download a missing official data set"
    )


def add_commands(commands) -> None:
    """Add ``train``, ``presets`` and ``evaluate`` to the ``autograd`` sub-command parsers."""
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
    add_setting_flags(train)
    train.set_defaults(run=cmd_train)
    train.error = one_line_usage_error("train")

    presets = commands.add_parser("presets", help="list the course's experiments by name")
    presets.add_argument("--table", metavar="b1|b2|c1|c2|c3|c5", help="only one exercise's presets")
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
    evaluate.add_argument("--data-dir", metavar="DIR", help="where the official files are")
    evaluate.add_argument("--plot", metavar="FILE.png", help="draw the confusion matrix")
    evaluate.set_defaults(run=cmd_evaluate)
    evaluate.error = one_line_usage_error("evaluate")
