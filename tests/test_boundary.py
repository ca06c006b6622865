"""The decision boundary of a 2-input model as it trains (`autograd.plots`: `boundary`,
`decision_boundary`, `BoundaryRecorder`) and ``autograd train --boundary``."""

import numpy as np
import pytest

from autograd import nn
from autograd.data import DataLoader
from autograd.experiments import resolve
from autograd.experiments.build import build_loss, build_model, build_optimizer
from autograd.experiments.data import load_data
from autograd.train import fit, predict

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from autograd.cli import main  # noqa: E402
from autograd.plots import (  # noqa: E402
    BoundaryRecorder,
    boundary,
    decision_boundary,
    plane_extent,
    plot_boundary_frames,
)


def xor_run(seed=0, epochs=60, watch=None):
    """XOR, architecture 1 of the course (2-2-1 tanh, MSE, full-batch SGD); ``watch(model,
    data)`` makes the ``on_epoch_end`` callback. Returns (model, data, history, callback)."""
    config = resolve("xor-arch1", seed=seed, epochs=epochs)
    data = load_data(config)
    model = build_model(config)
    callback = watch(model, data) if watch else None
    optimizer, _ = build_optimizer(config, model)
    loader = DataLoader(data.x_train, data.y_train, len(data.x_train))
    history = fit(model, build_loss(config), optimizer, loader, epochs=epochs, progress=False,
                  on_epoch_end=callback)  # fmt: skip
    return model, data, history, callback


def copy_state(model):
    return {k: v.copy() for k, v in model.state_dict().items()}


def test_frames_change_across_epochs_and_match_a_recomputed_boundary():
    states = {}

    def watch(model, data):
        states[0] = copy_state(model)
        recorder = BoundaryRecorder(model, data.x_train, data.y_train, every=25, epochs=60)

        def callback(history):
            states[history.epochs] = copy_state(model)
            recorder(history)

        callback.recorder = recorder
        return callback

    model, data, _, callback = xor_run(seed=0, epochs=60, watch=watch)
    recorder = callback.recorder
    assert [f.epochs_trained for f in recorder.frames] == [0, 25, 50, 60]  # and the last epoch
    assert recorder.threshold == 0.0  # halfway between the -1/1 targets of the tanh output
    for before, after in zip(recorder.frames, recorder.frames[1:]):
        assert np.abs(after.outputs - before.outputs).max() > 1e-3  # the boundary moves
    assert (recorder.frames[0].classes != recorder.frames[-1].classes).any()
    # each frame is the boundary of the weights as they were after that many epochs
    probe = build_model(resolve("xor-arch1"))
    for frame in recorder.frames:
        probe.load_state_dict(states[frame.epochs_trained])
        again = boundary(probe, data.x_train, data.y_train, resolution=len(frame.xs),
                         extent=recorder.extent)  # fmt: skip
        np.testing.assert_array_equal(again.outputs, frame.outputs)
    # the grid holds what the model says: outputs[i, j] is the model at (xs[j], ys[i])
    last = recorder.frames[-1]
    i, j = 7, 41
    point = np.array([[last.xs[j], last.ys[i]]])
    np.testing.assert_allclose(last.outputs[i, j], predict(model, point)[0], rtol=1e-6)


def test_recording_does_not_change_the_training():
    plain = xor_run(seed=3, epochs=30)[2]

    def watch(model, data):
        return BoundaryRecorder(model, data.x_train, data.y_train, every=1)

    _, _, recorded, recorder = xor_run(seed=3, epochs=30, watch=watch)
    assert recorded.train_loss == plain.train_loss
    assert len(recorder.frames) == 31


