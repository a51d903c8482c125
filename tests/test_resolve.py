"""Entity resolution: countries through ISO 3166, institutions through the gazetteer, and the
alignment of rows whose shape does not tell."""

from __future__ import annotations

import io
import re
import tomllib
from importlib import resources
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import ORG, RDF, RDFS, SKOS

from osgraph import OSG, BuildOptions, BuildResult, NoticeKind, SourceError, build
from osgraph._align import AlignmentMethod
from osgraph._gazetteer import load_gazetteer
from osgraph._gazetteer_file import KINDS
from osgraph._iri import IriScheme
from osgraph._resolve import resolve
from osgraph._sources import bundled_list, read_source
from osgraph._statements import write_statements
from osgraph._turtle import TurtleWriter
from osgraph._vocabulary import DEFAULT_BASE, prefixes

from .conftest import WriteFile, run_osgraph

GAZETTEER_FILE = Path(str(resources.files("osgraph") / "data" / "institutions.toml"))


def institution_node(result: BuildResult, label: str) -> URIRef:
    (node,) = set(result.graph.subjects(RDFS.label, Literal(label)))
    assert isinstance(node, URIRef)
    return node


def test_list_country_names_resolve_to_iso_3166_with_english_and_chinese_labels(
    bundled: BuildResult,
) -> None:
    graph = bundled.graph
    countries = {str(graph.value(c, OSG.alpha2)): c for c in graph.objects(None, OSG.country)}
    named = "US GB CN CH DE IE MY HR TR BR AU ZA SG IN BG SI CA"
    assert sorted(countries) == sorted(named.split())
    china = countries["CN"]
    assert set(graph.objects(china, RDFS.label)) == {
        Literal("China", lang="en"),
        Literal("中国", lang="zh"),
    }
    assert (china, SKOS.exactMatch, URIRef("http://www.wikidata.org/entity/Q148")) in graph
    assert graph.value(countries["GB"], OSG.alpha3) == Literal("GBR")
    # The spelling the list uses stays on the country as an alternative label.
    assert (countries["GB"], SKOS.altLabel, Literal("UK")) in graph
    assert (countries["TR"], SKOS.altLabel, Literal("Turkey")) in graph
    assert all(graph.value(c, SKOS.exactMatch) is not None for c in countries.values())


def test_an_unknown_country_fails_with_file_line_cell_and_close_matches(
    write_file: WriteFile,
) -> None:
    path = write_file("l.csv", "project,institutions,countries\nX,Meta,USA\nY,Meta,Untied States\n")
    with pytest.raises(SourceError) as raised:
        build([path])
    message = str(raised.value)
    assert message.startswith(f"{path}:3: cell 'countries': 'Untied States' is not a country")
    assert "United States" in message


def test_aliases_and_whitespace_variants_collapse_to_one_institution(
    write_file: WriteFile,
) -> None:
    path = write_file(
        "l.csv",
        "project,institutions,countries\n"
        "A,MIT,USA\n"
        "B,Massachusetts  Institute of Technology,USA\n"
        "C,massachusetts institute of technology ,USA\n",
    )
    result = build([path])
    (node,) = set(result.graph.subjects(RDF.type, OSG.Institution))
    assert result.graph.value(node, RDFS.label) == Literal("Massachusetts Institute of Technology")
    assert (node, OSG.ror, URIRef("https://ror.org/042nb2s44")) in result.graph
    assert len(set(result.graph.subjects(OSG.developedBy, node))) == 3


def test_institutions_carry_their_identifiers_kind_and_sources(bundled: BuildResult) -> None:
    graph = bundled.graph
    tsinghua = institution_node(bundled, "Tsinghua University")
    assert (tsinghua, RDF.type, OSG.University) in graph
    assert (tsinghua, SKOS.exactMatch, URIRef("http://www.wikidata.org/entity/Q16955")) in graph
    assert (tsinghua, OSG.ror, URIRef("https://ror.org/03cve4549")) in graph
    assert (
        tsinghua,
        URIRef("http://purl.org/dc/terms/source"),
        URIRef("https://ror.org/03cve4549"),
    ) in graph
    msra = institution_node(bundled, "Microsoft Research Asia")
    assert (msra, RDF.type, OSG.Lab) in graph
    assert (msra, ORG.subOrganizationOf, institution_node(bundled, "Microsoft")) in graph


