"""A whole table of the course in one call: ``autograd reproduce c1`` (b1, b2, c1, ..., c5).

    table = reproduce("c1", "runs/c1", epochs=5, data_dir="~/data")   # epochs: a quick look
    print(table.markdown())

Every preset of the table runs (`autograd.experiments.run`, one folder each under the output
folder; B1 and B2 over many seeds with `autograd.experiments.repeat`), and the table is
written beside the course's numbers as ``table.md`` and ``table.csv``, with the curves of all
its experiments in one figure, ``curves.png`` (b1: the histograms of final accuracy,
``histogram.png``; `Table.figure` names it):

- ``b1``: XOR and XNOR, both architectures, 500 seeds each: mean final accuracy, std, the
  fractions of solved and stuck seeds, against the course's 500-seed means (0.94 / 0.87);
- ``b2``: parity, N = 2..6 x N' = 2, 4, 8, 16 hidden units, 100 seeds each: mean final
  accuracy and stuck fraction; the figure has the mean-with-band accuracy curves per N;
- ``c1``: the eight CIFAR-10 rows; ``c2``: M0, M1, M3, M4 (the 49-class file: ``dataset``);
  ``c3``: the Fashion-MNIST variants; the course's number (test or validation accuracy) beside
  ours on the same split;
- ``c4``: two models compared on training time, accuracy and size on disk
  (`C4_PRESETS`: Fashion-MNIST 784-512-512-10 with dropout against 784-512-10);
- ``c5``: the four convolutional networks (MNIST one filter, Fashion-MNIST two convs,
  CIFAR-10 conv + 10,000-unit dense and LeNet-5), with their size on disk as in ``c4``.

``epochs``, ``seeds``, ``fraction``, ``data_dir`` and any other `Config` field (``overrides``)
apply to every experiment of the table, so a test (or a first look) can run a table on little
data in seconds.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from pathlib import Path

from autograd.experiments.config import ConfigError, resolve
from autograd.experiments.data import load_data
from autograd.experiments.presets import PRESETS, TABLES
from autograd.experiments.repeat import repeat, seed_list
from autograd.experiments.run import OutputExists, run
from autograd.experiments.seeds import TinyNet, sweep
from autograd.files import output_folder, write_csv, write_text

__all__ = ["reproduce", "Table", "TABLE_NAMES", "C4_PRESETS", "PARITY_N", "PARITY_HIDDEN"]

C4_PRESETS = ("fashion-mnist-512-512", "fashion-mnist-512-relu-no-dropout")
PARITY_N = (2, 3, 4, 5, 6)
PARITY_HIDDEN = (2, 4, 8, 16)
TABLE_NAMES = ("b1", "b2", "c1", "c2", "c3", "c4", "c5")
SIZE_TABLES = ("c4", "c5")  # tables that compare the models' size on disk
SEEDS = {"b1": 500, "b2": 100}
MAX_EPOCHS = 1_000_000  # --epoch-scale 1e308 would overflow the count


@dataclass
class Table:
    """Rows of one reproduced table: ``columns`` and ``rows`` (lists of strings), the folder,
    and ``results`` {preset or configuration: its `Result` (C tables), `Repeat` (B1) or
    `SeedRuns` (B2)} for plots of your own."""

    name: str
    columns: list[str]
    rows: list[list[str]]
    out_dir: Path | None = None
    notes: list[str] = field(default_factory=list)
    results: dict = field(default_factory=dict)

    @property
    def figure(self) -> str:
        """The file name of the table's figure: B1's histograms, every other table's curves."""
        return "histogram.png" if self.name == "b1" else "curves.png"

    def markdown(self) -> str:
        lines = [
            "| " + " | ".join(self.columns) + " |",
            "|" + "|".join("---" for _ in self.columns) + "|",
            *("| " + " | ".join(r) + " |" for r in self.rows),
        ]
        return "\n".join(lines) + "\n"


def _course_split(reported: str) -> str:
    """``"val 0.36"`` -> ``"val"``; the course's number is on the test set otherwise."""
    return "val" if reported.strip().startswith("val") else "test"


def _configs(names, overrides):
    configs = []
    overrides = dict(overrides)
    scale = overrides.pop("epoch_scale", None)
    for name in names:
        changes = dict(overrides)
        if scale is not None and "epochs" not in changes:
            epochs = resolve(name).epochs * scale
            if not math.isfinite(epochs) or epochs > MAX_EPOCHS:
                raise ConfigError(
                    f"epoch_scale: {scale:g} gives {epochs:g} epochs of {name}; at most "
                    f"{MAX_EPOCHS:,}"
                )
            changes["epochs"] = max(1, round(epochs))
        try:
            configs.append(resolve(name, **changes))
        except ConfigError as error:
            raise ConfigError(f"{name}: {error}") from None
    return configs


