"""The training loop: `fit` (returns a `History`), `evaluate` and `predict`.

    history = fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters()), train_loader,
                  val_loader, epochs=50, scheduler=sched, early_stopping=stopper)
    history.val_accuracy[-1], history.best_epoch

One epoch: for every batch, ``zero_grad``, forward, loss, ``backward``, ``step``, with the model
in training mode; then, when there is a ``val_loader``, an evaluation pass in ``eval()`` mode
under ``no_grad()``; then the schedule's ``step()`` and the early-stopping check. The train
loss of an epoch is the average over its batches as they were trained (weighted by batch
size), as Keras reports it, and its metrics are computed on those same outputs, all together;
the validation ones use the end-of-epoch weights.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable

import numpy as np

from autograd.arguments import positive_int
from autograd.early_stopping import EarlyStopping
from autograd.graph import no_grad
from autograd.metrics import accuracy
from autograd.nn.losses import BCEWithLogitsLoss
from autograd.tensor import Tensor, as_array

__all__ = ["History", "fit", "evaluate", "predict", "EarlyStopping"]

METRICS = {"accuracy": accuracy}


class History:
    """Per-epoch records of a `fit` run: lists under keys ``train_loss``, ``val_loss``,
    ``train_<metric>``, ``val_<metric>`` (e.g. ``val_accuracy``), ``lr`` (the rate used during
    the epoch) and ``time`` (seconds). Read them as ``history["val_loss"]`` or
    ``history.val_loss``.

    ``best_epoch`` is the early-stopping monitor's best epoch (0-based) or None;
    ``stopped_early`` says whether early stopping ended the run; ``label`` names the run in
    plots (`autograd.plots.plot_history`).
    """

    def __init__(self, label: str = ""):
        self.records: dict[str, list[float]] = {}
        self.label = label
        self.best_epoch: int | None = None
        self.stopped_early = False

    def append(self, **values: float) -> None:
        for key, value in values.items():
            self.records.setdefault(key, []).append(float(value))

    @property
    def epochs(self) -> int:
        return max((len(v) for v in self.records.values()), default=0)

    def keys(self):
        return self.records.keys()

    def __contains__(self, key: str) -> bool:
        return key in self.records

    def __getitem__(self, key: str) -> list[float]:
        try:
            return self.records[key]
        except KeyError:
            raise KeyError(
                f"no {key!r} in this history; it has {', '.join(self.records) or 'nothing'}"
            ) from None

    def __getattr__(self, key: str) -> list[float]:
        if key.startswith("_") or key == "records":
            raise AttributeError(key)
        try:
            return self.records[key]
        except KeyError:
            raise AttributeError(
                f"History has no {key!r}; it has {', '.join(self.records) or 'nothing'}"
            ) from None

    def as_dict(self) -> dict[str, list[float]]:
        """A plain dict of lists (JSON-ready)."""
        return {k: list(v) for k, v in self.records.items()}

    def __repr__(self) -> str:
        last = ", ".join(f"{k}={v[-1]:.4g}" for k, v in self.records.items() if v)
        return f"History({self.epochs} epochs: {last})"


def _logit_accuracy(pred, target) -> float:
    """`accuracy` of one logit per sample: z > 0 is class 1 (sigmoid(z) > 0.5)."""
    return accuracy(pred, target, threshold=0.0)


def _metric_functions(metrics, loss_fn=None) -> dict[str, Callable]:
    """``{name: f(pred, target)}``. NOTE: after `BCEWithLogitsLoss` the outputs are logits, so
    ``"accuracy"`` thresholds them at 0, not at the 0.5 meant for probabilities."""
    if metrics is None:
        return {}
    if isinstance(metrics, str):
        metrics = (metrics,)
    if isinstance(metrics, dict):
        items = list(metrics.items())
    else:
        items = []
        for m in metrics:
            if isinstance(m, str):
                if m not in METRICS:
                    raise ValueError(f"unknown metric {m!r}; known: {', '.join(METRICS)}")
                fn = METRICS[m]
                if fn is accuracy and isinstance(loss_fn, BCEWithLogitsLoss):
                    fn = _logit_accuracy
                items.append((m, fn))
            elif callable(m):
                items.append((m.__name__, m))
            else:
                raise TypeError(f"a metric is a name or a function (pred, target), got {m!r}")
    for name, fn in items:
        if not callable(fn):
            raise TypeError(f"metric {name!r} is not callable")
    return dict(items)


def _input_dtype(model):
    """The float dtype of the model's parameters (None if it has none): batches are cast to it.

    NOTE: ``images / 255.0`` is float64; fed as is to float32 weights, the whole step (forward,
    backward, every gradient) would run in float64, at about half the speed, without a word.
    Keras casts inputs to its layers' dtype in the same way.
    """
    params = getattr(model, "parameters", None)
    for p in params() if callable(params) else ():
        dtype = getattr(getattr(p, "data", None), "dtype", None)
        if dtype is not None and dtype.kind == "f":
            return dtype
    return None


def _inputs(xb, dtype, batch: int) -> Tensor:
    xb = as_array(xb)
    if dtype is not None and xb.dtype != dtype:
        try:
            # NOTE: a finite value beyond the dtype's range (1e39 in float32) would become inf
            # and, a step later, nan in every weight; the cast's overflow flag costs nothing.
            with np.errstate(over="raise"):
                xb = xb.astype(dtype)
        except FloatingPointError:
            _check_fits(batch, "inputs", xb, dtype)
            raise ValueError(
                f"batch {batch}: its inputs do not fit the model's dtype {np.dtype(dtype)}"
            ) from None
    return Tensor(xb)


def _check_fits(batch: int, name: str, a: np.ndarray, dtype) -> None:
    """Raise ValueError naming the batch if `a` holds values beyond `dtype`'s range."""
    if a.dtype.kind not in "iuf" or a.ndim == 0:
        return
    largest = float(np.finfo(dtype).max)
    bad_rows = (np.abs(a) > largest).reshape(len(a), -1).any(axis=1)
    if np.any(bad_rows):
        bad = int(np.count_nonzero(bad_rows))
        raise ValueError(
            f"batch {batch} of the data loader has {name} that do not fit the model's dtype "
            f"{np.dtype(dtype)} ({bad} of {len(a)} samples hold values beyond ±{largest:.4g}, "
            "which become inf); rescale the data first (e.g. standardize)"
        )


