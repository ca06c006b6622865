"""Check a hand calculation: a student's claimed numbers against the true ones, node by node.

>>> from autograd.handcalc.expr import build
>>> root, nodes = build("sigmoid(w*x + b)", {"w": 1.45, "x": 2.8, "b": -4})
>>> report = check(nodes, {"y": "0.515", "grad:w": "0.7", "grad:b": "0.3"})
>>> report.ok, report.first_wrong.key
(False, 'grad:b')

The precision rule (`autograd.handcalc.precision`): a claim is compared at the precision it
was written with, so ``"0.33"`` is right when the true value rounds to 0.33.

Claims are ordered as the calculation is done by hand: forward values in topological order,
then gradients from the output back (reverse topological order, the order of the chain rule).
The first wrong claim in that order is the one to fix first; later ones often follow from it.
Each wrong claim gets a hint when it matches a known pitfall (`autograd.handcalc.hints`).

Four jobs, four modules: the precision rule (`precision`), claim texts and names (`claims`),
answer sheets (`sheets`) and hints (`hints`); this module compares and reports. The true
gradients come from `autograd.graph.backprop`; numbers and node names are written by
`autograd.notation`, as in the diagrams.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from autograd.graph import backprop, topo_order
from autograd.handcalc.claims import (
    ClaimError,
    ClaimNames,
    as_claim_text,
    output_name,
    parse_claims,
)
from autograd.handcalc.hints import PitfallHints
from autograd.handcalc.precision import close, decimals, matches, quantum, truncated
from autograd.handcalc.sheets import Sheet, load_sheet
from autograd.notation import format_number

__all__ = ["check", "CheckReport", "ClaimRow", "ClaimError", "Sheet", "load_sheet"]
__all__ += ["parse_claims", "matches", "truncated", "output_name"]


@dataclass
class ClaimRow:
    """One claim: ``key`` as written (``"y"``, ``"grad:w1"``), the node, what was claimed and the
    true number, and whether they agree at the claim's precision (``quantum``: 0.01 for
    ``"0.33"``)."""

    key: str
    name: str
    kind: str  # "value" or "grad"
    node: Any
    claimed: str
    true: float
    quantum: float
    ok: bool
    hint: str = ""
    carried: bool = False  # wrong, but it follows from the student's own earlier numbers
    true_text: str = ""  # the true expression, for a number left symbolic

    @property
    def claimed_number(self) -> float:
        return float(Decimal(self.claimed))

    @property
    def what(self) -> str:
        return "forward value" if self.kind == "value" else "gradient"


@dataclass
class CheckReport:
    """The result of `check`: ``rows`` in calculation order, ``ok`` when every claim is
    right, ``first_wrong`` (a `ClaimRow` or None) and its ``hint``."""

    rows: list[ClaimRow]
    output: str = "y"

    @property
    def ok(self) -> bool:
        return all(row.ok for row in self.rows)

    @property
    def wrong(self) -> list[ClaimRow]:
        return [row for row in self.rows if not row.ok]

    @property
    def first_wrong(self) -> ClaimRow | None:
        """The first wrong claim in calculation order that does not follow from the
        student's own earlier numbers (else the first wrong one)."""
        wrong = self.wrong
        own = [row for row in wrong if not row.carried]
        return (own or wrong)[0] if wrong else None

    @property
    def hint(self) -> str:
        first = self.first_wrong
        return first.hint if first else ""

    def wrong_nodes(self) -> dict:
        """{node: note} for every node with a wrong claim, for ``draw(..., highlight=...)``."""
        notes: dict = {}
        for row in self.wrong:
            text = (
                f"claimed {row.claimed}" if row.kind == "value" else f"claimed grad {row.claimed}"
            )
            notes[row.node] = f"{notes[row.node]}, {text}" if row.node in notes else text
        return notes

    def table(self) -> str:
        """The rows as a text table: claim, claimed, true, result (``ok``, ``WRONG``, or
        ``carried`` for a wrong number that follows from the student's own earlier ones). The
        true number has enough digits to settle a tie: 0.5149955 against a claimed 0.52 is
        written 0.514996, not 0.51500."""
        header = ("claim", "claimed", "true", "result")
        lines = [header]
        for row in self.rows:
            result = "ok" if row.ok else ("carried" if row.carried else "WRONG")
            lines.append((row.key, row.claimed, row.true_text or _settling(row), result))
        widths = [max(len(line[i]) for line in lines) for i in range(4)]
        return "\n".join(
            "  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip()
            for line in lines
        )

    def summary(self) -> str:
        """The table, the first wrong claim with its hint, other hints, and a count."""
        out = [self.table(), ""]
        first = self.first_wrong
        count = len(self.rows)
        if first is None:
            out.append("the claim is ok" if count == 1 else f"all {count} claims ok")
            return "\n".join(out)
        what = "the forward value" if first.kind == "value" else f"d{self.output}/d{first.name}"
        out.append(
            f"first wrong: {first.key} ({what}): claimed {first.claimed}, true "
            + (
                first.true_text
                if first.true_text
                else f"{format_number(first.true, decimals(first.quantum))} at your precision"
            )
        )
        if first.hint:
            out.append(f"  hint: {first.hint}")
        shown = {first.hint}
        for row in self.wrong:
            if row is not first and row.hint and row.hint not in shown:
                shown.add(row.hint)
                out.append(f"  {row.key}: {row.hint}")
        out.append(self.count_line())
        return "\n".join(out)

    def count_line(self) -> str:
        """``1 of 3 claims wrong``, in English for one claim, with the carried ones apart."""
        count, wrong = len(self.rows), len(self.wrong)
        if not wrong:
            return "the claim is ok" if count == 1 else f"all {count} claims ok"
        if count == 1:
            return "the claim is wrong"
        carried = sum(row.carried for row in self.wrong)
        line = f"{wrong} of {count} claims wrong"
        if carried:
            own = wrong - carried
            follow = "follows" if carried == 1 else "follow"
            line += f" ({own} on its own, {carried} {follow} from your own numbers)"
            if own != 1:
                line = line.replace("on its own", "on their own")
        return line


