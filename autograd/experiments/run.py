"""Run one experiment and write its folder.

    result = run(resolve("xor-arch1", seed=3), "runs/xor")
    result.metrics["test_accuracy"], result.history, result.model

The folder (``out_dir``) gets, as each becomes known:

==================  ===========================================================================
``config.toml``     the resolved configuration (``autograd train --config`` repeats the run)
``history.csv``     one row per epoch: train/val loss and accuracy, learning rate, seconds
``history.json``    the same as lists
``model.npz``       the trained model (``nn.load``; the skip architecture: ``nn.load_state``)
``preprocessing.npz`` the scale, mean and std applied to the inputs (for ``autograd evaluate``)
``metrics.json``    train/val/test accuracy and loss, epochs_run, seconds, ...
``per_class.csv``   per-class precision, recall, F1 and support on the test set
``report.txt``      the same as a table
``curves.png``      loss and accuracy per epoch, train and validation
``confusion.png``   the row-normalised confusion matrix on the test set
==================  ===========================================================================

Ctrl-C stops the run between two writes: the history of the finished epochs and the model of
the last finished epoch are written and evaluated as usual (``metrics["interrupted"]`` is true),
then `RunInterrupted` (a KeyboardInterrupt) is raised with the result.
"""

from __future__ import annotations

import csv
import io
import json
import platform
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from autograd import nn, optim
from autograd.data import DataLoader
from autograd.data.augment import AugmentLoader
from autograd.experiments.build import (
    SkipMLP,
    build_loss,
    build_model,
    build_optimizer,
)
from autograd.experiments.config import Config, load_config
from autograd.experiments.data import Data, load_data, preprocess
from autograd.experiments.presets import PRESETS
from autograd.train import History, evaluate, fit, predict

__all__ = ["run", "Result", "RunInterrupted", "OutputExists", "RUN_FILES", "load_run"]

RUN_FILES = (
    "config.toml",
    "history.csv",
    "history.json",
    "model.npz",
    "preprocessing.npz",
    "metrics.json",
    "per_class.csv",
    "report.txt",
    "curves.png",
    "confusion.png",
)
EVAL_BATCH = 1000


class OutputExists(FileExistsError):
    """The output folder already holds a run and ``force`` was not given."""


@dataclass
class Result:
    config: Config
    metrics: dict
    history: History
    model: nn.Module
    data: Data
    out_dir: Path | None

    @property
    def interrupted(self) -> bool:
        return bool(self.metrics.get("interrupted"))


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C during `run`: the files of the finished epochs are written; ``.result`` holds
    them."""

    def __init__(self, result: Result):
        super().__init__(f"interrupted after {result.metrics['epochs_run']} epochs")
        self.result = result


def prepare_out(out_dir, force: bool = False, create: bool = True) -> Path:
    """Make the output folder; refuse one that holds a run unless ``force`` (then its run files
    are removed first, so no file of the old run survives next to the new ones).
    ``create=False`` only checks."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise OutputExists(f"--out {out}: exists and is not a folder")
    held = [name for name in RUN_FILES if (out / name).exists()]
    if held and not force:
        raise OutputExists(
            f"--out {out} already holds a run ({', '.join(held[:3])}); pass --force to "
            "overwrite it, or choose another folder"
        )
    if not create:
        return out
    for name in held:
        (out / name).unlink()
    out.mkdir(parents=True, exist_ok=True)
    return out


def _write_text(path: Path, text: str) -> None:
    from autograd.files import write_atomic

    write_atomic(path, text.encode("utf-8"))


def _loaders(config: Config, data: Data):
    batch = config.batch_size or len(data.x_train)
    if config.augment == "hflip" or config.shift:
        black = np.zeros((1, int(np.prod(data.x_train.shape[1:]))))
        offset = preprocess(black, data.stats)
        step = preprocess(black + 1, data.stats) - offset
        train = AugmentLoader(data.x_train, data.y_train, batch, image_shape=data.image_shape,
                              offset=offset, step=step, flip=config.augment == "hflip",
                              shift=config.shift, seed=config.seed)  # fmt: skip
    else:
        train = DataLoader(data.x_train, data.y_train, batch, shuffle=True, seed=config.seed)
    return train, DataLoader(data.x_val, data.y_val, EVAL_BATCH)


def threshold(config: Config) -> float:
    """Where one output per sample splits class 0 from class 1."""
    plus_minus = config.targets == "plus-minus-one" or (
        config.targets == "auto" and config.out == "tanh"
    )
    logits = config.loss == "bce" and config.out == "linear"
    return 0.0 if plus_minus or logits else 0.5


def predicted_labels(config: Config, outputs: np.ndarray) -> np.ndarray:
    if outputs.ndim == 2 and outputs.shape[1] > 1:
        return outputs.argmax(axis=1)
    return (outputs.reshape(-1) > threshold(config)).astype(np.int64)


def _trim(history: History) -> History:
    """Drop a half-recorded epoch (Ctrl-C inside ``History.append``)."""
    n = min((len(v) for v in history.records.values()), default=0)
    for values in history.records.values():
        del values[n:]
    return history