def test_a_query_rolls_up_units_to_their_parent(bundled: BuildResult) -> None:
    rows = bundled.graph.query(
        """SELECT (GROUP_CONCAT(DISTINCT ?name; separator="|") AS ?projects) WHERE {
               ?cas rdfs:label "Chinese Academy of Sciences" .
               ?unit org:subOrganizationOf+ ?cas .
               ?project osg:developedBy ?unit ; rdfs:label ?name .
           }""",
        initNs={"osg": OSG._NS, "rdfs": RDFS, "org": ORG},
    )
    (row,) = list(rows)
    assert sorted(str(row[0]).split("|")) == [  # type: ignore[index]
        "BUDDY MLIR", "BayLing", "DeePMD-kit", "OSTrack", "PiFlow"
    ]  # fmt: skip


def test_parents_no_list_names_are_organisations_not_institutions(bundled: BuildResult) -> None:
    graph = bundled.graph
    cas = institution_node(bundled, "Chinese Academy of Sciences")
    assert (cas, RDF.type, OSG.GovernmentLab) in graph
    assert (cas, RDF.type, OSG.Institution) not in graph


def test_an_institution_nothing_places_is_reported_never_guessed(write_file: WriteFile) -> None:
    path = write_file(
        "l.csv",
        'project,institutions,countries\nP,"Tsinghua University;Unheard Of Lab;Meta",China|USA\n',
    )
    result = build([path])
    graph, summary = result.graph, result.summary
    project = institution_node(result, "P")
    placed = {
        (
            str(graph.value(graph.value(c, OSG.institution), RDFS.label)),
            str(graph.value(graph.value(c, OSG.inCountry), OSG.alpha2)),
        )
        for c in graph.objects(project, OSG.contribution)
    }
    assert placed == {("Tsinghua University", "CN"), ("Meta", "US")}
    assert len(set(graph.objects(project, OSG.developedBy))) == 3
    assert summary.unaligned_rows == 1
    (unaligned,) = [n for n in summary.notices if n.kind is NoticeKind.UNALIGNED]
    assert "Unheard Of Lab" in unaligned.message and "Tsinghua" not in unaligned.message
    (row,) = graph.objects(project, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"))
    assert (row, OSG.alignment, OSG.Unaligned) in graph


def test_an_unknown_institution_builds_and_resolve_reports_it(write_file: WriteFile) -> None:
    path = write_file(
        "l.csv", "project,institutions,countries\nX,Tsinghua Univ,China\nY,Meta,USA\n"
    )
    result = build([path])
    unknown = institution_node(result, "Tsinghua Univ")
    assert (unknown, RDF.type, OSG.Institution) in result.graph
    assert result.graph.value(unknown, OSG.ror) is None
    assert [n.kind for n in result.summary.notices] == ["unknown-institution"]

    # The notice names the row by where it is; the row's text is the graph's, not the notice's.
    (notice,) = result.summary.notices
    assert [(origin.line, origin.text) for origin in notice.origins] == [(2, "")]
    assert (None, OSG.rawText, Literal("X,Tsinghua Univ,China")) in result.graph

    report = run_osgraph("resolve", str(path), cwd=Path.cwd())  # the path outside the folder
    assert report.returncode == 1
    assert f"institution 'Tsinghua Univ': unknown ({path}:2; rows say CN)" in report.stdout
    assert re.search(r"\n      Tsinghua University \(gazetteer, \d+\)\n", report.stdout)
    assert "Meta" not in report.stdout


def test_resolve_on_the_bundled_list_knows_every_name(tmp_path: Path) -> None:
    report = run_osgraph("resolve", cwd=tmp_path)
    assert report.returncode == 0
    assert report.stdout == "Every institution and country of the 102 rows read resolves.\n"


def test_every_gazetteer_fact_has_a_source() -> None:
    entries = tomllib.loads(GAZETTEER_FILE.read_text(encoding="utf-8"))["institution"]
    for entry in entries:
        stated = [
            f for f in ("kind", "country", "homepage", "wikidata", "ror") if entry[f] != "unknown"
        ]
        if "parent" in entry:
            stated.append("parent")
        for field in stated:
            source = entry.get("sources", {}).get(field, entry.get("source"))
            assert source and source.startswith(("https://", "http://")), (entry["name"], field)


def test_gazetteer_identifiers_are_well_formed_and_never_shared() -> None:
    facts = load_gazetteer().institutions()
    rors = [f.ror for f in facts if f.ror]
    wikidata = [f.wikidata for f in facts if f.wikidata]
    assert len(rors) == len(set(rors))
    assert len(wikidata) == len(set(wikidata))
    assert all(f.kind in KINDS for f in facts if f.kind)


def test_every_institution_of_the_bundled_list_is_in_the_gazetteer(bundled: BuildResult) -> None:
    assert not [n for n in bundled.summary.notices if n.kind is NoticeKind.UNKNOWN_INSTITUTION]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('name = "X"\nkind = "university"\n', r"x\.toml:3: cell 'kind': X: kind has no source"),
        (
            'name = "X"\nwikidata = "Q12x"\nsource = "https://a.org"\n',
            r"'Q12x' is not a Wikidata item id",
        ),
        ('name = "X"\nror = "12345"\nsource = "https://a.org"\n', r"'12345' is not a ROR id"),
        (
            'name = "X"\ncountry = "XX"\nsource = "https://a.org"\n',
            r"'XX' is not an ISO 3166-1 alpha-2 code",
        ),
        ('name = "X"\nkind = "club"\nsource = "https://a.org"\n', r"kind 'club' is not one of"),
        (
            'name = "X"\nhomepage = "https://a.org/<x>"\nsource = "https://a.org"\n',
            r"cell 'homepage': .*'https://a\.org/<x>' is not an http\(s\) URL",
        ),
        (
            'name = "X"\nparent = "Y"\nsource = "https://a.org"\n',
            r"X: the parent 'Y' has no entry of its own",
        ),
        (
            'name = "X"\naliases = ["Meta"]\n[[institution]]\nname = "Meta"\n',
            r"the name 'Meta' already names X",
        ),
    ],
)
def test_a_malformed_gazetteer_entry_is_refused_with_its_line(
    write_file: WriteFile, entry: str, message: str
) -> None:
    path = write_file(
        "x.toml",
        "# my gazetteer\n[[institution]]\n" + entry,
    )
    with pytest.raises(SourceError, match=message):
        load_gazetteer(path)


