"""`osgraph resolve --service`, asking a real `osgraph serve` (started here on a free loopback
port) that serves the graph of the bundled list and OpenDigger's companies (Apache-2.0, X-lab;
see shared/lists/README.md), for names the gazetteer does not know."""

from __future__ import annotations

import json
import threading
import tomllib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs

import pytest

from osgraph import load_gazetteer
from tests.conftest import WriteFile, run_osgraph
from tests.test_reconcile import serving

# Companies of OpenDigger's list that neither the gazetteer nor ROR knows, as the list writes
# them, in other cases, and misspelt.
LIST = """project,institutions,countries
TiDB,PingCAP,China
Ant Design,Ant group,China
CockroachDB,cockroach labs,United States
Airbyte,Airbyt,United States
"""


@pytest.fixture(scope="module")
def service(two_lists_kg: Path) -> Iterator[str]:
    yield from serving(two_lists_kg)


def entries(draft: Path) -> dict[str, dict[str, object]]:
    """The draft's entries, by the list's name each stands for (in lower case)."""
    found = tomllib.loads(draft.read_text(encoding="utf-8"))["institution"]
    return {str(entry.get("aliases", [entry["name"]])[0]).lower(): entry for entry in found}


def test_the_services_matches_are_drafted_with_it_as_source_and_not_accepted(
    service: str, write_file: WriteFile, tmp_path: Path
) -> None:
    names = write_file("companies.csv", LIST)
    result = run_osgraph(
        "resolve", str(names), "--service", service, "--draft", "d.toml", cwd=tmp_path
    )
    assert result.returncode == 1, result.stderr  # still unresolved: a person accepts drafts
    assert f"from {service}, 100, a match" in result.stdout
    drafts = entries(tmp_path / "d.toml")
    assert set(drafts) == {"pingcap", "ant group", "cockroach labs", "airbyt"}
    for name in ("pingcap", "ant group", "cockroach labs"):
        entry = drafts[name]
        assert entry["source"] == service and service in str(entry["note"])
        assert entry["country"] == entry["ror"] == "unknown"  # the service says neither
    assert drafts["cockroach labs"]["name"] == "Cockroach Labs"  # the graph's spelling
    # A near name is a candidate in a comment, never an entry's facts.
    assert "source" not in drafts["airbyt"] and drafts["airbyt"]["name"] == "Airbyt"
    text = (tmp_path / "d.toml").read_text(encoding="utf-8")
    assert "Airbyte (https://w3id.org/osgraph/id/institution/airbyte from" in text
    # Once a person accepts the draft, the names resolve.
    load_gazetteer(tmp_path / "d.toml")
    accepted = tmp_path / "accepted.toml"
    accepted.write_text(
        text.replace('name = "Airbyt"', 'name = "Airbyte"\naliases = ["Airbyt"]'), encoding="utf-8"
    )
    again = run_osgraph("resolve", str(names), "--gazetteer", str(accepted), cwd=tmp_path)
    assert again.returncode == 0, again.stdout


def test_the_country_of_the_rows_is_asked_of_another_osgraph(
    service: str, write_file: WriteFile, tmp_path: Path
) -> None:
    """PingCAP is in China in the served graph: placed in Germany it is no candidate."""
    names = write_file("elsewhere.csv", "project,institutions,countries\nTiDB,PingCAP,Germany\n")
    result = run_osgraph("resolve", str(names), "--service", service, cwd=tmp_path)
    assert result.returncode == 1
    assert "institution/pingcap from" not in result.stdout


@pytest.mark.parametrize(
    ("suffix", "says"),
    [
        ("/", "does not answer JSON"),  # the query page
        ("/queries", "is it a reconciliation service"),  # JSON, but no manifest
        ("/nowhere", "answered 404"),
    ],
)
def test_a_service_that_is_not_one_ends_with_exit_code_3_and_a_message(
    service: str, write_file: WriteFile, tmp_path: Path, suffix: str, says: str
) -> None:
    names = write_file("companies.csv", LIST)
    url = service.removesuffix("/reconcile") + suffix
    result = run_osgraph("resolve", str(names), "--service", url, cwd=tmp_path)
    assert result.returncode == 3
    assert says in result.stderr and "Traceback" not in result.stderr


def test_an_unreachable_service_ends_with_exit_code_3(
    write_file: WriteFile, tmp_path: Path
) -> None:
    import socket

    with socket.socket() as unused:  # a port nothing listens on
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    names = write_file("companies.csv", LIST)
    result = run_osgraph(
        "resolve", str(names), "--service", f"http://127.0.0.1:{port}/reconcile", cwd=tmp_path
    )
    assert result.returncode == 3
    assert "cannot reach the reconciliation service" in result.stderr


def test_a_service_that_is_no_web_address_is_a_usage_error(
    write_file: WriteFile, tmp_path: Path
) -> None:
    names = write_file("companies.csv", LIST)
    result = run_osgraph("resolve", str(names), "--service", "file:///etc/passwd", cwd=tmp_path)
    assert result.returncode == 2 and "not an http(s) address" in result.stderr


