"""Wall time and peak memory of a command, each run in a process of its own."""

from __future__ import annotations

import os
import platform
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path


def measure(
    command: Sequence[str],
    cwd: Path | None = None,
    stdout: Path | None = None,
    timeout: float | None = None,
) -> tuple[float, int]:
    """Wall seconds and peak RSS (bytes) of ``command``, run in a process of its own, its
    standard output written to ``stdout`` (or discarded).

    Raises
    ------
    TimeoutError
        When it has not ended after ``timeout`` seconds: it is stopped, with what it started.
    """
    # A runner process per run: ru_maxrss of its children is then the command's peak alone.
    runner = (
        "import os, resource, subprocess, sys; out = os.environ.get('BENCH_STDOUT'); "
        "subprocess.run(sys.argv[1:], check=True, "
        "stdout=open(out, 'wb') if out else subprocess.DEVNULL); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    environment = {**os.environ, "BENCH_STDOUT": str(stdout)} if stdout else None
    started = time.perf_counter()
    # A session of its own, so that a command given up is stopped with its children.
    with subprocess.Popen(
        [sys.executable, "-c", runner, *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        env=environment,
        start_new_session=True,
    ) as process:
        try:
            output, errors = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise TimeoutError(f"{' '.join(command)} did not end within {timeout:g} s") from None
    wall = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{errors[-2000:]}")
    kilobytes = int(output.strip())
    return wall, kilobytes * 1024 if platform.system() == "Linux" else kilobytes
