"""The ``autograd`` command's one exit-code table (issues 19 and 24): every subcommand's error
paths end in one line and the table's code; bad input is 2, never "internal error" (4); paths
are resolved before anything asks whether they exist; Ctrl-C is 130 with a complete state on
disk; a closed stdout ends quietly."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.error import URLError

import numpy as np
import pytest

import autograd.cli
from autograd.cli import EXIT_CODES, exit_code
from autograd.cli.common import UsageError
from autograd.experiments import ConfigError, DataError, OutputExists
from autograd.experiments.sweep import SchedulerUnreachable
from autograd.files import TomlError, output_folder
from autograd.handcalc.check import ClaimError
from autograd.handcalc.expr import ExpressionError
from autograd.nn.serialization import CheckpointError
from autograd.viz import GraphTooLarge, RenderError

SCRIPT = Path(sys.executable).parent / "autograd"
PERCEPTRON = "sigmoid(w1*x1 + w2*x2 + b)"
SET = ["--set", "x1=2.8", "x2=-1.8", "w1=1.45", "w2=-0.35", "b=-4"]


def one_error_line(command: str, err: str) -> str:
    """The one error line (an expression's error adds the input and a caret under it)."""
    lines = err.splitlines()
    assert len(lines) == 1 or (len(lines) == 3 and lines[2].strip().startswith("^")), err
    assert lines[0].startswith(f"autograd {command}: error: "), err
    assert "internal error" not in lines[0] and "Traceback" not in err
    return lines[0]


# --- the table itself ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "error, code",
    [
        (UsageError("bad flag"), 2),
        (ConfigError("lr: must be > 0"), 2),
        (DataError("no such data set"), 2),
        (ClaimError("no claims"), 2),
        (ExpressionError("no value for 'w3'"), 2),
        (TomlError("not valid TOML"), 2),
        (CheckpointError("truncated"), 2),
        (GraphTooLarge("", 600, 500), 2),
        (OutputExists("--out r already holds a run"), 2),
        (FileNotFoundError("no such file"), 2),
        (NotADirectoryError("a file, not a folder"), 2),
        (IsADirectoryError("a folder"), 2),
        (MemoryError(), 2),
        (URLError("no route to host"), 2),
        (ConnectionRefusedError("refused"), 2),
        (SchedulerUnreachable("no Dask scheduler answers at tcp://h:8786"), 2),
        (TimeoutError("timed out"), 2),
        (ImportError("pip install 'autograd-lab[viz]'"), 3),
        (RenderError("Graphviz failed"), 3),
        (PermissionError("cannot write x.svg: Permission denied"), 3),
        (OSError("No space left on device"), 3),
        (KeyError("a bug"), 4),
        (TypeError("a bug"), 4),
        (KeyboardInterrupt(), 130),
        (BrokenPipeError(), 0),
    ],
)
def test_the_table_maps_each_kind_of_failure_to_its_code(error, code):
    assert exit_code(error)[0] == code
    assert EXIT_CODES[-1][1] == 4  # the last row catches everything else: a bug


def test_the_table_is_the_only_exit_code_ladder():
    """No command module picks an exit code for an error (issue 19: six ladders, two
    printers): they raise, `autograd.cli.main` looks the exception up."""
    package = Path(autograd.cli.__file__).parent
    for path in sorted(package.glob("*.py")):
        if path.name == "__init__.py":
            continue
        text = path.read_text(encoding="utf-8")
        for code in ("return 2", "return 3", "return 4", "return 130", "sys.exit", ": error"):
            assert code not in text, (path.name, code)


# --- every subcommand's error paths ----------------------------------------------------------
def _sheet(tmp_path):
    path = tmp_path / "sheet.toml"
    path.write_text('[values]\ny = "0.666"\n', encoding="utf-8")
    return path