def _settling(row: ClaimRow) -> str:
    """The true number with enough digits that it reads as the verdict says: printed with
    too few digits, 0.5149955 becomes 0.51500, a tie that a claimed 0.52 would win."""
    claim = row.claimed_number
    for digits in range(min(12, max(4, decimals(row.quantum) + 3)), 13):
        text = format_number(row.true, digits)
        try:
            shown = float(text)
        except ValueError:  # nan, inf
            return text
        tie = math.isclose(abs(shown - claim), row.quantum / 2, rel_tol=1e-9)
        if close(claim, shown, row.quantum) == row.ok and not (tie and not row.ok):
            return text
    return format_number(row.true, 12)


def check(root_or_nodes, claims: Mapping[str, Any], symbols=None) -> CheckReport:
    """Compare ``claims`` with the true forward values and gradients d(output)/d(node) of a
    graph (computed here from the local derivatives, whether or not ``backward()`` ran).

    ``root_or_nodes``: the output node (nodes are found by label), the ``{name: node}`` dict
    of `autograd.handcalc.expr.build`, or its ``(root, nodes)`` pair. ``claims``: ``{"y": "0.33",
    "grad:w1": "0.61"}``; ``"value:y"`` is the same as ``"y"``. Strings keep the precision as
    written; numbers are taken as ``repr`` writes them. Raises `ClaimError` for an unknown
    node name (listing the known ones) or a claim that is not a number.

    ``symbols`` (input nodes) leaves those inputs unknown (`autograd.handcalc.symbolic`): a
    number they reach is an expression, and a claim on it is an expression too, compared with
    the true one at the precision written (``grad:b1 = "0.196 - 0.482*t1"``).
    """
    root, named = _resolve(root_or_nodes)
    sym = None
    if symbols:
        from autograd.handcalc.symbolic import symbolic

        sym = symbolic(root, [symbols] if hasattr(symbols, "parents") else list(symbols))
    if not claims:
        raise ClaimError("no claims to check: give e.g. y=0.33 or grad:w1=0.61")
    trace = backprop(root)  # the true gradients, whether or not backward() ran
    position = {node: i for i, node in enumerate(trace.order)}
    claimed: dict[tuple[str, Any], float] = {}
    quanta: dict[tuple[str, Any], float] = {}
    rows = []
    names = ClaimNames(named, root, trace.order)
    for key, value in claims.items():
        kind, name = names.parse(key)
        node = named[name]
        if node not in position:
            raise ClaimError(f"claim {key!r}: {name} is not part of the graph of the output")
        if (kind, node) in claimed:
            raise ClaimError(f"claim {key!r}: the {kind} of {name} is claimed twice")
        exact = None if sym is None else (sym.values if kind == "value" else sym.grads)[node]
        if sym is not None and sym.is_symbolic(exact):
            rows.append(_symbolic_row(key, name, kind, node, value, exact, sym))
            continue
        text = as_claim_text(key, value)
        true = node.data if kind == "value" else trace.grads[node]
        unit = quantum(Decimal(text))
        ok = close(float(Decimal(text)), true, unit)
        rows.append(ClaimRow(key.strip(), name, kind, node, text, true, unit, ok))
        claimed[(kind, node)] = float(Decimal(text))
        quanta[(kind, node)] = unit

    def calculation_order(row: ClaimRow) -> tuple:
        index = position[row.node]
        return (0, index) if row.kind == "value" else (1, -index)

    rows.sort(key=calculation_order)
    hints = PitfallHints(root, trace, named, claimed, quanta)
    for row in rows:
        if not row.ok and not row.true_text:
            row.hint = hints.hint(row)
            row.carried = bool(hints.carried(row))
    return CheckReport(rows, output=output_name(root))


