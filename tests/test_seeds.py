"""The batched multi-seed trainer against the library's own nn/optim/fit, one seed at a time."""

import csv
import json

import numpy as np
import pytest

from autograd import data, nn, optim
from autograd.data import DataLoader
from autograd.experiments.seeds import (
    HIDDEN,
    OUTPUTS,
    SeedRuns,
    TinyNet,
    sweep,
    train_seeds,
)
from autograd.metrics import accuracy
from autograd.train import fit, predict


def fit_one(net: TinyNet, x, y, seed: int):
    """What a user writes for one seed: build, SGD, MSE + the course's L2, full batch."""
    model = net.build(seed)
    opt = optim.SGD(model.parameters(), lr=net.lr)
    mse = nn.MSELoss()

    def loss_fn(out, target):
        return mse(out, target) + nn.l2_penalty(model, net.l2)

    metrics = {"accuracy": accuracy, "mse": lambda p, t: float(np.mean((p - t) ** 2))}
    history = fit(model, loss_fn, opt, DataLoader(x, y, batch_size=len(x)), epochs=net.epochs,
                  metrics=metrics, progress=False)  # fmt: skip
    return model, history


CASES = {
    "xor 2-2-1": (TinyNet((2, 2, 1)), data.xor()),
    "xnor 2-1-1 skip": (TinyNet((2, 1, 1), skip=True), data.xor(xnor=True)),
    "parity 4, N'=8": (TinyNet((4, 8, 1), lr=0.35, epochs=300), data.parity(4)),
    "two hidden layers": (TinyNet((3, 4, 3, 1), lr=0.2, epochs=100), data.parity(3)),
}


