"""The readers against hostile input: every row read is an entry or refused with its reason, at
the line it was written on; what looks like a row and is not one is a notice. Every file here is
written by the test and read from disk."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from osgraph import ErrorPolicy, SourceError, read_source
from osgraph._cli import app
from osgraph._sources.columns import TableShape
from osgraph._sources.entries import Source
from osgraph._sources.text import split_lines

from .conftest import WriteFile

# What str.splitlines ends a line at, besides CR and LF: a cell may hold any of them.
OTHER_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
CONTROLS = "\x00\x1b\x7f\x1f\x07\t"
LINE_END = re.compile(r"\r\n|\r|\n")  # the test's own count of lines: CR, LF, CRLF
MD_HEADER = "| Project | Institution | Country |\n|---|---|---|\n"
CSV_HEADER = "project,institutions,countries\n"


def lines_of(source: Source) -> dict[int, str]:
    """Each line the source accounts for, with what became of it."""
    found: dict[int, str] = {}
    for entry in source.entries:
        found[entry.origin.line] = f"entry {entry.project.name}"
    for rejection in source.rejected:
        found[rejection.origin.line] = f"rejected: {rejection.reason}"
    for notice in source.notices:
        found[notice.origin.line] = f"notice: {notice.reason}"
    return found


# 1. Only CR, LF and CRLF end a line.


@pytest.mark.parametrize("character", list(OTHER_BREAKS), ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
def test_a_markdown_cell_may_hold_any_other_line_break(
    write_file: WriteFile, character: str, ending: str
) -> None:
    text = (
        "Intro\n\n"
        + MD_HEADER
        + f"| A{character}B | X{character} | USA |\n"
        + f"| C | Y | {character}UK{character}{character} |\n"
        + "| D | Z | France |\n"
    )
    path = write_file("list.md", text.replace("\n", ending).encode())
    source = read_source(path)
    assert [(e.origin.line, e.project.name) for e in source.entries] == [
        (5, "A B"),
        (6, "C"),
        (7, "D"),
    ]
    assert source.entries[0].institutions[0].name == "X"
    assert source.entries[1].countries == ("UK",)
    assert source.entries[0].origin.text == f"| A{character}B | X{character} | USA |"
    assert not source.rejected and not source.notices


@pytest.mark.parametrize("character", list(OTHER_BREAKS), ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
def test_a_csv_cell_may_hold_any_other_line_break(
    write_file: WriteFile, character: str, ending: str
) -> None:
    text = CSV_HEADER + f"A{character}B,X{character}Y,USA\nC,Z,{character}UK\nD,W,France\n"
    path = write_file("list.csv", text.replace("\n", ending).encode())
    source = read_source(path, shape=TableShape(delimiter=","))
    assert [(e.origin.line, e.project.name) for e in source.entries] == [
        (2, "A B"),
        (3, "C"),
        (4, "D"),
    ]
    assert source.entries[0].institutions[0].name == "X Y"
    assert source.entries[1].countries == ("UK",)


def test_a_csv_cell_may_hold_a_quoted_line_break_of_any_kind(write_file: WriteFile) -> None:
    text = CSV_HEADER + '"A\r\nB",X,USA\r\n"C\rD","E\nF",UK\r\nG,Y,France\r\n'
    source = read_source(write_file("list.csv", text.encode()))
    assert [(e.origin.line, e.project.name) for e in source.entries] == [
        (2, "A B"),
        (4, "C D"),  # lines 4-6: a CR in one cell, an LF in the next
        (7, "G"),
    ]
    assert source.entries[1].institutions[0].name == "E F"


def test_lines_of_mixed_endings_are_counted_as_an_editor_counts_them(
    write_file: WriteFile,
) -> None:
    text = "Intro\r\n\r" + MD_HEADER.replace("\n", "\r\n") + "| A | X | USA |\n\n| B | Y | UK |\r"
    source = read_source(write_file("list.md", text.encode()))
    assert [(e.origin.line, e.project.name) for e in source.entries] == [(5, "A"), (7, "B")]


def test_a_byte_that_does_not_decode_is_named_at_its_line_whatever_ends_lines(
    write_file: WriteFile,
) -> None:
    data = (CSV_HEADER + "A,X,USA\rB,Y,UK\r\nC,\x0bZ,France\r").encode() + b"D,\xff,Spain\n"
    with pytest.raises(SourceError, match=r"list\.csv:5: is not UTF-8 \(byte 0xff"):
        read_source(write_file("list.csv", data))


def test_split_lines_ends_lines_at_cr_lf_and_crlf_only() -> None:
    text = "a\x0bb\r\nc\x1cd\re\u2028f\ng\x85"
    assert split_lines(text) == ["a\x0bb", "c\x1cd", "e\u2028f", "g\x85"]
    assert "".join(split_lines(text, keepends=True)) == text
    assert split_lines("x\n\n") == ["x", ""] and split_lines("") == []


# 2. A blank line, a comment or a second table does not drop the rows after it.


def test_a_blank_line_inside_a_table_does_not_end_it(write_file: WriteFile) -> None:
    text = MD_HEADER + "| A | X | USA |\n\n   \n\x0b\n| B | Y | UK |\n| C | Z | France |\n"
    source = read_source(write_file("list.md", text))
    assert [(e.origin.line, e.project.name) for e in source.entries] == [
        (3, "A"),
        (7, "B"),
        (8, "C"),
    ]


def test_a_comment_inside_a_table_does_not_end_it_and_its_rows_are_notices(
    write_file: WriteFile,
) -> None:
    text = (
        MD_HEADER
        + "| A | X | USA |\n"  # 3
        + "<!-- a note -->\n"  # 4
        + "| B | Y | UK |\n"  # 5
        + "<!--\n"  # 6
        + "| C | Z | France |\n"  # 7: commented out
        + "-->\n"  # 8
        + "  <!-- one --> <!-- two -->\n"  # 9
        + "| D | W | Spain |\n"  # 10
    )
    source = read_source(write_file("list.md", text))
    assert [(e.origin.line, e.project.name) for e in source.entries] == [
        (3, "A"),
        (5, "B"),
        (10, "D"),
    ]
    (notice,) = source.notices
    assert notice.origin.line == 7
    assert (
        notice.reason == "the line looks like a table row, inside an HTML comment: it is not read"
    )


def test_a_comment_that_never_closes_turns_every_row_after_it_into_a_notice(
    write_file: WriteFile,
) -> None:
    text = MD_HEADER + "| A | X | USA |\n<!-- forgotten\n| B | Y | UK |\n\n| C | Z | France |\n"
    source = read_source(write_file("list.md", text))
    assert [e.origin.line for e in source.entries] == [3]
    assert lines_of(source) == {
        3: "entry A",
        5: "notice: the line looks like a table row, inside an HTML comment: it is not read",
        7: "notice: the line looks like a table row, inside an HTML comment: it is not read",
    }


def test_a_second_table_with_the_same_headers_is_read_too(write_file: WriteFile) -> None:
    text = (
        "# Part 1\n\n"
        + MD_HEADER
        + "| A | X | USA |\n"  # 5
        + "\nPart 2, after prose.\n\n"
        + "| **project** | <b>Institution</b> |   country |\n| :-: | --- | --- |\n"
        + "| B | Y | UK |\n"  # 11
    )
    source = read_source(write_file("list.md", text))
    assert [(e.origin.line, e.project.name) for e in source.entries] == [(5, "A"), (11, "B")]
    assert not source.notices


def test_a_second_table_whose_headers_name_the_same_columns_is_read_too(
    write_file: WriteFile,
) -> None:
    text = (
        "| 成果 | 机构 | 国 | 备注 |\n|---|---|---|---|\n| A | X | 美国 | 1 |\n\nIn English:\n\n"
        "| Project | Institutions | Countries | 备注 |\n|---|---|---|---|\n| B | Y | UK | 2 |\n"
    )
    source = read_source(write_file("list.md", text))
    assert [(e.origin.line, e.project.name) for e in source.entries] == [(3, "A"), (9, "B")]
    assert source.ignored_columns == ("备注",)


def test_a_table_with_other_headers_is_a_notice_naming_its_rows(write_file: WriteFile) -> None:
    text = (
        "| Year | Count |\n|---|---|\n| 2022 | 1 |\n\n"  # 1-3: before the list
        + MD_HEADER  # 5, 6
        + "| A | X | USA |\n"  # 7
        + "\n| Rank | Score |\n|---|---|\n| 1 | 9 |\n| 2 | 8 |\n"  # 9-12: after it
    )
    source = read_source(write_file("list.md", text))
    assert [e.origin.line for e in source.entries] == [7]
    assert [(n.origin.line, n.reason) for n in source.notices] == [
        (
            1,
            "a table whose columns are Year | Count is not a list (it has no "
            "project/institutions/countries (成果/机构/国) columns): its row (line 3) is not read",
        ),
        (
            9,
            "a table whose columns are Rank | Score is not a list (it has no "
            "project/institutions/countries (成果/机构/国) columns): its 2 rows (lines 11-12) are "
            "not read",
        ),
    ]


def test_a_second_list_table_with_other_columns_is_refused_row_by_row(
    write_file: WriteFile,
) -> None:
    text = (
        MD_HEADER
        + "| A | X | USA |\n"  # 3
        + "\n| Project | Institution | Country | Stars |\n|---|---|---|---|\n"
        + "| B | Y | UK | 5 |\n"  # 7
        + "| C | Z | France | 6 |\n"  # 8
    )
    path = write_file("list.md", text)
    with pytest.raises(SourceError, match=r"list\.md:7: the row is in a table whose columns"):
        read_source(path)
    source = read_source(path, policy=ErrorPolicy.LENIENT)
    assert [e.origin.line for e in source.entries] == [3]
    assert [r.origin.line for r in source.rejected] == [7, 8]
    assert "line 5: Project | Institution | Country | Stars" in source.rejected[0].reason
    assert "(line 1: Project | Institution | Country)" in source.rejected[0].reason


def test_a_row_after_prose_is_a_notice_and_a_short_row_is_refused(
    write_file: WriteFile,
) -> None:
    text = (
        MD_HEADER
        + "| A | X | USA |\n"  # 3
        + "| B | Y |\n"  # 4: short, refused
        + "Source: the list's page.\n"  # 5: prose ends the table
        + "| C | Z | France |\n"  # 6
        + "D | W | Spain\n"  # 7: no edge pipes, but column separators
        + "plain prose with a bare a|b\n"  # 8: not a row
    )
    path = write_file("list.md", text)
    with pytest.raises(SourceError, match=r"list\.md:4: the row has 2 cells"):
        read_source(path)
    source = read_source(path, policy=ErrorPolicy.LENIENT)
    assert lines_of(source) == {
        3: "entry A",
        4: "rejected: the row has 2 cells where the header has 3",
        6: "notice: the line looks like a table row, outside the table (the prose on line 5 "
        "ended it): it is not read",
        7: "notice: the line looks like a table row, outside the table (the prose on line 5 "
        "ended it): it is not read",
    }


def test_a_repeated_header_inside_a_table_is_not_read_as_a_row(write_file: WriteFile) -> None:
    text = MD_HEADER + "| A | X | USA |\n" + MD_HEADER + "| B | Y | UK |\n"
    source = read_source(write_file("list.md", text))
    assert [(e.origin.line, e.project.name) for e in source.entries] == [(3, "A"), (6, "B")]


def test_every_line_that_looks_like_a_row_is_accounted_for(write_file: WriteFile) -> None:
    """A page of everything at once: every line that begins with | is a header or delimiter row
    of a table, an entry, a rejection, a notice, or a row of a table a notice names."""
    text = (
        "Intro | with a pipe\n"
        "| Year | Count |\n|---|---|\n| 2022 | 1 |\n\n"
        + MD_HEADER
        + "| A | X | USA |\n\n<!-- x -->\n| | | |\n| B | Y |\n"
        + "<!--\n| C | Z | UK |\n-->\n| D | W | France |\nprose\n| E | V | Spain |\n\n"
        + MD_HEADER
        + "| F | U | Italy |\n"
    )
    path = write_file("list.md", text)
    source = read_source(path, policy=ErrorPolicy.LENIENT)
    accounted = lines_of(source)
    tables = {2, 3, 6, 7, 20, 21}  # headers and delimiter rows
    named = {4}  # the row of the Year table, which its notice (at its header) names
    rows = {n for n, line in enumerate(text.split("\n"), 1) if line.startswith("|")}
    assert rows - tables - named == set(accounted) - {1, 2}
    assert accounted[1].startswith("notice: the line looks like a table row, outside any table")
    assert accounted[2].startswith("notice: a table whose columns are Year | Count")
    assert "(the prose on line 17 ended it)" in accounted[18]
    assert [e.project.name for e in source.entries] == ["A", "D", "F"]
    assert [r.reason for r in source.rejected] == [
        "the row is empty",
        "the row has 2 cells where the header has 3",
    ]


# 3. An unbalanced quote names the line it begins on and the lines it takes in.


def test_a_quote_that_never_closes_names_its_line_and_the_lines_it_swallows(
    write_file: WriteFile,
) -> None:
    text = CSV_HEADER + 'A,X,USA\nB,"Y,UK\nC,Z,France\n\nD,W,Spain\n'
    path = write_file("list.csv", text)
    with pytest.raises(SourceError) as raised:
        read_source(path)
    assert raised.value.line == 3
    assert raised.value.message.startswith(
        "a quoted cell begins here and is never closed (the file ends inside it): it takes in "
        "the 3 lines after it (lines 4-6)"
    )
    source = read_source(path, policy=ErrorPolicy.LENIENT)
    assert [e.origin.line for e in source.entries] == [2]
    assert [r.origin.line for r in source.rejected] == [3, 4, 6]  # line 5 is blank
    assert source.rejected[1].reason == (
        "taken into the quoted cell that begins on line 3, which is never closed (the file "
        "ends inside it)"
    )
    assert source.rejected[1].origin.text == "C,Z,France"


def test_a_quote_left_open_on_the_last_line_is_named(write_file: WriteFile) -> None:
    path = write_file("list.csv", CSV_HEADER + 'A,X,USA\nB,"Y,UK')
    with pytest.raises(SourceError, match=r"list\.csv:3: a quoted cell begins here and is never"):
        read_source(path)


def test_a_stray_quote_closed_by_another_far_below_is_named(write_file: WriteFile) -> None:
    text = CSV_HEADER + 'A,X,USA\nB,"Y,UK\nC,Z,France\nD,W"x,Spain\nE,V,Italy\n'
    path = write_file("list.csv", text)
    with pytest.raises(SourceError) as raised:
        read_source(path)
    assert (raised.value.line, raised.value.message.split(":")[0]) == (
        3,
        "a quoted cell begins here and ends on line 5 with text after its closing quote",
    )
    source = read_source(path, policy=ErrorPolicy.LENIENT)
    assert [e.origin.line for e in source.entries] == [2, 6]
    assert [r.origin.line for r in source.rejected] == [3, 4, 5]


def test_a_quote_that_swallows_more_than_csv_holds_is_named(write_file: WriteFile) -> None:
    filler = "".join(f"P{n},{'x' * 1000},USA\n" for n in range(200))
    text = CSV_HEADER + 'A,X,USA\nB,"Y,UK\n' + filler + "Z,W,France\n"
    path = write_file("list.csv", text)
    with pytest.raises(SourceError) as raised:
        read_source(path)
    assert raised.value.line == 3
    assert "is not closed within 131072 characters" in raised.value.message
    source = read_source(path, policy=ErrorPolicy.LENIENT)
    rejected = [r.origin.line for r in source.rejected]
    # The lines csv took in are rejected; it reads on after them.
    assert rejected[:3] == [3, 4, 5]
    assert source.entries[-1].project.name == "Z"
    assert len(source.entries) + len(source.rejected) == 1 + 1 + 200 + 1


def test_a_legitimate_quoted_line_break_is_not_a_stray_quote(write_file: WriteFile) -> None:
    text = CSV_HEADER + '"Multi\nline ""quoted""",X,USA\n"A" ,"B\n" , UK\nC,"D\nE",UK'
    source = read_source(write_file("list.csv", text))
    assert [(e.origin.line, e.project.name) for e in source.entries] == [
        (2, 'Multi line "quoted"'),
        (4, "A"),
        (6, "C"),
    ]
    assert source.entries[1].institutions[0].name == "B"


