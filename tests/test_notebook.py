"""notebooks/explore.ipynb runs from top to bottom on the bundled list, and shows what it says."""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import html
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from .pictures import drawn, picture

NOTEBOOK = Path(__file__).parent.parent / "notebooks" / "explore.ipynb"


def test_the_notebook_is_committed_without_outputs() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code
    assert all(not cell.outputs and cell.execution_count is None for cell in code)


@pytest.mark.slow
@pytest.mark.process  # a Jupyter kernel
def test_the_notebook_runs_and_shows_the_graph(rows: list, tmp_path: Path) -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": tmp_path}}
    )
    # asyncio.run closes its event loop; execute() leaves one open, whose collection later
    # (in whichever test then runs) warns of an unclosed loop and sockets. It runs in a thread
    # of its own: Playwright's sync API, once a browser test has run in this process, keeps an
    # event loop running in the main thread, where asyncio.run refuses to start another.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as thread:
        thread.submit(asyncio.run, client.async_execute()).result()
    outputs = [
        output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs
    ]
    assert not [output for output in outputs if output.output_type == "error"]
    text = "".join(output.get("text", "") for output in outputs if output.output_type == "stream")
    assert f"{len(rows)} rows read, 0 rejected" in text
    assert "warning" not in text.lower()

    shown = [output.get("data", {}) for output in outputs]
    charts = [data["image/png"] for data in shown if "image/png" in data]
    assert len(charts) == 2  # projects per country, country collaborations
    for chart in charts:
        image = picture(base64.b64decode(chart))
        assert image.width >= 300 and image.height >= 300, image.size
        assert drawn(image) > 0.05  # bars or cells, axes and labels: not an empty figure

    (page,) = [data["text/html"] for data in shown if "<iframe" in data.get("text/html", "")]
    inner = html.unescape(re.search(r'srcdoc="([^"]*)"', page).group(1))  # type: ignore[union-attr]
    assert "vis.Network" in inner
    assert "Tsinghua University" in inner

    tables = [
        data["text/plain"] for data in shown if "university_country" in data.get("text/plain", "")
    ]
    assert tables and "ArchProbe" in tables[0] and "Microsoft" in tables[0]
