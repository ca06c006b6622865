"""A sweep of any experiment's settings: ``autograd sweep --preset NAME --grid lr=0.01,0.1``.

    plan = plan_sweep(resolve("cifar10-relu-ce", epochs=2), {"lr": [0.01, 0.05, 0.1]})
    result = sweep(plan, "runs/c1-lr", n_jobs=2)
    result.rows[0]                      # the best run: settings, accuracies, its folder

The runs are the product of the grid's values (or ``random`` draws: a `Range` draws uniformly,
or log-uniformly, between two numbers; a list draws one of its values), each from ``seeds``
seeds. Every run is a normal run folder (`autograd.experiments.run`) under ``OUT/runs/``,
named by its settings (``OUT/runs/act=relu,lr=0.1``), and the sweep writes:

================  ===========================================================================
``results.csv``   one row per run, sorted by validation accuracy (failed runs last)
``results.md``    the same as a markdown table
``sweep.png``     validation accuracy against each swept setting; the curves of the best runs
``sweep.toml``    what was swept: the base settings, the grid, seeds, draws
================  ===========================================================================

Resumable: a run whose folder holds a finished ``metrics.json`` (not interrupted, of the same
settings) is read, not run again; any other folder of a planned run is half-done and is
emptied and run again (`autograd.experiments.run.prepare_out` with ``force``), so files of two
attempts are never mixed. Ctrl-C stops the sweep: the finished runs' table is written and
`SweepInterrupted` (a KeyboardInterrupt) is raised; the same call continues the sweep.

Parallel: ``n_jobs`` processes with joblib on this machine, or, with ``scheduler``
(``tcp://HOST:PORT``), the workers of a running Dask distributed cluster through joblib's dask
backend (the ``distributed`` extra). The folder ``OUT`` must then be a path every worker sees.
The data set is read once here and sent to the workers (joblib shares it with local processes
through one memory-mapped file; a cluster gets it scattered once), unless ``send_data=False``
(the default with a scheduler): then each worker reads it from ``data_dir``. A run that raises
is reported as failed in the table; a worker that dies loses only the runs it had started,
which are tried once more and then reported as failed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from autograd.experiments.config import NAME_MAX_CHARS, Config, ConfigError, load_config
from autograd.experiments.data import load_data, load_raw
from autograd.experiments.run import RunInterrupted, prepare_out, run
from autograd.files import interrupts_deferred, output_folder, read_toml, write_csv, write_text

__all__ = [
    "plan_sweep",
    "sweep",
    "read_sweep_file",
    "Range",
    "Plan",
    "SweepResult",
    "SweepInterrupted",
    "SchedulerUnreachable",
    "SWEEP_FILES",
    "DATA_SETTINGS",
]

SWEEP_FILES = ("results.csv", "results.md", "sweep.png", "sweep.toml")
# Settings that change what is read from disk: with one of them swept, the data cannot be read
# once for every run.
DATA_SETTINGS = ("dataset", "data_dir", "parity_n", "samples", "split_seed", "image_size",
                 "grayscale")  # fmt: skip
# what a row of the table keeps of a run's metrics.json
ROW_METRICS = ("val_accuracy", "test_accuracy", "train_accuracy", "val_loss", "test_loss",
               "epochs_run", "seconds")  # fmt: skip
NOT_SWEPT = ("name", "preset")  # a run's name is its folder's; the preset is the base
RETRIES = 1  # a run whose worker died is tried this many more times
BEST_CURVES = 5  # curves of the best runs in sweep.png
CONNECT_SECONDS = 10


class SchedulerUnreachable(ConnectionError):
    """No Dask scheduler answers at the address given; nothing was written."""


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C during `sweep`: the table of the finished runs is written; ``.result`` holds it."""

    def __init__(self, result: SweepResult):
        done = sum(r["status"] == "ok" for r in result.rows)
        super().__init__(
            f"{done} of {len(result.plan.runs)} runs finished (their table is in "
            f"{result.out_dir}/); the same command continues the sweep"
        )
        self.result = result


