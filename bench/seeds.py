"""Many seeds of the course's tiny networks (EXERCISES B1, B2): the batched trainer
(`autograd.experiments.seeds`) against `fit` one seed at a time.

    .venv/bin/python bench/seeds.py                 # every workload, 3 repeats, ~2 minutes
    .venv/bin/python bench/seeds.py --repeats 5 --only b2

Workloads (targets from issue 10):
- ``b1``: the 500-seed XOR histogram, 2-2-1 tanh, lr 0.5, L2 0.01, 200 epochs, with its PNG
  (target < 30 s), and the same for architecture 2 (2-1-1 with the inputs wired into the output);
  ``b1-cli``: ``autograd repeat --preset xor-arch1 --seeds 500`` (all its files);
- ``b2``: the whole parity sweep, N in 2..6 x N' in {2, 4, 8, 16} = 20 configurations x 100
  seeds x 1000 epochs, lr 0.35, L2 0.01 (target < 3 minutes), in one process and over 2
  processes with joblib; ``b2-cli``: ``autograd reproduce b2`` (table, figure, per-seed CSVs);
- ``fit``: `fit` one seed at a time, timed on a few seeds of each workload and extrapolated
  per seed (what the batched trainer replaces).

Every measurement runs in its own fresh Python process (imports and, for joblib, process
start-up included in the wall time), repeated; the median is reported.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

PARITY = [(n, h) for n in range(2, 7) for h in (2, 4, 8, 16)]


def run_b1(arch: str) -> dict:
    import matplotlib

    matplotlib.use("Agg")
    from autograd.data import xor
    from autograd.experiments.seeds import TinyNet, train_seeds
    from autograd.plots import plot_seed_histogram

    net = TinyNet((2, 2, 1)) if arch == "1" else TinyNet((2, 1, 1), skip=True)
    x, y = xor()
    runs = train_seeds(net, x, y, range(500))
    plot_seed_histogram({net.name: runs.final_accuracy}, path="/tmp/bench_seeds_hist.png")
    return runs.summary()


def run_b2(n_jobs: int) -> dict:
    from autograd.data import parity
    from autograd.experiments.seeds import TinyNet, sweep

    jobs = []
    for n, h in PARITY:
        x, y = parity(n)
        jobs.append((f"N={n} N'={h}", TinyNet((n, h, 1), lr=0.35, epochs=1000), x, y, range(100)))
    results = sweep(jobs, n_jobs=n_jobs, chunks=1)
    return {r.label: round(r.summary()["mean_accuracy"], 3) for r in results}


def run_fit(workload: str, seeds: int) -> dict:
    """Seconds per seed of `fit`, one seed at a time, on the same networks."""
    from autograd import nn, optim
    from autograd.data import DataLoader, parity, xor
    from autograd.experiments.seeds import TinyNet
    from autograd.train import fit

    if workload == "b1":
        cases = [(TinyNet((2, 2, 1)), *xor())]
    else:  # the largest and the smallest parity configuration
        cases = [
            (TinyNet((n, h, 1), lr=0.35, epochs=1000), *parity(n)) for n, h in ((6, 16), (2, 2))
        ]
    out = {}
    for net, x, y in cases:
        start = time.perf_counter()
        for seed in range(seeds):
            model = net.build(seed)
            mse = nn.MSELoss()

            def loss_fn(o, t, model=model, mse=mse, l2=net.l2):
                return mse(o, t) + nn.l2_penalty(model, l2)

            fit(model, loss_fn, optim.SGD(model.parameters(), lr=net.lr),
                DataLoader(x, y, batch_size=len(x)), epochs=net.epochs, progress=False)  # fmt: skip
        out[net.name] = (time.perf_counter() - start) / seeds
    return out


def run_cli(*argv: str) -> dict:
    """The command a user types, in this process (the wall time includes Python's start)."""
    import tempfile

    from autograd.cli import main

    with tempfile.TemporaryDirectory() as tmp:
        code = main([*argv, "--out", tmp, "--force"])
    return {"exit": code}


WORKLOADS = {
    "b1-arch1": lambda: run_b1("1"),
    "b1-arch2": lambda: run_b1("2"),
    "b1-cli": lambda: run_cli("repeat", "--preset", "xor-arch1", "--seeds", "500"),
    "b2-1proc": lambda: run_b2(1),
    "b2-2proc": lambda: run_b2(2),
    "b2-cli": lambda: run_cli("reproduce", "b2"),
    "fit-b1": lambda: run_fit("b1", 20),
    "fit-b2": lambda: run_fit("b2", 2),
}


def one(name: str) -> None:
    start = time.perf_counter()
    result = WORKLOADS[name]()
    print(json.dumps({"seconds": time.perf_counter() - start, "result": result}))


def measure(name: str) -> dict:
    """Wall time of a fresh process that imports, trains and (b1) saves the histogram."""
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, __file__, "--one", name], capture_output=True, text=True, check=True
    )
    wall = time.perf_counter() - start
    inner = json.loads(proc.stdout.strip().splitlines()[-1])
    return {"wall": wall, "inner": inner["seconds"], "result": inner["result"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", choices=["b1", "b2", "fit"], default=None)
    parser.add_argument("--one", choices=list(WORKLOADS), help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, default=Path(__file__).parent / "results/seeds.json")
    args = parser.parse_args()
    if args.one:
        return one(args.one)
    names = [n for n in WORKLOADS if args.only is None or n.startswith(args.only)]
    runs = {n: [] for n in names}
    for _ in range(args.repeats):  # interleaved: a burst of load hits every workload alike
        for n in names:
            runs[n].append(measure(n))
    report = {"python": platform.python_version(), "repeats": args.repeats, "workloads": {}}
    for n in names:
        walls = [r["wall"] for r in runs[n]]
        entry = {
            "median_wall_s": statistics.median(walls),
            "walls_s": walls,
            "median_inner_s": statistics.median(r["inner"] for r in runs[n]),
            "result": runs[n][-1]["result"],
        }
        report["workloads"][n] = entry
        spread = f"{min(walls):.2f}-{max(walls):.2f}"
        print(f"{n:<9} wall {entry['median_wall_s']:7.2f} s (median of {args.repeats}; "
              f"{spread}), in-process {entry['median_inner_s']:.2f} s")  # fmt: skip
        if n.startswith("fit"):
            for net, per_seed in entry["result"].items():
                seeds = 500 if n == "fit-b1" else 100
                print(f"          fit one seed at a time, {net}: {per_seed:.3f} s/seed, "
                      f"{seeds} seeds ~ {per_seed * seeds:.0f} s")  # fmt: skip
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=1) + "\n")
    print(f"written {args.json}")


if __name__ == "__main__":
    main()
