"""Real triple stores for the tests: the Oxigraph server (PyPI package ``oxigraph``) and
Debian's Virtuoso (``virtuoso-opensource``, which ``.ci/run`` installs), each started once for
the test module that asks for it (so that each module finds it empty), in a folder of its own,
on free ports of 127.0.0.1, and stopped at the end.

A test module asks for one by importing its fixture (``from .stores import oxigraph_server``)
and naming it as an argument."""

from __future__ import annotations

import configparser
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from .web import http


@dataclass(frozen=True)
class Store:
    """A store the tests started: where to push (Graph Store Protocol) and where to query."""

    name: str
    base: str
    store: str
    sparql: str
    push_options: tuple[str, ...] = ()
    """What ``osgraph push`` needs besides ``--endpoint`` (authentication)."""
    password: str | None = None
    """The password of ``--user``, given as ``$OSGRAPH_PASSWORD``."""


def free_port() -> int:
    """A port of 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running(command: Sequence[str], sparql: str, folder: Path) -> Iterator[None]:
    """Run ``command`` in ``folder`` until the block ends, once its SPARQL endpoint ``sparql``
    answers a query: the one way the tests wait for a store to be ready."""
    log = folder / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=folder, stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                answer = http.get(sparql, params={"query": "ASK {}"}, timeout=1)
                if answer.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"{command[0]} did not start: {log.read_text(errors='replace')[-2000:]}"
                )
            time.sleep(0.1)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The Oxigraph server, with an empty store of its own."""
    executable = shutil.which("oxigraph", path=str(Path(sys.executable).parent))
    assert executable, "the oxigraph server (PyPI package oxigraph) is a test dependency"
    folder = tmp_path_factory.mktemp("oxigraph")
    base = f"http://127.0.0.1:{free_port()}"
    command = [executable, "serve", "--location", str(folder / "store"), "--bind", base[7:]]
    with running(command, f"{base}/query", folder):
        yield Store("oxigraph", base, f"{base}/store", f"{base}/query")


VIRTUOSO = "virtuoso-t"
"""Debian's Virtuoso server (package virtuoso-opensource)."""


@pytest.fixture(scope="module")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """Virtuoso, with a new database of its own (user ``dba``, password ``dba``, as a new
    database has), pushed to with digest authentication as the README says."""
    executable = shutil.which(VIRTUOSO)
    if executable is None:
        pytest.fail(
            f"no {VIRTUOSO} on the PATH: the store tests need Debian's Virtuoso "
            "(apt-get install virtuoso-opensource; .ci/run installs it)"
        )
    folder = tmp_path_factory.mktemp("virtuoso")
    http_port = free_port()
    settings = configparser.ConfigParser()
    settings.optionxform = str  # type: ignore[assignment,method-assign]  # Virtuoso's keys are case-sensitive
    settings.read_dict(
        {
            "Database": {
                "DatabaseFile": "virtuoso.db",
                "ErrorLogFile": "virtuoso.log",
                "LockFile": "virtuoso.lck",
                "TransactionFile": "virtuoso.trx",
                "xa_persistent_file": "virtuoso.pxa",
                "TempStorage": "TempDatabase",
            },
            "TempDatabase": {
                "DatabaseFile": "virtuoso-temp.db",
                "TransactionFile": "virtuoso-temp.trx",
            },
            "Parameters": {
                "ServerPort": str(free_port()),
                "DisableUnixSocket": "1",
                "DirsAllowed": ".",
                "NumberOfBuffers": "10000",
                "MaxDirtyBuffers": "6000",
            },
            "HTTPServer": {"ServerPort": str(http_port), "ServerRoot": ".", "ServerThreads": "4"},
        }
    )
    with (folder / "virtuoso.ini").open("w", encoding="utf-8") as ini:
        settings.write(ini)
    base = f"http://127.0.0.1:{http_port}"
    command = [executable, "+foreground", "+configfile", "virtuoso.ini"]
    with running(command, f"{base}/sparql", folder):
        yield Store(
            "virtuoso",
            base,
            f"{base}/sparql-graph-crud-auth",
            f"{base}/sparql",
            push_options=("--user", "dba", "--digest"),
            password="dba",
        )
