"""Run one experiment and write its folder.

    result = run(resolve("xor-arch1", seed=3), "runs/xor")
    result.metrics["test_accuracy"], result.history, result.model

The folder (``out_dir``) gets, as each becomes known:

==================  ===========================================================================
``config.toml``     the resolved configuration (``autograd train --config`` repeats the run)
``history.csv``     one row per epoch: train/val loss and accuracy, learning rate, seconds
``history.json``    the same as lists
``model.npz``       the trained model (``nn.load``)
``preprocessing.npz`` the scale, mean and std applied to the inputs (for ``autograd evaluate``)
``metrics.json``    train/val/test accuracy and loss, epochs_run, seconds, ...
``per_class.csv``   per-class precision, recall, F1 and support on the test set
``report.txt``      the same as a table
``curves.png``      loss and accuracy per epoch, train and validation
``confusion.png``   the row-normalised confusion matrix on the test set
``boundary.gif``    with ``boundary = true`` (``--boundary``; 2-input data): the decision boundary
                    every ``boundary_every`` epochs as it trains; ``boundary.png`` its last frame,
                    ``boundary_frames.png`` a grid of frames (`autograd.plots.BoundaryRecorder`)
==================  ===========================================================================

Ctrl-C stops the training between two epochs: the history of the finished epochs and the model
of the last finished epoch are evaluated and written as usual (``metrics["interrupted"]`` is
true), then `RunInterrupted` (a KeyboardInterrupt) is raised with the result. A second Ctrl-C
while the results are written waits until they all are (`autograd.files.interrupts_deferred`):
the folder holds a complete state, never some results without ``metrics.json``.
"""

from __future__ import annotations

