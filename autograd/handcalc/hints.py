"""The checker's hints: each wrong claim is tested against known pitfalls, computed from the
graph, its true numbers (`autograd.graph.backprop`) and the student's own numbers: a common slip
of an op (the op table's `autograd.graph.Slip`: 1 − σ(h) for σ(h) or for σ'(h), 1 − tanh for
tanh'), the forward value given as the gradient, a flipped sign, the upstream gradient without
the local derivative, the factor 2 of a squared error dropped, a number carried forward from the
student's own rounded or wrong claims, truncation instead of rounding, or the number of another
node.
"""

from __future__ import annotations

import math

from autograd.engine import Value, sum_values
from autograd.graph import Backprop, backprop, children
from autograd.handcalc.claims import output_name
from autograd.handcalc.precision import close, decimals, truncated
from autograd.notation import Namer, format_number

__all__ = ["PitfallHints"]


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

    def hint(self, row) -> str:
        """A hint for a wrong claim when it matches a known pitfall, else ``""``."""
        claim, q = row.claimed_number, row.quantum
        node, true, name = row.node, row.true, row.name
        if not math.isfinite(true):
            return ""  # no pitfall explains an infinite or undefined number

        def near(x: float) -> bool:
            return close(claim, x, q)

        def show(x: float) -> str:
            return format_number(x, min(12, decimals(q) + 1))

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
                f"{format_number(true, decimals(q))}"
            )
        kinds = [row.kind, "grad" if row.kind == "value" else "value"]
        for kind in kinds:
            for other, other_name in self.names.items():
                if other is not node and near(self.true(other, kind)):
                    what = f"the value of {other_name}" if kind == "value" else f"{d}{other_name}"
                    return f"{row.claimed} is {what}; is it on the right node?"
        return ""

    def slip(self, row, near) -> str:
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
            if self.has_square_below(other) and close(
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

    def carried(self, row) -> str:
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
        if not any(close(row.claimed_number, x, row.quantum) for x in mine):
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
            if not close(self.claimed[(row.kind, s)], self.true(s, row.kind),
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
