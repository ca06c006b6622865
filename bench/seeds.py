"""Many seeds of the course's tiny networks (EXERCISES B1, B2): the batched trainer
(`autograd.experiments.seeds`) against `fit` one seed at a time.

    .venv/bin/python bench/seeds.py                 # every workload, 3 repeats, ~2 minutes
    .venv/bin/python bench/seeds.py --repeats 5 --only b2
    .venv/bin/python bench/seeds.py --against f5f31c3 --repeats 5   # paired: today / that commit

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

``--against REV``: the trainer of another version (``autograd/experiments/seeds.py`` as it was
at git revision ``REV``, run with today's package around it; f5f31c3 is the last with the
hand-written backward) against today's, paired: in each repeat the two run back to back, each
in its own fresh process, in alternating order, and the ratio today / REV of that repeat is
taken; the median ratio over the repeats is reported, for the training alone (``train``) and
for the whole process (``wall``). Workloads ``b1-arch1``, ``b1-arch2``, ``b2-1proc``.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PARITY = [(n, h) for n in range(2, 7) for h in (2, 4, 8, 16)]
PAIRED = ("b1-arch1", "b1-arch2", "b2-1proc")  # the workloads --against times
ROOT = Path(__file__).resolve().parent.parent
# what --against compares: the training alone (timed inside the worker), the whole process
TIMES = {"train": lambda m: m["result"]["train_s"], "wall": lambda m: m["wall"]}


def trainer(path: str | None):
    """The module of the multi-seed trainer: today's, or (``path``) another version of
    autograd/experiments/seeds.py (``--against``), imported with today's package around it."""
    if not path:
        from autograd.experiments import seeds

        return seeds
    import importlib.util

    spec = importlib.util.spec_from_file_location("seeds_against", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def run_b1(arch: str, seeds) -> dict:
    import matplotlib

    matplotlib.use("Agg")
    from autograd.data import xor
    from autograd.plots import plot_seed_histogram

    net = seeds.TinyNet((2, 2, 1)) if arch == "1" else seeds.TinyNet((2, 1, 1), skip=True)
    x, y = xor()
    start = time.perf_counter()
    runs = seeds.train_seeds(net, x, y, range(500))
    train = time.perf_counter() - start
    plot_seed_histogram({net.name: runs.final_accuracy}, path="/tmp/bench_seeds_hist.png")
    return {**runs.summary(), "train_s": train}


def run_b2(n_jobs: int, seeds) -> dict:
    from autograd.data import parity

    jobs = []
    for n, h in PARITY:
        x, y = parity(n)
        net = seeds.TinyNet((n, h, 1), lr=0.35, epochs=1000)
        jobs.append((f"N={n} N'={h}", net, x, y, range(100)))
    start = time.perf_counter()
    results = seeds.sweep(jobs, n_jobs=n_jobs, chunks=1)
    train = time.perf_counter() - start
    return {
        **{r.label: round(r.summary()["mean_accuracy"], 3) for r in results},
        "train_s": train,
    }


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


# name -> function of the trainer module (see `trainer`)
WORKLOADS = {
    "b1-arch1": lambda seeds: run_b1("1", seeds),
    "b1-arch2": lambda seeds: run_b1("2", seeds),
    "b1-cli": lambda _: run_cli("repeat", "--preset", "xor-arch1", "--seeds", "500"),
    "b2-1proc": lambda seeds: run_b2(1, seeds),
    "b2-2proc": lambda seeds: run_b2(2, seeds),
    "b2-cli": lambda _: run_cli("reproduce", "b2"),
    "fit-b1": lambda _: run_fit("b1", 20),
    "fit-b2": lambda _: run_fit("b2", 2),
}


def one(name: str, trainer_path: str | None) -> None:
    start = time.perf_counter()
    result = WORKLOADS[name](trainer(trainer_path))
    print(json.dumps({"seconds": time.perf_counter() - start, "result": result}))


def measure(name: str, trainer_path: str | None = None) -> dict:
    """Wall time of a fresh process that imports, trains and (b1) saves the histogram."""
    command = [sys.executable, __file__, "--one", name]
    if trainer_path:
        command += ["--trainer", trainer_path]
    start = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - start
    inner = json.loads(proc.stdout.strip().splitlines()[-1])
    return {"wall": wall, "inner": inner["seconds"], "result": inner["result"]}


def against(revision: str, names: list[str], repeats: int) -> dict:
    """Today's trainer against the one of git revision ``revision``, paired (module docstring)."""
    source = subprocess.run(
        ["git", "show", f"{revision}:autograd/experiments/seeds.py"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    folder = tempfile.mkdtemp(prefix="bench-seeds-")
    path = str(Path(folder) / "seeds_against.py")
    Path(path).write_text(source)
    names = [n for n in names if n in PAIRED]
    pairs = {n: [] for n in names}
    for r in range(repeats):
        for n in names:
            order = [None, path] if r % 2 == 0 else [path, None]
            timed = {p: measure(n, p) for p in order}
            pairs[n].append({"today": timed[None], revision: timed[path]})
    report = {"against": revision, "python": platform.python_version(), "repeats": repeats}
    report["workloads"] = {}
    for n in names:
        entry = {}
        for what, key in TIMES.items():
            ratios = [key(p["today"]) / key(p[revision]) for p in pairs[n]]
            entry[what] = {
                "median_today_s": statistics.median(key(p["today"]) for p in pairs[n]),
                f"median_{revision}_s": statistics.median(key(p[revision]) for p in pairs[n]),
                "median_ratio": statistics.median(ratios),
                "ratios": ratios,
            }
        report["workloads"][n] = entry
        for what in ("train", "wall"):
            e = entry[what]
            print(f"{n:<9} {what:<5} today {e['median_today_s']:6.2f} s, {revision} "
                  f"{e[f'median_{revision}_s']:6.2f} s (medians of {repeats}); ratio today/"
                  f"{revision}: median {e['median_ratio']:.2f}x "
                  f"({min(e['ratios']):.2f}-{max(e['ratios']):.2f})")  # fmt: skip
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", choices=["b1", "b2", "fit"], default=None)
    parser.add_argument(
        "--against",
        metavar="REV",
        help="pair today's trainer with autograd/experiments/seeds.py of git revision REV",
    )
    parser.add_argument("--one", choices=list(WORKLOADS), help=argparse.SUPPRESS)
    parser.add_argument("--trainer", help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    if args.one:
        return one(args.one, args.trainer)
    names = [n for n in WORKLOADS if args.only is None or n.startswith(args.only)]
    if args.against:
        report = against(args.against, names, args.repeats)
        path = args.json or Path(__file__).parent / "results/seeds-against.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(report, indent=1) + "\n")
        print(f"written {path}")
        return
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
    path = args.json or Path(__file__).parent / "results/seeds.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=1) + "\n")
    print(f"written {path}")


if __name__ == "__main__":
    main()
