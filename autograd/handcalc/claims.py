"""Claims as written: their numbers (kept as text: the digits set the precision), the
command line's ``NAME=NUMBER`` items, and the names a claim may use for a node (``y``,
``value:y``, ``grad:w1`` and the spellings students use for gradients).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from numbers import Real
from typing import Any

from autograd.handcalc.precision import quantum
from autograd.notation import Namer

__all__ = ["ClaimError", "as_claim_text", "is_expression", "parse_claims", "ClaimNames"]
__all__ += ["output_name"]


class ClaimError(ValueError):
    """A claim that cannot be checked: unknown node, bad number, bad sheet."""


def is_expression(value: Any) -> bool:
    """A claim written in unknowns (``0.406 - t1``), for values left symbolic."""
    return isinstance(value, str) and any(ch.isalpha() for ch in value.replace("e", ""))


def as_claim_text(key: str, value: Any, expression_ok: bool = False) -> str:
    """A claim's number as written, checked (finite, within a float's range), or with
    ``expression_ok`` an expression in unknowns; `ClaimError` otherwise."""
    if expression_ok and is_expression(value):
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
    unit = quantum(number)
    if not math.isfinite(float(number)) or unit == 0.0 or math.isinf(unit):
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
        claims[key] = as_claim_text(key, value, expression_ok=True)
    return claims


def output_name(root) -> str:
    """How gradients are named: ``y`` (``dy/dw1``), or ``(y1 + y2)`` for several outputs."""
    if isinstance(root, list):
        return "(" + " + ".join(node.label or "?" for node in root) + ")"
    return root.label or "output"


# Gradients as students write them: grad_w1, w1.grad, ∂y/∂w1, dy/dw1 (the output's name).
_GRAD_SPELLINGS = (
    re.compile(r"grad_(?P<name>.+)"),
    re.compile(r"(?P<name>.+)\.grad"),
    re.compile(r"[∂d](?P<output>[^/∂]+)/[∂d](?P<name>.+)"),
)


class ClaimNames:
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
