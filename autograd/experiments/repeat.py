"""One experiment over many seeds: ``autograd repeat --preset xor-arch1 --seeds 500``.

    result = repeat(resolve("xor-arch1"), seeds=500, out_dir="runs/xor-arch1-seeds")
    result.summary["test_accuracy_mean"], result.summary["stuck_fraction"]

The tiny full-batch networks of B1 and B2 (plain SGD, the course's MSE, no dropout, no
schedule) train all their seeds at once (`autograd.experiments.seeds.train_seeds`, the same
numbers as `autograd.experiments.run` seed by seed); any other experiment runs seed after seed
through `run` (``n_jobs`` processes with joblib). Seed ``s`` is ``config.replace(seed=s)``: the
same run as ``autograd train --preset NAME --seed s``.

The folder gets ``seeds.csv`` (one row per seed: final train/test accuracy and loss, stuck),
``summary.json`` (mean, std, stuck and solved fractions, the course's number), ``bands.csv``
(per epoch, from 0: mean, std, 10th and 90th percentile of the training loss and accuracy),
``histogram.png`` (final test accuracy over seeds), ``curves.png`` (mean-with-band curves) and
``config.toml``. A seed is *stuck* when its final test accuracy is at most ``stuck_at``, by
default chance level: 1 / the number of classes (0.5 for the binary tasks of B1 and B2).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from autograd.experiments.config import Config, ConfigError
from autograd.experiments.data import Data, load_data
from autograd.experiments.presets import PRESETS
from autograd.experiments.run import prepare_out, run
from autograd.experiments.seeds import TinyNet, parallel_map, seed_statistics, sweep
from autograd.files import write_csv, write_text

__all__ = ["repeat", "Repeat", "batchable", "seed_list", "METRICS"]

METRICS = ("train_accuracy", "train_loss", "test_accuracy", "test_loss")
REPEAT_FILES = ("config.toml", "seeds.csv", "summary.json", "bands.csv", "histogram.png",
                "curves.png")  # fmt: skip


@dataclass
class Repeat:
    """What `repeat` measured: ``per_seed`` {metric: array over seeds} (``METRICS``),
    ``curves`` {``train_loss``, ``train_accuracy``: (seeds, epochs)}, the ``summary`` dict, and
    the folder it wrote (or None)."""

    config: Config
    seeds: np.ndarray
    per_seed: dict[str, np.ndarray]
    curves: dict[str, np.ndarray]
    summary: dict
    out_dir: Path | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def stuck(self) -> np.ndarray:
        return self.per_seed["test_accuracy"] <= self.summary["stuck_at"]


def seed_list(seeds, first: int = 0) -> np.ndarray:
    """``seeds`` as an array: a count N means ``first, ..., first + N - 1``."""
    if isinstance(seeds, (int, np.integer)) and not isinstance(seeds, bool):
        if seeds < 1:
            raise ConfigError(f"seeds: need at least 1 seed, got {seeds}")
        return np.arange(first, first + int(seeds))
    out = np.asarray(list(seeds), dtype=np.int64).ravel()
    if out.size == 0:
        raise ConfigError("seeds: need at least 1 seed, got none")
    if len(set(out.tolist())) != out.size:
        raise ConfigError("seeds: a seed is listed twice")
    return out


def batchable(config: Config, data: Data) -> str:
    """Empty when every seed of ``config`` can train at once (`train_seeds`); else the reason."""
    net_ok = config.arch in ("mlp", "skip") and len(config.layers) >= 3
    checks = [
        (config.optimizer == "sgd" and config.momentum == 0, "an optimizer other than plain SGD"),
        (config.weight_decay == 0, "weight_decay (the course's l2 is supported)"),
        (config.loss == "mse", f"the loss {config.loss!r} (only the course's mse)"),
        (config.batch_size == 0 or config.batch_size >= len(data.x_train), "mini-batches"),
        (
            config.dropout == 0 and config.augment == "none" and config.shift == 0,
            "dropout or augmentation",
        ),
        (config.schedule == "none" and config.patience == 0, "a schedule or early stopping"),
        (config.act in ("tanh", "sigmoid", "relu"), f"the activation {config.act!r}"),
        (config.out_act in ("tanh", "sigmoid", "linear"), f"the output {config.out_act!r}"),
        (net_ok, "no hidden layer"),
    ]
    reasons = [why for ok, why in checks if not ok]
    return ", ".join(reasons)


def _batched(config, data, seeds, n_jobs):
    net = TinyNet.from_config(config)
    chunks = max(1, n_jobs if n_jobs > 0 else 2)
    (runs,) = sweep([(config.label, net, data.x_train, data.y_train, seeds)], n_jobs, chunks)
    test_loss, test_accuracy = runs.evaluate(data.x_test, data.y_test)
    per_seed = {
        "train_accuracy": runs.final_accuracy,
        "train_loss": runs.final_loss,
        "test_accuracy": test_accuracy,
        "test_loss": test_loss,
    }
    return per_seed, runs.curves


def _one_run(config: Config, data: Data):
    result = run(config, data=data, progress=False)
    h = result.history
    return {k: result.metrics[k] for k in METRICS}, {
        "train_loss": h["train_loss"],
        "train_accuracy": h["train_accuracy"],
    }


def _one_by_one(config, data, seeds, n_jobs):
    done = parallel_map(_one_run, [(config.replace(seed=int(s)), data) for s in seeds], n_jobs)
    per_seed = {k: np.array([m[k] for m, _ in done], dtype=np.float64) for k in METRICS}
    epochs = max(len(c["train_loss"]) for _, c in done)
    curves = {}
    for key in ("train_loss", "train_accuracy"):
        a = np.full((len(done), epochs), np.nan)
        for i, (_, c) in enumerate(done):
            a[i, : len(c[key])] = c[key]
        curves[key] = a
    return per_seed, curves


def repeat(
    config: Config,
    seeds=100,
    out_dir=None,
    *,
    force: bool = False,
    n_jobs: int = 1,
    stuck_at: float | None = None,
    data: Data | None = None,
    download: bool = False,
) -> Repeat:
    """Train ``config`` from every seed in ``seeds`` (a count from ``config.seed``, or a list)
    and summarize; with ``out_dir``, write the folder described in the module docstring."""
    config = config.validate()
    if config.boundary:  # NOTE: a flag that repeat would ignore is refused, not dropped
        raise ConfigError(
            "boundary: the decision boundary is drawn for one run; use autograd train --seed S "
            "--boundary for the seeds you want to see"
        )
    seeds = seed_list(seeds, first=config.seed)
    if stuck_at is not None and not 0 <= stuck_at <= 1:  # `not` also refuses nan
        raise ConfigError(f"stuck_at: expected an accuracy in [0, 1], got {stuck_at}")
    if out_dir is not None:
        prepare_out(out_dir, force, create=False, files=REPEAT_FILES)
    data = data or load_data(config, download)
    if stuck_at is None:
        stuck_at = 1.0 / len(data.classes)
    start = time.perf_counter()
    reason = batchable(config, data)
    if reason:
        per_seed, curves = _one_by_one(config, data, seeds, n_jobs)
    else:
        per_seed, curves = _batched(config, data, seeds, n_jobs)
    seconds = time.perf_counter() - start
    stats = seed_statistics(per_seed["test_accuracy"], stuck_at)
    summary = {
        "name": config.label,
        "preset": config.preset,
        "seeds": int(len(seeds)),
        "first_seed": int(seeds[0]),
        "epochs": config.epochs,
        **{f"{k}_mean": float(np.mean(v)) for k, v in per_seed.items()},
        **{f"{k}_std": float(np.std(v)) for k, v in per_seed.items()},
        "stuck_at": float(stuck_at),
        "stuck_fraction": stats["stuck_fraction"],
        "solved_fraction": stats["solved_fraction"],
        "all_seeds_at_once": not reason,
        "seconds": round(seconds, 3),
        "reported": PRESETS[config.preset].reported if config.preset in PRESETS else "",
    }
    result = Repeat(config, seeds, per_seed, curves, summary)
    if reason:
        result.notes.append(f"trained seed by seed ({reason})")
    if out_dir is not None:
        result.out_dir = _write(result, prepare_out(out_dir, force, files=REPEAT_FILES))
    return result


def _write(result: Repeat, out: Path) -> Path:
    write_text(out / "config.toml", result.config.to_toml())
    write_text(out / "summary.json", json.dumps(result.summary, indent=2) + "\n")
    write_csv(
        out / "seeds.csv",
        ["seed", *METRICS, "stuck"],
        ([int(seed), *(f"{result.per_seed[k][i]:.6g}" for k in METRICS), int(result.stuck[i])]
         for i, seed in enumerate(result.seeds)),
    )  # fmt: skip
    keys = list(result.curves)
    stats = ("mean", "std", "p10", "p90")
    columns = []
    for k in keys:
        c = result.curves[k]
        columns += [np.nanmean(c, 0), np.nanstd(c, 0), *np.nanpercentile(c, [10, 90], axis=0)]
    write_csv(
        out / "bands.csv",
        ["epoch", *(f"{k}_{s}" for k in keys for s in stats)],
        ([e, *(f"{col[e]:.6g}" for col in columns)] for e in range(len(columns[0]))),
    )
    _plots(result, out)
    return out


def _plots(result: Repeat, out: Path) -> None:
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        result.notes.append("no PNG files: matplotlib is not installed (autograd-lab[plot])")
        return
    from autograd import plots

    name = result.config.label
    plt.close(
        plots.plot_seed_histogram(
            {name: result.per_seed["test_accuracy"]},
            stuck_at=result.summary["stuck_at"],
            xlabel="final test accuracy",
            title=f"{name}: final test accuracy over {len(result.seeds)} seeds",
            path=out / "histogram.png",
        )
    )
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    plt.close(fig)
    runs = [{k: result.curves[k][i] for k in result.curves} for i in range(len(result.seeds))]
    for ax, key in zip(axes, ("train_loss", "train_accuracy")):
        plots.plot_band({name: runs}, key=key, ax=ax)
    fig.suptitle(f"{name}: mean ± std over {len(result.seeds)} seeds")
    plots.save_figure(fig, out / "curves.png")


def summary_line(result: Repeat) -> str:
    """One line for the terminal."""
    s = result.summary
    course = f" (course: {s['reported']})" if s["reported"] else ""
    return (
        f"{s['name']}: {s['seeds']} seeds in {s['seconds']:.1f} s; final test accuracy "
        f"{s['test_accuracy_mean']:.3f} ± {s['test_accuracy_std']:.3f}{course}; solved "
        f"{s['solved_fraction']:.0%}, stuck (<= {s['stuck_at']:g}) {s['stuck_fraction']:.0%}"
    )
