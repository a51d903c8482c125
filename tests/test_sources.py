"""The readers, quirk by quirk: markdown tables as published, and CSV."""

from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from osgraph import (
    ConfigurationError,
    Mention,
    ReadWriteError,
    SourceError,
    bundled_list,
    read_source,
)
from osgraph._sources.cells import Shared, cell_readers
from osgraph._sources.markdown import read_markdown_table

from .conftest import WriteFile

HEADER = "| 成果 | 机构 | 国 |\n| :---: | :---: | :---: |\n"


def read_rows(table_rows: str, header: str = HEADER) -> list:
    entries, _ = read_markdown_table(header + table_rows, "list.md", list_id="test")
    return entries


def test_cells_wrapped_in_html_are_read_as_their_text() -> None:
    (entry,) = read_rows(
        '| <font style="color:rgb(60, 60, 60);">Whisper</font> '
        '| <font style="color:rgb(60, 60, 60);">OpenAI</font> '
        '| <font style="color:rgb(60, 60, 60);">USA</font> |\n'
    )
    assert entry.project == Mention("Whisper")
    assert entry.institutions == (Mention("OpenAI"),)
    assert entry.countries == ("USA",)


def test_html_character_references_are_decoded() -> None:
    (entry,) = read_rows("| AT&amp;T Unix | Bell &lt;Labs&gt; | USA |\n")
    assert entry.project.name == "AT&T Unix"
    assert entry.institutions[0].name == "Bell <Labs>"


def test_a_link_gives_the_name_and_keeps_the_url_as_homepage() -> None:
    (project_link, institution_link) = read_rows(
        "| [Fairseq](https://github.com/facebookresearch/fairseq) | <font>Meta</font> | USA |\n"
        "| <font>LiteFS</font> | [Fly.io](http://fly.io/) | USA |\n"
    )
    assert project_link.project == Mention("Fairseq", "https://github.com/facebookresearch/fairseq")
    assert institution_link.institutions == (Mention("Fly.io", "http://fly.io/"),)


def test_a_bare_pipe_separates_values_within_a_cell() -> None:
    (entry,) = read_rows(
        "| <font>ArchProbe</font> "
        "| <font>Microsoft|Tsinghua University|University of California Irvine</font> "
        "| <font>USA|China</font> |\n"
    )
    assert [m.name for m in entry.institutions] == [
        "Microsoft",
        "Tsinghua University",
        "University of California Irvine",
    ]
    assert entry.countries == ("USA", "China")


def test_an_escaped_pipe_also_separates_values() -> None:
    (entry,) = read_rows("| CV-CUDA | NVIDIA\\|ByteDance | USA\\|China |\n")
    assert [m.name for m in entry.institutions] == ["NVIDIA", "ByteDance"]
    assert entry.countries == ("USA", "China")


def test_a_gfm_parser_splits_the_bundled_multi_value_cells_into_extra_columns() -> None:
    """The reason osgraph has its own table reader: read by GFM rules, the bundled list's cells
    with several institutions become extra columns, shifting countries out of place."""
    lines = bundled_list().read_text(encoding="utf-8").splitlines()
    archprobe = next(line for line in lines if ">ArchProbe<" in line)
    header_index = next(i for i, line in enumerate(lines) if line.startswith("| **"))
    table = "\n".join([lines[header_index], lines[header_index + 1], archprobe])

    tokens = MarkdownIt("commonmark").enable("table").parse(table)
    body = next(i for i, token in enumerate(tokens) if token.type == "tbody_open")
    gfm_cells = [token.content for token in tokens[body:] if token.type == "inline"]
    # GFM keeps three columns: the countries column gets an institution, and the third
    # institution and both countries are lost.
    assert gfm_cells[1:] == [
        '<font style="color:rgb(60, 60, 60);">Microsoft',
        "Tsinghua University",
    ]
    assert not any("USA" in cell or "Irvine" in cell for cell in gfm_cells)

    entries, _ = read_markdown_table(table, "list.md", list_id="test")
    assert [m.name for m in entries[0].institutions] == [
        "Microsoft",
        "Tsinghua University",
        "University of California Irvine",
    ]
    assert entries[0].countries == ("USA", "China")


def test_runs_of_whitespace_and_trailing_spaces_collapse() -> None:
    (entry,) = read_rows(
        "| <font>NVIDIA Linux open GPU kernel   module source</font> "
        "| <font>Quantitative Trading Firm|EdgeDB </font> | <font>USA|Slovenia</font> |\n"
    )
    assert entry.project.name == "NVIDIA Linux open GPU kernel module source"
    assert [m.name for m in entry.institutions] == ["Quantitative Trading Firm", "EdgeDB"]