def test_build_takes_a_gazetteer_of_ones_own(write_file: WriteFile, tmp_path: Path) -> None:
    gazetteer = write_file(
        "mine.toml",
        '[[institution]]\nname = "Tsinghua University"\naliases = ["Tsinghua Univ"]\n'
        'kind = "university"\ncountry = "CN"\nsource = "https://www.tsinghua.edu.cn"\n',
    )
    source = write_file("l.csv", "project,institutions,countries\nX,Tsinghua Univ,China\n")
    result = build([source], BuildOptions(gazetteer=gazetteer))
    node = institution_node(result, "Tsinghua University")
    assert (node, RDF.type, OSG.University) in result.graph
    # The file's entry is added to the bundled gazetteer, in place of the bundled entry.
    assert [n.message for n in result.summary.notices] == [
        "the gazetteer entry 'Tsinghua University' replaces the bundled entry 'Tsinghua University'"
    ]
    assert result.graph.value(node, OSG.ror) is None  # the file's facts, not the bundled ones
    alone = build([source], BuildOptions(gazetteer=gazetteer, replace_gazetteer=True))
    assert not alone.summary.notices


PROJECTS_FILE = Path(str(resources.files("osgraph") / "data" / "projects.toml"))


def test_every_project_of_the_bundled_list_has_an_entry(bundled: BuildResult) -> None:
    listed = {
        str(bundled.graph.value(p, RDFS.label))
        for p in bundled.graph.subjects(RDF.type, OSG.Project)
    }
    entries = {
        e["name"] for e in tomllib.loads(PROJECTS_FILE.read_text(encoding="utf-8"))["project"]
    }
    assert listed == entries


def test_projects_carry_repository_domain_and_source(bundled: BuildResult) -> None:
    graph = bundled.graph
    whisper = institution_node(bundled, "Whisper")
    repository = URIRef("https://github.com/openai/whisper")
    assert (whisper, OSG.repository, repository) in graph
    assert (whisper, URIRef("http://purl.org/dc/terms/source"), repository) in graph
    domain = graph.value(whisper, OSG.domain)
    assert (domain, SKOS.prefLabel, Literal("speech and audio", lang="en")) in graph
    assert (domain, SKOS.prefLabel, Literal("语音与音频", lang="zh")) in graph
    # The project the list links keeps that link; the repository is the same page.
    fairseq = institution_node(bundled, "Fairseq")
    assert (fairseq, OSG.repository, URIRef("https://github.com/facebookresearch/fairseq")) in graph
    volo_and_hertz = institution_node(bundled, "Volo and hertz")
    assert len(set(graph.objects(volo_and_hertz, OSG.repository))) == 2


