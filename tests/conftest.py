"""Fixtures shared by the test files: a machine without data sets, and the ``autograd``
command run in-process."""

import pytest

from autograd.cli import main


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
