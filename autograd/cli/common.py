"""What every command of ``autograd`` shares: `UsageError`, the one-line notes and warnings on
stderr, and the checks of paths given on the command line.

A command raises; `autograd.cli.main` turns the exception into one line and an exit code by
its one table (`autograd.cli.EXIT_CODES`). Notes and warnings are for what is not an error."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from autograd.files import output_path

__all__ = ["UsageError", "shorten", "note", "warn", "user_output_path", "MESSAGE_MAX_CHARS"]

MESSAGE_MAX_CHARS = 300


class UsageError(ValueError):
    """Bad command-line input: printed as one line, exit code 2, nothing written."""


def shorten(text: str, limit: int = MESSAGE_MAX_CHARS) -> str:
    """`text` cut in the middle to at most about `limit` characters (an error message may quote
    a whole 100,000-character input)."""
    if len(text) <= limit:
        return text
    half = limit // 2
    return f"{text[:half]} … ({len(text) - 2 * half} characters) … {text[-half:]}"


def note(command: str, text: str) -> None:
    """``autograd COMMAND: note: TEXT`` on stderr: something the user may not expect."""
    print(f"autograd {command}: note: {text}", file=sys.stderr)


def warn(command: str, text: str) -> None:
    """``autograd COMMAND: warning: TEXT`` on stderr: a result to distrust (inf, nan)."""
    print(f"autograd {command}: warning: {text}", file=sys.stderr)


def user_output_path(path: str, suffixes: Sequence[str], option: str) -> Path:
    """`autograd.files.output_path` of a path typed on the command line: a `UsageError`
    (exit 2) naming ``option`` when the suffix is unknown or the folder is missing."""
    try:
        return output_path(path, suffixes, option)
    except (ValueError, FileNotFoundError) as e:
        raise UsageError(str(e)) from None
