"""Metrics against hand-made confusion matrices, and the confusion-matrix plot."""

import numpy as np
import pytest

from autograd import metrics

# 9 samples, 3 classes. By hand:
#   true 0 -> predicted 0, 1, 0      row 0: [2, 1, 0]
#   true 1 -> predicted 1, 2         row 1: [0, 1, 1]
#   true 2 -> predicted 2, 2, 0, 1   row 2: [1, 1, 2]
Y_TRUE = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2])
Y_PRED = np.array([0, 1, 0, 1, 2, 2, 2, 0, 1])
CM = np.array([[2, 1, 0], [0, 1, 1], [1, 1, 2]])


def test_confusion_matrix_from_labels_and_scores():
    np.testing.assert_array_equal(metrics.confusion_matrix(Y_TRUE, Y_PRED), CM)
    scores = np.eye(3, dtype=np.float32)[Y_PRED] * 5 - 1  # argmax = Y_PRED
    one_hot = np.eye(3)[Y_TRUE]
    cm = metrics.confusion_matrix(one_hot, scores)
    np.testing.assert_array_equal(cm, CM)
    assert cm.dtype == np.int64
    # uint8 labels, as the MNIST/CIFAR files store them, with enough classes to overflow uint8
    t8, p8 = np.array([48, 47, 48], np.uint8), np.array([48, 48, 47], np.uint8)
    big8 = metrics.confusion_matrix(t8, p8)
    assert big8.shape == (49, 49) and big8[48, 48] == 1 and big8[48, 47] == 1 and big8.sum() == 3
    # a class nobody has and nobody predicted still gets its row and column
    big = metrics.confusion_matrix(Y_TRUE, Y_PRED, num_classes=4)
    assert big.shape == (4, 4) and big[3].sum() == 0 and big[:, 3].sum() == 0


def test_confusion_matrix_normalized():
    rows = metrics.confusion_matrix(Y_TRUE, Y_PRED, normalize="true")
    np.testing.assert_allclose(rows, [[2 / 3, 1 / 3, 0], [0, 1 / 2, 1 / 2], [1 / 4, 1 / 4, 2 / 4]])
    cols = metrics.confusion_matrix(Y_TRUE, Y_PRED, normalize="pred")
    np.testing.assert_allclose(cols.sum(axis=0), [1, 1, 1])
    np.testing.assert_allclose(metrics.confusion_matrix(Y_TRUE, Y_PRED, normalize="all"), CM / 9)
    empty_row = metrics.confusion_matrix(Y_TRUE, Y_PRED, num_classes=4, normalize="true")
    np.testing.assert_array_equal(empty_row[3], [0, 0, 0, 0])  # 0, not 0/0 = nan


def test_precision_recall_f1_by_hand():
    s = metrics.precision_recall_f1(CM)
    # precision = diagonal / column sums (3, 3, 3); recall = diagonal / row sums (3, 2, 4)
    np.testing.assert_allclose(s["precision"], [2 / 3, 1 / 3, 2 / 3])
    np.testing.assert_allclose(s["recall"], [2 / 3, 1 / 2, 1 / 2])
    # f1 = 2pr/(p+r): class 1: 2(1/3)(1/2)/(5/6) = 0.4; class 2: 2(2/3)(1/2)/(7/6) = 4/7
    np.testing.assert_allclose(s["f1"], [2 / 3, 0.4, 4 / 7])
    np.testing.assert_array_equal(s["support"], [3, 2, 4])
    assert s["macro_precision"] == pytest.approx(5 / 9)
    assert s["macro_recall"] == pytest.approx((2 / 3 + 1 / 2 + 1 / 2) / 3)
    assert s["macro_f1"] == pytest.approx((2 / 3 + 0.4 + 4 / 7) / 3)
    assert s["accuracy"] == pytest.approx(5 / 9)


def test_precision_recall_zero_division_is_zero():
    # class 2 is never predicted (precision 0/0) and class 3 never occurs at all
    cm = np.array([[3, 1, 0, 0], [0, 2, 0, 0], [1, 1, 0, 0], [0, 0, 0, 0]])
    s = metrics.precision_recall_f1(cm)
    np.testing.assert_allclose(s["precision"], [3 / 4, 2 / 4, 0, 0])
    np.testing.assert_allclose(s["recall"], [3 / 4, 1, 0, 0])
    assert np.all(np.isfinite(s["f1"]))
    assert s["macro_recall"] == pytest.approx((3 / 4 + 1) / 4)
    with pytest.raises(ValueError, match="square"):
        metrics.precision_recall_f1(np.ones((2, 3)))


def test_classification_report_text():
    text = metrics.classification_report(CM, ["cat", "dog", "bird"])
    lines = text.splitlines()
    assert lines[0].split() == ["precision", "recall", "f1", "support"]
    assert lines[2].split() == ["cat", "0.667", "0.667", "0.667", "3"]
    assert lines[3].split() == ["dog", "0.333", "0.500", "0.400", "2"]
    assert lines[4].split() == ["bird", "0.667", "0.500", "0.571", "4"]
    assert "accuracy" in text and lines[-1].split()[:2] == ["macro", "avg"]
    assert lines[-2].split() == ["accuracy", "0.556", "9"]
    with pytest.raises(ValueError, match="2 class names for a 3-class"):
        metrics.classification_report(CM, ["a", "b"])


