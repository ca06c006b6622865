"""Many seeds of a tiny network at once (EXERCISES B1, B2).

The course repeats training of tiny networks over hundreds of seeds (B1: 500 seeds of XOR;
B2: 20 parity configurations x 100 seeds x 1000 epochs). One seed at a time through `fit`
spends nearly all its time in Python overhead on 4-64 samples. `train_seeds` trains every
seed of one configuration as ONE computation on the Tensor path: the weights of all seeds are
stacked along a leading seed axis, each layer is one batched matmul ``(S, N, K) @ (S, K, M)``,
and the gradients come from `Tensor.backward()`, the library's one backward (no derivative is
written here). The loss it differentiates is the sum of the seeds' losses, ``sum_s L_s``:
seed ``s``'s weights enter only ``L_s``, so ``d(sum_s L_s)/dW_s = dL_s/dW_s`` and one backward
gives every seed its own gradient. `sweep` spreads configurations (and chunks of seeds) over
processes with joblib, whose backends also reach a Dask or Ray cluster
(``joblib.parallel_config(backend=...)``).

What is trained is exactly what `fit` trains, one seed at a time, and what ``autograd train``
trains with the same settings and seed (tests check both to float tolerance): the model
`TinyNet.build(seed)` (`autograd.experiments.build_model`), full-batch plain SGD
(`autograd.optim.SGD`), the course's MSE (summed over the outputs, averaged over the samples)
plus the course's L2, ``(l2 / 2) * sum ||W||^2`` on the weights only (`autograd.nn.l2_penalty`).
The curves follow `fit`'s convention: epoch ``e`` (from 0) records the loss and accuracy of the
outputs the ``e``-th step was computed from; ``final_*`` are measured on the trained weights.
Accuracies are `autograd.metrics.batched_accuracy`: per seed, exactly `metrics.accuracy`, the
number ``autograd train`` reports.

NOTE: the graph of each epoch costs time that a hand-written backward would not: measured paired,
1.2-2x for B1's 500 seeds and 2.2x for the B2 sweep (bench/README.md, "Many seeds"); one chain
rule is worth it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from autograd import arguments, metrics, nn, optim
from autograd.experiments.build import build_model
from autograd.experiments.config import Config
from autograd.files import write_csv
from autograd.functional import concatenate, mse_loss
from autograd.tensor import Tensor, no_grad

__all__ = [
    "TinyNet",
    "SeedRuns",
    "train_seeds",
    "sweep",
    "parallel_map",
    "seed_statistics",
]

# the activations a TinyNet may use; each is the Tensor op of that name (what nn.Tanh,
# nn.Sigmoid and nn.ReLU call), "linear" is none
HIDDEN = ("tanh", "sigmoid", "relu")
OUTPUTS = ("tanh", "sigmoid", "linear")


@dataclass(frozen=True)
class TinyNet:
    """A small fully connected network and how the course trains it (EXERCISES B1, B2).

    ``sizes``: layer widths from inputs to outputs (``(2, 2, 1)``: B1 architecture 1);
    ``skip``: one hidden layer, and the inputs also wired into the output layer (``(2, 1, 1)``
    with ``skip=True``: B1 architecture 2); ``activation`` of the hidden layers (``tanh``,
    ``sigmoid``, ``relu``) and ``output`` of the last one (``tanh``, ``sigmoid``, ``linear``);
    ``init``: the weight initializer (biases start at 0). Training: full-batch plain SGD with
    ``lr`` for ``epochs`` epochs on the course's MSE plus its L2 ``(l2 / 2) * sum ||W||^2``.

    ``build(seed)`` is `autograd.experiments.build_model` of ``config(seed)``: the network
    ``autograd train`` trains with these settings and that seed (float32).
    """

    sizes: tuple[int, ...]
    skip: bool = False
    activation: str = "tanh"
    output: str = "tanh"
    init: str = "glorot_normal"
    lr: float = 0.5
    l2: float = 0.01
    epochs: int = 200

    def __post_init__(self):
        sizes = tuple(self.sizes)
        if len(sizes) < 2 or any(
            isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1 for n in sizes
        ):
            raise ValueError(f"sizes must be two or more positive ints (in, ..., out), got {sizes}")
        if self.skip and len(sizes) != 3:
            raise ValueError(f"skip=True needs one hidden layer: sizes like (2, 1, 1), got {sizes}")
        object.__setattr__(self, "sizes", tuple(int(n) for n in sizes))
        for what, known in (("activation", HIDDEN), ("output", OUTPUTS)):
            if getattr(self, what) not in known:
                raise ValueError(
                    f"unknown {what} {getattr(self, what)!r}; known: {', '.join(known)}"
                )
        object.__setattr__(self, "epochs", arguments.positive_int("epochs", self.epochs))
        object.__setattr__(self, "lr", arguments.positive("lr", self.lr))
        object.__setattr__(self, "l2", arguments.nonnegative("l2", self.l2))
        nn.init.get(self.init)  # an unknown name fails here, listing the known ones

    @classmethod
    def from_config(cls, config: Config) -> TinyNet:
        """The network and training of an experiment's `Config` (see `repeat.batchable` for
        the experiments that qualify: full-batch plain SGD on the course's MSE)."""
        return cls(
            sizes=tuple(config.layers),
            skip=config.arch == "skip",
            activation=config.act,
            output=config.out_act,
            init=config.init,
            lr=config.lr,
            l2=config.l2,
            epochs=config.epochs,
        )

    def config(self, seed: int = 0) -> Config:
        """These settings as an experiment `Config` (data set left to the caller)."""
        return Config(
            arch="skip" if self.skip else "mlp",
            layers=list(self.sizes),
            act=self.activation,
            out_act=self.output,
            init=self.init,
            loss="mse",
            optimizer="sgd",
            lr=self.lr,
            l2=self.l2,
            epochs=self.epochs,
            batch_size=0,
            seed=int(seed),
        )

    @property
    def name(self) -> str:
        return "-".join(map(str, self.sizes)) + (" skip" if self.skip else "")

    def build(self, seed: int) -> nn.Module:
        """The library model of one seed: what `train_seeds` trains for that seed."""
        return build_model(self.config(seed))

    def initial_weights(self, seeds) -> list[tuple[np.ndarray, np.ndarray]]:
        """``[(W, b), ...]`` per layer with a leading seed axis, ``W`` of shape (seeds, out,
        in): the initial weights of ``build(seed)`` for every seed, in layer order."""
        per_seed = [_layer_params(self.build(int(s))) for s in seeds]
        return [
            (np.stack([p[i][0] for p in per_seed]), np.stack([p[i][1] for p in per_seed]))
            for i in range(len(per_seed[0]))
        ]


