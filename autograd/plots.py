"""Plots for reports: training curves, bands and histograms over seeds, confusion matrices,
learning-rate schedules, image grids, and the decision boundary of a 2-input model as it
trains (`decision_boundary`, `BoundaryRecorder`: frames, a GIF, a grid of frames).

Epochs are numbered from 0 everywhere, as in the rest of the library: epoch ``e`` is
``history[key][e]``, `History.best_epoch` and ``schedule.lr_at(e)``, and every plot draws it at
x = ``e`` (the first epoch at 0, its best-epoch line at ``best_epoch``). Axis labels are words
(``train_loss`` reads "training loss").

matplotlib is imported inside the functions (``pip install 'autograd-lab[plot]'``), so
``import autograd`` stays light. Every function returns the matplotlib ``Figure``; pass ``ax=``
to draw into an existing Axes instead, and ``path=`` to save the figure (format from the file
extension: .png, .svg, .pdf). Figures are closed in pyplot right away, so plotting in a loop
over 500 seeds does not pile up open figures: in Jupyter the returned figure displays as the
cell's value; in a script, save it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = [
    "plot_history",
    "plot_band",
    "plot_seed_histogram",
    "plot_confusion_matrix",
    "plot_lr",
    "plot_images",
    "plot_weights",
    "axis_label",
    "save_figure",
    "Boundary",
    "boundary",
    "decision_boundary",
    "plot_boundary",
    "plot_boundary_frames",
    "boundary_animation",
    "save_animation",
    "BoundaryRecorder",
]

MAX_LEGEND_RUNS = 3  # plot_history: more runs get one legend beside the figure
_SPLIT_WORDS = {"train": "training", "val": "validation", "test": "test"}
_KEY_WORDS = {"lr": "learning rate", "time": "seconds per epoch", "loss": "loss"}


def axis_label(key: str) -> str:
    """A history key as words for an axis: ``"train_loss"`` -> ``"training loss"``,
    ``"val_accuracy"`` -> ``"validation accuracy"``, ``"lr"`` -> ``"learning rate"``."""
    if key in _KEY_WORDS:
        return _KEY_WORDS[key]
    split, _, rest = key.partition("_")
    if rest and split in _SPLIT_WORDS:
        return f"{_SPLIT_WORDS[split]} {rest.replace('_', ' ')}"
    return key.replace("_", " ")


def value_range(key: str) -> tuple[float, float]:
    """The values ``key`` can take: [0, 1] for accuracies (and other rates in [0, 1]), [0, inf)
    for losses and times, anything otherwise. Bands are clipped to it."""
    name = key.rpartition("_")[2] if "_" in key else key
    if name in ("accuracy", "precision", "recall", "f1"):
        return 0.0, 1.0
    if name in ("loss", "time", "lr"):
        return 0.0, np.inf
    return -np.inf, np.inf


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError("plotting needs matplotlib: pip install 'autograd-lab[plot]'") from None
    return plt


def _new_axes(ax, ncols: int = 1, width: float = 5.0, height: float = 3.8):
    """``(fig, [axes])``: the caller's Axes, or a new closed-to-pyplot figure."""
    if ax is not None:
        axes = list(np.atleast_1d(ax))
        if len(axes) != ncols:
            raise ValueError(f"this plot needs {ncols} Axes, got {len(axes)}")
        return axes[0].figure, axes
    plt = _pyplot()
    fig, axes = plt.subplots(1, ncols, figsize=(width * ncols, height), squeeze=False)
    plt.close(fig)  # not left open in pyplot (see the module docstring)
    return fig, list(axes[0])


def save_figure(fig, path, dpi: int = 150, **kwargs) -> Path:
    """Save ``fig`` to ``path`` atomically (`autograd.files.write_atomic`: a temporary file in
    the same folder, then renamed), so an interrupted save never leaves a truncated image."""
    path = Path(path)
    fmt = kwargs.pop("format", None) or path.suffix.lstrip(".").lower()
    if not fmt:
        raise ValueError(f"cannot tell the image format of {str(path)!r}: add .png, .svg or .pdf")
    from autograd.files import write_atomic

    return write_atomic(
        path, lambda f: fig.savefig(f, format=fmt, dpi=dpi, bbox_inches="tight", **kwargs)
    )


def _finish(fig, path):
    if path is not None:
        save_figure(fig, path)
    return fig


def _default_name(run) -> str:
    if hasattr(run, "lr_at"):  # a schedule
        return type(run).__name__
    return getattr(run, "label", "") or ""


def _as_named_list(runs, labels, kind: str) -> list[tuple[str, object]]:
    """Normalize one run, a list of runs or a dict {label: run} to [(label, run), ...]."""
    if isinstance(runs, dict):
        pairs = [(str(k), v) for k, v in runs.items()]
    else:
        if not isinstance(runs, (list, tuple)) or (runs and np.isscalar(runs[0])):
            runs = [runs]
        pairs = [(_default_name(r), r) for r in runs]
        if len(pairs) > 1:
            pairs = [(name or f"run {i + 1}", r) for i, (name, r) in enumerate(pairs)]
    if labels is not None:
        labels = list(labels)
        if len(labels) != len(pairs):
            raise ValueError(f"{len(labels)} labels for {len(pairs)} {kind}")
        pairs = [(str(lab), r) for lab, (_, r) in zip(labels, pairs)]
    if not pairs:
        raise ValueError(f"nothing to plot: no {kind} given")
    return pairs


