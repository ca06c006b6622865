"""What a new user tripped on in a first session with ``autograd`` (issue 19), one test each."""

import contextlib
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from autograd.cli import build_parser
from autograd.exercises import gallery

README = Path(__file__).resolve().parent.parent / "README.md"


def _help(*argv) -> str:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), pytest.raises(SystemExit):
        build_parser().parse_args([*argv, "--help"])
    return buffer.getvalue()


# --- data: the network and the data flags ----------------------------------------------------
def test_a_failed_download_is_bad_input_naming_the_address_and_the_folders(
    cli, no_data, monkeypatch, tmp_path
):
    pytest.importorskip("pooch")
    from autograd.data import images

    spec = images.DATASETS["mnist"]
    refused = "http://127.0.0.1:9/"  # nothing listens on the discard port
    monkeypatch.setitem(images.DATASETS, "mnist", images.DataSet(spec.files, (refused,)))
    code, _, err = cli("train", "--preset", "mnist-conv1", "--download", "--out", tmp_path / "r")
    assert code == 2 and "internal error" not in err
    assert "download failed" in err and refused in err
    assert "--data-dir DIR" in err and str(tmp_path / "cache") in err


def test_every_command_that_reads_data_takes_the_same_data_flags():
    for command in ("train", "repeat", "reproduce", "evaluate"):
        text = _help(command)
        assert "--data-dir DIR" in text and "--download" in text, command


def test_missing_data_speaks_command_line_not_python(cli, no_data, tmp_path):
    code, _, err = cli("reproduce", "c1", "--epoch-scale", "0.1", "--out", tmp_path / "t")
    assert code == 2 and "pass --download" in err and "download=True" not in err
    # and the flag the message names is one reproduce takes (it used to be refused)
    assert "--download" in _help("reproduce")


# --- help and usage ---------------------------------------------------------------------------
def test_an_unknown_flag_names_the_subcommand_and_its_help(cli):
    code, _, err = cli("train", "--epoch-count", "3")
    assert code == 2
    assert err.startswith("autograd train: error: unrecognized arguments: --epoch-count")
    assert "autograd train --help" in err and "usage: autograd [-h]" not in err


def test_train_help_shows_every_default():
    text = " ".join(_help("train").split())
    for shown in ("--epochs N number of epochs (default: 200)", "(default: 2-2-1)",
                  "(default: glorot_normal)", "--lr X learning rate (default: 0.5)"):  # fmt: skip
        assert shown in text, shown


def test_demo_help_says_what_it_does():
    text = " ".join(_help("demo").split())
    assert "every part-A diagram as SVG, PNG and DOT" in text


def test_the_presets_table_fits_the_terminal_and_v_prints_it_whole(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    _, out, _ = cli("presets")
    assert max(len(line) for line in out.splitlines()) <= 100
    _, whole, _ = cli("presets", "-v")
    from autograd.experiments import PRESETS

    whole = " ".join(whole.split())
    for p in PRESETS.values():
        assert " ".join(p.description.split()) in whole and " ".join(p.note.split()) in whole


def test_draw_help_explains_unknowns_and_quoting():
    text = " ".join(_help("draw").split())
    assert "NAME=NUMBER|?" in text and "'NAME=?'" in text and "quote it" in text


# --- the README: quoted patterns, platforms, pictures, printed numbers ------------------------
def test_readme_quotes_every_unknown_for_zsh():
    text = README.read_text(encoding="utf-8")
    for match in re.finditer(r"\w+=\?", text):
        before = text[max(0, match.start() - 12) : match.start()]
        assert before.endswith("'") or before.endswith("unquoted `"), text[match.start() - 40 :][
            :80
        ]


def test_readme_says_which_platforms_the_setup_supports():
    text = README.read_text(encoding="utf-8")
    assert "on Linux and macOS" in text and "On Windows" in text and ".venv\\Scripts" in text


def test_readme_shows_a_diagram_and_the_step_player():
    text = README.read_text(encoding="utf-8")
    for picture in ("graphs/a1_sigmoid.svg", "graphs/steps_a1_sigmoid.png"):
        assert f"]({picture})" in text and (README.parent / picture).is_file(), picture


def test_readme_first_example_prints_what_its_comment_says():
    code = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)[0]
    line = next(x for x in code.splitlines() if x.startswith("print("))
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        exec(compile(code, "README.md", "exec"), {})
    assert buffer.getvalue().strip() == line.split("# ")[1].strip()


