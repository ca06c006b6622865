"""autograd.memory: glibc's malloc keeps the memory a training step frees (no page faults
from one step to the next), and AUTOGRAD_MALLOC=0 leaves malloc as it is."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from autograd import memory

GLIBC = hasattr(os, "confstr") and "glibc" in (os.confstr("CS_GNU_LIBC_VERSION") or "")

# A "step": ten 1 MB arrays made and freed, as a step's activations are; the page faults of
# the last 20 of 25 steps, in a new process that imports autograd first.
STEPS = """
import resource, numpy as np
import autograd.tensor
def step():
    arrays = [np.ones(1 << 18, np.float32) for _ in range(10)]
    return sum(float(a[0]) for a in arrays)
for _ in range(5):
    step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(20):
    step()
print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 20)
"""


def _faults_per_step(setting: str) -> float:
    env = {**os.environ, "AUTOGRAD_MALLOC": setting}
    done = subprocess.run([sys.executable, "-c", STEPS], env=env, capture_output=True, text=True,
                          check=True, timeout=120)  # fmt: skip
    return float(done.stdout.strip())


@pytest.mark.skipif(not GLIBC, reason="the malloc setting is glibc's; elsewhere it does nothing")
def test_freed_memory_is_kept_for_the_next_step():
    # without the setting, glibc gives the 10 MB back after each step and faults it in again
    # (about 2,500 faults a step); with it, the next step reuses the heap
    assert _faults_per_step("0") > 1000
    assert _faults_per_step("1") < 50


def test_the_setting_can_be_turned_off(monkeypatch):
    monkeypatch.setenv("AUTOGRAD_MALLOC", "0")
    assert memory.keep_freed_memory() is False
    monkeypatch.setenv("AUTOGRAD_MALLOC", "1")
    assert memory.keep_freed_memory() is GLIBC
