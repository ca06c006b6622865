"""Annotated computational-graph diagrams: ``draw(root)`` -> `Diagram`.

>>> from autograd.exercises import a1
>>> diagram = draw(a1("sigmoid").output)          # doctest: +SKIP
>>> diagram.save("a1_sigmoid.svg")                # or .png .pdf .dot  # doctest: +SKIP

In Jupyter, a `Diagram` as the last expression of a cell shows inline (``_repr_svg_``).
Every visual choice lives in one `Style`; keyword arguments of `draw` replace its fields:
``draw(y, rankdir="TB", show_grad=False, edge_grads=True, clusters="prefix")``.

`autograd.viz` only draws: `dot` (graph -> DOT text), `format` (how numbers, ops and
expressions read, shared with the checker and the command line), `render` (Graphviz),
`steps` (the step-through page), `style`. It reads nodes through the protocol of
`autograd.graph` and knows no exercise: the part-A gallery is `autograd.exercises.gallery`, the
expression parser and the checker are in `autograd.handcalc`.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from autograd.files import output_path, write_atomic
from autograd.graph import is_released
from autograd.viz.dot import as_roots, graph_nodes, to_dot
from autograd.viz.render import SUFFIXES, RenderError
from autograd.viz.render import render as _render
from autograd.viz.style import DEFAULT_STYLE, Style

__all__ = [
    "draw",
    "Diagram",
    "Style",
    "GraphTooLarge",
    "RenderError",
]


class GraphTooLarge(ValueError):
    """The graph has more nodes than ``Style.max_nodes``; the message says what to do.
    ``count`` is the number of value nodes, ``limit`` the ``max_nodes`` it exceeds."""

    def __init__(self, message: str, count: int, limit: int) -> None:
        super().__init__(message)
        self.count = count
        self.limit = limit


class Diagram:
    """A drawn graph. ``.dot`` is the DOT text (deterministic: the same graph gives the same
    bytes); ``.svg()`` renders it; ``.save(path)`` writes .svg .png .pdf or .dot by suffix."""

    def __init__(self, dot: str, style: Style) -> None:
        self.dot = dot
        self.style = style
        self._svg: str | None = None

    def __repr__(self) -> str:
        count = self.dot.count('class="value')
        return f"<Diagram: {count} value nodes>"

    def render(self, fmt: str) -> bytes:
        """The diagram as ``fmt`` ("svg", "png" or "pdf") bytes; `RenderError` on failure."""
        if fmt == "svg":
            return self.svg().encode("utf-8")
        return _render(self.dot, fmt, dpi=self.style.dpi)

    def svg(self) -> str:
        """The diagram as SVG text (rendered once, then cached)."""
        if self._svg is None:
            self._svg = _render(self.dot, "svg").decode("utf-8")
        return self._svg

    def save(self, path: str | os.PathLike) -> Path:
        """Write the diagram to ``path``; the format comes from the suffix (.svg .png .pdf .dot,
        .tex: TikZ).

        The file appears complete or not at all (temporary file + ``os.replace``); on a
        `RenderError` nothing is written. Returns the path.
        """
        path = output_path(path, SUFFIXES, "Diagram.save")
        suffix = path.suffix.lower()
        if suffix == ".tex":
            data = self.tikz().encode("utf-8")
        else:
            data = self.dot.encode("utf-8") if suffix == ".dot" else self.render(suffix[1:])
        return write_atomic(path, data)

    def tikz(self) -> str:
        """The diagram as a standalone LaTeX document with a TikZ picture, at Graphviz's own
        layout (`autograd.viz.tikz`; ``save("x.tex")`` writes it)."""
        from autograd.viz.tikz import to_tikz

        return to_tikz(self.dot)

    def _repr_svg_(self) -> str:
        return self.svg()


def _highlight_notes(highlight: Any) -> dict:
    if highlight is None:
        return {}
    if isinstance(highlight, Mapping):
        return {node: "" if note is None else str(note) for node, note in highlight.items()}
    if hasattr(highlight, "parents"):
        return {highlight: ""}
    if isinstance(highlight, Iterable) and not isinstance(highlight, (str, bytes)):
        return {node: "" for node in highlight}
    raise TypeError(
        "draw: highlight must be a node, an iterable of nodes or a mapping {node: note}, "
        f"got {type(highlight).__name__}"
    )


def draw(
    roots: Any,
    style: Style | None = None,
    *,
    highlight: Any = None,
    symbols: Any = None,
    trace: Any = None,
    **overrides,
) -> Diagram:
    """Draw the graph of ``roots`` (one node or a list) with every value and gradient.

    ``style`` is a `Style` (default: the course's conventions); keyword ``overrides`` replace
    its fields (``draw(y, rankdir="TB", decimals=4)``). ``highlight`` is a node, an iterable of
    nodes or a mapping ``{node: note}``: those nodes get a red border and the note.
    ``symbols`` (input nodes) leaves their values unknown: the values and gradients they reach
    are drawn as expressions in them (``0.406 - t1``; needs sympy, the ``symbolic`` extra),
    edge labels included. ``trace`` (an `autograd.graph.backprop` result of these roots, e.g.
    with unknowns) is drawn instead of the pass `draw` would compute.

    Raises `GraphTooLarge` above ``style.max_nodes`` value nodes, before any layout work.
    """
    if style is None:
        style = DEFAULT_STYLE
    elif not isinstance(style, Style):
        raise TypeError(f"draw: style must be a Style, got {type(style).__name__}: {style!r}")
    if overrides:
        unknown = sorted(set(overrides) - set(Style.field_names()))
        if unknown:
            raise TypeError(
                f"draw: unknown style option(s) {', '.join(unknown)}; "
                f"expected some of: {', '.join(Style.field_names())}"
            )
        style = dataclasses.replace(style, **overrides)
    roots = as_roots(roots)
    nodes = graph_nodes(roots)
    for node in nodes:
        # NOTE: Tensor.backward() releases the graph as it walks it (to save memory): the
        # output keeps its op but loses its parents, and would be drawn as one lonely box.
        if is_released(node):
            name = repr(node.label) if node.label else f"the {node.op} output"
            raise ValueError(
                f"draw: the graph of {name} was released by backward(); call "
                "backward(retain_graph=True) to keep it and draw it with its gradients, or "
                "draw before backward()"
            )
    count = len(nodes)
    if count > style.max_nodes:
        raise GraphTooLarge(
            f"draw: the graph has {count} value nodes, more than max_nodes={style.max_nodes}; "
            "Graphviz would take long and the picture would be unreadable. Draw a part of it "
            "instead: draw(some_intermediate_node) draws only what that node depends on (e.g. "
            "one neuron's or one layer's output); or raise the limit: "
            f"draw(..., max_nodes={count})",
            count,
            style.max_nodes,
        )
    if trace is None and symbols is not None:
        from autograd.viz.steps import backprop_of

        trace = backprop_of(roots[0] if len(roots) == 1 else roots, symbols, style.decimals)
    return Diagram(to_dot(roots, style, _highlight_notes(highlight), trace), style)
