"""`Style`: every visual choice of a diagram in one frozen dataclass.

The defaults follow the course reports: forward values light blue ("celeste"), gradients pink
("rosa"), 3 decimals, left to right. Change one field with ``dataclasses.replace`` or, more
simply, pass it to `autograd.viz.draw` as a keyword: ``draw(y, rankdir="TB", decimals=4)``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

from autograd.arguments import positive_int

__all__ = ["Style", "DEFAULT_STYLE", "THEMES", "contrast_ratio", "relative_luminance"]

# "prefix" or {cluster title: [nodes or labels]}
Clusters = None | str | Mapping[str, Sequence[Any]]


@dataclass(frozen=True)
class Style:
    """How a computational graph is drawn.

    Content:
      ``show_grad``   show each node's gradient (False: a forward-only diagram);
      ``edge_grads``  write the local derivative d(out)/d(in) on every input edge, so the
                      chain rule ``grad(in) += grad(out) × local`` can be read off the picture;
      ``legend``      a line under the title saying which colour is which;
      ``title``       text above the diagram (``""``: none);
      ``decimals``    digits after the point for every number;
      ``max_nodes``   above this many value nodes `draw` refuses (Graphviz would take long and
                      the picture would be unreadable); raise it to draw a big graph anyway.
    Layout:
      ``rankdir``     ``"LR"`` (inputs on the left) or ``"TB"`` (inputs on top);
      ``clusters``    ``None``; ``"prefix"`` to group nodes by label prefix (``n1.w1`` and
                      ``n1.b`` go into a box ``n1``; ``l1.n2.w`` into ``n2`` inside ``l1``);
                      ``"scope"`` to group nodes by the ``with autograd.scope("n1"):`` block they
                      were made in (blocks nest); or an explicit mapping
                      ``{"neuron 1": [w1, x1, h1], ...}`` of nodes or labels.
    Colours (any Graphviz colour: ``"#cfe8ff"``, ``"lightblue"``) and font:
      ``value_color`` forward values, ``grad_color`` gradients, ``op_color`` op nodes,
      ``label_color`` the name row of a value node, ``line_color`` borders and edges,
      ``edge_label_color`` local derivatives, ``highlight_color`` border and note of
      highlighted nodes, ``highlight_fill`` their name row; ``background`` the page,
      ``text_color`` every text in a box and the legend, ``cluster_line_color`` and
      ``cluster_text_color`` the frame and the title of a cluster; ``font``, ``font_size``.
      ``grad_mark`` is written before every gradient (``"∇ "``), so that values and gradients
      differ by more than colour (in print, and for readers who do not see the colours).
      A whole palette at once: ``Style.theme("colorblind")`` (see `THEMES`).
    Output:
      ``dpi``         resolution of PNG files (SVG and PDF are vector graphics).
    """

    show_grad: bool = True
    edge_grads: bool = False
    legend: bool = True
    title: str = ""
    decimals: int = 3
    max_nodes: int = 500
    rankdir: str = "LR"
    clusters: Clusters = None
    value_color: str = "#d6ecff"
    grad_color: str = "#ffd9e6"
    op_color: str = "#f4f4f4"
    label_color: str = "#ffffff"
    line_color: str = "#4d4d4d"
    edge_label_color: str = "#7a3d9c"
    highlight_color: str = "#c21d1d"  # 4.97:1 on highlight_fill (#d62728 had 4.15)
    highlight_fill: str = "#ffe3e3"
    background: str = "white"
    text_color: str = "#1a1a1a"
    cluster_line_color: str = "#9a9a9a"
    cluster_text_color: str = "#555555"
    grad_mark: str = ""
    font: str = "Helvetica"
    font_size: float = 11.0
    dpi: float = 150.0

    def __post_init__(self) -> None:
        if self.rankdir not in ("LR", "TB", "RL", "BT"):
            raise ValueError(
                f"Style: rankdir must be 'LR' or 'TB' (or RL, BT), got {self.rankdir!r}"
            )
        if not isinstance(self.decimals, int) or not 0 <= self.decimals <= 12:
            raise ValueError(f"Style: decimals must be an int from 0 to 12, got {self.decimals!r}")
        positive_int("Style: max_nodes", self.max_nodes)
        if not (self.clusters in (None, "prefix", "scope") or isinstance(self.clusters, Mapping)):
            raise ValueError(
                "Style: clusters must be None, 'prefix', 'scope' or a mapping "
                "{title: [nodes or labels]}, "
                f"got {self.clusters!r}"
            )
        if not self.dpi > 0:
            raise ValueError(f"Style: dpi must be positive, got {self.dpi!r}")
        if self.font_size <= 0:
            raise ValueError(f"Style: font_size must be positive, got {self.font_size!r}")

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    @classmethod
    def theme(cls, name: str, **changes: Any) -> Style:
        """The palette ``name`` of `THEMES` (``"course"``, ``"colorblind"``, ``"grayscale"``,
        ``"dark"``), with ``changes`` to any field on top: ``Style.theme("dark", decimals=4)``.
        """
        if name not in THEMES:
            raise ValueError(f"Style.theme: unknown theme {name!r}; known: {', '.join(THEMES)}")
        return replace(cls(**THEMES[name]), **changes)


DEFAULT_STYLE = Style()

# Every theme keeps its text at WCAG AA contrast (4.5:1) against every fill it is written on
# (tests/test_themes.py checks it with `contrast_ratio`).
THEMES: dict[str, dict[str, Any]] = {
    # the course's reports: light blue values, pink gradients (the defaults)
    "course": {},
    # Okabe & Ito's palette for colour-blind readers (sky blue / orange, which every common
    # colour-vision deficiency tells apart), with a mark on the gradients besides the colour
    "colorblind": dict(
        value_color="#56B4E9",
        grad_color="#E69F00",
        op_color="#F0F0F0",
        line_color="#000000",
        text_color="#000000",
        edge_label_color="#0072B2",
        highlight_color="#A64A00",  # Okabe-Ito vermillion #D55E00, darkened for text
        highlight_fill="#FBE3D0",
        grad_mark="∇ ",
    ),
    # printing in black and white: values white, gradients grey and marked
    "grayscale": dict(
        value_color="#FFFFFF",
        grad_color="#D0D0D0",
        op_color="#EBEBEB",
        label_color="#F5F5F5",
        line_color="#000000",
        text_color="#000000",
        edge_label_color="#404040",
        highlight_color="#000000",
        highlight_fill="#E0E0E0",
        grad_mark="∇ ",
    ),
    # slides with a dark background: dark blue values, dark rose gradients, light text
    "dark": dict(
        background="#1E1E24",
        text_color="#F2F2F2",
        value_color="#1F4E79",
        grad_color="#7A2048",
        op_color="#3A3A42",
        label_color="#2A2A31",
        line_color="#B8B8C0",
        edge_label_color="#E0B0FF",
        highlight_color="#FF8A8A",
        highlight_fill="#4A1F24",
        cluster_line_color="#8A8A94",
        cluster_text_color="#C8C8D0",
    ),
}


def _rgb(color: str) -> tuple[float, float, float]:
    names = {"white": "#ffffff", "black": "#000000"}
    text = names.get(color.lower(), color)
    if not (text.startswith("#") and len(text) == 7):
        raise ValueError(
            f"contrast_ratio: expected a colour #rrggbb (or white, black), got {color!r}"
        )
    return tuple(int(text[i : i + 2], 16) / 255 for i in (1, 3, 5))


def relative_luminance(color: str) -> float:
    """WCAG 2's relative luminance of ``#rrggbb``: 0.2126 R + 0.7152 G + 0.0722 B of the
    linearised channels (c/12.92 below 0.03928, else ((c + 0.055)/1.055)^2.4)."""
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in _rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2's contrast ratio (L_light + 0.05) / (L_dark + 0.05), from 1 to 21; AA asks for
    at least 4.5 for ordinary text."""
    a, b = sorted((relative_luminance(foreground), relative_luminance(background)))
    return (b + 0.05) / (a + 0.05)
