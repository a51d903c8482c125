"""The one-page report: its numbers are the graph's, it names the lists it describes, every table
it cuts says how many rows it leaves out (and never cuts a ranking inside a tie without saying
so), the gazetteer's work is folded away, its size does not grow with the list, it needs no
other host, and names stay text.

The pages are read with the standard library's HTML parser. The two-list graph holds OpenDigger's
companies (X-lab's OpenDigger labeled data, Apache-2.0, https://github.com/X-lab2017/open-digger)."""

from __future__ import annotations

import csv
import functools
import io
import shlex
import subprocess
import tomllib
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import pytest
from bench.generate import generate_list
from rdflib import Graph

from osgraph import BuildOptions, build, bundled_list, open_engine, write_turtle
from osgraph._build import build_file
from osgraph._catalogue import named_queries
from osgraph._engines import Engine
from osgraph._query import run_query
from osgraph._report import TABLE_ROWS, render_report

from .conftest import SHARED_LISTS, WriteFile, run_osgraph


@dataclass(eq=False)
class Element:
    """An element of a parsed page: its tag, attributes and children (elements and text)."""

    tag: str
    attrs: dict[str, str | None]
    children: list[Element | str] = field(default_factory=list)

    def text(self) -> str:
        """Its text, with runs of white space made one space."""
        parts = (child if isinstance(child, str) else child.text() for child in self.children)
        return " ".join("".join(parts).split())

    def all(self, tag: str, cls: str | None = None) -> list[Element]:
        """The elements ``tag`` (any tag for ``*``) of class ``cls`` inside it, in document
        order."""
        found = []
        for child in self.children:
            if isinstance(child, Element):
                if tag in ("*", child.tag) and cls in (None, child.attrs.get("class")):
                    found.append(child)
                found += child.all(tag, cls)
        return found

    def after(self, heading: str) -> Element:
        """The elements after the heading ``heading`` up to the next heading of its level (or an
        element holding one), as one element."""
        for element in self.all("h2") + self.all("h3"):
            if element.text() == heading:
                parent = next(e for e in [self, *self.all("*")] if element in e.children)
                start = parent.children.index(element) + 1
                part = Element("part", {})
                for child in parent.children[start:]:
                    if isinstance(child, Element) and (
                        child.tag == element.tag or child.all(element.tag)
                    ):
                        break
                    part.children.append(child)
                return part
        raise AssertionError(f"no heading {heading!r}")

    def rows(self) -> list[list[str]]:
        """The cells of its tables' rows that have cells (not the header's)."""
        return [[cell.text() for cell in row.all("td")] for row in self.all("tr") if row.all("td")]

    def more(self) -> str | None:
        """What it says of the rows it leaves out, if anything."""
        said = self.all("p", "more")
        return said[0].text() if said else None


class _Tree(HTMLParser):
    VOID: ClassVar = {"meta", "link", "br", "img", "input", "hr", "source", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#root", {})
        self.open = [self.root]
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs))
        self.tags.append((tag, element.attrs))
        self.open[-1].children.append(element)
        if tag not in self.VOID:
            self.open.append(element)

    def handle_endtag(self, tag: str) -> None:
        while len(self.open) > 1 and self.open.pop().tag != tag:
            pass

    def handle_data(self, data: str) -> None:
        self.open[-1].children.append(data)


def parse(page: str | bytes) -> _Tree:
    """The page's element tree (``.root``) and every start tag in it (``.tags``)."""
    tree = _Tree()
    tree.feed(page.decode() if isinstance(page, bytes) else page)
    tree.close()
    return tree


@functools.cache
def _engine(kg: Path) -> Engine:
    return open_engine(kg, "oxigraph")


def answer(kg: Path, name: str) -> list[dict[str, str | None]]:
    """The answer of the named query ``name`` on the graph ``kg`` (what `osgraph query NAME`
    prints)."""
    return run_query(_engine(kg), named_queries()[name].text).as_dicts()


def report(kg: Path) -> _Tree:
    """The report of the graph ``kg``, parsed (made by the call `osgraph report` makes, on the
    engine that :func:`answer` asks)."""
    return parse(render_report(_engine(kg), str(kg), ["--kg", str(kg)]))