# --- diagrams ---------------------------------------------------------------------------------
def _cluster_boxes(svg: str) -> dict[str, tuple[float, float]]:
    """{cluster title: (left, right)} of a rendered SVG."""
    ns = {"s": "http://www.w3.org/2000/svg"}
    boxes = {}
    for group in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}g"):
        if group.get("class") != "cluster":
            continue
        title = "".join(t.text or "" for t in group.iter("{http://www.w3.org/2000/svg}text"))
        points = group.find("s:path", ns)
        points = group.find("s:polygon", ns) if points is None else points
        numbers = [
            float(v) for v in re.findall(r"-?\d+\.?\d*", points.get("d") or points.get("points"))
        ]
        xs = numbers[0::2]
        boxes[title.strip()] = (min(xs), max(xs))
    return boxes


def test_the_galleries_a3_has_the_cost_to_the_right_of_the_neurons():
    pytest.importorskip("pygraphviz")
    boxes = _cluster_boxes(gallery()["a3"].svg())
    cost = boxes.pop("cost (MSE)")
    assert len(boxes) == 2 and all(cost[0] > right for _, right in boxes.values()), boxes


def test_draw_groups_neurons_by_default_and_takes_explicit_boxes(cli, tmp_path):
    a3 = (
        "h1 = w11*x1 + w12*x2 + b1; h2 = w21*x1 + w22*x2 + b2; y1 = sigmoid(h1); "
        "y2 = sigmoid(h2); C = (y1 - t1)**2 + (y2 - t2)**2"
    )
    values = ["x1=-3.1", "x2=1.5", "w11=-0.2", "w12=2.0", "w21=-0.5", "w22=-0.3", "b1=-4"]
    values += ["b2=-1", "t1=1", "t2=0"]
    code, _, err = cli("draw", a3, "--set", *values, "-o", tmp_path / "a3.dot")
    assert code == 0, err
    dot = (tmp_path / "a3.dot").read_text(encoding="utf-8")
    assert dot.count("subgraph cluster_") == 3 and "neuron 2" in dot and "cost" in dot
    code, _, err = cli("draw", a3, "--set", *values, "--clusters", "first=w11,b1; second=w21",
                       "-o", tmp_path / "mine.dot")  # fmt: skip
    dot = (tmp_path / "mine.dot").read_text(encoding="utf-8")
    assert code == 0 and dot.count("subgraph cluster_") == 2 and "second" in dot


def test_draw_table_stays_aligned_when_gradients_are_expressions(cli, tmp_path):
    pytest.importorskip("sympy")
    code, out, err = cli(
        "draw", "h = w*x + b; y = sigmoid(h); C = (y - t1)**2", "--set", "w=1.45", "x=2.8",
        "b=-4", "t1=?", "-o", tmp_path / "g.dot",
    )  # fmt: skip
    assert code == 0, err
    table = [line for line in out.splitlines() if not line.startswith("wrote")]
    assert any("t1" in line.split()[-1] for line in table[1:])  # an expression in t1
    ends = {len(line) for line in table}
    assert len(ends) == 1, table  # right-aligned columns: every row ends at the same place
    starts = {line.index(line.split()[2]) + len(line.split()[2]) for line in table[1:]}
    assert len({len(line.rstrip()) for line in table}) == 1 and starts


