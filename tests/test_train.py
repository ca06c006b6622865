"""DataLoader and data helpers, the fit loop (XOR learns; schedules, early stopping, progress),
evaluate/predict, and the history and learning-rate plots."""

import numpy as np
import pytest

from autograd import data, nn, optim
from autograd.metrics import accuracy, confusion_matrix
from autograd.train import History, evaluate, fit, predict


# --- DataLoader ----------------------------------------------------------------------------------
def xy(n=10):
    x = np.arange(n, dtype=np.float32).reshape(n, 1)
    return x, 2 * x[:, 0]


def test_loader_batches_in_order_cover_all_samples_once():
    x, y = xy()
    loader = data.DataLoader(x, y, batch_size=3)
    batches = list(loader)
    assert len(loader) == 4 and [len(b[0]) for b in batches] == [3, 3, 3, 1]
    np.testing.assert_array_equal(np.concatenate([b[0] for b in batches]), x)
    np.testing.assert_array_equal(np.concatenate([b[1] for b in batches]), y)


def test_loader_shuffle_is_a_seeded_permutation_each_epoch():
    x, y = xy(50)
    loader = data.DataLoader(x, y, batch_size=8, shuffle=True, seed=3)
    epochs = [np.concatenate([xb[:, 0] for xb, _ in loader]) for _ in range(2)]
    for order in epochs:
        np.testing.assert_array_equal(np.sort(order), x[:, 0])  # each sample exactly once
    assert not np.array_equal(epochs[0], epochs[1])  # a new permutation every epoch
    assert not np.array_equal(epochs[0], x[:, 0])  # actually shuffled
    for xb, yb in loader:
        np.testing.assert_array_equal(yb, 2 * xb[:, 0])  # x and y stay paired
    again = data.DataLoader(x, y, batch_size=8, shuffle=True, seed=3)
    replay = [np.concatenate([xb[:, 0] for xb, _ in again]) for _ in range(2)]
    np.testing.assert_array_equal(replay, epochs)  # same seed, same sequence of epochs
    other = data.DataLoader(x, y, batch_size=8, shuffle=True, seed=4)
    assert not np.array_equal(np.concatenate([xb[:, 0] for xb, _ in other]), epochs[0])


def test_loader_drop_last():
    x, y = xy()
    loader = data.DataLoader(x, y, batch_size=3, shuffle=True, drop_last=True, seed=0)
    assert len(loader) == 3
    for _ in range(2):  # re-iterable
        assert [len(xb) for xb, _ in loader] == [3, 3, 3]
    exact = data.DataLoader(*xy(9), batch_size=3, drop_last=True)
    assert len(exact) == 3 and sum(len(xb) for xb, _ in exact) == 9


def test_loader_errors():
    with pytest.raises(ValueError, match=r"same number of samples.*got 5 .* and 4"):
        data.DataLoader(np.zeros((5, 2)), np.zeros(4))
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        data.DataLoader(*xy(), batch_size=0)
    with pytest.raises(ValueError, match="would yield no batch"):
        data.DataLoader(*xy(), batch_size=11, drop_last=True)


def test_split_and_train_val_split():
    x, y = xy(20)
    parts = data.split(x, y, (0.8, 0.1, 0.1), seed=1)
    assert [len(p[0]) for p in parts] == [16, 2, 2]
    everything = np.concatenate([p[0][:, 0] for p in parts])
    np.testing.assert_array_equal(np.sort(everything), x[:, 0])  # disjoint and complete
    for px, py in parts:
        np.testing.assert_array_equal(py, 2 * px[:, 0])
    (xt, yt), (xv, yv) = data.train_val_split(x, y, val_fraction=0.25, seed=1)
    assert len(xt) == 15 and len(xv) == 5
    (_, _), (xv2, _) = data.train_val_split(x, y, val_fraction=0.25, shuffle=False)
    np.testing.assert_array_equal(xv2[:, 0], [15, 16, 17, 18, 19])
    with pytest.raises(ValueError, match="add up to 1"):
        data.split(x, y, (0.5, 0.2))
    with pytest.raises(ValueError, match="val_fraction must be in"):
        data.train_val_split(x, y, val_fraction=1.0)