def plot_history(
    histories, metrics=None, labels=None, ax=None, title: str | None = None, path=None
):
    """Per-epoch curves of one or several `autograd.train.History` runs: one panel per metric
    (``"loss"``, ``"accuracy"``, ...), training solid and validation dashed in the same
    colour, one colour per run (pass a list or a dict {label: history} to compare runs).
    Epoch ``e`` (from 0) is drawn at x = ``e``; a single run's ``best_epoch`` gets a dotted line.

    ``metrics=None`` plots loss plus every metric the histories recorded.
    """
    runs = _as_named_list(histories, labels, "histories")
    if metrics is None:
        names = ["loss"]
        for _, h in runs:
            for key in h.keys():
                for prefix in ("train_", "val_"):
                    if key.startswith(prefix) and key[len(prefix) :] not in names:
                        names.append(key[len(prefix) :])
        metrics = names
    elif isinstance(metrics, str):
        metrics = [metrics]
    for m in metrics:
        if not any(f"train_{m}" in h or f"val_{m}" in h for _, h in runs):
            raise ValueError(f"no history recorded {m!r} (as train_{m} or val_{m})")
    fig, axes = _new_axes(ax, len(metrics))
    cycle = [c["color"] for c in _rc_cycle()]
    for a, metric in zip(axes, metrics):
        for i, (name, h) in enumerate(runs):
            color = cycle[i % len(cycle)]
            for split, style in (("train", "-"), ("val", "--")):
                key = f"{split}_{metric}"
                if key not in h:
                    continue
                values = h[key]
                label = f"{name} {split}".strip() if name else split
                marker = "o" if len(values) == 1 else None  # one epoch: a point, not no line
                a.plot(range(len(values)), values, style, color=color, label=label, marker=marker)
            best = getattr(h, "best_epoch", None)
            if best is not None and len(runs) == 1:
                a.axvline(best, color="0.6", lw=0.8, ls=":", label="best epoch")
        _epoch_axis(a)
        a.set_ylabel(axis_label(metric))
        a.grid(alpha=0.3)
        if len(runs) <= MAX_LEGEND_RUNS:
            a.legend(fontsize="small")
    if len(runs) > MAX_LEGEND_RUNS:
        # NOTE: a legend of 2 lines per run on every panel would hide the curves: one legend
        # beside the figure, a line per run
        from matplotlib.lines import Line2D

        handles = [Line2D([], [], color=cycle[i % len(cycle)]) for i in range(len(runs))]
        fig.legend(handles, [name for name, _ in runs], loc="center left", fontsize="small",
                   bbox_to_anchor=(1.0, 0.5), title="solid: train, dashed: val",
                   title_fontsize="small")  # fmt: skip
    if title:
        fig.suptitle(title)
    return _finish(fig, path)


def _epoch_axis(a) -> None:
    from matplotlib.ticker import MaxNLocator

    a.set_xlabel("epoch (from 0)")
    a.xaxis.set_major_locator(MaxNLocator(integer=True))


def _curves(runs, key: str) -> np.ndarray:
    """Stack per-epoch ``key`` curves of several runs into (runs, epochs), nan-padding runs
    that stopped early (a History, a dict of lists or a plain sequence per run)."""
    rows = []
    for r in runs:
        if hasattr(r, "keys"):
            if key not in r.keys():
                raise ValueError(f"a run has no {key!r}; it has {', '.join(r.keys())}")
            rows.append(np.asarray(r[key], dtype=np.float64))
        else:
            rows.append(np.asarray(r, dtype=np.float64))
    if not rows or any(row.ndim != 1 or row.size == 0 for row in rows):
        raise ValueError(f"every run needs a non-empty 1-D sequence of {key!r} values")
    out = np.full((len(rows), max(row.size for row in rows)), np.nan)
    for i, row in enumerate(rows):
        out[i, : row.size] = row
    return out


