"""Plots over seeds and of images, and the conventions every plot shares: epochs from 0 (as
`History.best_epoch` and ``lr_at``), bands inside the possible range, axis labels in words."""

import re
from pathlib import Path

import numpy as np
import pytest

from autograd import data, nn, optim
from autograd.train import History, fit

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from autograd.plots import (  # noqa: E402
    axis_label,
    plot_band,
    plot_history,
    plot_images,
    plot_lr,
    plot_seed_histogram,
    plot_weights,
)


def history(**curves):
    h = History()
    for i in range(len(next(iter(curves.values())))):
        h.append(**{k: v[i] for k, v in curves.items()})
    return h


def test_one_epoch_convention_history_best_epoch_and_lr():
    """Epoch e is history[key][e], best_epoch and lr_at(e): each plot draws it at x = e."""
    x, y = data.xor()
    model = nn.Sequential(nn.Linear(2, 4, rng=0), nn.Tanh(), nn.Linear(4, 1, rng=1), nn.Tanh())
    opt = optim.SGD(model.parameters(), lr=0.3)
    sched = optim.Exponential(opt, gamma=0.5)
    loader = data.DataLoader(x, y, batch_size=4)
    stopper = optim.EarlyStopping("val_loss", patience=10)
    h = fit(model, nn.MSELoss(), opt, loader, loader, epochs=6, scheduler=sched,
            early_stopping=stopper, progress=False)  # fmt: skip
    best = h.best_epoch
    assert h.val_loss[best] == min(h.val_loss)
    fig = plot_history(h)
    loss_ax = fig.axes[0]
    val_line = next(line for line in loss_ax.lines if line.get_label() == "val")
    best_line = next(line for line in loss_ax.lines if line.get_label().startswith("best epoch"))
    x_best = best_line.get_xdata()[0]
    assert x_best == best  # the dotted line stands on the best epoch's point
    assert val_line.get_ydata()[list(val_line.get_xdata()).index(x_best)] == min(h.val_loss)
    assert list(val_line.get_xdata()) == list(range(6))
    # lr of epoch e, from the schedule's formula and from the history, both drawn at x = e
    lr_fig = plot_lr({"schedule": sched, "history": h}, epochs=6)
    (from_schedule, from_history) = lr_fig.axes[0].lines
    np.testing.assert_array_equal(from_schedule.get_xdata(), range(6))
    np.testing.assert_allclose(from_schedule.get_ydata(), [sched.lr_at(e) for e in range(6)])
    np.testing.assert_allclose(from_history.get_ydata(), h.lr)
    np.testing.assert_allclose(from_schedule.get_ydata(), from_history.get_ydata(), rtol=1e-6)
    band = plot_band([h, h], key="train_loss")
    np.testing.assert_array_equal(band.axes[0].lines[0].get_xdata(), range(6))
    for f in (fig, lr_fig, band):
        assert f.axes[0].get_xlabel() == "epoch (from 0)"


def test_axis_labels_are_words():
    assert axis_label("train_loss") == "training loss"
    assert axis_label("val_accuracy") == "validation accuracy"
    assert axis_label("test_top_5") == "test top 5"
    assert axis_label("lr") == "learning rate"
    h = history(train_loss=[1.0, 0.5], val_loss=[1.1, 0.6], train_accuracy=[0.5, 0.9])
    assert [a.get_ylabel() for a in plot_history(h).axes] == ["loss", "accuracy"]
    assert plot_band([h], key="val_loss").axes[0].get_ylabel().startswith("validation loss")
    assert "_" not in plot_band([h], key="train_accuracy").axes[0].get_ylabel()


def band_limits(fig):
    vertices = fig.axes[0].collections[0].get_paths()[0].vertices[:, 1]
    return vertices.min(), vertices.max()


def test_bands_stay_in_the_possible_range():
    # accuracies near 1 with a wide spread: mean + std would pass 1; losses near 0: mean - std < 0
    accs = [[0.5, 1.0], [1.0, 1.0], [1.0, 1.0], [0.25, 0.25]]
    losses = [[2.0, 0.01], [0.0, 0.0], [0.0, 0.0], [0.0, 1.5]]
    runs = [history(train_accuracy=a, train_loss=lo) for a, lo in zip(accs, losses)]
    m, s = np.mean(accs, axis=0), np.std(accs, axis=0)
    assert (m + s).max() > 1 and (np.mean(losses, 0) - np.std(losses, 0)).min() < 0  # the trap
    low, high = band_limits(plot_band(runs, key="train_accuracy"))
    assert high == 1.0 and low == pytest.approx((m - s).min())
    low, high = band_limits(plot_band(runs, key="train_loss"))
    assert low == 0.0
    # percentiles: in range by construction, and they are the runs' percentiles
    low, high = band_limits(plot_band(runs, key="train_accuracy", band="percentile"))
    assert low == pytest.approx(np.percentile([a[0] for a in accs], 10)) and high == 1.0
    # explicit limits for a metric the plot cannot guess
    low, high = band_limits(plot_band([[-3.0, 3.0], [3.0, -3.0]], key="margin", limits=(-1, 1)))
    assert (low, high) == (-1.0, 1.0)
    with pytest.raises(ValueError, match="band must be 'std' or 'percentile'"):
        plot_band(runs, band="iqr")