def _layer_params(model) -> list[tuple[np.ndarray, np.ndarray]]:
    """(weight, bias) arrays of a `TinyNet.build` model's Linear layers, in forward order."""
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    return [(m.weight.data, m.bias.data) for m in linears]


def seed_statistics(accuracy, stuck_at: float = 0.5) -> dict:
    """Of final accuracies, one per seed: ``seeds``, ``mean_accuracy``, ``std_accuracy``,
    ``solved_fraction`` (accuracy 1) and ``stuck_fraction`` (accuracy at most ``stuck_at``)."""
    a = np.asarray(accuracy, dtype=np.float64)
    return {
        "seeds": int(a.size),
        "mean_accuracy": float(a.mean()),
        "std_accuracy": float(a.std()),
        "solved_fraction": float(np.mean(a == 1.0)),
        "stuck_fraction": float(np.mean(a <= stuck_at)),
    }


@dataclass
class SeedRuns:
    """The outcome of `train_seeds`: one row per seed.

    ``curves``: {``train_loss``, ``train_accuracy``}, each an array (seeds, epochs), in `fit`'s
    convention (see the module docstring); ``final_loss`` / ``final_accuracy``: (seeds,), of
    the trained weights; ``outputs``: (seeds, samples, outputs) of the trained weights;
    ``weights``: per layer ``(W, b)`` stacked over seeds.
    """

    net: TinyNet
    seeds: np.ndarray
    curves: dict[str, np.ndarray]
    final_loss: np.ndarray
    final_accuracy: np.ndarray
    outputs: np.ndarray
    weights: list[tuple[np.ndarray, np.ndarray]]
    seconds: float = 0.0
    label: str = ""
    stuck_at: float = field(default=0.5)
    threshold: float | None = None  # where the one output splits the classes (`train_seeds`)

    @property
    def stuck(self) -> np.ndarray:
        """True for a seed whose final accuracy is at most ``stuck_at`` (chance level, 0.5,
        by default): it did not learn the task."""
        return self.final_accuracy <= self.stuck_at

    def summary(self) -> dict[str, float]:
        """Mean and std over seeds of the final accuracy and loss, and the fractions of solved
        and stuck seeds (`seed_statistics`)."""
        return {
            **seed_statistics(self.final_accuracy, self.stuck_at),
            "mean_loss": float(self.final_loss.mean()),
            "std_loss": float(self.final_loss.std()),
        }

    def evaluate(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        """``(loss, accuracy)`` per seed of the trained weights on other data ``(x, y)``."""
        x, y = _check_data(self.net, x, y)
        loss, accuracy, _ = _scores(self.net, _stacked(self.weights), x, y, self.threshold)
        return loss, accuracy

    def histories(self) -> list[dict[str, list[float]]]:
        """One dict of curves per seed (what `autograd.plots.plot_band` takes)."""
        return [{k: v[i].tolist() for k, v in self.curves.items()} for i in range(len(self.seeds))]

    def model(self, index: int) -> nn.Module:
        """The trained library model of the ``index``-th seed (e.g. to draw or save it)."""
        model = self.net.build(int(self.seeds[index]))
        for (w, b), (ws, bs) in zip(_layer_params(model), self.weights):
            w[...] = ws[index]
            b[...] = bs[index]
        return model

    def write_csv(self, path) -> Path:
        """Per-seed metrics: seed, final accuracy and loss, stuck (0/1). The folder must exist
        (`autograd.files.write_csv`: written whole or not at all)."""
        rows = (
            [int(s), f"{a:.6g}", f"{lo:.6g}", int(st)]
            for s, a, lo, st in zip(self.seeds, self.final_accuracy, self.final_loss, self.stuck)
        )
        return write_csv(path, ["seed", "final_accuracy", "final_loss", "stuck"], rows)

    @staticmethod
    def concatenate(parts: list[SeedRuns]) -> SeedRuns:
        """Join the runs of chunks of seeds of one configuration (in the given order)."""
        first = parts[0]
        if any(p.net != first.net for p in parts):
            raise ValueError("can only join runs of the same TinyNet")
        return SeedRuns(
            net=first.net,
            seeds=np.concatenate([p.seeds for p in parts]),
            curves={k: np.concatenate([p.curves[k] for p in parts]) for k in first.curves},
            final_loss=np.concatenate([p.final_loss for p in parts]),
            final_accuracy=np.concatenate([p.final_accuracy for p in parts]),
            outputs=np.concatenate([p.outputs for p in parts]),
            weights=[
                (
                    np.concatenate([p.weights[i][0] for p in parts]),
                    np.concatenate([p.weights[i][1] for p in parts]),
                )  # fmt: skip
                for i in range(len(first.weights))
            ],
            seconds=max(p.seconds for p in parts),
            label=first.label,
            stuck_at=first.stuck_at,
            threshold=first.threshold,
        )


def _check_data(net: TinyNet, x, y) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=np.float32)
    y = np.asarray(y, dtype=np.float32)
    if y.ndim == 1:
        y = y[:, None]
    if x.ndim != 2 or x.shape[1] != net.sizes[0]:
        raise ValueError(f"x must have shape (samples, {net.sizes[0]}), got {x.shape}")
    if y.shape != (len(x), net.sizes[-1]):
        raise ValueError(f"y must have shape ({len(x)}, {net.sizes[-1]}), got {y.shape}")
    return x, y