def plot_band(
    groups,
    key: str = "train_loss",
    band: str = "std",
    limits: tuple[float, float] | None = None,
    ax=None,
    title: str | None = None,
    path=None,
):
    """The mean of ``key`` per epoch over many runs (seeds) as a line with a shaded band
    (EXERCISES B2). ``groups`` is a list of runs (one band) or a dict {label: list of runs} to
    compare several bands; a run is a `History`, a dict of lists or a sequence of numbers. Runs
    that stopped early count only for the epochs they have.

    ``band="std"``: mean +- one standard deviation, clipped to the values ``key`` can take
    (``limits``; by default [0, 1] for accuracies and [0, inf) for losses, see `value_range`),
    so a band never shows a negative loss or an accuracy above 1. ``band="percentile"``: the
    10th to 90th percentile of the runs, which stays in range by construction and shows a
    skewed spread (a few stuck seeds) as it is.
    """
    if band not in ("std", "percentile"):
        raise ValueError(f"band must be 'std' or 'percentile', got {band!r}")
    low_limit, high_limit = value_range(key) if limits is None else limits
    if isinstance(groups, dict):
        named = [(str(k), v) for k, v in groups.items()]
    else:
        named = [("", groups)]
    if not named:
        raise ValueError("nothing to plot: no groups of runs given")
    fig, (a,) = _new_axes(ax, 1)
    cycle = [c["color"] for c in _rc_cycle()]
    for i, (name, runs) in enumerate(named):
        curves = _curves(list(runs), key)
        mean = np.nanmean(curves, axis=0)
        if band == "std":
            std = np.nanstd(curves, axis=0)
            lower, upper = mean - std, mean + std
        else:
            lower, upper = np.nanpercentile(curves, [10, 90], axis=0)
        lower, upper = np.clip(lower, low_limit, high_limit), np.clip(upper, low_limit, high_limit)
        epochs = np.arange(curves.shape[1])
        color = cycle[i % len(cycle)]
        label = f"{name} (n={len(curves)})" if name else f"mean of {len(curves)} runs"
        a.plot(epochs, mean, color=color, label=label)
        a.fill_between(epochs, lower, upper, color=color, alpha=0.25, lw=0)
    _epoch_axis(a)
    spread = "± std" if band == "std" else "10th-90th percentile"
    a.set_ylabel(f"{axis_label(key)} (mean, {spread})")
    a.grid(alpha=0.3)
    a.legend(fontsize="small")
    if title:
        a.set_title(title)
    return _finish(fig, path)


def plot_seed_histogram(
    results,
    stuck_at: float = 0.5,
    bins=None,
    xlabel: str = "final accuracy",
    ax=None,
    title: str | None = None,
    path=None,
):
    """Histogram of one final number per seed (EXERCISES B1: the final accuracy of 500 seeds),
    one colour per group, with the mean and the fraction of stuck seeds in the legend.

    ``results`` is a sequence of numbers (one group) or a dict {label: numbers}. A seed is
    *stuck* when its value is at most ``stuck_at`` (0.5: chance level of a binary task; the
    course's stuck XOR seeds end at 0.5 with outputs near 0). ``bins=None`` puts one bar on
    each distinct value when there are few (accuracies over 4 patterns: 0, 0.25, ..., 1), else
    20 bins over [0, 1].
    """
    if isinstance(results, dict):
        named = [(str(k), np.asarray(v, dtype=np.float64).ravel()) for k, v in results.items()]
    else:
        named = [("", np.asarray(results, dtype=np.float64).ravel())]
    if not named or any(v.size == 0 for _, v in named):
        raise ValueError("nothing to plot: every group needs at least one value per seed")
    for name, v in named:
        if not np.all(np.isfinite(v)):
            raise ValueError(f"group {name or '(unnamed)'!r} has nan or inf values")
    values = np.concatenate([v for _, v in named])
    if bins is None:
        distinct = np.unique(values)
        if distinct.size <= 12:
            step = np.min(np.diff(distinct)) if distinct.size > 1 else 1.0
            bins = np.concatenate([distinct - step / 2, [distinct[-1] + step / 2]])
            ticks = distinct
        else:
            bins, ticks = np.linspace(min(0.0, values.min()), max(1.0, values.max()), 21), None
    else:
        ticks = None
    fig, (a,) = _new_axes(ax, 1, width=6.0)
    labels = []
    for name, v in named:
        stuck = float(np.mean(v <= stuck_at))
        stats = f"mean {v.mean():.3f}, stuck {100 * stuck:.0f}%"
        labels.append(f"{name}: {stats}" if name else stats)
    a.hist([v for _, v in named], bins=bins, label=labels)
    if ticks is not None:
        a.set_xticks(ticks, [f"{t:g}" for t in ticks])
    a.set_xlabel(xlabel)
    a.set_ylabel("seeds")
    a.grid(alpha=0.3, axis="y")
    a.legend(fontsize="small", title=f"stuck: {xlabel} <= {stuck_at:g}", title_fontsize="small")
    sizes = sorted({v.size for _, v in named})
    seeds = " / ".join(str(n) for n in sizes) if len(sizes) > 1 else str(sizes[0])
    a.set_title(title or f"{xlabel} over {seeds} seeds")
    return _finish(fig, path)


def _rc_cycle():
    import matplotlib as mpl

    return list(mpl.rcParams["axes.prop_cycle"])