def test_a_row_of_several_lines_that_is_refused_names_them(write_file: WriteFile) -> None:
    path = write_file("list.csv", CSV_HEADER + 'A,"X\nY"\nB,Z,UK\n')
    with pytest.raises(SourceError, match=r"list\.csv:2: the row has 2 cells .* spans lines 2-3"):
        read_source(path)


def test_an_unclosed_quote_in_the_header_is_named(write_file: WriteFile) -> None:
    path = write_file("list.tsv", 'project\t"institutions\tcountries\nA\tX\tUSA\n')
    with pytest.raises(SourceError, match=r"list\.tsv:1: a quoted cell begins here"):
        read_source(path)


def test_lenient_build_lists_every_swallowed_line(write_file: WriteFile, tmp_path: Path) -> None:
    path = write_file(
        "list.csv", CSV_HEADER + 'Jq,Tsinghua University,China\nB,"Y,UK\nC,Z,France\n'
    )
    result = CliRunner().invoke(
        app, ["build", str(path), "--lenient", "--no-validate", "-o", str(tmp_path / "out")]
    )
    assert result.exit_code == 0, result.output
    assert "Read 3 rows from 1 list (list)." in result.output
    assert "1 are in the graph; 2 were rejected" in result.output
    assert "list.csv:3: a quoted cell begins here and is never closed" in result.output
    assert "list.csv:4: taken into the quoted cell that begins on line 3" in result.output
    strict = CliRunner().invoke(app, ["build", str(path), "-o", str(tmp_path / "out")])
    assert strict.exit_code == 1
    assert "list.csv:3: a quoted cell begins here" in strict.output
    assert "Traceback" not in strict.output


