"""Check a hand calculation: a student's claimed numbers against the true ones, node by node.

>>> from autograd.handcalc.expr import build
>>> root, nodes = build("sigmoid(w*x + b)", {"w": 1.45, "x": 2.8, "b": -4})
>>> report = check(nodes, {"y": "0.515", "grad:w": "0.7", "grad:b": "0.3"})
>>> report.ok, report.first_wrong.key
(False, 'grad:b')

Precision rule: a claim is compared at the precision it was written with. ``"0.33"`` has two
decimals, so it is right when the true value rounds to 0.33, i.e. when
``|true - 0.33| <= 0.005`` (half a unit in the last written digit; both roundings of an exact
tie are accepted): 0.334 matches, 0.666 does not. ``"1.5e-3"`` is compared to 0.0001.

Claims are ordered as the calculation is done by hand: forward values in topological order,
then gradients from the output back (reverse topological order, the order of the chain rule).
The first wrong claim in that order is the one to fix first; later ones often follow from it.
Each wrong claim gets a hint when it matches a known pitfall, computed from the graph:
1 - sigmoid instead of sigmoid, the forward value given as the gradient, a flipped sign, the
upstream gradient without the local derivative, the factor 2 of a squared error dropped, a
number carried forward from the student's own rounded or wrong claims, truncation instead of
rounding, or the number of another node.

The true gradients, and the student's own (their claimed gradients carried on by the chain
rule), come from `autograd.graph.backprop`; numbers and node names are written by
`autograd.viz.format`, as in the diagrams.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal, InvalidOperation
from numbers import Real
from pathlib import Path
from typing import Any

from autograd.engine import Value, sum_values
from autograd.files import TomlError, read_toml
from autograd.graph import Backprop, backprop, children, topo_order
from autograd.viz.format import Namer, format_number

__all__ = ["check", "CheckReport", "ClaimRow", "ClaimError", "Sheet", "load_sheet"]
__all__ += ["parse_claims", "matches"]

SHEET_KEYS = ("expression", "inputs", "values", "grads", "claims")


class ClaimError(ValueError):
    """A claim that cannot be checked: unknown node, bad number, bad sheet."""


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
                else f"{format_number(first.true, _decimals(first.quantum))} at your precision"
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


def matches(claimed: str, true: float) -> bool:
    """True when ``true`` rounds to ``claimed`` at the precision ``claimed`` was written with."""
    claim = Decimal(claimed)
    quantum = _quantum(claim)
    return _close(float(claim), true, quantum)


def _quantum(claim: Decimal) -> float:
    exponent = claim.as_tuple().exponent
    return 10.0**exponent if -324 < exponent < 309 else (0.0 if exponent < 0 else math.inf)


def _close(claim: float, true: float, quantum: float) -> bool:
    # NOTE: the relative slack absorbs binary rounding of ties such as 0.335 vs "0.33".
    slack = 1e-9 * quantum + 1e-12 * abs(true)
    return math.isfinite(true) and abs(true - claim) <= quantum / 2 + slack


def _decimals(quantum: float) -> int:
    # NOTE: at most 17, the digits a float holds (a claim of 1E-323 would ask for 323).
    return min(17, max(0, -round(math.log10(quantum))))


def _settling(row: ClaimRow) -> str:
    """The true number with enough digits that it reads as the verdict says: printed with
    too few digits, 0.5149955 becomes 0.51500, a tie that a claimed 0.52 would win."""
    claim = row.claimed_number
    for digits in range(min(12, max(4, _decimals(row.quantum) + 3)), 13):
        text = format_number(row.true, digits)
        try:
            shown = float(text)
        except ValueError:  # nan, inf
            return text
        tie = math.isclose(abs(shown - claim), row.quantum / 2, rel_tol=1e-9)
        if _close(claim, shown, row.quantum) == row.ok and not (tie and not row.ok):
            return text
    return format_number(row.true, 12)


def truncated(true: float, quantum: float) -> float | None:
    """``true`` cut (not rounded) to ``quantum``, when cutting and rounding give different
    numbers; else None. The true number is first read at 12 significant digits, so float
    round-off (0.06999999999999999 for 0.07) is not taken for a digit to cut."""
    try:
        exact = Decimal(f"{true:.12g}")
        step = Decimal(repr(quantum))
        cut = exact.quantize(step, rounding=ROUND_DOWN)
        rounded = exact.quantize(step, rounding=ROUND_HALF_EVEN)
    except (InvalidOperation, ValueError):
        return None
    return None if cut == rounded else float(cut)


# --- claims in ---------------------------------------------------------------------------------
def _is_expression(value: Any) -> bool:
    """A claim written in unknowns (``0.406 - t1``), for values left symbolic."""
    return isinstance(value, str) and any(ch.isalpha() for ch in value.replace("e", ""))


def _as_claim_text(key: str, value: Any, expression_ok: bool = False) -> str:
    if expression_ok and _is_expression(value):
        return value.strip()  # checked against the unknowns by `check`
    if isinstance(value, bool) or not isinstance(value, (str, Real, Decimal)):
        raise ClaimError(f"claim {key}: expected a number, got {value!r}")
    text = value.strip() if isinstance(value, str) else repr(value)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ClaimError(f"claim {key}: {text!r} is not a number (e.g. {key}=0.33)") from None
    if not number.is_finite():
        raise ClaimError(f"claim {key}: expected a finite number, got {text}")
    quantum = _quantum(number)
    if not math.isfinite(float(number)) or quantum == 0.0 or math.isinf(quantum):
        # NOTE: the precision too (0E+400 is a zero "to the nearest 1e400").
        raise ClaimError(f"claim {key}: {text} is beyond a float's range (about 1e-300 to 1e308)")
    return text


def parse_claims(items: list[str]) -> dict[str, str]:
    """``["y=0.33", "grad:w1=0.61"]`` -> ``{"y": "0.33", "grad:w1": "0.61"}`` (numbers kept as
    written, since their digits set the precision)."""
    claims: dict[str, str] = {}
    for item in items:
        key, eq, value = item.partition("=")
        key = key.strip()
        if not eq or not key:
            raise ClaimError(f"--claim {item!r} is not NAME=NUMBER or grad:NAME=NUMBER")
        if key in claims:
            raise ClaimError(f"--claim gives {key} twice")
        claims[key] = _as_claim_text(key, value, expression_ok=True)
    return claims


@dataclass
class Sheet:
    """A student's answer sheet: the expression and inputs (optional) and the claims."""

    expression: str | None
    inputs: dict[str, float]
    claims: dict[str, str]