def plot_confusion_matrix(
    cm,
    class_names=None,
    normalize: bool = False,
    ax=None,
    cmap: str = "Blues",
    values: bool | None = None,
    title: str | None = None,
    path=None,
):
    """A confusion matrix (rows true class, columns predicted; `autograd.metrics`) as a heat
    map with a colour bar. ``normalize=True`` divides each row by its total (per-class recall
    on the diagonal). ``values`` writes the numbers in the cells (default: up to 20 classes).
    """
    cm = np.asarray(cm)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError(f"expected a square confusion matrix, got shape {cm.shape}")
    n = cm.shape[0]
    if class_names is not None and len(class_names) != n:
        raise ValueError(f"{len(class_names)} class names for a {n}-class confusion matrix")
    shown = cm.astype(np.float64)
    if normalize:
        rows = shown.sum(axis=1, keepdims=True)
        shown = np.divide(shown, rows, out=np.zeros_like(shown), where=rows > 0)
    fig, (a,) = _new_axes(ax, 1, width=max(4.5, 0.45 * n + 2.5), height=max(3.8, 0.45 * n + 1.5))
    image = a.imshow(shown, cmap=cmap, vmin=0, vmax=1 if normalize else None)
    fig.colorbar(image, ax=a, fraction=0.046, pad=0.04)
    ticks = np.arange(n)
    names = [str(c) for c in class_names] if class_names is not None else [str(k) for k in ticks]
    long_names = max(len(s) for s in names) > 3
    a.set_xticks(
        ticks, names, rotation=45 if long_names else 0, ha="right" if long_names else "center"
    )
    a.set_yticks(ticks, names)
    a.set_xlabel("predicted")
    a.set_ylabel("true")
    if values is None:
        values = n <= 20
    if values:
        top = shown.max() if shown.size else 0
        # NOTE: a matrix already normalized by metrics.confusion_matrix is float: int() of
        # its cells would print 0 everywhere
        counts = not normalize and np.issubdtype(cm.dtype, np.integer)
        for i in range(n):
            for j in range(n):
                v = shown[i, j]
                text = f"{int(cm[i, j])}" if counts else f"{v:.2f}"
                color = "white" if top and v > top / 2 else "black"
                a.text(j, i, text, ha="center", va="center", color=color, fontsize="small")
    a.set_title(title or ("confusion matrix (row-normalized)" if normalize else "confusion matrix"))
    return _finish(fig, path)


def _lr_values(source, epochs):
    if hasattr(source, "lr_at"):  # a schedule: its formula, without stepping it
        if epochs is None:
            raise ValueError("plotting a schedule needs epochs=N")
        return [source.lr_at(t) for t in range(epochs)]
    if hasattr(source, "keys") and "lr" in source.keys():  # a History
        return list(source["lr"])
    values = [float(v) for v in source]
    return values[:epochs] if epochs is not None else values


def plot_lr(
    schedules,
    epochs: int | None = None,
    labels=None,
    ax=None,
    log: bool = False,
    title: str | None = None,
    path=None,
):
    """Learning rate per epoch: of a schedule (``lr_at(t)`` for ``t < epochs``; the schedule
    is not stepped), of a `History` (the ``lr`` it recorded), or of a list of numbers. Pass a
    list or a dict {label: source} to compare several; ``log=True`` for a log y axis. The rate
    of epoch ``e`` (from 0, ``lr_at(e)``, ``history.lr[e]``) is drawn at x = ``e``."""
    if isinstance(schedules, (list, tuple)) and schedules and np.isscalar(schedules[0]):
        schedules = [schedules]
    runs = _as_named_list(schedules, labels, "schedules")
    fig, (a,) = _new_axes(ax, 1)
    for name, source in runs:
        values = _lr_values(source, epochs)
        a.plot(range(len(values)), values, label=name)
    _epoch_axis(a)
    a.set_ylabel("learning rate")
    if log:
        a.set_yscale("log")
    a.grid(alpha=0.3)
    if len(runs) > 1 or runs[0][0]:
        a.legend(fontsize="small")
    if title:
        a.set_title(title)
    return _finish(fig, path)


def _as_images(images, shape) -> np.ndarray:
    """(N, H, W) grey or (N, H, W, 3) colour images from images or flat rows (``shape``)."""
    a = np.asarray(getattr(images, "data", images))
    if shape is not None:
        shape = tuple(int(n) for n in shape)
        if len(shape) not in (2, 3) or (len(shape) == 3 and shape[-1] not in (1, 3)):
            raise ValueError(f"shape must be (H, W) or (H, W, 3), got {shape}")
        size = int(np.prod(shape))
        if a.size % size:
            raise ValueError(f"cannot cut {a.size} values into images of shape {shape}")
        a = a.reshape((-1, *shape))
    elif a.ndim == 2 or (a.ndim == 3 and a.shape[-1] in (1, 3)):
        a = a[None]  # one image
    if a.ndim == 4 and a.shape[-1] == 1:
        a = a[..., 0]
    if not (a.ndim == 3 or (a.ndim == 4 and a.shape[-1] == 3)):
        raise ValueError(
            f"expected images (N, H, W) or (N, H, W, 3), or flat rows with shape=(H, W[, 3]); "
            f"got an array of shape {a.shape}"
        )
    if len(a) == 0:
        raise ValueError("no images to plot")
    return a


