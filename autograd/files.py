"""Writing files, one way for the whole package (diagrams, step pages, gallery, models, plots).

Policy of `write_atomic`: the data goes to a temporary file in the target's folder (same file
system, so the rename is atomic), is flushed to disk (``fsync``), then renamed over the target
with ``os.replace``: readers see the old file or the whole new one, never a partial file; on
any failure (or Ctrl-C) the temporary file is removed and an old file stays as it was. The new
file gets the permissions of any new file (``0o666`` less the umask). A missing folder is an
error (`FileNotFoundError`), never created silently. Errors name the file asked for, not the
temporary one.

`output_path` is the one "suffix and folder" check of a path given by the user.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import BinaryIO

__all__ = ["write_atomic", "output_path"]


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
