"""Tensor path vs a hand-written numpy trainer vs PyTorch CPU: MLP training throughput.

Three systems train the same MLPs from the same initial weights on the same random data,
float32, plain SGD (lr 0.05, weight decay 1e-3):

    ours    autograd's Tensor + nn + optim.SGD, the README's PyTorch-like loop
    numpy   bench/numpy_mlp.py: explicit forward and backprop formulas, no framework
    torch   bench/torch_mlp.py: PyTorch 2.13 CPU, torch.set_num_threads(2)

Workloads (issue 4): CIFAR-10-shaped 3072-100-10, sigmoid hidden, batch 32 and 500, MSE
against one-hot targets and cross-entropy; MNIST-shaped 784-512-512-10, ReLU, batch 128,
cross-entropy.

Every measurement is its own process (a worker: warm up, time a fixed number of steps in
blocks, print one JSON line with the median block's rate), and the systems alternate (ours,
numpy, torch, ours, ...): in one process one library's spinning BLAS/OpenMP threads would
steal the two cores from the next. The figure per system and workload is the median over the
repeats; a ratio is the median over the repeats of the ratio within one repeat (the systems
ran back to back there, so slow drift of the machine's speed cancels); bench/harness.py holds
this machinery, shared with bench/conv.py. The float32 GEMM peak
is measured in its own process too (numpy matmul of large square matrices, best of several),
and each system's achieved FLOP rate is given as a fraction of it.

    make bench-tensor                                   # check, then the full run
    bench/.venv/bin/python bench/tensor.py --quick      # smoke run (writes no JSON)
    bench/.venv/bin/python bench/tensor.py --check      # same loss and weights after steps?
    bench/.venv/bin/python bench/tensor.py --profile ours --configs cifar-ce-b32
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # harness.py, numpy_mlp.py and torch_mlp.py sit next to this file

from harness import (  # noqa: E402
    ROOT,
    THREADS,
    emit,
    machine_info,
    median_or_none,
    paired_ratios,
    time_training,
    torch_info,
    worker_peak,
    write_json,
)
from harness import spawn as spawn_script  # noqa: E402

RESULTS = HERE / "results" / "tensor.json"
SYSTEMS = ("ours", "numpy", "torch")
LR = 0.05
WEIGHT_DECAY = 1e-3
POOL_BATCHES = 8  # distinct random batches cycled through, so data is not always in cache


@dataclass(frozen=True)
class Config:
    name: str
    sizes: tuple[int, ...]
    activation: str
    loss: str
    batch: int
    steps: int  # timed steps per measurement (default; --steps overrides)

    def flops_per_sample(self) -> int:
        """Multiply-adds x 2 that every system actually does per sample and step: forward
        2·in·out per layer, weight gradient 2·in·out per layer, input gradient 2·in·out per
        layer except the first (nobody computes the gradient of the data)."""
        pairs = [i * o for i, o in zip(self.sizes[:-1], self.sizes[1:])]
        return 4 * sum(pairs) + 2 * sum(pairs[1:])

    def flops_per_sample_6x(self) -> int:
        """The common convention 6·Σ in·out (counts the first layer's input gradient too)."""
        return 6 * sum(i * o for i, o in zip(self.sizes[:-1], self.sizes[1:]))


CONFIGS = {
    c.name: c
    for c in [
        Config("cifar-mse-b32", (3072, 100, 10), "sigmoid", "mse", 32, 600),
        Config("cifar-mse-b500", (3072, 100, 10), "sigmoid", "mse", 500, 100),
        Config("cifar-ce-b32", (3072, 100, 10), "sigmoid", "cross_entropy", 32, 600),
        Config("cifar-ce-b500", (3072, 100, 10), "sigmoid", "cross_entropy", 500, 100),
        Config("mnist-ce-b128", (784, 512, 512, 10), "relu", "cross_entropy", 128, 150),
    ]
}


# --- the problem: same weights and data for every system -------------------------------------
def initial_weights(config: Config, seed: int = 0):
    """PyTorch's default Linear init, U(-1/sqrt(in), 1/sqrt(in)) for W and b, float32."""
    import numpy as np

    rng = np.random.default_rng(seed)
    weights = []
    for n_in, n_out in zip(config.sizes[:-1], config.sizes[1:]):
        bound = 1.0 / np.sqrt(n_in)
        w = rng.uniform(-bound, bound, size=(n_out, n_in)).astype(np.float32)
        b = rng.uniform(-bound, bound, size=n_out).astype(np.float32)
        weights.append((w, b))
    return weights


def data_pool(config: Config, seed: int = 1):
    """``POOL_BATCHES`` batches ``(x, target)``: x ~ N(0, 1) float32 (like normalised pixels),
    target int64 class indices for cross-entropy or float32 one-hot rows for MSE."""
    import numpy as np

    rng = np.random.default_rng(seed)
    classes = config.sizes[-1]
    pool = []
    for _ in range(POOL_BATCHES):
        x = rng.standard_normal((config.batch, config.sizes[0]), dtype=np.float32)
        y = rng.integers(0, classes, size=config.batch, dtype=np.int64)
        target = y if config.loss == "cross_entropy" else np.eye(classes, dtype=np.float32)[y]
        pool.append((x, target))
    return pool


# --- our system ---------------------------------------------------------------------------------
class OursMLP:
    """autograd's Tensor path, written the way the README trains a model."""

    def __init__(self, weights, activation="sigmoid", loss="cross_entropy", lr=LR,
                 weight_decay=0.0):  # fmt: skip
        from autograd import Tensor, nn, optim

        self.Tensor = Tensor
        act = {"sigmoid": nn.Sigmoid, "relu": nn.ReLU}[activation]
        layers = []
        for i, (w, b) in enumerate(weights):
            linear = nn.Linear(w.shape[1], w.shape[0])
            linear.weight.data[...] = w
            linear.bias.data[...] = b
            layers.append(linear)
            if i < len(weights) - 1:
                layers.append(act())
        self.linears = [m for m in layers if isinstance(m, nn.Linear)]
        self.model = nn.Sequential(*layers)
        self.mse = loss == "mse"
        self.loss_fn = nn.MSELoss() if self.mse else nn.CrossEntropyLoss()
        self.opt = optim.SGD(self.model.parameters(), lr=lr, weight_decay=weight_decay)

    def convert(self, x, target):
        """MSE targets become Tensors (as in PyTorch); class indices stay numpy int arrays."""
        return x, (self.Tensor(target) if self.mse else target)

    def step(self, x, target):
        self.opt.zero_grad()
        loss = self.loss_fn(self.model(self.Tensor(x)), target)
        loss.backward()
        self.opt.step()
        return loss

    def loss_value(self, x, target):
        from autograd import no_grad

        x, target = self.convert(x, target)
        with no_grad():
            return float(self.loss_fn(self.model(self.Tensor(x)), target).item())

    def gradients(self, x, target):
        x, target = self.convert(x, target)
        self.opt.zero_grad()
        loss = self.loss_fn(self.model(self.Tensor(x)), target)
        loss.backward()
        return float(loss.item()), [
            (m.weight.grad.copy(), m.bias.grad.copy()) for m in self.linears
        ]

    def parameters(self):
        return [(m.weight.data, m.bias.data) for m in self.linears]


def make_system(system: str, config: Config, weights, weight_decay=WEIGHT_DECAY):
    if system == "ours":
        cls = OursMLP
    elif system == "numpy":
        from numpy_mlp import NumpyMLP as cls
    elif system == "torch":
        from torch_mlp import TorchMLP as cls
        from torch_mlp import set_threads

        set_threads(THREADS)
    else:
        raise ValueError(f"unknown system {system!r}; expected one of {SYSTEMS}")
    return cls(weights, config.activation, config.loss, lr=LR, weight_decay=weight_decay)


# --- workers (each in its own process) --------------------------------------------------------
def worker_train(system: str, config: Config, steps: int, warmup: int) -> dict:
    """Warm up, then time ``steps`` training steps (`harness.time_training`); samples/s of the
    median block and the final loss."""
    import math

    trainer = make_system(system, config, initial_weights(config))
    raw = data_pool(config)
    pool = [trainer.convert(x, t) for x, t in raw]
    timing = time_training(trainer.step, pool, steps, warmup, config.batch)
    loss = trainer.loss_value(*raw[0])
    if not math.isfinite(loss):
        raise RuntimeError(f"{system} {config.name}: the loss became {loss} during training")
    result = {"system": system, "config": config.name, **timing, "final_loss": loss}
    if system == "torch":
        result.update(torch_info())
    return result


def run_worker(args) -> None:
    if args.worker == "peak":
        result = worker_peak()
    else:
        config = CONFIGS[args.config]
        steps = args.steps or config.steps
        result = worker_train(args.worker, config, steps, args.warmup or max(5, steps // 5))
    emit(result)


def spawn(argv: list[str], timeout: float) -> dict:
    """Run one worker process of this script (`harness.spawn`)."""
    return spawn_script(Path(__file__).resolve(), argv, timeout)


# --- check: the three systems compute the same thing --------------------------------------------
def run_check(systems: list[str], config_names: list[str], steps: int = 3) -> bool:
    """Same weights -> same loss, same gradients and same weights after ``steps`` SGD steps
    (float32 tolerance). In one process: nothing is timed here."""
    import numpy as np

    ok = True
    tol = 2e-4  # relative to the largest magnitude of each compared array; float32 sums differ
    for name in config_names:
        config = CONFIGS[name]
        weights, pool = initial_weights(config), data_pool(config)
        trainers = {s: make_system(s, config, weights) for s in systems}
        ref = "numpy" if "numpy" in systems else systems[0]
        grads = {s: t.gradients(*pool[0]) for s, t in trainers.items()}
        losses = {s: [] for s in systems}
        for s, t in trainers.items():
            for i in range(steps):
                t.step(*t.convert(*pool[i % POOL_BATCHES]))
            losses[s] = [grads[s][0], t.loss_value(*pool[0])]
        for s in [s for s in systems if s != ref]:
            worst = {"loss": 0.0, "grad": 0.0, "weights": 0.0}
            for a, b in zip(losses[ref], losses[s]):
                worst["loss"] = max(worst["loss"], abs(a - b) / max(abs(a), 1e-12))
            for pair_a, pair_b in zip(grads[ref][1], grads[s][1]):
                for a, b in zip(pair_a, pair_b):
                    d = float(np.max(np.abs(a - b)) / max(np.max(np.abs(a)), 1e-12))
                    worst["grad"] = max(worst["grad"], d)
            for pair_a, pair_b in zip(trainers[ref].parameters(), trainers[s].parameters()):
                for a, b in zip(pair_a, pair_b):
                    d = float(np.max(np.abs(np.asarray(a) - np.asarray(b))) / np.max(np.abs(a)))
                    worst["weights"] = max(worst["weights"], d)
            good = all(v <= tol for v in worst.values())
            ok &= good
            figures = "  ".join(f"{k} {v:.1e}" for k, v in worst.items())
            print(
                f"check {name:<15} {s} vs {ref}: loss {losses[s][0]:.6f} -> {losses[s][1]:.6f}"
                f"  max rel diff: {figures}  {'ok' if good else 'MISMATCH'}"
            )
    return ok


# --- profile: where does our time go? -----------------------------------------------------------
def run_profile(system: str, config_names: list[str], steps: int, top: int = 25) -> None:
    """cProfile of ``steps`` training steps (after a warm-up), sorted by own time. cProfile
    inflates Python-heavy code, so read the shares, then confirm changes with the timed run."""
    import cProfile
    import pstats

    for name in config_names:
        config = CONFIGS[name]
        trainer = make_system(system, config, initial_weights(config))
        pool = [trainer.convert(x, t) for x, t in data_pool(config)]
        for i in range(10):
            trainer.step(*pool[i % POOL_BATCHES])
        n = steps or config.steps
        profiler = cProfile.Profile()
        start = time.perf_counter()
        profiler.enable()
        for i in range(n):
            trainer.step(*pool[i % POOL_BATCHES])
        profiler.disable()
        per_step = (time.perf_counter() - start) / n
        print(f"\n=== {system} {name}: {n} steps, {1e6 * per_step:.0f} us/step under cProfile")
        stats = pstats.Stats(profiler)
        stats.sort_stats("tottime").print_stats(top)


# --- the driver ---------------------------------------------------------------------------------
def summarize(configs, systems, runs, peaks) -> dict:
    peak = max((p["gflops"] for p in peaks if "gflops" in p), default=None)
    out = {}
    for c in configs:
        entry = {**asdict(c), "flops_per_sample": c.flops_per_sample(),
                 "flops_per_sample_6x": c.flops_per_sample_6x(), "systems": {}}  # fmt: skip
        for s in systems:
            rs = [r for r in runs[(c.name, s)] if "samples_per_s" in r]
            errors = [r["error"] for r in runs[(c.name, s)] if "error" in r]
            med = median_or_none([r["samples_per_s"] for r in rs])
            entry["systems"][s] = {
                "samples_per_s": med,
                "runs": [r["samples_per_s"] for r in rs],
                "blocks": [r["block_samples_per_s"] for r in rs],
                "final_loss": rs[-1]["final_loss"] if rs else None,
                "gflops": med * c.flops_per_sample() / 1e9 if med else None,
                "fraction_of_peak": med * c.flops_per_sample() / 1e9 / peak
                if med and peak
                else None,
                "errors": errors,
            }
        sps = {s: entry["systems"][s]["samples_per_s"] for s in systems}
        for other in ("torch", "numpy"):
            if "ours" in systems and other in systems:
                # The ratio within each repeat (the two ran back to back), then the median
                # over repeats: drift in the machine's speed between repeats cancels out.
                paired = paired_ratios(runs[(c.name, "ours")], runs[(c.name, other)])
                if paired:
                    entry[f"ours/{other}"] = statistics.median(paired)
                    entry[f"ours/{other} per repeat"] = paired
        if sps.get("ours") and sps.get("numpy"):
            # what the framework costs on top of the same arithmetic, per training step
            entry["overhead_us_per_step"] = 1e6 * c.batch * (1 / sps["ours"] - 1 / sps["numpy"])
        out[c.name] = entry
    return {"peak_gflops": peak, "peak_runs": peaks, "configs": out}


TARGETS = {"ours/torch": {32: 1.0, 500: 1.2}, "ours/numpy": 0.85}


def print_table(summary: dict, systems: list[str], repeats: int) -> None:
    peak = summary["peak_gflops"]
    print()
    print(f"float32 GEMM peak (numpy matmul, 2048^2 and 4096^2, best): {peak or float('nan'):.1f}"
          " GFLOP/s")  # fmt: skip
    print(f"samples/s, median of {repeats} processes per cell; % = share of that peak; ratios:"
          " median over the repeats of the ratio within one repeat")  # fmt: skip
    head = f"{'workload':<15}" + "".join(f"{s:>16}" for s in systems)
    head += f"{'ours/torch':>12}{'ours/numpy':>12}{'overhead':>11}"
    print(head)
    for name, e in summary["configs"].items():
        row = f"{name:<15}"
        for s in systems:
            d = e["systems"][s]
            if d["samples_per_s"] is None:
                row += f"{'failed':>16}"
            else:
                pct = f"{100 * d['fraction_of_peak']:3.0f}%" if d["fraction_of_peak"] else ""
                row += f"{d['samples_per_s']:>10,.0f} {pct:>5}"
        for key in ("ours/torch", "ours/numpy"):
            if key in e:
                target = TARGETS[key]
                goal = target.get(e["batch"]) if isinstance(target, dict) else target
                mark = "" if goal is None else (" ok" if e[key] >= goal else " <")
                row += f"{e[key]:>9.2f}x{mark:<2}"
            else:
                row += f"{'-':>12}"
        if "overhead_us_per_step" in e:
            row += f"{e['overhead_us_per_step']:>7.0f} us"
        print(row)
    print("targets: ours/torch >= 1.2x at batch 500 and >= 1.0x at batch 32; "
          "ours/numpy >= 0.85x everywhere ('<' = missed)")  # fmt: skip
    if any("overhead_us_per_step" in e for e in summary["configs"].values()):
        print("overhead = ours' time per step minus the numpy trainer's: the framework's cost")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9, help="processes per system/workload")
    parser.add_argument(
        "--steps",
        type=int,
        default=0,
        help="timed steps per process (default: per workload, ~1 s each)",
    )
    parser.add_argument("--warmup", type=int, default=0, help="untimed steps (default steps/5)")
    parser.add_argument(
        "--systems",
        default=",".join(SYSTEMS),
        help=f"comma-separated subset of {','.join(SYSTEMS)}",
    )
    parser.add_argument(
        "--configs",
        default=",".join(CONFIGS),
        help=f"comma-separated subset of {','.join(CONFIGS)}",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: 1 repeat, 1/10 of the steps, no JSON unless --out",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="only check that the systems compute the same losses and weights",
    )
    parser.add_argument("--no-check", action="store_true", help="skip the check before timing")
    parser.add_argument(
        "--profile",
        choices=SYSTEMS,
        help="cProfile one system's training steps (in this process), no timing",
    )
    parser.add_argument("--out", default=None, help=f"JSON results (default {RESULTS})")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per worker")
    parser.add_argument("--worker", choices=[*SYSTEMS, "peak"], help=argparse.SUPPRESS)
    parser.add_argument("--config", choices=list(CONFIGS), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)  # fmt: skip

    if args.worker:
        run_worker(args)
        return 0

    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    names = [c.strip() for c in args.configs.split(",") if c.strip()]
    for s in systems:
        if s not in SYSTEMS:
            parser.error(f"unknown system {s!r}; expected some of {', '.join(SYSTEMS)}")
    for n in names:
        if n not in CONFIGS:
            parser.error(f"unknown workload {n!r}; expected some of {', '.join(CONFIGS)}")

    if args.check:
        return 0 if run_check(systems, names) else 1
    if args.profile:
        run_profile(args.profile, names, args.steps)
        return 0

    if not args.no_check and len(systems) > 1:
        # In its own process, so no library stays loaded (or spinning) in this one.
        check = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--check",
             "--systems", ",".join(systems), "--configs", ",".join(names)],
            cwd=ROOT, timeout=args.timeout,
        )  # fmt: skip
        if check.returncode != 0:
            print("the systems disagree (or one failed to load): not timing. --no-check skips.")
            return 1

    repeats = 1 if args.quick else args.repeats
    configs = [CONFIGS[n] for n in names]
    runs = {(c.name, s): [] for c in configs for s in systems}
    peaks, broken = [], {}
    started = time.time()
    for r in range(repeats):
        peaks.append(spawn(["--worker", "peak"], args.timeout))
        for c in configs:
            steps = args.steps or (max(5, c.steps // 10) if args.quick else c.steps)
            warmup = args.warmup or (3 if args.quick else max(5, steps // 5))
            for s in systems:
                if s in broken:  # a system that cannot run is not retried 5 x 5 times
                    continue
                res = spawn(["--worker", s, "--config", c.name, "--steps", str(steps),
                             "--warmup", str(warmup)], args.timeout)  # fmt: skip
                runs[(c.name, s)].append(res)
                if "error" in res:
                    print(f"  {s} {c.name}: {res['error']}", file=sys.stderr)
                    broken[s] = res["error"]
                else:
                    print(f"  repeat {r + 1}/{repeats} {c.name:<15} {s:<6}"
                          f" {res['samples_per_s']:>10,.0f} samples/s", flush=True)  # fmt: skip
    summary = summarize(configs, systems, runs, peaks)
    print_table(summary, systems, repeats)
    print(f"({time.time() - started:.0f} s)")

    out = args.out or (None if args.quick else str(RESULTS))
    if out:
        torch_version = next((r.get("torch") for v in runs.values() for r in v if r.get("torch")),
                             None)  # fmt: skip
        data = {
            "command": " ".join([Path(sys.executable).name, *sys.argv]),
            "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "machine": machine_info(),
            "numpy": next((p.get("numpy") for p in peaks if p.get("numpy")), None),
            "torch": torch_version,
            "lr": LR,
            "weight_decay": WEIGHT_DECAY,
            "repeats": repeats,
            **summary,
        }
        write_json(Path(out), data)
        print(f"results written to {out}")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