@pytest.mark.parametrize("n", [0, True, 2.0])
def test_parity_refuses_a_size_that_is_not_a_positive_int(n):
    # parity(True) used to give the 1-input set (True is an int to Python)
    with pytest.raises(ValueError, match=f"parity: n must be a positive int, got {n!r}"):
        data.parity(n)


def test_xor_parity_one_hot_standardize():
    x, y = data.xor()
    assert x.dtype == np.float32 and y.shape == (4, 1)
    assert y[:, 0].tolist() == [-1, 1, 1, -1]  # +1 where the inputs differ
    np.testing.assert_array_equal(data.xor(xnor=True)[1], -y)
    px, py = data.parity(3)
    assert px.shape == (8, 3) and len({tuple(r) for r in px}) == 8
    np.testing.assert_array_equal(py[:, 0], px[:, 0] * px[:, 1] * px[:, 2])
    np.testing.assert_array_equal(data.parity(2)[1], data.xor(xnor=True)[1])
    np.testing.assert_array_equal(data.one_hot(np.array([2, 0]), 3), [[0, 0, 1], [1, 0, 0]])
    with pytest.raises(ValueError, match=r"labels must be in \[0, 3\)"):
        data.one_hot(np.array([3]), 3)
    rng = np.random.default_rng(0)
    train = rng.normal(5, 3, size=(200, 4)).astype(np.float32)
    z, mean, std = data.standardize(train)
    assert z.dtype == np.float32
    np.testing.assert_allclose(z.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(z.std(axis=0), 1, atol=1e-4)
    z2, _, _ = data.standardize(train[:10], mean, std)  # the training statistics, reused
    np.testing.assert_allclose(z2, z[:10], rtol=1e-6)
    # a feature constant in training (a blank border pixel) is centred, not divided by eps
    blank = np.zeros((20, 2), np.float32)
    blank[:, 1] = np.arange(20)
    _, mean, std = data.standardize(blank)
    z3, _, _ = data.standardize(np.array([[0.5, 3.0]], np.float32), mean, std)
    assert z3[0, 0] == pytest.approx(0.5)


# --- fit -----------------------------------------------------------------------------------------
def xor_model(seed):
    """EXERCISES B1, architecture 1: 2-2-1, tanh everywhere, Glorot normal."""
    return nn.Sequential(
        nn.Linear(2, 2, init="glorot_normal", rng=seed),
        nn.Tanh(),
        nn.Linear(2, 1, init="glorot_normal", rng=seed + 1000),
        nn.Tanh(),
    )


def test_fit_learns_xor():
    # B1 as reported: lr 0.5, L2 0.01, 200 epochs, full batch, MSE, plain SGD
    x, y = data.xor()
    model = xor_model(seed=0)
    opt = optim.SGD(model.parameters(), lr=0.5, weight_decay=0.01)
    history = fit(model, nn.MSELoss(), opt, data.DataLoader(x, y, 4), epochs=200, progress=False)
    assert history.epochs == 200 and len(history.train_loss) == 200
    assert history.train_loss[-1] < 0.1 * history.train_loss[0]
    out = predict(model, x)
    assert out.shape == (4, 1) and out.dtype == np.float32
    assert accuracy(out, y) == 1.0
    assert np.all(np.abs(out) > 0.6)  # confidently near +-0.9, not hovering at 0
    assert set(history.keys()) == {"train_loss", "train_accuracy", "lr", "time"}


def blobs(n=60, seed=0):
    """Three Gaussian clusters in 2-D with integer labels."""
    rng = np.random.default_rng(seed)
    centers = np.array([[2, 0], [-2, 1], [0, -2]], np.float32)
    labels = rng.integers(0, 3, size=n)
    x = centers[labels] + 0.5 * rng.standard_normal((n, 2)).astype(np.float32)
    return x.astype(np.float32), labels


def classifier(seed=0):
    return nn.Sequential(nn.Linear(2, 8, rng=seed), nn.ReLU(), nn.Linear(8, 3, rng=seed + 1))


def test_fit_with_validation_schedule_and_metrics():
    x, y = blobs()
    (xt, yt), (xv, yv) = data.train_val_split(x, y, 0.25, seed=0)
    model = classifier()
    opt = optim.Adam(model.parameters(), lr=0.05)
    sched = optim.Exponential(opt, gamma=0.9)

    def error_rate(pred, target):
        return 1.0 - accuracy(pred, target)

    history = fit(
        model,
        nn.CrossEntropyLoss(),
        opt,
        data.DataLoader(xt, yt, 16, shuffle=True, seed=0),
        data.DataLoader(xv, yv, 100),
        epochs=5,
        scheduler=sched,
        metrics=["accuracy", error_rate],
        progress=False,
        label="adam",
    )
    assert set(history.keys()) == {
        "train_loss", "train_accuracy", "train_error_rate",
        "val_loss", "val_accuracy", "val_error_rate", "lr", "time",
    }  # fmt: skip
    np.testing.assert_allclose(history.lr, [0.05 * 0.9**t for t in range(5)], rtol=1e-12)
    assert opt.lr == pytest.approx(0.05 * 0.9**5)
    assert all(t > 0 for t in history.time) and history.label == "adam"
    np.testing.assert_allclose(np.add(history.val_accuracy, history.val_error_rate), 1.0)
    final = evaluate(model, nn.CrossEntropyLoss(), data.DataLoader(xv, yv, 7))
    assert final["loss"] == pytest.approx(history.val_loss[-1], rel=1e-5)
    assert final["accuracy"] == history.val_accuracy[-1] >= 0.9
    assert history["val_loss"] is history.val_loss
    with pytest.raises(KeyError, match="no 'val_f1'"):
        history["val_f1"]


def test_fit_early_stopping_restores_the_best_epoch():
    # Validation labels are the training labels shifted by one class, so the better the model
    # fits the training data the worse its validation loss: the best epoch is the first one.
    x, y = blobs()
    train, val = data.DataLoader(x, y, 20), data.DataLoader(x, (y + 1) % 3, 60)

    def run(epochs, stopper=None):
        model = classifier(seed=5)
        opt = optim.SGD(model.parameters(), lr=0.2)
        h = fit(model, nn.CrossEntropyLoss(), opt, train, val, epochs=epochs,
                early_stopping=stopper, progress=False)  # fmt: skip
        return model, h

    after_one_epoch, _ = run(1)
    stopper = optim.EarlyStopping("val_loss", patience=3)
    model, history = run(30, stopper)
    assert history.stopped_early and history.epochs == 4  # best at epoch 0, then 3 worse
    assert history.best_epoch == 0 and stopper.best == history.val_loss[0]
    assert history.val_loss[3] > history.val_loss[0]
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(value, after_one_epoch.state_dict()[name])
    # the restored model really has the best epoch's validation loss
    restored = evaluate(model, nn.CrossEntropyLoss(), val)["loss"]
    assert restored == pytest.approx(history.val_loss[0], rel=1e-6)


def test_fit_errors_and_nan_stop():
    x, y = data.xor()
    loader = data.DataLoader(x, y, 4)
    model = xor_model(0)
    opt = optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match=r"monitors 'val_loss' \(there is no val_loader\)"):
        fit(model, nn.MSELoss(), opt, loader, epochs=2, progress=False,
            early_stopping=optim.EarlyStopping("val_loss"))  # fmt: skip
    with pytest.raises(ValueError, match="epochs must be a positive int, got 0"):
        fit(model, nn.MSELoss(), opt, loader, epochs=0, progress=False)
    with pytest.raises(ValueError, match="unknown metric 'f1'"):
        fit(model, nn.MSELoss(), opt, loader, epochs=1, progress=False, metrics=["f1"])
    big = data.DataLoader(x, y * 1e30, 4)  # (1e30)^2 overflows float32: the loss is inf
    with pytest.warns(RuntimeWarning, match="training loss became"):
        history = fit(model, nn.MSELoss(), opt, big, epochs=5, progress=False, metrics=None)
    assert history.epochs < 5


