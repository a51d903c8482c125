"""The Oxigraph stores osgraph keeps on disk: where the one of a built graph is, which graph a
store holds (the SHA-256 of its Turtle, in a marker file, with the Turtle's size and time that
save hashing it again), and how one replaces another.

A folder is only ever cleared or replaced when it is new, empty, or marked as osgraph's.
"""

from __future__ import annotations

from pathlib import Path

from osgraph._errors import ConfigurationError, ReadWriteError
from osgraph._messages import one_line

STORE_MARKER = ".osgraph-source"
"""The file that marks a folder as an Oxigraph store osgraph made, and says which graph it holds:
the SHA-256 of its Turtle's bytes, then the Turtle's size, modification time and file number."""
_TICK_NS = 2_000_000_000
"""How much later than the Turtle's last change its marker must be written for the Turtle's size
and time to stand for its bytes: file systems keep times in ticks (up to FAT's 2 s), and a change
within the tick that was recorded keeps both (git calls such index entries racy)."""
STORE_SUFFIX = ".oxigraph"
"""The ending of the store ``osgraph build`` leaves next to its Turtle (``osgraph.oxigraph``)."""


def built_store(kg: Path) -> Path:
    """The folder of the Oxigraph store ``osgraph build`` leaves next to the Turtle ``kg``.

    Examples
    --------
    >>> built_store(Path("build/osgraph.ttl")).as_posix()
    'build/osgraph.oxigraph'
    """
    return kg.with_suffix(STORE_SUFFIX)


def store_stamp(kg: Path) -> str:
    """What a store's :data:`STORE_MARKER` says when it holds ``kg``: its bytes' SHA-256.

    Raises
    ------
    ReadWriteError
        When ``kg`` cannot be read.
    """
    import hashlib

    try:
        with kg.open("rb") as file:
            return f"sha256 {hashlib.file_digest(file, 'sha256').hexdigest()}\n"
    except OSError as error:
        raise ReadWriteError(f"{kg}: cannot be read: {error.strerror}") from None


def check_store_folder(directory: Path) -> None:
    """Raise unless ``directory`` is new, empty, or an Oxigraph store osgraph made (it has a
    :data:`STORE_MARKER`): no other folder or file is ever cleared for a store.

    Raises
    ------
    ConfigurationError
        When ``directory`` is a file, or a folder of files that are not an osgraph store.
    ReadWriteError
        When it cannot be read.
    """
    if directory.exists() and not directory.is_dir():
        raise ConfigurationError(f"{directory}: is a file; the Oxigraph store needs a folder")
    try:
        taken = directory.is_dir() and not (directory / STORE_MARKER).is_file()
        if taken and any(directory.iterdir()):
            raise ConfigurationError(
                f"{directory}: holds files that are not an osgraph store; name a new or empty "
                "folder for the Oxigraph store"
            )
    except OSError as error:
        raise ReadWriteError(f"{directory}: cannot be read: {one_line(str(error))}") from None


def mark_store(directory: Path, kg: Path) -> None:
    """Mark the store in ``directory`` as osgraph's, holding ``kg``.

    Raises
    ------
    ReadWriteError
        When ``kg`` cannot be read or the marker cannot be written.
    """
    state = _file_state(kg)  # before the hash: a change while hashing makes it stale, not wrong
    try:
        (directory / STORE_MARKER).write_text(store_stamp(kg) + state, encoding="utf-8")
    except OSError as error:
        raise ReadWriteError(f"{directory}: cannot be written: {one_line(str(error))}") from None


def replace_store(new: Path | None, directory: Path) -> None:
    """Put the store in ``new`` in the place of ``directory`` (an osgraph store or nothing, as
    :func:`check_store_folder` found it), or only remove that one when ``new`` is None."""
    import os
    import shutil

    try:
        if directory.is_dir():
            check_store_folder(directory)  # it may have been taken while the graph was built
            old = directory.with_name(f".{directory.name}.old-{os.getpid()}")
            directory.rename(old)  # aside first: the new store takes its place at once
            if new is not None:
                new.rename(directory)
            shutil.rmtree(old, ignore_errors=True)
        elif new is not None:
            new.rename(directory)
    except OSError as error:
        raise ReadWriteError(
            f"{directory}: cannot hold the store: {one_line(str(error))}"
        ) from None


def holds(marker: Path, kg: Path) -> bool:
    """Whether the store that ``marker`` marks holds ``kg``: the Turtle's size, time and file
    number are the ones the marker recorded, at least a tick before it was written; or else
    the Turtle's SHA-256 is the marker's (hashing a Turtle of a million rows takes seconds).

    Raises
    ------
    ReadWriteError
        When ``kg`` cannot be read.
    """
    recorded = (read_marker(marker) or "").splitlines(keepends=True)
    if len(recorded) > 1:
        try:
            unchanged = recorded[1] == _file_state(kg)
            settled = marker.stat().st_mtime_ns - kg.stat().st_mtime_ns > _TICK_NS
        except (OSError, ReadWriteError):
            unchanged = settled = False
        if unchanged and settled:
            return True
    return bool(recorded) and recorded[0] == store_stamp(kg)


def _file_state(kg: Path) -> str:
    try:
        state = kg.stat()
    except OSError as error:
        raise ReadWriteError(f"{kg}: cannot be read: {error.strerror}") from None
    return f"file {state.st_size} {state.st_mtime_ns} {state.st_ino}\n"


def read_marker(marker: Path) -> str | None:
    """What the marker says, or None when it cannot be read."""
    try:
        return marker.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
