"""The knowledge graph of the bundled BenchCouncil Open100 2022-2023 list."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import PROV, RDF, RDFS, SKOS

from osgraph import OSG, BuildOptions, BuildResult, NoticeKind, build_file

PREFIXES = {"osg": OSG._NS, "rdfs": RDFS, "prov": PROV, "skos": SKOS}


def select(graph: Graph, query: str, **bindings: object) -> list[tuple[object, ...]]:
    return [
        tuple(row)
        for row in graph.query(
            query,
            initNs=PREFIXES,
            initBindings={
                k: Literal(v) if isinstance(v, str | int) else v for k, v in bindings.items()
            },
        )
    ]


def count_of(graph: Graph, cls: URIRef) -> int:
    return len(set(graph.subjects(RDF.type, cls)))


def test_counts_after_whitespace_is_normalised(bundled: BuildResult) -> None:
    graph, summary = bundled.graph, bundled.summary
    assert summary.rows_read == count_of(graph, OSG.SourceRow) == 102
    assert summary.projects == count_of(graph, OSG.Project) == 101
    assert summary.institutions == count_of(graph, OSG.Institution) == 95
    named_by_the_list = set(graph.objects(None, OSG.country))
    assert summary.countries == len(named_by_the_list) == 17
    # The graph also holds the countries institutions are based in: Hong Kong, for CUHK, and
    # Taiwan, for the Institute of Information Science of Academia Sinica.
    based_in_only = set(graph.subjects(RDF.type, OSG.Country)) - named_by_the_list
    assert {str(graph.value(c, OSG.alpha2)) for c in based_in_only} == {"HK", "TW"}
    assert summary.contributions == count_of(graph, OSG.Contribution)
    assert summary.triples == len(graph)


def test_institution_spellings_with_runs_of_spaces_are_one_institution(
    bundled: BuildResult,
) -> None:
    rows = select(
        bundled.graph,
        """SELECT DISTINCT ?project WHERE {
            ?institution skos:altLabel ?label .
            ?project osg:developedBy ?institution ; rdfs:label ?project_label .
        } ORDER BY ?project_label""",
        label="Institute of Computing Technology Chinese Academy of Sciences",
    )
    # BayLing spells it with single spaces; DeePMD-kit and OSTrack with a run of spaces.
    labels = [bundled.graph.value(row[0], RDFS.label) for row in rows]
    assert labels == [Literal("BayLing"), Literal("DeePMD-kit"), Literal("OSTrack")]


def test_a_project_listed_twice_is_one_project_with_both_rows(
    bundled: BuildResult, bundled_lines: list[str]
) -> None:
    rows = select(
        bundled.graph,
        """SELECT ?project ?line ?text WHERE {
            ?project a osg:Project ; rdfs:label ?label ; prov:wasDerivedFrom ?row .
            ?row osg:line ?line ; osg:rawText ?text .
        } ORDER BY ?line""",
        label="Service Weaver",
    )
    assert len({row[0] for row in rows}) == 1
    service_weaver_lines = [
        n for n, line in enumerate(bundled_lines, 1) if ">Service Weaver<" in line
    ]
    assert [row[1].toPython() for row in rows] == service_weaver_lines  # type: ignore[union-attr]
    assert [str(row[2]) for row in rows] == [bundled_lines[n - 1] for n in service_weaver_lines]
    (contribution,) = bundled.graph.objects(rows[0][0], OSG.contribution)
    derived_from = set(bundled.graph.objects(contribution, PROV.wasDerivedFrom))
    assert len(derived_from) == 2
    notices = [n for n in bundled.summary.notices if n.kind is NoticeKind.DUPLICATE_ROW]
    assert [n.origins[0].line for n in notices] == [service_weaver_lines[0]]


CONTRIBUTIONS = """SELECT ?institution ?country ?method WHERE {
    ?project rdfs:label ?project_label ; osg:contribution ?c .
    ?c osg:institution/rdfs:label ?institution ;
       osg:inCountry/osg:alpha2 ?country ;
       osg:alignment ?method ;
       osg:project ?project .
} ORDER BY ?institution ?country"""


def test_one_institution_in_two_countries_makes_one_contribution_per_country(
    bundled: BuildResult,
) -> None:
    rows = select(bundled.graph, CONTRIBUTIONS, project_label="Comprehensive-rust")
    assert rows == [
        (Literal("Google"), Literal("CH"), OSG.OneInstitutionPerCountry),
        (Literal("Google"), Literal("GB"), OSG.OneInstitutionPerCountry),
    ]


def test_as_many_countries_as_institutions_pair_by_position(bundled: BuildResult) -> None:
    rows = select(bundled.graph, CONTRIBUTIONS, project_label="PRQL")
    assert rows == [
        (Literal("EdgeDB"), Literal("SI"), OSG.ByPosition),
        (Literal("Quantitative Trading Firm"), Literal("US"), OSG.ByPosition),
    ]


def test_one_country_goes_to_every_institution(bundled: BuildResult) -> None:
    rows = select(bundled.graph, CONTRIBUTIONS, project_label="Stable Diffusion")
    assert rows == [
        (Literal(name), Literal("DE"), OSG.OneCountryForAll)
        for name in (
            "Heidelberg University",
            "Ludwig Maximilian University of Munich",
            "Stability AI",
        )
    ]


MISALIGNED_ROWS = {
    # The four rows whose shape does not tell: each institution goes where the gazetteer (its
    # headquarters, or a country that contains it) or its other rows place it.
    "ArchProbe": [
        ("Microsoft", "US", OSG.ByGazetteer),
        ("Tsinghua University", "CN", OSG.ByGazetteer),
        ("University of California, Irvine", "US", OSG.ByGazetteer),
    ],
    "ChatGLM": [
        ("Beijing Academy of Artificial Intelligence", "CN", OSG.ByGazetteer),
        ("Massachusetts Institute of Technology", "US", OSG.ByGazetteer),
        ("Tsinghua University", "CN", OSG.ByGazetteer),
        ("Zhipu AI", "CN", OSG.ByGazetteer),
    ],
    "GraphScope": [
        ("Alibaba Group", "CN", OSG.ByGazetteer),
        ("Shenzhen Institute of Computing Sciences", "CN", OSG.ByGazetteer),
        ("University of Edinburgh", "GB", OSG.ByGazetteer),
    ],
    "OmniObject3D": [
        ("S-Lab, Nanyang Technological University", "SG", OSG.ByGazetteer),
        # Based in China by its ROR record, as OpenLane-V2 and UniAD also place it.
        ("Shanghai AI Laboratory", "CN", OSG.ByGazetteer),
        # Based in Hong Kong, which ISO 3166-2 lists as part of China, the row's country.
        ("The Chinese University of Hong Kong", "CN", OSG.ByGazetteer),
    ],
    # One institution in two countries: both, as the list says.
    "Comprehensive-rust": [
        ("Google", "CH", OSG.OneInstitutionPerCountry),
        ("Google", "GB", OSG.OneInstitutionPerCountry),
    ],
    "Flowise": [
        ("FlowiseAI", "IE", OSG.OneInstitutionPerCountry),
        ("FlowiseAI", "MY", OSG.OneInstitutionPerCountry),
    ],
}


@pytest.mark.parametrize("project", sorted(MISALIGNED_ROWS))
def test_the_six_misaligned_rows_resolve_as_the_facts_say(
    bundled: BuildResult, project: str
) -> None:
    rows = select(bundled.graph, CONTRIBUTIONS, project_label=project)
    expected = [(Literal(i), Literal(c), m) for i, c, m in MISALIGNED_ROWS[project]]
    assert rows == expected


def test_the_graph_keeps_the_country_the_list_states(bundled: BuildResult) -> None:
    """CUHK is based in Hong Kong, but the list attributes OmniObject3D's work to China."""
    rows = select(
        bundled.graph,
        """SELECT ?based ?attributed WHERE {
               ?i rdfs:label ?label ; osg:basedIn/osg:alpha2 ?based .
               ?c osg:institution ?i ; osg:inCountry/osg:alpha2 ?attributed .
           }""",
        label="The Chinese University of Hong Kong",
    )
    assert rows == [(Literal("HK"), Literal("CN"))]


