"""The ``autograd`` command: one parser, and ONE table from exception to exit code.

Each subcommand is a function ``cmd_NAME(args) -> int`` in the module of its family
(`autograd.cli.diagrams`: demo, draw, exercises; `autograd.cli.checking`: check and class
grading; `autograd.cli.training`: train, repeat, evaluate, reproduce, presets;
`autograd.cli.sweeping`: sweep). It returns 0
(all right) or 1 (a claim is wrong) and raises on anything else; `main` looks the exception up
in `EXIT_CODES` and prints one line ``autograd COMMAND: error: MESSAGE`` on stderr:

====  ========================================================================================
0     all right
1     a claim is wrong (check, class grading)
2     bad input, missing data or no network (nothing written)
3     rendering or writing failed (also: a missing optional library that draws or plots)
4     an internal error: a bug in autograd-lab (one line, never a traceback)
130   interrupted (Ctrl-C): what is on disk is a complete earlier state
====  ========================================================================================

A closed standard output (``autograd presets -v | head``) ends the command quietly, exit 0:
the reader has what it asked for.
"""

from __future__ import annotations

import signal
import sys
import threading


def _exit_on_interrupt(signum, frame):
    """Ctrl-C while the command loads its modules: exit 130 quietly, nothing written yet."""
    signal.signal(signal.SIGINT, _previous_handler)
    sys.exit(130)


# NOTE: set before the imports below, which take most of a command's first 0.2 s; the
# previous handler is back once they are done (a notebook that imports this keeps its own).
_MAIN_THREAD = threading.current_thread() is threading.main_thread()
_previous_handler = signal.signal(signal.SIGINT, _exit_on_interrupt) if _MAIN_THREAD else None

import argparse  # noqa: E402
import difflib  # noqa: E402
import os  # noqa: E402
from collections.abc import Callable  # noqa: E402
from importlib.metadata import PackageNotFoundError, version  # noqa: E402
from urllib.error import URLError  # noqa: E402

from autograd.cli import checking, diagrams, sweeping, training  # noqa: E402
from autograd.cli.common import UsageError, shorten  # noqa: E402
from autograd.experiments.sweep import SchedulerUnreachable  # noqa: E402
from autograd.handcalc.expr import ExpressionError  # noqa: E402
from autograd.viz import GraphTooLarge, RenderError  # noqa: E402

if _MAIN_THREAD:
    signal.signal(signal.SIGINT, _previous_handler)

__all__ = ["main", "build_parser", "EXIT_CODES", "exit_code", "UsageError", "EXIT_INTERNAL_ERROR"]

EXIT_INTERNAL_ERROR = 4
EXIT_INTERRUPTED = 130
LINE_MAX_CHARS = 1000  # an error line may list the folders looked in; an input echoed is cut


def _plain(error: BaseException) -> str:
    return str(error)