@dataclass(frozen=True)
class Range:
    """Numbers between ``low`` and ``high`` (both included) for random draws: uniform, or
    log-uniform (``log``: uniform in log(x), for learning rates); whole numbers for an integer
    setting."""

    low: float
    high: float
    log: bool = False

    def draw(self, rng: np.random.Generator, integer: bool):
        if self.log:
            value = math.exp(rng.uniform(math.log(self.low), math.log(self.high)))
        else:
            value = rng.uniform(self.low, self.high)
        return int(round(value)) if integer else float(f"{value:.4g}")

    def __str__(self) -> str:
        return f"{self.low:g}:{self.high:g}{':log' if self.log else ''}"


@dataclass
class Plan:
    """The runs of a sweep, checked: ``runs`` is a list of ``(folder name, Config, {setting:
    value})``; ``grid`` the settings swept."""

    base: Config
    grid: dict
    seeds: int
    random: int
    random_seed: int
    runs: list[tuple[str, Config, dict]]

    @property
    def swept(self) -> list[str]:
        return list(self.grid) + (["seed"] if self.seeds > 1 else [])


@dataclass
class SweepResult:
    """``rows``: one dict per planned run (``name``, ``settings``, ``status`` ok / failed, the
    accuracies and losses of ``metrics.json``, ``val_curve``), best validation accuracy
    first."""

    plan: Plan
    rows: list[dict]
    out_dir: Path | None
    skipped: int = 0  # finished earlier (resumed)
    notes: list[str] = field(default_factory=list)

    def markdown(self) -> str:
        columns, rows = _table(self)
        lines = [
            "| " + " | ".join(columns) + " |",
            "|" + "|".join("---" for _ in columns) + "|",
            *("| " + " | ".join(r) + " |" for r in rows),
        ]
        return "\n".join(lines) + "\n"


# ---- the plan ---------------------------------------------------------------------------


def _fields() -> dict:
    return {f.name: str(f.type) for f in dataclasses.fields(Config)}


def _value_text(value) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return "-".join(map(_value_text, value))
    if isinstance(value, dict):
        return ";".join(f"{k}={v:g}" for k, v in value.items())
    return str(value)


def _folder_name(settings: dict) -> str:
    """``act=relu,lr=0.1``: one path component (anything but letters, digits and ``.=,+-_``
    becomes ``_``, so a data set's path cannot climb out of the sweep's folder)."""
    text = ",".join(f"{k}={_value_text(v)}" for k, v in settings.items())
    safe = "".join(c if c.isalnum() or c in ".=,+-_" else "_" for c in text)
    if len(safe) > NAME_MAX_CHARS:  # a long grid: cut, and a digest keeps the names apart
        digest = hashlib.sha1(safe.encode()).hexdigest()[:8]
        safe = f"{safe[: NAME_MAX_CHARS - 9]}-{digest}"
    return safe or "base"


def _check_grid(base: Config, grid: dict, seeds: int, random: int) -> None:
    known = _fields()
    if not grid and seeds < 2:
        raise ConfigError("the sweep is empty: give a grid (--grid SETTING=A,B,...) or --seeds N")
    unknown = [k for k in grid if k not in known or k in NOT_SWEPT]
    if unknown:
        settings = ", ".join(k for k in known if k not in NOT_SWEPT)
        raise ConfigError(f"--grid: unknown setting {unknown[0]!r}; settings: {settings}")
    for name, values in grid.items():
        if isinstance(values, Range):
            if random < 1:
                raise ConfigError(
                    f"--grid {name}={values}: a range is for random draws; add --random K "
                    f"(or list the values: {name}=A,B,C)"
                )
            if known[name] not in ("int", "float"):
                raise ConfigError(f"--grid {name}={values}: a range needs a number setting")
            if not (math.isfinite(values.low) and math.isfinite(values.high)) or (
                values.low > values.high
            ):
                raise ConfigError(f"--grid {name}={values}: expected LOW:HIGH with LOW <= HIGH")
            if values.log and values.low <= 0:
                raise ConfigError(f"--grid {name}={values}: a log range needs LOW > 0")
            continue
        if not values:
            raise ConfigError(f"--grid {name}: no values; expected {name}=A,B,...")
        texts = [json.dumps(v, sort_keys=True) for v in values]
        twice = [v for v, t in zip(values, texts) if texts.count(t) > 1]
        if twice:
            raise ConfigError(f"--grid {name}: the value {twice[0]!r} is listed twice")
    if "seed" in grid and seeds > 1:
        raise ConfigError("--grid seed=... and --seeds N contradict each other: give one")


