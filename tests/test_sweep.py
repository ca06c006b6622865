"""``autograd sweep`` and `autograd.experiments.sweep`: the plan (grids, draws, bad input),
the table and figure, resuming after a kill, Ctrl-C, and the same numbers serially, in joblib
processes and on a real Dask LocalCluster."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograd.experiments import resolve
from autograd.experiments import sweep as sweep_module
from autograd.experiments.config import ConfigError
from autograd.experiments.sweep import Range, plan_sweep, read_sweep_file, sweep

# XOR, a few epochs: a run takes well under a second (its plots most of it)
FAST = ("--preset", "xor-arch1", "--epochs", "30")
COMPARED = ("val_accuracy", "test_accuracy", "train_accuracy", "val_loss", "test_loss",
            "epochs_run", "val_curve")  # fmt: skip


def _numbers(result) -> dict:
    return {r["name"]: {k: r[k] for k in COMPARED} for r in result.rows}


def test_grid_is_every_combination_in_a_folder_each_sorted_by_validation_accuracy(cli, tmp_path):
    code, out, err = cli("sweep", *FAST, "--grid", "lr=0.1,0.5", "--grid", "act=tanh,relu",
                         "--out", tmp_path / "s", "--quiet")  # fmt: skip
    assert code == 0, err
    runs = sorted(p.name for p in (tmp_path / "s" / "runs").iterdir())
    assert runs == ["lr=0.1,act=relu", "lr=0.1,act=tanh", "lr=0.5,act=relu", "lr=0.5,act=tanh"]
    for name in runs:  # each a normal run folder of its settings
        metrics = json.loads((tmp_path / "s" / "runs" / name / "metrics.json").read_text())
        config = (tmp_path / "s" / "runs" / name / "config.toml").read_text()
        lr, act = (part.split("=")[1] for part in name.split(","))
        assert f"lr = {float(lr)!r}" in config and f'act = "{act}"' in config
        assert metrics["epochs_run"] == 30
    lines = (tmp_path / "s" / "results.csv").read_text().splitlines()
    assert lines[0].startswith("rank,lr,act,val acc,test acc")
    val = [float(line.split(",")[3]) for line in lines[1:]]
    assert len(val) == 4 and val == sorted(val, reverse=True)
    assert (tmp_path / "s" / "results.md").read_text().count("\n| ") == 5  # header + 4 runs
    assert out.startswith("| rank | lr | act |")
    pytest.importorskip("matplotlib")
    assert (tmp_path / "s" / "sweep.png").stat().st_size > 1000


def test_each_finished_run_is_printed_as_it_comes(cli, tmp_path):
    code, out, err = cli("sweep", *FAST, "--grid", "lr=0.1,0.5", "--out", tmp_path / "s")
    assert code == 0, err
    assert "[1/2] lr=0.1: val " in out + err and "[2/2] lr=0.5: val " in out + err


def test_seeds_multiply_the_runs_and_the_seed_is_a_column(tmp_path):
    plan = plan_sweep(resolve("xor-arch1", epochs=5, seed=3), {"lr": [0.1, 0.5]}, seeds=2)
    assert [(s["lr"], s["seed"]) for _, _, s in plan.runs] == [
        (0.1, 3), (0.1, 4), (0.5, 3), (0.5, 4)]  # fmt: skip
    assert [c.seed for _, c, _ in plan.runs] == [3, 4, 3, 4]
    assert plan.swept == ["lr", "seed"]


def test_long_settings_give_distinct_folder_names_of_one_component():
    paths = ["/data/" + "a" * 150 + ".npz", "/data/" + "a" * 150 + "b.npz"]
    plan = plan_sweep(resolve("xor-arch1"), {"dataset": paths})
    names = [name for name, _, _ in plan.runs]
    assert len(set(names)) == 2 and all(len(n) <= 100 and "/" not in n for n in names)


def test_random_draws_are_in_their_ranges_and_the_same_on_a_rerun():
    grid = {"lr": Range(0.001, 0.1, log=True), "epochs": Range(2, 9), "act": ["tanh", "relu"]}
    plan = plan_sweep(resolve("xor-arch1"), grid, random=6, random_seed=1)
    again = plan_sweep(resolve("xor-arch1"), grid, random=6, random_seed=1)
    assert [n for n, _, _ in plan.runs] == [n for n, _, _ in again.runs]
    assert 1 <= len(plan.runs) <= 6
    for _, config, _ in plan.runs:
        assert 0.001 <= config.lr <= 0.1 and 2 <= config.epochs <= 9
        assert isinstance(config.epochs, int) and config.act in ("tanh", "relu")
    other = plan_sweep(resolve("xor-arch1"), grid, random=6, random_seed=2)
    assert [n for n, _, _ in plan.runs] != [n for n, _, _ in other.runs]


def test_a_toml_file_plans_the_same_sweep_as_the_flags(tmp_path):
    path = tmp_path / "sweep.toml"
    path.write_text('preset = "xor-arch1"\nepochs = 5\nseeds = 2\n[grid]\n'
                    'lr = [0.1, 0.5]\nact = ["tanh", "relu"]\n')  # fmt: skip
    settings, grid, options = read_sweep_file(path)
    assert grid == {"lr": [0.1, 0.5], "act": ["tanh", "relu"]} and options == {"seeds": 2}
    from_file = plan_sweep(resolve(settings.pop("preset"), **settings), grid, **options)
    from_flags = plan_sweep(resolve("xor-arch1", epochs=5), grid, seeds=2)
    assert from_file.runs == from_flags.runs


def test_the_command_reads_a_toml_sweep(cli, tmp_path):
    path = tmp_path / "sweep.toml"
    path.write_text('preset = "xor-arch1"\nepochs = 5\n[grid]\nlr = [0.1, 0.5]\n')
    code, out, err = cli("sweep", "--config", path, "--out", tmp_path / "s", "--quiet")
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "s" / "runs").iterdir()) == ["lr=0.1", "lr=0.5"]


@pytest.mark.parametrize(
    "grid, message",
    [
        (["--grid", "speed=1,2"], "unknown setting 'speed'; settings: dataset, data_dir"),
        (["--grid", "lr="], "--grid lr: no values"),
        ([], "the sweep is empty"),
        (["--grid", "lr=0.1,0.1"], "the value 0.1 is listed twice"),
        (["--grid", "lr=0.1", "--grid", "lr=0.2"], "given twice"),
        (["--grid", "lr=0.1,0.2", "--lr", "0.3"], "--lr and --grid lr=... contradict"),
        (["--grid", "seed=1,2", "--seeds", "2"], "contradict each other"),
        (["--grid", "lr=0.01:0.1"], "a range is for random draws; add --random K"),
        (["--grid", "act=tanh,swish"], "act: unknown value 'swish'; expected one of sigmoid"),
        (["--grid", "loss=mse,ce"], "the run loss=ce: out_act: the cross-entropy loss needs"),
        (["--grid", "epochs=5,many"], "--epochs: cannot read 'many'"),
    ],
)
def test_bad_grids_are_one_line_exit_2_before_anything_is_written(cli, tmp_path, grid, message):
    code, out, err = cli("sweep", *FAST, *grid, "--out", tmp_path / "s")
    assert code == 2 and message in err, err
    assert len(err.strip().splitlines()) == 1 and err.startswith("autograd sweep: error:")
    assert not (tmp_path / "s").exists()


def test_a_run_that_fails_is_reported_in_the_table_and_the_others_go_on(cli, tmp_path):
    code, out, err = cli("sweep", *FAST, "--grid", f"dataset=xor,{tmp_path / 'none.npz'}",
                         "--out", tmp_path / "s", "--quiet")  # fmt: skip
    assert code == 0, err
    rows = (tmp_path / "s" / "results.csv").read_text().splitlines()[1:]
    assert rows[0].split(",")[1] == "xor" and rows[0].endswith(",ok")
    assert "failed: DataError: dataset: unknown data set" in rows[1]


def test_a_worker_that_dies_loses_only_its_run_tried_once_more(tmp_path, monkeypatch):
    """A process that dies (not an error of the run) brings down joblib's whole batch: the runs
    it had started get one more try, then are reported failed; the others run."""
    plan = plan_sweep(resolve("xor-arch1", epochs=5), {"lr": [0.1, 0.2, 0.3]})
    real = sweep_module.run_one
    deaths = []

    def dies_on_lr_02(name, settings, config, folder, raw, download):
        if settings["lr"] == 0.2:
            Path(folder, "config.toml").write_text("started")  # it had begun
            deaths.append(name)
            raise OSError("worker process died (simulated)")
        return real(name, settings, config, folder, raw, download)

    monkeypatch.setattr(sweep_module, "run_one", dies_on_lr_02)
    result = sweep(plan, tmp_path / "s", progress=False)
    assert deaths == ["lr=0.2", "lr=0.2"]  # the first try and one more
    status = {r["name"]: r["status"] for r in result.rows}
    assert status == {"lr=0.1": "ok", "lr=0.2": "failed", "lr=0.3": "ok"}
    assert "died 2 times" in result.rows[-1]["error"]


def _sweep_process(out: Path, *extra) -> subprocess.Popen:
    argv = [sys.executable, "-c", "import sys; from autograd.cli import main; "
            "sys.exit(main(sys.argv[1:]))", "sweep", *FAST, "--grid", "lr=0.1,0.2,0.3,0.4,0.5,0.6",
            "--out", str(out), "--quiet", *extra]  # fmt: skip
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _finished(out: Path) -> list[str]:
    return sorted(p.parent.name for p in (out / "runs").glob("*/metrics.json"))


def _wait_for(process, out: Path, count: int, seconds: float = 120) -> None:
    end = time.monotonic() + seconds
    while (out / "runs").is_dir() is False or len(_finished(out)) < count:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < end, "the sweep did not get going"
        time.sleep(0.02)


def test_a_sweep_killed_half_way_resumes_without_redoing_or_mixing_runs(cli, tmp_path):
    clean = tmp_path / "clean"
    assert cli("sweep", *FAST, "--grid", "lr=0.1,0.2,0.3,0.4,0.5,0.6", "--out", clean,
               "--quiet")[0] == 0  # fmt: skip
    out = tmp_path / "killed"
    process = _sweep_process(out)
    _wait_for(process, out, 2)
    process.kill()  # SIGKILL: no clean-up, a run may be half-written
    process.wait()
    done = _finished(out)
    assert 2 <= len(done) < 6
    stamps = {n: (out / "runs" / n / "metrics.json").stat().st_mtime_ns for n in done}
    # a half-done run: files of a run without metrics.json, and a stale file of it
    half = next(n for n in _finished(clean) if n not in done)
    (out / "runs" / half).mkdir(parents=True, exist_ok=True)
    (out / "runs" / half / "history.csv").write_text("stale\n")
    code, stdout, err = cli("sweep", *FAST, "--grid", "lr=0.1,0.2,0.3,0.4,0.5,0.6",
                            "--out", out, "--quiet")  # fmt: skip
    assert code == 0, err
    assert f"{len(done)} runs were finished already" in stdout
    assert {n: (out / "runs" / n / "metrics.json").stat().st_mtime_ns for n in done} == stamps
    assert _finished(out) == _finished(clean)
    for name in _finished(clean):  # every run's files are one run's: the clean sweep's numbers
        resumed, first = (json.loads((f / "runs" / name / "history.json").read_text())
                          for f in (out, clean))  # fmt: skip
        timeless = [k for k in first if "second" not in k and "time" not in k]
        assert {k: resumed[k] for k in timeless} == {k: first[k] for k in timeless}, name

    def table(folder):  # everything but the seconds and the status
        return [r.split(",")[:-2] for r in (folder / "results.csv").read_text().splitlines()]

    assert table(out) == table(clean)  # everything but the seconds and status


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process: POSIX")
def test_ctrl_c_stops_the_sweep_with_exit_130_and_the_finished_runs_table(tmp_path):
    out = tmp_path / "s"
    process = _sweep_process(out)
    _wait_for(process, out, 1)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "the same command continues the sweep" in err.decode()
    rows = (out / "results.csv").read_text().splitlines()[1:]
    assert 1 <= len(rows) < 6 and all(r.endswith(",ok") for r in rows)
    for folder in (out / "runs").iterdir():  # a run stopped half-way says so: redone later
        metrics = folder / "metrics.json"
        if metrics.exists() and folder.name not in {f"lr={r.split(',')[1]}" for r in rows}:
            assert json.loads(metrics.read_text())["interrupted"]


def test_joblib_processes_give_the_serial_numbers(tmp_path):
    pytest.importorskip("joblib")
    plan = plan_sweep(resolve("xor-arch1", epochs=20), {"act": ["tanh", "relu"]}, seeds=2)
    serial = sweep(plan, tmp_path / "serial", progress=False)
    parallel = sweep(plan, tmp_path / "jobs", n_jobs=2, progress=False)
    assert _numbers(parallel) == _numbers(serial)
    assert len(serial.rows) == 4 and all(r["status"] == "ok" for r in serial.rows)


def test_unreachable_scheduler_is_one_line_exit_2_nothing_written(cli, tmp_path, monkeypatch):
    pytest.importorskip("distributed", reason="the distributed extra is not installed")
    monkeypatch.setattr(sweep_module, "CONNECT_SECONDS", 1)
    code, out, err = cli("sweep", *FAST, "--grid", "lr=0.1,0.5", "--scheduler",
                         "tcp://127.0.0.1:9", "--out", tmp_path / "s")  # fmt: skip
    assert code == 2, err
    assert err.startswith("autograd sweep: error: no Dask scheduler answers at tcp://127.0.0.1:9")
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "s").exists()


@pytest.fixture(scope="module")
def local_cluster():
    distributed = pytest.importorskip(
        "distributed", reason="the distributed extra is not installed (pip install "
        "'autograd-lab[distributed]'; make test installs it)"
    )  # fmt: skip
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       host="127.0.0.1", dashboard_address=None)  # fmt: skip
    yield cluster
    cluster.close()


def test_a_sweep_on_a_dask_local_cluster_gives_the_serial_numbers(local_cluster, tmp_path):
    plan = plan_sweep(resolve("xor-arch1", epochs=20), {"lr": [0.1, 0.5], "act": ["tanh", "relu"]})
    serial = sweep(plan, tmp_path / "serial", progress=False)
    on_cluster = sweep(plan, tmp_path / "cluster", scheduler=local_cluster.scheduler_address,
                       progress=False)  # fmt: skip
    assert _numbers(on_cluster) == _numbers(serial)
    assert all(r["status"] == "ok" for r in on_cluster.rows) and len(on_cluster.rows) == 4


def test_the_command_on_a_cluster_sends_the_data_once(cli, local_cluster, tmp_path):
    address = local_cluster.scheduler_address
    code, out, err = cli("sweep", *FAST, "--grid", "lr=0.1,0.5", "--scheduler", address,
                         "--send-data", "--out", tmp_path / "s", "--quiet")  # fmt: skip
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "s" / "runs").iterdir()) == ["lr=0.1", "lr=0.5"]


def test_a_range_without_numbers_or_a_bad_file_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="a range needs a number setting"):
        plan_sweep(resolve("xor-arch1"), {"act": Range(1, 2)}, random=2)
    path = tmp_path / "sweep.toml"
    path.write_text("[grid]\nlr = 0.1\n")
    with pytest.raises(ConfigError, match="grid.lr: expected a list of values"):
        read_sweep_file(path)


def test_a_finished_folder_of_other_settings_is_an_error_not_mixed(cli, tmp_path):
    assert cli("sweep", *FAST, "--grid", "lr=0.1", "--seeds", "1", "--out", tmp_path / "s",
               "--quiet")[0] == 0  # fmt: skip
    code, out, err = cli("sweep", *FAST, "--grid", "lr=0.1", "--momentum", "0.5",
                         "--out", tmp_path / "s", "--quiet")  # fmt: skip
    assert code == 2 and "holds a finished run of other settings" in err


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL of a worker process: POSIX")
def test_a_joblib_worker_killed_mid_sweep_loses_only_its_run(tmp_path):
    """A real death: SIGKILL to one of joblib's worker processes while it trains. The sweep
    ends normally and every run is in the table (the killed run tried once more)."""
    psutil = pytest.importorskip("psutil", reason="psutil finds the worker processes")
    pytest.importorskip("joblib")
    out = tmp_path / "s"
    process = _sweep_process(out, "--jobs", "2", "--epochs", "300")
    _wait_for(process, out, 1)
    workers = [
        p for p in psutil.Process(process.pid).children(recursive=True)
        if "LokyProcess" in " ".join(p.cmdline())
    ]  # fmt: skip
    assert workers, "no joblib worker process found"
    workers[0].kill()
    _, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    rows = (out / "results.csv").read_text().splitlines()[1:]
    assert len(rows) == 6 and all(r.endswith(",ok") for r in rows), rows
    assert len(_finished(out)) == 6
