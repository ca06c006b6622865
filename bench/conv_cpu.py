"""CPU time per training step of our conv networks (bench/conv.py's), two versions of ours
against each other: two autograd trees, or the numpy path against the compiled kernels.

One BLAS thread, thread CPU time, one process per measurement, the two versions alternating
(the order flips every repeat); the figure is the median over the repeats of the ratio A/B
within one repeat. CPU time is what a step costs; on a machine shared with other jobs it moves
much less than wall-clock time (bench/README.md). ``--threads 2`` times wall-clock time with
two BLAS threads instead (what bench/conv.py measures against PyTorch): a quiet machine only.

    git archive f5f31c3 autograd | tar -x -C /tmp/base      # an older autograd/
    bench/.venv/bin/python bench/conv_cpu.py /tmp/base .                # old against this tree
    bench/.venv/bin/python bench/conv_cpu.py .:numpy . --configs fashion-conv2-b40
    bench/.venv/bin/python bench/conv_cpu.py /tmp/base . --threads 2 --repeats 6
    (TREE:numpy = that tree with AUTOGRAD_NUMBA=0, i.e. without the compiled kernels)
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
STEPS = {"lenet5-cifar-b64": 40, "lenet5-cifar-b40": 40, "mnist-conv1-b40": 200,
         "fashion-conv2-b40": 40, "cifar-dense-b64": 8}  # fmt: skip


def worker(tree: str, config_name: str, steps: int, wall: bool = False) -> float:
    """Median over 5 blocks of the thread CPU time (``wall``: the wall-clock time) per step
    (seconds)."""
    sys.path.insert(0, tree)
    sys.path.insert(1, str(HERE))
    import conv

    import autograd

    if not autograd.__file__.startswith(str(Path(tree).resolve())):
        raise RuntimeError(f"imported {autograd.__file__}, not the tree {tree}")
    config = conv.CONFIGS[config_name]
    trainer = conv.Ours(config, conv.initial_state(config))
    pool = conv.data_pool(config)
    for i in range(max(3, steps // 5)):
        trainer.step(*pool[i % len(pool)])
    per_block, blocks = max(1, steps // 5), []
    clock = time.perf_counter if wall else time.thread_time
    for _ in range(5):
        start = clock()
        for i in range(per_block):
            trainer.step(*pool[i % len(pool)])
        blocks.append((clock() - start) / per_block)
    return statistics.median(blocks)


def spawn(version: str, config: str, steps: int, threads: int = 1) -> float:
    tree, _, path = version.partition(":")
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads))
    if path == "numpy":
        env["AUTOGRAD_NUMBA"] = "0"
    command = [sys.executable, __file__, "--worker", str(Path(tree).resolve()), "--config",
               config, "--steps", str(steps), "--threads", str(threads)]  # fmt: skip
    out = subprocess.run(command, capture_output=True, text=True, env=env, cwd="/")
    if out.returncode:
        raise RuntimeError(f"{version} {config} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a", nargs="?", help="a folder holding autograd/ (TREE or TREE:numpy)")
    parser.add_argument("b", nargs="?", help="the other one")
    parser.add_argument("--configs", default=",".join(STEPS))
    parser.add_argument("--repeats", type=int, default=4)
    parser.add_argument("--steps", type=int, default=0, help="per process (default per network)")
    threads_help = "BLAS threads; above 1, wall-clock time instead of CPU time"
    parser.add_argument("--threads", type=int, default=1, help=threads_help)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--config", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.config, args.steps, args.threads > 1)))
        return 0
    if not (args.a and args.b):
        parser.error("give two versions of autograd to compare (A B)")
    what = ("CPU time per step (one BLAS thread)" if args.threads == 1 else
            f"wall-clock time per step ({args.threads} BLAS threads)")  # fmt: skip
    print(f"ms of {what}, median of {args.repeats} processes; "
          "A/B: median [range] over the repeats of the ratio within one repeat")  # fmt: skip
    for name in args.configs.split(","):
        steps = args.steps or STEPS[name]
        times = {args.a: [], args.b: []}
        for r in range(args.repeats):
            for version in (args.a, args.b) if r % 2 == 0 else (args.b, args.a):
                times[version].append(spawn(version, name, steps, args.threads))
        ratios = [a / b for a, b in zip(times[args.a], times[args.b])]
        print(f"{name:<18} A {1e3 * statistics.median(times[args.a]):8.2f}  "
              f"B {1e3 * statistics.median(times[args.b]):8.2f}  A/B "
              f"{statistics.median(ratios):.2f} [{min(ratios):.2f}-{max(ratios):.2f}]",
              flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