ERROR_PATHS = [
    # (argv, code, part of the message); {tmp} is a fresh folder, {file} a file in it
    (["draw", PERCEPTRON, *SET], 2, "nothing to write"),
    (["draw", PERCEPTRON, *SET, "-o", "{tmp}/g.txt"], 2, "unknown suffix"),
    (["draw", PERCEPTRON, *SET, "-o", "{tmp}/missing/g.svg"], 2, "does not exist"),
    (["draw", "sigmoid(w1*x1 + w3*x2 + b)", *SET, "-o", "{tmp}/g.svg"], 2, "no value for"),
    (["draw", PERCEPTRON, *SET, "--decimals", "-1", "-o", "{tmp}/g.svg"], 2, "decimals"),
    (["draw", PERCEPTRON, *SET, "--clusters", "a=zz", "-o", "{tmp}/g.svg"], 2, "--clusters"),
    (["draw", PERCEPTRON, *SET, "--max-nodes", "2", "-o", "{tmp}/g.svg"], 2, "--max-nodes"),
    (["draw", PERCEPTRON, "--sett", "x=1"], 2, "did you mean --set"),
    (["check", PERCEPTRON, *SET], 2, "no claims"),
    (["check", PERCEPTRON, *SET, "--claim", "y=abc"], 2, "'abc' is not a number"),
    (["check", "--claims", "{tmp}/none.toml"], 2, "none.toml"),
    (["check", "--claims", "{file}", "{file}", "--claim", "y=1"], 2, "with several sheets"),
    (["exercises", "{file}"], 2, "not a folder"),
    (
        [
            "exercises",
            "generate",
            "a1-sigmoid",
            "--students",
            "{tmp}/none.csv",
            "--seed",
            "1",
            "--out",
            "{tmp}/class",
        ],
        2,
        "none.csv",
    ),  # fmt: skip
    (
        [
            "exercises",
            "generate",
            "a9",
            "--students",
            "{file}",
            "--seed",
            "1",
            "--out",
            "{tmp}/class",
        ],
        2,
        "a9",
    ),  # fmt: skip
    (["draw", PERCEPTRON, *SET, "--practice", "{tmp}/p.txt"], 2, "--practice"),
    (["demo", "--out", "{file}"], 2, "not a folder"),
    (["train", "--epochs", "0"], 2, "--epochs: must be >= 1"),
    (["train", "--seed", "-1"], 2, "--seed: must be a whole number >= 0"),
    (["train", "--layers", "2-x-1"], 2, "--layers: cannot read"),
    (["train", "--layers", "2-100000000000-1"], 2, "--layers"),
    (["train", "--preset", "nope"], 2, "unknown preset"),
    (["train", "--config", "{tmp}/none.toml"], 2, "none.toml"),
    (["train", "--config", "/dev/zero"], 2, "larger than"),
    (["train", "--dataset", "{tmp}/none.npz"], 2, "no such file"),
    (["train", "--out", "{file}/sub", "--epochs", "1"], 2, "is a file, not a folder"),
    (["train", "--name", "a/b", "--epochs", "1"], 2, "--name: a run's name is one folder"),
    (["train", "--bogus"], 2, "autograd train --help"),
    (["repeat", "--seeds", "0"], 2, "--seeds"),
    (["repeat", "--stuck-at", "nan"], 2, "--stuck-at"),
    (["repeat", "--jobs", "0"], 2, "--jobs"),
    (["repeat", "--lr", "-1", "--seeds", "2"], 2, "--lr: must be"),
    (["reproduce", "b9"], 2, "invalid choice"),
    (["reproduce", "b1", "--epoch-scale", "inf"], 2, "--epoch-scale"),
    (["reproduce", "b1", "--epoch-scale", "1e308", "--out", "{tmp}/t"], 2, "at most 1,000,000"),
    (["reproduce", "b1", "--fraction", "2"], 2, "--fraction"),
    (["evaluate", "{tmp}/none"], 2, "no such run folder"),
    (["evaluate", "{file}"], 2, "needs --data"),
    (["evaluate", "{file}", "--data", "xor", "--plot", "{tmp}/c.txt"], 2, "--plot"),
    (["presets", "--table", "z9"], 2, "no table 'z9'"),
    (["sweep", "--grid", "speed=1,2"], 2, "unknown setting 'speed'; settings:"),
    (["sweep", "--grid", "lr=", "--out", "{tmp}/s"], 2, "--grid lr: no values"),
    (["sweep", "--grid", "lr=0.1", "--jobs", "0"], 2, "--jobs"),
    (["sweep", "--grid", "lr=0.1", "--out", "{file}/sub"], 2, "is a file, not a folder"),
]


