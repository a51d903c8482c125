"""Institutions from ROR: the shipped index, matching with a row's countries, facts with their
record as source, the curated gazetteer first, and the review loop."""

from __future__ import annotations

import gzip
import json
import re
import tomllib
import zipfile
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, RDF, RDFS, SKOS

from osgraph import BuildOptions, build
from osgraph._errors import ReadWriteError, SourceError
from osgraph._gazetteer import load_gazetteer
from osgraph._names import name_key
from osgraph._review import draft_gazetteer, review_names
from osgraph._ror import _PUNCTUATION, RorIndex, match_key, ror_index
from osgraph._ror_import import import_ror
from osgraph._sources import read_source
from osgraph._vocabulary import OSG

from .conftest import WriteFile

ROR_DATA = Path(__file__).parents[2] / "shared" / "data" / "ror" / "ror-records-v2.9.jsonl.gz"
SHARED_LISTS = Path(__file__).parents[2] / "shared" / "lists"


@cache
def _dump_lines() -> list[bytes]:
    """The lines of ROR's dump (one record each), read once for the module."""
    return gzip.decompress(ROR_DATA.read_bytes()).splitlines()


def _records(*ids: str) -> list[dict[str, object]]:
    """The ROR records of ``ids`` as ROR published them."""
    wanted = set(ids)
    found = []
    for line in _dump_lines():
        if any(ror_id.encode() in line for ror_id in wanted):
            record = json.loads(line)
            if record["id"].removeprefix("https://ror.org/") in wanted:
                found.append(record)
    assert len(found) == len(wanted)
    return found


def test_the_shipped_index_holds_every_record_that_is_not_withdrawn() -> None:
    # Each record has one "status" (checked), read without parsing the whole record.
    status = re.compile(rb'"status": ?"([a-z]+)"')
    statuses: dict[bytes, int] = {}
    for line in _dump_lines():
        (found,) = status.findall(line)
        statuses[found] = statuses.get(found, 0) + 1
    assert set(statuses) == {b"active", b"inactive", b"withdrawn"}
    assert len(ror_index()) == sum(statuses.values()) - statuses[b"withdrawn"]


def test_names_in_any_language_and_aliases_find_their_record() -> None:
    index = ror_index()
    tsinghua = index.match("清华大学")
    assert tsinghua.record is not None and tsinghua.record.id == "03cve4549"
    assert index.match("Tsinghua University").record == tsinghua.record
    assert index.match("THU").record is None  # an acronym needs a country to back it
    assert index.match("THU", countries={"CN"}).record == tsinghua.record


def test_a_name_several_records_have_is_not_guessed() -> None:
    index = ror_index()
    shared = next(
        key
        for key, ids in index._by_name.items()
        if isinstance(ids, list)  # the ids of a name several records have
        and len({index.record(i).country for i in ids}) == len(ids) >= 2  # type: ignore[union-attr]
        and index.root(index._all(ids)) is None
    )
    records = index._all(index._by_name[shared])
    ambiguous = index.match(shared)
    assert ambiguous.record is None
    assert {r.id for r in ambiguous.candidates} == {r.id for r in records}
    one = records[0]
    assert one.country is not None
    chosen = index.match(shared, countries={one.country})
    assert chosen.record == one and chosen.by == "name and country"


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_an_ascii_names_match_key_is_made_as_any_names(name: str) -> None:
    """match_key makes an ASCII name's key in one pass: the same key as name_key's, with the
    punctuation and a leading "the " taken off after it, as it makes every other name's."""
    slow = " ".join(_PUNCTUATION.sub(" ", name_key(name)).split()).removeprefix("the ")
    assert match_key(name) == slow


def test_import_reads_rors_dump_and_json_lines_alike(tmp_path: Path) -> None:
    records = _records("03cve4549", "00k642b80", "00njsd438", "02e9yx751")
    v2 = [r for r in records if "names" in r]
    dump = tmp_path / "v9.9-2026-01-01-ror-data.zip"
    with zipfile.ZipFile(dump, "w") as archive:
        archive.writestr("v9.9-2026-01-01-ror-data.json", json.dumps(v2))
    lines = tmp_path / "records.jsonl"
    lines.write_text("\n".join(json.dumps(r) for r in v2) + "\n", encoding="utf-8")
    from_zip = import_ror(dump, tmp_path / "a.tsv.gz")
    from_lines = import_ror(lines, tmp_path / "b.tsv.gz")
    assert from_zip.release == "v9.9-2026-01-01"
    assert from_zip.written == from_lines.written == len(v2)
    # The same records, whatever the form they came in (the header names the release).
    first, second = (
        gzip.decompress((tmp_path / name).read_bytes()).split(b"\n", 1)
        for name in ("a.tsv.gz", "b.tsv.gz")
    )
    assert first[1] == second[1]
    assert b"v9.9-2026-01-01" in first[0] and b"v2." in second[0]
    index = ror_index(tmp_path / "a.tsv.gz")
    google = index.record("00njsd438")
    assert google is not None
    assert (google.label, google.country, google.parent) == ("Google", "US", "02e9yx751")
    assert google.types[0] == "company"