def _scaled(images: np.ndarray, normalize: str) -> np.ndarray:
    """Images as floats in [0, 1] for display: uint8 / 255; floats already in [0, 1] as they
    are (``normalize="auto"``); anything else (a mean-subtracted image, weights) stretched
    to [0, 1], each image on its own (``"each"``) or all with one scale (``"all"``)."""
    x = images.astype(np.float64)
    if normalize == "auto":
        if images.dtype == np.uint8:
            return x / 255.0
        if x.min() >= 0 and x.max() <= 1:
            return x
        normalize = "each"
    axes = tuple(range(1, x.ndim)) if normalize == "each" else None
    low = x.min(axis=axes, keepdims=True)
    span = x.max(axis=axes, keepdims=True) - low
    return np.divide(x - low, span, out=np.full_like(x, 0.5), where=span > 0)


def plot_images(
    images,
    labels=None,
    class_names=None,
    shape=None,
    ncols: int | None = None,
    normalize: str = "auto",
    cmap: str = "gray",
    title: str | None = None,
    path=None,
):
    """A grid of images with their labels (EXERCISES C1: samples of the data set, the mean
    training image).

    ``images``: (N, H, W) grey or (N, H, W, 3) colour (as `autograd.datasets` returns them),
    one image (H, W[, 3]), or flat rows (N, H*W*C) with ``shape=(H, W[, 3])``: the mean image
    is ``plot_images(x_train.mean(axis=0), title="mean training image")``. ``labels``: one per
    image (class indices, named through ``class_names``, or strings). ``normalize``:
    ``"auto"`` shows uint8 and [0, 1] floats as they are and stretches anything else (a
    mean-subtracted image) to the full range, each image on its own; ``"each"`` / ``"all"``
    always stretch, per image or with one scale for the grid.
    """
    if normalize not in ("auto", "each", "all"):
        raise ValueError(f"normalize must be 'auto', 'each' or 'all', got {normalize!r}")
    imgs = _as_images(images, shape)
    n = len(imgs)
    if labels is not None:
        labels = list(np.asarray(labels).ravel()) if not isinstance(labels, list) else labels
        if len(labels) != n:
            raise ValueError(f"{len(labels)} labels for {n} images")
        if class_names is not None:
            names = list(class_names)
            try:
                labels = [names[int(k)] for k in labels]
            except (IndexError, ValueError, TypeError):
                raise ValueError(
                    f"labels must be class indices below {len(names)} to use class_names"
                ) from None
    shown = _scaled(imgs, normalize)
    ncols = min(n, ncols or (n if n <= 10 else 10))
    nrows = -(-n // ncols)
    plt = _pyplot()
    cell = 1.4 if ncols > 3 else 2.4  # a single image (the mean image) is not a thumbnail
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(cell * ncols + 0.4, cell * nrows + 0.6), squeeze=False
    )
    plt.close(fig)
    for i, a in enumerate(axes.ravel()):
        a.axis("off")
        if i >= n:
            continue
        a.imshow(shown[i], cmap=None if shown.ndim == 4 else cmap, vmin=0, vmax=1)
        if labels is not None:
            a.set_title(str(labels[i]), fontsize="small")
    if title:
        fig.suptitle(title)
    return _finish(fig, path)


def plot_weights(weight, shape, max_units: int = 100, ncols: int | None = None, **kwargs):
    """The incoming weights of the first layer's units as images (EXERCISES C1): row ``k`` of a
    ``(units, inputs)`` weight (an `nn.Linear`, its ``weight`` Parameter or an array) reshaped
    to the input image ``shape`` (``(32, 32, 3)`` for CIFAR-10), each stretched to its own
    range. Shows at most ``max_units`` units; other keywords go to `plot_images`."""
    w = getattr(weight, "weight", weight)
    w = np.asarray(getattr(w, "data", w))
    if w.ndim != 2:
        raise ValueError(f"expected a (units, inputs) weight matrix, got shape {w.shape}")
    if int(np.prod(shape)) != w.shape[1]:
        raise ValueError(
            f"the weight has {w.shape[1]} inputs per unit, but an image of shape "
            f"{tuple(shape)} has {int(np.prod(shape))} values"
        )
    kwargs.setdefault("title", f"first-layer weights ({min(len(w), max_units)} units)")
    kwargs.setdefault("normalize", "each")
    return plot_images(w[:max_units], shape=shape, ncols=ncols, **kwargs)


# ---- decision boundary of a 2-input model, as it trains ----------------------------------


BOUNDARY_MARKERS = "os^Dv<>p*h"  # class k's points: a shape as well as a colour