def test_every_row_of_the_bundled_list_aligns(bundled: BuildResult) -> None:
    assert bundled.summary.unaligned_rows == 0
    assert not list(bundled.graph.subjects(OSG.alignment, OSG.Unaligned))
    assert not [n for n in bundled.summary.notices if n.kind is NoticeKind.UNALIGNED]


def test_every_aligned_row_has_all_its_contributions(
    bundled: BuildResult, bundled_lines: list[str]
) -> None:
    """Each row's contributions, counted from the file, are in the graph, derived from that
    row."""
    graph = bundled.graph
    for row in graph.subjects(RDF.type, OSG.SourceRow):
        text = str(graph.value(row, OSG.rawText))
        cells = text.strip().strip("|").split(" | ")
        institutions = cells[1].count("|") + 1
        countries = cells[2].count("|") + 1
        # By shape, one per institution (or per country, for one institution); rows whose shape
        # does not tell place each institution in one country.
        expected = countries if institutions == 1 else institutions
        made = set(graph.subjects(PROV.wasDerivedFrom, row)) & set(
            graph.subjects(RDF.type, OSG.Contribution)
        )
        assert len(made) == expected, text


def test_the_recognition_and_the_edition_are_in_the_graph(bundled: BuildResult) -> None:
    rows = select(
        bundled.graph,
        """PREFIX dcat: <http://www.w3.org/ns/dcat#>
           PREFIX dcterms: <http://purl.org/dc/terms/>
           SELECT (COUNT(DISTINCT ?project) AS ?projects) ?issued ?page ?series_title WHERE {
             ?project osg:listedIn ?edition .
             ?edition a osg:ListEdition ; dcterms:issued ?issued ; dcat:landingPage ?page ;
                      dcat:inSeries/dcterms:title ?series_title .
           } GROUP BY ?issued ?page ?series_title""",
    )
    assert [tuple(v.toPython() for v in row) for row in rows] == [  # type: ignore[union-attr]
        (
            101,
            __import__("datetime").date(2023, 11, 8),
            "https://www.benchcouncil.org/evaluation/opencs/annual.html",
            "BenchCouncil Open100",
        )
    ]


