"""Where a training step's time goes: ours vs the hand-written numpy trainer, phase by phase.

The systems and workloads of bench/tensor.py, but each step is split into forward, loss,
backward and optimizer update, and timed in thread CPU time with one BLAS thread
(``OPENBLAS_NUM_THREADS=1``): the figure is the work the step costs, which other jobs on a
shared machine change much less than wall-clock time (they steal the second BLAS thread's
core). Every measurement is its own process; within a repeat the systems run back to back
and the ratio is taken there; the median over the repeats is reported, with the range.

    bench/.venv/bin/python bench/phases.py                       # 7 repeats, every workload
    bench/.venv/bin/python bench/phases.py --configs cifar-ce-b32 --repeats 3
    bench/.venv/bin/python bench/phases.py --ours-from /tmp/old   # also an older autograd tree
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import tensor as bench  # noqa: E402

PHASES = ("forward", "loss", "backward", "update", "step")


def worker(system: str, config_name: str, steps: int) -> dict:
    """Median microseconds of CPU time per phase over ``steps`` steps (after a warm-up)."""
    config = bench.CONFIGS[config_name]
    trainer = bench.make_system(system, config, bench.initial_weights(config))
    pool = [trainer.convert(x, t) for x, t in bench.data_pool(config)]
    clock = time.thread_time
    times = {phase: [] for phase in PHASES}
    warmup = max(5, steps // 5)
    for i in range(warmup + steps):
        x, target = pool[i % len(pool)]
        if system == "ours":
            t0 = clock()
            trainer.opt.zero_grad()
            out = trainer.model(trainer.Tensor(x))
            t1 = clock()
            loss = trainer.loss_fn(out, target)
            t2 = clock()
            loss.backward()
            t3 = clock()
            trainer.opt.step()
            t4 = clock()
        else:
            t0 = clock()
            trainer.forward(x)
            t1 = clock()
            trainer._loss_and_output_grad(target, trainer.lr)
            t2 = clock()
            trainer.backward(x, trainer.lr)
            t3 = clock()
            trainer.update()
            t4 = clock()
        if i >= warmup:
            for phase, dt in zip(PHASES, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t0)):
                times[phase].append(dt * 1e6)
    return {phase: statistics.median(v) for phase, v in times.items()}


def spawn(system: str, config: str, steps: int, ours_from: str | None) -> dict:
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    if ours_from:
        env["PYTHONPATH"] = ours_from  # its autograd/ is imported instead of this checkout's
    argv = [sys.executable, __file__, "--worker", system, "--config", config, "--steps", str(steps)]
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=HERE.parent)
    if proc.returncode:
        raise RuntimeError(f"{' '.join(argv[2:])} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--configs", default=",".join(bench.CONFIGS))
    parser.add_argument("--steps", type=int, default=0, help="per process (default: per workload)")
    parser.add_argument("--ours-from", help="a folder holding another autograd/ to time as 'old'")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--config", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.config, args.steps)))
        return 0
    configs = args.configs.split(",")
    systems = ["ours", "numpy"] + (["old"] if args.ours_from else [])
    runs = {c: {s: [] for s in systems} for c in configs}
    print(f"load average at start: {os.getloadavg()}")
    for r in range(args.repeats):
        for c in configs:
            steps = args.steps or max(100, bench.CONFIGS[c].steps)
            for s in systems:
                system = "ours" if s == "old" else s
                runs[c][s].append(spawn(system, c, steps, args.ours_from if s == "old" else None))
        print(f"repeat {r + 1}/{args.repeats} done", flush=True)
    print(f"load average at end: {os.getloadavg()}")
    print("\nmicroseconds of CPU time per step (one BLAS thread), median over the repeats:")
    print(f"{'workload':15} {'system':6} " + " ".join(f"{p:>9}" for p in PHASES))
    for c in configs:
        for s in systems:
            med = {p: statistics.median(run[p] for run in runs[c][s]) for p in PHASES}
            print(f"{c:15} {s:6} " + " ".join(f"{med[p]:9.1f}" for p in PHASES))
    print("\nratio numpy/ours of the step's CPU time: median [range] over the repeats")
    for c in configs:
        for s in systems:
            if s == "numpy":
                continue
            pairs = list(zip(runs[c][s], runs[c]["numpy"]))
            ratios = [n["step"] / o["step"] for o, n in pairs]
            extra = statistics.median(o["step"] - n["step"] for o, n in pairs)
            print(
                f"{c:15} {s:6} {statistics.median(ratios):.3f} "
                f"[{min(ratios):.3f}-{max(ratios):.3f}]  framework cost {extra:5.0f} us/step"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
