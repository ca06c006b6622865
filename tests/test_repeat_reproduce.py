"""`autograd repeat` (one experiment over many seeds) and `autograd reproduce` (a whole table
beside the course's numbers), on tiny data made here."""

import csv
import json

import numpy as np
import pytest
from test_datasets import cifar_archive, write_idx_set

from autograd import experiments
from autograd.experiments import resolve, run
from autograd.experiments.repeat import batchable, repeat
from autograd.experiments.reproduce import C4_PRESETS, PARITY_HIDDEN, PARITY_N, reproduce


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def test_repeat_xor_writes_per_seed_metrics_summary_and_plots(tmp_path, cli):
    out = tmp_path / "xor"
    code, stdout, err = cli("repeat", "--preset", "xor-arch1", "--seeds", 60, "--out", out)
    assert code == 0, err
    rows = read_csv(out / "seeds.csv")
    summary = json.loads((out / "summary.json").read_text())
    acc = np.array([float(r["test_accuracy"]) for r in rows])
    assert [int(r["seed"]) for r in rows] == list(range(60))
    assert summary["seeds"] == 60 and summary["all_seeds_at_once"]
    assert summary["test_accuracy_mean"] == pytest.approx(acc.mean(), abs=1e-6)
    assert summary["test_accuracy_std"] == pytest.approx(acc.std(), abs=1e-6)
    assert summary["stuck_fraction"] == pytest.approx(np.mean(acc <= 0.5))
    assert sum(int(r["stuck"]) for r in rows) == round(60 * summary["stuck_fraction"])
    assert summary["reported"] == experiments.PRESETS["xor-arch1"].reported
    assert f"{summary['test_accuracy_mean']:.3f} ± {summary['test_accuracy_std']:.3f}" in stdout
    bands = read_csv(out / "bands.csv")
    assert len(bands) == 200 and bands[0]["epoch"] == "0"
    for name in ("histogram.png", "curves.png"):
        assert (out / name).read_bytes()[:4] == b"\x89PNG"
    # seed 7 of the repeat is `autograd train --preset xor-arch1 --seed 7`
    single = run(resolve("xor-arch1", seed=7), progress=False)
    assert float(rows[7]["test_accuracy"]) == single.metrics["test_accuracy"]
    assert float(rows[7]["test_loss"]) == pytest.approx(single.metrics["test_loss"], abs=1e-5)
    # an existing folder is kept unless --force
    code, _, err = cli("repeat", "--preset", "xor-arch1", "--seeds", 5, "--out", out)
    assert code == 2 and "already holds a run" in err and "--force" in err
    assert len(read_csv(out / "seeds.csv")) == 60
    code, _, _ = cli("repeat", "--preset", "xor-arch1", "--seeds", 5, "--out", out,
                     "--force")  # fmt: skip
    assert code == 0 and len(read_csv(out / "seeds.csv")) == 5


def test_train_with_seeds_is_repeat_and_seeds_count_from_seed(tmp_path, cli):
    out = tmp_path / "p"
    code, _, err = cli("train", "--preset", "parity", "--parity-n", 3, "--layers", "3-4-1",
                       "--epochs", 50, "--seed", 10, "--seeds", 4, "--out", out)  # fmt: skip
    assert code == 0, err
    assert [int(r["seed"]) for r in read_csv(out / "seeds.csv")] == [10, 11, 12, 13]
    assert len(read_csv(out / "bands.csv")) == 50


def test_experiments_that_cannot_batch_run_seed_by_seed_through_run():
    config = resolve("xor-arch1", optimizer="adam", lr=0.05, epochs=30)
    data = experiments.load_data(config)
    assert "plain SGD" in batchable(config, data)
    assert batchable(resolve("xnor-arch2"), data) == ""
    result = repeat(config, seeds=[3, 5])
    assert result.notes and "seed by seed" in result.notes[0]
    assert result.summary["stuck_at"] == 0.5  # chance level of two classes
    for i, seed in enumerate([3, 5]):
        single = run(config.replace(seed=seed), progress=False)
        assert result.per_seed["test_accuracy"][i] == single.metrics["test_accuracy"]
        np.testing.assert_array_equal(result.curves["train_loss"][i], single.history.train_loss)
    in_two_processes = repeat(config, seeds=[3, 5], n_jobs=2)
    for key, values in result.per_seed.items():
        np.testing.assert_array_equal(in_two_processes.per_seed[key], values)


def test_bad_repeat_and_reproduce_input_is_one_line_and_exit_code_2(tmp_path, cli):
    for argv, message in [
        (["repeat", "--preset", "xor-arch1", "--seeds", "0"], "--seeds: expected a number >= 1"),
        (["repeat", "--preset", "xor-arch1", "--jobs", "0"], "--jobs: expected a number >= 1"),
        (["repeat", "--preset", "nope"], "xor-arch1"),  # lists the known presets
        (["reproduce", "c9"], "invalid choice: 'c9'"),
        (["reproduce", "c2", "--epochs", "1"], "FILE.npz"),  # c2 needs the 49-class file
        (["reproduce", "b1", "--epochs", "x"], "--epochs: expected a whole number"),
    ]:
        code, _, err = cli(*argv, "--out", tmp_path / "r")
        assert code == 2 and message in err, (argv, err)
        assert len(err.strip().splitlines()) == 1, err