def _run_table(name, names, out, overrides, force, progress, download):
    results = []
    configs = _configs(names, overrides)
    for i, config in enumerate(configs):
        folder = out / config.preset if out is not None else None
        if progress:
            print(f"[{i + 1}/{len(configs)}] {config.preset}: {config.epochs} epochs",
                  file=sys.stderr, flush=True)  # fmt: skip
        results.append(run(config, folder, force=force, progress=progress, download=download))
    rows = []
    for r in results:
        m, preset = r.metrics, PRESETS[r.config.preset]
        split = _course_split(preset.reported)
        row = [
            r.config.preset,
            preset.description,
            preset.reported or "-",
            f"{split} {m[f'{split}_accuracy']:.3f}",
            f"{m['train_accuracy']:.3f}",
            f"{m['val_accuracy']:.3f}",
            f"{m['test_accuracy']:.3f}",
            str(m["epochs_run"]),
            f"{m['seconds']:.1f}",
        ]
        if name in SIZE_TABLES:
            size = (out / r.config.preset / "model.npz").stat().st_size if out else 0
            row.append(f"{size / 1e6:.2f}" if out else "-")
        rows.append(row)
    columns = ["preset", "experiment", "course", "ours", "train acc", "val acc", "test acc",
               "epochs", "seconds"]  # fmt: skip
    if name in SIZE_TABLES:
        columns.append("model MB")
    table = Table(name, columns, rows, out, results={r.config.preset: r for r in results})
    if out is not None:
        _curves_figure({r.config.preset: r.history for r in results}, out / "curves.png", name)
    return table


def _curves_figure(histories, path, name):
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        return
    from autograd import plots

    plt.close(plots.plot_history(histories, title=f"{name}: every experiment", path=path))


SEED_COLUMNS = ["ours: mean final accuracy ± std", "solved", "stuck (<= 0.5)", "seeds", "seconds"]


def _seed_cells(mean: float, std: float, stats: dict, seconds: float) -> list[str]:
    """The `SEED_COLUMNS` of one configuration repeated over seeds."""
    return [f"{mean:.3f} ± {std:.3f}", f"{stats['solved_fraction']:.0%}",
            f"{stats['stuck_fraction']:.0%}", str(stats["seeds"]), f"{seconds:.1f}"]  # fmt: skip


def _b1(out, overrides, seeds, force, n_jobs, download):
    rows, results = [], []
    for config in _configs(TABLES["b1"], overrides):
        folder = out / config.preset if out is not None else None
        r = repeat(config, seeds, folder, force=force, n_jobs=n_jobs, download=download)
        results.append(r)
        s = r.summary
        preset = PRESETS[config.preset]
        rows.append([config.preset, preset.description, preset.reported or "-",
                     *_seed_cells(s["test_accuracy_mean"], s["test_accuracy_std"], s,
                                  s["seconds"])])  # fmt: skip
    columns = ["preset", "experiment", "course", *SEED_COLUMNS]
    table = Table("b1", columns, rows, out, results={r.config.preset: r for r in results})
    if out is not None:
        _histograms({r.config.preset: r.per_seed["test_accuracy"] for r in results}, out)
    return table


def _histograms(values, out):
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        return
    from autograd import plots

    fig, axes = plt.subplots(1, 2, figsize=(12, 3.8))
    plt.close(fig)
    for ax, task in zip(axes, ("xor", "xnor")):
        group = {k: v for k, v in values.items() if k.startswith(f"{task}-")}
        plots.plot_seed_histogram(group, ax=ax, title=f"{task.upper()}: final accuracy")
    plots.save_figure(fig, out / "histogram.png")


