"""The README's examples work as written: every ```python block runs, in order, in one
namespace (later blocks use names from earlier ones), in a temporary folder; every
`autograd ...` line of the ```sh blocks runs with the installed script."""

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def test_python_examples_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    namespace: dict = {}
    examples = blocks("python")
    assert len(examples) >= 6
    for i, code in enumerate(examples):
        exec(compile(code, f"README.md python block {i + 1}", "exec"), namespace)
    # what the examples say they write
    for name in ("perceptron.svg", "checked.svg", "steps.html", "mlp.npz", "curves.png"):
        assert (tmp_path / name).stat().st_size > 0, name


def shell_commands() -> list[str]:
    commands = []
    for block in blocks("sh"):
        joined = block.replace("\\\n", " ")
        for line in joined.splitlines():
            line = line.split("  #")[0].strip()
            if line.startswith("autograd "):
                commands.append(line)
    return commands


@pytest.mark.parametrize("command", shell_commands())
def test_cli_examples_run(command, tmp_path):
    script = Path(sys.executable).parent / "autograd"
    argv = [str(script)] + shlex.split(command)[1:]
    result = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    # `autograd check` with a wrong claim exits 1 by design (the README shows one)
    expected = 1 if command.startswith("autograd check") else 0
    assert result.returncode == expected, result.stderr