def test_import_refuses_what_is_not_ror_data(write_file: WriteFile, tmp_path: Path) -> None:
    not_json = write_file("bad.jsonl", '{"id": "https://ror.org/03cve4549"}\nnot json\n')
    with pytest.raises(SourceError, match=r"bad.jsonl:1: not a ROR record"):
        import_ror(not_json, tmp_path / "out.tsv.gz")
    with pytest.raises(ReadWriteError, match=r"missing\.zip: no such file"):
        import_ror(tmp_path / "missing.zip", tmp_path / "out.tsv.gz")
    with pytest.raises(SourceError, match=r"fake\.zip: cannot be read: File is not a zip file"):
        import_ror(write_file("fake.zip", "not a zip"), tmp_path / "out.tsv.gz")
    with pytest.raises(ReadWriteError, match=r"missing\.tsv\.gz: no such file"):
        ror_index(tmp_path / "missing.tsv.gz")
    with pytest.raises(SourceError, match="not a ROR index"):
        ror_index(write_file("fake.tsv.gz", gzip.compress(b"hello\n")))
    assert not (tmp_path / "out.tsv.gz").exists()


def test_the_cli_rebuilds_an_index(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from osgraph._cli import app

    source = tmp_path / "records.jsonl"
    source.write_text(
        "\n".join(json.dumps(r) for r in _records("03cve4549", "02e9yx751")), encoding="utf-8"
    )
    out = tmp_path / "index.tsv.gz"
    result = CliRunner().invoke(app, ["gazetteer", "import-ror", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Read 2 ROR records")
    assert len(ror_index(out)) == 2


def test_facts_from_ror_name_their_record_as_source(write_file: WriteFile) -> None:
    source = write_file(
        "l.csv",
        "project,institutions,countries\n"
        "A,DeepSeek,China\nB,清华大学,中国\nC,Tsinghua University,China\n",
    )
    result = build([source])
    graph = result.graph
    institutions = {
        str(graph.value(i, RDFS.label)): i for i in graph.subjects(RDF.type, OSG.Institution)
    }
    # 清华大学 is Tsinghua University, the curated entry whose ROR id its record has.
    assert set(institutions) == {"DeepSeek", "Tsinghua University"}
    deepseek = institutions["DeepSeek"]
    record = URIRef("https://ror.org/05wa54d95")
    assert (deepseek, OSG.ror, record) in graph
    assert (deepseek, RDF.type, OSG.Company) in graph
    assert set(graph.objects(deepseek, DCTERMS.source)) == {record}
    assert graph.value(deepseek, OSG.basedIn) == URIRef("https://w3id.org/osgraph/id/country/CN")
    assert (institutions["Tsinghua University"], SKOS.altLabel, Literal("清华大学")) in graph
    assert not [n for n in result.summary.notices if "institution" in n.kind]


def test_parents_come_from_ror_too(write_file: WriteFile) -> None:
    source = write_file(
        "l.csv", "project,institutions,countries\nA,University of California Berkeley,USA\n"
    )
    graph = build([source]).graph
    berkeley = next(graph.subjects(OSG.ror, URIRef("https://ror.org/01an7q238")))
    parent = graph.value(berkeley, ORG.subOrganizationOf)
    assert parent is not None
    assert (parent, OSG.ror, URIRef("https://ror.org/00pjdza24")) in graph
    assert str(graph.value(parent, RDFS.label)) == "University of California System"


def test_the_curated_gazetteer_overrides_ror() -> None:
    alibaba = ror_index().record("00k642b80")
    assert alibaba is not None and alibaba.wikidata == "Q30273328"  # ROR's duplicate item
    facts = load_gazetteer().institution("Alibaba")
    assert facts is not None and facts.name == "Alibaba Group"
    assert facts.wikidata == "Q1359568"


def test_a_users_gazetteer_adds_to_the_bundled_one(write_file: WriteFile) -> None:
    users = write_file(
        "mine.toml",
        '[[institution]]\nname = "Acme Research"\nkind = "company"\ncountry = "DE"\n'
        'source = "https://acme.example/about"\n\n'
        '[[institution]]\nname = "Lab of Acme"\nkind = "lab"\nparent = "Google"\n'
        'source = "https://acme.example/lab"\n',
    )
    gazetteer = load_gazetteer(users)
    assert gazetteer.institution("Acme Research").country == "DE"  # type: ignore[union-attr]
    assert gazetteer.institution("Peking University") is not None  # the bundled entries stay
    assert gazetteer.overrides == ()
    # Instead of the bundled gazetteer, the file's parents must be its own entries.
    with pytest.raises(SourceError, match="parent 'Google' has no entry"):
        load_gazetteer(users, replace=True)
    alone = write_file("alone.toml", '[[institution]]\nname = "Acme Research"\n')
    only = load_gazetteer(alone, replace=True, ror=False)
    assert only.institution("Peking University") is None
    assert only.institution("Acme Research") is not None


def test_a_users_entry_for_a_known_name_replaces_the_bundled_one(write_file: WriteFile) -> None:
    users = write_file(
        "mine.toml",
        '[[institution]]\nname = "Chinese Academy of Sciences (CAS)"\n'
        'aliases = ["Chinese Academy of Sciences"]\nkind = "government-lab"\ncountry = "CN"\n'
        'source = "https://english.cas.cn/"\n',
    )
    list_file = write_file(
        "l.csv",
        "project,institutions,countries\n"
        "A,Institute of Software Chinese Academy of Sciences,China\n",
    )
    result = build([list_file], BuildOptions(gazetteer=users))
    notices = [n for n in result.summary.notices if n.kind == "gazetteer-override"]
    assert [n.message for n in notices] == [
        "the gazetteer entry 'Chinese Academy of Sciences (CAS)' replaces the bundled entry "
        "'Chinese Academy of Sciences'"
    ]
    graph = result.graph
    unit = next(
        graph.subjects(RDFS.label, Literal("Institute of Software, Chinese Academy of Sciences"))
    )
    parent = graph.value(unit, ORG.subOrganizationOf)
    assert str(graph.value(parent, RDFS.label)) == "Chinese Academy of Sciences (CAS)"


def test_loading_a_large_gazetteer_names_the_line_of_a_bad_entry(
    write_file: WriteFile,
) -> None:
    entries = "".join(
        f'[[institution]]\nname = "Institution {n}"\nkind = "unknown"\n\n' for n in range(10_000)
    )
    path = write_file("big.toml", entries + '[[institution]]\nname = "Bad"\nkind = "castle"\n')
    with pytest.raises(SourceError) as raised:
        load_gazetteer(path)
    assert raised.value.line == 40_002
    assert raised.value.cell == "kind"


def test_review_lists_what_does_not_resolve_with_candidates_and_drafts_entries(
    write_file: WriteFile, tmp_path: Path
) -> None:
    path = write_file(
        "l.csv",
        "project,institutions,countries\n"
        "A,Tsinghua Univ,China\nB,Zhipu AI,China\nC,Nowhere Institute of Nothing,Atlantis\n"
        "D,Snowflake Computing Ltd,USA\n",
    )
    unresolved = review_names([read_source(path)])
    by_name = {u.name: u for u in unresolved}
    assert set(by_name) == {
        "Tsinghua Univ",
        "Snowflake Computing Ltd",
        "Nowhere Institute of Nothing",
        "Atlantis",
    }
    assert by_name["Tsinghua Univ"].candidates[0].name == "Tsinghua University"
    assert by_name["Tsinghua Univ"].countries == ("CN",)
    assert any(c.source == "ROR" for c in by_name["Snowflake Computing Ltd"].candidates)
    draft = tmp_path / "draft.toml"
    draft.write_text(draft_gazetteer(unresolved), encoding="utf-8")
    entries = tomllib.loads(draft.read_text(encoding="utf-8"))["institution"]
    assert {e["name"] for e in entries} >= {"Tsinghua Univ"}
    assert "Atlantis" not in {e["name"] for e in entries}
    load_gazetteer(draft)  # a draft is a gazetteer the loader accepts


def test_a_real_list_resolves_institutions_through_ror() -> None:
    source = read_source(SHARED_LISTS / "opendigger-companies.csv")
    from osgraph._align import match_institutions

    matches = match_institutions(source.entries, load_gazetteer())
    from_ror = {name: m.facts for name, m in matches.items() if m.source == "ROR"}
    assert len(from_ror) >= 10
    stated = {entry.institutions[0].name: entry.countries[0] for entry in source.entries}
    gazetteer = load_gazetteer()
    for name, facts in from_ror.items():
        assert facts is not None and facts.ror is not None
        assert facts.sources["ror"] == f"https://ror.org/{facts.ror}"
        listed = gazetteer.country(stated[name])
        assert listed is not None and facts.country == listed.alpha2, name


def test_an_index_can_be_built_from_records_in_memory() -> None:
    records = [r for r in (ror_index().record(i) for i in ("03cve4549", "00k642b80")) if r]
    index = RorIndex(records)
    assert len(index) == 2
    assert index.match("Tsinghua University").record == records[0]


@pytest.mark.parametrize(
    "name",
    [
        'Evil"]\n[[institution]]\nname = "x',
        "tab\there",
        "bell\x07",
        "nul\x00",
        "line\u2028sep",
        "'",
    ],
)
def test_a_draft_holds_any_name_as_data(name: str, tmp_path: Path) -> None:
    from osgraph._review import Candidate, Unresolved

    record = ror_index().record("03cve4549")
    assert record is not None
    unresolved = [
        Unresolved("institution", name, (), (), (Candidate(name, 90.0, "gazetteer"),)),
        Unresolved(
            "institution", name + " 2", (), ("CN",), (Candidate(name, 100.0, "ROR", record),)
        ),
    ]
    text = draft_gazetteer(unresolved)
    entries = tomllib.loads(text)["institution"]
    assert [e["name"] for e in entries] == [name, "Tsinghua University"]
    assert entries[1]["aliases"] == [name + " 2"]