def _activation(name: str):
    """The Tensor op of the activation ``name`` (``Tensor.tanh``, ...); None for "linear"."""
    return None if name == "linear" else getattr(Tensor, name)


def _stacked(weights) -> list[tuple[nn.Parameter, nn.Parameter]]:
    """`SeedRuns.weights` (per layer ``W`` (seeds, out, in), ``b`` (seeds, out)) as Parameters
    laid out for the batched forward: ``W`` (seeds, in, out), each seed's weight transposed so
    that a layer is ``a @ W + b``, and ``b`` (seeds, 1, out). Copies: training leaves the
    arrays it was given alone."""
    return [
        (nn.Parameter(w.transpose(0, 2, 1).copy()), nn.Parameter(b[:, None, :].copy()))
        for w, b in weights
    ]


def _unstacked(params) -> list[tuple[np.ndarray, np.ndarray]]:
    """`_stacked`'s Parameters back in `SeedRuns.weights`' layout (new arrays)."""
    return [(w.data.transpose(0, 2, 1).copy(), b.data[:, 0, :].copy()) for w, b in params]


def _forward(net: TinyNet, params, x: Tensor) -> Tensor:
    """The outputs (seeds, samples, outputs) of every seed's network on ``x`` (samples, in):
    each layer is ``f(a @ W + b)`` over the whole seed axis at once; the first layer's ``a = x``
    is shared by the seeds (matmul broadcasts it)."""
    hidden, output = _activation(net.activation), _activation(net.output)
    last = len(params) - 1
    a = x
    for i, (w, b) in enumerate(params):
        if i == last and net.skip:  # the inputs are wired into the output layer too
            inputs = Tensor(np.broadcast_to(x.data, (len(w.data), *x.shape)))
            a = concatenate([inputs, a], axis=2)
        a = a @ w + b
        f = output if i == last else hidden
        a = a if f is None else f(a)
    return a


