"""Classification metrics on numpy arrays (Tensors are accepted and read through ``.data``).

Conventions (scikit-learn's): in a confusion matrix ``C[i, j]`` counts samples of true class
``i`` predicted as class ``j``, so rows are true classes and columns predictions.
"""

from __future__ import annotations

import numpy as np

from autograd.tensor import as_array

__all__ = [
    "to_labels",
    "accuracy",
    "batched_accuracy",
    "binary_threshold",
    "confusion_matrix",
    "confusion_accuracy",
    "precision_recall_f1",
    "classification_report",
]


def to_labels(a) -> np.ndarray:
    """Class indices from scores or one-hot rows ``(N, C)`` (argmax over the last axis), or from
    integer labels ``(N,)`` / ``(N, 1)`` (returned flat)."""
    a = as_array(a)
    if a.ndim == 2 and a.shape[1] > 1:
        return a.argmax(axis=1)
    a = a.reshape(len(a)) if a.ndim == 2 else a
    if a.ndim != 1:
        raise ValueError(f"expected labels (N,) or scores (N, C), got shape {a.shape}")
    if not np.issubdtype(a.dtype, np.integer) and not np.all(a == np.round(a)):
        raise ValueError(
            "expected integer class labels, got non-integer values; for one score per "
            "sample use accuracy(..., threshold=...)"
        )
    # NOTE: int64 always: uint8 labels (as the MNIST/CIFAR files store them) would overflow
    # in confusion_matrix's index arithmetic
    return a.astype(np.int64, copy=False)


def accuracy(pred, target, threshold: float | None = None) -> float:
    """Fraction of samples classified correctly.

    - ``pred`` with several columns ``(N, C)`` (scores, logits, probabilities): the predicted
      class is the argmax; ``target`` is class indices ``(N,)`` or one-hot rows ``(N, C)``.
    - one output per sample (``(N,)`` or ``(N, 1)``, binary): ``pred > threshold`` is class 1.
      Targets in {-1, 1} (tanh outputs, EXERCISES B) use ``threshold=0`` and compare signs;
      targets in {0, 1} use ``threshold=0.5`` (probabilities). Pass ``threshold=0`` for
      logits with {0, 1} targets. NOTE: targets that are all 1 fit both conventions and get
      ``threshold=0``; pass ``threshold`` when scoring probabilities on such a subset.

    `batched_accuracy` scores many predictions of the same targets at once, by this rule.
    """
    pred = as_array(pred)
    if pred.ndim == 0:
        raise ValueError("accuracy needs one prediction per sample, got a single number")
    return float(batched_accuracy(pred[None], target, threshold)[0])


def batched_accuracy(preds, target, threshold: float | None = None) -> np.ndarray:
    """`accuracy` of several predictions of the same ``target`` at once, one per entry of a
    leading axis (the seed axis of `autograd.experiments.seeds.train_seeds`): ``preds`` of
    shape ``(S, N, C)``, or ``(S, N)`` / ``(S, N, 1)`` for one output per sample. Returns the
    ``S`` accuracies (float64); entry ``s`` is exactly ``accuracy(preds[s], target, threshold)``
    (the one rule: argmax for several outputs, the threshold chosen from the targets' values
    for one output)."""
    preds, target = as_array(preds), as_array(target)
    if preds.ndim < 2:
        raise ValueError(
            f"batched_accuracy needs predictions (runs, samples, ...), got shape {preds.shape}"
        )
    runs, n = preds.shape[:2]
    if runs == 0:
        raise ValueError("batched_accuracy got no predictions (the leading axis is empty)")
    if n != len(target):
        raise ValueError(f"pred has {n} samples but target has {len(target)}")
    if n == 0:
        raise ValueError("accuracy of zero samples is undefined")
    if preds.ndim == 3 and preds.shape[2] > 1:
        return np.mean(preds.argmax(axis=2) == to_labels(target), axis=1)
    p, t = preds.reshape(runs, -1), target.reshape(-1)
    if p.shape[1] != n or len(t) != len(target):
        raise ValueError(f"cannot compare pred {preds.shape[1:]} with target {target.shape}")
    if threshold is None:
        threshold = binary_threshold(t)
    return np.mean((p > threshold) == (t > binary_threshold(t)), axis=1)


def binary_threshold(target) -> float:
    """Where one output per sample splits the classes, by the codes of ``target``: 0 for
    {-1, 1} (tanh outputs, EXERCISES B), 0.5 for {0, 1} (probabilities). NOTE: targets that are
    all 1 fit both and get 0; a caller that knows its model's output passes its own threshold
    (`autograd.experiments.config.Config.threshold`)."""
    t = as_array(target).reshape(-1)
    values = np.unique(t)
    if np.all(np.isin(values, (-1, 1))):
        return 0.0
    if np.all(np.isin(values, (0, 1))):
        return 0.5
    raise ValueError(
        f"with one output per sample, targets must be binary ({{-1, 1}} or {{0, 1}}), got "
        f"values {values[:5]}{'...' if len(values) > 5 else ''} (for a regression, train "
        "with fit(..., metrics=()))"
    )