def _read_toml(path: Path) -> dict:
    try:
        return read_toml(path, "the answer sheet", parse_float=str)
    except TomlError as e:
        raise ClaimError(str(e)) from None


def _flat(table: dict, prefix: str = ""):
    """(key, value) pairs of a TOML table; a dotted key (``w1.grad = 0.62``, which TOML
    reads as a table ``w1 = {grad = 0.62}``) comes back as written: ``w1.grad``."""
    for key, value in table.items():
        if isinstance(value, dict):
            yield from _flat(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def load_sheet(path) -> Sheet:
    """Read an answer sheet (TOML). Every part is optional except that there must be claims::

    expression = "h = w1*x1 + w2*x2 + b; y = sigmoid(h)"
    [inputs]          # the given numbers
    x1 = 2.8
    [values]          # claimed forward values
    h = 0.69
    y = 0.666
    [grads]           # claimed gradients d(output)/d(node)
    w1 = 0.623
    [claims]          # or claims written as on the command line
    "grad:b" = 0.223
    """
    path = Path(path)
    data = _read_toml(path)
    unknown = sorted(set(data) - set(SHEET_KEYS))
    if unknown:
        raise ClaimError(
            f"{path}: unknown key(s) {', '.join(unknown)}; expected {', '.join(SHEET_KEYS)}"
        )
    expression = data.get("expression")
    if expression is not None and not isinstance(expression, str):
        raise ClaimError(f"{path}: expression must be a string, got {expression!r}")
    tables = {}
    for key in ("inputs", "values", "grads", "claims"):
        table = data.get(key, {})
        if not isinstance(table, dict):
            raise ClaimError(f"{path}: [{key}] must be a table of name = number")
        tables[key] = table
    inputs = {}
    for name, value in tables["inputs"].items():
        if value == "?":  # left unknown (autograd.handcalc.symbolic)
            inputs[unicodedata.normalize("NFKC", name)] = "?"
            continue
        text = _as_claim_text(name, value)
        inputs[unicodedata.normalize("NFKC", name)] = float(Decimal(text))  # as the parser does
    claims: dict[str, str] = {}
    entries = [(name, value) for name, value in _flat(tables["values"])]
    entries += [(f"grad:{name}", value) for name, value in _flat(tables["grads"])]
    entries += list(_flat(tables["claims"]))
    for key, value in entries:
        if key in claims:
            raise ClaimError(f"{path}: {key} is claimed twice")
        claims[key] = _as_claim_text(key, value, expression_ok=True)
    return Sheet(expression, inputs, claims)


# --- checking ----------------------------------------------------------------------------------
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
    names = _Names(named, root, trace.order)
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
        text = _as_claim_text(key, value)
        true = node.data if kind == "value" else trace.grads[node]
        quantum = _quantum(Decimal(text))
        ok = _close(float(Decimal(text)), true, quantum)
        rows.append(ClaimRow(key.strip(), name, kind, node, text, true, quantum, ok))
        claimed[(kind, node)] = float(Decimal(text))
        quanta[(kind, node)] = quantum

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


def output_name(root) -> str:
    """How gradients are named: ``y`` (``dy/dw1``), or ``(y1 + y2)`` for several outputs."""
    if isinstance(root, list):
        return "(" + " + ".join(node.label or "?" for node in root) + ")"
    return root.label or "output"


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


# Gradients as students write them: grad_w1, w1.grad, ∂y/∂w1, dy/dw1 (the output's name).
_GRAD_SPELLINGS = (
    re.compile(r"grad_(?P<name>.+)"),
    re.compile(r"(?P<name>.+)\.grad"),
    re.compile(r"[∂d](?P<output>[^/∂]+)/[∂d](?P<name>.+)"),
)


class _Names:
    """Claim keys -> (kind, name): ``y``, ``value:y``, ``grad:w1``, and the spellings students
    use for gradients (``grad_w1``, ``w1.grad``, ``∂y/∂w1``, ``dy/dw1``); ``dw1`` is answered
    with "did you mean grad:w1"; a name the expression leaves unnamed gets how to name it."""

    def __init__(self, named: Mapping[str, Any], root, order: list):
        self.named = named
        self.output = output_name(root)
        self.order = order

    def parse(self, key: str) -> tuple[str, str]:
        key = key.strip()
        kind, colon, name = key.rpartition(":")
        if not colon:
            kind = "value"
        elif kind not in ("grad", "value"):
            raise ClaimError(f"claim {key!r}: write NAME=NUMBER or grad:NAME=NUMBER, not {kind}:")
        name = self._known(name.strip())
        if name is None and kind == "value":
            kind, name = self._gradient_spelling(key)
        if name is None:
            raise ClaimError(self._unknown(key, kind, key.rpartition(":")[2].strip()))
        if self.named[name] is None:
            raise ClaimError(f"claim {key!r}: several nodes are labelled {name!r}; rename them")
        return kind, name

    def _known(self, name: str) -> str | None:
        if name in self.named:
            return name
        # Names in an expression are read as Python reads them (full-width ｘ is x).
        name = unicodedata.normalize("NFKC", name)
        return name if name in self.named else None

    def _gradient_spelling(self, key: str) -> tuple[str, str | None]:
        for pattern in _GRAD_SPELLINGS:
            match = pattern.fullmatch(key)
            if not match:
                continue
            name = self._known(match["name"].strip())
            output = match.groupdict().get("output")
            if name is None:
                continue
            if output is not None and self._known(output.strip()) != self.output:
                raise ClaimError(
                    f"claim {key!r}: the gradients checked here are those of the output "
                    f"{self.output!r}; write grad:{name} for ∂{self.output}/∂{name}"
                )
            return "grad", name
        return "value", None

    def _unknown(self, key: str, kind: str, name: str) -> str:
        known = ", ".join(sorted(n for n, node in self.named.items() if node is not None))
        message = f"claim {key!r}: no node named {name!r}"
        if name.startswith("d") and self._known(name[1:]) is not None:
            return f"{message}; did you mean grad:{self._known(name[1:])} (d{self.output}/{name})?"
        labelled = {node for node in self.named.values() if node is not None}
        unnamed = [node for node in self.order if node.parents and node not in labelled]
        if unnamed:
            namer = Namer(self.order, {node: n for n, node in self.named.items() if node})
            steps = ", ".join(namer.of(node) for node in unnamed[-3:])
            return (
                f"{message}; known names: {known}. To claim an intermediate, name its step in "
                f"the expression ('{name} = ...; ...' then use {name}); unnamed here: {steps}"
            )
        return f"{message}; known names: {known}"


class PitfallHints:
    """The hints for wrong claims: each tests a known pitfall against the graph, its true
    numbers (``trace``, from `autograd.graph.backprop`) and the student's own numbers."""

    def __init__(self, root, trace: Backprop, named, claimed: dict, quanta: dict):
        self.root = root
        self.output_name = output_name(root)
        self.order = trace.order
        self.grad = trace.grads
        self.names = {node: name for name, node in named.items() if node is not None}
        self.namer = Namer(self.order, self.names)
        self.claimed = claimed  # {(kind, node): the claimed number}
        self.quanta = quanta  # {(kind, node): the claim's precision}
        self.children = children(self.order)
        self._student: tuple[dict, Backprop] | None = None

    def true(self, node, kind: str) -> float:
        return node.data if kind == "value" else self.grad[node]

    def name(self, node) -> str:
        """A node's name, or for an unnamed node the expression that computes it."""
        return self.namer.of(node)

    def descendants(self, node) -> list:
        """Nodes that depend on ``node``, nearest first (breadth first)."""
        seen, queue, out = {node}, [node], []
        while queue:
            current = queue.pop(0)
            for child in self.children.get(current, ()):
                if child not in seen:
                    seen.add(child)
                    out.append(child)
                    queue.append(child)
        return out

    def student(self) -> tuple[dict, list[Backprop]]:
        """The student's numbers: their forward values (claimed, else recomputed from their
        claims) and two backward passes with their claimed gradients in place of the true
        ones: with the true local derivatives, and with local derivatives from their own
        values (a tanh claimed as y = 0.59 has 1 - 0.59² = 0.652 as its derivative)."""
        if self._student is None:
            values: dict = {}
            local: dict = {}
            for node in self.order:
                claim = self.claimed.get(("value", node))
                if not node.parents:
                    values[node] = node.data if claim is None else claim
                    continue
                try:
                    redone = _apply(node, [values[p] for p in node.parents])
                except (ValueError, ZeroDivisionError, OverflowError, TypeError):
                    values[node] = node.data if claim is None else claim
                    continue
                values[node] = redone.data if claim is None else claim
                if claim is not None and _slopes_use_output(node):
                    # a person works these out from the output they wrote (tanh: 1 − y²)
                    local[node] = _slopes_at(node, [values[p] for p in node.parents], claim)
                else:
                    local[node] = redone.local_grads
            given = {node: x for (kind, node), x in self.claimed.items() if kind == "grad"}
            traces = [
                backprop(self.root, given=given),
                backprop(self.root, given=given, local=local),
            ]
            self._student = (values, traces)
        return self._student

    def hint(self, row: ClaimRow) -> str:
        """A hint for a wrong claim when it matches a known pitfall, else ``""``."""
        claim, q = row.claimed_number, row.quantum
        node, true, name = row.node, row.true, row.name
        if not math.isfinite(true):
            return ""  # no pitfall explains an infinite or undefined number

        def near(x: float) -> bool:
            return _close(claim, x, q)

        def show(x: float) -> str:
            return format_number(x, min(12, _decimals(q) + 1))

        d = f"d{self.output_name}/d"
        slip = self.slip(row, near)
        if slip:
            return slip
        if row.kind == "value":
            if near(self.grad[node]):
                return f"{row.claimed} is the gradient {d}{name}, not the forward value"
        else:
            if self.has_square_below(node) and near(true / 2) and not self.kept_the_2(node):
                return (
                    f"{row.claimed} is half of {d}{name} = {show(true)}: the derivative of u² "
                    "is 2u; the factor 2 of the squared error was dropped"
                )
            if near(node.data):
                return f"{row.claimed} is the forward value of {name}, not the gradient {d}{name}"
            upstream = [u for u in self.descendants(node) if near(self.grad[u])]
            if upstream:
                # Prefer a named node: the mul between w1 and h has h's gradient.
                named = [u for u in upstream if u in self.names]
                u = self.name((named or upstream)[0])
                return (
                    f"{row.claimed} is {d}{u}, the gradient upstream of {name}; multiply it by "
                    f"the local derivative(s) from {name} to {u} (chain rule) to get {show(true)}"
                )
        if true != 0 and near(-true):
            return f"the sign is flipped: the true {row.what} is {show(true)}"
        carried = self.carried(row)
        if carried:
            return carried
        cut = truncated(true, q)  # None for a tiny q (a claim of 1E-323): nothing to cut
        if cut is not None and near(cut):
            return (
                f"the true {row.what} {show(true)} was truncated; round it to the nearest: "
                f"{format_number(true, _decimals(q))}"
            )
        kinds = [row.kind, "grad" if row.kind == "value" else "value"]
        for kind in kinds:
            for other, other_name in self.names.items():
                if other is not node and near(self.true(other, kind)):
                    what = f"the value of {other_name}" if kind == "value" else f"{d}{other_name}"
                    return f"{row.claimed} is {what}; is it on the right node?"
        return ""

    def slip(self, row: ClaimRow, near) -> str:
        """The claim is what a common slip of an op gives (the op table's `Slip`s): a value
        slip of the node's own op, or a slope slip of an op that uses the node (1 − σ(h) as
        σ'(h) makes grad:h = grad(y) × (1 − y))."""
        node = row.node
        if row.kind == "value":
            spec = type(node).OPS.get(node.op) if node.parents else None
            for slip in () if spec is None else spec.slips:
                if slip.of == "value":
                    env = spec.environment([p.data for p in node.parents], node.data, node.params)
                    if _near_formula(slip.formula, env, near):
                        return f"{row.claimed} is {_says(slip, self.name(node.parents[0]))}"
            return ""
        for child in self.children.get(node, ()):
            spec = type(child).OPS.get(child.op)
            if spec is None or not spec.slips:
                continue
            env = spec.environment([p.data for p in child.parents], child.data, child.params)
            true_part = sum(
                self.grad[child] * d for p, d in zip(child.parents, child.local_grads) if p is node
            )
            for slip in spec.slips:
                if slip.of != "slope":
                    continue
                try:
                    wrong = float(slip.formula.bind(dict(child.params or {})).evaluate(env))
                except (ValueError, ZeroDivisionError, OverflowError, TypeError, KeyError):
                    continue
                if near(self.grad[node] - true_part + self.grad[child] * wrong):
                    return (
                        f"{row.claimed} uses {_says(slip, row.name)} as the local derivative "
                        f"from {row.name} to {self.name(child)}"
                    )
        return ""

    def has_square_below(self, node) -> bool:
        """Is a squared error (``(u - t)**2`` or ``e*e`` with ``e = u - t``) downstream of
        ``node``? Only there is a dropped factor 2 "the factor 2 of the squared error"."""

        def is_difference(u) -> bool:
            return u.op == "sub"

        return any(
            (d.op == "pow" and (d.params or {}).get("exponent") == 2.0
             and is_difference(d.parents[0]))
            or (d.op == "mul" and d.parents[0] is d.parents[1] and is_difference(d.parents[0]))
            for d in self.descendants(node)
        )  # fmt: skip

    def kept_the_2(self, node) -> bool:
        """Is a right gradient claimed between ``node`` and the square below it? Then the
        factor 2 was not dropped (a half can also be a local derivative 2 left out)."""
        for other in self.nearest_claimed(node, "grad"):
            key = ("grad", other)
            if self.has_square_below(other) and _close(
                self.claimed[key], self.grad[other], self.quanta[key]
            ):
                return True
        return False

    def towards_claimed_grads(self, node) -> list:
        """The nodes between ``node`` and the output whose local derivatives make ``node``'s
        gradient, up to and including the nearest ones with a claimed gradient."""
        seen, stack, out = {node}, list(self.children.get(node, ())), []
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            out.append(current)
            if ("grad", current) not in self.claimed:
                stack.extend(self.children.get(current, ()))
        return out

    def identity_of(self, node):
        """The node whose claimed gradient ``node``'s gradient equals through a single edge of
        local derivative 1 (``b`` of ``h = w*x + b``: dy/db = dy/dh), else None."""
        users = self.children.get(node, ())
        if len(users) != 1 or ("grad", users[0]) not in self.claimed:
            return None
        user = users[0]
        locals_ = [d for p, d in zip(user.parents, user.local_grads) if p is node]
        return user if locals_ == [1.0] else None

    def nearest_claimed(self, node, kind: str) -> list:
        """The claims ``node``'s number is computed from: walking towards the inputs (values)
        or the output (gradients), stopping at each node with a claim."""
        step = (lambda n: n.parents) if kind == "value" else (lambda n: self.children.get(n, ()))
        found, seen, stack = [], {node}, list(step(node))
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            if (kind, current) in self.claimed:
                found.append(current)
            else:
                stack.extend(step(current))
        return found

    def carried(self, row: ClaimRow) -> str:
        """The claim follows from the student's own (rounded or wrong) earlier numbers."""
        node = row.node
        try:
            values, traces = self.student()
            if row.kind == "value":
                if not node.parents:
                    return ""
                mine = [_apply(node, [values[p] for p in node.parents]).data]
            else:
                mine = [trace.sum_into(node) for trace in traces]
        except (ValueError, ZeroDivisionError, OverflowError, TypeError, KeyError):
            return ""
        if not any(_close(row.claimed_number, x, row.quantum) for x in mine):
            return ""
        prefix = "" if row.kind == "value" else f"d{self.output_name}/d"
        differing = [
            f"{prefix}{self.name(s)} = {self.claimed[(row.kind, s)]:.12g}"
            for s in self.nearest_claimed(node, row.kind)
            if self.claimed[(row.kind, s)] != self.true(s, row.kind)
        ]
        if row.kind == "grad":
            # the forward values the local derivatives on the way to the output were made of
            differing += [
                f"{self.name(s)} = {self.claimed[('value', s)]:.12g}"
                for s in self.towards_claimed_grads(node)
                if _slopes_use_output(s)
                and ("value", s) in self.claimed
                and self.claimed[("value", s)] != s.data
            ]
        if not differing:
            return ""
        wrong_upstream = [
            f"{'grad:' if row.kind == 'grad' else ''}{self.name(s)}"
            for s in self.nearest_claimed(node, row.kind)
            if not _close(self.claimed[(row.kind, s)], self.true(s, row.kind),
                          self.quanta[(row.kind, s)])
        ]  # fmt: skip
        if row.kind == "grad" and self.identity_of(node) is not None:
            other = self.identity_of(node)
            return (
                f"{row.claimed} = your d{self.output_name}/d{self.name(other)}: the "
                f"local derivative from {row.name} to {self.name(other)} is 1, so this is not a "
                "second error; it follows from that number"
            )
        if wrong_upstream:
            return (
                f"{row.claimed} follows from your own {', '.join(differing)}; fix "
                f"{', '.join(wrong_upstream)} first: this number is right for it"
            )
        return (
            f"{row.claimed} follows from your own {', '.join(differing)}; carry more "
            "digits through the calculation"
        )


# Ops whose local derivative a person writes with the op's own output y.
def _slopes_use_output(node) -> bool:
    """Are the op's local derivatives written with its output y (tanh: 1 − y²)? From the op
    table's formulas."""
    spec = type(node).OPS.get(node.op)
    if spec is None or spec.slopes is None:
        return False
    return any("y" in slope.variables() for slope in spec.slopes)


def _slopes_at(node, inputs: list, output: float) -> tuple:
    """The op's local derivatives (its formulas) at other input and output numbers."""
    spec = type(node).OPS[node.op]
    _, slopes = spec.formulas(node.params, len(inputs))
    env = spec.environment(inputs, output, node.params)
    return tuple(slope.evaluate(env) for slope in slopes)


def _says(slip, input_name: str) -> str:
    """A slip's text, which calls the op's input h, for an input with another name."""
    return slip.says if input_name == "h" else f"{slip.says}, where h = {input_name}"


def _near_formula(formula, env: dict, near) -> bool:
    try:
        return near(float(formula.evaluate(env)))
    except (ValueError, ZeroDivisionError, OverflowError, TypeError, KeyError):
        return False


def _apply(node, inputs: list[float]) -> Value:
    """The op of ``node`` applied to other input numbers: a new node with its value and its
    local derivatives."""
    values = [Value(x) for x in inputs]
    params = dict(node.params or {})
    if node.op == "sum":
        return sum_values(values)
    if node.op == "pow" and "exponent" in params:
        return values[0] ** params["exponent"]
    return type(node).OPS[node.op].function(*values, **params)