def _target(yb):
    """Class indices stay numpy int arrays (what CrossEntropyLoss takes); float targets (MSE,
    BCE) become Tensors without gradient, as in PyTorch."""
    if np.issubdtype(yb.dtype, np.floating):
        return Tensor(yb)
    return yb


def _check_finite_data(batch: int, xb, yb, dtype=None) -> None:
    """Called when a batch's loss is nan or inf: if the data itself holds nan/inf, or finite
    values too large for the model's float ``dtype`` (1e39 becomes inf in float32), say so
    (before the step spreads nan into every weight) rather than blame the learning rate."""
    for name, a in (("inputs", as_array(xb)), ("targets", as_array(yb))):
        if a.dtype.kind != "f" or a.ndim == 0:
            continue
        bad_rows = ~np.isfinite(a).reshape(len(a), -1).all(axis=1)
        if np.any(bad_rows):
            bad = int(np.count_nonzero(bad_rows))
            raise ValueError(
                f"batch {batch} of the data loader has nan or inf in its {name} ({bad} of "
                f"{len(a)} samples); clean the data first (np.isfinite finds them)"
            )
        if dtype is not None:
            _check_fits(batch, name, a, dtype)


def _run_epoch(model, loss_fn, loader, metric_fns, optimizer=None, outputs=None) -> dict:
    """One pass over ``loader``: trains when ``optimizer`` is given, else only evaluates.
    Returns the mean loss per sample, and the metrics computed once on all the epoch's outputs
    (and appends each batch's outputs to the list ``outputs`` when one is given).

    NOTE: not an average of per-batch metrics: that is wrong for F1-like metrics, and a batch
    whose binary targets are all 1 cannot tell {0, 1} from {-1, 1} targets (see
    `autograd.metrics.accuracy`), which made batch_size=1 report up to double the accuracy.
    """
    reduction = getattr(loss_fn, "reduction", "mean")
    if reduction == "none":
        raise ValueError(
            "fit and evaluate need a scalar loss, but the loss has reduction='none' (one value "
            "per sample); use reduction='mean' (or 'sum')"
        )
    total = 0
    loss_sum = 0.0
    keep = bool(metric_fns) or outputs is not None
    outputs = [] if outputs is None else outputs
    targets = []
    dtype = _input_dtype(model)
    for batch, (xb, yb) in enumerate(loader):
        n = len(xb)
        if n == 0:
            continue
        target = _target(yb)
        if optimizer is not None:
            optimizer.zero_grad()
        out = model(_inputs(xb, dtype, batch))
        loss = loss_fn(out, target)
        value = float(loss.item())
        if not math.isfinite(value):
            _check_finite_data(batch, xb, yb, dtype)
        if optimizer is not None:
            loss.backward()
            optimizer.step()
        loss_sum += value if reduction == "sum" else value * n
        if metric_fns:
            targets.append(as_array(yb))
        if keep:
            outputs.append(out.data)
        total += n
    if total == 0:
        raise ValueError("the data loader yielded no samples")
    result = {"loss": loss_sum / total}
    if metric_fns:
        pred, target = np.concatenate(outputs), np.concatenate(targets)
        result.update({name: float(fn(pred, target)) for name, fn in metric_fns.items()})
    return result