class Canned(BaseHTTPRequestHandler):
    """A reconciliation service that answers the manifest and results it is given: a service
    of another kind (Wikidata's, say, which the tests cannot reach), or a broken one."""

    manifest: ClassVar[bytes] = b""
    results: ClassVar[bytes] = b""

    def do_GET(self) -> None:
        self._send(self.manifest)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        form = parse_qs(self.rfile.read(length).decode())
        keys = list(json.loads(form["queries"][0]))
        self._send(self.results.replace(b'"KEY"', json.dumps(keys[0]).encode()))

    def _send(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def canned() -> Iterator[type[Canned]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Canned)
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    Canned.url = f"http://127.0.0.1:{server.server_address[1]}/"  # type: ignore[attr-defined]
    yield Canned
    server.shutdown()
    server.server_close()


WIKIDATA = {
    "versions": ["0.2"],
    "name": "Wikidata",
    "identifierSpace": "http://www.wikidata.org/entity/",
    "schemaSpace": "http://www.wikidata.org/prop/direct/",
}


def test_a_services_ids_become_identifiers_of_the_draft(
    canned: type[Canned], write_file: WriteFile, tmp_path: Path
) -> None:
    canned.manifest = json.dumps(WIKIDATA).encode()
    candidate = {"id": "Q116468442", "name": "PingCAP", "score": 98.5, "match": True}
    canned.results = json.dumps({"KEY": {"result": [candidate]}}).encode()
    names = write_file("one.csv", "project,institutions,countries\nTiDB,PingCAP,China\n")
    url = canned.url  # type: ignore[attr-defined]
    result = run_osgraph("resolve", str(names), "--service", url, "--draft", "d.toml", cwd=tmp_path)
    assert result.returncode == 1
    assert f"PingCAP (http://www.wikidata.org/entity/Q116468442 from {url}, 98.5, a match)" in (
        result.stdout
    )
    [entry] = tomllib.loads((tmp_path / "d.toml").read_text(encoding="utf-8"))["institution"]
    assert (entry["wikidata"], entry["ror"], entry["source"]) == ("Q116468442", "unknown", url)


HOSTILE_ANSWERS = [
    b"not json",
    b"[" * 100_000,
    b"[]",
    b'{"KEY": {}}',
    b'{"KEY": {"result": {}}}',
    b'{"KEY": {"result": [{"id": "Q1", "name": "X"}]}}',
    b'{"KEY": {"result": [{"id": 1, "name": "X", "score": 1}]}}',
    b'{"KEY": {"result": [{"id": "Q1", "name": "X", "score": true}]}}',
    b'{"other": {"result": []}}',
]


@pytest.mark.parametrize("answer", HOSTILE_ANSWERS, ids=range(len(HOSTILE_ANSWERS)))
def test_a_malformed_answer_ends_with_exit_code_3(
    canned: type[Canned], write_file: WriteFile, tmp_path: Path, answer: bytes
) -> None:
    canned.manifest = json.dumps(WIKIDATA).encode()
    canned.results = answer
    names = write_file("one.csv", "project,institutions,countries\nTiDB,PingCAP,China\n")
    result = run_osgraph("resolve", str(names), "--service", canned.url, cwd=tmp_path)  # type: ignore[attr-defined]
    assert result.returncode == 3 and "reconciliation service" in result.stderr


def test_what_a_service_names_stays_data(
    canned: type[Canned], write_file: WriteFile, tmp_path: Path
) -> None:
    """Names with terminal escapes, line breaks and TOML syntax: printed escaped, in the
    draft's comments only, and the draft still reads as a gazetteer."""
    canned.manifest = json.dumps(WIKIDATA).encode()
    hostile = 'Evil\x1b[2J"\n[[institution]]\nname = "x'
    fine = {
        "id": "Q2",
        "name": "Fine Name",
        "score": 90,
        "match": True,
        "type": [{"id": "https://w3id.org/osgraph/ontology#University"}],
    }
    candidates = [{"id": "Q1\n#", "name": hostile, "score": 100, "match": True}, fine]
    canned.results = json.dumps({"KEY": {"result": candidates}}).encode()
    names = write_file("one.csv", "project,institutions,countries\nTiDB,PingCAP,China\n")
    url = canned.url  # type: ignore[attr-defined]
    result = run_osgraph("resolve", str(names), "--service", url, "--draft", "d.toml", cwd=tmp_path)
    assert result.returncode == 1 and "\x1b" not in result.stdout
    assert "Evil\\x1b[2J" in result.stdout
    draft = (tmp_path / "d.toml").read_text(encoding="utf-8")
    assert "\x1b" not in draft and "# candidates for 'PingCAP'" in draft
    # The next match whose name a gazetteer can hold fills the entry.
    assert load_gazetteer(tmp_path / "d.toml").institution("PingCAP").kind == "university"
    assert load_gazetteer(tmp_path / "d.toml").institution("Fine Name").wikidata == "Q2"
