"""Fixtures shared by the test files: a machine without data sets, and the ``autograd``
command run in-process."""

import os

import pytest
from hypothesis import settings

from autograd.cli import main

# NOTE: the property tests draw the same examples on every machine and in every run (CI, a
# new user's `make test`), so a run's result does not depend on its luck. Two defects were
# found by a fresh machine's draw (issue 22's third round): one is fixed, with its own test;
# the other is an xfail test in tests/test_derivations.py. To explore new examples, run the
# tests with HYPOTHESIS_EXPLORE=1 in the environment.
settings.register_profile("repeatable", derandomize=True)
if os.environ.get("HYPOTHESIS_EXPLORE", "") in ("", "0"):
    settings.load_profile("repeatable")


@pytest.fixture
def no_data(monkeypatch, tmp_path):
    """A machine without data sets: nothing in the cache, system folders ignored."""
    monkeypatch.setenv("AUTOGRAD_NO_SYSTEM_DATA", "1")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("AUTOGRAD_DATA", raising=False)


@pytest.fixture
def cli(capsys):
    """``cli("train", "--epochs", 1)`` runs ``autograd train --epochs 1`` in this process and
    returns ``(exit code, stdout, stderr)``."""

    def run(*argv):
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run
