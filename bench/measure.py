"""Wall time and peak memory of a command, each run in a process of its own."""

from __future__ import annotations

import platform
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path


def measure(command: Sequence[str], cwd: Path | None = None) -> tuple[float, int]:
    """Wall seconds and peak RSS (bytes) of ``command``, run in a process of its own."""
    # A runner process per run: ru_maxrss of its children is then the command's peak alone.
    runner = (
        "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
        "stdout=subprocess.DEVNULL); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", runner, *command], capture_output=True, text=True, cwd=cwd
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}")
    kilobytes = int(done.stdout.strip())
    return wall, kilobytes * 1024 if platform.system() == "Linux" else kilobytes