def number(text: str) -> int:
    return int(text.replace(",", ""))


@pytest.fixture(scope="module")
def reported(
    bundled_kg: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """`osgraph report` on the bundled graph: what it said, and the folder it wrote to."""
    out = tmp_path_factory.mktemp("report")
    return run_osgraph("report", "--kg", str(bundled_kg), "--out", str(out), cwd=out), out


@pytest.fixture(scope="module")
def bundled_page(reported: tuple[subprocess.CompletedProcess[str], Path]) -> _Tree:
    return parse((reported[1] / "report.html").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def two_lists(two_lists_kg: Path) -> tuple[Path, _Tree]:
    """The graph of the bundled list and OpenDigger's companies, and its report."""
    return two_lists_kg, report(two_lists_kg)


def test_the_report_shows_the_graphs_numbers(bundled_page: _Tree, rows: list) -> None:
    root = bundled_page.root
    counts = {
        item.children[-1].strip(): number(item.all("b")[0].text())  # type: ignore[union-attr]
        for item in root.all("ul", "counts")[0].all("li")
    }
    assert counts == {
        "lists": 1, "rows": 102, "projects": 101, "institutions": 95,
        "countries": 17, "contributions": 128,
    }  # fmt: skip
    assert len(rows) == counts["rows"]
    countries = root.after("Projects per country").rows()
    assert ["United States", "45", ""] in countries and ["China", "40", ""] in countries
    assert ["Alibaba Group", "6", ""] in root.after("Top institutions").rows()
    academia = root.after("Academia\N{EN DASH}industry collaborations").rows()
    assert ["ArchProbe", "Tsinghua University", "Microsoft"] in academia


def test_the_report_loads_nothing_from_another_host(bundled_page: _Tree) -> None:
    tags = bundled_page.tags
    assert not [tag for tag, attrs in tags if tag in ("script", "img", "iframe") or "src" in attrs]
    assert all(attrs.get("href", "").startswith("data:") for tag, attrs in tags if tag == "link")
    style = bundled_page.root.all("style")[0].text()
    assert "url(" not in style and "@import" not in style
    links = [attrs["href"] for tag, attrs in tags if tag == "a"]
    assert links  # the list's own pages, which only a reader's click opens
    assert all(link in bundled_page.root.all("ul", "lists")[0].text() for link in links)  # type: ignore[operator]


def test_the_report_names_the_bundled_list_and_when_it_was_published(
    bundled_page: _Tree, rows: list
) -> None:
    sidecar = tomllib.loads(bundled_list().with_suffix(".toml").read_text(encoding="utf-8"))
    (item,) = bundled_page.root.all("ul", "lists")[0].all("li")
    said = item.text()
    assert said.startswith(sidecar["list"]["title"]["en"])
    assert f"published {sidecar['list']['issued'].isoformat()}" in said
    assert f"covering {sidecar['list']['period']}" in said
    assert f"in the series {sidecar['series']['title']} of {sidecar['series']['publisher']}" in said
    assert f"{len(rows)} rows read from {bundled_list().name}" in said
    links = [a.attrs["href"] for a in item.all("a")]
    assert links == [sidecar["list"]["landing_page"], sidecar["list"]["report"]]
    assert "does not state" not in said


def test_the_report_of_two_lists_names_both_and_invents_nothing(
    two_lists: tuple[Path, _Tree],
) -> None:
    """The bundled list has a sidecar; OpenDigger's has only its file name, and the page says
    what it does not know about it rather than making a title or a date up."""
    root = two_lists[1].root
    assert root.all("h2")[0].text() == "The lists"
    first, second = root.all("ul", "lists")[0].all("li")
    assert first.text().startswith("Outstanding Open Source Systems Achievements (2022-2023)")
    assert "published 2023-11-08" in first.text()
    source = SHARED_LISTS / "opendigger-companies.csv"
    with source.open(encoding="utf-8", newline="") as file:
        listed = sum(1 for _ in csv.DictReader(file))
    assert second.text() == (
        f"{source.name}: {listed} rows. "
        "The graph does not state its title, period, publication date or page."
    )
    assert not second.all("a")


def check_cut(page: Element, kg: Path, query: str, noun: str) -> str | None:
    """The table under a heading shows the first rows of ``query``'s answer, and says how many
    it leaves out, exactly, and which query lists them all."""
    full = answer(kg, query)
    shown = page.rows()
    assert [row[0] for row in shown] == [next(iter(row.values())) for row in full[: len(shown)]]
    left_out = len(full) - len(shown)
    said = page.more()
    if not left_out:
        assert said is None
        return None
    assert said is not None
    assert said.startswith(f"And {left_out:,} more {noun}" if shown else f"{left_out:,} {noun}")
    assert said.endswith(f"osgraph query {query} --kg {shlex.quote(str(kg))} lists them all.")
    return said


def check_ranking(page: Element, kg: Path, query: str, noun: str) -> str | None:
    """A ranking cut as :func:`check_cut` says, never inside a tie, and the rows it leaves out
    that share the count of the first left out are counted."""
    said = check_cut(page, kg, query, noun)
    counts = [int(row["projects"] or 0) for row in answer(kg, query)]
    shown = len(page.rows())
    if said is None:
        return None
    if shown:
        assert counts[shown - 1] != counts[shown], "a tie is cut"
    count = counts[shown]
    tied = counts[shown:].count(count)
    each = f"{count} project{'s' if count != 1 else ''} each"
    if tied == len(counts) - shown:
        assert f"{noun} with {each}." in said
    else:
        assert f": {tied:,} with {each}, {len(counts) - shown - tied:,} with fewer." in said
    return said


def test_the_top_lists_stop_outside_a_tie_and_say_what_they_leave(
    bundled_kg: Path, bundled_page: _Tree, two_lists: tuple[Path, _Tree]
) -> None:
    """The bundled list's 15th institution shares its one project with 80 others: the page shows
    the 14 above them and counts the 81. Two lists have a tie of five at the 15th place, which it
    shows whole."""
    top = bundled_page.root.after("Top institutions")
    said = check_ranking(top, bundled_kg, "institutions-by-projects", "institutions")
    assert said is not None and said.startswith("And 81 more institutions with 1 project each.")
    assert len(top.rows()) == 14
    command = shlex.split(top.all("code")[0].text())
    listed = run_osgraph(*command[1:], "--format", "csv", cwd=bundled_kg.parent).stdout
    assert len(list(csv.DictReader(listed.splitlines()))) == 14 + 81
    kg, page = two_lists
    top = page.root.after("Top institutions")
    assert check_ranking(top, kg, "institutions-by-projects", "institutions")
    assert len(top.rows()) == 17
    assert check_ranking(
        page.root.after("Projects per country"), kg, "projects-by-country", "countries"
    )
    check_ranking(page.root.after("Projects per domain"), kg, "projects-by-domain", "domains")


def test_a_long_table_says_how_many_more_and_how_to_see_them(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    folder = tmp_path_factory.mktemp("synthetic")
    kg = folder / "osgraph.ttl"
    build_file([generate_list(200, folder / "list.csv")], kg, BuildOptions(validate=False))
    page = report(kg).root
    cross = page.after("Cross-border projects")
    assert len(cross.rows()) == TABLE_ROWS
    assert check_cut(cross, kg, "cross-border-projects", "projects")
    for heading, query, noun in (
        ("Top institutions", "institutions-by-projects", "institutions"),
        ("Projects per country", "projects-by-country", "countries"),
    ):
        check_ranking(page.after(heading), kg, query, noun)


def test_a_ranking_that_is_one_long_tie_shows_none_of_it(
    write_file: WriteFile, tmp_path: Path
) -> None:
    """Thirty institutions with one project each: any fifteen of them would be a choice the
    list does not make, so the page counts them all instead."""
    source = write_file(
        "tie.csv",
        "project,institutions,countries\n"
        + "".join(f"P{n},Institution {n},China\n" for n in range(30)),
    )
    kg = write_turtle(build([source]).graph, tmp_path / "tie.ttl")
    top = report(kg).root.after("Top institutions")
    said = check_ranking(top, kg, "institutions-by-projects", "institutions")
    assert top.rows() == [] and said is not None
    assert said.startswith("30 institutions with 1 project each.")


def test_the_gazetteers_work_is_folded_away_at_the_end(
    bundled_kg: Path, bundled_page: _Tree
) -> None:
    body = bundled_page.root.all("body")[0]
    (details,) = body.all("details")
    assert "open" not in details.attrs
    last = [child for child in body.children if isinstance(child, Element)][-1]
    assert last is details
    unidentified = answer(bundled_kg, "unidentified-institutions")
    summary = details.all("summary")[0].text()
    assert summary.startswith(f"For the gazetteer: {len(unidentified)} institutions without")
    table = details.after("Institutions with neither a ROR nor a Wikidata identifier")
    check_cut(table, bundled_kg, "unidentified-institutions", "institutions")
    outside = body.text().replace(details.text(), "")
    assert "identifier" not in outside and unidentified[-1]["institution"] not in outside


def synthetic_report(rows: int, folder: Path) -> bytes:
    """The report of a ``rows``-row synthetic list of the benchmark."""
    kg = folder / "osgraph.ttl"
    build_file(
        [generate_list(rows, folder / "list.csv")], kg, BuildOptions(validate=False, store=False)
    )
    return render_report(open_engine(kg, "oxigraph"), "synthetic")


@pytest.mark.slow
def test_the_reports_size_does_not_grow_with_the_list(tmp_path: Path) -> None:
    """Every table is cut, so five times the rows make a page of the same size (the counts
    grow by a digit); the uncut page of 100,000 rows was 3.5 MB."""
    # 200 rows already fill every table past its cut: more would only take longer to build.
    small = synthetic_report(200, tmp_path / "small")
    large = synthetic_report(1_000, tmp_path / "large")
    cut = parse(small).root
    assert len(cut.all("p", "more")) == len(cut.all("table")) > 0
    assert len(large) < 20_000
    assert abs(len(large) - len(small)) < len(small) / 10
    counts = [item.text() for item in parse(large).root.all("ul", "counts")[0].all("li")]
    assert "1,000rows" in counts


def test_names_in_the_report_stay_text(write_file: WriteFile, tmp_path: Path) -> None:
    script = '<script>alert("x")</script>'
    project = f"{script} 'quoted' \"twice\""
    institution = '<img src=x onerror=alert(1)> & "Co"'
    title = '</title><script>alert("title")</script>'
    write_file(
        "h.toml",
        f"[list]\nperiod = {script!r}\nissued = 2024-01-02\n[list.title]\nen = '''{title}'''\n",
    )
    table = io.StringIO()
    csv.writer(table).writerows(
        [["project", "institutions", "countries"]]
        + [
            [name, f"{institution}; Other {line}", "UK; USA"]
            for line, name in enumerate([project, "Plain"])
        ]
    )
    source = write_file("h.csv", table.getvalue())
    kg = write_turtle(build([source]).graph, tmp_path / "h.ttl")
    tree = parse(render_report(open_engine(kg, "oxigraph"), "test"))
    assert {tag for tag, _ in tree.tags} <= {
        "html", "head", "meta", "title", "link", "style", "body", "h1", "h2", "h3", "p", "ul",
        "li", "b", "code", "span", "div", "section", "table", "tr", "th", "td", "details",
        "summary",
    }  # fmt: skip
    assert not [name for _, attrs in tree.tags for name in attrs if name.startswith("on")]
    root = tree.root
    lists = root.all("ul", "lists")[0].text()
    assert lists.startswith(f"{title}, covering {script}, published 2024-01-02")
    assert project in [row[0] for row in root.after("Cross-border projects").rows()]
    assert [institution, "2", ""] in root.after("Top institutions").rows()


def test_the_report_command(reported: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    done, out = reported
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == f"Wrote {out / 'report.html'}.\n"
    assert "Projects per country" in (out / "report.html").read_text()


def test_a_graph_without_lists_says_so() -> None:
    root = parse(render_report(open_engine(Graph(), "oxigraph"), "an empty graph")).root
    assert root.after("The lists").all("p")[0].text() == "The graph names no list."
    assert root.all("summary")[0].text().startswith("For the gazetteer: 0 institutions")