# 4. A row of separators or blanks is a row: refused as empty.


@pytest.mark.parametrize(
    "row", [",,", ",,,", '"","",""', " , ,\t", "\x0b,\x1c,\u2028", ";,|,"], ids=repr
)
def test_an_empty_csv_row_is_refused_with_its_line(write_file: WriteFile, row: str) -> None:
    path = write_file("list.csv", CSV_HEADER + "A,X,USA\n" + row + "\nB,Y,UK\n")
    with pytest.raises(SourceError) as raised:
        read_source(path)
    assert raised.value.line == 3
    source = read_source(path, policy=ErrorPolicy.LENIENT)
    assert [e.origin.line for e in source.entries] == [2, 4]
    (rejection,) = source.rejected
    assert rejection.origin.line == 3
    # A row of only separators between values is empty, or has empty values.
    assert rejection.reason in {
        "the row is empty",
        "cell 'project': has an empty value between separators",
    }


@pytest.mark.parametrize(
    "row", ["| | | |", "|  |  |  |", "|", "||", "| <font></font> | ** ** | |", "| | |"]
)
def test_an_empty_markdown_row_is_refused_with_its_line(write_file: WriteFile, row: str) -> None:
    path = write_file("list.md", MD_HEADER + "| A | X | USA |\n" + row + "\n| B | Y | UK |\n")
    with pytest.raises(SourceError, match=r"list\.md:4: the row is empty"):
        read_source(path)
    source = read_source(path, policy=ErrorPolicy.LENIENT)
    assert [e.origin.line for e in source.entries] == [3, 5]
    assert [(r.origin.line, r.reason) for r in source.rejected] == [(4, "the row is empty")]


