"""`autograd.experiments` and the train / presets / evaluate commands, on tiny data made here
(the toy sets, synthetic IDX files and CIFAR-10 archives in the official formats, .npz files
and image folders)."""

import json
import math

import numpy as np
import pytest
from test_datasets import REAL_FASHION, cifar_archive, write_idx_set

from autograd import experiments, nn
from autograd.cli import main
from autograd.experiments import ConfigError, resolve
from autograd.experiments.build import CourseMSELoss, build_model
from autograd.optim import CourseL2
from autograd.tensor import Tensor

REQUIRED = ("train_accuracy", "val_accuracy", "test_accuracy", "test_loss", "epochs_run", "seconds")
ISSUE_PRESETS = (
    "xor-arch1 xor-arch2 xnor-arch1 xnor-arch2 parity cifar10-sigmoid-mse cifar10-sigmoid-ce "
    "cifar10-relu-sigmoid-mse cifar10-relu-ce cifar10-relu-mse cifar10-tanh-mse cifar10-tanh-ce "
    "cifar10-two-hidden-ce fashion-mnist-best cifar10-best"
).split()


def test_every_preset_the_issue_names_exists_and_resolves():
    for name in ISSUE_PRESETS:
        assert name in experiments.PRESETS
    for name in experiments.PRESETS:
        if not name.startswith("c2-"):
            assert resolve(name).preset == name
    assert len(experiments.TABLES["c1"]) == 8  # every row of the C1 table


def test_resolve_applies_the_preset_then_the_overrides_and_checks_them():
    config = resolve("cifar10-relu-ce", epochs=3, seed=7)
    assert (config.epochs, config.seed, config.lr, config.batch_size) == (3, 7, 1e-2, 200)
    assert config.loss == "ce" and config.l2 == 1e-3 and config.normalize == "mean-image"
    with pytest.raises(ConfigError, match="unknown preset 'nope'; known: xor-arch1"):
        resolve("nope")
    with pytest.raises(ConfigError, match="unknown setting 'epoch'; known: name"):
        resolve("parity", epoch=3)
    with pytest.raises(ConfigError, match=r"act: unknown value 'relu6'; expected one of sigmoid"):
        resolve(act="relu6")
    with pytest.raises(ConfigError, match="lr: must be > 0"):
        resolve(lr=0)
    with pytest.raises(ConfigError, match="out_act: the cross-entropy loss needs a softmax output"):
        resolve(loss="ce")
    with pytest.raises(ConfigError, match=r"epochs: expected int, got '3'"):
        resolve(epochs="3")


def test_config_round_trips_through_toml(tmp_path):
    config = resolve("fashion-mnist-footwear-x2", seed=4, split=[0.7, 0.3], image_size=[8, 8])
    (tmp_path / "c.toml").write_text(config.to_toml())
    assert experiments.load_config(tmp_path / "c.toml") == config
    (tmp_path / "bad.toml").write_text("epochs = [")
    with pytest.raises(ConfigError, match=r"bad.toml: not valid TOML"):
        experiments.load_config(tmp_path / "bad.toml")
    (tmp_path / "mine.toml").write_text('preset = "parity"\nepochs = 5\nlr = 1\n')
    mine = experiments.load_config(tmp_path / "mine.toml", seed=2)
    assert (mine.preset, mine.epochs, mine.lr, mine.seed) == ("parity", 5, 1.0, 2)


def test_course_mse_sums_over_outputs_and_averages_over_the_batch():
    rng = np.random.default_rng(0)
    p, t = rng.random((5, 10), dtype=np.float32), rng.random((5, 10), dtype=np.float32)
    expected = np.sum((p - t) ** 2) / 5
    pred = Tensor(p, requires_grad=True)
    loss = CourseMSELoss()(pred, Tensor(t))
    loss.backward()
    assert math.isclose(loss.item(), expected, rel_tol=1e-5)
    np.testing.assert_allclose(pred.grad, 2 * (p - t) / 5, rtol=1e-5)
    assert math.isclose(nn.MSELoss()(Tensor(p), Tensor(t)).item(), expected / 10, rel_tol=1e-5)


