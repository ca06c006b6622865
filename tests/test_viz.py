"""The diagram layer: DOT text (deterministic, golden files), rendered SVG (parsed as XML),
Style options, errors that leave no file behind, and the graphs/ gallery being up to date.

Regenerate the golden files after an intended change of the drawing with
``UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_viz.py`` and review ``git diff``.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

pytest.importorskip("pygraphviz", reason='rendering needs pip install "autograd-lab[viz]"')

from autograd import Value, sum_values, topo_order  # noqa: E402
from autograd.cli import main  # noqa: E402
from autograd.exercises import a1, a3_series, a4, gallery, part_a  # noqa: E402
from autograd.viz import (  # noqa: E402
    Diagram,
    GraphTooLarge,
    RenderError,
    Style,
    draw,
)
from autograd.viz.dot import node_names  # noqa: E402
from autograd.viz.format import format_number, op_text  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
GRAPHS = ROOT / "graphs"
SVG = "{http://www.w3.org/2000/svg}"
VALUE_COLOR = Style().value_color
GRAD_COLOR = Style().grad_color


# --- helpers ----------------------------------------------------------------------------------
def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def groups(root: ET.Element) -> dict[str, ET.Element]:
    """SVG <g> elements by id (Graphviz writes our DOT ids there)."""
    return {g.get("id"): g for g in root.iter(SVG + "g") if g.get("id")}


def texts(element: ET.Element) -> list[str]:
    return [t.text for t in element.iter(SVG + "text") if t.text]


def fills(element: ET.Element) -> set[str]:
    return {e.get("fill").lower() for e in element.iter() if e.get("fill")}


def top_y(group: ET.Element) -> float:
    return min(float(t.get("y")) for t in group.iter(SVG + "text"))


def left_x(group: ET.Element) -> float:
    return min(float(t.get("x")) for t in group.iter(SVG + "text"))


def labelled(root: ET.Element, label: str) -> ET.Element:
    """The value node whose first text (its name row) is ``label``."""
    found = [
        g
        for g in root.iter(SVG + "g")
        if "value" in (g.get("class") or "").split() and texts(g)[:1] == [label]
    ]
    assert len(found) == 1, f"expected one node labelled {label!r}, found {len(found)}"
    return found[0]


def perceptron(activation: str = "sigmoid"):
    """A1 built by hand (not through autograd.exercises), so the tests do not share its code."""
    x1, x2 = Value(2.8, label="x1"), Value(-1.8, label="x2")
    w1, w2 = Value(1.45, label="w1"), Value(-0.35, label="w2")
    b = Value(-4.0, label="b")
    h = sum_values([w1 * x1, w2 * x2, b], label="h")
    y = getattr(h, activation)()
    y.label = "y"
    y.backward()
    return y


def small_network():
    """Two tanh neurons with labels n1.*, n2.* sharing the inputs x1, x2."""
    x = [Value(1.0, label="x1"), Value(-2.0, label="x2")]
    outs = []
    for n in (1, 2):
        w = [Value(0.5 * n, label=f"n{n}.w1"), Value(-0.3, label=f"n{n}.w2")]
        b = Value(0.1 * n, label=f"n{n}.b")
        h = sum_values([w[0] * x[0], w[1] * x[1], b], label=f"n{n}.h")
        outs.append(h.tanh())
    y = outs[0] + outs[1]
    y.label = "y"
    y.backward()
    return y


# --- DOT text ---------------------------------------------------------------------------------
def test_dot_is_a_pure_function_of_the_graph():
    first = draw(perceptron()).dot
    second = draw(perceptron()).dot  # new objects, other id()s: same text
    assert first == second
    assert draw(perceptron(), rankdir="TB").dot != first


def test_node_names_come_from_the_topological_order():
    y = perceptron()
    order = topo_order(y)
    names = node_names(y)
    assert [names[node] for node in order] == [f"n{i}" for i in range(len(order))]
    dot = draw(y).dot
    for i, node in enumerate(order):
        assert f'n{i} [id="n{i}"' in dot
        if node.parents:
            assert f'op{i} [id="op{i}"' in dot
            for k, parent in enumerate(node.parents):
                assert f'n{order.index(parent)} -> op{i} [id="op{i}-in{k}"' in dot


def test_a_node_used_twice_gets_two_edges():
    a = Value(3.0, label="a")
    y = a + a
    y.label = "y"
    y.backward()
    dot = draw(y, edge_grads=True).dot
    assert 'n0 -> op1 [id="op1-in0"' in dot and 'n0 -> op1 [id="op1-in1"' in dot
    assert a.grad == 2.0


GOLDEN_CASES = {
    **{exercise.name: (lambda e=exercise: draw(e.output)) for exercise in part_a()},
    "a1_sigmoid_edge_grads_tb": lambda: draw(a1("sigmoid").output, edge_grads=True, rankdir="TB"),
    "a4_forward_only": lambda: draw(a4().output, show_grad=False, decimals=2),
    "network_prefix_clusters": lambda: draw(small_network(), clusters="prefix"),
}


@pytest.mark.parametrize("name", sorted(GOLDEN_CASES))
def test_dot_matches_the_golden_file(name):
    dot = GOLDEN_CASES[name]().dot
    path = GOLDEN / f"{name}.dot"
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(dot, encoding="utf-8")
    assert path.exists(), f"{path} is missing: run UPDATE_GOLDEN=1 pytest tests/test_viz.py"
    assert dot == path.read_text(encoding="utf-8"), (
        f"the DOT of {name} changed; if intended, run "
        "UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_viz.py and review git diff"
    )


def test_several_roots_share_their_nodes():
    x = Value(2.0, label="x")
    y1, y2 = x.tanh(), x * 3.0
    y1.label, y2.label = "y1", "y2"
    names = node_names([y1, y2])
    assert [names[n] for n in (x, y1, y2)] == ["n0", "n1", "n3"]  # the constant 3 is n2
    dot = draw([y1, y2]).dot
    assert dot.count('class="value') == 4 and dot.count("n0 -> ") == 2
    # Two outputs: the gradients of their sum, whatever backward() ran, named in the legend.
    assert "gradient ∂(y1 + y2)/∂node" in dot
    y1.backward()  # x.grad is now dy1/dx only
    sum_grad = (1 - math.tanh(2.0) ** 2) + 3.0
    assert format_number(x.grad, 3) != format_number(sum_grad, 3)
    assert format_number(sum_grad, 3) in draw([y1, y2]).dot


def test_format_number():
    assert format_number(0.66602, 3) == "0.666"
    assert format_number(-0.0004, 3) == "0.000"  # no "-0.000"
    assert format_number(2.5e7, 2) == "2.50e+07"
    assert format_number(float("nan"), 3) == "nan"
    assert format_number(-math.inf, 3) == "-inf"


def test_op_text_shows_symbol_and_parameters():
    h = Value(-1.0)
    assert op_text(h.elu(alpha=0.1)) == "ELU α=0.1"
    assert op_text(h.leaky_relu(alpha=0.1)) == "LeakyReLU α=0.1"
    assert op_text(h.sigmoid()) == "σ"
    assert op_text(h**2) == "x²"


# --- rendered SVG -----------------------------------------------------------------------------
def test_svg_shows_labels_numbers_and_both_colours():
    svg = parse(draw(perceptron()).svg())
    # The A1 numbers, computed here with math only.
    h = 1.45 * 2.8 + (-0.35) * (-1.8) - 4.0
    y = 1.0 / (1.0 + math.exp(-h))
    dh = y * (1.0 - y)
    expected = {
        "y": (y, 1.0),
        "h": (h, dh),
        "w1": (1.45, dh * 2.8),
        "x1": (2.8, dh * 1.45),
        "w2": (-0.35, dh * -1.8),
        "x2": (-1.8, dh * -0.35),
        "b": (-4.0, dh),
    }
    for label, (data, grad) in expected.items():
        node = labelled(svg, label)
        assert texts(node) == [label, f"{data:.3f}", f"{grad:.3f}"]
        assert {VALUE_COLOR, GRAD_COLOR} <= fills(node)
    assert texts(labelled(svg, "y"))[1] == "0.666"
    legend = " ".join(texts(svg.find(SVG + "g")))
    assert "forward value" in legend and "gradient ∂y/∂node" in legend
    assert len([g for g in svg.iter(SVG + "g") if "op" in (g.get("class") or "").split()]) == 4


def test_inputs_are_drawn_in_argument_order():
    for rankdir, position in (("LR", top_y), ("TB", left_x)):
        svg = parse(draw(a1("sigmoid").output, rankdir=rankdir).svg())
        where = [position(labelled(svg, label)) for label in ("w1", "x1", "w2", "x2")]
        assert where[0] < where[1] < where[2] < where[3], (rankdir, where)


def test_forward_only_diagram_has_no_gradients():
    y = perceptron()
    svg = parse(draw(y, show_grad=False).svg())
    assert GRAD_COLOR not in fills(svg)
    assert texts(labelled(svg, "w1")) == ["w1", "1.450"]
    assert "0.623" not in texts(svg)  # dy/dw1
    assert not any("gradient" in t for t in texts(svg))


def test_edge_grads_show_the_local_derivatives():
    y = perceptron()
    svg = parse(draw(y, edge_grads=True).svg())
    g = groups(svg)
    names = node_names(y)
    product = y.parents[0].parents[0]  # w1 * x1
    i = names[product][1:]
    assert texts(g[f"op{i}-in0"]) == ["2.800"]  # d(w1*x1)/dw1 = x1
    assert texts(g[f"op{i}-in1"]) == ["1.450"]  # d(w1*x1)/dx1 = w1
    sigmoid_node = names[y][1:]
    assert texts(g[f"op{sigmoid_node}-in0"]) == [format_number(y.local_grads[0], 3)]
    assert texts(g[f"op{sigmoid_node}-out"]) == []
    assert not any(
        texts(e) for e in parse(draw(y).svg()).iter(SVG + "g") if "edge" in (e.get("class") or "")
    )


def test_prefix_clusters_group_each_neuron():
    y = small_network()
    diagram = draw(y, clusters="prefix")
    assert diagram.dot.count("subgraph cluster_") == 2
    svg = parse(diagram.svg())
    clusters = [g for g in svg.iter(SVG + "g") if g.get("class") == "cluster"]
    assert sorted(texts(c)[0] for c in clusters) == ["n1", "n2"]
    # Inside a cluster, the prefix is dropped: "w1" in the box "n1".
    assert "n1.w1" not in texts(svg) and texts(svg).count("w1") == 2
    # The unnamed product n1.w1 * x1 joins its neuron's cluster.
    names = node_names(y)
    product = y.parents[0].parents[0].parents[0]
    block = diagram.dot.split("subgraph cluster_0")[1].split("subgraph cluster_1")[0]
    assert f"{names[product]} [" in block


def test_explicit_clusters_and_their_errors():
    exercise = a3_series()
    clusters = {"neuron 1": ["w1", "x1", "w2", "x2", "b", "h", "a"]}
    svg = parse(draw(exercise.output, clusters=clusters).svg())
    assert [texts(g)[0] for g in svg.iter(SVG + "g") if g.get("class") == "cluster"] == ["neuron 1"]
    with pytest.raises(ValueError, match="no node labelled 'nope'"):
        draw(exercise.output, clusters={"n": ["nope"]})
    with pytest.raises(ValueError, match="in two clusters"):
        draw(exercise.output, clusters={"a": ["w1"], "b": ["w1"]})


def test_highlight_marks_nodes_with_a_note():
    y = perceptron()
    h = y.parents[0]
    diagram = draw(y, highlight={h: "expected 0.690"})
    svg = parse(diagram.svg())
    g = groups(svg)
    name = node_names(y)[h]
    assert "highlight" in g[name].get("class").split()
    assert texts(g[name]) == ["h", "0.690", "0.222", "expected 0.690"]
    assert Style().highlight_color in {e.get("stroke") for e in g[name].iter()}
    assert "highlight" not in g[node_names(y)[y]].get("class")
    # An iterable of nodes works too; a node from another graph is an error.
    assert 'class="value highlight"' in draw(y, highlight=[h]).dot
    with pytest.raises(ValueError, match="not in the graph"):
        draw(y, highlight=[Value(1.0)])


def test_style_options_are_checked():
    y = perceptron()
    with pytest.raises(ValueError, match="rankdir"):
        draw(y, rankdir="XY")
    with pytest.raises(ValueError, match="decimals"):
        draw(y, decimals=-1)
    with pytest.raises(TypeError, match="unknown style option"):
        draw(y, colour="red")
    with pytest.raises(TypeError, match="node"):
        draw(3.0)
    dot = draw(y, Style(decimals=5), value_color="#abcdef").dot
    assert f">{y.data:.5f}<" in dot and ">0.66597<" in dot and "#abcdef" in dot


def test_too_large_graph_is_refused_with_advice():
    x = Value(0.5, label="x")
    node = x
    for _ in range(30):
        node = node.tanh()
    with pytest.raises(GraphTooLarge, match="max_nodes=10") as info:
        draw(node, max_nodes=10)
    message = str(info.value)
    assert "31 value nodes" in message and "draw(some_intermediate_node)" in message
    assert "max_nodes=31" in message
    assert "clusters" not in message  # clusters group nodes; they do not make a graph smaller
    assert isinstance(info.value, ValueError)
    assert draw(node, max_nodes=31).dot.count('class="value') == 31


def test_a_500_node_graph_renders_in_well_under_5_seconds():
    """The issue's size budget: the default max_nodes (500) is drawable, and quickly."""
    import random
    import time

    rng = random.Random(0)
    layer = [Value(rng.uniform(-1, 1), label=f"x{i}") for i in range(6)]
    for depth in range(3):  # three tanh layers of 8 neurons, labels l0.n3.w2 etc.
        outs = []
        for j in range(8):
            ws = [Value(rng.uniform(-1, 1), label=f"l{depth}.n{j}.w{i}") for i in range(len(layer))]
            b = Value(0.1, label=f"l{depth}.n{j}.b")
            outs.append(sum_values([w * x for w, x in zip(ws, layer)] + [b]).tanh())
        layer = outs
    y = sum_values(layer, label="y")
    y.backward()
    count = len(topo_order(y))
    assert 400 < count <= 500
    start = time.perf_counter()
    svg = draw(y, clusters="prefix").svg()
    elapsed = time.perf_counter() - start
    assert len(groups(parse(svg))) > count
    assert elapsed < 5.0, f"{count} nodes took {elapsed:.1f} s"


