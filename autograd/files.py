"""Writing files, one way for the whole package (diagrams, step pages, gallery, models, plots).

Policy of `write_atomic`: the data goes to a temporary file in the target's folder (same file
system, so the rename is atomic), is flushed to disk (``fsync``), then renamed over the target
with ``os.replace``: readers see the old file or the whole new one, never a partial file; on
any failure (or Ctrl-C) the temporary file is removed and an old file stays as it was. The new
file gets the permissions of any new file (``0o666`` less the umask). A missing folder is an
error (`FileNotFoundError`), never created silently. Errors name the file asked for, not the
temporary one.

`write_text` and `write_csv` are `write_atomic` for text (UTF-8) and for CSV rows: every file
the package writes goes through these three.

`output_path` is the one "suffix and folder" check of a path given by the user, and
`output_folder` the one check of an output folder: resolved (``..`` and links) before anything
asks whether it exists, so ``runs/..`` is the working folder even when ``runs/`` is missing.

`interrupts_deferred` holds Ctrl-C back while a set of files is written, so what is on disk
after an interrupt is a complete state (all of the files, or the state before).

`read_toml` is the one TOML reader (answer sheets, experiment configs): a size limit before
parsing (``/dev/zero`` never ends), UTF-8 checked, nesting bounded, and one `TomlError`
(a `ValueError`) whose message names the file and what is wrong.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO

__all__ = [
    "write_atomic",
    "write_text",
    "write_csv",
    "output_path",
    "output_folder",
    "interrupts_deferred",
    "read_toml",
    "TomlError",
]

TOML_MAX_BYTES = 1_000_000  # an answer sheet or a config is a few lines
TOML_MAX_DEPTH = 20  # tables and arrays nested deeper than this are refused


def output_path(path: str | os.PathLike, suffixes: Sequence[str], what: str) -> Path:
    """``path`` as a `Path` once its suffix is one of ``suffixes`` (any case) and its folder
    exists; else `ValueError` or `FileNotFoundError`, the message starting with ``what`` (the
    function or option the path was given to) and the path."""
    path = Path(path)
    if path.suffix.lower() not in suffixes:
        raise ValueError(
            f"{what} {path}: unknown suffix {path.suffix or '(none)'!r}; "
            f"expected one of {', '.join(suffixes)}"
        )
    if not path.parent.is_dir():
        raise FileNotFoundError(f"{what} {path}: the folder {str(path.parent)!r} does not exist")
    return path


def output_folder(path: str | os.PathLike, what: str) -> Path:
    """The folder ``path`` made absolute, with ``..`` and symbolic links resolved BEFORE any
    question of existence: ``run1/missing/..`` is ``run1`` (though ``run1/missing`` does not
    exist), ``runs/..`` the working folder. `NotADirectoryError` naming ``what`` when the path
    or one of its parents is a file. The folder itself may be missing (the caller makes it)."""
    resolved = Path(path).expanduser().resolve()
    for part in (resolved, *resolved.parents):
        if part.exists():
            if not part.is_dir():
                where = "it" if part == resolved else str(part)
                raise NotADirectoryError(f"{what} {path}: {where} is a file, not a folder")
            break
    return resolved


@contextlib.contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT) back inside the block; one that came is raised as
    `KeyboardInterrupt` when the block ends. For writing a set of files that belong together
    (a run's results): an interrupt leaves all of them, not some. Outside the main thread
    (where Python cannot set a handler) the block runs as it is."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    came = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: came.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if came:
        raise KeyboardInterrupt("after the files were written")


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomic(path: str | os.PathLike, data: bytes | Callable[[BinaryIO], None]) -> Path:
    """Write ``data`` (bytes, or a function that writes into the open binary file) to ``path``
    by the policy of this module. Returns the path."""
    path = Path(path)
    folder = path.parent
    if not folder.is_dir():
        raise FileNotFoundError(f"cannot write {path}: the folder {str(folder)!r} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as e:
        raise _naming(e, path, f" (in the folder {str(folder)!r})") from None
    try:
        with os.fdopen(fd, "wb") as f:
            if callable(data):
                data(f)
            else:
                f.write(data)
            f.flush()
            os.fsync(f.fileno())
        # NOTE: mkstemp makes a private file (0o600); this one is an ordinary new file.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException as e:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if isinstance(e, OSError) and e.filename == tmp:
            raise _naming(e, path, "") from None
        raise
    return path


def _naming(error: OSError, path: Path, where: str) -> OSError:
    """The same kind of error, naming the file asked for.

    NOTE: the OS error names the temporary file, which the user never asked for."""
    reason = "it is a folder" if isinstance(error, IsADirectoryError) else error.strerror
    clear = type(error)(f"cannot write {path}: {reason}{where}")
    clear.errno = error.errno
    return clear


def write_text(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` as UTF-8 to ``path`` with `write_atomic`. Returns the path."""
    return write_atomic(path, text.encode("utf-8"))


def write_csv(path: str | os.PathLike, header: Sequence[str], rows: Iterable[Sequence]) -> Path:
    """Write a CSV file (``header``, then one line per row) with `write_atomic`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return write_text(path, buffer.getvalue())


class TomlError(ValueError):
    """A TOML file that cannot be read: missing, too large, not UTF-8, not TOML, too deep."""


def _depth(value: Any) -> int:
    """How deeply tables and arrays nest in a parsed TOML value (iterative: no recursion)."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest


def read_toml(
    path: str | os.PathLike,
    what: str = "the TOML file",
    *,
    max_bytes: int = TOML_MAX_BYTES,
    parse_float: Callable[[str], Any] = float,
) -> dict:
    """The table of the TOML file ``path``; `TomlError` naming the file when it cannot be read,
    is larger than ``max_bytes``, is not UTF-8 or not TOML, or nests deeper than
    `TOML_MAX_DEPTH`. ``what`` says what the file should be (``"the answer sheet"``), for the
    messages; ``parse_float=str`` keeps numbers as written (``"0.330"``)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    path = Path(path)
    try:
        # NOTE: at most max_bytes (+1 to notice more): /dev/zero would never end.
        with open(path, "rb") as f:
            raw = f.read(max_bytes + 1)
    except OSError as e:
        raise TomlError(f"cannot read {what} {path}: {e.strerror or e}") from None
    if len(raw) > max_bytes:
        raise TomlError(
            f"{path}: larger than {max_bytes / 1e6:g} MB; {what} is a TOML file of a few lines"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise TomlError(
            f"{path}: not UTF-8 text (byte {raw[e.start]:#04x} at offset {e.start}); "
            f"{what} is a TOML file"
        ) from None
    try:
        table = tomllib.loads(text, parse_float=parse_float)
    except tomllib.TOMLDecodeError as e:
        raise TomlError(f"{path}: not valid TOML: {e}") from None
    except RecursionError:
        table = None
    if table is None or _depth(table) > TOML_MAX_DEPTH:
        raise TomlError(
            f"{path}: nested too deeply (more than {TOML_MAX_DEPTH} levels); {what} holds a "
            "few flat tables"
        )
    return table