def test_projects_per_domain_match_the_projects_file(bundled: BuildResult) -> None:
    entries = tomllib.loads(PROJECTS_FILE.read_text(encoding="utf-8"))["project"]
    expected: dict[str, int] = {}
    for entry in entries:
        if entry["domain"] != "unknown":
            expected[entry["domain"]] = expected.get(entry["domain"], 0) + 1
    rows = bundled.graph.query(
        """SELECT ?domain (COUNT(?p) AS ?n) WHERE { ?p osg:domain ?domain } GROUP BY ?domain""",
        initNs={"osg": OSG._NS},
    )
    found = {str(domain).rsplit("/", 1)[1]: int(n) for domain, n in rows}  # type: ignore[misc]
    assert found == expected
    assert sum(found.values()) > 80


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            'name = "X"\ndomain = "cooking"\nsource = "https://a.org"\n',
            r"domain 'cooking' is not in ontology/domains\.ttl",
        ),
        ('name = "X"\nrepositories = ["https://a.org/x"]\n', r"X: repositories has no source"),
        (
            'name = "X"\nrepositories = "github.com/x"\n',
            r"repositories must be a list of http\(s\) URLs",
        ),
        ('name = "X"\n[[project]]\nname = "x "\n', r"x : 'X' already has an entry"),
    ],
)
def test_a_malformed_project_entry_is_refused(
    write_file: WriteFile, entry: str, message: str
) -> None:
    path = write_file("p.toml", "[[project]]\n" + entry)
    with pytest.raises(SourceError, match=message):
        load_gazetteer(projects=path)


def test_what_rows_state_alike_is_held_once() -> None:
    """What a million-row list makes millions of is not made twice: a contribution holds the
    key its project is resolved by (not an equal string), the contributions one row makes the
    same way share one record, as their rows and methods are the same, and projects whose rows
    name the same institutions (or countries) share one tuple of their keys."""
    resolution = resolve([read_source(bundled_list())])
    made: dict[tuple[str, tuple[AlignmentMethod, ...]], set[int]] = {}
    for key, record in resolution.contributions.items():
        assert key.project is resolution.projects[key.project].key
        if len(record.origins) == 1:
            made.setdefault((key.project, record.methods), set()).add(id(record))
    assert len(made) > 90
    assert all(len(records) == 1 for records in made.values())
    # Projects of one row with the same institutions, or countries, share one tuple of them.
    for field in ("institutions", "countries"):
        stated: dict[tuple[str, ...], set[int]] = {}
        for project in resolution.projects.values():
            if len(project.origins) == 1:
                stated.setdefault(getattr(project, field), set()).add(id(getattr(project, field)))
        assert len(stated) < sum(1 for p in resolution.projects.values() if len(p.origins) == 1)
        assert all(len(tuples) == 1 for tuples in stated.values())
    # Service Weaver's two rows: the second made records of its own, of both rows.
    several = {r.origins: r for r in resolution.contributions.values() if len(r.origins) > 1}
    assert [[origin.line for origin in origins] for origins in several] == [[93, 94]]


def test_the_resolution_is_let_go_of_as_it_is_written() -> None:
    """Writing the graph takes the resolution's entries, projects and contributions out of it
    as their statements are written, nothing after needing them; every row, project and
    contribution is in the graph all the same."""
    resolution = resolve([read_source(bundled_list())])
    rows = sorted(entry.origin.line for entry in resolution.entries)
    projects, contributions = len(resolution.projects), len(resolution.contributions)
    out = io.StringIO()
    write_statements(resolution, IriScheme(DEFAULT_BASE), TurtleWriter(out, prefixes()))
    assert (resolution.entries, resolution.projects, resolution.contributions) == ([], {}, {})
    graph = Graph().parse(data=out.getvalue(), format="turtle")
    assert sorted(int(line) for line in graph.objects(None, OSG.line)) == rows
    assert len(rows) == 102
    assert len(set(graph.subjects(RDF.type, OSG.Project))) == projects == 101
    assert len(set(graph.subjects(RDF.type, OSG.Contribution))) == contributions > 101