def test_a_note_about_many_outputs_names_a_few_and_counts_them(cli, tmp_path):
    steps = "; ".join(f"y{i} = x * {i}" for i in range(300))
    code, _, err = cli("draw", steps, "--set", "x=1", "-o", tmp_path / "g.dot", "--max-nodes", 2000)
    assert code == 0
    note = next(line for line in err.splitlines() if "note: outputs" in line)
    assert "y0, y1, y2, y3, y4, ... (300 in all)" in note and len(note) < 300


# --- training from the command line ------------------------------------------------------------
def test_one_epoch_says_one_epoch_and_draws_a_point(cli, tmp_path):
    code, out, err = cli("train", "--epochs", 1, "--quiet", "--out", tmp_path / "r")
    assert code == 0, err
    assert "1 epoch in" in out and "1 epochs" not in out
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    from autograd import plots
    from autograd.train import History

    history = History("one")
    history.append(train_loss=1.0, val_loss=0.9)
    figure = plots.plot_history(history)
    lines = figure.axes[0].get_lines()
    assert lines and all(line.get_marker() == "o" for line in lines)


def test_evaluate_heads_the_confusion_matrix_with_class_names(cli, tmp_path):
    code, _, err = cli("train", "--dataset", "xnor", "--epochs", 2, "--quiet", "--out", tmp_path)
    assert code == 0, err
    code, out, err = cli("evaluate", tmp_path)
    assert code == 0, err
    lines = out.splitlines()
    head = lines[lines.index("confusion matrix (rows: true class, columns: predicted)") + 1]
    assert head.split()[-2:] == ["-1", "+1"]
    rows = lines[lines.index(head) + 1 : lines.index(head) + 3]
    assert [row.split()[0] for row in rows] == ["-1", "+1"]


def _image_folder(root: Path) -> Path:
    pil = pytest.importorskip("PIL.Image")
    rng = np.random.default_rng(0)
    for label in ("cats", "dogs"):
        (root / label).mkdir(parents=True)
        for i in range(6):
            pixels = rng.integers(0, 255, (16, 16, 3), dtype=np.uint8)
            pil.fromarray(pixels).save(root / label / f"{i}.png")
    return root


def test_the_users_data_sets_the_first_and_last_layer_unless_given(cli, tmp_path):
    folder = _image_folder(tmp_path / "pets")
    code, _, err = cli(
        "train", "--dataset", folder, "--epochs", 1, "--quiet", "--out", tmp_path / "r"
    )
    assert code == 0, err
    config = (tmp_path / "r" / "config.toml").read_text(encoding="utf-8")
    assert "layers = [768, 2, 1]" in config  # 16x16 RGB in, one tanh output for two classes
    code, _, err = cli("train", "--dataset", folder, "--layers", "0-8-0", "--loss", "ce",
                       "--out-act", "softmax", "--epochs", 1, "--quiet",
                       "--out", tmp_path / "ce")  # fmt: skip
    assert code == 0, err
    assert "layers = [768, 8, 2]" in (tmp_path / "ce" / "config.toml").read_text(encoding="utf-8")
    code, _, err = cli("train", "--dataset", folder, "--layers", "5-2-1", "--epochs", 1)
    assert code == 2 and "768 inputs per sample" in err  # given: checked, not replaced


def test_config_toml_names_the_output_activation_out_act(cli, tmp_path):
    code, _, err = cli(
        "train", "--epochs", 1, "--quiet", "--out-act", "sigmoid", "--out", tmp_path / "r"
    )
    assert code == 0, err
    text = (tmp_path / "r" / "config.toml").read_text(encoding="utf-8")
    assert 'out_act = "sigmoid"' in text and not re.search(r"^out = ", text, re.M)
    older = tmp_path / "older.toml"  # a config.toml written before the rename
    older.write_text('out = "sigmoid"\nepochs = 1\n', encoding="utf-8")
    code, _, err = cli("train", "--config", older, "--quiet", "--out", tmp_path / "o")
    assert code == 0, err
    assert json.loads((tmp_path / "o" / "metrics.json").read_text())["epochs_run"] == 1
    assert 'out_act = "sigmoid"' in (tmp_path / "o" / "config.toml").read_text(encoding="utf-8")