def test_accuracy_multiclass():
    scores = np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7], [0.6, 0.4]])
    assert metrics.accuracy(scores, np.array([1, 0, 0, 0])) == 0.75
    assert metrics.accuracy(scores, np.eye(2)[[1, 0, 1, 1]]) == 0.75  # one-hot targets


def test_accuracy_binary_single_output():
    # tanh outputs against {-1, 1} targets compare signs (EXERCISES B1)
    out = np.array([[0.9], [-0.2], [0.1], [-0.95]])
    assert metrics.accuracy(out, np.array([[1], [1], [1], [-1]])) == 0.75
    # probabilities against {0, 1} targets threshold at 0.5; logits need threshold=0
    prob = np.array([0.7, 0.4, 0.55, 0.2])
    assert metrics.accuracy(prob, np.array([1, 0, 0, 0])) == 0.75
    logits = np.array([0.3, -1.0, 0.2, -0.1])
    assert metrics.accuracy(logits, np.array([1, 0, 0, 0]), threshold=0.0) == 0.75
    assert metrics.accuracy(logits, np.array([1, 0, 0, 0])) == 0.75  # 0.5 threshold: 0.2, 0.3 < 0.5
    with pytest.raises(ValueError, match="targets must be binary"):
        metrics.accuracy(np.zeros(3), np.array([0.0, 1.0, 2.0]))
    with pytest.raises(ValueError, match="3 samples but target has 2"):
        metrics.accuracy(np.zeros(3), np.zeros(2))


def test_label_errors():
    with pytest.raises(ValueError, match="labels must be in"):
        metrics.confusion_matrix([0, 1, 5], [0, 1, 1], num_classes=3)
    with pytest.raises(ValueError, match="integer class labels"):
        metrics.confusion_matrix([0.5, 1.0], [0, 1])
    with pytest.raises(ValueError, match="normalize must be"):
        metrics.confusion_matrix([0, 1], [0, 1], normalize="rows")