def plan_sweep(
    base: Config, grid: dict, seeds: int = 1, random: int = 0, random_seed: int = 0
) -> Plan:
    """The checked runs of a sweep of ``base`` over ``grid`` ({setting: [values] or `Range`}):
    every combination, or ``random`` draws (with ``random_seed``, so a rerun plans the same
    runs), each from seeds ``base.seed, ..., base.seed + seeds - 1``. Every run's settings are
    checked here (`ConfigError` naming the run), before anything is run or written."""
    grid = {k: v if isinstance(v, Range) else list(v) for k, v in grid.items()}
    if seeds < 1 or random < 0:
        raise ConfigError(f"seeds must be >= 1 and random >= 0, got {seeds} and {random}")
    _check_grid(base, grid, seeds, random)
    kinds = _fields()
    if random:
        rng = np.random.default_rng(random_seed)
        combos, seen = [], set()
        for _ in range(random):
            combo = {
                k: v.draw(rng, kinds[k] == "int")
                if isinstance(v, Range)
                else v[int(rng.integers(len(v)))]
                for k, v in grid.items()
            }
            key = json.dumps(combo, sort_keys=True)
            if key not in seen:  # a draw of a short list may repeat: one run each
                seen.add(key)
                combos.append(combo)
    else:
        combos = [dict(zip(grid, values)) for values in itertools.product(*grid.values())]
    runs, names = [], {}
    for combo in combos:
        for s in range(seeds):
            settings = {**combo, **({"seed": base.seed + s} if seeds > 1 else {})}
            name = _folder_name(settings)
            try:
                config = base.replace(**settings, name=name)
            except ConfigError as error:
                shown = ", ".join(f"{k}={_value_text(v)}" for k, v in settings.items())
                raise ConfigError(f"the run {shown}: {error}") from None
            if name in names:
                raise ConfigError(f"the runs {names[name]} and {settings} have one folder name")
            names[name] = settings
            runs.append((name, config, settings))
    return Plan(base, grid, seeds, random, random_seed, runs)


def read_sweep_file(path) -> tuple[dict, dict, dict]:
    """A sweep from a TOML file: ``(settings, grid, options)``. The file is a run's config
    (`autograd.experiments.load_config`: any settings, ``preset = "NAME"``) plus a ``[grid]``
    table ({setting: [values]} or {setting: {low, high, log}}) and, optionally, ``seeds``,
    ``random`` and ``random_seed``::

        preset = "cifar10-relu-ce"
        epochs = 2
        seeds = 2
        [grid]
        lr = [0.01, 0.05, 0.1]
        act = ["sigmoid", "relu"]
    """
    table = read_toml(Path(path), "the sweep")
    grid_table = table.pop("grid", {})
    if not isinstance(grid_table, dict):
        raise ConfigError(f"{path}: grid: expected a table [grid] of setting = [values]")
    grid = {}
    for name, values in grid_table.items():
        if isinstance(values, dict):
            extra = set(values) - {"low", "high", "log"}
            if extra or not {"low", "high"} <= set(values):
                raise ConfigError(f"{path}: grid.{name}: expected {{low = A, high = B, log = …}}")
            grid[name] = Range(float(values["low"]), float(values["high"]), bool(values.get("log")))
        elif isinstance(values, list):
            grid[name] = values
        else:
            raise ConfigError(f"{path}: grid.{name}: expected a list of values, got {values!r}")
    options = {k: table.pop(k) for k in ("seeds", "random", "random_seed") if k in table}
    for key, value in options.items():
        if not isinstance(value, int) or isinstance(value, bool):
            raise ConfigError(f"{path}: {key}: expected a whole number, got {value!r}")
    return table, grid, options


# ---- running ----------------------------------------------------------------------------