def test_blank_lines_and_separators_above_the_header_are_not_rows(write_file: WriteFile) -> None:
    source = read_source(write_file("list.csv", "\n,,\n  \n" + CSV_HEADER + "\nA,X,USA\n\n"))
    assert [e.origin.line for e in source.entries] == [6]
    assert not source.rejected


def test_a_lenient_build_counts_empty_rows_as_rejected(
    write_file: WriteFile, tmp_path: Path
) -> None:
    path = write_file("list.csv", CSV_HEADER + "Jq,Tsinghua University,China\n,,\n")
    result = CliRunner().invoke(
        app, ["build", str(path), "--lenient", "--no-validate", "-o", str(tmp_path / "out")]
    )
    assert result.exit_code == 0, result.output
    assert "1 are in the graph; 1 were rejected" in result.output
    assert "list.csv:3: the row is empty" in result.output


# 5. A sidecar's values are what they claim to be.


@pytest.mark.parametrize(
    ("sidecar", "message"),
    [
        (
            "[list]\nissued = 2023-01-01T10:00:00\n",
            r"list\.toml: \[list\] issued must be a date such as 2023-11-08, not a date and time "
            r"\(2023-01-01T10:00:00\)",
        ),
        ("[list]\nissued = 1979-05-27T07:32:00Z\n", r"\[list\] issued .* not a date and time"),
        ("[list]\nissued = 07:32:00\n", r"\[list\] issued must be a date"),
        ("[list]\nissued = 2023\n", r"\[list\] issued must be a date"),
        ("[list]\nlanding_page = 'javascript:alert(1)'\n", r"\[list\] landing_page must be an"),
        ("[list]\nreport = 'https://a.org/> . <x'\n", r"\[list\] report must be an http\(s\) URL"),
        ("[list]\nlanguage = 'en us'\n", r"\[list\] language: 'en us' is not a language tag"),
        ("[list.title]\n'en\"' = 'x'\n", r"\[list\] title: 'en\"' is not a language tag"),
        ("[list.title]\nen = 5\n", r"\[list\] title must be a table of languages"),
        ("[list]\nisued = 2023-01-01\n", r"\[list\] isued is not a setting osgraph knows"),
        ("[lsit]\nid = 'x'\n", r"\[lsit\] is not a setting osgraph knows"),
        ("[series]\npublisher = 'X'\nurl = 'https://a.org'\n", r"\[series\] url is not"),
    ],
)
def test_a_sidecar_value_that_is_not_what_it_claims_is_refused(
    write_file: WriteFile, sidecar: str, message: str
) -> None:
    path = write_file("list.md", MD_HEADER + "| A | X | USA |\n")
    write_file("list.toml", sidecar)
    with pytest.raises(SourceError, match=message):
        read_source(path)