def test_progress_bar_on_and_off(capsys):
    pytest.importorskip("tqdm")
    x, y = data.xor()
    model, loader = xor_model(0), data.DataLoader(x, y, 4)
    opt = optim.SGD(model.parameters(), lr=0.1)
    fit(model, nn.MSELoss(), opt, loader, epochs=3, progress=True, label="xor")
    err = capsys.readouterr().err
    assert "xor" in err and "3/3" in err and "train_loss" in err
    fit(model, nn.MSELoss(), opt, loader, epochs=3, progress=False)
    assert capsys.readouterr() == ("", "")


def test_evaluate_uses_eval_mode_and_restores_mode():
    x, y = blobs()
    model = nn.Sequential(nn.Linear(2, 16, rng=0), nn.Dropout(0.5, rng=0), nn.Linear(16, 3, rng=1))
    model.train()
    loader = data.DataLoader(x, y, 16)
    first = evaluate(model, nn.CrossEntropyLoss(), loader)
    assert evaluate(model, nn.CrossEntropyLoss(), loader) == first  # no dropout noise
    assert model.training
    np.testing.assert_array_equal(predict(model, x, 7), predict(model, x))
    assert model.training
    scores, outputs = evaluate(model, nn.CrossEntropyLoss(), loader, return_outputs=True)
    assert scores == first and model.training  # the outputs of the same pass, as predict's
    np.testing.assert_array_equal(outputs, predict(model, x, 16))
    scores, outputs = evaluate(model, nn.CrossEntropyLoss(), loader, (), return_outputs=True)
    assert scores == {"loss": first["loss"]} and outputs.shape == (len(x), 3)