@dataclass(frozen=True)
class Boundary:
    """A 2-input model's outputs on a grid over its input plane, at one moment of training.

    ``outputs[i, j]`` (a vector of the model's outputs) belongs to the point
    ``(xs[j], ys[i])``. With one output, class 1 is where ``output > threshold`` and the
    decision boundary is the level line ``output = threshold``; with several outputs the class
    is the argmax. ``epochs_trained``: how many epochs the weights had been trained (0: the
    initial weights; None: not recorded during training).
    """

    xs: np.ndarray
    ys: np.ndarray
    outputs: np.ndarray
    threshold: float | None
    epochs_trained: int | None = None

    @property
    def classes(self) -> np.ndarray:
        """The class the model predicts at every grid point, shape ``(len(ys), len(xs))``."""
        if self.outputs.shape[-1] == 1:
            return (self.outputs[..., 0] > self.threshold).astype(np.int64)
        return self.outputs.argmax(axis=-1)

    @property
    def extent(self) -> tuple[float, float, float, float]:
        return float(self.xs[0]), float(self.xs[-1]), float(self.ys[0]), float(self.ys[-1])

    @property
    def title(self) -> str:
        if self.epochs_trained is None:
            return "decision boundary"
        if self.epochs_trained == 0:
            return "initial weights"
        return f"after {self.epochs_trained} epoch{'s' * (self.epochs_trained != 1)}"


def _plane_points(x, what: str) -> np.ndarray:
    points = np.asarray(getattr(x, "data", x))
    if points.ndim != 2 or points.shape[1] != 2 or len(points) == 0:
        raise ValueError(
            f"{what} draws models of 2 inputs over their input plane: x must have shape (N, 2), "
            f"got {points.shape}"
        )
    if not np.all(np.isfinite(points)):
        raise ValueError(f"{what}: x holds nan or inf")
    return points


def plane_extent(x, margin: float = 0.25) -> tuple[float, float, float, float]:
    """``(x0, x1, y0, y1)``: the box around the samples ``x`` (N, 2), widened on each side by
    ``margin`` times its width (at least ``margin`` when all samples share a coordinate)."""
    points = _plane_points(x, "plane_extent")
    low, high = points.min(axis=0).astype(np.float64), points.max(axis=0).astype(np.float64)
    pad = margin * np.maximum(high - low, 1.0)
    return low[0] - pad[0], high[0] + pad[0], low[1] - pad[1], high[1] + pad[1]


def _infer_threshold(threshold, y, n_outputs: int) -> float | None:
    """One output: ``threshold`` if given, else halfway between the lowest and the highest
    target in ``y`` (targets in {-1, 1}: 0; in {0, 1}: 0.5), else 0.5. Several outputs: None
    (the argmax decides)."""
    if n_outputs > 1:
        return None
    if threshold is not None:
        return float(threshold)
    if y is None:
        return 0.5
    targets = np.asarray(getattr(y, "data", y), dtype=np.float64)
    return float((targets.min() + targets.max()) / 2) if targets.size else 0.5


def boundary(
    model,
    x,
    y=None,
    threshold: float | None = None,
    resolution: int = 100,
    margin: float = 0.25,
    extent: tuple[float, float, float, float] | None = None,
    epochs_trained: int | None = None,
) -> Boundary:
    """The `Boundary` of ``model`` (any callable model that `autograd.train.predict` takes, with
    2 inputs) on a ``resolution`` x ``resolution`` grid over ``extent`` (default: the box
    around the samples ``x`` widened by ``margin``, `plane_extent`).

    ``threshold`` splits one output into two classes; by default it is halfway between the
    targets ``y`` (pass the targets the loss was given: 0 for tanh outputs trained on -1/1, 0.5
    for 0/1); pass ``threshold=0`` for logits.
    """
    from autograd.arguments import positive_int
    from autograd.train import predict

    resolution = positive_int("resolution", resolution)
    if resolution < 2:
        raise ValueError(f"resolution must be at least 2 grid points per side, got {resolution}")
    x0, x1, y0, y1 = extent if extent is not None else plane_extent(x, margin)
    xs, ys = np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)
    points = np.column_stack([grid_x.ravel(), grid_y.ravel()])
    outputs = np.asarray(predict(model, points), dtype=np.float64)
    if outputs.ndim == 1:
        outputs = outputs[:, None]
    outputs = outputs.reshape(resolution, resolution, -1)
    return Boundary(xs, ys, outputs, _infer_threshold(threshold, y, outputs.shape[-1]),
                    epochs_trained)  # fmt: skip


def _sample_classes(y, threshold: float | None) -> np.ndarray | None:
    """Each sample's class for colouring: an argmax of one-hot rows, a target above the
    threshold, or integer labels as they are."""
    if y is None:
        return None
    y = np.asarray(getattr(y, "data", y))
    if y.ndim == 2 and y.shape[1] > 1:
        return y.argmax(axis=1)
    y = y.reshape(len(y))
    if np.issubdtype(y.dtype, np.floating):
        return (y > (0.5 if threshold is None else threshold)).astype(np.int64)
    return y.astype(np.int64)


def _output_limits(frames: list[Boundary]) -> tuple[float, float]:
    """One colour scale for every frame, centred on the threshold (white on the boundary)."""
    first = frames[0]
    if first.outputs.shape[-1] > 1:
        return 0.0, float(first.outputs.shape[-1] - 1)
    reach = max(float(np.max(np.abs(f.outputs[..., 0] - f.threshold))) for f in frames)
    reach = reach or 1.0
    return first.threshold - reach, first.threshold + reach