def _finished(folder: Path, config: Config) -> dict | None:
    """The metrics of a finished run of ``config`` in ``folder``, or None (no run, or a
    half-done one). A finished run of other settings is an error: never mixed."""
    try:
        metrics = json.loads((folder / "metrics.json").read_text())
    except (OSError, ValueError):
        return None
    if metrics.get("interrupted"):
        return None
    try:
        held = load_config(folder / "config.toml")
    except (OSError, ValueError):
        return None
    if dataclasses.replace(held, layers=config.layers) != config or not all(
        a == b or a == 0 for a, b in zip(config.layers, held.layers)
    ):
        raise ConfigError(
            f"{folder} holds a finished run of other settings than the sweep's (its "
            "config.toml); remove it, choose another --out, or pass --force to run it again"
        )
    return metrics


def _finished_rows(plan, runs_dir: Path, rows: dict) -> dict:
    """``rows`` and a row for every other run of ``plan`` whose folder holds a finished run
    (`_finished`): what a rerun skips, and what the table of an interrupted sweep lists."""
    rows = dict(rows)
    for name, config, settings in plan.runs:
        folder = runs_dir / name
        metrics = None if name in rows else _finished(folder, config)
        if metrics is not None:
            history = json.loads((folder / "history.json").read_text())
            rows[name] = _row(name, settings, metrics, history)
    return rows


def _row(name: str, settings: dict, metrics: dict, history: dict) -> dict:
    return {
        "name": name,
        "settings": settings,
        "status": "ok",
        "error": "",
        **{k: metrics[k] for k in ROW_METRICS},
        "val_curve": list(history.get("val_accuracy", [])),
    }


def _failed(name: str, settings: dict, error: str) -> dict:
    return {"name": name, "settings": settings, "status": "failed", "error": error,
            "val_curve": []}  # fmt: skip


def run_one(name: str, settings: dict, config: Config, folder: str, raw, download: bool):
    """One run of a sweep, where a worker runs it: its row (`SweepResult.rows`). An error of
    the run is its row's ``error`` (status failed), not the sweep's."""
    try:
        data = load_data(config, download, raw=raw) if raw is not None else None
        result = run(config, folder, force=True, progress=False, download=download, data=data)
    except RunInterrupted:
        raise
    except Exception as error:  # noqa: BLE001 - one run failed; the others go on
        return _failed(name, settings, f"{type(error).__name__}: {error}")
    return _row(name, settings, result.metrics, result.history.as_dict())


def _client(scheduler: str):
    """A `distributed.Client` of the running cluster at ``scheduler``."""
    try:
        from distributed import Client
    except ImportError:
        raise ImportError(
            "--scheduler needs Dask distributed: pip install 'autograd-lab[distributed]'"
        ) from None
    try:
        return Client(scheduler, timeout=CONNECT_SECONDS, set_as_default=False)
    except (OSError, ValueError, TypeError) as error:
        raise SchedulerUnreachable(
            f"no Dask scheduler answers at {scheduler} within {CONNECT_SECONDS} s "
            f"({type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}); "
            "start one (dask scheduler) or check the address"
        ) from None


def _parallel_rows(tasks, n_jobs: int, client, raw):
    """The rows of ``tasks`` (argument tuples of `run_one`) as they finish, in any order."""
    if n_jobs == 1 and client is None:
        for task in tasks:
            yield run_one(*task)
        return
    try:
        import joblib
    except ImportError:
        raise ImportError(
            "--jobs and --scheduler run with joblib: pip install 'autograd-lab[experiments]'"
        ) from None
    version = tuple(int(p) for p in joblib.__version__.split(".")[:2] if p.isdigit())
    order = "generator_unordered" if version >= (1, 4) else "generator"  # as they finish
    calls = (joblib.delayed(run_one)(*task) for task in tasks)
    if client is None:
        yield from joblib.Parallel(n_jobs=n_jobs, return_as=order)(calls)
        return
    scatter = [raw] if raw is not None else None
    with joblib.parallel_config(backend="dask", client=client, scatter=scatter):
        jobs = n_jobs if n_jobs > 1 else -1  # -1: every worker thread of the cluster
        yield from joblib.Parallel(n_jobs=jobs, return_as=order)(calls)


def _print_row(row: dict, done: int, total: int, bar) -> None:
    settings = ", ".join(f"{k}={_value_text(v)}" for k, v in row["settings"].items())
    if row["status"] == "ok":
        text = (f"[{done}/{total}] {settings}: val {row['val_accuracy']:.3f}, test "
                f"{row['test_accuracy']:.3f} ({row['epochs_run']} epochs, "
                f"{row['seconds']:.1f} s)")  # fmt: skip
    else:
        text = f"[{done}/{total}] {settings}: failed: {row['error']}"
    (bar.write if bar is not None else print)(text)