def test_course_l2_adds_lambda_w_to_the_weights_only():
    model = build_model(resolve("xor-arch1"))
    for p in model.parameters():
        p.grad = np.zeros_like(p.data)
    before = [p.data.copy() for p in model.parameters()]
    from autograd import optim

    opt = CourseL2(optim.SGD(model.parameters(), lr=0.5), lam=0.01)
    opt.step()
    for p, old in zip(model.parameters(), before):
        expected = old - 0.5 * 0.01 * old if old.ndim == 2 else old  # biases untouched
        np.testing.assert_allclose(p.data, expected, rtol=1e-6)
    opt.lr = 0.1
    assert opt.optimizer.lr == 0.1


def test_skip_architecture_wires_the_inputs_into_the_output(tmp_path):
    model = build_model(resolve("xor-arch2"))
    hidden, out = model[0][1][0], model[1]  # Concat(Identity, Sequential(Linear, Tanh))
    assert out.weight.shape == (1, 3) and hidden.weight.shape == (1, 2)
    x = np.array([[1.0, -1.0]], np.float32)
    h = np.tanh(x @ hidden.weight.data.T + hidden.bias.data)
    z = np.concatenate([x, h], 1) @ out.weight.data.T + out.bias.data
    np.testing.assert_allclose(model(Tensor(x)).data, np.tanh(z), rtol=1e-6)
    # a built-in container: nn.save describes it, nn.load rebuilds the same network
    nn.save(model, tmp_path / "skip.npz")
    again = nn.load(tmp_path / "skip.npz")
    assert type(again[0]) is nn.Concat and again.state_dict().keys() == model.state_dict().keys()
    np.testing.assert_array_equal(again(Tensor(x)).data, model(Tensor(x)).data)


def test_a_skip_run_folder_holds_a_model_nn_load_reads(tmp_path):
    """The skip architecture used to need nn.load_state and a rebuilt model (run.py's
    isinstance branches): its model.npz is now an ordinary nn.save file."""
    result = experiments.run(resolve("xor-arch2", epochs=3), tmp_path / "r", progress=False)
    model = nn.load(tmp_path / "r" / "model.npz")
    x = Tensor(result.data.x_test)
    np.testing.assert_array_equal(model(x).data, result.model(x).data)


def test_concat_goes_to_torch_and_back_with_the_same_outputs():
    torch = pytest.importorskip("torch")
    model = build_model(resolve("xor-arch2"))
    theirs = nn.to_torch(model)
    assert type(theirs[0]).__name__ == "Concat"
    assert list(theirs.state_dict()) == list(model.state_dict())
    x = np.array([[1.0, -1.0], [0.5, 2.0]], np.float32)
    np.testing.assert_allclose(
        theirs(torch.from_numpy(x)).detach().numpy(), model(Tensor(x)).data, rtol=1e-6
    )
    back = nn.from_torch(theirs)
    assert type(back[0]) is nn.Concat
    np.testing.assert_array_equal(back(Tensor(x)).data, model(Tensor(x)).data)


def test_run_writes_a_folder_that_repeats_the_run(tmp_path):
    first = experiments.run(resolve("xor-arch2", seed=3), tmp_path / "a", progress=False)
    for name in experiments.run.__globals__["RUN_FILES"]:
        assert (tmp_path / "a" / name).is_file(), name
    metrics = json.loads((tmp_path / "a" / "metrics.json").read_text())
    assert all(key in metrics for key in REQUIRED) and metrics["epochs_run"] == 200
    assert metrics["test_accuracy"] == first.metrics["test_accuracy"]
    lines = (tmp_path / "a" / "history.csv").read_text().splitlines()
    assert lines[0].startswith("epoch,train_loss") and len(lines) == 201
    again = experiments.run(experiments.load_config(tmp_path / "a" / "config.toml"), progress=False)
    assert again.metrics["test_loss"] == first.metrics["test_loss"]  # same seed, same numbers
    with pytest.raises(experiments.OutputExists, match="already holds a run"):
        experiments.run(resolve("xor-arch2"), tmp_path / "a", progress=False)
    experiments.run(resolve("xor-arch2", epochs=2), tmp_path / "a", force=True, progress=False)
    assert json.loads((tmp_path / "a" / "metrics.json").read_text())["epochs_run"] == 2