def test_seed_histogram_mean_and_stuck_fraction(tmp_path):
    arch1 = [1.0] * 8 + [0.5, 0.75]  # 1 of 10 stuck
    arch2 = [1.0] * 5 + [0.5] * 3 + [0.25, 1.0]  # 4 of 10 stuck (0.5 and 0.25)
    fig = plot_seed_histogram({"2-2-1": arch1, "2-1-1 skip": arch2}, path=tmp_path / "h.png")
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["2-2-1: mean 0.925, stuck 10%", "2-1-1 skip: mean 0.775, stuck 40%"]
    heights = [p.get_height() for p in ax.patches]
    assert sum(heights) == 20  # every seed counted once
    # one bar per distinct accuracy: 0.25, 0.5, 0.75, 1.0, centred on its value
    np.testing.assert_allclose(ax.get_xticks(), [0.25, 0.5, 0.75, 1.0])
    first = ax.containers[0]
    assert [p.get_height() for p in first] == [0, 1, 1, 8]
    centres = [p.get_x() + p.get_width() / 2 for p in first]
    second = ax.containers[1]
    centres2 = [p.get_x() + p.get_width() / 2 for p in second]
    assert np.all(np.abs(np.array(centres) - [0.25, 0.5, 0.75, 1.0]) < 0.125)
    assert np.all(np.abs(np.array(centres2) - [0.25, 0.5, 0.75, 1.0]) < 0.125)
    assert (tmp_path / "h.png").read_bytes()[:4] == b"\x89PNG"
    one = plot_seed_histogram(np.linspace(0, 1, 50), stuck_at=0.1)
    assert one.axes[0].get_legend().get_texts()[0].get_text() == "mean 0.500, stuck 10%"
    with pytest.raises(ValueError, match="nan or inf"):
        plot_seed_histogram({"a": [0.5, np.nan]})
    with pytest.raises(ValueError, match="at least one value"):
        plot_seed_histogram({"a": []})


def test_image_grid_labels_mean_image_and_weights(tmp_path):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (5, 8, 8, 3), dtype=np.uint8)
    fig = plot_images(images, labels=[0, 2, 1, 2, 0], class_names=["cat", "dog", "ship"],
                      ncols=3, path=tmp_path / "grid.png")  # fmt: skip
    shown = [a for a in fig.axes if a.images]
    assert len(fig.axes) == 6 and len(shown) == 5  # 2 rows of 3, the sixth cell empty
    assert [a.get_title() for a in shown] == ["cat", "ship", "dog", "ship", "cat"]
    np.testing.assert_allclose(shown[1].images[0].get_array(), images[1] / 255.0)
    # the mean of mean-subtracted data: a single float image outside [0, 1], stretched
    centred = images.reshape(5, -1).astype(np.float64) - images.reshape(5, -1).mean(0)
    mean = plot_images(centred[0], shape=(8, 8, 3), title="mean training image")
    pixels = np.asarray(mean.axes[0].images[0].get_array())
    assert pixels.shape == (8, 8, 3) and pixels.min() == 0 and pixels.max() == 1
    # grey images as flat rows
    grey = plot_images(rng.random((4, 16)), shape=(4, 4), labels=["a", "b", "c", "d"])
    assert np.asarray(grey.axes[0].images[0].get_array()).shape == (4, 4)
    # first-layer weights: row k of (units, inputs) is unit k's image
    layer = nn.Linear(48, 6, rng=1)
    w = plot_weights(layer, shape=(4, 4, 3))
    first = np.asarray(w.axes[0].images[0].get_array())
    row = layer.weight.data[0].reshape(4, 4, 3)
    np.testing.assert_allclose(first, (row - row.min()) / (row.max() - row.min()), rtol=1e-6)
    assert "6 units" in w._suptitle.get_text()
    with pytest.raises(ValueError, match="48 inputs per unit, but an image of shape"):
        plot_weights(layer, shape=(32, 32, 3))
    with pytest.raises(ValueError, match="3 labels for 5 images"):
        plot_images(images, labels=[0, 1, 2])
    with pytest.raises(ValueError, match="class indices below 3"):
        plot_images(images, labels=[0, 1, 2, 3, 4], class_names=["a", "b", "c"])
    with pytest.raises(ValueError, match=r"expected images \(N, H, W\)"):
        plot_images(np.zeros(10))


def test_readme_confusion_matrices_name_their_classes():
    """A confusion matrix of named classes shows the names, not 0, 1, 2 (the README example
    printed a report with names and drew the plot without them)."""
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    calls = re.findall(r"plot_confusion_matrix\(([^)]*)\)", readme)
    assert calls and all("class_names=" in c for c in calls), calls


def test_run_folders_number_epochs_from_0_like_the_plots(tmp_path):
    """history.csv of `autograd train` and bands.csv of `autograd repeat` count epochs as the
    History lists, best_epoch and the plots do (they started at 1 in history.csv)."""
    import csv

    from autograd.experiments import resolve, run
    from autograd.experiments.repeat import repeat

    result = run(resolve("xor-arch1", epochs=5), tmp_path / "run", progress=False)
    with open(tmp_path / "run" / "history.csv") as f:
        rows = list(csv.DictReader(f))
    assert [int(r["epoch"]) for r in rows] == list(range(5))
    assert float(rows[0]["train_loss"]) == result.history.train_loss[0]
    repeat(resolve("xor-arch1", epochs=5), seeds=3, out_dir=tmp_path / "rep")
    with open(tmp_path / "rep" / "bands.csv") as f:
        assert [int(r["epoch"]) for r in csv.DictReader(f)] == list(range(5))


def test_many_runs_share_one_legend_beside_the_curves_and_epochs_are_whole():
    runs = {
        f"run {i}": history(train_loss=[1.0, 0.5 + i / 10], val_loss=[1.1, 0.6]) for i in range(6)
    }
    fig = plot_history(runs)
    (ax,) = fig.axes
    assert ax.get_legend() is None and len(fig.legends) == 1
    assert [t.get_text() for t in fig.legends[0].get_texts()] == list(runs)
    assert all(float(t).is_integer() for t in ax.get_xticks())
    few = plot_history(dict(list(runs.items())[:2]))
    assert few.axes[0].get_legend() is not None and not few.legends