def test_tensor_nodes_show_shape_and_small_values():
    np = pytest.importorskip("numpy")
    from autograd.tensor import Tensor

    w = Tensor(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), requires_grad=True, label="W")
    x = Tensor(np.array([1.0, 0.0, -1.0]), label="x")
    big = Tensor(np.zeros(9), requires_grad=True, label="big")
    y = (w @ x).sum() + big.sum()
    y.label = "y"
    y.backward(retain_graph=True)
    svg = parse(draw(y, edge_grads=True).svg())
    assert texts(labelled(svg, "W")) == [
        "W",
        "shape (2, 3)",
        "[1.000, 2.000, 3.000]",
        "[4.000, 5.000, 6.000]",
        "shape (2, 3)",
        "[1.000, 0.000, -1.000]",
        "[1.000, 0.000, -1.000]",
    ]
    assert texts(labelled(svg, "x"))[-1] == "no grad"
    assert texts(labelled(svg, "big"))[1:] == ["shape (9,)", "shape (9,)"]  # too big for values
    assert not any("local derivative" in t for t in texts(svg))


def test_tensor_graph_released_by_backward_is_refused_with_advice():
    np = pytest.importorskip("numpy")
    from autograd.tensor import Tensor

    w = Tensor(np.array([[1.0, 2.0]]), requires_grad=True, label="w")
    loss = (w * 3.0).sum()
    loss.backward()  # frees the graph: loss keeps its op but no parents
    with pytest.raises(ValueError, match=r"released by backward\(\); call backward\(retain"):
        draw(loss)
    loss = (w * 3.0).sum()
    loss.backward(retain_graph=True)
    assert draw(loss).dot.count('class="value') == 4
    from autograd import no_grad

    with no_grad():
        plain = (w * 3.0).sum()  # made without a graph: drawn as the one node it is
    assert draw(plain).dot.count('class="value') == 1