# --- plots ---------------------------------------------------------------------------------------
@pytest.fixture
def mpl():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    return matplotlib


def fake_history(label, losses, accs=None):
    h = History(label)
    for i, loss in enumerate(losses):
        rec = {"train_loss": loss, "val_loss": loss + 0.1, "lr": 0.1}
        if accs is not None:
            rec.update(train_accuracy=accs[i], val_accuracy=accs[i] - 0.05)
        h.append(**rec)
    return h


def test_plot_history_compares_runs(mpl, tmp_path):
    from matplotlib.figure import Figure

    from autograd.plots import plot_history

    a = fake_history("sgd", [1.0, 0.5, 0.3], [0.5, 0.7, 0.8])
    b = fake_history("adam", [0.9, 0.4, 0.2, 0.1], [0.6, 0.8, 0.9, 0.95])
    fig = plot_history([a, b], path=tmp_path / "curves.svg")
    assert isinstance(fig, Figure)
    loss_ax, acc_ax = fig.axes
    assert loss_ax.get_ylabel() == "loss" and acc_ax.get_ylabel() == "accuracy"
    labels = [line.get_label() for line in loss_ax.lines]
    assert labels == ["sgd train", "sgd val", "adam train", "adam val"]
    np.testing.assert_allclose(loss_ax.lines[3].get_ydata(), [1.0, 0.5, 0.3, 0.2])
    np.testing.assert_array_equal(loss_ax.lines[2].get_xdata(), [0, 1, 2, 3])  # epochs from 0
    assert loss_ax.lines[0].get_color() == loss_ax.lines[1].get_color()  # one colour per run
    assert loss_ax.lines[0].get_color() != loss_ax.lines[2].get_color()
    assert (tmp_path / "curves.svg").read_text().lstrip().startswith("<?xml")

    only_loss = plot_history({"run A": fake_history("", [1.0, 0.5])})
    assert len(only_loss.axes) == 1 and only_loss.axes[0].lines[0].get_label() == "run A train"
    with pytest.raises(ValueError, match="no history recorded 'accuracy'"):
        plot_history(fake_history("", [1.0]), metrics=["loss", "accuracy"])


