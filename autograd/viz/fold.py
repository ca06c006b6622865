"""Folding: each `autograd.scope` group of a graph drawn as one box.

A network's scalar graph shows every multiply; folded at the neuron's scope, each neuron is one
box that shows only what a reader follows from neuron to neuron: its pre-activation and its
activation (the group's non-leaf nodes that leave it or feed what leaves it), with their
gradients. The weights, the products and the bias stay inside the box, which is drawn from
the nodes that feed it (from outside the group) to the nodes it feeds.

    diagram = draw_folded(loss, depth=2)     # groups ("layer 1", "neuron 2") become boxes

The folded graph is a graph of small stand-in nodes (`FoldedNode`) with the protocol of
`autograd.graph` (data, grad, parents, op, label), so `autograd.viz.dot.to_dot` draws it like
any other: `draw_folded` reads the nodes only through that protocol and the scope of each node
(`autograd.graph.scope_of`).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from autograd.graph import scope_of, topo_order_of_all
from autograd.viz.dot import as_roots, to_dot
from autograd.viz.format import format_data, op_text
from autograd.viz.style import DEFAULT_STYLE, Style

__all__ = ["FoldedNode", "fold", "draw_folded"]


class FoldedNode:
    """A stand-in node of a folded graph: a copy of an ordinary node (its data, gradient,
    label, op and params, with stand-in parents), or the box of a whole group (``members``:
    the nodes it stands for; ``shown``: those it displays)."""

    OPS: Any = None  # the op table of the copied node's type (for the op's symbol)
    local_grads = None

    def __init__(self, data, grad, label, op, parents, params=None, members=(), shown=()):
        self.data, self.grad, self.label, self.op = data, grad, label, op
        self.parents = tuple(parents)
        self.params = params
        self.members = tuple(members)
        self.shown = tuple(shown)

    def __repr__(self) -> str:
        return f"FoldedNode({self.label or self.op!r})"


_COPY_CLASSES: dict[type, type] = {}


def _copy_class(kind: type) -> type:
    """A `FoldedNode` subclass carrying ``kind``'s op table, so ops keep their symbols."""
    if kind not in _COPY_CLASSES:
        table = getattr(kind, "OPS", None)
        _COPY_CLASSES[kind] = type(f"Folded{kind.__name__}", (FoldedNode,), {"OPS": table})
    return _COPY_CLASSES[kind]


def _shown(members: list, used_outside: set) -> list:
    """What a box displays: its members that leave the group, and their non-leaf inputs from
    inside the group (a neuron's activation and its pre-activation), in topological order."""
    inside = set(members)
    outputs = [m for m in members if m in used_outside]
    keep = set(outputs)
    for out in outputs:
        if len(out.parents) == 1 and out.parents[0] in inside and out.parents[0].parents:
            keep.add(out.parents[0])  # the input of an activation: the pre-activation
    return [m for m in members if m in keep]


def fold(roots: Any, depth: int, decimals: int = 3) -> tuple[list, dict, dict]:
    """Fold every group of scope path length >= ``depth`` into one box per path prefix of
    length ``depth``. Returns ``(roots, texts, groups)``: the stand-in roots, the texts of the
    boxes ``{box: (values, gradients)}`` for `to_dot`, and ``{box: its scope path}``."""
    if not isinstance(depth, int) or depth < 1:
        raise ValueError(
            f"fold: depth must be a positive int (1: the outermost groups), got {depth!r}"
        )
    roots = as_roots(roots)
    order = topo_order_of_all(roots)
    group_of = {}
    for node in order:
        path = scope_of(node)
        if len(path) >= depth:
            group_of[node] = path[:depth]
    if not group_of:
        raise ValueError(
            f"fold: no node was made inside {depth} nested scope blocks; build the graph under "
            "`with autograd.scope(...)` (e.g. one per layer and one per neuron) to fold it"
        )
    members: dict[tuple, list] = {}
    for node in order:
        if node in group_of:
            members.setdefault(group_of[node], []).append(node)
    used_outside = {p for n in order for p in n.parents if group_of.get(n) != group_of.get(p)}
    used_outside.update(root for root in roots if root in group_of)
    stand_in: dict[Any, FoldedNode] = {}
    texts: dict[FoldedNode, tuple[str, str]] = {}
    groups: dict[FoldedNode, tuple] = {}
    boxes: dict[tuple, FoldedNode] = {}
    for node in order:
        path = group_of.get(node)
        if path is None:
            parents = [stand_in[p] for p in node.parents]
            copy = _copy_class(type(node))(node.data, node.grad, node.label, node.op, parents,
                                           getattr(node, "params", None))  # fmt: skip
            stand_in[node] = copy
            continue
        if path not in boxes:
            shown = _shown(members[path], used_outside)
            op = " → ".join(op_text(m) for m in shown if m.parents)
            box = FoldedNode(shown[-1].data, shown[-1].grad, path[-1], op, (),
                             members=members[path], shown=shown)  # fmt: skip
            width = max(len(m.label) for m in shown)
            values = "\n".join(
                f"{m.label:<{width}}  {format_data(m.data, decimals)}" for m in shown
            )
            grads = "\n".join(f"{m.label:<{width}}  {format_data(m.grad, decimals)}" for m in shown)
            texts[box] = (values, grads)
            groups[box] = path
            boxes[path] = box
        stand_in[node] = boxes[path]
    # NOTE: a box's inputs are known once every node is: a neuron's weights come before the
    # activations of the previous layer in topological order
    for path, box in boxes.items():
        inside, feeding = set(members[path]), []
        for m in members[path]:
            for p in m.parents:
                if p not in inside and stand_in[p] not in feeding:
                    feeding.append(stand_in[p])
        box.parents = tuple(feeding)
    folded_roots = []
    for root in roots:
        if stand_in[root] not in folded_roots:
            folded_roots.append(stand_in[root])
    return folded_roots, texts, groups


def draw_folded(roots: Any, depth: int = 2, style: Style | None = None, **overrides):
    """The `Diagram` of ``roots`` with every scope group at ``depth`` folded into one box
    (`fold`), the boxes grouped by their enclosing scope (a layer) when ``depth > 1``."""
    from autograd.viz import Diagram

    style = dataclasses.replace(style or DEFAULT_STYLE, **overrides)
    folded, texts, groups = fold(roots, depth, style.decimals)
    if depth > 1 and style.clusters is None:
        clusters: dict[str, list] = {}
        for box, path in groups.items():
            clusters.setdefault(" / ".join(path[:-1]), []).append(box)
        style = dataclasses.replace(style, clusters=clusters)
    return Diagram(to_dot(folded, style, {}, texts=texts), style)
