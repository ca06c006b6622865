"""Every notebook runs top to bottom, on small data (AUTOGRAD_SMALL=1), in a fresh kernel.

A notebook's data set that is not on the machine is replaced by a small synthetic set in the
official format, found through ``$AUTOGRAD_DATA`` the way a user's copy would be: always for
CIFAR-10 (170 MB, not on the test machines, which have no internet outside the package
registries) and for notebook 06's MNIST and Fashion-MNIST, and for Fashion-MNIST when
Debian's package is not installed (CI installs it, so there notebooks 03 and 04 read the real
files). `test_notebook_runs_without_system_data` runs the Fashion-MNIST notebooks as a new
user's machine would (system folders ignored, empty HOME), so `make test` cannot start needing
a download again unseen.
"""

from pathlib import Path

import pytest
from test_datasets import cifar_archive, write_idx_set

from autograd import datasets

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))
DATA = {"03_fashion_mnist": "fashion-mnist", "04_improving_an_mlp": "fashion-mnist"}


def _provide_data(stem: str, monkeypatch, tmp_path: Path) -> None:
    """Point $AUTOGRAD_DATA at synthetic files for the notebook's data set, if it needs them."""
    folder = tmp_path / "data"
    if "cifar10" in stem or "convolutions" in stem:
        (folder / "cifar-10").mkdir(parents=True)
        cifar_archive(folder / "cifar-10" / "cifar-10-binary.tar.gz", n_per_batch=300)
        if "convolutions" in stem:  # MNIST is not on the test machines, Fashion-MNIST may not be
            for name in ("mnist", "fashion-mnist"):
                write_idx_set(folder / name, n_train=700, n_test=250)
    elif stem in DATA:
        try:
            datasets.locate(DATA[stem], download=False)
            return  # the real files are on this machine: the notebook reads them
        except FileNotFoundError:
            write_idx_set(folder / DATA[stem], n_train=5000, n_test=1000)
    else:
        return
    monkeypatch.setenv("AUTOGRAD_DATA", str(folder))


def _run(path: Path, tmp_path: Path) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    if "import torch" in path.read_text():
        pytest.importorskip("torch", reason="this notebook needs torch; make test-torch runs it")
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


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, monkeypatch, tmp_path):
    monkeypatch.setenv("AUTOGRAD_SMALL", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    _provide_data(path.stem, monkeypatch, tmp_path)
    _run(path, tmp_path)


@pytest.mark.parametrize("stem", sorted(DATA))
def test_notebook_runs_without_system_data(stem, monkeypatch, tmp_path):
    monkeypatch.setenv("AUTOGRAD_SMALL", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("AUTOGRAD_NO_SYSTEM_DATA", "1")
    (tmp_path / "home").mkdir()
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.delenv("AUTOGRAD_DATA", raising=False)
    with pytest.raises(FileNotFoundError):  # what a new user's machine has: nothing
        datasets.locate(DATA[stem], download=False)
    _provide_data(stem, monkeypatch, tmp_path)
    _run(path=NOTEBOOKS[[p.stem for p in NOTEBOOKS].index(stem)], tmp_path=tmp_path)