def test_plot_history_of_a_real_fit_marks_best_epoch(mpl):
    from autograd.plots import plot_history

    x, y = blobs()
    model = classifier()
    opt = optim.SGD(model.parameters(), lr=0.1)
    loader = data.DataLoader(x, y, 20)
    h = fit(model, nn.CrossEntropyLoss(), opt, loader, loader, epochs=3, progress=False,
            early_stopping=optim.EarlyStopping("val_accuracy", patience=5))  # fmt: skip
    fig = plot_history(h)
    assert [a.get_ylabel() for a in fig.axes] == ["loss", "accuracy"]
    assert "best epoch" in [line.get_label() for line in fig.axes[1].lines]


def test_plot_lr(mpl):
    from autograd.plots import plot_lr

    opt = optim.SGD([nn.Parameter(np.zeros(1, np.float32))], lr=0.1)
    exp = optim.Exponential(opt, gamma=0.5)
    lin = optim.LinearSaturated(optim.SGD([nn.Parameter(np.zeros(1))], lr=0.1), T=4, lr_min=0.01)
    fig = plot_lr([exp, lin], epochs=6, log=True)
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.lines] == ["Exponential", "LinearSaturated"]
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [0.1 * 0.5**t for t in range(6)])
    np.testing.assert_allclose(ax.lines[1].get_ydata(), [0.1, 0.075, 0.05, 0.025, 0.01, 0.01])
    assert ax.get_yscale() == "log" and exp.t == 0  # plotting does not step the schedule
    from_history = plot_lr(fake_history("", [1, 1, 1]))
    np.testing.assert_allclose(from_history.axes[0].lines[0].get_ydata(), [0.1, 0.1, 0.1])
    with pytest.raises(ValueError, match="needs epochs=N"):
        plot_lr(exp)


def test_plot_band_mean_and_std_over_seeds(mpl):
    from autograd.plots import plot_band

    runs = [fake_history("", [1.0, 0.6, 0.2]), fake_history("", [3.0, 1.0]), [2.0, 0.8, 0.4]]
    fig = plot_band({"N'=4": runs, "N'=8": runs[:1]}, key="train_loss")
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.lines] == ["N'=4 (n=3)", "N'=8 (n=1)"]
    # epoch 0: mean of 1, 3, 2 = 2; epoch 1: mean of 0.6, 1.0, 0.8 = 0.8; epoch 2: 0.2, 0.4
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [2.0, 0.8, 0.3])
    band = ax.collections[0].get_paths()[0].vertices[:, 1]
    std1 = np.std([1.0, 3.0, 2.0])  # 0.8165
    assert np.isclose(band.max(), 2.0 + std1) and np.isclose(band.min(), 0.3 - 0.1)
    assert ax.get_ylabel() == "training loss (mean, ± std)"
    with pytest.raises(ValueError, match="a run has no 'val_f1'"):
        plot_band(runs, key="val_f1")