# --- files ------------------------------------------------------------------------------------
def test_save_by_suffix(tmp_path):
    diagram = draw(perceptron())
    for suffix, magic in ((".svg", b"<?xml"), (".png", b"\x89PNG"), (".pdf", b"%PDF")):
        path = diagram.save(tmp_path / f"g{suffix}")
        assert path.read_bytes().startswith(magic)
    assert (tmp_path / "g.dot").exists() is False
    diagram.save(str(tmp_path / "g.DOT"))
    assert (tmp_path / "g.DOT").read_text(encoding="utf-8") == diagram.dot
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.DOT", "g.pdf", "g.png", "g.svg"]
    assert diagram._repr_svg_() == diagram.svg() and "<svg" in diagram.svg()


def test_bad_suffix_is_refused_before_any_work(tmp_path, monkeypatch):
    import autograd.viz.render as render

    monkeypatch.setattr(render, "_engine", lambda: pytest.fail("rendered"))
    with pytest.raises(ValueError, match=r"unknown suffix '\.jpg'.*\.svg, \.png, \.pdf, \.dot"):
        draw(perceptron()).save(tmp_path / "g.jpg")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        draw(perceptron()).save(tmp_path / "missing" / "g.dot")
    assert list(tmp_path.iterdir()) == []


def test_render_failure_is_clear_and_writes_nothing(tmp_path, monkeypatch):
    import pygraphviz

    def broken(self, *args, **kwargs):
        raise OSError("engine exploded")

    monkeypatch.setattr(pygraphviz.AGraph, "draw", broken)
    diagram = draw(perceptron())
    (tmp_path / "old.svg").write_text("old", encoding="utf-8")
    for name in ("g.svg", "g.png", "old.svg"):
        with pytest.raises(RenderError, match="engine exploded") as info:
            diagram.save(tmp_path / name)
        assert "autograd-lab[viz]" in str(info.value) and "diagram.dot" in str(info.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.svg"]
    assert (tmp_path / "old.svg").read_text(encoding="utf-8") == "old"
    assert diagram.dot.startswith("digraph")  # still there
    diagram.save(tmp_path / "g.dot")


def test_missing_pygraphviz_names_the_install_command(monkeypatch):
    monkeypatch.setitem(sys.modules, "pygraphviz", None)  # import raises ImportError
    with pytest.raises(RenderError, match=r'pip install "autograd-lab\[viz\]"'):
        draw(perceptron()).svg()


def test_unwritable_folder_error_names_the_file_asked_for(tmp_path, monkeypatch):
    import errno

    import autograd.files as files

    def denied(prefix, suffix, dir):  # what mkstemp raises in a read-only folder
        raise PermissionError(errno.EACCES, "Permission denied", f"{dir}/{prefix}x1y2z3{suffix}")

    monkeypatch.setattr(files.tempfile, "mkstemp", denied)
    target = tmp_path / "g.dot"
    with pytest.raises(PermissionError) as info:
        draw(perceptron()).save(target)
    assert str(info.value) == (
        f"cannot write {target}: Permission denied (in the folder {str(tmp_path)!r})"
    )
    assert info.value.errno == errno.EACCES
    assert list(tmp_path.iterdir()) == []


def test_saving_onto_a_folder_names_it(tmp_path):
    (tmp_path / "g.svg").mkdir()
    with pytest.raises(IsADirectoryError) as info:
        draw(perceptron()).save(tmp_path / "g.svg")
    assert str(info.value) == f"cannot write {tmp_path / 'g.svg'}: it is a folder"
    assert [p.name for p in tmp_path.iterdir()] == ["g.svg"]  # no temporary file left


def test_interrupted_write_leaves_no_file(tmp_path, monkeypatch):
    import autograd.files as files

    def fail(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(files.os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        draw(perceptron()).save(tmp_path / "g.dot")
    assert list(tmp_path.iterdir()) == []


def test_import_autograd_loads_no_pygraphviz():
    code = (
        "import sys, autograd, autograd.viz\n"
        "from autograd.exercises import a1\n"
        "assert autograd.viz.draw(a1().output).dot\n"
        "assert 'pygraphviz' not in sys.modules, 'pygraphviz loaded too early'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_diagram_repr():
    assert repr(draw(perceptron())) == "<Diagram: 9 value nodes>"
    assert isinstance(draw(perceptron()), Diagram)


# --- the gallery ------------------------------------------------------------------------------
FIX = "run `autograd exercises graphs` (or .venv/bin/autograd exercises graphs) and commit graphs/"


def test_gallery_is_up_to_date(tmp_path):
    gallery_now = gallery()
    expected = {f"{name}.dot": d.dot for name, d in gallery_now.items()}
    assert len(expected) == 10
    present = {p.name for p in GRAPHS.glob("*.dot")}
    assert present == set(expected), f"graphs/ has {sorted(present)}; {FIX}"
    for name, dot in expected.items():
        assert (GRAPHS / name).read_text(encoding="utf-8") == dot, f"graphs/{name} is stale; {FIX}"
    for name in expected:
        svg_path = GRAPHS / name.replace(".dot", ".svg")
        assert svg_path.exists(), f"{svg_path} is missing; {FIX}"
        svg = parse(svg_path.read_text(encoding="utf-8"))
        assert "n0" in groups(svg), f"{svg_path} has no node n0; {FIX}"
        # Not byte for byte (Graphviz versions differ in layout), but every label and number:
        # an SVG left behind when its .dot was updated is stale.
        fresh = parse(gallery_now[name.replace(".dot", "")].svg())
        assert texts(svg) == texts(fresh), f"{svg_path} is stale; {FIX}"


def test_exercises_command_writes_the_gallery(tmp_path, capsys):
    out = tmp_path / "new"
    assert main(["exercises", str(out)]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(f"{e.name}{s}" for e in part_a() for s in (".svg", ".dot"))
    assert (out / "a1_sigmoid.dot").read_text(encoding="utf-8") == gallery()["a1_sigmoid"].dot
    svg = parse((out / "a3.svg").read_text(encoding="utf-8"))
    assert "A3" in " ".join(texts(svg))
    assert "wrote" in capsys.readouterr().out


def test_exercises_command_failure_writes_nothing(tmp_path, monkeypatch, capsys):
    import pygraphviz

    monkeypatch.setattr(
        pygraphviz.AGraph, "draw", lambda *a, **k: (_ for _ in ()).throw(OSError("x"))
    )
    assert main(["exercises", str(tmp_path / "out")]) == 3
    assert not (tmp_path / "out").exists()
    assert "autograd exercises: error" in capsys.readouterr().err


def test_clusters_by_scope_nest_and_leave_unscoped_nodes_outside():
    from autograd import scope

    x = Value(1.0, label="x")
    with scope("layer 1"):
        with scope("neuron 1"):
            h1 = (Value(0.5, label="w1") * x).tanh()
            h1.label = "h1"
        with scope("neuron 2"):
            h2 = (Value(-0.5, label="w2") * x).tanh()
            h2.label = "h2"
    y = h1 + h2
    y.label = "y"
    y.backward()
    text = draw(y, clusters="scope").dot
    names = node_names(y)
    # the clusters nest: layer 1 contains both neurons
    layer = text.index("<I>layer 1</I>")
    assert layer < text.index("<I>neuron 1</I>") and layer < text.index("<I>neuron 2</I>")

    def cluster_body(title):
        start = text.index(f"<I>{title}</I>")
        return text[start : text.index("}", start)]

    assert names[h1] in cluster_body("neuron 1") and names[h2] not in cluster_body("neuron 1")
    assert names[h2] in cluster_body("neuron 2")
    # x and y were made outside any scope
    for title in ("neuron 1", "neuron 2"):
        assert f"{names[x]} [" not in cluster_body(title)
        assert f"{names[y]} [" not in cluster_body(title)
    # without clusters="scope" the scopes do not show
    assert "subgraph" not in draw(y).dot