def test_linked_names_keep_their_homepages(bundled: BuildResult) -> None:
    graph = bundled.graph
    homepages = {
        (str(graph.value(node, RDFS.label)), str(url))
        for node, url in graph.subject_objects(OSG.homepage)
    }
    assert ("Fairseq", "https://github.com/facebookresearch/fairseq") in homepages
    assert ("Fly.io", "http://fly.io/") in homepages


def test_two_builds_write_identical_bytes(bundled_kg: Path, tmp_path: Path) -> None:
    # The session's build, written by the fixture, is the first of the two.
    second = tmp_path / "second" / "osgraph.ttl"
    build_file(None, second, BuildOptions(validate=False))
    assert bundled_kg.read_bytes() == second.read_bytes()


def test_the_written_turtle_parses_back_to_the_same_graph(
    bundled: BuildResult, bundled_kg: Path
) -> None:
    parsed = Graph().parse(bundled_kg, format="turtle")
    assert len(parsed) == len(bundled.graph)
    assert isomorphic(parsed, bundled.graph)


def test_countries_of_projects_count_projects_only(bundled: BuildResult) -> None:
    """osg:country belongs to projects alone, so a path over it never counts contributions."""
    rows = select(
        bundled.graph,
        """SELECT ?country (COUNT(DISTINCT ?project) AS ?projects) WHERE {
               ?project osg:country/rdfs:label ?country .
           } GROUP BY ?country""",
    )
    per_country = {str(country): count.toPython() for country, count in rows}  # type: ignore[union-attr]
    assert max(per_country.values()) <= bundled.summary.projects
    subjects = set(bundled.graph.subjects(OSG.country, None))
    assert subjects <= set(bundled.graph.subjects(RDF.type, OSG.Project))