@pytest.mark.parametrize("argv, code, message", ERROR_PATHS, ids=lambda v: str(v)[:40])
def test_every_subcommand_error_path_is_one_line_and_its_code(argv, code, message, tmp_path, cli):
    (tmp_path / "afile").write_text("not a folder, not a model\n", encoding="utf-8")
    argv = [a.format(tmp=tmp_path, file=tmp_path / "afile") for a in argv]
    got, out, err = cli(*argv)
    line = one_error_line(_command(argv), err)
    assert got == code and message in line, line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]  # nothing written


def _command(argv: list[str]) -> str:
    """The command as the user types it (``exercises generate``: a subcommand of exercises)."""
    return "exercises generate" if argv[:2] == ["exercises", "generate"] else argv[0]


def test_the_walk_covers_every_subcommand():
    parser = autograd.cli.build_parser()
    commands = set(parser.get_default("commands"))
    assert commands == {_command(argv).replace(" ", "-") for argv, _, _ in ERROR_PATHS}


def test_an_error_in_any_library_call_goes_through_the_table(cli, monkeypatch, tmp_path):
    """The commands catch nothing: whatever a library call raises is the table's."""
    import autograd.cli.training as training

    for error, code in ((DataError("the data"), 2), (RenderError("dot"), 3), (KeyError(1), 4)):

        def failing(*args, error=error, **kwargs):
            raise error

        monkeypatch.setattr(training, "run", failing)
        monkeypatch.setattr(training, "evaluate_model", failing)
        monkeypatch.setattr(training, "reproduce", failing)
        monkeypatch.setattr(training, "repeat", failing)
        for argv in (["train"], ["evaluate", "x"], ["reproduce", "c1"], ["repeat"]):
            out = ["--out", tmp_path / "o"] if argv[0] != "evaluate" else []
            got, _, err = cli(*argv, *out)
            assert got == code, (argv, err)
            assert len(err.splitlines()) == 1 and err.startswith(f"autograd {argv[0]}: error: ")


# --- bad input that exited 4 (issue 24) -------------------------------------------------------
def _npy_named_npz(tmp_path):
    path = tmp_path / "fake.npz"
    with open(path, "wb") as f:
        np.save(f, np.zeros((3, 4)))
    return path


def _declares_a_trillion_rows(tmp_path):
    import io
    import zipfile

    header = np.lib.format.header_data_from_array_1_0(np.zeros((1, 4), np.float32))
    header["shape"] = (10**12, 4)
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, header)
    path = tmp_path / "big.npz"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("x.npy", buffer.getvalue() + bytes(64))
        labels = io.BytesIO()
        np.save(labels, np.zeros(3, np.int64))
        z.writestr("y.npy", labels.getvalue())
    return path


def _empty_npz(tmp_path):
    path = tmp_path / "empty.npz"
    np.savez(path)
    return path


def _huge_png_folder(tmp_path):
    pil = pytest.importorskip("PIL.Image")
    for name in ("a", "b"):
        (tmp_path / "imgs" / name).mkdir(parents=True)
    pil.new("1", (20000, 20000)).save(tmp_path / "imgs" / "a" / "big.png")
    pil.new("L", (8, 8)).save(tmp_path / "imgs" / "b" / "small.png")
    return tmp_path / "imgs"


def _config(text):
    def make(tmp_path):
        path = tmp_path / "c.toml"
        path.write_text(text, encoding="utf-8")
        return path

    return make


@pytest.mark.parametrize(
    "flag, make",
    [
        ("--config", _config("a = " + "[" * 5000 + "]" * 5000 + "\n")),
        ("--config", _config('preset = ["xor-arch1"]\n')),
        ("--config", _config('lr = "fast"\n')),
        ("--dataset", _empty_npz),
        ("--dataset", _declares_a_trillion_rows),
        ("--dataset", _npy_named_npz),
        ("--dataset", _huge_png_folder),
    ],
    ids=["toml-5000-deep", "preset-list", "lr-text", "npz-empty", "npz-1e12", "npy", "png"],
)
def test_bad_files_are_bad_input_naming_the_file(flag, make, tmp_path, cli):
    path = make(tmp_path)
    code, _, err = cli("train", flag, path, "--epochs", 1, "--out", tmp_path / "run")
    line = one_error_line("train", err)
    assert code == 2 and path.name in line, line
    assert not (tmp_path / "run").exists()


