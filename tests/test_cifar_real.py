"""The real CIFAR-10 (the official binary archive), read and trained on as a user would.

The archive is looked for in ``../shared/data/cifar10`` beside the project's folder (where CI
keeps it), or in the folder ``$AUTOGRAD_TEST_CIFAR10`` names (another checkout, a worktree).
On a machine without it (a user's) every test here is skipped with that reason. Each test
trains on a small slice, so the whole file takes seconds beyond reading the archive.
"""

import json
import os
from pathlib import Path

import numpy as np
import pytest

from autograd.cli import main
from autograd.data import images

ROOT = Path(__file__).resolve().parents[1]
CIFAR_DIR = Path(os.environ.get("AUTOGRAD_TEST_CIFAR10") or ROOT.parent / "shared/data/cifar10")
ARCHIVE = CIFAR_DIR / "cifar-10-binary.tar.gz"

pytestmark = pytest.mark.skipif(
    not ARCHIVE.is_file(),
    reason=f"the real CIFAR-10 is not on this machine: no {ARCHIVE} (CI keeps it in "
    "../shared/data/cifar10; set AUTOGRAD_TEST_CIFAR10 to another folder holding it)",
)


@pytest.fixture(scope="module")
def test_part():
    return images.read_official("cifar-10", CIFAR_DIR, "test")


def test_the_real_test_part_has_a_thousand_images_of_each_class(test_part):
    x, y = test_part
    assert x.shape == (10_000, 32, 32, 3) and x.dtype == np.uint8
    assert np.array_equal(np.bincount(y), [1000] * 10)
    # a real photograph set: every pixel value occurs, the mean is mid-grey, not random noise
    assert len(np.unique(x)) == 256 and 100 < x.mean() < 140
    some = x[:500].astype(np.float32)
    neighbours = np.corrcoef(some[:, :, :-1].reshape(-1), some[:, :, 1:].reshape(-1))[0, 1]
    assert neighbours > 0.8


def test_a_preset_trains_on_a_slice_of_the_real_archive(tmp_path, capsys):
    """``autograd train`` on 2% of the training part (800 images), a few epochs: far above
    chance (0.1) on the whole real test set, with every file of the run written."""
    out = tmp_path / "run"
    argv = ["train", "--preset", "cifar10-relu-ce", "--data-dir", str(CIFAR_DIR),
            "--fraction", "0.02", "--epochs", "8", "--batch-size", "50", "--lr", "0.02",
            "--out", str(out), "--quiet"]  # fmt: skip
    assert main(argv) == 0, capsys.readouterr().err
    metrics = json.loads((out / "metrics.json").read_text())
    assert (metrics["n_train"], metrics["n_val"], metrics["n_test"]) == (800, 10_000, 10_000)
    assert metrics["train_accuracy"] > 0.4
    assert metrics["test_accuracy"] > 0.2 and metrics["val_accuracy"] > 0.2