@pytest.mark.parametrize("case", list(CASES))
def test_all_seeds_at_once_equal_each_seed_through_fit(case):
    net, (x, y) = CASES[case]
    seeds = [0, 3, 11]
    runs = train_seeds(net, x, y, seeds)
    for i, seed in enumerate(seeds):
        model, history = fit_one(net, x, y, seed)
        trained = [p.data for p in model.parameters()]
        batched = [a[i] for pair in runs.weights for a in pair]
        initial = [p.data for p in net.build(seed).parameters()]
        assert not np.allclose(trained[0], initial[0])  # it did train
        for t, b in zip(trained, batched):
            np.testing.assert_allclose(b, t, rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(runs.curves["train_loss"][i], history.train_mse, atol=1e-5)
        np.testing.assert_array_equal(runs.curves["train_accuracy"][i], history.train_accuracy)
        out = predict(model, x)
        np.testing.assert_allclose(runs.outputs[i], out, atol=1e-5)
        assert runs.final_accuracy[i] == accuracy(out, y)
        assert runs.final_loss[i] == pytest.approx(np.mean((out - y) ** 2), abs=1e-6)
        # the trained model handed back is the same network
        np.testing.assert_allclose(predict(runs.model(i), x), out, atol=1e-5)


@pytest.mark.parametrize("name", sorted(set(HIDDEN) | set(OUTPUTS)))
def test_every_activation_matches_fit(name):
    x, y = data.parity(3)
    if name in HIDDEN:
        net = TinyNet((3, 5, 1), activation=name, output="tanh", lr=0.1, epochs=50)
        runs = train_seeds(net, x, y, [7])
        model, history = fit_one(net, x, y, 7)
        for t, b in zip(model.parameters(), [a[0] for pair in runs.weights for a in pair]):
            np.testing.assert_allclose(b, t.data, rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(runs.curves["train_loss"][0], history.train_mse, atol=1e-5)
    if name not in OUTPUTS:
        return
    # as the output's activation, with {0, 1} targets for sigmoid
    out_net = TinyNet((3, 4, 1), output=name, lr=0.1, epochs=30)
    yo = (y + 1) / 2 if name == "sigmoid" else y
    model, history = fit_one(out_net, x, yo, 2)
    runs = train_seeds(out_net, x, yo, [2])
    np.testing.assert_allclose(runs.outputs[0], predict(model, x), atol=1e-5)
    np.testing.assert_array_equal(runs.curves["train_accuracy"][0], history.train_accuracy)


def test_seeds_do_not_depend_on_chunks_or_processes():
    x, y = data.parity(3)
    net = TinyNet((3, 4, 1), lr=0.35, epochs=200)
    alone = train_seeds(net, x, y, range(10))
    xor_net = TinyNet((2, 2, 1))
    jobs = [("parity", net, x, y, range(10)), ("xor", xor_net, *data.xor(), [5, 6, 7])]
    for n_jobs, chunks in ((1, 3), (2, 4)):
        parity_runs, xor_runs = sweep(jobs, n_jobs=n_jobs, chunks=chunks)
        assert parity_runs.label == "parity" and list(parity_runs.seeds) == list(range(10))
        np.testing.assert_allclose(parity_runs.final_loss, alone.final_loss, rtol=1e-6)
        np.testing.assert_array_equal(parity_runs.final_accuracy, alone.final_accuracy)
        np.testing.assert_allclose(parity_runs.curves["train_loss"], alone.curves["train_loss"])
        assert list(xor_runs.seeds) == [5, 6, 7] and xor_runs.net == xor_net


def test_summary_stuck_seeds_and_csv(tmp_path):
    x, y = data.xor()
    runs = train_seeds(TinyNet((2, 2, 1)), x, y, range(40))
    s = runs.summary()
    acc = runs.final_accuracy
    assert s["seeds"] == 40 and s["mean_accuracy"] == pytest.approx(acc.mean())
    assert s["stuck_fraction"] == pytest.approx(np.mean(acc <= 0.5))
    assert s["solved_fraction"] == pytest.approx(np.mean(acc == 1.0))
    assert 0 < s["stuck_fraction"] < 1  # XOR with 2-2-1 really has stuck seeds
    stuck = int(np.flatnonzero(runs.stuck)[0])
    assert np.abs(runs.outputs[stuck]).min() < 0.1  # undecided patterns: outputs near 0
    with pytest.raises(FileNotFoundError, match="does not exist"):  # no folder made silently
        runs.write_csv(tmp_path / "missing" / "seeds.csv")
    assert not (tmp_path / "missing").exists()
    rows = list(csv.DictReader(open(runs.write_csv(tmp_path / "seeds.csv"))))
    assert [int(r["seed"]) for r in rows] == list(range(40))
    assert [float(r["final_accuracy"]) for r in rows] == acc.tolist()
    assert sum(int(r["stuck"]) for r in rows) == int(runs.stuck.sum())
    assert len(runs.histories()) == 40 and len(runs.histories()[0]["train_loss"]) == 200
    with pytest.raises(ValueError, match="same TinyNet"):
        SeedRuns.concatenate([runs, train_seeds(TinyNet((2, 3, 1)), x, y, [0])])


def test_bad_configurations_and_data_are_named():
    with pytest.raises(ValueError, match="two or more positive ints"):
        TinyNet((2,))
    with pytest.raises(ValueError, match="skip=True needs one hidden layer"):
        TinyNet((2, 1), skip=True)
    with pytest.raises(ValueError, match="unknown activation 'gelu'; known: tanh"):
        TinyNet((2, 2, 1), activation="gelu")
    with pytest.raises(ValueError, match="lr must be > 0"):
        TinyNet((2, 2, 1), lr=0)
    with pytest.raises(ValueError, match="epochs must be a positive int"):
        TinyNet((2, 2, 1), epochs=0)
    with pytest.raises(ValueError, match="unknown initializer|glorot_normal"):
        TinyNet((2, 2, 1), init="glorot_gaussian")
    x, y = data.xor()
    with pytest.raises(ValueError, match=r"x must have shape \(samples, 3\)"):
        train_seeds(TinyNet((3, 2, 1)), x, y, [0])
    with pytest.raises(ValueError, match="at least one seed"):
        train_seeds(TinyNet((2, 2, 1)), x, y, [])


@pytest.mark.parametrize("preset", ["xor-arch1", "xnor-arch2", "parity"])
def test_seeds_equal_autograd_train_with_that_seed(preset):
    """Seed s of train_seeds is `autograd train --preset NAME --seed s`: same weights, curves
    and final accuracy (the run's loop: shuffled full batch, CourseMSELoss, CourseL2)."""
    from autograd.experiments import load_data, resolve, run

    config = resolve(preset, epochs=150)
    d = load_data(config)
    net = TinyNet.from_config(config)
    runs = train_seeds(net, d.x_train, d.y_train, [2, 9])
    for i, seed in enumerate([2, 9]):
        result = run(config.replace(seed=seed), data=d, progress=False)
        for t, b in zip(result.model.parameters(), [a[i] for pair in runs.weights for a in pair]):
            np.testing.assert_allclose(b, t.data, rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(runs.curves["train_loss"][i], result.history.train_loss,
                                   rtol=1e-4, atol=1e-6)  # fmt: skip
        assert runs.final_accuracy[i] == result.metrics["train_accuracy"]
        assert runs.final_loss[i] == pytest.approx(result.metrics["train_loss"], abs=1e-5)


@pytest.mark.parametrize(
    "shapes",
    [((5, 3), (4, 3, 2)), ((4, 5, 3), (4, 3, 2))],
    ids=["inputs shared by the seeds", "one input per seed"],
)
def test_the_batched_matmul_of_the_seed_axis_has_the_right_gradients(shapes):
    """train_seeds' layers: (N, K) @ (S, K, M) and (S, N, K) @ (S, K, M) through
    Tensor.backward, against central differences."""
    from autograd import gradcheck

    rng = np.random.default_rng(0)
    a, w = (rng.standard_normal(shape) for shape in shapes)
    assert gradcheck(lambda a, w: (a @ w).tanh(), [a, w])


def test_the_seed_axis_does_not_mix_seeds():
    """One backward of the loss summed over seeds gives seed s exactly the gradient of its own
    loss: a seed trained alone ends where it ends among others."""
    x, y = data.parity(3)
    net = TinyNet((3, 4, 1), lr=0.35, epochs=50)
    together = train_seeds(net, x, y, [4, 5, 6])
    alone = train_seeds(net, x, y, [5])
    for (w, b), (w1, b1) in zip(together.weights, alone.weights):
        np.testing.assert_allclose(w[1], w1[0], rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(b[1], b1[0], rtol=1e-5, atol=1e-6)


def test_seeds_takes_no_hand_written_derivative():
    """Issue 18: the gradients come from Tensor.backward (no table of derivatives, no
    backward pass written out in seeds.py)."""
    import inspect

    from autograd.experiments import seeds

    source = inspect.getsource(seeds)
    assert not hasattr(seeds, "ACTIVATIONS")
    assert ".backward()" in source
    for hand_written in ("1.0 - y * y", "delta", "grad_w"):
        assert hand_written not in source


def test_repeat_and_train_report_the_same_accuracy_of_a_seed(tmp_path, monkeypatch):
    """Issue 24, item 1, with its commands: {0, 1} labels become {-1, 1} targets for the tanh
    output, and this data set's test split holds class 1 only; `autograd repeat` thresholded
    tanh at 0.5 there (test accuracy 0.0) where `autograd train --seed 1` compares signs (1.0),
    with the same loss."""
    from autograd.cli import main
    from autograd.experiments import Config, load_data

    monkeypatch.chdir(tmp_path)
    r = np.random.default_rng(0)
    np.savez("d.npz", x=r.standard_normal((20, 4)).astype("f4"), y=r.integers(0, 2, 20))
    common = ["--dataset", "d.npz", "--layers", "4-2-1", "--epochs", "1"]
    assert main(["repeat", *common, "--seeds", "2", "--out", "r"]) == 0
    assert main(["train", *common, "--seed", "1", "--out", "t"]) == 0
    # the trap is there: one class in the test split, outputs between 0 and 0.5
    d = load_data(Config(dataset="d.npz", layers=[4, 2, 1]))
    assert np.all(d.y_test == 1)
    seed_1 = list(csv.DictReader(open("r/seeds.csv")))[1]
    trained = json.loads(open("t/metrics.json").read())
    assert int(seed_1["seed"]) == 1
    for split in ("train", "test"):
        assert float(seed_1[f"{split}_loss"]) == pytest.approx(trained[f"{split}_loss"], rel=1e-4)
        assert float(seed_1[f"{split}_accuracy"]) == pytest.approx(trained[f"{split}_accuracy"])