def _symbolic_row(key, name, kind, node, value, exact, sym) -> ClaimRow:
    """A claim on a number that is an expression in the unknowns."""
    from autograd.handcalc.symbolic import claim_matches, parse_claim

    text = str(value).strip()
    try:
        _, quantum = parse_claim(sym, text)
        ok = claim_matches(sym, text, exact)
    except (ValueError, TypeError, ArithmeticError) as e:
        raise ClaimError(
            f"claim {key}: {text!r}: {e}; the true {kind} is the expression {sym.text(exact)}"
        ) from None
    row = ClaimRow(key.strip(), name, kind, node, text, math.nan, quantum, ok)
    row.true_text = sym.text(exact)
    return row


def _resolve(root_or_nodes) -> tuple[Any, dict[str, Any]]:
    if (
        isinstance(root_or_nodes, tuple)
        and len(root_or_nodes) == 2
        and isinstance(root_or_nodes[1], Mapping)
    ):
        root, named = root_or_nodes
        return root, dict(named)
    if isinstance(root_or_nodes, Mapping):
        named = dict(root_or_nodes)
        if not named:
            raise ClaimError("check: got no nodes")
        # The output is the node no other named node depends on, last in topological order.
        nodes = list(named.values())
        below = set()
        for node in nodes:
            below.update(n for n in topo_order(node) if n is not node)
        tops = [node for node in nodes if node not in below]
        if len(tops) != 1:
            labels = ", ".join(sorted(n.label or "?" for n in tops))
            raise ClaimError(f"check: the nodes have several outputs ({labels}); pass the root")
        return tops[0], named
    if hasattr(root_or_nodes, "parents"):
        named: dict[str, Any] = {}
        for node in topo_order(root_or_nodes):
            if node.label:
                if node.label in named and named[node.label] is not node:
                    named[node.label] = None  # ambiguous: claims on it are refused
                else:
                    named.setdefault(node.label, node)
        return root_or_nodes, named
    raise TypeError(
        f"check: expected a node, a {{name: node}} dict or (root, nodes), got "
        f"{type(root_or_nodes).__name__}"
    )
