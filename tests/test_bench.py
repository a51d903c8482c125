"""The benchmark's synthetic lists are deterministic and osgraph reads every row of them."""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

import pytest
from bench.baselines import with_pyoxigraph, with_rdflib
from bench.generate import FLAT_TABLES, generate_list, generate_named_list
from bench.measure import measure
from bench.view import report_lines, sweep_max_nodes, sweep_report_lines, time_views
from rdflib import Graph, Namespace
from rdflib.namespace import SKOS

from osgraph import BuildOptions, build
from osgraph._vocabulary import OSG

RML = Namespace("http://semweb.mmlab.be/ns/rml#")
RR = Namespace("http://www.w3.org/ns/r2rml#")


# Lists of 100 rows: as many rows as the smallest pool of institutions, so that institutions
# repeat across rows as they do in a list of any size.


def test_a_synthetic_list_is_the_same_every_time_and_builds_whole(tmp_path: Path) -> None:
    first = generate_list(100, tmp_path / "a.csv")
    second = generate_list(100, tmp_path / "b.csv")
    assert first.read_bytes() == second.read_bytes()
    assert generate_list(100, tmp_path / "c.csv", seed=1).read_bytes() != first.read_bytes()

    with first.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == 100
    institutions = {name for row in rows for name in row["institutions"].split("; ")}
    contributions = sum(len(row["institutions"].split("; ")) for row in rows)

    summary = build([first], BuildOptions(validate=False)).summary
    assert (summary.rows_read, summary.rows_rejected, summary.projects) == (100, 0, 100)
    assert summary.institutions < contributions  # institutions are shared
    assert summary.institutions == len(institutions)
    assert summary.contributions == contributions
    assert summary.unaligned_rows == 0


@pytest.mark.parametrize("baseline", ["rdflib", "pyoxigraph"])
def test_the_flat_form_maps_to_the_graph_osgraph_builds(tmp_path: Path, baseline: str) -> None:
    source = generate_list(100, tmp_path / "list-100.csv", flat=tmp_path / "flat")
    built = set(build([source], BuildOptions(validate=False)).graph)
    write = with_rdflib if baseline == "rdflib" else with_pyoxigraph
    write(tmp_path / "flat", tmp_path / "mapped.ttl")
    mapped = set(Graph().parse(tmp_path / "mapped.ttl"))
    assert mapped <= built
    # What osgraph adds that the flat form cannot say: the list edition's own description, the
    # Wikidata ids osgraph knows for countries, and the keys of names (lower case, NFKC), which
    # a mapping computes only with functions beyond RML's.
    edition = "https://w3id.org/osgraph/id/list/list-100"
    for subject, predicate, _ in built - mapped:
        assert str(subject) == edition or predicate in {SKOS.exactMatch, OSG.nameKey}, (
            subject,
            predicate,
        )


@pytest.mark.parametrize(("name", "count"), [("mapping", 7), ("mapping-minimal", 3)])
def test_the_rml_mappings_name_only_columns_of_their_tables(name: str, count: int) -> None:
    mapping = Graph().parse(Path(__file__).parents[1] / "bench" / f"{name}.rml.ttl")
    maps = list(mapping.subjects(RML.logicalSource, None))
    assert len(maps) == count
    for triples_map in maps:
        table = mapping.value(mapping.value(triples_map, RML.logicalSource), RML.source)
        reachable = set(mapping.transitive_objects(triples_map, None))
        references = {str(o) for s, o in mapping.subject_objects(RML.reference) if s in reachable}
        templates = {
            variable
            for s, o in mapping.subject_objects(RR.template)
            if s in reachable
            for variable in re.findall(r"\{(\w+)\}", str(o))
        }
        used = references | templates
        assert used and used <= set(FLAT_TABLES[str(table).removesuffix(".csv")]), triples_map


@pytest.mark.process
def test_measure_gives_the_wall_time_and_peak_memory_of_a_command() -> None:
    wall, peak = measure([sys.executable, "-c", "bytearray(50_000_000)"])
    assert wall > 0
    assert peak > 50_000_000


@pytest.mark.slow
@pytest.mark.process
def test_the_view_benchmark_opens_both_pages(tmp_path: Path, browser: object) -> None:
    # A network of some twenty nodes runs every step the benchmark takes for 5,000, and pyvis's
    # physics settles on it within a second: a large one would only wait out the timeout.
    timings = time_views(110, tmp_path, timeout=120, browser=browser)
    with (tmp_path / "view-list.csv").open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    pairs = {(row["project"], name) for row in rows for name in row["institutions"].split("; ")}
    institutions = {name for _, name in pairs}
    # The network is the list's: its projects and institutions, an edge per credit.
    assert timings.nodes == len(rows) + len(institutions)
    assert timings.edges == len(pairs)
    assert timings.usable > 0 and timings.search > 0
    assert timings.pyvis_first_drawn is not None and timings.pyvis_settled is not None
    assert timings.page_bytes > 0 and timings.pyvis_page_bytes > 0
    lines = report_lines(timings)
    assert f"{timings.nodes:,} nodes and {timings.edges:,} edges" in lines[0]
    assert any(line.startswith("| `osgraph view`") for line in lines)
    assert "physics settled" in lines[-1] and "not within" not in lines[-1]
    # The sweep of --max-nodes (one budget: the page of the whole network is timed above): a
    # budget below the network's size shows at most that many nodes, drawn and searched.
    (point,) = sweep_max_nodes(tmp_path / "osgraph.ttl", [10], tmp_path, browser)
    assert 0 < point.shown <= 10 < timings.nodes
    assert point.usable > 0 and point.search > 0 and point.frame > 0
    assert 0 < point.page_bytes < timings.page_bytes
    assert sweep_report_lines(110, [point])[-1].startswith(f"| 10 | {point.shown} | ")


def test_a_list_of_real_names_resolves_through_the_standards_and_ror(tmp_path: Path) -> None:
    first = generate_named_list(100, tmp_path / "a.csv")
    second = generate_named_list(100, tmp_path / "b.csv")
    assert first.read_bytes() == second.read_bytes()
    result = build([first], BuildOptions(validate=False))
    assert result.summary.rows_rejected == 0
    sources = dict(result.summary.institution_sources)
    assert sources["ROR"] >= 0.9 * result.summary.institutions