def test_moons_and_spirals_and_tensor_inputs():
    x, y = data.moons(101, noise=0.0, seed=1)
    assert x.shape == (101, 2) and x.dtype == np.float32 and np.bincount(y).tolist() == [51, 50]
    outer, inner = x[y == 0], x[y == 1]
    np.testing.assert_allclose(np.hypot(*outer.T), 1.0, atol=1e-6)  # unit half circle
    np.testing.assert_allclose(np.hypot(inner[:, 0] - 1, inner[:, 1] - 0.5), 1.0, atol=1e-6)
    np.testing.assert_array_equal(data.moons(101, seed=1)[0], data.moons(101, seed=1)[0])
    sx, sy = data.spirals(50, classes=4)
    assert sx.shape == (200, 2) and np.bincount(sy).tolist() == [50] * 4
    assert np.hypot(*sx.T).max() <= 1.0 + 1e-6
    from autograd import Tensor

    loader = data.DataLoader(Tensor(x), y, batch_size=50)  # a Tensor is read as its array
    np.testing.assert_array_equal(next(iter(loader))[0], x[:50])


def test_fit_evaluate_predict_feed_batches_in_the_model_dtype():
    # x / 255.0 is float64: fed as is to float32 weights, the whole step would run in float64
    x, y = blobs()
    seen = []

    class Spy(nn.Module):
        def forward(self, x):
            seen.append(x.data.dtype)
            return x

    model = nn.Sequential(Spy(), classifier(), Spy())
    opt = optim.SGD(model.parameters(), lr=0.1)
    x64 = x.astype(np.float64)
    fit(model, nn.CrossEntropyLoss(), opt, data.DataLoader(x64, y, 20), epochs=1, progress=False)
    evaluate(model, nn.CrossEntropyLoss(), data.DataLoader(x64, y, 20))
    assert predict(model, x64).dtype == np.float32
    assert seen and set(seen) == {np.dtype(np.float32)}
    assert model[1][0].weight.grad.dtype == np.float32
    # a float64 model keeps float64 (gradient checks): the parameters decide, not a fixed type
    wide = nn.Sequential(nn.Linear(2, 3, rng=0, dtype=np.float64))
    assert predict(wide, x).dtype == np.float64
    # the loss is the same as on float32 data
    model32 = classifier()
    loss32 = evaluate(model32, nn.CrossEntropyLoss(), data.DataLoader(x, y, 20))["loss"]
    loss64 = evaluate(model32, nn.CrossEntropyLoss(), data.DataLoader(x64, y, 20))["loss"]
    assert loss64 == pytest.approx(loss32, rel=1e-6)


def test_nan_in_the_data_is_named_before_it_reaches_the_weights():
    x, y = blobs()
    x[25, 1] = np.nan  # in the second batch of 20
    model = classifier()
    before = model.state_dict()
    opt = optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match=r"batch 1 .* nan or inf in its inputs \(1 of 20 samples"):
        fit(model, nn.CrossEntropyLoss(), opt, data.DataLoader(x, y, 20), epochs=2, progress=False)
    for name, value in model.state_dict().items():  # one clean step, then stopped: no nan
        assert np.all(np.isfinite(value)) and value.shape == before[name].shape
    x_ok, _ = blobs()
    with pytest.raises(ValueError, match="nan or inf in its inputs"):  # validation data too
        fit(model, nn.CrossEntropyLoss(), opt, data.DataLoader(x_ok, y, 20),
            data.DataLoader(x, y, 60), epochs=1, progress=False)  # fmt: skip
    t = np.where(y == 0, 1.0, -1.0).astype(np.float32).reshape(-1, 1)
    t[3] = np.inf
    reg = nn.Sequential(nn.Linear(2, 1, rng=0))
    with pytest.raises(ValueError, match="in its targets"):
        evaluate(reg, nn.MSELoss(), data.DataLoader(x_ok, t, 20), metrics=())


def test_fit_refuses_an_optimizer_of_another_model():
    # a notebook cell re-created the model but not the optimizer: fit would train nothing
    x, y = blobs()
    old = classifier()
    opt = optim.SGD(old.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="holds none of the model's parameters"):
        fit(classifier(), nn.CrossEntropyLoss(), opt, data.DataLoader(x, y, 20), epochs=1,
            progress=False)  # fmt: skip