def test_a_size_the_memory_cannot_hold_is_bad_input(tmp_path, cli):
    """A declared size beyond memory is refused before allocating: exit 2, one line."""
    path = _declares_a_trillion_rows(tmp_path)
    code, _, err = cli("train", "--dataset", path, "--epochs", 1, "--out", tmp_path / "run")
    assert code == 2 and "internal error" not in err and len(err.splitlines()) == 1


# --- paths are resolved before any existence check (issue 24, item 3) -------------------------
def _a_run(folder: Path) -> dict[str, str]:
    folder.mkdir(parents=True, exist_ok=True)
    files = {"report.txt": "the user's own notes\n", "config.toml": "# mine\n"}
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return files


def _unchanged(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        assert (folder / name).read_text(encoding="utf-8") == text, name


COMMANDS_WITH_AN_OUTPUT_FOLDER = {
    "train": ["train", "--epochs", "1", "--quiet"],
    "repeat": ["repeat", "--epochs", "1", "--seeds", "2"],
    "reproduce": ["reproduce", "b1", "--epochs", "1", "--seeds", "2", "--quiet"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS_WITH_AN_OUTPUT_FOLDER))
@pytest.mark.parametrize("out", ["runs/..", "run1/missing/..", "run1/missing/../"])
def test_an_output_folder_is_resolved_before_it_is_checked(
    command, out, tmp_path, cli, monkeypatch
):
    """``runs/..`` looked new when ``runs/`` did not exist, ``run1/missing/..`` when
    ``run1/missing`` did not: the user's files were replaced without --force."""
    monkeypatch.chdir(tmp_path)
    target = tmp_path if out.startswith("runs") else tmp_path / "run1"
    files = _a_run(target)
    if command == "reproduce":
        (target / "table.md").write_text("the user's table\n", encoding="utf-8")
        files["table.md"] = "the user's table\n"
    code, _, err = cli(*COMMANDS_WITH_AN_OUTPUT_FOLDER[command], "--out", out)
    line = one_error_line(command, err)
    assert code == 2 and "--force" in line, line
    _unchanged(target, files)
    assert not (tmp_path / "runs").exists() and not (tmp_path / "run1" / "missing").exists()


@pytest.mark.parametrize("name", ["..", ".", "a/b", "../x", "a\\b", "a\nb", "tab\there", " x"])
def test_a_run_name_is_one_printable_path_component(name, tmp_path, cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    files = _a_run(tmp_path)
    code, _, err = cli("train", "--name", name, "--epochs", 1, "--quiet")
    assert code == 2 and "--name: a run's name is one folder name" in err
    _unchanged(tmp_path, files)
    assert not (tmp_path / "runs").exists()


def test_output_folder_resolves_then_checks(tmp_path):
    (tmp_path / "run1").mkdir()
    assert output_folder(tmp_path / "run1" / "missing" / "..", "--out") == tmp_path / "run1"
    (tmp_path / "afile").write_text("x")
    with pytest.raises(NotADirectoryError, match="afile is a file"):
        output_folder(tmp_path / "afile" / "sub" / "deeper", "--out")
    assert output_folder(tmp_path / "new" / "deeper", "--out") == tmp_path / "new" / "deeper"


# --- Ctrl-C: exit 130, a complete state on disk ------------------------------------------------
@pytest.fixture
def ctrl_c():
    """Ctrl-C raises KeyboardInterrupt in this process, as in a terminal, also when the tests
    were started in the background (``make test &``), where the shell ignores SIGINT."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def _default_sigint():
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # a child of a background job: as in a terminal


def test_interrupts_deferred_holds_ctrl_c_until_the_block_ends(ctrl_c):
    from autograd.files import interrupts_deferred

    done = []
    with pytest.raises(KeyboardInterrupt):
        with interrupts_deferred():
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.05)  # the signal is handled here, and held
            done.append("the rest of the block")
    assert done == ["the rest of the block"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # put back


def test_a_second_ctrl_c_while_results_are_written_leaves_them_all(tmp_path, cli, monkeypatch,
                                                                  ctrl_c):  # fmt: skip
    """The first Ctrl-C stops training; a second one while the results are written used to
    leave a folder without metrics.json and say "interrupted before training started"."""
    run_module = sys.modules["autograd.experiments.run"]  # the package's `run` is the function

    def interrupted_fit(*args, on_epoch_end=None, **kwargs):
        raise KeyboardInterrupt

    real_write_csv = run_module.write_csv

    def write_csv_and_ctrl_c(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGINT)  # the user presses Ctrl-C again
        return real_write_csv(*args, **kwargs)

    monkeypatch.setattr(run_module, "fit", interrupted_fit)
    monkeypatch.setattr(run_module, "write_csv", write_csv_and_ctrl_c)
    code, out, err = cli("train", "--epochs", 5, "--quiet", "--out", tmp_path / "r")
    assert code == 130
    assert err.splitlines() == [
        f"autograd train: error: interrupted: the files in {tmp_path / 'r'}/ hold the 0 "
        "finished epochs"
    ]
    metrics = json.loads((tmp_path / "r" / "metrics.json").read_text())
    assert metrics["interrupted"] is True
    for name in ("config.toml", "history.csv", "model.npz", "per_class.csv", "report.txt"):
        assert (tmp_path / "r" / name).is_file(), name


def _interrupted(argv: list[str], cwd: Path, *, importing: str = "", delay: float = 0):
    """Run ``autograd ARGV`` as the console script does and press Ctrl-C: while the module
    ``importing`` is being imported (the command loading), or ``delay`` seconds after the
    command started running."""
    code = f"""
import os, signal, sys, autograd

class CtrlC:  # presses Ctrl-C when the module {importing!r} is imported
    def find_spec(self, name, path=None, target=None):
        if name == {importing!r}:
            os.kill(os.getpid(), signal.SIGINT)
        return None

sys.meta_path.insert(0, CtrlC())
print("ready", flush=True)
from autograd.cli import main
sys.exit(main(sys.argv[1:]))
"""
    process = subprocess.Popen(
        [sys.executable, "-c", code, *argv],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_default_sigint,
    )
    assert process.stdout.readline() == "ready\n"
    if not importing:
        time.sleep(delay)
        process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    return subprocess.CompletedProcess(argv, process.returncode, out, err)


TRAIN_LONG = ["train", "--epochs", "100000", "--quiet", "--out", "r"]


@pytest.mark.parametrize(
    "importing", ["autograd.cli.diagrams", "autograd.experiments.run", "autograd.cli.training"]
)
def test_ctrl_c_while_the_command_loads_exits_130_without_a_traceback(importing, tmp_path):
    """A Ctrl-C in the first 0.2 s printed a traceback and died of the signal (rc -2)."""
    result = _interrupted(TRAIN_LONG, tmp_path, importing=importing)
    assert result.returncode == 130 and result.stderr == "", result.stderr
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("delay", [0.3, 1.5])
def test_ctrl_c_while_the_command_runs_exits_130_with_a_complete_state(delay, tmp_path):
    result = _interrupted(TRAIN_LONG, tmp_path, delay=delay)
    assert result.returncode == 130, result.stderr
    assert "Traceback" not in result.stderr
    run = tmp_path / "r"
    if (run / "metrics.json").exists():  # stopped in training: every result is there
        assert json.loads((run / "metrics.json").read_text())["interrupted"] is True
        assert (run / "model.npz").is_file()


# --- a closed stdout --------------------------------------------------------------------------
def test_a_closed_stdout_ends_the_command_quietly():
    """``autograd presets -v | head``: the reader stopped reading, nothing went wrong."""
    process = subprocess.Popen(
        [str(SCRIPT), "presets", "-v"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    process.stdout.close()  # before the command writes its first line
    err = process.stderr.read().decode()
    assert process.wait(timeout=60) == 0 and err == ""
