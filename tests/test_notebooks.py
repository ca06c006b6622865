"""Every notebook runs top to bottom, on small data (AUTOGRAD_SMALL=1), in a fresh kernel.

CIFAR-10 (170 MB, not on the test machines, which have no internet outside the package
registries) is replaced by a small synthetic archive in the official binary format, found
through ``$AUTOGRAD_DATA`` the way a user's copy would be."""

from pathlib import Path

import pytest
from test_datasets import cifar_archive, write_idx_set

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, monkeypatch, tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    if "import torch" in path.read_text():
        pytest.importorskip("torch", reason="this notebook needs torch; make test-torch runs it")
    monkeypatch.setenv("AUTOGRAD_SMALL", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    if "cifar10" in path.stem or "convolutions" in path.stem:
        (tmp_path / "data" / "cifar-10").mkdir(parents=True)
        cifar_archive(tmp_path / "data" / "cifar-10" / "cifar-10-binary.tar.gz", n_per_batch=300)
        monkeypatch.setenv("AUTOGRAD_DATA", str(tmp_path / "data"))
    if "convolutions" in path.stem:  # MNIST is not on the test machines, Fashion-MNIST may not be
        for name in ("mnist", "fashion-mnist"):
            write_idx_set(tmp_path / "data" / name, n_train=700, n_test=250)
    notebook = nbformat.read(path, as_version=4)
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code"), (
        f"{path.name} is stored with outputs; clear them before committing"
    )
    client = nbclient.NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()  # raises CellExecutionError, naming the cell, when a cell fails
