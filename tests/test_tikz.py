"""TikZ export (`autograd.viz.tikz`): the same picture as Graphviz's (every node at the position
Graphviz gave it), a well-formed document, compiled when a LaTeX is on the machine."""

import re
import shutil
import subprocess

import pytest

from autograd import nn
from autograd.exercises import a1, a2
from autograd.nn.scalar_graph import draw_network
from autograd.viz import Style, draw
from autograd.viz.tikz import latex_text, to_tikz

pygraphviz = pytest.importorskip("pygraphviz")


XOR = nn.Sequential(nn.Linear(2, 2, rng=0), nn.Tanh(), nn.Linear(2, 1, rng=1), nn.Tanh())
A2_NEURONS = {f"neuron {i}": [f"w{i}1", f"w{i}2", f"b{i}", f"h{i}", f"y{i}"] for i in (1, 2)}


def diagrams():
    return {
        "a1 sigmoid, edge labels, title": draw(a1("sigmoid").output, edge_grads=True,
                                               title="A1: sigmoid neuron"),
        "a2 in clusters, dark": draw(a2().output, Style.theme("dark"), clusters=A2_NEURONS),
        "a1 tanh, colorblind, TB": draw(a1("tanh").output, Style.theme("colorblind"),
                                        rankdir="TB"),
        "xor 2-2-1 folded per neuron": draw_network(XOR, [1.0, -1.0], [1.0], level="neuron"),
        "xor 2-2-1, the Tensor graph": draw_network(XOR, [1.0, 1.0], level="layer"),
    }  # fmt: skip


def parse_tikz(text: str) -> dict:
    """Check the document's structure and return its named coordinates and colour uses.

    A small parser of what `to_tikz` writes: balanced braces, brackets and parentheses on each
    command, every picture command ends with ';', every colour used is defined."""
    assert text.startswith("%") and "\\documentclass[tikz" in text
    body = text.split("\\begin{tikzpicture}", 1)[1].split("\\end{tikzpicture}", 1)[0]
    assert text.count("\\begin{document}") == text.count("\\end{document}") == 1
    defined = set(re.findall(r"\\definecolor\{(\w+)\}\{HTML\}\{[0-9A-F]{6}\}", text))
    coordinates = {}
    for line in body.splitlines()[1:]:
        if not line or line.startswith("%"):
            continue
        assert line.startswith(("\\draw", "\\filldraw", "\\fill", "\\node", "\\coordinate")), line
        assert line.endswith(";"), line
        unescaped = re.sub(r"\\[{}]", "", line)
        for pair in ("{}", "[]", "()"):
            assert unescaped.count(pair[0]) == unescaped.count(pair[1]), line
        for used in re.findall(r"(?:fill|draw|text)=(c[0-9A-F]{6})", line):
            assert used in defined, (used, line)
        match = re.match(r"\\coordinate \((\w+)\) at \(([-\d.]+),([-\d.]+)\);", line)
        if match:
            coordinates[match.group(1)] = (float(match.group(2)), float(match.group(3)))
    return {"coordinates": coordinates, "defined": defined}


@pytest.mark.parametrize("name", list(diagrams()))
def test_tikz_parses_and_puts_every_node_where_graphviz_does(name):
    diagram = diagrams()[name]
    tex = diagram.tikz()
    parsed = parse_tikz(tex)
    # plain pdflatex reads every symbol: they are written as LaTeX math, none is left as is
    assert not [c for c in tex if ord(c) > 127], {c for c in tex if ord(c) > 127}
    layout = pygraphviz.AGraph(string=diagram.dot)
    layout.layout(prog="dot")
    positions = {str(n): tuple(float(v) for v in n.attr["pos"].split(",")) for n in layout.nodes()}
    assert set(parsed["coordinates"]) == set(positions)
    for node, (x, y) in positions.items():
        assert parsed["coordinates"][node] == pytest.approx((x, y), abs=0.006), node
    # the numbers of the picture are in it: every value box's forward value and gradient
    for value in re.findall(r'BGCOLOR="[^"]*" [^>]*>(-?\d+\.\d+)</TD>', diagram.dot):
        assert "{" + value + "}" in tex or "{$\\nabla$ " + value + "}" in tex, value


def test_latex_text_escapes_and_writes_symbols_as_math():
    assert latex_text("σ(w × x + b)") == r"$\sigma$(w $\times$ x + b)"
    assert latex_text("x²") == "x$^{2}$" and latex_text("x⁻¹²") == "x$^{-12}$"
    assert latex_text("n_1 50% #2 {a} ~ \\") == (
        r"n\_1 50\% \#2 \{a\} \textasciitilde{} \textbackslash{}"
    )
    assert latex_text("∂y/∂node") == r"$\partial$y/$\partial$node"


def test_save_tex_writes_the_document(tmp_path):
    path = draw(a1("sigmoid").output).save(tmp_path / "a1.tex")
    assert path.read_text().rstrip().endswith("\\end{document}")


def test_colours_that_tikz_cannot_take_are_named():
    diagram = draw(a1("sigmoid").output, value_color="lightblue")
    with pytest.raises(ValueError, match="colour 'lightblue' is not #rrggbb"):
        diagram.tikz()


LATEX = shutil.which("pdflatex") or shutil.which("lualatex")
# What the document loads: a LaTeX without them cannot compile it (Debian: texlive-latex-extra
# has standalone, texlive-pictures TikZ, texlive-fonts-recommended Helvetica and its metrics).
NEEDS = ("standalone.cls", "tikz.sty", "helvet.sty", "phvr8t.tfm")


def _latex_missing() -> str:
    if LATEX is None:
        return "no pdflatex or lualatex on this machine (TeX Live is not installed here)"
    kpsewhich = shutil.which("kpsewhich")
    if kpsewhich is None:
        return "TeX Live without kpsewhich: cannot tell whether its packages are there"
    missing = [
        name
        for name in NEEDS
        if not subprocess.run([kpsewhich, name], capture_output=True, text=True).stdout.strip()
    ]
    if missing:
        return (
            f"this TeX Live lacks {', '.join(missing)} (apt-get install texlive-latex-extra "
            "texlive-pictures texlive-fonts-recommended)"
        )
    return ""


@pytest.mark.skipif(bool(_latex_missing()), reason=f"{_latex_missing()}; the TikZ is parsed by "
                    "the other tests")  # fmt: skip
@pytest.mark.parametrize("name", list(diagrams()))
def test_tikz_compiles_with_latex(name, tmp_path):
    (tmp_path / "d.tex").write_text(to_tikz(diagrams()[name].dot), encoding="utf-8")
    done = subprocess.run([LATEX, "-interaction=nonstopmode", "-halt-on-error", "d.tex"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:]
    assert (tmp_path / "d.pdf").stat().st_size > 1000


def test_a_dot_text_graphviz_cannot_read_raises_render_error():
    from autograd.viz import RenderError

    with pytest.raises(RenderError, match="could not lay out the diagram"):
        to_tikz("digraph { a -> ")