def test_fit_and_evaluate_report_the_loss_per_sample_for_every_reduction():
    x, y = blobs()
    loader = data.DataLoader(x, y, 16)  # 60 samples: batches of 16, 16, 16, 12
    model = classifier()
    mean = evaluate(model, nn.CrossEntropyLoss(), loader)["loss"]
    summed = evaluate(model, nn.CrossEntropyLoss(reduction="sum"), loader)["loss"]
    assert summed == pytest.approx(mean, rel=1e-6)  # not 16 times larger
    with pytest.raises(ValueError, match="reduction='none'"):
        evaluate(model, nn.CrossEntropyLoss(reduction="none"), loader)
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        predict(model, x, batch_size=0)


def test_metrics_are_computed_on_the_whole_epoch_not_averaged_over_batches():
    # A model that always outputs the probability 0.2 with {0, 1} targets, half of each: it
    # predicts class 0 for everything, so its accuracy is 0.5. Averaged over batches of one,
    # the all-ones batches looked like {-1, 1} targets (threshold 0) and counted as correct.
    x = np.zeros((8, 1), np.float32)
    y = np.array([0, 1] * 4, np.float32).reshape(8, 1)
    model = nn.Sequential(nn.Linear(1, 1, init="zeros"), nn.Sigmoid())
    model[0].bias.data[:] = np.log(0.2 / 0.8)  # sigmoid(bias) = 0.2
    result = evaluate(model, nn.BCELoss(), data.DataLoader(x, y, 1))
    assert result["accuracy"] == pytest.approx(0.5)

    # F1 of the epoch is not the mean of the batches' F1
    def f1(pred, target):
        from autograd.metrics import confusion_matrix, precision_recall_f1

        return precision_recall_f1(confusion_matrix(target, pred, num_classes=3))["macro_f1"]

    xb, yb = blobs()
    clf = classifier()
    loader = data.DataLoader(xb, yb, 7)
    expected = f1(predict(clf, xb), yb)
    assert evaluate(clf, nn.CrossEntropyLoss(), loader, metrics=[f1])["f1"] == pytest.approx(
        expected
    )


def test_accuracy_after_bce_with_logits_thresholds_the_logits_at_zero():
    # logit 0.3 is probability 0.57: class 1, though 0.3 < 0.5
    x = np.zeros((4, 1), np.float32)
    y = np.array([[1.0], [1.0], [0.0], [1.0]], np.float32)
    model = nn.Sequential(nn.Linear(1, 1, init="zeros"))
    model[0].bias.data[:] = 0.3  # every output is the logit 0.3: class 1, right 3 times in 4
    loader = data.DataLoader(x, y, 4)
    assert evaluate(model, nn.BCEWithLogitsLoss(), loader)["accuracy"] == 0.75
    opt = optim.SGD(model.parameters(), lr=0.0)
    history = fit(model, nn.BCEWithLogitsLoss(), opt, loader, loader, epochs=1, progress=False)
    assert history.train_accuracy == history.val_accuracy == [0.75]
    # after a sigmoid the outputs are probabilities: 0.5 stays the threshold
    probs = nn.Sequential(model[0], nn.Sigmoid())
    assert evaluate(probs, nn.BCELoss(), loader)["accuracy"] == 0.75


# --- issue 15: misleading behaviour found by an adversarial sweep ------------------------------
def test_values_that_overflow_the_models_dtype_are_named_by_batch():
    x, y = blobs()
    x = x.astype(np.float64)
    x[25, 1] = 1e39  # finite in float64, inf in float32: every weight would become nan
    model = classifier()
    opt = optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match=r"batch 1 .* inputs that do not fit the model's dtype "
                                         r"float32 \(1 of 20 samples.*become inf"):  # fmt: skip
        with np.errstate(over="ignore", invalid="ignore"):
            fit(model, nn.CrossEntropyLoss(), opt, data.DataLoader(x, y, 20), epochs=2,
                progress=False)  # fmt: skip
    for value in model.state_dict().values():
        assert np.all(np.isfinite(value))