def plot_boundary(
    frame: Boundary,
    x=None,
    y=None,
    ax=None,
    limits: tuple[float, float] | None = None,
    title: str | None = None,
    path=None,
):
    """Draw a `Boundary`: the model's output as colour over the plane (one output: a diverging
    scale, white on the threshold; several: the predicted class), the decision boundary as a
    black line, and the samples ``x`` with their classes from ``y`` (colour and marker shape)."""
    import warnings

    from matplotlib.colors import ListedColormap

    fig, (a,) = _new_axes(ax, 1, width=4.2, height=3.8)
    low, high = limits or _output_limits([frame])
    n_out = frame.outputs.shape[-1]
    if n_out == 1:
        shown, cmap, levels = frame.outputs[..., 0], "RdBu_r", [frame.threshold]
    else:
        colours = [c["color"] for c in _rc_cycle()]
        shown = frame.classes
        cmap = ListedColormap([colours[k % len(colours)] for k in range(n_out)])
        levels = np.arange(n_out - 1) + 0.5
    a.imshow(shown, extent=frame.extent, origin="lower", cmap=cmap, vmin=low, vmax=high,
             alpha=0.6 if n_out > 1 else 0.9, aspect="auto",
             interpolation="nearest" if n_out > 1 else "bilinear")  # fmt: skip
    with warnings.catch_warnings():
        # NOTE: a model that predicts one class everywhere has no boundary line to draw
        warnings.simplefilter("ignore", UserWarning)
        a.contour(frame.xs, frame.ys, shown, levels=levels, colors="black", linewidths=1.5)
    if x is not None:
        points = _plane_points(x, "plot_boundary")
        classes = _sample_classes(y, frame.threshold)
        if classes is None:
            a.scatter(points[:, 0], points[:, 1], c="white", edgecolors="black", s=30)
        else:
            for k in np.unique(classes):
                at = classes == k
                a.scatter(points[at, 0], points[at, 1], marker=BOUNDARY_MARKERS[k % 10],
                          c="white" if k % 2 == 0 else "black", edgecolors="black", s=40,
                          label=f"class {k}")  # fmt: skip
    a.set_xlim(frame.xs[0], frame.xs[-1])
    a.set_ylim(frame.ys[0], frame.ys[-1])
    a.set_xlabel("$x_1$")
    a.set_ylabel("$x_2$")
    a.set_title(title if title is not None else frame.title, fontsize="medium")
    return _finish(fig, path)


def decision_boundary(
    model,
    x,
    y=None,
    threshold: float | None = None,
    resolution: int = 100,
    margin: float = 0.25,
    ax=None,
    title: str | None = None,
    path=None,
):
    """The decision boundary of a 2-input ``model`` over the plane of the samples ``x`` (N, 2),
    with the samples drawn in their classes from ``y``: `boundary` then `plot_boundary`.

        decision_boundary(model, data.x_train, data.y_train, path="boundary.png")

    ``y``: the targets the model was trained on (they also set the default ``threshold``
    between the classes of one output, see `boundary`), or integer labels. To watch the
    boundary move while the model trains, see `BoundaryRecorder`."""
    frame = boundary(model, x, y, threshold, resolution, margin)
    return plot_boundary(frame, x, y, ax=ax, title=title, path=path)


def _pick(frames: list[Boundary], count: int) -> list[Boundary]:
    """At most ``count`` frames, evenly spread, always with the first and the last."""
    if len(frames) <= count:
        return list(frames)
    picked = np.unique(np.linspace(0, len(frames) - 1, count).round().astype(int))
    return [frames[i] for i in picked]