def test_plot_confusion_matrix(tmp_path):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from autograd.plots import plot_confusion_matrix

    fig = plot_confusion_matrix(CM, class_names=["cat", "dog", "bird"])
    assert isinstance(fig, Figure)
    ax = fig.axes[0]  # fig.axes[1] is the colour bar
    assert len(fig.axes) == 2
    np.testing.assert_array_equal(ax.images[0].get_array(), CM)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["cat", "dog", "bird"]
    assert ax.get_xlabel() == "predicted" and ax.get_ylabel() == "true"
    assert sorted(t.get_text() for t in ax.texts) == sorted(str(v) for v in CM.ravel())

    norm = plot_confusion_matrix(CM, normalize=True, path=tmp_path / "cm.png")
    image = norm.axes[0].images[0].get_array()
    np.testing.assert_allclose(image.sum(axis=1), [1, 1, 1])
    assert (tmp_path / "cm.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in tmp_path.iterdir()] == ["cm.png"]  # no temp file left behind
    with pytest.raises(ValueError, match="square"):
        plot_confusion_matrix(np.ones((2, 3)))
    # a matrix normalized by confusion_matrix(normalize="true") shows its fractions, not 0s
    rates = metrics.confusion_matrix([0, 0, 1, 1, 1], [0, 1, 1, 1, 0], normalize="true")
    texts = [t.get_text() for t in plot_confusion_matrix(rates).axes[0].texts]
    assert texts == ["0.50", "0.50", "0.33", "0.67"]


def test_batched_accuracy_is_accuracy_of_each_run():
    rng = np.random.default_rng(0)
    plus_minus = np.array([1, -1, 1, 1, -1, -1, 1])
    targets = {
        "{-1, 1}": plus_minus,
        "{0, 1}": (plus_minus + 1) // 2,
        "all 1": np.ones(7),
        "all -1": -np.ones(7),
        "all 0": np.zeros(7),
        "column": plus_minus[:, None],
    }
    for name, target in targets.items():
        for shape in ((5, 7), (5, 7, 1)):
            preds = rng.uniform(-1, 1, shape).astype(np.float32)
            for threshold in (None, 0.25):
                batched = metrics.batched_accuracy(preds, target, threshold)
                assert batched.shape == (5,) and batched.dtype == np.float64, name
                expected = [metrics.accuracy(p, target, threshold) for p in preds]
                assert batched.tolist() == expected, (name, shape, threshold)
    scores = rng.standard_normal((4, 7, 3))
    labels = rng.integers(0, 3, 7)
    expected = [metrics.accuracy(p, labels) for p in scores]
    assert metrics.batched_accuracy(scores, labels).tolist() == expected
    assert metrics.batched_accuracy(scores, np.eye(3)[labels]).tolist() == expected
    with pytest.raises(ValueError, match="7 samples but target has 6"):
        metrics.batched_accuracy(scores, labels[:6])
    with pytest.raises(ValueError, match=r"predictions \(runs, samples, ...\), got shape \(7,\)"):
        metrics.batched_accuracy(np.zeros(7), labels)
    with pytest.raises(ValueError, match="targets must be binary"):
        metrics.batched_accuracy(np.zeros((2, 3)), np.array([0.0, 1.0, 2.0]))
    with pytest.raises(ValueError, match="single number"):
        metrics.accuracy(np.float32(0.5), np.ones(1))


# The class of issue 24, item 1: two code paths computing one metric disagreed (the multi-seed
# trainer thresholded tanh at 0.5 where `metrics.accuracy` compares signs for {-1, 1} targets).
# The rule: every path that computes a metric calls `autograd.metrics`.


def _one_class_splits(targets: str):
    """Parity of 3 inputs, {-1, 1} or {0, 1} targets; the validation split holds class 1
    only and the test split class 0 (-1 or 0) only."""
    from autograd.data import parity
    from autograd.experiments.data import Data

    x, y = parity(3)
    if targets == "{0, 1}":
        y = (y + 1) / 2
    labels = (y[:, 0] > 0.5 * (targets == "{0, 1}")).astype(np.int64)
    one, zero = labels == 1, labels == 0
    return Data(x, y, x[one], y[one], x[zero], y[zero], labels, labels[one], labels[zero],
                ("0", "1"), None)  # fmt: skip


@pytest.mark.parametrize("targets", ["{-1, 1}", "{0, 1}"])
def test_every_path_that_computes_a_metric_calls_autograd_metrics(targets):
    """One seed through train_seeds, through fit (+ train.evaluate) and through `autograd
    train` (experiments.run): identical accuracies on every split, one-class splits included."""
    from autograd import nn, optim
    from autograd.data import DataLoader
    from autograd.experiments import run
    from autograd.experiments.run import predicted_labels
    from autograd.experiments.run import scores as run_scores
    from autograd.experiments.seeds import TinyNet, train_seeds
    from autograd.train import evaluate, fit, predict

    d = _one_class_splits(targets)
    output = "tanh" if targets == "{-1, 1}" else "sigmoid"
    net = TinyNet((3, 4, 1), output=output, lr=0.1, epochs=3)
    seed = 1
    runs = train_seeds(net, d.x_train, d.y_train, [seed])
    model = net.build(seed)
    mse = nn.MSELoss()

    def loss_fn(out, target):
        return mse(out, target) + nn.l2_penalty(model, net.l2)

    loader = DataLoader(d.x_train, d.y_train, len(d.x_train))
    sgd = optim.SGD(model.parameters(), lr=net.lr)
    fit(model, loss_fn, sgd, loader, epochs=net.epochs, progress=False)
    result = run(net.config(seed), data=d, progress=False)
    for split in ("train", "val", "test"):
        x, y = getattr(d, f"x_{split}"), getattr(d, f"y_{split}")
        seeds_path = float(runs.evaluate(x, y)[1][0])
        fit_path = evaluate(model, mse, DataLoader(x, y, len(x)), metrics=run_scores(net.config()))[
            "accuracy"
        ]
        assert seeds_path == fit_path == result.metrics[f"{split}_accuracy"], split
        # and the number is the right one: the share of the labels the run predicts
        labels = getattr(d, f"labels_{split}")
        predicted = predicted_labels(net.config(), predict(model, x))
        cm = metrics.confusion_matrix(labels, predicted, num_classes=2)
        assert seeds_path == metrics.confusion_accuracy(cm), split
    # the one-class split has teeth: some outputs of class 1 lie between the thresholds of
    # the two conventions (0 and 0.5), where a second scoring rule would disagree
    positive = runs.outputs[0][d.labels_train == 1, 0]
    assert np.any((positive > 0) & (positive <= 0.5)), positive


def _scores_predictions(side) -> bool:
    """An operand of ``==`` that is a prediction turned into a class: an argmax, or a
    thresholded array (``out > 0.5``)."""
    import ast

    if isinstance(side, ast.Call):
        func = side.func
        return (func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")) == (
            "argmax"
        )
    order = (ast.Gt, ast.Lt, ast.GtE, ast.LtE)
    return isinstance(side, ast.Compare) and any(isinstance(op, order) for op in side.ops)


def test_no_module_but_metrics_compares_predictions_with_labels():
    """The source side of the class: outside autograd/metrics.py no code compares predicted
    classes (an argmax, a thresholded output) with ``==`` / ``!=``: it calls autograd.metrics."""
    import ast
    from pathlib import Path

    import autograd

    root = Path(autograd.__file__).parent
    found = []
    for path in sorted(root.rglob("*.py")):
        if path == root / "metrics.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Compare) and any(
                isinstance(op, (ast.Eq, ast.NotEq)) for op in node.ops
            ):
                if any(_scores_predictions(s) for s in (node.left, *node.comparators)):
                    found.append(f"{path.relative_to(root)}:{node.lineno}")
    assert not found, f"predictions scored outside autograd.metrics: {found}"
