"""The engine processes behind ``osgraph serve``: each answers one query at a time, and one
that crashes or runs past its time is stopped and replaced by a fresh one.

The processes run :mod:`osgraph._engine_process`; this module starts them, sends them queries
through their pipes and reads their answers within the time limit.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import select
import subprocess
import sys
import threading
import time
from http import HTTPStatus
from pathlib import Path
from typing import IO

from osgraph._errors import EngineCrashError, QueryError
from osgraph._protocol import Dataset

_BUSY_WAIT = 1.0  # seconds a request waits for an engine before 503


class _EngineProcess:
    """One engine process: sends it a query, reads its answer within a time limit."""

    def __init__(self, kg: Path, engine: str, memory_limit: int) -> None:
        command = [sys.executable, "-m", "osgraph._engine_process", str(kg), engine]
        self.process = subprocess.Popen(
            [*command, str(memory_limit)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self._input: IO[bytes] = self.process.stdin
        self._output: IO[bytes] = self.process.stdout

    def wait_ready(self) -> None:
        """Wait until the graph is loaded.

        Raises
        ------
        QueryError
            When the process ends first (the graph cannot be read): the message is its error.
        """
        if self._output.readline() != b"ready\n":
            self.process.wait()
            assert self.process.stderr is not None
            lines = self.process.stderr.read().decode("utf-8", errors="replace").splitlines()
            raise QueryError(lines[-1] if lines else "the query engine could not start")

    def ask(self, request: dict[str, object], timeout: float) -> tuple[dict[str, object], bytes]:
        """Send ``request`` and return the answer's header and body.

        Raises
        ------
        TimeoutError
            When no answer comes within ``timeout`` seconds.
        EngineCrashError
            When the process ends before it answers.
        """
        deadline = time.monotonic() + timeout
        try:
            self._input.write(json.dumps(request).encode("utf-8") + b"\n")
            self._input.flush()
        except (BrokenPipeError, OSError):
            raise EngineCrashError("the query engine had stopped") from None
        header_line = self._read_line(deadline)
        header = json.loads(header_line)
        body = self._read_exactly(int(header["length"]), deadline)
        return header, body

    def _wait_readable(self, deadline: float) -> None:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([self._output], [], [], remaining)[0]:
            raise TimeoutError

    def _read_line(self, deadline: float) -> bytes:
        chunks = b""
        descriptor = self._output.fileno()
        while not chunks.endswith(b"\n"):
            self._wait_readable(deadline)
            chunk = os.read(descriptor, 1)
            if not chunk:
                raise EngineCrashError("the query engine ended while it answered")
            chunks += chunk
        return chunks

    def _read_exactly(self, length: int, deadline: float) -> bytes:
        parts: list[bytes] = []
        left = length
        descriptor = self._output.fileno()
        while left:
            self._wait_readable(deadline)
            chunk = os.read(descriptor, min(left, 1 << 20))
            if not chunk:
                raise EngineCrashError("the query engine ended while it answered")
            parts.append(chunk)
            left -= len(chunk)
        return b"".join(parts)

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                # A request the process died before reading is still buffered: closing flushes
                # it into a pipe nobody reads.
                with contextlib.suppress(BrokenPipeError):
                    stream.close()


class EnginePool:
    """``workers`` engine processes over ``kg``, each answering one query at a time within
    ``timeout`` seconds, ``row_limit`` rows and ``memory_limit`` bytes; one that crashes or
    runs past its time is stopped and replaced by a fresh one.

    Raises
    ------
    QueryError
        When the engines cannot load ``kg``.
    """

    def __init__(
        self,
        kg: Path,
        engine: str,
        *,
        workers: int,
        timeout: float,
        row_limit: int,
        memory_limit: int,
    ) -> None:
        self._kg, self._engine = kg, engine
        self._timeout, self._row_limit, self._memory_limit = timeout, row_limit, memory_limit
        self._idle: queue.Queue[_EngineProcess] = queue.Queue()
        self._all: set[_EngineProcess] = set()
        self._lock = threading.Lock()
        self._closed = False
        started = [self._start() for _ in range(workers)]
        try:
            for process in started:
                process.wait_ready()
        except QueryError:
            self.close()
            raise
        for process in started:
            self._idle.put(process)

    def _start(self) -> _EngineProcess:
        process = _EngineProcess(self._kg, self._engine, self._memory_limit)
        with self._lock:
            self._all.add(process)
        return process

    def _replace(self, process: _EngineProcess) -> None:
        """Stop ``process`` and put a fresh one in its place once it has loaded the graph."""
        with self._lock:
            self._all.discard(process)
        process.stop()

        def start() -> None:
            if self._closed:
                return
            fresh = self._start()
            try:
                fresh.wait_ready()
            except (QueryError, ValueError, OSError):
                # The graph went away (the endpoint keeps fewer engines), or the endpoint
                # closed while this engine started (its pipes closed under it).
                return
            if self._closed:
                fresh.stop()
            else:
                self._idle.put(fresh)

        threading.Thread(target=start, daemon=True).start()

    def answer(
        self,
        query: str,
        accept: str,
        *,
        dataset: Dataset | None = None,
        row_limit: int | None = None,
    ) -> tuple[int, str, bool, bytes]:
        """Status, media type, whether rows were cut, and body for ``query``, over ``dataset``
        (the IRIs of its default graph's graphs and of its named graphs; the served graph when
        ``None``), cut at ``row_limit`` rows (the pool's limit when ``None``)."""
        try:
            process = self._idle.get(timeout=_BUSY_WAIT)
        except queue.Empty:
            return _plain(HTTPStatus.SERVICE_UNAVAILABLE, "every query engine is busy; try again")
        request: dict[str, object] = {
            "query": query,
            "accept": accept,
            "row_limit": self._row_limit if row_limit is None else row_limit,
        }
        if dataset is not None:
            request["dataset"] = dataset
        try:
            header, body = process.ask(request, self._timeout)
        except TimeoutError:
            self._replace(process)
            return _plain(
                HTTPStatus.SERVICE_UNAVAILABLE,
                f"the query ran longer than {self._timeout:g} s and was stopped",
            )
        except EngineCrashError:
            self._replace(process)
            return _plain(
                HTTPStatus.INTERNAL_SERVER_ERROR,
                "the query engine stopped on this query (out of memory, or a crash); "
                "it was restarted",
            )
        self._idle.put(process)
        return (
            int(str(header["status"])),
            str(header["media_type"]),
            bool(header["truncated"]),
            body,
        )

    def close(self) -> None:
        """Stop every engine process."""
        with self._lock:
            self._closed = True
            processes, self._all = self._all, set()
        for process in processes:
            process.stop()


def _plain(status: HTTPStatus, message: str) -> tuple[int, str, bool, bytes]:
    return status, "text/plain; charset=utf-8", False, (message + "\n").encode("utf-8")