def test_a_sidecar_date_is_read_as_a_date(write_file: WriteFile) -> None:
    path = write_file("list.md", MD_HEADER + "| A | X | USA |\n")
    write_file("list.toml", "[list]\nissued = 2023-11-08\nlanguage = 'zh-Hans'\n")
    info = read_source(path).info
    assert info.issued is not None and info.issued.isoformat() == "2023-11-08"
    assert info.language == "zh-Hans"


# 7. Patterns end at the end of the text, not before a final newline.


def test_markdown_patterns_do_not_stop_before_a_final_newline() -> None:
    from osgraph._iri import is_web_address as _is_web_address  # the check the reader uses
    from osgraph._sources.markdown import _DELIMITER_CELL, _EMPHASIS

    assert _EMPHASIS.match("**x**\n") is None and _EMPHASIS.match("**x**") is not None
    assert _DELIMITER_CELL.match(" --- ") is not None
    assert not _is_web_address("https://example.org/\n")
    assert _is_web_address("https://example.org/")


# Properties: any cells, any line breaks, every row accounted for at its line.

BREAKS_AND_CONTROLS = OTHER_BREAKS + CONTROLS


def any_text(extra: str, exclude: str) -> st.SearchStrategy[str]:
    return st.text(
        st.one_of(
            st.sampled_from(extra),
            st.characters(exclude_categories=("Cs",), exclude_characters=exclude),
        ),
        max_size=10,
    )