@pytest.mark.parametrize(
    "header",
    [
        "| 成果 | 机构 | 国 |",
        "| Project | Institution | Country |",
        "| project | institutions | countries |",
        "| **<font>成果</font>** | **<font>机构</font>** | **<font>国</font>** |",
    ],
)
def test_headers_in_chinese_or_english(header: str) -> None:
    (entry,) = read_rows(
        "| Jq | Trinity College Dublin | Ireland |\n", header + "\n|---|---|---|\n"
    )
    assert entry.project.name == "Jq"
    assert entry.countries == ("Ireland",)


def test_columns_are_found_by_header_not_by_position() -> None:
    header = "| Country | Project | Institution |\n|---|---|---|\n"
    (entry,) = read_rows("| Ireland | Jq | Trinity College Dublin |\n", header)
    assert entry.project.name == "Jq"
    assert entry.institutions == (Mention("Trinity College Dublin"),)
    assert entry.countries == ("Ireland",)


def test_prose_and_other_tables_around_the_list_are_passed_over() -> None:
    page = (
        "# Results\n\nSome prose with a [link](https://example.org) | and a pipe.\n\n"
        "| Year | Count |\n|---|---|\n| 2023 | 1 |\n\n"
        "| Project | Institution | Country |\n|---|---|---|\n"
        "| Jq | Trinity College Dublin | Ireland |\n"
        "\nMore prose after the table.\n| not | a | row |\n"
    )
    entries, _ = read_markdown_table(page, "list.md", list_id="test")
    assert [entry.project.name for entry in entries] == ["Jq"]
    assert entries[0].origin.line == 11


def test_every_entry_remembers_its_file_line_and_raw_text(
    write_file: WriteFile, tmp_path: Path
) -> None:
    path = write_file("awards.md", "Intro\n\n" + HEADER + "| A | X | USA |\n| B | Y | UK |\n")
    source = read_source(path)
    assert [(e.origin.line, e.origin.text) for e in source.entries] == [
        (5, "| A | X | USA |"),
        (6, "| B | Y | UK |"),
    ]
    assert source.entries[0].origin.file == str(path)
    assert source.info.id == "awards"


def test_the_bundled_list_is_read_row_for_row(bundled_lines: list[str]) -> None:
    source = read_source(bundled_list())
    table_rows = [
        n for n, line in enumerate(bundled_lines, 1) if line.startswith(("| <font", "| ["))
    ]
    assert len(source.entries) == len(table_rows) == 102
    assert [e.origin.line for e in source.entries] == table_rows
    assert all(e.origin.text == bundled_lines[e.origin.line - 1] for e in source.entries)


def test_the_bundled_sidecar_says_which_edition_it_is() -> None:
    info = read_source(bundled_list()).info
    assert info.id == "open100-2022-2023"
    assert info.series_id == "benchcouncil-open100"
    assert info.issued is not None and info.issued.isoformat() == "2023-11-08"
    assert info.landing_page == "https://www.benchcouncil.org/evaluation/opencs/annual.html"
    assert info.title["zh"] == "开源系统杰出成果（2022-2023）"


def test_csv_with_semicolons_pipes_and_homepage(write_file: WriteFile) -> None:
    path = write_file(
        "mine.csv",
        "project,institutions,countries,homepage\n"
        'GraphScope,"Alibaba Group; University of Edinburgh",China|UK,https://graphscope.io\n'
        "Jq,Trinity College Dublin,Ireland,\n",
    )
    graphscope, jq = read_source(path).entries
    assert graphscope.project == Mention("GraphScope", "https://graphscope.io")
    assert [m.name for m in graphscope.institutions] == ["Alibaba Group", "University of Edinburgh"]
    assert graphscope.countries == ("China", "UK")
    assert jq.project == Mention("Jq")


def test_csv_values_are_literal_text_not_markup(write_file: WriteFile) -> None:
    path = write_file("mine.csv", "project,institutions,countries\n<b>X</b>,[A](http://a),UK\n")
    (entry,) = read_source(path).entries
    assert entry.project.name == "<b>X</b>"
    assert entry.institutions == (Mention("[A](http://a)"),)


def test_csv_rows_remember_their_first_line_and_whole_raw_text(write_file: WriteFile) -> None:
    path = write_file(
        "mine.csv",
        'project,institutions,countries\n\n"Multi\nline",A,UK\nJq,B,Ireland\n',
    )
    multi, jq = read_source(path).entries
    assert (multi.origin.line, multi.origin.text) == (3, '"Multi\nline",A,UK')
    assert multi.project.name == "Multi line"
    assert (jq.origin.line, jq.origin.text) == (5, "Jq,B,Ireland")