def _course_mse(out: Tensor, target: Tensor) -> Tensor:
    """The course's MSE of every seed, shape (seeds,): ``(1/n) sum_{i,o} (y_io - t_io)^2`` over
    the ``n`` samples (`autograd.experiments.build.CourseMSELoss`, one value per seed)."""
    return mse_loss(out, target, reduction="none").sum(axis=(1, 2)) * (1.0 / out.shape[1])


def _scores(net: TinyNet, params, x: np.ndarray, y: np.ndarray, threshold: float | None):
    """Per seed: the course's MSE (float64), the accuracy and the outputs of ``params`` on
    ``(x, y)``."""
    with no_grad():
        out = _forward(net, params, Tensor(x))
        loss = _course_mse(out, Tensor(np.broadcast_to(y, out.shape)))
    return (
        loss.data.astype(np.float64),
        metrics.batched_accuracy(out.data, y, threshold),
        out.data,
    )


def train_seeds(
    net: TinyNet,
    x,
    y,
    seeds,
    label: str = "",
    stuck_at: float = 0.5,
    threshold: float | None = None,
) -> SeedRuns:
    """Train ``net`` from every seed in ``seeds`` at once on the full batch ``(x, y)``.

    Returns a `SeedRuns`; the weights of seed ``s`` start as ``net.build(s)``'s, and every
    number equals (to float rounding) what `fit` gives for that model alone with
    ``optim.SGD(lr)`` and the loss ``MSE + nn.l2_penalty(model, l2)``. Each epoch: the batched
    forward, the loss ``sum_s (MSE_s + L2_s)``, `Tensor.backward`, one `optim.SGD` step.
    Accuracies of one output per sample split the classes at ``threshold`` (default: by the
    codes of the training targets, `metrics.binary_threshold`: 0 for {-1, 1}, 0.5 for {0, 1};
    for targets of one class, by the output: 0 for tanh, 0.5 for sigmoid), on every split, so
    a test split of one class is scored as the training data is.
    """
    start = time.perf_counter()
    seeds = np.asarray(seeds, dtype=np.int64).ravel()
    if seeds.size == 0:
        raise ValueError("train_seeds needs at least one seed")
    x, y = _check_data(net, x, y)
    if threshold is None and y.shape[-1] == 1:
        by_output = {"tanh": 0.0, "sigmoid": 0.5}  # for targets of one class, which fit both
        if len(np.unique(y)) > 1 or net.output not in by_output:
            threshold = metrics.binary_threshold(y)
        else:
            threshold = by_output[net.output]
    params = _stacked(net.initial_weights(seeds))
    weights = [w for w, _ in params]  # the course's L2 leaves the biases alone
    optimizer = optim.SGD([p for pair in params for p in pair], lr=net.lr)
    inputs, target = Tensor(x), Tensor(np.broadcast_to(y, (len(seeds), *y.shape)))
    losses = np.empty((len(seeds), net.epochs), dtype=np.float64)
    accuracies = np.empty_like(losses)
    for epoch in range(net.epochs):
        out = _forward(net, params, inputs)
        mse = _course_mse(out, target)
        losses[:, epoch] = mse.data
        accuracies[:, epoch] = metrics.batched_accuracy(out.data, y, threshold)
        optimizer.zero_grad()
        (mse.sum() + nn.l2_penalty(weights, net.l2)).backward()
        optimizer.step()
    final_loss, final_accuracy, outputs = _scores(net, params, x, y, threshold)
    return SeedRuns(
        net=net,
        seeds=seeds,
        curves={"train_loss": losses, "train_accuracy": accuracies},
        final_loss=final_loss,
        final_accuracy=final_accuracy,
        outputs=outputs,
        weights=_unstacked(params),
        seconds=time.perf_counter() - start,
        label=label,
        stuck_at=stuck_at,
        threshold=threshold,
    )