def _named(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def _too_large(error: GraphTooLarge) -> str:
    return (
        f"the graph has {error.count} value nodes, more than --max-nodes {error.limit}; "
        "Graphviz would take long and the picture would be unreadable. Draw a part of it "
        f"(the expression of one step) or raise the limit: --max-nodes {error.count}"
    )


def _with_pointer(error: ExpressionError) -> str:
    return f"{shorten(str(error))}\n" + "".join(
        f"  {line}\n" for line in error.pointer().splitlines()
    )


def _memory(error: MemoryError) -> str:
    return (
        "not enough memory for what the input asks for (a size, a file's declared shape); "
        f"use smaller sizes{f' ({error})' if str(error) else ''}"
    )


def _network(error: OSError) -> str:
    return f"no network: {error}; download the files elsewhere and give their folder"


def _interrupted(error: KeyboardInterrupt) -> str:
    return f"interrupted{f': {error}' if str(error) else ''}"


def _internal(error: BaseException) -> str:
    # NOTE: not code 1, which means "a claim is wrong" to grading scripts.
    return (
        f"internal error ({type(error).__name__}: {shorten(str(error))}); this is a bug in "
        "autograd-lab, please report it with the command line that caused it"
    )


# The one table: the first row whose type matches the exception gives the exit code and the
# message (None: nothing printed). Every exception a user's input can cause is a ValueError
# (readers, configs, claims, sheets, expressions, usage) or one of the OSErrors of a path.
EXIT_CODES: tuple[tuple[type | tuple[type, ...], int, Callable | None], ...] = (
    (KeyboardInterrupt, EXIT_INTERRUPTED, _interrupted),
    (BrokenPipeError, 0, None),
    (GraphTooLarge, 2, _too_large),
    (ExpressionError, 2, _with_pointer),
    (MemoryError, 2, _memory),
    (ValueError, 2, _plain),  # UsageError, ConfigError, DataError, ClaimError, TomlError, ...
    (SchedulerUnreachable, 2, _plain),  # autograd sweep --scheduler: nothing written
    ((URLError, ConnectionError, TimeoutError), 2, _network),
    ((FileNotFoundError, FileExistsError, NotADirectoryError, IsADirectoryError), 2, _plain),
    (ImportError, 3, _plain),  # an optional library: the message says what to install
    ((RenderError, OSError), 3, _named),
    (Exception, EXIT_INTERNAL_ERROR, _internal),
)


def exit_code(error: BaseException) -> tuple[int, str | None]:
    """``(exit code, message or None)`` of an exception, by `EXIT_CODES`."""
    for types, code, message in EXIT_CODES:
        if isinstance(error, types):
            return code, None if message is None else message(error)
    raise error  # SystemExit and the like are not errors of a command


def _report(command: str, error: BaseException) -> int:
    code, message = exit_code(error)
    if isinstance(error, BrokenPipeError):
        # NOTE: Python would complain again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    if message is not None:
        first, _, pointer = message.partition("\n")
        prefix = f"autograd {command}:" if command else "autograd:"
        print(f"{prefix} error: {shorten(first, LINE_MAX_CHARS)}", file=sys.stderr)
        if pointer:
            print(pointer, end="", file=sys.stderr)
    return code


class Parser(argparse.ArgumentParser):
    """An `argparse.ArgumentParser` whose errors go through the table: a `UsageError` naming
    the subcommand, its ``--help`` and, for a mistyped flag, the closest ones."""

    def error(self, message: str):
        if message.startswith("unrecognized arguments:"):
            flags = [o for a in self._actions for o in a.option_strings if o.startswith("--")]
            typed = [w for w in message.split(":", 1)[1].split() if w.startswith("-")]
            close = [
                c for w in typed for c in difflib.get_close_matches(w.split("=")[0], flags, 2, 0.7)
            ]
            if close:
                message += f"; did you mean {' or '.join(dict.fromkeys(close))}?"
        raise UsageError(f"{message} ({self.prog} --help lists the flags)")


def build_parser() -> Parser:
    parser = Parser(
        prog="autograd",
        description="Computational graphs of the course exercises (values, gradients, "
        "diagrams, hand calculations checked) and the course's experiments (train, repeat, "
        "reproduce). Exit codes: 0 right, 1 a claim wrong, 2 bad input, missing data or no "
        "network, 3 rendering or writing failed, 4 an internal error, 130 interrupted.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=Parser
    )
    diagrams.add_commands(commands)
    checking.add_commands(commands)
    training.add_commands(commands)
    sweeping.add_commands(commands)
    parser.set_defaults(commands=commands.choices)
    return parser


def _parse(argv: list[str]) -> argparse.Namespace:
    """The arguments; a flag the subcommand does not know is its error (its name, its
    ``--help``), not the top-level parser's."""
    args, unknown = build_parser().parse_known_args(_expression_last(argv))
    if unknown:
        args.commands[args.command].error(f"unrecognized arguments: {' '.join(unknown)}")
    return args


def _version() -> str:
    try:
        return version("autograd-lab")
    except PackageNotFoundError:  # run from a source tree that is not installed
        return "(not installed)"


def _expression_last(argv: list[str]) -> list[str]:
    """argparse takes an EXPR that starts with ``-`` (``-4*x + b``, ``-log(p)``) for an unknown
    option; such an item of ``draw`` or ``check`` moves to the end, after ``--``, where only
    positional arguments go."""
    if len(argv) < 2 or argv[0] not in ("draw", "check") or "--" in argv:
        return argv
    for i, item in enumerate(argv[1:], start=1):
        if len(item) > 1 and item[0] == "-" and item[1] != "-" and item[:2] not in ("-o", "-h"):
            try:
                float(item)
                continue  # a negative number: argparse handles those
            except ValueError:
                pass
            return argv[:i] + argv[i + 1 :] + ["--", item]
    return argv


def main(argv: list[str] | None = None) -> int:
    """Run one ``autograd`` command; returns its exit code (see the module's table)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    command = argv[0] if argv and not argv[0].startswith("-") else ""
    if argv[:2] == ["exercises", "generate"]:  # a subcommand of exercises (a folder: ./generate)
        argv, command = ["exercises-generate", *argv[2:]], "exercises generate"
    try:
        args = _parse(argv)
        return args.run(args)
    except Exception as error:  # noqa: BLE001 - the table decides; never a traceback
        return _report(command, error)
    except KeyboardInterrupt as error:
        return _report(command, error)
