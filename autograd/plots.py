"""Plots for reports: training curves, confusion matrices, learning-rate schedules.

matplotlib is imported inside the functions (``pip install 'autograd-lab[plot]'``), so
``import autograd`` stays light. Every function returns the matplotlib ``Figure``; pass ``ax=``
to draw into an existing Axes instead, and ``path=`` to save the figure (format from the file
extension: .png, .svg, .pdf). Figures are closed in pyplot right away, so plotting in a loop
over 500 seeds does not pile up open figures: in Jupyter the returned figure displays as the
cell's value; in a script, save it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = ["plot_history", "plot_band", "plot_confusion_matrix", "plot_lr", "save_figure"]


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
                a.plot(range(1, len(values) + 1), values, style, color=color, label=label)
            best = getattr(h, "best_epoch", None)
            if best is not None and len(runs) == 1:
                a.axvline(best + 1, color="0.6", lw=0.8, ls=":", label="best epoch")
        a.set_xlabel("epoch")
        a.set_ylabel(metric)
        a.grid(alpha=0.3)
        a.legend(fontsize="small")
    if title:
        fig.suptitle(title)
    return _finish(fig, path)


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


def plot_band(groups, key: str = "train_loss", ax=None, title: str | None = None, path=None):
    """Mean and mean +- one standard deviation of ``key`` per epoch over many runs (seeds) as a
    line with a shaded band (EXERCISES B2). ``groups`` is a list of runs (one band) or a dict
    {label: list of runs} to compare several bands; a run is a `History` or a sequence of
    numbers. Runs that stopped early count only for the epochs they have.
    """
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
        std = np.nanstd(curves, axis=0)
        epochs = np.arange(1, curves.shape[1] + 1)
        color = cycle[i % len(cycle)]
        label = f"{name} (n={len(curves)})" if name else f"mean of {len(curves)} runs"
        a.plot(epochs, mean, color=color, label=label)
        a.fill_between(epochs, mean - std, mean + std, color=color, alpha=0.25, lw=0)
    a.set_xlabel("epoch")
    a.set_ylabel(key)
    a.grid(alpha=0.3)
    a.legend(fontsize="small")
    if title:
        a.set_title(title)
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
    list or a dict {label: source} to compare several; ``log=True`` for a log y axis."""
    if isinstance(schedules, (list, tuple)) and schedules and np.isscalar(schedules[0]):
        schedules = [schedules]
    runs = _as_named_list(schedules, labels, "schedules")
    fig, (a,) = _new_axes(ax, 1)
    for name, source in runs:
        values = _lr_values(source, epochs)
        a.plot(range(len(values)), values, label=name)
    a.set_xlabel("epoch")
    a.set_ylabel("learning rate")
    if log:
        a.set_yscale("log")
    a.grid(alpha=0.3)
    if len(runs) > 1 or runs[0][0]:
        a.legend(fontsize="small")
    if title:
        a.set_title(title)
    return _finish(fig, path)