def _progress_bar(total: int, progress: bool):
    if not progress:
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None  # each finished run's line is the progress
    return tqdm(total=total, desc="sweep", unit="run", file=sys.stderr)


def sweep(
    plan: Plan,
    out_dir,
    *,
    n_jobs: int = 1,
    scheduler: str | None = None,
    send_data: bool | None = None,
    force: bool = False,
    progress: bool = True,
    download: bool = False,
) -> SweepResult:
    """Run every run of ``plan`` not finished yet in ``out_dir`` (see the module docstring)
    and write the table and the figure. ``force``: run every run again."""
    out = output_folder(out_dir, "--out")
    swept_data = [k for k in plan.grid if k in DATA_SETTINGS]
    if send_data is None:
        send_data = scheduler is None and not swept_data
    if send_data and swept_data:
        raise ConfigError(
            f"the grid changes {swept_data[0]}, so each run reads its own data: the data "
            "cannot be sent once (leave out --send-data)"
        )
    client = _client(scheduler) if scheduler else None  # before anything is written
    try:
        return _sweep(plan, out, n_jobs, client, send_data, force, progress, download)
    finally:
        if client is not None:
            client.close()


def _sweep(plan, out, n_jobs, client, send_data, force, progress, download) -> SweepResult:
    runs_dir = out / "runs"
    rows: dict[str, dict] = {} if force else _finished_rows(plan, runs_dir, {})
    pending = [
        (name, settings, config, str(runs_dir / name))
        for name, config, settings in plan.runs
        if name not in rows
    ]
    # read once here when it is sent (and only when a run is left to do)
    raw = load_raw(plan.base, download) if send_data and pending else None
    pending = [(*task, raw, download) for task in pending]
    result = SweepResult(plan, [], out, skipped=len(rows))
    runs_dir.mkdir(parents=True, exist_ok=True)
    write_text(out / "sweep.toml", _plan_toml(plan))
    bar = _progress_bar(len(plan.runs), progress)
    if bar is not None:
        bar.update(len(rows))
    attempts = dict.fromkeys((t[0] for t in pending), 0)
    try:
        while pending:
            for task in pending:  # a half-done folder: emptied, so "started" below is true
                prepare_out(task[3], force=True)
            try:
                for row in _parallel_rows(pending, n_jobs, client, raw):
                    rows[row["name"]] = row
                    if bar is not None:
                        bar.update(1)
                    if progress:
                        _print_row(row, len(rows), len(plan.runs), bar)
                pending = []
            except (KeyboardInterrupt, ImportError):
                raise
            except Exception as crash:  # noqa: BLE001 - a worker died (a run's error is its row)
                pending = _after_crash(pending, rows, attempts, crash)
    except KeyboardInterrupt:
        # NOTE: a run may have finished its folder just before the Ctrl-C reached the loop
        rows = _finished_rows(plan, runs_dir, rows)
        result.rows = _sorted(rows, plan)
        with interrupts_deferred():
            _write(result)
        raise SweepInterrupted(result) from None
    finally:
        if bar is not None:
            bar.close()
    result.rows = _sorted(rows, plan)
    with interrupts_deferred():
        _write(result)
    return result


def _after_crash(pending, rows, attempts, crash) -> list:
    """The runs to try again after a worker died: those it had started (a config.toml in the
    folder; every unfinished one if none had) are charged one attempt, and reported failed
    after `RETRIES` more."""
    unfinished = [t for t in pending if t[0] not in rows]
    started = [t for t in unfinished if (Path(t[3]) / "config.toml").exists()] or unfinished
    again = []
    for task in unfinished:
        if task in started:
            attempts[task[0]] += 1
            if attempts[task[0]] > RETRIES:
                why = f"its worker died {attempts[task[0]]} times ({type(crash).__name__})"
                rows[task[0]] = _failed(task[0], task[1], why)
                continue
        again.append(task)
    return again