def parallel_map(function, arguments: list[tuple], n_jobs: int = 1) -> list:
    """``[function(*a) for a in arguments]``, in ``n_jobs`` processes with joblib when
    ``n_jobs != 1`` (-1: one per core; ``joblib.parallel_config`` may send the calls to a Dask
    or Ray cluster instead). The one place this package runs work in parallel."""
    if n_jobs == 1:
        return [function(*a) for a in arguments]
    try:
        import joblib
    except ImportError:
        raise ImportError(
            "running seeds in several processes needs joblib: pip install "
            "'autograd-lab[experiments]' (or one process: n_jobs=1, --jobs 1)"
        ) from None
    call = joblib.delayed(function)
    return joblib.Parallel(n_jobs=n_jobs)(call(*a) for a in arguments)


def sweep(jobs, n_jobs: int = 1, chunks: int = 1) -> list[SeedRuns]:
    """Train several configurations, each over its seeds: ``jobs`` is a list of
    ``(label, net, x, y, seeds)``; returns one `SeedRuns` per job, in order.

    ``n_jobs > 1`` (or -1: one per core) runs jobs in that many processes with joblib (what
    ``joblib.parallel_config`` selects: processes by default, or a Dask / Ray cluster); each
    job's seeds are cut into ``chunks`` pieces so that a single large configuration also
    spreads over the processes. Seeds are independent, so the numbers do not depend on
    ``n_jobs`` or ``chunks``.
    """
    jobs = list(jobs)
    chunks = arguments.positive_int("chunks", chunks)
    tasks = []
    for j, (label, net, x, y, seeds) in enumerate(jobs):
        seeds = np.asarray(seeds, dtype=np.int64).ravel()
        for piece in np.array_split(seeds, min(chunks, max(1, len(seeds)))):
            tasks.append((j, label, net, x, y, piece))
    done = parallel_map(train_seeds, [(net, x, y, s, label) for _, label, net, x, y, s in tasks],
                        n_jobs)  # fmt: skip
    return [
        SeedRuns.concatenate([r for (j, *_), r in zip(tasks, done) if j == k])
        for k in range(len(jobs))
    ]