def test_neuron_boxes_are_the_galleries_boxes():
    from autograd.cli.diagrams import neuron_clusters
    from autograd.exercises import A1_INPUTS, A2_CLUSTERS, A3_SERIES_CLUSTERS, A3_SERIES_INPUTS
    from autograd.handcalc.expr import build

    a2 = {"x1": -3.1, "x2": 1.5, "w11": -0.2, "w12": 2.0, "w21": -0.5, "w22": -0.3}
    a2 |= {"b1": -4, "b2": -1}
    steps = (
        "h1 = w11*x1 + w12*x2 + b1; h2 = w21*x1 + w22*x2 + b2; y1 = sigmoid(h1); y2 = sigmoid(h2)"
    )
    assert neuron_clusters(build(steps, a2)[1]) == A2_CLUSTERS
    compact = "y1 = sigmoid(w11*x1 + w12*x2 + b1); y2 = sigmoid(w21*x1 + w22*x2 + b2)"
    assert neuron_clusters(build(compact, a2)[1])["neuron 2"] == ["w21", "w22", "b2", "y2"]
    series = "h = w1*x1 + w2*x2 + b; a = tanh(h); z = w3*a + b3; y = tanh(z); C = (y - t)**2"
    boxes = neuron_clusters(build(series, A3_SERIES_INPUTS)[1])
    assert boxes == {**A3_SERIES_CLUSTERS, "cost": ["C"]}
    one = "h = w1*x1 + w2*x2 + b; y = sigmoid(h)"
    assert neuron_clusters(build(one, A1_INPUTS)[1]) == {}  # one neuron: no box


def test_draw_writes_tikz_and_themes_from_the_command_line(tmp_path, cli):
    """Issue 21's export and themes from the CLI: -o x.tex writes the TikZ document,
    --theme picks the palette (the dark theme's background in the DOT)."""
    expression = "sigmoid(w*x + b)"
    values = ["--set", "w=1.5", "x=2", "b=-1"]
    code, out, err = cli("draw", expression, *values, "-o", tmp_path / "g.tex")
    assert code == 0, err
    text = (tmp_path / "g.tex").read_text(encoding="utf-8")
    assert "\\documentclass" in text and "\\begin{tikzpicture}" in text
    code, _, err = cli("draw", expression, *values, "--theme", "dark", "-o", tmp_path / "d.dot")
    assert code == 0, err
    from autograd.viz.style import Style

    dark = (tmp_path / "d.dot").read_text(encoding="utf-8")
    assert Style.theme("dark").background.lower() in dark.lower()
    code, _, err = cli("draw", expression, *values, "--theme", "neon", "-o", tmp_path / "n.svg")
    assert code == 2 and "--theme" in err and not (tmp_path / "n.svg").exists()


@pytest.mark.parametrize("level", ["scalar", "neuron", "layer"])
def test_evaluate_draws_the_network_at_each_level(level, tmp_path, cli):
    """Issue 21's three levels from the command line: a trained XOR run drawn on one example;
    the same output value appears at every level."""
    run_dir = tmp_path / "xor"
    code, _, err = cli("train", "--preset", "xor-arch1", "--quiet", "--out", run_dir)
    assert code == 0, err
    path = tmp_path / f"{level}.dot"
    code, out, err = cli("evaluate", run_dir, "--network", path, "--level", level, "--sample", 3)
    assert code == 0 and f"{level} diagram of sample 3" in out, err
    from autograd import nn

    model = nn.load(run_dir / "model.npz")
    from autograd.data import xor

    x, _ = xor()
    value = float(model(__import__("autograd").Tensor(x[3:4])).data.reshape(-1)[0])
    assert f"{value:.3f}" in path.read_text(encoding="utf-8")
    code, _, err = cli("evaluate", run_dir, "--network", tmp_path / "n.svg", "--sample", 99)
    assert code == 2 and "--sample" in err and not (tmp_path / "n.svg").exists()
