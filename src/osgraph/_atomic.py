"""Files written whole or not at all.

The data goes to a temporary file beside the target, which then replaces the target in one
rename, so an interrupted write leaves the previous file as it was; the temporary file of a
process that was killed is removed by the next write of the same target.
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any

from osgraph._errors import ReadWriteError

if sys.platform != "win32":
    import fcntl

_READABLE_BY_ALL = 0o644


def write_file(path: Path | str, data: bytes) -> Path:
    """Write ``data`` to ``path`` whole or not at all (see :func:`replace_atomically`).

    Raises
    ------
    ReadWriteError
        When the file or its folder cannot be written.
    """
    with replace_atomically(Path(path), binary=True) as file:
        file.write(data)
    return Path(path)


@contextmanager
def replace_atomically(path: Path, *, binary: bool = False) -> Iterator[IO[Any]]:
    """A file to write ``path`` through: a temporary file beside it (UTF-8 text, or bytes when
    ``binary``), renamed over ``path`` when the block ends, and removed if the block raises.
    Creates the folder if needed.

    The temporary file (``.NAME.*.tmp``) is locked while it is written (``flock``). A process
    that is killed cannot remove its own, so each write first removes those of the same target
    that no process holds (their writer is gone) and that are older than this process: a write
    under way in another process keeps its file.

    Raises
    ------
    ReadWriteError
        When the file or its folder cannot be written.
    """
    prefix, suffix = f".{path.name}.", ".tmp"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale_temporaries(path.parent, prefix, suffix)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=prefix, suffix=suffix)
    except OSError as error:
        raise ReadWriteError(f"cannot write {path}: {error.strerror}") from None
    # The lock lasts as long as this descriptor is open: until the file is renamed or removed.
    if not _lock(descriptor):
        os.close(descriptor)
        descriptor = -1
    try:
        mode = "wb" if binary else "w"
        encoding = None if binary else "utf-8"
        # Opened by name, so that the file's name is its path (to read it back, say).
        with Path(temporary).open(mode, buffering=1 << 20, encoding=encoding) as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        # mkstemp makes the file private; a published file is readable like any other.
        Path(temporary).chmod(_READABLE_BY_ALL)
        Path(temporary).replace(path)
    except OSError as error:
        raise ReadWriteError(f"cannot write {path}: {error.strerror}") from None
    except UnicodeEncodeError as error:
        text = error.object[error.start : error.end]
        raise ReadWriteError(f"cannot write {path}: {text!r} cannot be written as UTF-8") from None
    finally:
        Path(temporary).unlink(missing_ok=True)
        if descriptor >= 0:
            os.close(descriptor)


# The files of killed writes are those older than this (about when this process started): a
# file made since may be one another process has made and not yet locked.
_STARTED = time.time()


def _lock(descriptor: int) -> bool:
    """Lock an open file for as long as it stays open; whether the system could."""
    if sys.platform == "win32":  # pragma: no cover - no flock; an open file cannot be removed
        return False
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _remove_stale_temporaries(folder: Path, prefix: str, suffix: str) -> None:
    """Remove the files ``prefix*suffix`` in ``folder`` that killed writes left behind."""
    try:
        names = [
            entry.name
            for entry in os.scandir(folder)
            if entry.name.startswith(prefix) and entry.name.endswith(suffix)
        ]
    except OSError:
        return
    for name in names:
        with suppress(OSError):  # gone already, in use, or not ours to remove: left as it is
            _remove_if_stale(folder / name)


def _remove_if_stale(candidate: Path) -> None:
    """Remove ``candidate`` if it is a regular file older than this process that no process
    holds locked; raises OSError when it is locked."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    descriptor = os.open(candidate, flags)  # not a link's target; a FIFO does not block
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode) or status.st_mtime >= _STARTED:
            return
        if sys.platform != "win32":
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        candidate.unlink()
    finally:
        os.close(descriptor)
