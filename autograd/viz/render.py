"""DOT text -> SVG/PNG/PDF bytes with pygraphviz (files are written by `autograd.files`).

pygraphviz 2.x wheels bundle the Graphviz engine: no ``dot`` program and no system package is
needed. It is imported here, lazily, so ``import autograd`` (and building DOT text) never
loads it.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import threading

__all__ = ["RenderError", "render", "layout", "FORMATS", "SUFFIXES"]

FORMATS = ("svg", "png", "pdf")
SUFFIXES = (".svg", ".png", ".pdf", ".dot", ".tex")  # .tex: TikZ (autograd.viz.tikz)
INSTALL_HINT = 'pip install "autograd-lab[viz]"'


class RenderError(RuntimeError):
    """Graphviz could not render the diagram; the DOT text (``Diagram.dot``) is still there."""


def _engine():
    try:
        import pygraphviz
    except ImportError as e:
        raise RenderError(
            f"rendering needs pygraphviz, which could not be imported ({e}); "
            f"install it with: {INSTALL_HINT}   (its wheels bundle Graphviz; no system "
            "package needed). The DOT text is still available as diagram.dot, or save to .dot"
        ) from e
    return pygraphviz


_STDERR_LOCK = threading.Lock()


@contextlib.contextmanager
def quiet_fontconfig():
    """Drop the ``Fontconfig warning: ... unknown element "reset-dirs"`` lines that the
    fontconfig bundled in the pygraphviz wheel prints (to the process's stderr, from C) when it
    reads the system's newer configuration; every other line written meanwhile is passed on."""
    fd = 2  # where the C library writes, whatever sys.stderr is
    with _STDERR_LOCK, tempfile.TemporaryFile() as caught:
        try:
            sys.stderr.flush()
            saved = os.dup(fd)
        except (OSError, ValueError):
            yield
            return
        os.dup2(caught.fileno(), fd)
        try:
            yield
        finally:
            os.dup2(saved, fd)
            os.close(saved)
            caught.seek(0)
            text = caught.read().decode("utf-8", "replace")
            kept = [
                line
                for line in text.splitlines(keepends=True)
                if not line.startswith("Fontconfig warning:")
            ]
            if kept:
                sys.stderr.write("".join(kept))


def render(dot: str, fmt: str, dpi: float | None = None) -> bytes:
    """Lay out ``dot`` with Graphviz's ``dot`` engine and return it as ``fmt`` (svg, png, pdf);
    ``dpi`` sets the resolution of a PNG (the DOT text itself stays the same).

    Raises `RenderError` with advice when pygraphviz is missing or Graphviz fails.
    """
    if fmt not in FORMATS:
        raise ValueError(f"render: unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    pygraphviz = _engine()
    try:
        graph = pygraphviz.AGraph(string=dot)
        if dpi is not None and fmt == "png":
            graph.graph_attr["dpi"] = f"{dpi:g}"
        with quiet_fontconfig():
            data = graph.draw(format=fmt, prog="dot")
    except Exception as e:  # NOTE: pygraphviz raises ValueError, OSError, or its own errors
        raise RenderError(
            f"Graphviz could not render the diagram as {fmt}: {type(e).__name__}: {e}. "
            f"Reinstalling pygraphviz may help ({INSTALL_HINT}); the DOT text is still "
            "available as diagram.dot, or save to a .dot file"
        ) from e
    if not data:
        raise RenderError(
            f"Graphviz returned no {fmt} output; the DOT text is still available as diagram.dot"
        )
    return bytes(data)


def layout(dot: str):
    """Lay out ``dot`` with Graphviz's ``dot`` engine and return the pygraphviz graph, every
    node, edge and cluster holding its position (``pos``, ``bb``, in points), as
    `autograd.viz.tikz` reads it. Raises `RenderError` as `render` does."""
    pygraphviz = _engine()
    try:
        graph = pygraphviz.AGraph(string=dot)
        with quiet_fontconfig():
            graph.layout(prog="dot")
    except Exception as e:  # NOTE: pygraphviz raises ValueError, OSError, or its own errors
        raise RenderError(
            f"Graphviz could not lay out the diagram: {type(e).__name__}: {e}. Reinstalling "
            f"pygraphviz may help ({INSTALL_HINT}); the DOT text is still available as "
            "diagram.dot"
        ) from e
    return graph