def normal(text: str) -> str:
    """The documented normalisation: runs of white space become one space, none around, NFC."""
    return unicodedata.normalize("NFC", " ".join(re.split(r"\s+", text)).strip())


def expected_csv(cells: list[str]) -> tuple[str, tuple[str, ...], tuple[str, ...]] | None:
    """The entry a CSV row makes (default separators ; and |), or None when it is refused."""
    if not any(cell.strip() for cell in cells):
        return None
    values = [[normal(piece) for piece in re.split(r"[;|]", cell)] for cell in cells]
    if any(not value for cell in values for value in cell) or len(values[0]) > 1:
        return None
    return values[0][0], tuple(values[1]), tuple(values[2])


CSV_CELL = any_text(BREAKS_AND_CONTROLS + '\r\n",;| ', "")


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.tuples(st.lists(CSV_CELL, min_size=3, max_size=3), st.integers(0, 2)),
        min_size=1,
        max_size=8,
    )
)
def test_any_csv_rows_are_each_an_entry_or_a_rejection_at_their_line(
    tmp_path: Path, rows: list[tuple[list[str], int]]
) -> None:
    out = io.StringIO()
    out.write(CSV_HEADER.replace("\n", "\r\n"))
    written: list[tuple[int, list[str]]] = []
    line = 2
    for cells, blank_lines in rows:
        out.write("\r\n" * blank_lines)
        line += blank_lines
        before = out.tell()
        csv.writer(out).writerow(cells)
        written.append((line, cells))
        line += len(LINE_END.findall(out.getvalue()[before:]))
    path = tmp_path / "any.csv"
    path.write_text(out.getvalue(), encoding="utf-8", newline="")
    shape = TableShape(delimiter=",")

    source = read_source(path, policy=ErrorPolicy.LENIENT, shape=shape)
    assert len(source.entries) + len(source.rejected) == len(rows)
    kept = [(n, expected_csv(cells)) for n, cells in written]
    assert [
        (e.origin.line, e.project.name, tuple(m.name for m in e.institutions), e.countries)
        for e in source.entries
    ] == [(n, *found) for n, found in kept if found is not None]
    assert [r.origin.line for r in source.rejected] == [n for n, found in kept if found is None]

    refused = [n for n, found in kept if found is None]
    try:
        strict = read_source(path, shape=shape)
    except SourceError as error:
        assert refused and error.line == refused[0]
    else:
        assert not refused and strict.entries == source.entries


