"""DOT text -> a standalone LaTeX document with one TikZ picture, at Graphviz's own layout.

Graphviz lays the diagram out (pygraphviz, as for SVG); every node, cluster, edge spline and
label is then written at the position Graphviz gave it, in big points (1/72 inch, Graphviz's
unit: ``x=1bp``), so the TikZ picture is the same picture as the SVG and can be edited by
hand for a slide. Each node's centre is a named coordinate (``\\coordinate (n3) at (...)``),
named as in the DOT text (`autograd.viz.dot`).

The document compiles with a plain ``pdflatex`` (packages: tikz, standalone, helvet): the
symbols of the op table and of the labels (× σ Σ ∂ ∇ ² ...) are written as LaTeX math.
"""

from __future__ import annotations

import html
import re

__all__ = ["to_tikz", "latex_text"]

# Characters the diagrams write, as LaTeX that pdflatex knows without extra packages.
_LATEX_SYMBOLS = {
    "×": r"$\times$",
    "÷": r"$\div$",
    "−": r"$-$",
    "√": r"$\surd$",
    "·": r"$\cdot$",
    "→": r"$\to$",
    "≈": r"$\approx$",
    "∂": r"$\partial$",
    "∇": r"$\nabla$",
    "Σ": r"$\Sigma$",
    "σ": r"$\sigma$",
    "α": r"$\alpha$",
    "β": r"$\beta$",
    "γ": r"$\gamma$",
    "λ": r"$\lambda$",
    "ε": r"$\varepsilon$",
    "η": r"$\eta$",
    "ᵀ": r"$^{\mathsf{T}}$",
    "…": r"\dots{}",
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "#": r"\#",
    "$": r"\$",
    "%": r"\%",
    "&": r"\&",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-"))
_NAMED_COLORS = {"white": "FFFFFF", "black": "000000", "none": None, "transparent": None}


def latex_text(text: str) -> str:
    """``text`` as LaTeX for pdflatex: special characters escaped, the diagram's symbols as
    math (``σ`` -> ``$\\sigma$``), a run of superscript digits as one exponent (``x²``)."""
    out, i = [], 0
    while i < len(text):
        if text[i] in _SUPERSCRIPTS:
            j = i
            while j < len(text) and text[j] in _SUPERSCRIPTS:
                j += 1
            out.append("$^{" + "".join(_SUPERSCRIPTS[c] for c in text[i:j]) + "}$")
            i = j
            continue
        out.append(_LATEX_SYMBOLS.get(text[i], text[i]))
        i += 1
    return "".join(out)


def _html_text(fragment: str) -> str:
    """The text of an HTML-like label fragment as LaTeX: ``<B>`` bold, ``<I>`` italic,
    ``<BR/>`` a line break, other tags dropped."""
    parts = re.split(r"(<[^>]*>)", fragment)
    out, bold, italic = [], False, False
    for part in parts:
        tag = part.upper()
        if tag.startswith("<BR"):
            # NOTE: a line that starts with "[" after \\ would be read as \\[<length>]
            # (a vertical space): "shape (1, 2)" then "[0.033, 1.274]" did not compile.
            out.append(r"\\\relax ")
        elif tag in ("<B>", "</B>"):
            bold = tag == "<B>"
        elif tag in ("<I>", "</I>"):
            italic = tag == "<I>"
        elif not part.startswith("<") and part:
            text = latex_text(html.unescape(part))
            if bold:
                text = r"\textbf{" + text + "}"
            if italic:
                text = r"\textit{" + text + "}"
            out.append(text)
    return "".join(out)


class _Colors:
    """Graphviz colours -> ``\\definecolor`` lines, one name per distinct colour."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}

    def __call__(self, color: str | None) -> str | None:
        if not color:
            return None
        key = color.strip()
        hexa = _NAMED_COLORS.get(key.lower(), key.lstrip("#").upper())
        if hexa is None:
            return None
        if not re.fullmatch(r"[0-9A-F]{6}", hexa):
            raise ValueError(
                f"to_tikz: colour {color!r} is not #rrggbb (or white, black); give the Style "
                "its colours as #rrggbb to export TikZ"
            )
        return self.names.setdefault(hexa, f"c{hexa}")

    def definitions(self) -> list[str]:
        return [f"\\definecolor{{{name}}}{{HTML}}{{{hexa}}}" for hexa, name in self.names.items()]


def _point(text: str) -> tuple[float, float]:
    x, y = text.split(",")[:2]
    return float(x), float(y)


def _xy(p: tuple[float, float]) -> str:
    return f"({p[0]:.2f},{p[1]:.2f})"


def _cells(label: str) -> list[tuple[dict, str]]:
    """The innermost ``<TD ...>text</TD>`` cells of an HTML-like label: (attributes, inner)."""
    cells = []
    for attrs, inner in re.findall(r"<TD([^>]*)>((?:(?!<TD|</TD>).)*)</TD>", label, re.S):
        if "<TABLE" in inner.upper():
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', attrs))
        cells.append(({k.upper(): v for k, v in found.items()}, inner))
    return cells


def _font_color(inner: str) -> str | None:
    match = re.search(r'<FONT[^>]*COLOR="([^"]*)"', inner, re.I)
    return match.group(1) if match else None


def to_tikz(dot: str) -> str:
    """A standalone LaTeX document drawing ``dot`` with TikZ at Graphviz's layout (``dot``
    engine); `autograd.viz.Diagram.save` writes it for a ``.tex`` path."""
    from autograd.viz.render import layout

    graph = layout(dot)
    colors = _Colors()
    g = graph.graph_attr
    x0, y0, x1, y1 = (float(v) for v in g["bb"].split(","))
    font_size = float(graph.node_attr.get("fontsize") or 11)
    text_color = colors(graph.node_attr.get("fontcolor") or "#000000")
    line_color = colors(graph.node_attr.get("color") or "#000000")
    body: list[str] = []
    background = colors(g.get("bgcolor") or "white")
    if background:
        body.append(f"\\fill[{background}] ({x0:.2f},{y0:.2f}) rectangle ({x1:.2f},{y1:.2f});")
    body += _clusters(graph, colors)
    edge_color = colors(graph.edge_attr.get("color")) or line_color
    for edge in graph.edges():
        body += _edge(edge, colors, edge_color)
    for node in graph.nodes():
        body += _node(node, colors, text_color, line_color)
    if g.get("label") and g.get("lp"):
        left = (x0 + 6, _point(g["lp"])[1])
        body += _legend(g["label"], left, colors, g.get("fontcolor") or None)
    size = f"{font_size:g}"
    lines = [
        "% Drawn by autograd-lab at Graphviz's layout; compile with pdflatex.",
        "\\documentclass[tikz,border=2pt]{standalone}",
        "\\usepackage[T1]{fontenc}",
        "\\usepackage{helvet}",
        "\\renewcommand{\\familydefault}{\\sfdefault}",
        "\\usetikzlibrary{arrows.meta}",
        *colors.definitions(),
        "\\begin{document}",
        f"\\begin{{tikzpicture}}[x=1bp, y=1bp, every node/.style={{inner sep=0pt, "
        f"align=center, text={text_color}, font=\\fontsize{{{size}}}{{{font_size * 1.2:g}}}"
        "\\selectfont}]",
        *body,
        "\\end{tikzpicture}",
        "\\end{document}",
    ]
    return "\n".join(lines) + "\n"


def _clusters(graph, colors: _Colors) -> list[str]:
    out = []
    for sub in graph.subgraphs():
        attrs = sub.graph_attr
        if not sub.name.startswith("cluster") or not attrs.get("bb"):
            continue
        a, b, c, d = (float(v) for v in attrs["bb"].split(","))
        draw = colors(attrs.get("color")) or "black"
        dashed = ", dashed" if "dashed" in (attrs.get("style") or "") else ""
        rounded = ", rounded corners=4bp" if "rounded" in (attrs.get("style") or "") else ""
        out.append(f"% {sub.name}")
        out.append(
            f"\\draw[{draw}{dashed}{rounded}] ({a:.2f},{b:.2f}) rectangle ({c:.2f},{d:.2f});"
        )
        if attrs.get("label") and attrs.get("lp"):
            text = colors(attrs.get("fontcolor")) or "black"
            out.append(
                f"\\node[text={text}, anchor=center] at {_xy(_point(attrs['lp']))} "
                f"{{{_html_text(attrs['label'])}}};"
            )
        out += _clusters(sub, colors)
    return out


def _edge(edge, colors: _Colors, default_color: str | None) -> list[str]:
    attrs = edge.attr
    if not attrs.get("pos"):
        return []
    color = colors(attrs.get("color")) or default_color
    end, points = None, []
    for part in attrs["pos"].split():
        if part.startswith("e,"):
            end = _point(part[2:])
        elif not part.startswith("s,"):
            points.append(_point(part))
    path = _xy(points[0])
    for k in range(1, len(points) - 2, 3):
        c1, c2, p = points[k : k + 3]
        path += f" .. controls {_xy(c1)} and {_xy(c2)} .. {_xy(p)}"
    tip = ""
    if end is not None:
        path += f" -- {_xy(end)}"
        tip = ", -{Stealth[length=4.5bp, width=3.5bp]}"
    out = [f"\\draw[{color}, line width=0.9bp{tip}] {path};"]
    if attrs.get("label") and attrs.get("lp"):
        text = colors(attrs.get("fontcolor")) or color
        out.append(
            f"\\node[text={text}, font=\\footnotesize] at {_xy(_point(attrs['lp']))} "
            f"{{{_html_text(attrs['label'])}}};"
        )
    return out


def _node(node, colors: _Colors, text_color, line_color) -> list[str]:
    attrs = node.attr
    center = _point(attrs["pos"])
    width, height = float(attrs["width"]) * 72, float(attrs["height"]) * 72
    out = [f"% {node}", f"\\coordinate ({node}) at {_xy(center)};"]
    label = attrs.get("label") or ""
    if attrs.get("shape") == "plain" and "<TD" in label.upper():
        cells = _cells(label)
        if not cells:
            return out
        left, right = center[0] - width / 2, center[0] + width / 2
        top, row = center[1] + height / 2, height / len(cells)
        for k, (cell, inner) in enumerate(cells):
            upper, lower = top - k * row, top - (k + 1) * row
            fill = colors(cell.get("BGCOLOR")) or "white"
            draw = colors(cell.get("COLOR")) or line_color
            out.append(
                f"\\filldraw[fill={fill}, draw={draw}] ({left:.2f},{lower:.2f}) rectangle "
                f"({right:.2f},{upper:.2f});"
            )
            text = colors(_font_color(inner)) or text_color
            out.append(
                f"\\node[text={text}] at ({center[0]:.2f},{(upper + lower) / 2:.2f}) "
                f"{{{_html_text(inner)}}};"
            )
        return out
    fill = colors(attrs.get("fillcolor")) or "white"
    draw = colors(attrs.get("color")) or line_color
    out.append(
        f"\\filldraw[fill={fill}, draw={draw}] {_xy(center)} ellipse "
        f"({width / 2:.2f} and {height / 2:.2f});"
    )
    out.append(f"\\node at {_xy(center)} {{{_html_text(label)}}};")
    return out


def _legend(label: str, at: tuple[float, float], colors: _Colors, font_color) -> list[str]:
    """The title and the legend (the graph's label) as one row of boxes at the label's height,
    from the picture's left edge (Graphviz reports where the label is, not its inner layout).
    """
    out = ["% title and legend"]
    text = colors(font_color)
    previous = None
    for attrs, inner in _cells(label):
        content = _html_text(inner)
        if not content.strip():
            continue
        options = ["anchor=west"]
        if attrs.get("BGCOLOR"):
            options += [f"fill={colors(attrs['BGCOLOR'])}", "inner sep=3bp"]
        if attrs.get("BORDER", "0") != "0":
            options.append(f"draw={colors(attrs.get('COLOR')) or 'black'}")
        color = colors(_font_color(inner)) or text
        if color:
            options.append(f"text={color}")
        where = (
            f"({at[0]:.2f},{at[1]:.2f})" if previous is None else f"([xshift=4bp]{previous}.east)"
        )
        name = f"legend{len(out)}"
        out.append(f"\\node[{', '.join(options)}] ({name}) at {where} {{{content}}};")
        previous = name
    return out