def test_fit_restores_the_models_mode_when_it_raises():
    x, y = blobs()
    x[25, 1] = np.nan
    model = classifier()
    model.eval()
    opt = optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="nan or inf"):
        fit(model, nn.CrossEntropyLoss(), opt, data.DataLoader(x, y, 20), epochs=1,
            progress=False)  # fmt: skip
    assert not model.training


@pytest.mark.parametrize("size", [True, False, 2.0, "4"])
def test_loader_refuses_a_batch_size_that_is_not_an_int(size):
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        data.DataLoader(*xy(), batch_size=size)


INTEGER_TYPES = sorted({np.dtype(c).type for c in np.typecodes["AllInteger"]}, key=str)


@pytest.mark.parametrize("dtype", INTEGER_TYPES, ids=lambda t: np.dtype(t).name)
def test_fit_and_metrics_take_labels_of_every_integer_dtype(dtype):
    x, y = blobs()
    labels = y.astype(dtype)
    model = classifier()
    opt = optim.SGD(model.parameters(), lr=0.1)
    history = fit(model, nn.CrossEntropyLoss(), opt, data.DataLoader(x, labels, 20),
                  data.DataLoader(x, labels, 60), epochs=2, progress=False)  # fmt: skip
    # the same run with int64 labels gives the same numbers
    reference = classifier()
    fit(reference, nn.CrossEntropyLoss(), optim.SGD(reference.parameters(), lr=0.1),
        data.DataLoader(x, y, 20), epochs=2, progress=False)  # fmt: skip
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(value, reference.state_dict()[name])
    assert 0.0 <= history.val_accuracy[-1] <= 1.0
    pred = predict(model, x).argmax(axis=1)
    assert accuracy(predict(model, x), labels) == pytest.approx(np.mean(pred == y))
    cm = confusion_matrix(labels, pred)
    assert cm.sum() == len(y) and cm.shape == (3, 3)


def test_overflow_is_named_even_when_the_loss_of_that_batch_stays_finite():
    """1e39 in float32 is inf; through a ReLU that sees -inf the loss stays finite while the
    weight gradient is nan: the cast itself must be caught, not only a non-finite loss."""
    x, y = blobs()
    x = x.astype(np.float64)
    x[25] = [-1e39, -1e39]
    model = nn.Sequential(nn.Linear(2, 4, rng=0), nn.ReLU(), nn.Linear(4, 3, rng=1))
    model[0].weight.data[...] = 1.0  # every hidden unit sees -inf: relu gives 0, loss finite
    opt = optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match=r"batch 1 .* inputs that do not fit the model's dtype"):
        fit(model, nn.CrossEntropyLoss(), opt, data.DataLoader(x, y, 20), epochs=1,
            progress=False)  # fmt: skip
    for value in model.state_dict().values():
        assert np.all(np.isfinite(value))
    with pytest.raises(ValueError, match=r"batch 0 .* inputs that do not fit"):
        predict(model, x[20:30])


def test_standardize_without_a_copy_gives_the_same_numbers_in_the_array_itself():
    rng = np.random.default_rng(1)
    train = rng.normal(5, 3, size=(50, 6)).astype(np.float32)
    train[:, 2] = 4.0  # a constant feature
    z, mean, std = data.standardize(train)
    inplace = train.copy()
    z2, mean2, std2 = data.standardize(inplace, copy=False)
    assert z2 is inplace
    np.testing.assert_array_equal(z2, z)
    np.testing.assert_array_equal(mean2, mean)
    np.testing.assert_array_equal(std2, std)
    pixels = rng.integers(0, 256, (5, 6), dtype=np.uint8)  # not floats: a new array anyway
    z3, _, _ = data.standardize(pixels, mean, std, copy=False)
    assert z3.dtype == np.float32 and pixels.dtype == np.uint8
    np.testing.assert_array_equal(z3, data.standardize(pixels, mean, std)[0])
