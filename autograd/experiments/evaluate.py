"""A trained model measured on data: ``autograd evaluate``'s report.

    print(evaluate_model("runs/fashion-mnist-best"))                 # the run's test split
    print(evaluate_model("model.npz", data="fashion-mnist", data_dir="~/data"))

Accuracy, the confusion matrix with the class names on its rows and columns, and per-class
precision, recall and F1 (`autograd.metrics`, the one place a metric is computed); the
predicted labels are `autograd.experiments.run.predicted_labels`, as for ``train``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from autograd import metrics, nn
from autograd.experiments.config import Config, ConfigError
from autograd.experiments.data import as_images, load_data, load_raw, preprocess
from autograd.experiments.run import load_run, predicted_labels
from autograd.nn.scalar_graph import draw_network
from autograd.train import predict

__all__ = ["evaluate_model", "confusion_table"]

CLASS_NAME_CHARS = 12  # a column of the confusion matrix shows this much of a class name
CORNER = "true \\ predicted"


def _first_weight_ndim(model) -> int:
    return next((p.data.ndim for p in model.parameters()), 0)


def _inputs(model) -> int | None:
    for p in model.parameters():
        return p.data.shape[1] if p.data.ndim == 2 else None
    return None


def confusion_table(cm: np.ndarray, names: list[str]) -> list[str]:
    """The rows of a confusion matrix as text, each row and column headed by its class name
    (cut to `CLASS_NAME_CHARS`)."""
    names = [n[:CLASS_NAME_CHARS] for n in names]
    label = max(len(CORNER), *(len(n) for n in names))
    width = max(6, *(len(n) for n in names), len(str(int(cm.max(initial=0)))))
    head = f"{CORNER:<{label}} " + " ".join(f"{n:>{width}}" for n in names)
    rows = [f"{n:<{label}} " + " ".join(f"{v:>{width}d}" for v in row) for n, row in zip(names, cm)]
    return [head, *rows]


def evaluate_model(
    model_path,
    data=None,
    data_dir=None,
    plot=None,
    download=False,
    network=None,
    level: str = "neuron",
    sample: int = 0,
) -> str:
    """The text report of ``autograd evaluate``: accuracy, the confusion matrix and per-class
    precision/recall/F1 of the model at ``model_path`` (a run folder of ``autograd train``, its
    ``model.npz``, or a file of `nn.save` with ``data``). ``data``: a data set name (its test
    set) or a path; without it the run's own test split. ``plot``: also draw the confusion
    matrix there. ``download``: fetch a missing official data set. ``network``: also draw the
    model on example ``sample`` of that data at ``level`` (``scalar``, ``neuron`` or ``layer``,
    `autograd.nn.scalar_graph.draw_network`; gradients of the sum of the outputs) into that
    file (.svg .png .pdf .dot .tex)."""
    path = Path(model_path)
    folder = path if path.is_dir() else path.parent
    if (folder / "config.toml").is_file() and (path.is_dir() or path.name == "model.npz"):
        config, model, stats = load_run(folder)
    elif path.is_file():
        if data is None:
            raise ConfigError(f"{path}: a model file without its run folder needs --data")
        model, config, stats = nn.load(path), None, {}
    else:
        raise FileNotFoundError(f"{path}: no such run folder or model file")
    if data is None:
        ready = load_data(config, download)
        x, labels, classes, where = ready.x_test, ready.labels_test, ready.classes, "test split"
    else:
        base = config or Config(layers=[1, 1])
        if data_dir is None:  # the run's own folder of official files, for its own data set
            data_dir = base.data_dir if data == base.dataset else ""
        raw = load_raw(base.replace(dataset=data, data_dir=data_dir), download)
        x_raw, labels = (
            (raw.x_test, raw.labels_test) if raw.x_test is not None else (raw.x, raw.labels)
        )
        if config is None and x_raw.dtype == np.uint8:
            stats = {"scale": np.float32(1 / 255)}
        x, classes = preprocess(x_raw, stats), raw.classes
        if _first_weight_ndim(model) == 4:  # a conv net takes (N, C, H, W) images
            x = as_images(x, x_raw.shape[1:] + (1,) * (x_raw.ndim == 3))
        where = "test set" if raw.x_test is not None else "all of it"
    n_in = _inputs(model)
    if n_in is not None and x.shape[1] != n_in:
        raise ValueError(
            f"{path}: the model takes {n_in} inputs per sample, the data has {x.shape[1]}"
        )
    outputs = predict(model, x)
    predicted = predicted_labels(config, outputs)
    cm = metrics.confusion_matrix(
        labels, predicted, num_classes=max(len(classes), outputs.shape[1])
    )
    names = list(classes) + [str(i) for i in range(len(classes), len(cm))]
    lines = [
        f"{path}: {len(x)} samples of {data or config.dataset} ({where})",
        f"accuracy {metrics.confusion_accuracy(cm):.4f}",
        "",
        "confusion matrix (rows: true class, columns: predicted)",
        *("  " + line for line in confusion_table(cm, names)),
        "",
        metrics.classification_report(cm, class_names=names).rstrip(),
    ]
    if plot:
        import matplotlib.pyplot as plt

        from autograd import plots

        plt.close(plots.plot_confusion_matrix(cm, names, normalize=True, path=plot))
        lines.append(f"\nconfusion matrix drawn in {plot}")
    if network:
        if not 0 <= sample < len(x):
            raise ValueError(f"--sample: the data has samples 0 to {len(x) - 1}, got {sample}")
        draw_network(model, x[sample], level=level).save(network)
        lines.append(f"{level} diagram of sample {sample} drawn in {network}")
    return "\n".join(lines)