def test_threshold_follows_the_targets_and_several_outputs_take_the_argmax():
    x = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0]], dtype=np.float32)
    line = nn.Sequential(nn.Linear(2, 1, rng=0))
    assert boundary(line, x, np.array([[-1.0], [1.0], [1.0]])).threshold == 0.0
    assert boundary(line, x, np.array([[0.0], [1.0], [1.0]])).threshold == 0.5
    assert boundary(line, x, threshold=0.25).threshold == 0.25
    frame = boundary(line, x, threshold=0.0, resolution=5)
    np.testing.assert_array_equal(frame.classes, frame.outputs[..., 0] > 0)
    three = nn.Sequential(nn.Linear(2, 3, rng=1))
    frame = boundary(three, x, np.array([0, 1, 2]), resolution=9, margin=0.5)
    assert frame.threshold is None and frame.outputs.shape == (9, 9, 3)
    np.testing.assert_array_equal(frame.classes, frame.outputs.argmax(axis=-1))
    assert plane_extent(x, margin=0.5) == (-0.5, 1.5, -0.5, 1.5) == frame.extent


def test_decision_boundary_draws_the_line_the_points_and_refuses_other_inputs(tmp_path):
    model, data, _, _ = xor_run(seed=0, epochs=60)
    fig = decision_boundary(model, data.x_train, data.y_train, path=tmp_path / "b.png")
    (ax,) = fig.axes
    assert (tmp_path / "b.png").stat().st_size > 1000
    assert len(ax.collections) >= 3  # the level line, class 0's points, class 1's points
    with pytest.raises(ValueError, match=r"2 inputs .* shape \(N, 2\), got \(4, 3\)"):
        decision_boundary(model, np.zeros((4, 3)))
    with pytest.raises(ValueError, match="no frames"):
        plot_boundary_frames([])


def test_train_boundary_writes_the_gif_the_last_frame_and_the_grid(tmp_path, capsys):
    from PIL import Image

    out = tmp_path / "run"
    argv = ["train", "--preset", "xor-arch1", "--epochs", "20", "--boundary",
            "--boundary-every", "5", "--out", str(out), "--quiet"]  # fmt: skip
    assert main(argv) == 0, capsys.readouterr().err
    with Image.open(out / "boundary.gif") as gif:
        assert gif.n_frames == 5  # the initial weights and after 5, 10, 15, 20 epochs
    for name in ("boundary.png", "boundary_frames.png"):
        assert (out / name).stat().st_size > 1000
    assert "boundary = true" in (out / "config.toml").read_text()
    # --force removes the pictures of the old run with its other files
    assert main(["train", "--preset", "xor-arch1", "--epochs", "2", "--out", str(out),
                 "--quiet", "--force"]) == 0  # fmt: skip
    assert not (out / "boundary.gif").exists()


def test_train_boundary_refuses_data_without_2_inputs_before_writing(tmp_path, capsys):
    out = tmp_path / "run"
    code = main(["train", "--preset", "parity", "--boundary", "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and "--boundary: the decision boundary is drawn over the plane of 2" in err
    assert not out.exists()


def test_repeat_refuses_boundary_rather_than_ignore_it(tmp_path, capsys):
    code = main(["repeat", "--preset", "xor-arch1", "--seeds", "2", "--boundary",
                 "--out", str(tmp_path / "rep")])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and "boundary: the decision boundary is drawn for one run" in err, err
    assert not (tmp_path / "rep").exists()


def test_live_view_redraws_one_display_in_place(monkeypatch):
    display = pytest.importorskip("IPython.display")
    calls = []

    class Handle:
        def update(self, figure):
            calls.append(("update", figure))

    def show(figure, display_id=False):
        calls.append(("display", figure))
        assert display_id is True
        return Handle()

    monkeypatch.setattr(display, "display", show)
    _, _, _, recorder = xor_run(
        epochs=4,
        watch=lambda model, data: BoundaryRecorder(model, data.x_train, data.y_train, every=2,
                                                   live=True),
    )  # fmt: skip
    assert [kind for kind, _ in calls] == ["display", "update", "update"]  # epochs 0, 2, 4
    assert len(recorder.frames) == 3


def test_multiclass_boundary_on_spirals_draws_one_colour_per_class(tmp_path):
    from autograd.data import spirals

    x, y = spirals(n_per_class=30, classes=3, seed=0)
    model = nn.Sequential(nn.Linear(2, 3, rng=0))
    fig = decision_boundary(model, x, y, resolution=40, path=tmp_path / "s.png")
    (ax,) = fig.axes
    assert ax.images[0].get_array().max() <= 2  # the predicted class at every grid point
    assert (tmp_path / "s.png").stat().st_size > 1000