def _train(capsys, *argv):
    code = main(["train", "--quiet", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def test_train_a_preset_on_fashion_mnist_files_in_a_data_dir(tmp_path, capsys, no_data):
    write_idx_set(tmp_path / "fm", n_train=60, n_test=20)
    code, out, err = _train(
        capsys, "--preset", "fashion-mnist-512-512-25pct", "--data-dir", tmp_path / "fm",
        "--out", tmp_path / "run", "--epochs", 2, "--layers", "784-16-16-10", "--seed", 1,
    )  # fmt: skip
    assert code == 0, err
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["n_train"] == 12 and metrics["n_test"] == 20  # 25% of 80% of 60
    assert metrics["epochs_run"] == 2 and all(key in metrics for key in REQUIRED)
    assert f"test accuracy {metrics['test_accuracy']:.3f}" in out
    config = experiments.load_config(tmp_path / "run" / "config.toml")
    assert config.layers == [784, 16, 16, 10] and config.fraction == 0.25 and config.seed == 1
    per_class = (tmp_path / "run" / "per_class.csv").read_text().splitlines()
    assert per_class[0] == "class,precision,recall,f1,support" and len(per_class) == 11
    assert per_class[6].startswith("Sandal,")

    assert main(["evaluate", str(tmp_path / "run"), "--plot", str(tmp_path / "cm.png")]) == 0
    report = capsys.readouterr().out
    assert f"accuracy {metrics['test_accuracy']:.4f}" in report and "Ankle boot" in report
    assert (tmp_path / "cm.png").stat().st_size > 0
    # another data set name than the run's: searched as usual (nothing on this machine) ...
    assert main(["evaluate", str(tmp_path / "run"), "--data", "mnist"]) == 2
    assert "mnist: files" in capsys.readouterr().err
    # ... the run's own: its --data-dir, the official test set (the same 20 images here)
    assert main(["evaluate", str(tmp_path / "run"), "--data", "fashion-mnist"]) == 0
    assert f"accuracy {metrics['test_accuracy']:.4f}" in capsys.readouterr().out


def test_missing_data_says_where_it_looked_and_how_to_get_it(tmp_path, capsys, no_data):
    code, _, err = _train(capsys, "--preset", "fashion-mnist-best", "--out", tmp_path / "r")
    assert code == 2 and "fashion-mnist: files" in err and "not found in" in err
    assert "AUTOGRAD_NO_SYSTEM_DATA" in err and "apt-get install dataset-fashion-mnist" in err
    assert not (tmp_path / "r" / "metrics.json").exists()
    code, _, err = _train(capsys, "--preset", "c2-m0", "--out", tmp_path / "c2")
    assert code == 2 and "dataset" in err and "FILE.npz" in err


@pytest.mark.parametrize("name", experiments.TABLES["c1"] + ["cifar10-best"])
def test_every_c1_preset_runs_end_to_end_on_a_cifar10_archive(name, tmp_path, capsys, no_data):
    cifar_archive(tmp_path / "cifar-10-binary.tar.gz", n_per_batch=12)
    code, out, err = _train(
        capsys, "--preset", name, "--data-dir", tmp_path, "--out", tmp_path / "run",
        "--epochs", 1, "--batch-size", 16,
    )  # fmt: skip
    assert code == 0, err
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert (metrics["n_train"], metrics["n_test"]) in ((48, 12), (54, 12))
    assert metrics["reported"] == experiments.PRESETS[name].reported


def test_bad_flag_values_are_one_line_and_exit_code_2(tmp_path, capsys):
    for argv, message in [
        (["--preset", "xor-arch1", "--epochs", "ten"], "--epochs: cannot read 'ten'"),
        (["--preset", "nope"], "unknown preset 'nope'; known: xor-arch1"),
        (["--dataset", "imagenet"], "unknown data set 'imagenet'; known: xor, xnor"),
        (["--layers", "2-x-1"], "--layers: cannot read '2-x-1'"),
        (["--out-act", "softmx"], "--out-act: unknown value 'softmx'"),
        (["--batch-size", "-1"], "--batch-size: must be >= 0"),
        (["--label-smoothing", "0.1"], "--label-smoothing: applies to the cross-entropy"),
        (["--loss", "ce", "--label-smoothing", "1"], "--label-smoothing: must be at least 0 and"),
    ]:
        code, _, err = _train(capsys, *argv, "--out", tmp_path / "r")
        assert code == 2 and err.count("\n") == 1 and message in err, err


def test_ctrl_c_keeps_the_finished_epochs_and_exits_130(tmp_path, capsys, monkeypatch):
    calls = {"n": 0}
    forward = CourseMSELoss.forward

    def interrupting(self, prediction, target):
        calls["n"] += 1
        if calls["n"] == 7:  # epoch 4's training step (each epoch: one train, one val batch)
            raise KeyboardInterrupt
        return forward(self, prediction, target)

    monkeypatch.setattr(CourseMSELoss, "forward", interrupting)
    code, out, err = _train(capsys, "--preset", "xor-arch1", "--out", tmp_path / "r")
    assert code == 130 and "interrupted" in err
    metrics = json.loads((tmp_path / "r" / "metrics.json").read_text())
    assert metrics["interrupted"] is True and metrics["epochs_run"] == 3
    assert len((tmp_path / "r" / "history.csv").read_text().splitlines()) == 4
    assert len(json.loads((tmp_path / "r" / "history.json").read_text())["train_loss"]) == 3
    model = nn.load(tmp_path / "r" / "model.npz")  # the weights after epoch 3
    config = resolve("xor-arch1", epochs=3)
    monkeypatch.setattr(CourseMSELoss, "forward", forward)
    three = experiments.run(config, progress=False).model
    for (k, a), b in zip(model.state_dict().items(), three.state_dict().values()):
        np.testing.assert_array_equal(a, b, err_msg=k)


def test_user_npz_and_image_folder(tmp_path, capsys):
    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(3), 20)
    x = (rng.random((60, 4, 4)) * 40 + y[:, None, None] * 100).astype(np.uint8)
    np.savez(tmp_path / "mine.npz", x=x, y=y)
    code, out, err = _train(
        capsys, "--dataset", tmp_path / "mine.npz", "--layers", "16-8-3", "--act", "tanh",
        "--normalize", "standardize", "--out-act", "softmax", "--loss", "ce",
        "--optimizer", "adam", "--lr", "0.01",
        "--epochs", 30, "--batch-size", 16, "--out", tmp_path / "npz",
    )  # fmt: skip
    assert code == 0, err
    metrics = json.loads((tmp_path / "npz" / "metrics.json").read_text())
    assert (metrics["n_train"], metrics["n_val"], metrics["n_test"]) == (48, 6, 6)
    assert metrics["train_accuracy"] > 0.9  # three separable brightness levels
    (tmp_path / "bad.npz").write_bytes(b"PK\x03\x04 broken")
    code, _, err = _train(capsys, "--dataset", tmp_path / "bad.npz", "--out", tmp_path / "b")
    assert code == 2 and "bad.npz: cannot read as an .npz file" in err
    np.savez(tmp_path / "wrong.npz", x=x, y=y[:10])
    code, _, err = _train(capsys, "--dataset", tmp_path / "wrong.npz", "--out", tmp_path / "w")
    assert code == 2 and "wrong.npz: y must be 60 integer class labels" in err

    from test_datasets import write_image_folder

    root = write_image_folder(tmp_path / "imgs", n=5)
    code, out, err = _train(
        capsys, "--dataset", root, "--image-size", "6x8", "--layers", "144-4-2",
        "--out-act", "softmax", "--loss", "ce", "--split", "0.6,0.2,0.2", "--epochs", 2,
        "--out", tmp_path / "img",
    )  # fmt: skip
    assert code == 0, err
    assert "airplanes" in (tmp_path / "img" / "report.txt").read_text()
    (root / "airplanes" / "x.png").write_bytes(b"nope")
    code, _, err = _train(capsys, "--dataset", root, "--out", tmp_path / "img2")
    assert code == 2 and "x.png: cannot read as an image" in err


def test_flips_mirror_the_pixels_before_the_preprocessing():
    from autograd.data.augment import AugmentLoader
    from autograd.experiments.data import preprocess

    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (64, 3, 4, 2), dtype=np.uint8)
    stats = {"scale": np.float32(1 / 255)}
    x = preprocess(images, stats)
    _, stats["mean"], stats["std"] = experiments.data.standardize(x)
    x = preprocess(images, stats)
    offset = preprocess(np.zeros((1, 24)), stats)
    step = preprocess(np.ones((1, 24)), stats) - offset
    loader = AugmentLoader(
        x, np.arange(64), 64, image_shape=(3, 4, 2), offset=offset, step=step, seed=0
    )
    xb, yb = next(iter(loader))
    flipped = preprocess(images[yb][:, :, ::-1], stats)
    same = np.isclose(xb, x[yb], atol=1e-4).all(axis=1)
    mirrored = np.isclose(xb, flipped, atol=1e-4).all(axis=1)
    assert (same | mirrored).all() and 10 < mirrored.sum() < 54