# Markdown cells hold neither | (which would make another cell) nor CR or LF (which end the
# row), nor the markup the reader removes (HTML, links, emphasis), which has tests of its own.
MD_CELL = any_text(BREAKS_AND_CONTROLS + " ", "|\r\n<&[*_")
DELIMITER_LIKE = re.compile(r"\s*:?-+:?\s*")
GAPS = ["", "   ", "\x0b\x0c", "<!-- a comment -->", "<!--\n| not | a | row |\n-->"]


def expected_md(cells: list[str]) -> tuple[str, str, str] | None:
    names = [normal(cell) for cell in cells]
    return None if not all(names) else (names[0], names[1], names[2])


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.tuples(
            st.lists(MD_CELL, min_size=3, max_size=3).filter(
                lambda cells: not all(DELIMITER_LIKE.fullmatch(cell) for cell in cells)
            ),
            st.lists(st.sampled_from(GAPS), max_size=2),
        ),
        min_size=1,
        max_size=8,
    ),
    ending=st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_any_markdown_rows_are_each_an_entry_or_a_rejection_at_their_line(
    tmp_path: Path, rows: list[tuple[list[str], list[str]]], ending: str
) -> None:
    lines = ["Prose.", "", *MD_HEADER.splitlines()]
    written: list[tuple[int, list[str]]] = []
    for cells, gaps in rows:
        for gap in gaps:
            lines += gap.split("\n")
        lines.append("| " + " | ".join(cells) + " |")
        written.append((len(lines), cells))
    path = tmp_path / "any.md"
    path.write_text(ending.join(lines) + ending, encoding="utf-8", newline="")

    source = read_source(path, policy=ErrorPolicy.LENIENT)
    assert len(source.entries) + len(source.rejected) == len(rows)
    kept = [(n, expected_md(cells)) for n, cells in written]
    assert [
        (e.origin.line, e.project.name, e.institutions[0].name, e.countries[0])
        for e in source.entries
    ] == [(n, *found) for n, found in kept if found is not None]
    assert [r.origin.line for r in source.rejected] == [n for n, found in kept if found is None]
    assert all(e.origin.text == lines[e.origin.line - 1] for e in source.entries)
    # The only notices are the rows commented out in the gaps.
    assert all("inside an HTML comment" in notice.reason for notice in source.notices)


