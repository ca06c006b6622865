"""autograd.files: one atomic write with one policy, one suffix-and-folder check, used by every
writer of the package (diagrams, step pages, models, plots)."""

from __future__ import annotations

import os
import stat

import pytest

from autograd.files import output_path, write_atomic


def umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_new_files_get_the_permissions_of_any_new_file(tmp_path):
    path = write_atomic(tmp_path / "a.txt", b"hello")
    assert path.read_bytes() == b"hello"
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask()
    write_atomic(path, lambda f: f.write(b"again"))  # a function that writes also works
    assert path.read_bytes() == b"again"
    assert os.listdir(tmp_path) == ["a.txt"]


def test_a_missing_folder_is_an_error_and_is_not_made(tmp_path):
    with pytest.raises(FileNotFoundError, match="the folder .* does not exist"):
        write_atomic(tmp_path / "no" / "a.txt", b"x")
    assert os.listdir(tmp_path) == []


def test_a_failing_writer_leaves_the_old_file(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"old")

    def broken(f):
        f.write(b"half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomic(path, broken)
    assert path.read_bytes() == b"old" and os.listdir(tmp_path) == ["a.txt"]


def test_output_path_checks_suffix_then_folder(tmp_path):
    assert output_path(tmp_path / "g.SVG", (".svg",), "-o") == tmp_path / "g.SVG"
    with pytest.raises(ValueError, match=r"^-o .*g\.jpg: unknown suffix '\.jpg'; expected one of"):
        output_path(tmp_path / "g.jpg", (".svg", ".png"), "-o")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        output_path(tmp_path / "no" / "g.svg", (".svg",), "-o")


def test_every_writer_uses_the_one_policy(tmp_path):
    """Diagrams, step pages, models and plots: same permissions, no folder made."""
    pytest.importorskip("matplotlib")
    from autograd import Value, nn
    from autograd.plots import save_figure
    from autograd.viz import draw
    from autograd.viz.steps import save_steps

    y = Value(2.0, label="x") * 3
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure()
    writers = {
        "g.dot": lambda p: draw(y).save(p),
        "s.html": lambda p: save_steps(y, p),
        "m.npz": lambda p: nn.save(nn.Sequential(nn.Identity()), p),
        "f.png": lambda p: save_figure(fig, p),
    }
    for name, write in writers.items():
        path = write(tmp_path / name)
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o666 & ~umask(), name
        with pytest.raises(FileNotFoundError, match="does not exist"):
            write(tmp_path / "missing" / name)
    plt.close(fig)
    assert sorted(os.listdir(tmp_path)) == sorted(writers)


def test_read_toml_refuses_what_it_cannot_read(tmp_path):
    from autograd.files import TomlError, read_toml

    cases = {
        "deep.toml": b"a = " + b"[" * 5000 + b"]" * 5000 + b"\n",
        "deep_tables.toml": b"x = " + b"{a = " * 30 + b"1" + b"}" * 30 + b"\n",
        "big.toml": b"#" * 1_000_001,
        "latin1.toml": b"name = '\xe9'\n",
        "bad.toml": b"[values\n",
    }
    expected = {
        "deep.toml": "nested too deeply",
        "deep_tables.toml": "nested too deeply",
        "big.toml": "larger than 1 MB",
        "latin1.toml": "not UTF-8",
        "bad.toml": "not valid TOML",
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(TomlError, match=expected[name]) as info:
            read_toml(tmp_path / name, "the sheet")
        assert name in str(info.value)
    with pytest.raises(TomlError, match="cannot read the sheet"):
        read_toml(tmp_path / "missing.toml", "the sheet")
    (tmp_path / "ok.toml").write_text("x = 0.330\n[t]\ny = 1\n")
    assert read_toml(tmp_path / "ok.toml", parse_float=str) == {"x": "0.330", "t": {"y": 1}}


def test_write_csv_is_atomic_and_needs_the_folder(tmp_path):
    from autograd.files import write_csv

    path = write_csv(tmp_path / "a.csv", ["x", "y"], [[1, "a,b"], [2, "c"]])
    assert path.read_text() == 'x,y\n1,"a,b"\n2,c\n'
    with pytest.raises(FileNotFoundError, match="does not exist"):
        write_csv(tmp_path / "missing" / "a.csv", ["x"], [])