def test_presets_lists_every_preset_with_the_course_number(capsys):
    assert main(["presets"]) == 0
    out = capsys.readouterr().out
    text = " ".join(out.split())  # wrapped to the terminal
    for name, preset in experiments.PRESETS.items():
        assert f"{name} ({preset.table or 'this project'}): course reports " in text
        described = " ".join(f"{preset.reported or '-'} {preset.description}".split())
        assert f"course reports {described}" in text
    assert "test 0.226 (fails)" in out


@pytest.mark.parametrize("out_act", ["sigmoid", "linear"])
def test_bce_with_one_output_on_moons(out_act, tmp_path):
    config = resolve(
        dataset="moons", samples=300, layers=[2, 16, 1], act="relu", out=out_act, loss="bce",
        optimizer="adam", lr=0.02, epochs=60, batch_size=32, init="he_normal",
    )  # fmt: skip
    result = experiments.run(config, tmp_path / "r", progress=False)
    assert result.data.y_train.shape == (240, 1) and set(np.unique(result.data.y_train)) == {0, 1}
    assert result.metrics["test_accuracy"] > 0.85
    from autograd.train import predict

    labels = experiments.predicted_labels(config, predict(result.model, result.data.x_test))
    assert np.mean(labels == result.data.labels_test) == result.metrics["test_accuracy"]