def confusion_matrix(
    target, pred, num_classes: int | None = None, normalize: str | None = None
) -> np.ndarray:
    """``C[i, j]`` = number of samples of true class ``i`` predicted as ``j`` (int64).

    ``target`` and ``pred`` are class indices, or score / one-hot rows (argmax is taken).
    ``normalize="true"`` divides each row by its total (the recall of each class is then on
    the diagonal; EXERCISES C3), ``"pred"`` each column, ``"all"`` the whole matrix; rows or
    columns with no samples stay 0.
    """
    t, p = to_labels(target), to_labels(pred)
    if len(t) != len(p):
        raise ValueError(f"target has {len(t)} samples but pred has {len(p)}")
    if num_classes is None:
        num_classes = int(max(t.max(initial=-1), p.max(initial=-1))) + 1
    for name, labels in (("target", t), ("pred", p)):
        if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
            raise ValueError(
                f"{name} labels must be in [0, {num_classes}), got values from {labels.min()} "
                f"to {labels.max()}"
            )
    cm = np.bincount(t * num_classes + p, minlength=num_classes * num_classes)
    cm = cm.reshape(num_classes, num_classes).astype(np.int64)
    if normalize is None:
        return cm
    if normalize == "true":
        total = cm.sum(axis=1, keepdims=True)
    elif normalize == "pred":
        total = cm.sum(axis=0, keepdims=True)
    elif normalize == "all":
        total = cm.sum()
    else:
        raise ValueError(f"normalize must be None, 'true', 'pred' or 'all', got {normalize!r}")
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, cm / np.maximum(total, 1), 0.0)


def confusion_accuracy(cm) -> float:
    """The accuracy a confusion matrix holds: its diagonal over its total (the fraction of
    samples whose predicted class is their true class)."""
    cm = as_array(cm)
    total = cm.sum()
    if total == 0:
        raise ValueError("accuracy of zero samples is undefined (the confusion matrix is empty)")
    return float(np.trace(cm) / total)


def precision_recall_f1(cm) -> dict:
    """Per-class precision, recall and F1 from a confusion matrix (rows true, columns predicted):

        precision_k = C[k, k] / sum_i C[i, k]      recall_k = C[k, k] / sum_j C[k, j]
        f1_k = 2 precision_k recall_k / (precision_k + recall_k)

    A class never predicted (or never present) gets 0 instead of 0/0, as scikit-learn does.
    Returns ``{"precision", "recall", "f1", "support"}`` (arrays, one entry per class), the
    macro averages (unweighted means over classes) ``"macro_precision"``, ``"macro_recall"``,
    ``"macro_f1"``, and ``"accuracy"`` (trace / total).
    """
    cm = np.asarray(cm, dtype=np.float64)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError(f"expected a square confusion matrix, got shape {cm.shape}")
    tp = np.diag(cm)
    predicted, actual = cm.sum(axis=0), cm.sum(axis=1)
    precision = np.divide(tp, predicted, out=np.zeros_like(tp), where=predicted > 0)
    recall = np.divide(tp, actual, out=np.zeros_like(tp), where=actual > 0)
    denom = precision + recall
    f1 = np.divide(2 * precision * recall, denom, out=np.zeros_like(tp), where=denom > 0)
    total = cm.sum()
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "support": actual.astype(np.int64),
        "macro_precision": float(precision.mean()),
        "macro_recall": float(recall.mean()),
        "macro_f1": float(f1.mean()),
        "accuracy": float(tp.sum() / total) if total else 0.0,
    }


def classification_report(cm, class_names=None, digits: int = 3) -> str:
    """A text table of `precision_recall_f1`: one row per class, then accuracy and the macro
    average, like scikit-learn's ``classification_report``."""
    scores = precision_recall_f1(cm)
    n = len(scores["support"])
    if class_names is None:
        class_names = [str(k) for k in range(n)]
    class_names = [str(c) for c in class_names]
    if len(class_names) != n:
        raise ValueError(f"{len(class_names)} class names for a {n}-class confusion matrix")
    width = max(12, *(len(c) for c in class_names))
    col = max(digits + 3, 9)
    head = f"{'':>{width}}" + "".join(
        f"{h:>{col}}" for h in ("precision", "recall", "f1", "support")
    )
    lines = [head, ""]
    for k, name in enumerate(class_names):
        lines.append(
            f"{name:>{width}}"
            + "".join(f"{scores[m][k]:>{col}.{digits}f}" for m in ("precision", "recall", "f1"))
            + f"{scores['support'][k]:>{col}d}"
        )
    support = int(scores["support"].sum())
    lines.append("")
    blank = " " * (2 * col)
    lines.append(
        f"{'accuracy':>{width}}{blank}{scores['accuracy']:>{col}.{digits}f}{support:>{col}d}"
    )
    lines.append(
        f"{'macro avg':>{width}}"
        + "".join(f"{scores['macro_' + m]:>{col}.{digits}f}" for m in ("precision", "recall", "f1"))
        + f"{support:>{col}d}"
    )
    return "\n".join(lines) + "\n"
