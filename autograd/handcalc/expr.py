"""Expressions as text -> a back-propagated graph of `Value` nodes, for ``autograd draw`` and
``autograd check``.

>>> root, nodes = build("h = w1*x1 + w2*x2 + b; y = sigmoid(h)",
...                     {"x1": 2.8, "x2": -1.8, "w1": 1.45, "w2": -0.35, "b": -4})
>>> round(root.data, 3), round(nodes["w1"].grad, 3), nodes["h"].op
(0.666, 0.623, 'sum')

The text is parsed with Python's `ast` and walked through a whitelist; nothing is ever
evaluated by Python. Allowed:

- numbers, names (each name is one leaf node, labelled with its name; ``x*x`` uses it twice);
- ``+ - * / **`` and unary minus;
- the engine's one-input functions (`FUNCTIONS`: ``exp log sqrt tanh sigmoid relu softplus
  abs leaky_relu elu``) with their parameters as keywords, ``elu(z, alpha=0.1)``;
- named steps, separated by ``;`` or new lines: ``h = w1*x1 + b; y = tanh(h)``. A step's name
  labels the node it computes; the last step is the output. An output that is not named is
  labelled ``y`` (``f`` when ``y`` is already an input's name).
- several outputs: every step that no later step uses is an output (``h1 = ...; h2 = ...;
  y1 = sigmoid(h1); y2 = sigmoid(h2)`` has the outputs y1 and y2), or name them with
  ``outputs=["y1", "y2"]``. `build` then returns the list of outputs, and the gradients are
  those of their sum, ∂(y1 + y2)/∂node, as a report draws a layer with two outputs.

A weighted sum, that is a chain of ``+`` with three or more terms or with a product among its
terms (``w1*x1 + w2*x2 + b``, ``w*x + b``), becomes one `sum_values` node with one edge per
term, as the course draws a neuron; ``a + b`` stays an ``add`` node. Write ``a + (b + c)`` to
keep a sub-sum apart, or name it as a step.
"""

from __future__ import annotations

import ast
import difflib
import math
import re
import unicodedata
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from numbers import Real

from autograd.engine import OPS, Value, sum_values

__all__ = ["build", "parse_assignments", "ExpressionError", "FUNCTIONS"]

# The engine's one-input ops, callable by name: {name: default parameters}.
FUNCTIONS = {
    name: dict(spec.params) for name, spec in OPS.items() if spec.arity == 1 and name != "neg"
}
ALLOWED = (
    "allowed: numbers, names, + - * / **, unary minus, named steps 'h = ...;' and the functions "
    + ", ".join(sorted(FUNCTIONS))
)
_BINARY = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Pow: "pow"}
_NAME = re.compile(r"[^\W\d]\w*")
# A number written against a name or a bracket, as on paper: 2x, 0.5(a + b).
_IMPLICIT_PRODUCT = re.compile(r"(?<![\w.])(\d+(?:\.\d*)?)([^\W\d]\w*|\()")
# A comma that ends one step and starts the next: "h = w*x + b, y = sigmoid(h)".
_STEP_AFTER_COMMA = re.compile(r",\s*([^\W\d]\w*)\s*=(?!=)")
# Names of functions as courses write them -> ours.
_FUNCTION_ALIASES = {"ln": "log", "σ": "sigmoid", "lrelu": "leaky_relu", "leakyrelu": "leaky_relu"}
_ENGINE_DETAIL = re.compile(r" \(from Value\(.*\)\)$|\s*\(Value\(.*$")
POINTER_CONTEXT = 60  # characters of the source shown on each side of the offending token


