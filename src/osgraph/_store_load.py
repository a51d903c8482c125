"""The Oxigraph store of the graph a build writes, loaded while its Turtle is written.

Oxigraph bulk-loads Turtle in Rust, without holding Python's lock: the build's Turtle goes to
its file and to a named pipe, which a thread loads the store from, so that the store is loaded
while Python writes and checks the graph rather than after. Where there are no named pipes
(Windows), the store is loaded from the file once it is written.

A bulk load holds what it read in memory until its input ends (1.4 GB for the 2.3 million
triples of 100,000 rows, more for more), so the Turtle is loaded in parts of a bounded size,
each begun with the prefixes and ended where a statement ends, through a pipe of its own: a
part is loaded while the next is written, so at most two are in memory at once.

The store is made in a new folder next to the Turtle, named for the process that makes it; the
build moves it into place or it is removed. A folder left by a build whose process is gone
(killed before it could remove it) is removed by the next build of the same file.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from osgraph._engines import describe
from osgraph._errors import ReadWriteError

PART = 1 << 22
"""The characters of Turtle in a part: about 90,000 triples, which a bulk load holds in some
100 MB (a part four times as large, in 300 MB; the whole graph of 100,000 rows, in 1.4 GB).
Smaller parts cost more time to load: the graph of 100,000 rows loads in about 10% more time
than in parts four times as large, most of it while the build writes the next part."""


class StoreLoad:
    """An Oxigraph store in ``folder``, loaded from the Turtle given to :meth:`write` after
    :meth:`tee`, through named pipes named after ``pipe``; from the Turtle's file by :meth:`finish`
    when there is no pipe."""

    def __init__(self, folder: Path, pipe: Path | None, part: int = PART) -> None:
        self.folder = folder
        self._pipe_path = pipe
        self._pipe: IO[str] | None = None
        self._error: BaseException | None = None
        self._cut: OSError | None = None
        self._thread: threading.Thread | None = None
        self._loading: list[threading.Thread] = []
        self._part, self._parts, self._written = part, 0, 0
        """The characters of Turtle in a part, the parts begun, those written in this one."""
        self._prefixes: list[str] = []
        self._store = self._open()

    def tee(self, file: IO[str]) -> StoreLoad:
        """Begin to load the store from what :meth:`write` writes to ``file``.

        Raises
        ------
        ReadWriteError
            When the load cannot begin.
        """
        self._write_file = file.write
        self._file = file
        if self._pipe_path is not None:
            self._begin_part()
        return self

    def write(self, text: str) -> None:
        """Write Turtle to the file, and to the store: the prefixes first, then each statement
        in one call (a part of the store's Turtle ends only where a call's text ends)."""
        self._write_file(text)
        if self._pipe is None:
            return
        if text.startswith("@prefix "):  # every part begins with them
            self._prefixes.append(text)
        elif self._written >= self._part:
            self._end_part()
            self._begin_part()
        self._written += len(text)
        self._send(text)

    def _send(self, text: str) -> None:
        if self._pipe is not None:
            try:
                self._pipe.write(text)
            except OSError as error:  # the load stopped reading: finish says why
                self._pipe = None
                self._cut = error

    def _begin_part(self) -> None:
        """Load the Turtle written from now on through a new pipe, in a thread of its own, once
        the load of the part before the last has ended (at most two are in memory)."""
        assert self._pipe_path is not None
        pipe = self._pipe_path.with_name(f"{self._pipe_path.name}-{self._parts}")
        self._parts += 1
        while len(self._loading) > 1:
            self._loading.pop(0).join()
        if self._error is not None:  # a part failed: finish says why
            return
        try:
            os.mkfifo(pipe)
        except OSError as error:
            raise ReadWriteError(f"{pipe}: cannot be made: {describe(error)}") from None
        self._thread = threading.Thread(target=self._load, args=(pipe,), daemon=True)
        self._thread.start()
        self._loading.append(self._thread)
        self._pipe = self._open_pipe(pipe)
        self._written = 0
        self._send("".join(self._prefixes))

    def _end_part(self) -> None:
        """End the Turtle of the part being loaded: its load goes on with what it read."""
        pipe, self._pipe = self._pipe, None
        if pipe is not None:
            with contextlib.suppress(OSError):  # the load stopped: finish says why
                pipe.close()

    def finish(self) -> None:
        """Wait until the store holds all that was written, and close it.

        Raises
        ------
        ReadWriteError
            When the store could not be loaded.
        """
        import pyoxigraph as ox

        self.close()
        failure = self._error or self._cut  # a store of part of the graph is no store
        try:
            if failure is not None:
                raise self._cannot_hold(failure)
            if self._thread is None:
                self._file.flush()
                self._store.bulk_load(
                    path=self._file.name, format=ox.RdfFormat.TURTLE, lenient=True
                )
            # Compacting what the bulk load wrote about halves the time of a query on the store
            # at 100,000 rows (2.3 s instead of 5.1 s for projects-by-country), for 3 s once.
            self._store.optimize()
        except (OSError, RuntimeError) as error:
            raise self._cannot_hold(error) from None
        finally:
            self._store = None  # closed, so that it can be moved

    def close(self) -> None:
        """End the Turtle the store is loaded from, and wait for the loads to end."""
        self._end_part()
        while self._loading:
            self._loading.pop(0).join()

    def _open(self) -> Any:
        import pyoxigraph as ox

        try:
            return ox.Store(str(self.folder))
        except (OSError, RuntimeError) as error:
            raise self._cannot_hold(error) from None

    def _cannot_hold(self, why: BaseException | str) -> ReadWriteError:
        return ReadWriteError(f"{self.folder}: cannot hold the store: {describe(why)}")

    def _load(self, pipe: Path) -> None:
        import pyoxigraph as ox

        try:
            self._store.bulk_load(path=str(pipe), format=ox.RdfFormat.TURTLE, lenient=True)
        except BaseException as error:  # raised in the build's thread, by finish
            self._error = self._error or error

    def _open_pipe(self, pipe: Path) -> IO[str]:
        """The pipe, opened to write once the load has opened it to read (a load that fails
        first is waited for no longer)."""
        while True:
            try:
                descriptor = os.open(pipe, os.O_WRONLY | os.O_NONBLOCK)
                break
            except OSError:  # no reader yet
                assert self._thread is not None
                self._thread.join(0.001)
                if not self._thread.is_alive():
                    raise self._cannot_hold(self._error or "") from None
        os.set_blocking(descriptor, True)
        return os.fdopen(descriptor, "w", encoding="utf-8", buffering=1 << 20)


@contextmanager
def store_load(out: Path, part: int = PART) -> Iterator[StoreLoad]:
    """The store of the Turtle ``out``, in a new folder next to it, to be loaded as the Turtle
    is written (:meth:`StoreLoad.tee`), in parts of about ``part`` characters; the folder is
    removed when the block ends unless the store was moved out of it.

    Raises
    ------
    ReadWriteError
        When the folder cannot be made or the store cannot be opened in it.
    """
    _remove_stale(out)
    try:
        work = Path(tempfile.mkdtemp(prefix=f".{out.name}.store-{os.getpid()}-", dir=out.parent))
    except OSError as error:
        raise ReadWriteError(f"cannot write {out}: {error.strerror}") from None
    load = None
    try:
        pipe = work / "turtle" if hasattr(os, "mkfifo") else None
        load = StoreLoad(work / "store", pipe, part)
        yield load
    finally:
        if load is not None:
            load.close()
        shutil.rmtree(work, ignore_errors=True)


def _remove_stale(out: Path) -> None:
    """Remove the folders of stores that builds of ``out`` left when their process ended."""
    prefix = f".{out.name}.store-"
    try:
        for folder in out.parent.glob(f"{prefix}*-*"):
            pid = folder.name[len(prefix) :].split("-", 1)[0]
            if pid.isdigit() and not _alive(int(pid)):
                shutil.rmtree(folder, ignore_errors=True)
    except OSError:  # an unreadable folder: its build finds that out
        pass


def _alive(pid: int) -> bool:
    if os.name == "nt":  # os.kill would end the process there: keep what may be in use
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's
        return True
    return True