import functools
import json
import platform
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from autograd import metrics as m
from autograd import nn, optim
from autograd.data import DataLoader
from autograd.data.augment import AugmentLoader
from autograd.experiments.build import build_loss, build_model, build_optimizer
from autograd.experiments.config import Config, ConfigError, load_config
from autograd.experiments.data import Data, load_data, preprocess, sized
from autograd.experiments.presets import PRESETS
from autograd.files import interrupts_deferred, output_folder, write_csv, write_text
from autograd.train import History, evaluate, fit

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
BOUNDARY_FILES = ("boundary.gif", "boundary.png", "boundary_frames.png")  # with --boundary
BOUNDARY_FRAMES = 40  # boundary_every = 0: about this many frames
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
    boundary: object = None  # the BoundaryRecorder of a run with config.boundary

    @property
    def interrupted(self) -> bool:
        return bool(self.metrics.get("interrupted"))


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C during `run`: the files of the finished epochs are written; ``.result`` holds
    them. The message says where."""

    def __init__(self, result: Result):
        n = result.metrics["epochs_run"]
        epochs = f"{n} finished epoch{'' if n == 1 else 's'}"
        where = f"the files in {result.out_dir}/ hold the {epochs}" if result.out_dir else epochs
        super().__init__(where)
        self.result = result


def prepare_out(
    out_dir, force: bool = False, create: bool = True, files=RUN_FILES + BOUNDARY_FILES
) -> Path:
    """Make the output folder; refuse one that holds any of ``files`` (a run's) unless
    ``force`` (then they are removed first, so no file of the old run survives next to the new
    ones). ``create=False`` only checks. The folder is resolved before it is looked at
    (`autograd.files.output_folder`: ``runs/..`` is the working folder); returns it resolved."""
    out = output_folder(out_dir, "--out")
    held = [name for name in files if (out / name).exists()]
    if held and not force:
        shown = str(out_dir) if Path(out_dir).absolute() == out else f"{out_dir} ({out})"
        raise OutputExists(
            f"--out {shown} already holds a run or files of the same names "
            f"({', '.join(held[:3])}); pass --force to overwrite them, or choose another folder"
        )
    if not create:
        return out
    for name in held:
        (out / name).unlink()
    out.mkdir(parents=True, exist_ok=True)
    return out


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


def threshold(config: Config | None) -> float:
    """Where one output per sample splits class 0 from class 1 (`Config.threshold`; ``None``, a
    model without its run's config: 0.5, outputs read as probabilities)."""
    return 0.5 if config is None else config.threshold()


def scores(config: Config) -> dict:
    """The metrics `fit` and `evaluate` compute for a run of ``config``: `metrics.accuracy` at
    the config's threshold (a one-class split would otherwise be scored by its targets' values)."""
    return {"accuracy": functools.partial(m.accuracy, threshold=threshold(config))}


def predicted_labels(config: Config | None, outputs: np.ndarray) -> np.ndarray:
    """Class labels of a model's ``outputs`` under ``config`` (argmax, or `threshold`)."""
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
    config = sized(config, data.x_train[0].size, len(data.classes))  # layers 0-...-0
    _check_boundary(config, data)
    out = prepare_out(out_dir, force) if out_dir is not None else None
    if out is not None:
        write_text(out / "config.toml", config.to_toml())
    model = build_model(config)
    loss_fn = build_loss(config)
    optimizer, scheduler = build_optimizer(config, model)
    stopper = (
        optim.EarlyStopping(config.monitor, patience=config.patience) if config.patience else None
    )
    train_loader, val_loader = _loaders(config, data)

    last = {"state": _copy_state(model), "history": History(config.label)}
    recorder = _boundary_recorder(config, model, data)

    def keep(history: History) -> None:
        last["state"], last["history"] = _copy_state(model), history
        if recorder is not None:
            recorder(history)

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
                metrics=scores(config),
            )
        except KeyboardInterrupt:
            interrupted = True
            history = _trim(last["history"])
            model.load_state_dict(last["state"])
    seconds = (time.perf_counter() - start, time.process_time() - cpu)
    try:
        with interrupts_deferred():  # every result file, or Ctrl-C waits
            result = _finish(config, model, loss_fn, data, history, seconds, interrupted, out)
            result.metrics["warnings"] = [str(w.message) for w in caught]
            result.boundary = recorder
            if out is not None and recorder is not None:
                _write_boundary(recorder, out, config.label)
            if out is not None:
                write_text(out / "metrics.json", json.dumps(result.metrics, indent=2) + "\n")
    except KeyboardInterrupt:
        interrupted = True  # while writing: the files are complete, and the user wants out
    if interrupted:
        raise RunInterrupted(result)
    return result


def _check_boundary(config: Config, data: Data) -> None:
    """With ``config.boundary``: ConfigError unless the data has 2 inputs, ImportError without
    matplotlib or Pillow (before anything is written or trained)."""
    if not config.boundary:
        return
    if data.x_train.ndim != 2 or data.x_train.shape[1] != 2:
        raise ConfigError(
            f"boundary: the decision boundary is drawn over the plane of 2 inputs, but "
            f"{config.dataset} has {data.x_train.shape[1:]} per sample (try xor, xnor, moons, "
            "spirals or a 2-column .npz)"
        )
    try:
        import matplotlib  # noqa: F401
        import PIL  # noqa: F401
    except ImportError as error:
        raise ImportError(
            f"boundary needs matplotlib and Pillow ({error}): pip install 'autograd-lab[all]'"
        ) from None


def _boundary_recorder(config: Config, model, data: Data):
    """A `BoundaryRecorder` on the training samples when ``config.boundary``, else None."""
    if not config.boundary:
        return None
    from autograd.plots import BoundaryRecorder

    every = config.boundary_every or max(1, round(config.epochs / BOUNDARY_FRAMES))
    return BoundaryRecorder(model, data.x_train, data.y_train, every=every,
                            epochs=config.epochs, threshold=threshold(config))  # fmt: skip


def _write_boundary(recorder, out: Path, label: str) -> None:
    import matplotlib.pyplot as plt

    recorder.save_gif(out / "boundary.gif", title=label)
    plt.close(recorder.plot_last(title=f"{label}: {recorder.frames[-1].title}",
                                 path=out / "boundary.png"))  # fmt: skip
    plt.close(recorder.plot_frames(title=label, path=out / "boundary_frames.png"))


def _copy_state(model) -> dict:
    return {k: np.array(v, copy=True) for k, v in model.state_dict().items()}


def _finish(config, model, loss_fn, data, history, seconds, interrupted, out) -> Result:
    metrics: dict = {"name": config.label, "preset": config.preset}
    for part in ("train", "val", "test"):
        x, y = getattr(data, f"x_{part}"), getattr(data, f"y_{part}")
        part_scores, outputs = evaluate(model, loss_fn, DataLoader(x, y, EVAL_BATCH),
                                        metrics=scores(config), return_outputs=True)  # fmt: skip
        metrics[f"{part}_accuracy"] = part_scores["accuracy"]
        metrics[f"{part}_loss"] = part_scores["loss"]
    labels = predicted_labels(config, outputs)  # the test set's, from its pass above
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
    out, history, data = result.out_dir, result.history, result.data
    records = history.as_dict()
    write_text(out / "history.json", json.dumps(records, indent=1) + "\n")
    keys = list(records)
    write_csv(
        out / "history.csv",
        ["epoch", *keys],
        ([i, *(repr(records[k][i]) for k in keys)] for i in range(history.epochs)),
    )  # epochs from 0, as everywhere
    nn.save(result.model, out / "model.npz")
    nn.save_state({k: np.asarray(v) for k, v in data.stats.items()}, out / "preprocessing.npz")
    write_csv(
        out / "per_class.csv",
        ["class", "precision", "recall", "f1", "support"],
        ([name, *(f"{per_class[k][i]:.4f}" for k in ("precision", "recall", "f1")),
          int(per_class["support"][i])] for i, name in enumerate(data.classes)),
    )  # fmt: skip
    write_text(out / "report.txt", m.classification_report(cm, class_names=data.classes))
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
    model = nn.load(folder / "model.npz")
    model.eval()
    stats = nn.load_state(folder / "preprocessing.npz")
    return config, model, stats