class ExpressionError(ValueError):
    """A bad expression (or ``--set`` item): a one-line message, and where it went wrong.

    ``source`` is the text that was parsed, ``col`` the 0-based offset of the offending token
    in it (``None`` when no single token is to blame), ``width`` the token's length.
    ``pointer()`` gives the line of ``source`` holding the token and a caret line under it.
    """

    def __init__(self, message: str, source: str = "", col: int | None = None, width: int = 1):
        super().__init__(message)
        self.message = message
        self.source = source
        self.col = col
        self.width = max(1, width)
        self.missing = ""  # the input without a value, for "no value for 'x1'"

    def pointer(self) -> str:
        """Two lines: the offending line of the source and ``^^^`` under the token."""
        if self.col is None or not self.source:
            return self.source if len(self.source) <= 2 * POINTER_CONTEXT else ""
        start = self.source.rfind("\n", 0, self.col) + 1
        end = self.source.find("\n", self.col)
        line = self.source[start : len(self.source) if end < 0 else end]
        col = self.col - start
        width = max(1, min(self.width, len(line) - col, 10 * POINTER_CONTEXT))
        # A long line is shown as a window around the token (an input may be 100,000 long).
        if col > POINTER_CONTEXT:
            line, col = "…" + line[col - POINTER_CONTEXT + 1 :], POINTER_CONTEXT
        if len(line) > col + width + POINTER_CONTEXT:
            line = line[: col + width + POINTER_CONTEXT - 1] + "…"
        # NOTE: tabs keep their width so the caret stays under the token.
        pad = "".join(c if c == "\t" else " " for c in line[:col])
        return f"{line}\n{pad}{'^' * width}"


def parse_assignments(items) -> dict[str, float]:
    """``["x1=2.8", "b=-4"]`` (or ``"x1=2.8, b=-4"``) -> ``{"x1": 2.8, "b": -4.0}``.
    ``t1=?`` leaves t1 unknown: its value is the string ``"?"`` (see `split_unknowns`).

    Raises `ExpressionError` pointing at the item that is not ``NAME=NUMBER``, gives a name a
    second time, or gives a number that is not finite.
    """
    if isinstance(items, str):
        items = [items]
    source = " ".join(items)
    values: dict[str, float] = {}
    item_start = 0
    for item in items:
        part_start = item_start
        for part in item.split(","):
            stripped = part.strip()
            at = part_start + (part.find(stripped) if stripped else 0)
            part_start += len(part) + 1
            if not stripped and "," in item:
                continue  # tolerate "x=1, y=2," and spaces after commas
            name, eq, number = stripped.partition("=")
            name, number = name.strip(), number.strip()
            where = {"source": source, "col": at, "width": len(stripped)}
            if not eq and stripped.isdigit() and values:
                # NOTE: "x=2,8" (a decimal comma) would split into "x=2" and "8".
                raise ExpressionError(
                    f"--set item {item.strip()!r}: write decimals with a point "
                    f"({item.strip().replace(',', '.')}); a comma separates items",
                    source,
                    item_start + item.find(item.strip()),
                    len(item.strip()),
                )
            if not eq or not _NAME.fullmatch(name):
                raise ExpressionError(
                    f"--set item {stripped!r} is not NAME=NUMBER (e.g. x1=2.8)", **where
                )
            if number == "?":  # left unknown: autograd.handcalc.symbolic
                name = _identifier(name)
                if name in values:
                    raise ExpressionError(f"--set gives {name} twice", **where)
                values[name] = "?"
                continue
            try:
                value = float(Decimal(number))
            except (InvalidOperation, ValueError):
                raise ExpressionError(
                    f"--set {name}: {number!r} is not a number (e.g. {name}=2.8)", **where
                ) from None
            if not math.isfinite(value):
                raise ExpressionError(
                    f"--set {name}: expected a finite number, got {number}", **where
                )
            name = _identifier(name)
            if name in values:
                raise ExpressionError(f"--set gives {name} twice", **where)
            values[name] = value
        item_start += len(item) + 1  # items are joined by one space
    return values


def split_unknowns(values: Mapping[str, float | str]) -> tuple[dict[str, float], list[str]]:
    """The numbers of ``values`` with a placeholder for each unknown (``"?"``), and the
    unknowns' names: ``build`` takes the first, `autograd.handcalc.symbolic` the second."""
    from autograd.handcalc.symbolic import PLACEHOLDER

    unknown = [name for name, value in values.items() if value == "?"]
    numbers = {name: (PLACEHOLDER if value == "?" else value) for name, value in values.items()}
    return numbers, unknown