def test_targets_and_layers_are_checked_against_the_data():
    data = experiments.load_data(resolve(dataset="spirals", layers=[2, 8, 3], out="tanh"))
    assert set(np.unique(data.y_train)) == {-1.0, 1.0} and data.y_train.shape[1] == 3
    data = experiments.load_data(resolve(dataset="spirals", layers=[2, 8, 3], out="sigmoid"))
    assert set(np.unique(data.y_train)) == {0.0, 1.0}
    with pytest.raises(ConfigError, match="spirals has 3 classes: the layers must end with 3"):
        experiments.load_data(resolve(dataset="spirals", layers=[2, 8, 2]))
    with pytest.raises(ConfigError, match="parity has 5 inputs per sample, but the layers"):
        experiments.load_data(resolve("parity", parity_n=5))
    with pytest.raises(ConfigError, match="split: moons has no test set of its own"):
        experiments.load_data(resolve(dataset="moons", layers=[2, 4, 1], split=[0.8, 0.2]))


def test_evaluate_on_other_data_and_a_bare_model_file(tmp_path, capsys):
    rng = np.random.default_rng(1)
    y = np.repeat(np.arange(2), 30)
    x = (rng.random((60, 3, 3)) * 60 + y[:, None, None] * 150).astype(np.uint8)
    np.savez(tmp_path / "train.npz", x=x, y=y)
    np.savez(tmp_path / "new.npz", x=x[::-1].copy(), y=y[::-1].copy())
    code, _, err = _train(
        capsys, "--dataset", tmp_path / "train.npz", "--layers", "9-4-2", "--out-act", "softmax",
        "--loss", "ce", "--optimizer", "adam", "--lr", "0.05", "--epochs", 40,
        "--batch-size", 8, "--normalize", "standardize", "--out", tmp_path / "run",
    )  # fmt: skip
    assert code == 0, err
    assert (
        main(["evaluate", str(tmp_path / "run" / "model.npz"), "--data", str(tmp_path / "new.npz")])
        == 0
    )
    out = capsys.readouterr().out
    assert "60 samples of" in out and "(all of it)" in out and "accuracy 1.0000" in out
    nn.save(nn.Sequential(nn.Linear(9, 2, rng=0)), tmp_path / "bare.npz")
    assert main(["evaluate", str(tmp_path / "bare.npz"), "--data", str(tmp_path / "new.npz")]) == 0
    assert "confusion matrix" in capsys.readouterr().out
    assert main(["evaluate", str(tmp_path / "bare.npz")]) == 2
    assert "needs --data" in capsys.readouterr().err
    assert main(["evaluate", str(tmp_path / "bare.npz"), "--data", "moons"]) == 2
    assert "the model takes 9 inputs per sample, the data has 2" in capsys.readouterr().err
    assert main(["evaluate", str(tmp_path / "nowhere")]) == 2
    assert "no such run folder or model file" in capsys.readouterr().err