def plot_boundary_frames(
    frames, x=None, y=None, max_frames: int = 8, ncols: int = 4, title=None, path=None
):
    """A grid of boundary frames (small multiples, read left to right, top to bottom): at most
    ``max_frames`` of ``frames``, evenly spread from the first to the last, on one colour
    scale."""
    frames = list(frames)
    if not frames:
        raise ValueError("plot_boundary_frames: no frames to draw")
    shown = _pick(frames, max_frames)
    ncols = min(ncols, len(shown))
    nrows = -(-len(shown) // ncols)
    plt = _pyplot()
    fig, axes = plt.subplots(nrows, ncols, figsize=(2.6 * ncols, 2.5 * nrows + 0.3),
                             squeeze=False, layout="constrained")  # fmt: skip
    plt.close(fig)
    limits = _output_limits(frames)
    for a, frame in zip(axes.ravel(), shown):
        plot_boundary(frame, x, y, ax=a, limits=limits)
        a.set_xlabel("")
        a.set_ylabel("")
    for a in axes.ravel()[len(shown) :]:
        a.axis("off")
    if title:
        fig.suptitle(title)
    return _finish(fig, path)


def boundary_animation(frames, x=None, y=None, fps: float = 5.0, title: str = ""):
    """A matplotlib ``FuncAnimation`` of the boundary frames (one colour scale for all). In
    Jupyter show it with ``IPython.display.HTML(animation.to_jshtml())``; write it with
    `save_animation`."""
    from matplotlib.animation import FuncAnimation

    frames = list(frames)
    if not frames:
        raise ValueError("boundary_animation: no frames to animate")
    if not fps > 0:
        raise ValueError(f"fps must be positive, got {fps!r}")
    limits = _output_limits(frames)
    fig, (a,) = _new_axes(None, 1, width=4.2, height=3.8)

    def draw(i: int):
        a.clear()
        name = f"{title}: {frames[i].title}" if title else None
        plot_boundary(frames[i], x, y, ax=a, limits=limits, title=name)
        return []

    draw(0)
    return FuncAnimation(fig, draw, frames=len(frames), interval=1000 / fps, repeat=True)


def save_animation(animation, path, fps: float = 5.0, dpi: int = 80) -> Path:
    """Write a matplotlib animation as a GIF with the Pillow writer (``pip install
    'autograd-lab[images]'``); the file appears complete or not at all."""
    import tempfile

    from matplotlib.animation import PillowWriter

    from autograd.files import output_path, write_atomic

    path = output_path(path, (".gif",), "save_animation")
    try:
        import PIL  # noqa: F401
    except ImportError:
        raise ImportError(
            "writing a GIF needs Pillow: pip install 'autograd-lab[images]'"
        ) from None
    if not fps > 0:
        raise ValueError(f"fps must be positive, got {fps!r}")
    # NOTE: the writer wants a file name; write to a private folder, then move it atomically
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder) / path.name
        animation.save(scratch, writer=PillowWriter(fps=fps), dpi=dpi)
        return write_atomic(path, scratch.read_bytes())


class BoundaryRecorder:
    """`fit`'s ``on_epoch_end`` callback that records the decision boundary of ``model`` every
    ``every`` epochs (after epochs ``every``, ``2*every``, ... and after the last of
    ``epochs``, when given), plus the initial weights when it is made.

        recorder = BoundaryRecorder(model, x, y, every=10, epochs=200)
        fit(model, loss, opt, loader, epochs=200, on_epoch_end=recorder)
        recorder.save_gif("boundary.gif"); recorder.plot_frames(path="frames.png")

    Every frame uses the same grid (`plane_extent` of ``x``) and threshold, so frames can be
    compared. ``live=True`` redraws the latest frame in place in Jupyter while ``fit`` runs
    (an IPython display handle). Frames: ``recorder.frames``, a list of `Boundary`.
    """

    def __init__(
        self,
        model,
        x,
        y=None,
        every: int = 1,
        epochs: int | None = None,
        threshold: float | None = None,
        resolution: int = 60,
        margin: float = 0.25,
        live: bool = False,
    ):
        from autograd.arguments import positive_int

        self.model, self.x, self.y = model, _plane_points(x, "BoundaryRecorder"), y
        self.every = positive_int("every", every)
        self.epochs = None if epochs is None else positive_int("epochs", epochs)
        self.extent = plane_extent(self.x, margin)
        self.resolution = resolution
        self.live = live
        self._handle = None
        self.frames: list[Boundary] = []
        self.threshold = threshold
        self.threshold = self.record(0).threshold  # the first frame's, inferred from y if None

    def record(self, epochs_trained: int) -> Boundary:
        """Add the current model's boundary as a frame (and redraw the live view)."""
        frame = boundary(self.model, self.x, self.y, self.threshold, self.resolution,
                         extent=self.extent, epochs_trained=epochs_trained)  # fmt: skip
        self.frames.append(frame)
        if self.live:
            self._show(frame)
        return frame

    def __call__(self, history) -> None:
        done = history.epochs
        if done % self.every == 0 or done == self.epochs:
            self.record(done)

    def _show(self, frame: Boundary) -> None:
        from IPython.display import display

        fig = plot_boundary(frame, self.x, self.y, limits=_output_limits(self.frames[:1] + [frame]))
        if self._handle is None:
            self._handle = display(fig, display_id=True)
        else:
            self._handle.update(fig)

    def animation(self, fps: float = 5.0, title: str = ""):
        """`boundary_animation` of the frames."""
        return boundary_animation(self.frames, self.x, self.y, fps, title)

    def save_gif(self, path, fps: float = 5.0, title: str = "") -> Path:
        """The frames as an animated GIF (`save_animation`)."""
        return save_animation(self.animation(fps, title), path, fps)

    def plot_frames(self, max_frames: int = 8, ncols: int = 4, title=None, path=None):
        """`plot_boundary_frames` of the frames."""
        return plot_boundary_frames(self.frames, self.x, self.y, max_frames, ncols, title, path)

    def plot_last(self, title=None, path=None):
        """The last frame (`plot_boundary`)."""
        frame = self.frames[-1]
        return plot_boundary(frame, self.x, self.y, limits=_output_limits(self.frames),
                             title=title, path=path)  # fmt: skip