def run(
    config: Config,
    out_dir=None,
    *,
    force: bool = False,
    progress: bool = True,
    download: bool = False,
    data: Data | None = None,
) -> Result:
    """Train and evaluate the experiment ``config``; with ``out_dir``, write its folder (see the
    module's docstring). ``data``: already loaded (`load_data`), e.g. to run many seeds on it.
    ``download``: fetch a missing official data set. Returns a `Result`."""
    config = config.validate()
    if out_dir is not None:
        prepare_out(out_dir, force, create=False)  # before the data is loaded: fail early
    data = data or load_data(config, download)
    out = prepare_out(out_dir, force) if out_dir is not None else None
    if out is not None:
        _write_text(out / "config.toml", config.to_toml())
    model = build_model(config)
    loss_fn = build_loss(config)
    optimizer, scheduler = build_optimizer(config, model)
    stopper = (
        optim.EarlyStopping(config.monitor, patience=config.patience) if config.patience else None
    )
    train_loader, val_loader = _loaders(config, data)

    last = {"state": _copy_state(model), "history": History(config.label)}

    def keep(history: History) -> None:
        last["state"], last["history"] = _copy_state(model), history

    start, cpu = time.perf_counter(), time.process_time()
    interrupted = False
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RuntimeWarning)
        try:
            history = fit(
                model,
                loss_fn,
                optimizer,
                train_loader,
                val_loader,
                epochs=config.epochs,
                scheduler=scheduler,
                early_stopping=stopper,
                progress=progress,
                label=config.label,
                on_epoch_end=keep,
            )
        except KeyboardInterrupt:
            interrupted = True
            history = _trim(last["history"])
            model.load_state_dict(last["state"])
    seconds = (time.perf_counter() - start, time.process_time() - cpu)
    result = _finish(config, model, loss_fn, data, history, seconds, interrupted, out)
    result.metrics["warnings"] = [str(w.message) for w in caught]
    if out is not None:
        _write_text(out / "metrics.json", json.dumps(result.metrics, indent=2) + "\n")
    if interrupted:
        raise RunInterrupted(result)
    return result


def _copy_state(model) -> dict:
    return {k: np.array(v, copy=True) for k, v in model.state_dict().items()}


def _finish(config, model, loss_fn, data, history, seconds, interrupted, out) -> Result:
    from autograd import metrics as m

    metrics: dict = {"name": config.label, "preset": config.preset}
    for part in ("train", "val", "test"):
        x, y = getattr(data, f"x_{part}"), getattr(data, f"y_{part}")
        scores = evaluate(model, loss_fn, DataLoader(x, y, EVAL_BATCH))
        metrics[f"{part}_accuracy"] = scores["accuracy"]
        metrics[f"{part}_loss"] = scores["loss"]
    labels = predicted_labels(config, predict(model, data.x_test, EVAL_BATCH))
    cm = m.confusion_matrix(data.labels_test, labels, num_classes=len(data.classes))
    per_class = m.precision_recall_f1(cm)
    metrics.update(
        epochs_run=history.epochs,
        stopped_early=history.stopped_early,
        interrupted=interrupted,
        seconds=round(seconds[0], 3),  # wall clock, training and validation
        cpu_seconds=round(seconds[1], 3),  # of this process (all threads): shows the load
        test_macro_f1=per_class["macro_f1"],
        n_train=len(data.x_train),
        n_val=len(data.x_val),
        n_test=len(data.x_test),
        reported=PRESETS[config.preset].reported if config.preset in PRESETS else "",
        machine=f"{platform.machine()}, {platform.python_implementation()} "
        f"{platform.python_version()}",
    )
    result = Result(config, metrics, history, model, data, out)
    if out is not None:
        _write_outputs(result, cm, per_class)
    return result


def _write_outputs(result: Result, cm, per_class) -> None:
    from autograd import metrics as m

    out, history, data = result.out_dir, result.history, result.data
    records = history.as_dict()
    _write_text(out / "history.json", json.dumps(records, indent=1) + "\n")
    keys = list(records)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["epoch", *keys])
    for i in range(history.epochs):
        writer.writerow([i, *(repr(records[k][i]) for k in keys)])  # epochs from 0, as everywhere
    _write_text(out / "history.csv", buffer.getvalue())
    if isinstance(result.model, SkipMLP):
        nn.save_state(result.model, out / "model.npz")
    else:
        nn.save(result.model, out / "model.npz")
    nn.save_state({k: np.asarray(v) for k, v in data.stats.items()}, out / "preprocessing.npz")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["class", "precision", "recall", "f1", "support"])
    for i, name in enumerate(data.classes):
        writer.writerow(
            [name, *(f"{per_class[k][i]:.4f}" for k in ("precision", "recall", "f1")),
             int(per_class["support"][i])]
        )  # fmt: skip
    _write_text(out / "per_class.csv", buffer.getvalue())
    _write_text(out / "report.txt", m.classification_report(cm, class_names=data.classes))
    _plots(result, cm)


def _plots(result: Result, cm) -> None:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        result.metrics.setdefault("notes", []).append(
            "no curves.png / confusion.png: matplotlib is not installed "
            "(pip install 'autograd-lab[plot]')"
        )
        return
    import matplotlib.pyplot as plt

    from autograd import plots

    out = result.out_dir
    if result.history.epochs:
        plt.close(
            plots.plot_history(result.history, title=result.config.label, path=out / "curves.png")
        )
    plt.close(
        plots.plot_confusion_matrix(
            cm,
            result.data.classes,
            normalize=True,
            title=f"{result.config.label}: test set",
            path=out / "confusion.png",
        )
    )


def load_run(folder):
    """``(config, model, stats)`` of a run folder written by `run`: the model ready to use and
    the input preprocessing (for `Data`-like ``preprocess(x, stats)``)."""
    folder = Path(folder)
    config = load_config(folder / "config.toml")
    if config.arch == "skip":
        model = build_model(config)
        model.load_state_dict(nn.load_state(folder / "model.npz"))
    else:
        model = nn.load(folder / "model.npz")
    model.eval()
    stats = nn.load_state(folder / "preprocessing.npz")
    return config, model, stats