def test_cells_read_are_forgotten_past_a_bound_and_read_again_alike() -> None:
    _, read_values = cell_readers(None)
    shared = Shared()
    first = shared.cell("Tsinghua University; Lab 0", read_values)
    assert shared.cell("Tsinghua University; Lab 0", read_values) is first  # remembered
    for number in range(1, 70_000):
        shared.cell(f"Tsinghua University; Lab {number}", read_values)
    again = shared.cell("Tsinghua University; Lab 0", read_values)
    assert again == first and again is not first
    assert [mention.name for mention in again] == ["Tsinghua University", "Lab 0"]


def test_a_country_named_in_different_cells_is_one_string(write_file: WriteFile) -> None:
    path = write_file("mine.csv", "project,institutions,countries\nA,X,China; USA\nB,Y,USA|UK\n")
    first, second = read_source(path).entries
    assert first.countries == ("China", "USA") and second.countries == ("USA", "UK")
    assert first.countries[1] is second.countries[0]


def test_unknown_columns_are_ignored_and_reported(write_file: WriteFile) -> None:
    path = write_file("mine.csv", "project,institutions,countries,stars\nJq,B,Ireland,30000\n")
    assert read_source(path).ignored_columns == ("stars",)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("list.json", "x", r"list\.json: osgraph reads markdown \(\.md\), CSV .*Excel"),
        (
            "gbk.md",
            "| 成果 | 机构 | 国 |\n".encode("gb18030"),
            r"gbk\.md:1: is not UTF-8.*--encoding gb18030",
        ),
        ("prose.md", "Just prose.\n", r"prose\.md: no table with project/institutions/countries"),
        (
            "other.md",
            "| Year | Count |\n|---|---|\n| 1 | 2 |\n",
            r"no table with .*\(tables found: line 1: Year \| Count\)",
        ),
        (
            "short.md",
            HEADER + "| A | B |\n",
            r"short\.md:3: the row has 2 cells where the header has 3",
        ),
        ("long.md", HEADER + "| A | B | C | D |\n", r"long\.md:3: the row has 4 cells"),
        ("noproject.md", HEADER + "|  | B | USA |\n", r"noproject\.md:3: cell 'project': is empty"),
        (
            "noinst.md",
            HEADER + "| A | <font></font> | USA |\n",
            r"noinst\.md:3: cell 'institutions': is empty",
        ),
        (
            "gap.md",
            HEADER + "| A | X||Y | USA |\n",
            r"gap\.md:3: cell 'institutions': has an empty value",
        ),
        ("two.md", HEADER + "| A|B | X | USA |\n", r"two\.md:3: cell 'project': holds 2 projects"),
        ("header.csv", "name,org\nA,B\n", r"header\.csv:1: the header name, org lacks project"),
        ("empty.csv", "", r"empty\.csv: the file is empty"),
        ("ragged.csv", "project,institutions,countries\nA,B\n", r"ragged\.csv:2: the row has 2"),
        ("headonly.md", HEADER, r"headonly\.md:1: the table has a header but no rows"),
        (
            "link.md",
            HEADER + "| [A](javascript:x) | B | USA |\n",
            r"link\.md:3: cell 'project': the link 'javascript:x' is not an http\(s\) URL",
        ),
        (
            "home.csv",
            "project,institutions,countries,homepage\nA,B,USA,www.a.org\n",
            r"home\.csv:2: cell 'homepage': the link 'www\.a\.org' is not an http\(s\) URL",
        ),
    ],
)
def test_bad_input_names_file_line_and_cell(
    write_file: WriteFile, name: str, content: str | bytes, expected: str
) -> None:
    with pytest.raises(SourceError, match=expected):
        read_source(write_file(name, content))


def test_a_file_that_cannot_be_read_is_a_read_error_not_a_bad_list(
    write_file: WriteFile, tmp_path: Path
) -> None:
    with pytest.raises(ReadWriteError, match=r"missing\.md: no such file"):
        read_source(tmp_path / "missing.md")
    (tmp_path / "folder.md").mkdir()
    with pytest.raises(ReadWriteError, match=r"folder\.md: is a folder, not a file"):
        read_source(tmp_path / "folder.md")


def test_an_encoding_python_does_not_know_is_a_bad_option(write_file: WriteFile) -> None:
    path = write_file("list.csv", "project,institutions,countries\nA,B,USA\n")
    with pytest.raises(ConfigurationError, match=r"'klingon' is not an encoding Python knows"):
        read_source(path, encoding="klingon")


def test_a_bad_sidecar_is_reported_with_its_name(write_file: WriteFile) -> None:
    path = write_file("list.md", HEADER + "| A | B | USA |\n")
    write_file("list.toml", "[list]\nissued = 'last year'\n")
    with pytest.raises(SourceError, match=r"list\.toml: \[list\] issued must be a date"):
        read_source(path)