def _sorted(rows: dict, plan: Plan) -> list[dict]:
    order = {name: i for i, (name, _, _) in enumerate(plan.runs)}
    done = [r for r in rows.values() if r["name"] in order]
    return sorted(
        done,
        key=lambda r: (r["status"] != "ok", -r.get("val_accuracy", 0.0), order[r["name"]]),
    )


def _plan_toml(plan: Plan) -> str:
    def value(v):
        if isinstance(v, Range):
            return f"{{ low = {v.low!r}, high = {v.high!r}, log = {str(v.log).lower()} }}"
        return json.dumps(v)

    lines = [
        "# the sweep of this folder: base settings (see any run's config.toml) and the grid",
        f"preset = {json.dumps(plan.base.preset)}",
        f"seeds = {plan.seeds}",
        f"random = {plan.random}",
        f"random_seed = {plan.random_seed}",
        "",
        "[grid]",
        *(f"{k} = {value(v)}" for k, v in plan.grid.items()),
    ]
    return "\n".join(lines) + "\n"


def _table(result: SweepResult) -> tuple[list[str], list[list[str]]]:
    swept = result.plan.swept
    columns = ["rank", *swept, "val acc", "test acc", "train acc", "val loss", "epochs",
               "seconds", "status"]  # fmt: skip
    rows = []
    for i, r in enumerate(result.rows, start=1):
        settings = [_value_text(r["settings"].get(k, "")) for k in swept]
        if r["status"] == "ok":
            numbers = [f"{r['val_accuracy']:.4f}", f"{r['test_accuracy']:.4f}",
                       f"{r['train_accuracy']:.4f}", f"{r['val_loss']:.4g}",
                       str(r["epochs_run"]), f"{r['seconds']:.1f}", "ok"]  # fmt: skip
        else:
            numbers = ["-"] * 6 + [f"failed: {r['error']}".replace("|", "/")]
        rows.append([str(i), *settings, *numbers])
    return columns, rows


def _write(result: SweepResult) -> None:
    out = result.out_dir
    columns, rows = _table(result)
    write_csv(out / "results.csv", columns, rows)
    title = f"# Sweep of {result.plan.base.preset or result.plan.base.label}"
    write_text(out / "results.md", f"{title}: best validation accuracy first\n\n"
               f"{result.markdown()}")  # fmt: skip
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        result.notes.append("no sweep.png: matplotlib is not installed (autograd-lab[plot])")
        return
    _figure(result, out / "sweep.png")


def _figure(result: SweepResult, path: Path) -> None:
    import matplotlib.pyplot as plt

    from autograd import plots

    ok = [r for r in result.rows if r["status"] == "ok"]
    swept = result.plan.swept
    fig, axes = plt.subplots(1, len(swept) + 1, figsize=(4.2 * (len(swept) + 1), 3.6),
                             squeeze=False)  # fmt: skip
    plt.close(fig)
    for ax, name in zip(axes[0], swept):
        values = [r["settings"][name] for r in ok]
        numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
        if numeric:
            x = values
            positive = values and min(values) > 0
            if positive and max(values) / min(values) >= 10:
                ax.set_xscale("log")
        else:
            labels = list(dict.fromkeys(_value_text(v) for v in values))
            x = [labels.index(_value_text(v)) for v in values]
            ax.set_xticks(range(len(labels)), labels, rotation=30 if len(labels) > 4 else 0)
        ax.scatter(x, [r["val_accuracy"] for r in ok], alpha=0.8)
        ax.set_xlabel(name)
        ax.set_ylabel(plots.axis_label("val_accuracy"))
        ax.grid(alpha=0.3)
    curves = axes[0][-1]
    for r in ok[:BEST_CURVES]:
        label = ", ".join(f"{k}={_value_text(v)}" for k, v in r["settings"].items())
        curves.plot(r["val_curve"], label=label)
    curves.set_xlabel("epoch")
    curves.set_ylabel(plots.axis_label("val_accuracy"))
    curves.set_title(f"the best {min(BEST_CURVES, len(ok))} runs")
    if ok:
        curves.legend(fontsize="small")
    fig.suptitle(f"sweep of {result.plan.base.preset or result.plan.base.label}: "
                 f"{len(ok)} of {len(result.plan.runs)} runs", y=1.03)  # fmt: skip
    plots.save_figure(fig, path)