def test_reproduce_b1_side_by_side_with_the_course(tmp_path, cli):
    code, stdout, err = cli("reproduce", "b1", "--seeds", 30, "--out", tmp_path / "b1")
    assert code == 0, err
    rows = read_csv(tmp_path / "b1" / "table.csv")
    assert [r["preset"] for r in rows] == experiments.TABLES["b1"]
    for r in rows:
        summary = json.loads((tmp_path / "b1" / r["preset"] / "summary.json").read_text())
        assert r["course"] == "500-seed mean 0.94 / 0.87" and r["seeds"] == "30"
        mean = f"{summary['test_accuracy_mean']:.3f} ± {summary['test_accuracy_std']:.3f}"
        assert r["ours: mean final accuracy ± std"] == mean and mean in stdout
    md = (tmp_path / "b1" / "table.md").read_text()
    assert "| xnor-arch2 |" in md and "500-seed mean 0.94 / 0.87" in md
    # the histograms are histogram.png, as `autograd repeat` names them (issue 19)
    assert (tmp_path / "b1" / "histogram.png").read_bytes()[:4] == b"\x89PNG"
    assert not (tmp_path / "b1" / "curves.png").exists()


def test_reproduce_b2_every_n_and_hidden_width(tmp_path):
    table = reproduce("b2", tmp_path / "b2", seeds=6, epochs=40)
    assert [(int(r[0]), int(r[1])) for r in table.rows] == [
        (n, h) for n in PARITY_N for h in PARITY_HIDDEN
    ]
    rows = read_csv(tmp_path / "b2" / "table.csv")
    per_seed = read_csv(tmp_path / "b2" / "parity-N=4-Nh=8.csv")
    mean = np.mean([float(r["final_accuracy"]) for r in per_seed])
    assert rows[10]["ours: mean final accuracy ± std"].startswith(f"{mean:.3f} ±")
    assert "changed for every experiment: epochs=40" in (tmp_path / "b2" / "table.md").read_text()


def test_reproduce_c1_every_row_on_a_cifar10_archive(tmp_path, no_data, cli):
    cifar_archive(tmp_path / "cifar-10-binary.tar.gz", n_per_batch=12)
    code, stdout, err = cli("reproduce", "c1", "--data-dir", tmp_path, "--epochs", 1,
                            "--out", tmp_path / "c1")  # fmt: skip
    assert code == 0, err
    rows = read_csv(tmp_path / "c1" / "table.csv")
    assert [r["preset"] for r in rows] == experiments.TABLES["c1"] and len(rows) == 8
    for r in rows:
        preset = experiments.PRESETS[r["preset"]]
        metrics = json.loads((tmp_path / "c1" / r["preset"] / "metrics.json").read_text())
        assert r["course"] == preset.reported
        split = "val" if preset.reported.startswith("val") else "test"
        assert r["ours"] == f"{split} {metrics[f'{split}_accuracy']:.3f}"
        assert r["epochs"] == "1"
    assert "| cifar10-relu-sigmoid-mse |" in stdout and "test 0.226 (fails)" in stdout
    assert "[1/8] cifar10-sigmoid-mse: 1 epochs" in err  # where a long table is at
    assert (tmp_path / "c1" / "curves.png").read_bytes()[:4] == b"\x89PNG"
    code, _, err = cli("reproduce", "c1", "--data-dir", tmp_path, "--epochs", 1,
                       "--out", tmp_path / "c1")  # fmt: skip
    assert code == 2 and "already holds a reproduced table" in err


def test_reproduce_c2_c3_c4_on_files_made_here(tmp_path, no_data):
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "chars.npz", x=rng.integers(0, 256, (196, 28, 28), dtype=np.uint8),
             y=np.arange(196) % 49)  # fmt: skip
    c2 = reproduce("c2", None, epochs=1, overrides={"dataset": str(tmp_path / "chars.npz")})
    assert [r[0] for r in c2.rows] == experiments.TABLES["c2"]
    write_idx_set(tmp_path / "fm", n_train=50, n_test=20)
    ten = repeat(resolve("fashion-mnist-512-relu-no-dropout", data_dir=str(tmp_path / "fm"),
                         layers=[784, 8, 10], epochs=1), seeds=2)  # fmt: skip
    assert ten.summary["stuck_at"] == 0.1  # chance level of ten classes
    c3 = reproduce("c3", None, epoch_scale=0.1, data_dir=tmp_path / "fm")
    assert [r[0] for r in c3.rows] == experiments.TABLES["c3"]
    # a tenth of each experiment's own epochs (C3's presets: 20)
    assert {r[c3.columns.index("epochs")] for r in c3.rows} == {"2"}
    assert set(c3.results) == set(experiments.TABLES["c3"])
    c4 = reproduce("c4", tmp_path / "c4", epochs=1, data_dir=tmp_path / "fm")
    assert [r[0] for r in c4.rows] == list(C4_PRESETS) and c4.columns[-1] == "model MB"
    sizes = [float(r[-1]) for r in c4.rows]
    assert sizes[0] > sizes[1] > 0  # 784-512-512-10 is bigger on disk than 784-512-10


def test_reproduce_c5_compares_the_conv_networks_and_their_size_on_disk(tmp_path, no_data):
    data = tmp_path / "data"
    write_idx_set(data, n_train=40, n_test=12)  # MNIST and Fashion-MNIST file names are the same
    cifar_archive(data / "cifar-10-binary.tar.gz", n_per_batch=8)
    c5 = reproduce("c5", tmp_path / "c5", epochs=1, data_dir=data, overrides={"batch_size": 16})
    assert [r[0] for r in c5.rows] == experiments.TABLES["c5"] and c5.columns[-1] == "model MB"
    size = {r[0]: float(r[-1]) for r in c5.rows}
    # the report's point: the conv + 10,000-unit dense net is far bigger on disk than LeNet-5
    assert size["cifar10-conv-dense"] > 100 * size["lenet5-cifar10"] > 0
    assert (tmp_path / "c5" / "table.md").read_text().count("| lenet5-cifar10 |") == 1
