"""`Style`: every visual choice of a diagram in one frozen dataclass.

The defaults follow the course reports: forward values light blue ("celeste"), gradients pink
("rosa"), 3 decimals, left to right. Change one field with ``dataclasses.replace`` or, more
simply, pass it to `autograd.viz.draw` as a keyword: ``draw(y, rankdir="TB", decimals=4)``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

from autograd.arguments import positive_int

__all__ = ["Style", "DEFAULT_STYLE"]

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
      highlighted nodes, ``highlight_fill`` their name row; ``font``, ``font_size``.
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
    highlight_color: str = "#d62728"
    highlight_fill: str = "#ffe3e3"
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


DEFAULT_STYLE = Style()
