"""Command-line details of issue 12: no Fontconfig noise, --version, the gallery as PNG, the
graph's size checked before the table is printed."""

import os
import subprocess
import sys
from pathlib import Path

from autograd.cli import main
from autograd.exercises import gallery

SCRIPT = Path(sys.executable).parent / "autograd"


def test_rendering_prints_no_fontconfig_warning(tmp_path):
    result = subprocess.run(
        [str(SCRIPT), "draw", "w*x", "--set", "w=2", "x=3", "-o", str(tmp_path / "g.svg")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Fontconfig" not in result.stderr
    assert (tmp_path / "g.svg").stat().st_size > 0


def test_quiet_fontconfig_passes_other_lines_on(capfd):
    from autograd.viz.render import quiet_fontconfig

    with quiet_fontconfig():
        os.write(2, b'Fontconfig warning: "x.conf", line 6: unknown element "reset-dirs"\n')
        os.write(2, b"Warning: something else\n")
    err = capfd.readouterr().err
    assert "Fontconfig" not in err and "Warning: something else" in err


def test_version(capsys):
    try:
        main(["--version"])
    except SystemExit as e:
        assert e.code == 0
    out = capsys.readouterr().out
    assert out.startswith("autograd ") and out.split()[1][0].isdigit()


def test_exercises_as_png(tmp_path, capsys):
    code = main(["exercises", str(tmp_path), "--format", "png"])
    assert code == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(f"{name}.png" for name in gallery())
    assert (tmp_path / "a2.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_graph_size_is_checked_before_the_table(tmp_path, capsys):
    expression = " + ".join(f"x{i}" for i in range(30))
    values = [f"x{i}=1" for i in range(30)]
    code = main(
        ["draw", expression, "--set", *values, "--max-nodes", "10", "-o", str(tmp_path / "g.svg")]
    )
    out, err = capsys.readouterr()
    assert code == 2 and "more than --max-nodes 10" in err
    assert out == ""  # no 31-line table before the refusal