PAGE_LINES = [
    "| Project | Institution | Country |",
    "|---|---|---|",
    "| Project | Institution | Country | Stars |",
    "|---|---|---|---|",
    "| Year | Count |",
    "|---|---|",
    "| A | X | USA |",
    "| B | Y |",
    "| C | Z | UK | 5 |",
    "| | | |",
    "D | W | France",
    "",
    " \x0b ",
    "<!-- a note -->",
    "<!--",
    "-->",
    "Prose.",
    "Prose | with a column separator.",
    "a|b",
]
DELIMITER_ROW = re.compile(r"\|?(\s*:?-+:?\s*\|)*\s*:?-+:?\s*\|?")
TABLE_ROWS = re.compile(r"lines? (\d+)(?:-(\d+))?\)")


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(page=st.lists(st.sampled_from(PAGE_LINES), max_size=25))
def test_any_page_accounts_for_every_line_that_looks_like_a_row(
    tmp_path: Path, page: list[str]
) -> None:
    path = tmp_path / "any.md"
    path.write_text("\n".join(page) + "\n", encoding="utf-8")
    try:
        source = read_source(path, policy=ErrorPolicy.LENIENT)
    except SourceError as error:
        # Leniently, only a page without a list, or a list without rows, is refused.
        assert error.message.startswith(("no table with", "the table has a header but no rows"))
        return
    accounted = set(lines_of(source))
    for notice in source.notices:
        if notice.reason.startswith("a table whose columns are"):
            for first, last in TABLE_ROWS.findall(notice.reason):
                accounted.update(range(int(first), int(last or first) + 1))
    for number, line in enumerate(page, 1):
        looks_like_a_row = line.startswith("|") or " | " in line
        is_table_edge = DELIMITER_ROW.fullmatch(line) or (
            number < len(page) and DELIMITER_ROW.fullmatch(page[number])
        )
        if looks_like_a_row and not is_table_edge:
            assert number in accounted, (number, line, lines_of(source))