def test_a_real_sigint_stops_the_command_cleanly(tmp_path):
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    script = Path(sys.executable).parent / "autograd"
    argv = [str(script), "train", "--preset", "parity", "--epochs", "1000000", "--quiet"]
    # NOTE: a shell without job control starts background jobs with SIGINT ignored, and an
    # ignored SIGINT is inherited: the child gets the default back, as in a terminal.
    process = subprocess.Popen(
        [*argv, "--out", str(tmp_path / "r")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        deadline = time.monotonic() + 120
        while not (tmp_path / "r" / "config.toml").exists() and time.monotonic() < deadline:
            time.sleep(0.05)  # config.toml is written just before the first epoch
        time.sleep(1.0)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:  # never leave a million-epoch run behind
            process.kill()
            process.wait()
    assert process.returncode == 130, err
    metrics = json.loads((tmp_path / "r" / "metrics.json").read_text())
    assert metrics["interrupted"] and 0 < metrics["epochs_run"] < 1_000_000
    history = json.loads((tmp_path / "r" / "history.json").read_text())
    assert len(history["train_loss"]) == metrics["epochs_run"]
    nn.load(tmp_path / "r" / "model.npz")


# --- C5: the convolutional networks -------------------------------------------------------------
C5_WEIGHTS = {  # the layers of each network, as in the course's PyTorch report
    "mnist-conv1": {"0.weight": (1, 1, 4, 4), "2.weight": (10, 625)},
    "fashion-mnist-conv2": {"0.weight": (20, 1, 4, 4), "2.weight": (1, 20, 3, 3),
                            "5.weight": (10, 529)},
    "cifar10-conv-dense": {"0.weight": (3, 3, 5, 5), "3.weight": (10000, 2352),
                           "5.weight": (10, 10000)},
    "lenet5-cifar10": {"0.weight": (6, 3, 5, 5), "3.weight": (16, 6, 5, 5),
                       "7.weight": (120, 400), "9.weight": (84, 120), "11.weight": (10, 84)},
}  # fmt: skip


def test_c5_table_has_the_four_conv_networks():
    assert experiments.TABLES["c5"] == list(C5_WEIGHTS)
    for name, weights in C5_WEIGHTS.items():
        state = build_model(resolve(name)).state_dict()
        for key, shape in weights.items():
            assert state[key].shape == shape, (name, key)
    fashion = resolve("fashion-mnist-conv2")
    assert fashion.class_weights == {"5": 2.0, "7": 2.0, "9": 2.0} and fashion.optimizer == "adam"


def test_lenet5_best_has_the_course_lenet5_layers_and_augments_its_images():
    best, course = resolve("lenet5-cifar10-best"), resolve("lenet5-cifar10")
    shapes = {k: v.shape for k, v in build_model(course).state_dict().items()}
    assert {k: v.shape for k, v in build_model(best).state_dict().items()} == shapes
    assert (best.augment, best.shift, course.augment, course.shift) == ("hflip", 2, "none", 0)


@pytest.mark.parametrize("name", [*C5_WEIGHTS, "lenet5-cifar10-best"])
def test_every_c5_preset_trains_and_evaluates_end_to_end(name, tmp_path, capsys, no_data):
    if "cifar10" in name:
        (tmp_path / "data").mkdir()
        cifar_archive(tmp_path / "data" / "cifar-10-binary.tar.gz", n_per_batch=8)
    else:
        write_idx_set(tmp_path / "data", n_train=40, n_test=12)
    code, out, err = _train(
        capsys, "--preset", name, "--data-dir", tmp_path / "data", "--out", tmp_path / "run",
        "--epochs", 1, "--batch-size", 16,
    )  # fmt: skip
    assert code == 0, err
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["reported"] == experiments.PRESETS[name].reported
    model = nn.load(tmp_path / "run" / "model.npz")  # a Sequential of built-in layers
    assert type(model[0]) is nn.Conv2d
    # evaluate: on the run's own test split, and on the data given again as raw files
    assert main(["evaluate", str(tmp_path / "run")]) == 0
    first = capsys.readouterr().out
    argv = ["evaluate", str(tmp_path / "run" / "model.npz"), "--data"]
    argv += [
        "cifar10" if "cifar10" in name else "fashion-mnist",
        "--data-dir",
        str(tmp_path / "data"),
    ]
    assert main(argv) == 0
    second = capsys.readouterr().out
    assert "accuracy" in first and "accuracy" in second


def test_conv_presets_refuse_settings_their_network_does_not_have():
    with pytest.raises(ConfigError, match=r"layers: the lenet5 network takes \[3072, classes\]"):
        resolve("lenet5-cifar10", layers=[784, 10])
    with pytest.raises(ConfigError, match="shift: must be 0 to 8 pixels, got 9"):
        resolve("lenet5-cifar10", augment="hflip", shift=9)
    with pytest.raises(ConfigError, match="dropout: the conv1 network has no dropout"):
        resolve("mnist-conv1", dropout=0.5)


@REAL_FASHION
def test_train_and_evaluate_on_the_real_fashion_mnist(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("AUTOGRAD_DATA", raising=False)
    code, out, err = _train(
        capsys, "--preset", "fashion-mnist-512-relu-no-dropout", "--fraction", "0.1",
        "--epochs", 2, "--out", tmp_path / "real",
    )  # fmt: skip
    assert code == 0, err
    metrics = json.loads((tmp_path / "real" / "metrics.json").read_text())
    assert metrics["n_train"] == 4800 and metrics["n_test"] == 10_000
    assert metrics["test_accuracy"] > 0.75  # real images: far above chance (0.1) already
    assert main(["evaluate", str(tmp_path / "real")]) == 0
    assert f"accuracy {metrics['test_accuracy']:.4f}" in capsys.readouterr().out