def _set_mode(model, training: bool) -> None:
    if training:
        model.train()
    else:
        model.eval()


def evaluate(model, loss_fn, loader, metrics=("accuracy",), return_outputs: bool = False):
    """Mean loss and metrics of ``model`` over ``loader``, in ``eval()`` mode and ``no_grad``
    (the model's previous mode is restored): ``{"loss": ..., "accuracy": ...}``; with
    ``return_outputs``, ``(that dict, the model's outputs)``, the outputs one numpy array in
    the loader's order (what `predict` gives, without a second pass)."""
    metric_fns = _metric_functions(metrics, loss_fn)
    was_training = getattr(model, "training", True)
    model.eval()
    outputs = [] if return_outputs else None
    try:
        with no_grad():
            scores = _run_epoch(model, loss_fn, loader, metric_fns, outputs=outputs)
    finally:
        _set_mode(model, was_training)
    return (scores, np.concatenate(outputs)) if return_outputs else scores


def predict(model, x, batch_size: int = 1024) -> np.ndarray:
    """The model's outputs for the samples ``x`` as one numpy array, in ``eval()`` mode and
    ``no_grad``, ``batch_size`` samples at a time."""
    batch_size = positive_int("batch_size", batch_size)
    x = as_array(x)
    dtype = _input_dtype(model)
    was_training = getattr(model, "training", True)
    model.eval()
    try:
        with no_grad():
            outs = [
                model(_inputs(x[i : i + batch_size], dtype, i // batch_size)).data
                for i in range(0, len(x), batch_size)
            ]
    finally:
        _set_mode(model, was_training)
    if not outs:
        raise ValueError("predict got no samples")
    return np.concatenate(outs)


def _progress_bar(epochs: int, desc: str):
    try:
        from tqdm import tqdm
    except ImportError:
        raise ImportError(
            "fit(progress=True) shows a tqdm progress bar, and tqdm is not installed: "
            "pip install 'autograd-lab[train]', or pass progress=False"
        ) from None
    return tqdm(total=epochs, desc=desc or "training", unit="epoch")


def fit(
    model,
    loss_fn,
    optimizer,
    train_loader,
    val_loader=None,
    *,
    epochs: int,
    scheduler=None,
    early_stopping=None,
    progress: bool = True,
    metrics=("accuracy",),
    label: str = "",
    on_epoch_end: Callable[[History], None] | None = None,
) -> History:
    """Train ``model`` for up to ``epochs`` epochs; return the `History`.

    - ``loss_fn(model(Tensor(x)), target)``: integer targets are passed as numpy arrays
      (class indices), float targets as Tensors; ``x`` is cast to the dtype of the model's
      parameters (float64 or uint8 data through a float32 model runs in float32).
    - ``metrics``: names (``"accuracy"``), functions ``f(pred, target) -> float`` on numpy
      arrays, or a dict name -> function; recorded as ``train_<name>`` and ``val_<name>``.
    - ``scheduler``: a schedule from `autograd.optim.lr_scheduler`, stepped after every epoch.
    - ``early_stopping``: an `EarlyStopping` whose ``monitor`` is one of the
      history keys (``"val_loss"``, ``"val_accuracy"``, ``"train_loss"``, ...); when training
      ends its best weights are restored (``restore_best=True``), also if all epochs ran.
    - ``progress``: a tqdm bar over epochs with the latest figures (needs tqdm).
    - ``label``: the run's name in `autograd.plots.plot_history`.
    - ``on_epoch_end(history)``: called after each epoch is recorded, before the schedule and
      early-stopping steps (e.g. to keep the history and weights of the last finished epoch,
      which stay valid if Ctrl-C interrupts the next one).

    A non-finite training loss stops the run with a warning (the weights are then garbage);
    nan or inf in the data itself, or values too large for the model's dtype, raise ValueError
    naming the batch, before any step uses it. The model's mode is restored in any case.
    """
    epochs = positive_int("epochs", epochs)
    metric_fns = _metric_functions(metrics, loss_fn)
    keys = ["train_loss", *(f"train_{m}" for m in metric_fns)]
    if val_loader is not None:
        keys += ["val_loss", *(f"val_{m}" for m in metric_fns)]
    if early_stopping is not None and early_stopping.monitor not in keys:
        hint = " (there is no val_loader)" if early_stopping.monitor.startswith("val_") else ""
        raise ValueError(
            f"early_stopping monitors {early_stopping.monitor!r}{hint}; fit records "
            f"{', '.join(keys)}"
        )
    if scheduler is not None and getattr(scheduler, "optimizer", optimizer) is not optimizer:
        raise ValueError("the scheduler was made for a different optimizer than the one given")
    own = {id(p) for p in model.parameters()} if hasattr(model, "parameters") else set()
    if own and not own & {id(p) for p in getattr(optimizer, "params", own)}:
        raise ValueError(
            "the optimizer holds none of the model's parameters, so fit would train nothing: "
            "was it made for another model (e.g. before the model was re-created)?"
        )

    if early_stopping is not None:
        early_stopping.reset()  # a stopper reused for a second run starts afresh
    was_training = getattr(model, "training", True)
    history = History(label)
    bar = _progress_bar(epochs, label) if progress else None
    try:
        for epoch in range(epochs):
            start = time.perf_counter()
            lr = optimizer.lr
            model.train()
            train = _run_epoch(model, loss_fn, train_loader, metric_fns, optimizer)
            record = {f"train_{k}": v for k, v in train.items()}
            if val_loader is not None:
                val = evaluate(model, loss_fn, val_loader, metric_fns)
                record.update({f"val_{k}": v for k, v in val.items()})
            record["lr"] = lr
            record["time"] = time.perf_counter() - start
            history.append(**record)
            if bar is not None:
                shown = {k: f"{v:.4g}" for k, v in record.items() if k not in ("time", "lr")}
                bar.set_postfix(shown, refresh=False)
                bar.update(1)
            if on_epoch_end is not None:
                on_epoch_end(history)
            if not math.isfinite(train["loss"]):
                warnings.warn(
                    f"the training loss became {train['loss']} in epoch {epoch}; stopping "
                    "(try a smaller learning rate)",
                    RuntimeWarning,
                    stacklevel=2,
                )
                break
            if scheduler is not None:
                scheduler.step()
            if early_stopping is not None and early_stopping.step(
                record[early_stopping.monitor], model
            ):
                history.stopped_early = True
                break
    finally:
        if bar is not None:
            bar.close()
        _set_mode(model, was_training)  # also when a batch raised
    if early_stopping is not None:
        history.best_epoch = early_stopping.best_epoch
        early_stopping.restore(model)
    return history