def _b2(out, overrides, seeds, force, n_jobs):
    (base,) = _configs(["parity"], overrides)
    jobs, configs = [], []
    for n in PARITY_N:
        for h in PARITY_HIDDEN:
            config = base.replace(parity_n=n, layers=[n, h, 1]).validate()
            data = load_data(config)
            jobs.append((f"N={n} N'={h}", TinyNet.from_config(config), data.x_train,
                         data.y_train, seed_list(seeds, first=config.seed)))  # fmt: skip
            configs.append(config)
    results = sweep(jobs, n_jobs=n_jobs)
    rows = []
    for config, r in zip(configs, results):
        s = r.summary()
        rows.append([str(config.parity_n), str(config.layers[1]),
                     *_seed_cells(s["mean_accuracy"], s["std_accuracy"], s, r.seconds),
                     f"{s['mean_loss']:.3f} ± {s['std_loss']:.3f}"])  # fmt: skip
    columns = ["N", "N'", *SEED_COLUMNS, "final loss ± std"]
    table = Table("b2", columns, rows, out, results={r.label: r for r in results})
    table.notes.append(
        f"course: bands over 100 seeds, no numbers; here lr {base.lr}, L2 {base.l2}, "
        f"{base.epochs} epochs"
    )
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        for r in results:
            r.write_csv(out / f"parity-{r.label.replace(' ', '-').replace(chr(39), 'h')}.csv")
        _bands(results, out)
    return table


def _bands(results, out):
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        return
    from autograd import plots

    fig, axes = plt.subplots(1, len(PARITY_N), figsize=(4.2 * len(PARITY_N), 3.6))
    plt.close(fig)
    for ax, n in zip(axes, PARITY_N):
        group = {
            r.label.split(" ")[1]: r.histories() for r in results if r.label.startswith(f"N={n} ")
        }
        plots.plot_band(group, key="train_accuracy", ax=ax, title=f"parity of N={n}")
    plots.save_figure(fig, out / "curves.png")


def reproduce(
    table: str,
    out_dir=None,
    *,
    epochs: int | None = None,
    epoch_scale: float | None = None,
    seeds: int | None = None,
    fraction: float | None = None,
    data_dir: str | None = None,
    overrides: dict | None = None,
    force: bool = False,
    n_jobs: int = 1,
    progress: bool = False,
    download: bool = False,
) -> Table:
    """Run every experiment of ``table`` and return it beside the course's numbers; with
    ``out_dir``, write ``table.md``, ``table.csv``, ``curves.png`` and one folder per
    experiment. ``epochs``, ``fraction``, ``data_dir`` and ``overrides`` change every
    experiment (a quick look, or a test on little data); ``epoch_scale`` runs that fraction of
    each experiment's own epochs; ``seeds``: B1 500, B2 100. ``progress``: a line per
    experiment and its progress bar on stderr. ``download``: fetch a missing official data
    set."""
    if table not in TABLE_NAMES:
        raise ConfigError(f"unknown table {table!r}; known: {', '.join(TABLE_NAMES)}")
    changes = dict(overrides or {})
    if epochs is not None:
        changes["epochs"] = epochs
    if epoch_scale is not None:
        if not (math.isfinite(epoch_scale) and epoch_scale > 0):
            raise ConfigError(f"epoch_scale: must be a finite number > 0, got {epoch_scale}")
        changes["epoch_scale"] = epoch_scale
    if fraction is not None:
        changes["fraction"] = fraction
    if data_dir:
        changes["data_dir"] = str(data_dir)
    out = _check_out(out_dir, force) if out_dir is not None else None
    n_seeds = SEEDS.get(table, 1) if seeds is None else seeds
    if table == "b1":
        result = _b1(out, changes, n_seeds, force, n_jobs, download)
    elif table == "b2":
        result = _b2(out, changes, n_seeds, force, n_jobs)
    else:
        names = C4_PRESETS if table == "c4" else TABLES[table]
        result = _run_table(table, names, out, changes, force, progress, download)
    if changes:
        shown = ", ".join(f"{k}={v}" for k, v in changes.items())
        result.notes.append(f"changed for every experiment: {shown}")
    if out is not None:
        _write(result, out)
    return result


def _check_out(out_dir, force: bool) -> Path:
    """The output folder, resolved before it is looked at (`autograd.files.output_folder`);
    `OutputExists` when it holds a table and not ``force``."""
    out = output_folder(out_dir, "--out")
    if (out / "table.md").exists() and not force:
        raise OutputExists(
            f"--out {out_dir} already holds a reproduced table (table.md); pass --force to "
            "overwrite it, or choose another folder"
        )
    return out


def _write(table: Table, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    notes = "".join(f"\n- {n}" for n in table.notes)
    text = f"# Table {table.name}: the course's numbers and ours\n\n{table.markdown()}{notes}\n"
    write_text(out / "table.md", text)
    write_csv(out / "table.csv", table.columns, table.rows)