def build(
    source: str,
    values: Mapping[str, float],
    *,
    group_sums: bool = True,
    outputs: list[str] | None = None,
) -> tuple[Value | list[Value], dict[str, Value]]:
    """Parse ``source``, build its graph from ``values`` (inputs by name), run forward and
    ``root.backward()``; return the output node and ``{name: node}`` for every named node
    (inputs and steps, the output included). With several outputs (steps that no later step
    uses, or the steps named in ``outputs``), the first item is the list of output nodes and
    every ``grad`` is that of their sum.

    Values not used by the expression are ignored (so one dict of inputs serves several
    expressions). ``group_sums=False`` keeps every ``+`` a two-input ``add`` node.
    Raises `ExpressionError` (a `ValueError`) with ``.col`` and ``.pointer()`` on bad input,
    including a math domain error such as the log of a negative number.
    """
    if not isinstance(source, str):
        raise TypeError(f"build: source must be a str, got {type(source).__name__}")
    inputs: dict[str, float] = {}
    for name, value in values.items():
        if not (isinstance(value, Real) and not isinstance(value, bool)):
            raise TypeError(f"build: the value of {name!r} must be a number, got {value!r}")
        key = _identifier(name) if isinstance(name, str) else name
        if key in inputs:
            raise ExpressionError(
                f"two values for {key!r} (names are compared as Python reads them: 𝑥 is x)"
            )
        inputs[key] = value
    return _Builder(source, inputs, group_sums, outputs).run()


def _identifier(name: str) -> str:
    """``name`` as Python's parser reads it in the expression.

    NOTE: the parser folds identifiers to Unicode NFKC: a full-width ``ｘ`` or a math italic
    ``𝑥`` in the expression is the name ``x``, so a value given as ``𝑥`` must be found as ``x``.
    """
    return unicodedata.normalize("NFKC", name)


