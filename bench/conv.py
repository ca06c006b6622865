"""Convolutional networks of the course (EXERCISES.md, C5): training throughput of our Tensor
path against PyTorch CPU with 2 threads.

Both systems train the same network, built from the same description with the same layer
names (``nn.Conv2d``, ``nn.MaxPool2d``, ``nn.Flatten``, ``nn.Linear``, ...: our ``nn`` and
``torch.nn`` read the same), from the same initial weights on the same random data shaped like
the real set, float32, with the exercise's optimizer and loss:

    lenet5-cifar-b64   LeNet-5 on 3x32x32 images, plain SGD, batch 64
    lenet5-cifar-b40   the same at batch 40
    mnist-conv1-b40    Conv2d(1, 1, 4) -> Flatten -> Linear(625, 10) -> ReLU, SGD, batch 40
    fashion-conv2-b40  Conv2d(1, 20, 4) + ReLU -> Conv2d(20, 1, 3) + ELU -> Flatten ->
                       Linear(529, 10) -> ReLU, cross-entropy with the footwear classes
                       weighted 2, Adam, batch 40
    cifar-dense-b64    Conv2d(3, 3, 5) + ReLU -> Flatten -> Linear(2352, 10000) + ReLU ->
                       Linear(10000, 10), Adagrad, batch 64

Every measurement is its own process and the ratio ours/torch is paired within a repeat
(bench/harness.py, shared with bench/tensor.py). Target (issue 22): ours >= 1.0x PyTorch on
every network (floor 0.8x), and LeNet-5's 10 CIFAR-10 epochs (500,000 samples) in under 3
minutes. With the fast extra installed (bench/.venv has it) ours runs the compiled kernels;
AUTOGRAD_NUMBA=0 times the numpy path.

    bench/.venv/bin/python bench/conv.py                 # check, then 5 repeats (~6 min)
    bench/.venv/bin/python bench/conv.py --check         # same loss and gradients as torch?
    bench/.venv/bin/python bench/conv.py --quick         # smoke run (writes no JSON)
    bench/.venv/bin/python bench/conv.py --profile --configs lenet5-cifar-b64
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from harness import (  # noqa: E402
    THREADS,
    check_in_own_process,
    emit,
    load_average,
    machine_info,
    measure,
    median_or_none,
    paired_ratios,
    profile_steps,
    spawn,
    write_json,
)

RESULTS = HERE / "results" / "conv.json"
SYSTEMS = ("ours", "torch")
POOL_BATCHES = 8
TARGET = 1.0  # ours/torch (issue 22; issue 13's was 0.5)
FLOOR = 0.8  # below this a network is a miss, between FLOOR and TARGET a near miss
LENET_EPOCH_SAMPLES = 50_000
LENET_EPOCHS, LENET_SECONDS = 10, 180  # LeNet-5's 10 CIFAR-10 epochs in under 3 minutes
FOOTWEAR = (5, 7, 9)  # Fashion-MNIST: sandal, sneaker, ankle boot

LENET5 = (("conv", 3, 6, 5), ("relu",), ("maxpool", 2), ("conv", 6, 16, 5), ("relu",),
          ("maxpool", 2), ("flatten",), ("linear", 400, 120), ("relu",), ("linear", 120, 84),
          ("relu",), ("linear", 84, 10))  # fmt: skip


@dataclass(frozen=True)
class Config:
    name: str
    image: tuple[int, int, int]  # (C, H, W)
    layers: tuple
    optimizer: str
    lr: float
    batch: int
    steps: int  # timed steps per measurement (default; --steps overrides)
    class_weight: tuple = field(default=())


CONFIGS = {
    c.name: c
    for c in [
        Config("lenet5-cifar-b64", (3, 32, 32), LENET5, "SGD", 0.01, 64, 150),
        Config("lenet5-cifar-b40", (3, 32, 32), LENET5, "SGD", 0.01, 40, 150),
        Config("mnist-conv1-b40", (1, 28, 28),
               (("conv", 1, 1, 4), ("flatten",), ("linear", 625, 10), ("relu",)),
               "SGD", 0.01, 40, 500),
        Config("fashion-conv2-b40", (1, 28, 28),
               (("conv", 1, 20, 4), ("relu",), ("conv", 20, 1, 3), ("elu",), ("flatten",),
                ("linear", 529, 10), ("relu",)),
               "Adam", 1e-3, 40, 100,
               tuple(2.0 if k in FOOTWEAR else 1.0 for k in range(10))),
        Config("cifar-dense-b64", (3, 32, 32),
               (("conv", 3, 3, 5), ("relu",), ("flatten",), ("linear", 2352, 10000), ("relu",),
                ("linear", 10000, 10)),
               "Adagrad", 1e-3, 64, 16),
    ]
}  # fmt: skip


def build(nn, layers):
    """The network from its description, with `nn` = ``autograd.nn`` or ``torch.nn``: the
    same code builds both."""
    make = {
        "conv": lambda i, o, k: nn.Conv2d(i, o, k),
        "relu": nn.ReLU,
        "elu": nn.ELU,
        "maxpool": lambda k: nn.MaxPool2d(k, k),
        "flatten": nn.Flatten,
        "linear": lambda i, o: nn.Linear(i, o),
    }
    return nn.Sequential(*(make[kind](*args) for kind, *args in layers))


def initial_state(config: Config, seed: int = 0) -> dict:
    """PyTorch's default initialisation, seeded: weights and biases of every layer uniform in
    ±1/sqrt(fan_in); {state_dict name: float32 array}."""
    import numpy as np

    from autograd import nn

    rng = np.random.default_rng(seed)
    state = {}
    for name, array in build(nn, config.layers).state_dict().items():
        layer = name.rsplit(".", 1)[0]
        fan_in = array[0].size if name.endswith("weight") else state[layer + ".weight"][0].size
        bound = 1 / np.sqrt(fan_in)
        state[name] = rng.uniform(-bound, bound, array.shape).astype(np.float32)
    return state


def data_pool(config: Config, seed: int = 1):
    """``POOL_BATCHES`` batches: images ~ N(0, 1) float32 (normalised pixels), int64 labels."""
    import numpy as np

    rng = np.random.default_rng(seed)
    return [
        (rng.standard_normal((config.batch, *config.image), dtype=np.float32),
         rng.integers(0, 10, config.batch, dtype=np.int64))
        for _ in range(POOL_BATCHES)
    ]  # fmt: skip


class Ours:
    def __init__(self, config: Config, state: dict):
        import numpy as np

        from autograd import Tensor, nn, no_grad, optim

        self.Tensor, self.no_grad = Tensor, no_grad
        self.model = build(nn, config.layers)
        self.model.load_state_dict(state)
        weight = np.array(config.class_weight, np.float32) if config.class_weight else None
        self.loss_fn = nn.CrossEntropyLoss(weight=weight)
        self.opt = getattr(optim, config.optimizer)(self.model.parameters(), lr=config.lr)

    def convert(self, x, y):
        return x, y

    def step(self, x, y):
        self.opt.zero_grad()
        loss = self.loss_fn(self.model(self.Tensor(x)), y)
        loss.backward()
        self.opt.step()

    def loss_value(self, x, y) -> float:
        with self.no_grad():
            return float(self.loss_fn(self.model(self.Tensor(x)), y).item())

    def gradients(self, x, y):
        self.opt.zero_grad()
        loss = self.loss_fn(self.model(self.Tensor(x)), y)
        loss.backward()
        return float(loss.item()), {n: p.grad.copy() for n, p in self.model.named_parameters()}


class Torch:
    def __init__(self, config: Config, state: dict):
        import torch

        self.torch = torch
        self.model = build(torch.nn, config.layers)
        self.model.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in state.items()})
        weight = torch.tensor(config.class_weight) if config.class_weight else None
        self.loss_fn = torch.nn.CrossEntropyLoss(weight=weight)
        self.opt = getattr(torch.optim, config.optimizer)(self.model.parameters(), lr=config.lr)

    def convert(self, x, y):
        return self.torch.from_numpy(x), self.torch.from_numpy(y)

    def step(self, x, y):
        self.opt.zero_grad()
        loss = self.loss_fn(self.model(x), y)
        loss.backward()
        self.opt.step()

    def loss_value(self, x, y) -> float:
        with self.torch.no_grad():
            return float(self.loss_fn(self.model(x), y))

    def gradients(self, x, y):
        self.opt.zero_grad()
        loss = self.loss_fn(self.model(x), y)
        loss.backward()
        grads = {n: p.grad.numpy().copy() for n, p in self.model.named_parameters()}
        return float(loss.detach()), grads


def make_system(system: str, config: Config, torch_threads: int = THREADS):
    if system == "torch":
        from torch_mlp import set_threads

        set_threads(torch_threads)
        return Torch(config, initial_state(config))
    return Ours(config, initial_state(config))


# --- workers ------------------------------------------------------------------------------------
def worker_train(system: str, config: Config, steps: int, warmup: int, threads: int) -> dict:
    trainer = make_system(system, config, threads)
    pool = [trainer.convert(x, y) for x, y in data_pool(config)]
    return measure(trainer, system, config.name, pool, steps, warmup, config.batch)


# --- check: both systems compute the same thing ------------------------------------------------
def run_check(names: list[str], steps: int = 3) -> bool:
    """Same weights -> same loss and gradients, and the same loss after ``steps`` steps
    (float32 tolerance, relative to each array's largest magnitude)."""
    import numpy as np

    ok = True
    tol = 2e-4
    for name in names:
        config = CONFIGS[name]
        raw = data_pool(config)
        trainers = {s: make_system(s, config) for s in SYSTEMS}
        grads = {s: t.gradients(*t.convert(*raw[0])) for s, t in trainers.items()}
        after = {}
        for s, t in trainers.items():
            for i in range(steps):
                t.step(*t.convert(*raw[i % POOL_BATCHES]))
            after[s] = t.loss_value(*t.convert(*raw[0]))
        worst_grad = max(
            float(np.max(np.abs(grads["ours"][1][k] - g)) / max(np.max(np.abs(g)), 1e-12))
            for k, g in grads["torch"][1].items()
        )
        loss_diff = abs(grads["ours"][0] - grads["torch"][0]) / abs(grads["torch"][0])
        after_diff = abs(after["ours"] - after["torch"]) / abs(after["torch"])
        good = max(worst_grad, loss_diff) <= tol and after_diff <= 10 * tol
        ok &= good
        print(f"check {name:<18} loss {grads['torch'][0]:.5f} -> {after['torch']:.5f}; max rel "
              f"diff: loss {loss_diff:.1e} grad {worst_grad:.1e} after {steps} steps "
              f"{after_diff:.1e}  {'ok' if good else 'MISMATCH'}")  # fmt: skip
    return ok


def run_profile(names: list[str], steps: int) -> None:
    for name in names:
        config = CONFIGS[name]
        trainer = make_system("ours", config)
        profile_steps(trainer.step, data_pool(config), steps or config.steps, f"ours {name}")


# --- the driver ---------------------------------------------------------------------------------
def summarize(configs, runs) -> dict:
    out = {}
    for c in configs:
        entry = {"batch": c.batch, "optimizer": c.optimizer, "systems": {}}
        for s in SYSTEMS:
            ok = [r for r in runs[(c.name, s)] if "samples_per_s" in r]
            entry["systems"][s] = {
                "samples_per_s": median_or_none([r["samples_per_s"] for r in ok]),
                "runs": [r["samples_per_s"] for r in ok],
                "blocks": [r["block_samples_per_s"] for r in ok],
                "final_loss": ok[-1]["final_loss"] if ok else None,
                "errors": [r["error"] for r in runs[(c.name, s)] if "error" in r],
            }
        paired = paired_ratios(runs[(c.name, "ours")], runs[(c.name, "torch")])
        if paired:
            entry["ours/torch"] = statistics.median(paired)
            entry["ours/torch per repeat"] = paired
        out[c.name] = entry
    return out


def print_table(summary: dict, repeats: int) -> None:
    print(f"\nsamples/s, median of {repeats} processes per cell; ours/torch: median over the "
          "repeats of the ratio within one repeat (min-max of those ratios)")  # fmt: skip
    print(f"{'network':<19}{'ours':>10}{'torch':>10}{'ours/torch':>12}{'range':>14}")
    for name, e in summary.items():
        ours, torch = (e["systems"][s]["samples_per_s"] for s in SYSTEMS)
        row = f"{name:<19}"
        row += f"{ours:>10,.0f}" if ours else f"{'failed':>10}"
        row += f"{torch:>10,.0f}" if torch else f"{'failed':>10}"
        if "ours/torch" in e:
            ratios = e["ours/torch per repeat"]
            ratio = e["ours/torch"]
            mark = " ok" if ratio >= TARGET else (" ~" if ratio >= FLOOR else " <")
            row += f"{e['ours/torch']:>9.2f}x{mark:<2}{min(ratios):>7.2f}-{max(ratios):.2f}"
        print(row)
    lenet = summary.get("lenet5-cifar-b64", {}).get("systems", {}).get("ours", {})
    if lenet.get("samples_per_s"):
        seconds = LENET_EPOCHS * LENET_EPOCH_SAMPLES / lenet["samples_per_s"]
        print(f"LeNet-5, {LENET_EPOCHS} CIFAR-10 epochs at batch 64 (training steps only): "
              f"{seconds:.0f} s (target < {LENET_SECONDS} s)")  # fmt: skip
    print(f"target: ours/torch >= {TARGET}x on every network ('~' = between the floor {FLOOR}x "
          "and the target, '<' = below the floor)")  # fmt: skip


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="processes per system/network")
    parser.add_argument("--steps", type=int, default=0, help="timed steps per process")
    parser.add_argument("--warmup", type=int, default=0, help="untimed steps (default steps/5)")
    parser.add_argument("--configs", default=",".join(CONFIGS),
                        help=f"comma-separated subset of {','.join(CONFIGS)}")  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="1 repeat, 1/5 of the steps")
    parser.add_argument("--check", action="store_true", help="only compare with torch")
    parser.add_argument("--no-check", action="store_true", help="skip the check before timing")
    parser.add_argument("--profile", action="store_true", help="cProfile our training steps")
    parser.add_argument("--out", default=None, help=f"JSON results (default {RESULTS})")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per worker")
    threads_help = f"torch's intra-op threads (default {THREADS}, one per core)"
    parser.add_argument("--torch-threads", type=int, default=THREADS, help=threads_help)
    parser.add_argument("--worker", choices=SYSTEMS, help=argparse.SUPPRESS)
    parser.add_argument("--config", choices=list(CONFIGS), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        config = CONFIGS[args.config]
        steps = args.steps or config.steps
        warmup = args.warmup or max(3, steps // 5)
        emit(worker_train(args.worker, config, steps, warmup, args.torch_threads))
        return 0
    names = [c.strip() for c in args.configs.split(",") if c.strip()]
    for n in names:
        if n not in CONFIGS:
            parser.error(f"unknown network {n!r}; expected some of {', '.join(CONFIGS)}")
    if args.check:
        return 0 if run_check(names) else 1
    if args.profile:
        run_profile(names, args.steps)
        return 0
    script = Path(__file__).resolve()
    if not args.no_check and not check_in_own_process(
        script, ["--configs", ",".join(names)], args.timeout
    ):
        return 1

    repeats = 1 if args.quick else args.repeats
    configs = [CONFIGS[n] for n in names]
    runs = {(c.name, s): [] for c in configs for s in SYSTEMS}
    loads = [load_average()]
    started = time.time()
    failed = False
    for r in range(repeats):
        for c in configs:
            steps = args.steps or (max(5, c.steps // 5) if args.quick else c.steps)
            warmup = args.warmup or max(3, steps // 5)
            for s in SYSTEMS:
                argv = ["--worker", s, "--config", c.name, "--steps", str(steps), "--warmup",
                        str(warmup), "--torch-threads", str(args.torch_threads)]  # fmt: skip
                res = spawn(script, argv, args.timeout)
                runs[(c.name, s)].append(res)
                if "error" in res:
                    failed = True
                    print(f"  {s} {c.name}: {res['error']}", file=sys.stderr)
                else:
                    print(f"  repeat {r + 1}/{repeats} {c.name:<18} {s:<6}"
                          f" {res['samples_per_s']:>9,.0f} samples/s", flush=True)  # fmt: skip
        loads.append(load_average())
    summary = summarize(configs, runs)
    print_table(summary, repeats)
    print(f"({time.time() - started:.0f} s; load average (1 min) during the run: "
          f"{', '.join(f'{x[0]:.1f}' for x in loads if x)})")  # fmt: skip
    out = args.out or (None if args.quick else str(RESULTS))
    if out:
        torch_version = next((r.get("torch") for v in runs.values() for r in v if r.get("torch")),
                             None)  # fmt: skip
        write_json(Path(out), {
            "command": " ".join([Path(sys.executable).name, *sys.argv]),
            "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "machine": machine_info(),
            "load_average": loads,
            "torch": torch_version,
            "torch_threads": args.torch_threads,
            "repeats": repeats,
            "configs": summary,
        })  # fmt: skip
        print(f"results written to {out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
