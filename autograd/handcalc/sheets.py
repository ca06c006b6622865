"""Answer sheets: a student's expression, inputs and claims in one TOML file, read through
the package's one TOML reader (`autograd.files.read_toml`: size limit, UTF-8, nesting bound).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from autograd.files import TomlError, read_toml
from autograd.handcalc.claims import ClaimError, as_claim_text

__all__ = ["Sheet", "load_sheet", "SHEET_KEYS"]

SHEET_KEYS = ("expression", "inputs", "values", "grads", "claims", "exercise")


@dataclass
class Sheet:
    """A student's answer sheet: the expression and inputs (optional) and the claims."""

    expression: str | None
    inputs: dict[str, float]
    claims: dict[str, str]
    exercise: dict | None = None  # [exercise] of a generated sheet (autograd.handcalc.generate)
    unanswered: tuple[str, ...] = ()  # claims left blank ("") on a generated sheet


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

    A sheet made by ``autograd exercises generate`` also has ``[exercise]`` (template,
    student, seed, attempt: `autograd.handcalc.generate` makes its numbers again from it) and
    ``""`` for every number not yet worked out (skipped, listed in ``unanswered``).
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
        text = as_claim_text(name, value)
        inputs[unicodedata.normalize("NFKC", name)] = float(Decimal(text))  # as the parser does
    exercise = data.get("exercise")
    if exercise is not None and not isinstance(exercise, dict):
        raise ClaimError(f"{path}: [exercise] must be a table (template, student, seed, attempt)")
    claims: dict[str, str] = {}
    unanswered = []
    entries = [(name, value) for name, value in _flat(tables["values"])]
    entries += [(f"grad:{name}", value) for name, value in _flat(tables["grads"])]
    entries += list(_flat(tables["claims"]))
    for key, value in entries:
        if key in claims:
            raise ClaimError(f"{path}: {key} is claimed twice")
        if value == "":  # a blank of a generated sheet, not filled in
            unanswered.append(key)
            continue
        claims[key] = as_claim_text(key, value, expression_ok=True)
    return Sheet(expression, inputs, claims, exercise, tuple(unanswered))
