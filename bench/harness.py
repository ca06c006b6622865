"""What the benchmarks against PyTorch share: worker processes, timing in blocks, paired ratios.

Every measurement is its own process (a worker: warm up, time a fixed number of training steps
in ``BLOCKS`` blocks, print one tagged JSON line with the median block's rate), and the
systems alternate within a repeat (ours, torch, ours, ...): in one process one library's
spinning BLAS/OpenMP threads would steal the cores from the next, and a machine shared with
other jobs drifts in speed, so a ratio is taken within a repeat (the two ran back to back) and
the median over the repeats is reported.

Used by bench/tensor.py (MLPs) and bench/conv.py (convolutional networks).
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

THREADS = 2  # one per core of the benchmark machine; torch is told explicitly
BLOCKS = 5  # a worker times its steps in this many blocks and reports the median block's rate
RESULT_TAG = "RESULT "  # a worker's one result line on stdout: RESULT {json}
ROOT = Path(__file__).resolve().parent.parent


def time_training(step, pool, steps: int, warmup: int, batch: int) -> dict:
    """Call ``step(*pool[i % len(pool)])`` ``warmup`` times, then ``steps`` times in ``BLOCKS``
    blocks; samples/s of the median block (a burst of activity from other tenants of the
    machine spoils one block, not the figure) and of every block."""
    for i in range(warmup):
        step(*pool[i % len(pool)])
    per_block = max(1, steps // BLOCKS)
    blocks = []
    for b in range(BLOCKS):
        start = time.perf_counter()
        for i in range(b * per_block, (b + 1) * per_block):
            step(*pool[i % len(pool)])
        blocks.append(time.perf_counter() - start)
    return {
        "steps": per_block * BLOCKS,
        "warmup": warmup,
        "seconds": sum(blocks),
        "samples_per_s": per_block * batch / statistics.median(blocks),
        "block_samples_per_s": [per_block * batch / t for t in blocks],
    }


def measure(trainer, system: str, name: str, pool, steps, warmup, batch, loss_batch=None) -> dict:
    """A worker's result: `time_training` of ``trainer.step`` over ``pool``, then
    ``trainer.loss_value(*loss_batch)`` (default: the first batch of the pool); a training run
    that diverged raises instead of reporting a rate."""
    import math

    timing = time_training(trainer.step, pool, steps, warmup, batch)
    loss = trainer.loss_value(*(pool[0] if loss_batch is None else loss_batch))
    if not math.isfinite(loss):
        raise RuntimeError(f"{system} {name}: the loss became {loss} during training")
    result = {"system": system, "config": name, **timing, "final_loss": loss}
    if system == "torch":
        result.update(torch_info())
    elif system == "ours":
        from autograd.kernels import compiled

        result["kernels"] = "numba" if compiled() else "numpy"
    return result


def profile_steps(step, pool, steps: int, label: str, warmup: int = 10, top: int = 25) -> None:
    """cProfile of ``steps`` training steps (after a warm-up), sorted by own time. cProfile
    inflates Python-heavy code, so read the shares, then confirm changes with the timed run."""
    import cProfile
    import pstats

    for i in range(warmup):
        step(*pool[i % len(pool)])
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    for i in range(steps):
        step(*pool[i % len(pool)])
    profiler.disable()
    per_step = (time.perf_counter() - start) / steps
    print(f"\n=== {label}: {steps} steps, {1e6 * per_step:.0f} us/step under cProfile")
    pstats.Stats(profiler).sort_stats("tottime").print_stats(top)


def torch_info() -> dict:
    import torch

    return {"torch": torch.__version__, "torch_threads": torch.get_num_threads()}


def emit(result: dict) -> None:
    """A worker's result: one line, last, tagged, so nothing a library prints before it can be
    mistaken for it."""
    print(RESULT_TAG + json.dumps(result), flush=True)


def spawn(script: Path, argv: list[str], timeout: float) -> dict:
    """Run one worker process of ``script``; its result dict, or ``{"error": ...}``."""
    cmd = [sys.executable, str(script), *argv]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s: {' '.join(argv)}"}
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(RESULT_TAG)]
    if proc.returncode != 0 or not lines:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-6:])
        return {"error": f"worker {' '.join(argv)} exited {proc.returncode}:\n{tail}"}
    try:
        return json.loads(lines[-1][len(RESULT_TAG) :])
    except json.JSONDecodeError as exc:
        return {"error": f"worker {' '.join(argv)} printed a malformed result line: {exc}"}


def check_in_own_process(script: Path, argv: list[str], timeout: float) -> bool:
    """Run ``script --check ARGV`` (do the systems compute the same losses and gradients?)
    in its own process, so no library stays loaded, or spinning, in the driver's."""
    command = [sys.executable, str(script), "--check", *argv]
    if subprocess.run(command, cwd=ROOT, timeout=timeout).returncode == 0:
        return True
    print("the systems disagree (or one failed to load): not timing. --no-check skips.")
    return False


def paired_ratios(runs_a: list[dict], runs_b: list[dict]) -> list[float]:
    """a/b samples/s within each repeat (the two ran back to back there, so slow drift of the
    machine's speed cancels); repeats where either failed are left out."""
    return [
        a["samples_per_s"] / b["samples_per_s"]
        for a, b in zip(runs_a, runs_b)
        if "samples_per_s" in a and "samples_per_s" in b
    ]


def worker_peak(sizes=(2048, 4096), reps=(8, 3)) -> dict:
    """Best float32 GEMM rate of numpy's BLAS: C = A @ B for square matrices (2 n^3 FLOP)."""
    import numpy as np

    rng = np.random.default_rng(0)
    best, runs = 0.0, []
    for n, rep in zip(sizes, reps):
        a = rng.standard_normal((n, n), dtype=np.float32)
        b = rng.standard_normal((n, n), dtype=np.float32)
        c = np.empty((n, n), np.float32)
        np.matmul(a, b, out=c)  # warm-up: thread pool start, page faults
        for _ in range(rep):
            start = time.perf_counter()
            np.matmul(a, b, out=c)
            gflops = 2 * n**3 / (time.perf_counter() - start) / 1e9
            runs.append({"n": n, "gflops": gflops})
            best = max(best, gflops)
    return {"system": "peak", "gflops": best, "runs": runs, "numpy": np.__version__}


def machine_info() -> dict:
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            model = next(
                (ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), ""
            )
    except OSError:
        pass
    return {
        "cpu": model or platform.processor(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def load_average() -> list[float] | None:
    """The machine's 1, 5 and 15 minute load averages (others' jobs show up here)."""
    try:
        return list(os.getloadavg())
    except OSError:
        return None


def median_or_none(values):
    return statistics.median(values) if values else None


def write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=1) + "\n")
    os.replace(tmp, path)  # never a half-written results file