class _Builder:
    def __init__(self, source: str, values: Mapping[str, float], group_sums: bool, outputs=None):
        self.source = source
        self.outputs = None if outputs is None else [_identifier(n) for n in outputs]
        self.values = values
        self.group_sums = group_sums
        self.nodes: dict[str, Value] = {}
        self.line_starts: list[int] = []
        self.indents: list[int] = []

    # --- positions ----------------------------------------------------------------------------
    def _normalise(self) -> str:
        """Source with each line's indentation removed (ast rejects indented statements);
        remembers what was removed so positions map back to the original text."""
        lines, start = [], 0
        for line in self.source.split("\n"):
            body = line.rstrip("\r")
            stripped = body.lstrip(" \t")
            self.line_starts.append(start)
            self.indents.append(len(body) - len(stripped))
            lines.append(stripped)
            start += len(line) + 1
        return "\n".join(lines)

    def _offset(self, lineno: int, col: int, byte_col: bool = True) -> int:
        """(1-based line, column in the normalised line) -> offset into the original source."""
        lineno = min(max(lineno, 1), len(self.line_starts))
        start = self.line_starts[lineno - 1]
        indent = self.indents[lineno - 1]
        if byte_col:  # ast columns count UTF-8 bytes
            line = self.source[start + indent :].split("\n", 1)[0]
            col = len(line.encode("utf-8")[:col].decode("utf-8", "ignore"))
        return start + indent + col

    def error(self, message: str, node: ast.AST | None = None) -> ExpressionError:
        if node is None or not hasattr(node, "col_offset"):
            return ExpressionError(message, self.source)
        col = self._offset(node.lineno, node.col_offset)
        if getattr(node, "end_lineno", None) == node.lineno and node.end_col_offset is not None:
            width = self._offset(node.lineno, node.end_col_offset) - col
        else:
            width = len(self.source.split("\n", node.lineno)[node.lineno - 1]) - col
        return ExpressionError(message, self.source, col, width)

    # --- parsing ------------------------------------------------------------------------------
    def run(self) -> tuple[Value, dict[str, Value]]:
        text = self._text = self._normalise()
        if not text.strip():
            raise ExpressionError(
                "empty expression: expected e.g. 'sigmoid(w*x + b)'", self.source, 0
            )
        self._check_step_commas()
        try:
            tree = ast.parse(text, mode="exec")
        except SyntaxError as e:
            col = self._offset(e.lineno or 1, max((e.offset or 1) - 1, 0), byte_col=False)
            end = e.end_offset if e.end_lineno == e.lineno and e.end_offset else 0
            width = max(1, end - (e.offset or 1))
            self._explain_syntax_error(col)
            raise ExpressionError(f"syntax error: {e.msg}", self.source, col, width) from None
        except (RecursionError, MemoryError):
            raise ExpressionError("expression nested too deeply", self.source) from None
        statements = tree.body
        if not statements:
            raise ExpressionError(
                "empty expression: expected e.g. 'sigmoid(w*x + b)'", self.source, 0
            )
        steps = self._check_steps(statements)
        root = None
        try:
            for index, statement in enumerate(statements):
                last = index == len(statements) - 1
                if isinstance(statement, ast.Assign):
                    name = statement.targets[0].id
                    node = self._step_value(statement.value, name)
                    self.nodes[name] = node
                else:
                    node = self.eval(statement.value)
                    if not last:
                        raise self.error(
                            "only the last step may be unnamed; name this one ('h = ...')",
                            statement,
                        )
                    if not node.label:
                        node.label = self._root_label()
                        self.nodes[node.label] = node
                root = node
        except RecursionError:
            raise ExpressionError("expression nested too deeply", self.source) from None
        roots = self._outputs(root, steps)
        self._check_all_used(roots, steps)
        if len(roots) == 1:
            roots[0].backward()
            return roots[0], dict(self.nodes)
        from autograd.graph import backprop

        trace = backprop(roots)
        for node in trace.order:
            node.grad = trace.grads[node]
        return roots, dict(self.nodes)

    def _outputs(self, last: Value, steps: dict[str, ast.Assign]) -> list[Value]:
        """The outputs: those named in ``outputs=``, else every step no later step uses
        (in the order of the steps), the last one always."""
        from autograd.graph import topo_order_of_all

        if self.outputs is not None:
            if not self.outputs:
                raise ExpressionError("--outputs: give at least one step name", self.source)
            for name in self.outputs:
                if name not in steps and self.nodes.get(name) is not last:
                    known = ", ".join(steps) or "none"
                    raise ExpressionError(
                        f"--outputs: {name!r} is not a step of the expression (steps: {known})",
                        self.source,
                    )
            return [self.nodes[name] for name in dict.fromkeys(self.outputs)]
        candidates = [self.nodes[name] for name in steps] + [last]
        used = {parent for node in topo_order_of_all(candidates) for parent in node.parents}
        finals = [self.nodes[name] for name in steps if self.nodes[name] not in used]
        if last not in finals:
            finals.append(last)
        return finals

    def _check_step_commas(self) -> None:
        """Steps separated by commas, as in a written list: say to use ``;`` or a new line."""
        depth = 0
        for i, char in enumerate(self.source):
            depth += (char in "([{") - (char in ")]}")
            if char != "," or depth != 0 or not _STEP_AFTER_COMMA.match(self.source, i):
                continue
            start = max(self.source.rfind(";", 0, i), self.source.rfind("\n", 0, i)) + 1
            if re.search(r"(?<![=<>!])=(?!=)", self.source[start:i]):  # after a step
                raise ExpressionError(
                    "separate steps with ';' or a new line, not ',': "
                    "'h = w1*x1 + w2*x2 + b; y = sigmoid(h)'",
                    self.source,
                    i,
                )

    def _explain_syntax_error(self, col: int) -> None:
        """A syntax error from writing as on paper (``2x``): said in the course's words."""
        for match in _IMPLICIT_PRODUCT.finditer(self.source):
            number, after = match.groups()
            if after != "(":
                try:
                    float(number + after)  # 1e5 is a number
                    continue
                except ValueError:
                    pass
            if match.start() <= col <= match.end():
                raise ExpressionError(
                    f"write {number}*{after}{'...)' if after == '(' else ''} for "
                    f"{match.group(0)}{'...)' if after == '(' else ''}: a product needs '*'",
                    self.source,
                    match.start(),
                    len(match.group(0)),
                )

    def _check_steps(self, statements: list[ast.stmt]) -> dict[str, ast.Assign]:
        steps: dict[str, ast.Assign] = {}
        for statement in statements:
            if isinstance(statement, ast.Expr):
                continue
            if not isinstance(statement, ast.Assign):
                raise self.error(f"unsupported statement; {ALLOWED}", statement)
            if len(statement.targets) != 1 or not isinstance(statement.targets[0], ast.Name):
                raise self.error("a step assigns one name: 'h = w*x + b'", statement.targets[-1])
            target = statement.targets[0]
            name = target.id
            if name in FUNCTIONS:
                raise self.error(
                    f"{name!r} is a function; choose another name for this step", target
                )
            if name in steps:
                raise self.error(f"{name!r} is defined twice; each step needs its own name", target)
            if name in self.values:
                raise self.error(
                    f"{name!r} is both given a value and defined as a step; drop one of them",
                    target,
                )
            steps[name] = statement
        self.step_names = set(steps)
        return steps

    def _check_all_used(self, roots: list[Value], steps: dict[str, ast.Assign]) -> None:
        from autograd.graph import topo_order_of_all

        in_graph = set(topo_order_of_all(roots))
        labels = ", ".join(repr(root.label) for root in roots)
        for name, statement in steps.items():
            if self.nodes[name] not in in_graph:
                raise self.error(
                    f"step {name!r} is not used by the output{'s' if len(roots) > 1 else ''} "
                    f"{labels}",
                    statement.targets[0],
                )

    def _root_label(self) -> str:
        for label in ("y", "f", "out", "output"):
            if label not in self.nodes and label not in self.values:
                return label
        return "result"

    def _step_value(self, expr: ast.expr, name: str) -> Value:
        if isinstance(expr, ast.Name):
            raise self.error(
                f"step {name!r} only renames {expr.id!r}; a step needs an operation", expr
            )
        node = self.eval(expr)
        if node.label:  # e.g. 'h = +x' would rename the input x
            raise self.error(
                f"step {name!r} only renames {node.label!r}; a step needs an operation", expr
            )
        node.label = name
        return node

    # --- evaluation ---------------------------------------------------------------------------
    def eval(self, expr: ast.expr) -> Value:
        if isinstance(expr, ast.Name):
            return self.name(expr)
        number = self.number(expr)
        if number is not None:
            return Value(number)
        if isinstance(expr, ast.BinOp):
            return self.binary(expr)
        if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, (ast.USub, ast.UAdd)):
            operand = self.eval(expr.operand)
            return self.apply(expr, lambda: -operand) if isinstance(expr.op, ast.USub) else operand
        if isinstance(expr, ast.Call):
            return self.call(expr)
        if isinstance(expr, ast.UnaryOp):
            raise self.error(f"unsupported operator {_describe(expr.op)}; {ALLOWED}", expr)
        raise self.error(f"unsupported: {_describe(expr)}; {ALLOWED}", expr)

    def number(self, expr: ast.expr) -> float | None:
        """The value of a numeric literal (``-4`` included), else None."""
        sign = 1.0
        while isinstance(expr, ast.UnaryOp) and isinstance(expr.op, (ast.USub, ast.UAdd)):
            sign = -sign if isinstance(expr.op, ast.USub) else sign
            expr = expr.operand
        if isinstance(expr, ast.Constant):
            value = expr.value
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                try:
                    number = float(value)
                except OverflowError:  # an int literal with more than 308 digits
                    number = math.inf
                if not math.isfinite(number):  # 1e400 parses as inf
                    raise self.error(
                        "this number is too large: expected a finite number (at most ~1.8e308)",
                        expr,
                    )
                return sign * number
            raise self.error(f"unsupported: {_describe(expr)}; {ALLOWED}", expr)
        return None

    def name(self, expr: ast.Name) -> Value:
        name = expr.id
        if name in self.nodes:
            return self.nodes[name]
        if name in self.values:
            node = Value(self.values[name], label=name)
            self.nodes[name] = node
            return node
        if name in FUNCTIONS:
            raise self.error(f"{name!r} is a function; call it: {name}(...)", expr)
        if name in self.step_names:
            raise self.error(f"{name!r} is used before the step that defines it", expr)
        error = self.error(f"no value for {name!r}; give one with --set {name}=NUMBER", expr)
        error.missing = name
        raise error

    def binary(self, expr: ast.BinOp) -> Value:
        op = _BINARY.get(type(expr.op))
        if op is None:
            if isinstance(expr.op, ast.BitXor):
                if isinstance(expr.left, ast.Name) and expr.left.id == "e":
                    power = ast.get_source_segment(self._text, expr.right) or "x"
                    shown = (
                        power if _NAME.fullmatch(power) or self.number(expr.right) else f"({power})"
                    )
                    raise self.error(f"write exp({power}) for e^{shown}", expr)
                raise self.error("'^' is not a power here; write a**b (e.g. x**2)", expr)
            raise self.error(f"unsupported operator {_describe(expr.op)}; {ALLOWED}", expr)
        if op == "add":
            return self.add_chain(expr)
        left = self.eval(expr.left)
        if op == "pow":
            exponent = self.number(expr.right)
            right = exponent if exponent is not None else self.eval(expr.right)
            return self.apply(expr, lambda: left**right)
        right = self.eval(expr.right)
        if op == "sub":
            return self.apply(expr, lambda: left - right)
        if op == "mul":
            return self.apply(expr, lambda: left * right)
        return self.apply(expr, lambda: left / right)

    def add_chain(self, expr: ast.BinOp) -> Value:
        """``a + b + c`` (the left spine of ``+``) as one Σ node when it is a weighted sum."""
        operands = []
        while isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            operands.append(expr.right)
            expr = expr.left
        operands.append(expr)
        operands.reverse()
        terms = [self.eval(term) for term in operands]
        weighted = len(terms) >= 3 or any(term.op == "mul" for term in terms)
        if self.group_sums and weighted:
            return sum_values(terms)
        total = terms[0]
        for term in terms[1:]:
            total = total + term
        return total

    def call(self, expr: ast.Call) -> Value:
        if not isinstance(expr.func, ast.Name):
            if self.number(expr.func) is not None:
                number = ast.get_source_segment(self._text, expr.func) or "2"
                raise self.error(
                    f"write {number}*(...) for {number}(...): a product needs '*'", expr
                )
            raise self.error(f"unsupported call; {ALLOWED}", expr.func)
        name = expr.func.id
        if name not in FUNCTIONS:
            folded = name.lower()
            alias = _FUNCTION_ALIASES.get(folded, _FUNCTION_ALIASES.get(folded.replace("_", "")))
            close = [folded] if folded in FUNCTIONS else [alias] if alias else []
            close = close or difflib.get_close_matches(name, FUNCTIONS, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise self.error(
                f"unknown function {name!r}; {hint}known: {', '.join(sorted(FUNCTIONS))}",
                expr.func,
            )
        defaults = FUNCTIONS[name]
        usage = f"{name}(z" + "".join(f", {k}={v}" for k, v in defaults.items()) + ")"
        if not expr.args:
            raise self.error(f"{name} takes one input: {usage}", expr)
        for arg in expr.args:
            if isinstance(arg, ast.Starred):
                raise self.error(f"unsupported: *arguments; write {usage}", arg)
        positional = list(expr.args[1:])
        if len(positional) > len(defaults):
            raise self.error(f"{name} takes one input: {usage}", positional[len(defaults)])
        params: dict[str, float] = {}
        for key, arg in zip(defaults, positional):
            params[key] = self.param(name, key, arg)
        for keyword in expr.keywords:
            if keyword.arg is None:
                raise self.error(f"unsupported: **arguments; write {usage}", keyword.value)
            if keyword.arg not in defaults:
                known = ", ".join(defaults) or "none"
                raise self.error(
                    f"{name} has no parameter {keyword.arg!r} (parameters: {known}); {usage}",
                    keyword,
                )
            if keyword.arg in params:
                raise self.error(f"{name}: parameter {keyword.arg!r} given twice", keyword)
            params[keyword.arg] = self.param(name, keyword.arg, keyword.value)
        operand = self.eval(expr.args[0])
        function = OPS[name].function
        return self.apply(expr, lambda: function(operand, **params))

    def param(self, function: str, key: str, expr: ast.expr) -> float:
        value = self.number(expr)
        if value is None:
            raise self.error(f"{function}: parameter {key} must be a number, e.g. {key}=0.1", expr)
        return value

    def apply(self, expr: ast.expr, compute) -> Value:
        """Run one engine op; its domain errors become an `ExpressionError` at ``expr``."""
        try:
            return compute()
        except (ValueError, ZeroDivisionError, OverflowError, TypeError) as e:
            message = _ENGINE_DETAIL.sub("", str(e))
            raise self.error(f"cannot compute this: {message}", expr) from None


def _describe(node: ast.AST) -> str:
    names = {
        ast.Constant: "this constant (only numbers)",
        ast.Compare: "comparisons",
        ast.BoolOp: "and/or",
        ast.Attribute: "attributes (a.b)",
        ast.Subscript: "indexing (a[i])",
        ast.Lambda: "lambda",
        ast.IfExp: "if/else",
        ast.Tuple: "tuples",
        ast.List: "lists",
        ast.Dict: "dicts",
        ast.FloorDiv: "'//'",
        ast.Mod: "'%'",
        ast.MatMult: "'@'",
        ast.BitXor: "'^'",
        ast.BitAnd: "'&'",
        ast.BitOr: "'|'",
        ast.LShift: "'<<'",
        ast.RShift: "'>>'",
        ast.Not: "not",
        ast.Invert: "'~'",
    }
    return names.get(type(node), type(node).__name__)
