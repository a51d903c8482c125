"""The endpoint's query page in a real browser: it works, and asks no host but the endpoint."""

from __future__ import annotations

import threading
from pathlib import Path

from osgraph._serve import make_server


def test_the_query_page_runs_a_named_query_offline(browser: object, bundled_kg: Path) -> None:
    server = make_server(bundled_kg, port=0, workers=1)  # the page asks one query at a time
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    page = browser.new_page()  # type: ignore[attr-defined]
    requests: list[str] = []
    problems: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    try:
        page.goto(base)
        page.wait_for_function("document.querySelectorAll('#queries option').length > 5")
        page.select_option("#queries", "projects-by-country")
        assert "COUNT(DISTINCT ?project)" in page.evaluate("yasgui.getTab().getQuery()")
        page.click(".yasqe_queryButton")
        page.wait_for_selector(".yasr table td:has-text('United States')", timeout=15_000)
        cells = page.locator(".yasr table tbody tr").first.inner_text()
        assert "United States" in cells and "45" in cells
        page.screenshot(path=str(Path(__file__).parent.parent / "build" / "sparql-page.png"))
    finally:
        page.close()
        server.shutdown()
        server.server_close()
    assert requests and all(url.startswith(base) for url in requests), [
        url for url in requests if not url.startswith(base)
    ]
    assert problems == []
