"""The wheel users install carries the bundled list, its sidecar, the column names and the
ontology, which live in the top-level data/ and ontology/ folders and reach the package through
the links src/osgraph/data and src/osgraph/ontology."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


@pytest.mark.slow
@pytest.mark.process  # pip, building the wheel in an environment of its own
def test_the_wheel_ships_data_and_ontology(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("osgraph-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for shipped in [
        "osgraph/data/benchcouncil-open100-2022-2023.md",
        "osgraph/data/benchcouncil-open100-2022-2023.toml",
        "osgraph/data/columns.toml",
        "osgraph/ontology/osgraph.ttl",
    ]:
        assert shipped in names
    bundled = zipfile.ZipFile(wheel).read("osgraph/data/benchcouncil-open100-2022-2023.md")
    assert bundled == (ROOT / "data" / "benchcouncil-open100-2022-2023.md").read_bytes()
    # The licence and the notices of the data it ships from others travel with every copy.
    (metadata,) = (name for name in names if name.endswith(".dist-info/METADATA"))
    assert "License-Expression: Apache-2.0" in zipfile.ZipFile(wheel).read(metadata).decode()
    for notice in ["LICENSE", "NOTICE", "data/LICENSE.unicode"]:
        (shipped,) = (name for name in names if name.endswith(f".dist-info/licenses/{notice}"))
        assert zipfile.ZipFile(wheel).read(shipped) == (ROOT / notice).read_bytes()


def test_every_public_name_resolves_and_is_documented() -> None:
    import osgraph

    for name in osgraph.__all__:
        value = getattr(osgraph, name)
        if callable(value):
            assert (value.__doc__ or "").strip(), name
    assert sorted(osgraph.__all__) == sorted(set(osgraph.__all__))
