"""The gazetteer's loader against hostile files: every entry it refuses is named with the file,
the line of that entry and the field; nothing it reads is dropped without a word. Every file here
is written by the test and read from disk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from osgraph import ReadWriteError, SourceError
from osgraph._gazetteer import load_gazetteer
from osgraph._gazetteer_file import ROR_ID, WIKIDATA_ID
from osgraph._names import name_key

from .conftest import WriteFile

SOURCE = 'source = "https://example.org/about"\n'


def refused(path: Path, *, projects: bool = False) -> SourceError:
    with pytest.raises(SourceError) as raised:
        if projects:
            load_gazetteer(projects=path, ror=False)
        else:
            load_gazetteer(path, replace=True, ror=False)
    error = raised.value
    assert error.path == str(path)
    assert "Traceback" not in str(error)
    return error


# 6. Names claimed twice, empty names and aliases, parents that are not names or go round.


@pytest.mark.parametrize(
    ("text", "line", "cell", "message"),
    [
        # Two entries of one name: the second is refused, at its own line.
        (
            '[[institution]]\nname = "Acme"\n\n[[institution]]\nname = "Acme"\n',
            5,
            "name",
            "Acme: the name 'Acme' already names Acme (line 2)",
        ),
        (
            '[[institution]]\nname = "Acme Labs"\n\n[[institution]]\nname = "ACME   labs "\n',
            5,
            "name",
            "ACME   labs : the name 'ACME   labs ' already names Acme Labs (line 2)",
        ),
        (
            '[[institution]]\nname = "A"\naliases = ["B"]\n[[institution]]\nname = "C"\n'
            'aliases = ["b"]\n',
            5,
            "aliases",
            "C: the name 'b' already names A (line 2)",
        ),
        # Names holding quotes, in every way TOML writes a string.
        (
            '[[institution]]\nname = "Say \\"hi\\""\n[[institution]]\nname = \'Say "hi"\'\n',
            4,
            "name",
            'already names Say "hi" (line 2)',
        ),
        (
            '[[institution]]\n"name" = """Say "hi\\""""\n[[institution]]\n'
            "name = '''Say \"hi\"'''\n",
            4,
            "name",
            "already names",
        ),
        ('[[institution]]\nname = """Q "x" """\nkind = "castle"\n', 2, "kind", "kind 'castle'"),
        ("[[institution]]\n'name' = 'Q \"x\"'\nkind = \"castle\"\n", 2, "kind", "kind 'castle'"),
        # Empty names and aliases.
        ('[[institution]]\nname = ""\n', 2, "name", "the name is empty"),
        ('[[institution]]\nname = " \\t "\n', 2, "name", "the name is empty"),
        ('[[institution]]\nname = "A"\naliases = ["B", ""]\n', 2, "aliases", "an alias is empty"),
        ('[[institution]]\nname = "A"\naliases = ["  "]\n', 2, "aliases", "an alias is empty"),
        (
            '[[institution]]\nname = "A\\nB"\n',
            2,
            "name",
            "the name 'A\\nB' holds a control character or a line break (U+000A)",
        ),
        (
            '[[institution]]\nname = "A"\naliases = ["B\\u2028"]\n',
            2,
            "aliases",
            "holds a control character or a line break (U+2028)",
        ),
        ("[[institution]]\nkind = 'lab'\n", 1, "name", "every [[institution]] needs a name"),
        ("[[institution]]\nname = 5\n", 2, "name", "every [[institution]] needs a name"),
        # Parents that are not names, are the entry itself, or go round in a circle.
        (
            f'[[institution]]\nname = "A"\nparent = 5\n{SOURCE}',
            2,
            "parent",
            "A: parent must be the name of another entry, as a string",
        ),
        (
            f'[[institution]]\nname = "A"\nparent = ["B"]\n{SOURCE}',
            2,
            "parent",
            "parent must be the name",
        ),
        (f'[[institution]]\nname = "A"\nparent = ""\n{SOURCE}', 2, "parent", "parent is empty"),
        (
            f'[[institution]]\nname = "A"\nparent = "A"\n{SOURCE}',
            2,
            "parent",
            "A: 'A' is the entry itself: an entry is not its own parent",
        ),
        (
            f'[[institution]]\nname = "A"\naliases = ["Big A"]\nparent = "big  a"\n{SOURCE}',
            2,
            "parent",
            "is the entry itself",
        ),
        (
            f'[[institution]]\nname = "A"\nparent = "B"\n{SOURCE}'
            f'[[institution]]\nname = "B"\nparent = "A"\n{SOURCE}',
            2,
            "parent",
            "A: its parents go round in a circle (A → B → A)",
        ),
        (
            f'[[institution]]\nname = "Top"\n{SOURCE}'
            f'[[institution]]\nname = "A"\nparent = "B"\n{SOURCE}'
            f'[[institution]]\nname = "B"\nparent = "C"\n{SOURCE}'
            f'[[institution]]\nname = "C"\nparent = "A"\n{SOURCE}',
            5,
            "parent",
            "A: its parents go round in a circle (A → B → C → A)",
        ),
        (
            f'[[institution]]\nname = "A"\nparent = "Nobody"\n{SOURCE}',
            2,
            "parent",
            "the parent 'Nobody' has no entry of its own",
        ),
    ],
)
def test_a_bad_entry_is_refused_with_its_line_and_field(
    write_file: WriteFile, text: str, line: int, cell: str, message: str
) -> None:
    error = refused(write_file("mine.toml", text))
    assert (error.line, error.cell) == (line, cell), str(error)
    assert message in error.message


def test_a_cycle_through_the_bundled_entries_is_refused(write_file: WriteFile) -> None:
    """The file's entry takes the name of a bundled parent, and names as its parent that
    parent's own unit: the chain goes round through the bundled entry."""
    path = write_file(
        "mine.toml",
        "# mine\n[[institution]]\nname = 'Chinese Academy of Sciences'\n"
        "parent = 'Institute of Computing Technology, Chinese Academy of Sciences'\n" + SOURCE,
    )
    with pytest.raises(SourceError) as raised:
        load_gazetteer(path, ror=False)
    assert (raised.value.line, raised.value.cell) == (3, "parent")
    assert "go round in a circle" in raised.value.message


def test_an_entry_may_repeat_its_own_name_among_its_aliases(write_file: WriteFile) -> None:
    path = write_file("mine.toml", '[[institution]]\nname = "Acme"\naliases = ["ACME", "Acme"]\n')
    assert load_gazetteer(path, replace=True, ror=False).institution("acme") is not None


@pytest.mark.parametrize(
    ("text", "line", "cell", "message"),
    [
        (
            '[[institution]]\nname = "A"\naliasses = ["B"]\n',
            2,
            "aliasses",
            "'aliasses' is not a field osgraph reads",
        ),
        ('[[institution]]\nname = "A"\nnote = 5\n', 2, "note", "note must be a string"),
        (
            f'[[institution]]\nname = "A"\nkind = "lab"\n{SOURCE}[institution.sources]\n'
            'knid = "https://example.org"\n',
            2,
            "sources",
            "sources.knid: 'knid' is not a field",
        ),
        (
            '[[institution]]\nname = "A"\nkind = "lab"\nsource = "see the annual report"\n',
            2,
            "source",
            "source must be an http(s) URL",
        ),
        (
            '[[institution]]\nname = "A"\ncountry = "cn"\n' + SOURCE,
            2,
            "country",
            "'cn' is not an ISO 3166-1 alpha-2 code",
        ),
        (
            '[[institution]]\nname = "A"\ncountry = "CN\\n"\n' + SOURCE,
            2,
            "country",
            "is not an ISO 3166-1 alpha-2 code",
        ),
    ],
)
def test_what_would_be_dropped_silently_is_refused(
    write_file: WriteFile, text: str, line: int, cell: str, message: str
) -> None:
    error = refused(write_file("mine.toml", text))
    assert (error.line, error.cell) == (line, cell), str(error)
    assert message in error.message


def test_a_misspelt_table_is_refused_not_read_as_no_entries(write_file: WriteFile) -> None:
    error = refused(write_file("mine.toml", '[[institutions]]\nname = "A"\n'))
    assert error.message == (
        "'institutions' is not a table osgraph reads here: write each entry as [[institution]]"
    )


def test_a_toml_syntax_error_names_its_line(write_file: WriteFile) -> None:
    error = refused(write_file("mine.toml", '[[institution]]\nname = "A"\nkind = "lab\n'))
    assert error.line == 3 and error.message.startswith("not valid TOML")


def test_a_file_that_cannot_be_read_is_a_read_error_and_bad_text_a_bad_file(
    write_file: WriteFile, tmp_path: Path
) -> None:
    with pytest.raises(ReadWriteError, match=r"missing\.toml: no such file"):
        load_gazetteer(tmp_path / "missing.toml", ror=False)
    with pytest.raises(ReadWriteError, match=r"missing\.toml: no such file"):
        load_gazetteer(projects=tmp_path / "missing.toml", ror=False)
    error = refused(write_file("latin1.toml", 'name = "caf\xe9"\n'.encode("latin-1")))
    assert error.message.startswith("cannot be read: 'utf-8' codec can't decode")


def test_entries_in_an_inline_array_are_found_by_their_names(write_file: WriteFile) -> None:
    path = write_file(
        "mine.toml",
        'institution = [\n  { name = "A" },\n  { name = "B", kind = "castle" },\n]\n',
    )
    error = refused(path)
    assert (error.line, error.cell) == (3, "kind")


# Projects: the same checks.


@pytest.mark.parametrize(
    ("text", "line", "cell", "message"),
    [
        (
            '[[project]]\nname = "Jq"\n\n[[project]]\nname = "JQ"\n',
            5,
            "name",
            "JQ: 'Jq' already has an entry (line 2)",
        ),
        ('[[project]]\nname = "  "\n', 2, "name", "the name is empty"),
        ('[[project]]\nname = "X"\nrepo = "https://a.org"\n', 2, "repo", "'repo' is not a field"),
        (
            '[[project]]\nname = "X"\nrepositories = ["https://github.com/x/x\\n"]\n' + SOURCE,
            2,
            "repositories",
            "repositories must be a list of http(s) URLs",
        ),
        ('[[project]]\nname = "X"\nnote = ["a"]\n', 2, "note", "note must be a string"),
    ],
)
def test_a_bad_project_is_refused_with_its_line_and_field(
    write_file: WriteFile, text: str, line: int, cell: str, message: str
) -> None:
    error = refused(write_file("projects.toml", text), projects=True)
    assert (error.line, error.cell) == (line, cell), str(error)
    assert message in error.message


# 7. Identifiers end at the end of the text, not before a final newline.


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("wikidata", "Q42\\n"),
        ("ror", "03cve4549\\n"),
        ("homepage", "https://example.org/\\n"),
        ("wikidata", "Q42\\r"),
        ("ror", " 03cve4549"),
    ],
)
def test_an_identifier_with_a_final_newline_is_refused(
    write_file: WriteFile, field: str, value: str
) -> None:
    text = f'[[institution]]\nname = "A"\n{field} = "{value}"\n{SOURCE}'
    error = refused(write_file("mine.toml", text))
    assert (error.line, error.cell) == (2, field)


def test_a_source_with_a_final_newline_is_refused(write_file: WriteFile) -> None:
    text = '[[institution]]\nname = "A"\nkind = "lab"\nsource = "https://example.org/\\n"\n'
    assert refused(write_file("mine.toml", text)).cell == "source"
    text = (
        '[[institution]]\nname = "A"\nkind = "lab"\n'
        '[institution.sources]\nkind = "https://example.org/\\n"\n'
    )
    assert refused(write_file("mine.toml", text)).cell == "sources"


def test_the_identifier_patterns_match_whole_texts_only() -> None:
    assert WIKIDATA_ID.match("Q42") and not WIKIDATA_ID.match("Q42\n")
    assert ROR_ID.match("03cve4549") and not ROR_ID.match("03cve4549\n")
    assert not WIKIDATA_ID.match("Q042") and not ROR_ID.match("x03cve4549")


def test_the_bundled_gazetteer_still_loads_whole() -> None:
    gazetteer = load_gazetteer(ror=False)
    assert len(gazetteer.institutions()) == 138
    assert gazetteer.institution("Tsinghua University") is not None


# Property: whatever a name holds and however it is quoted, a bad entry is named at its line.

NAMES = st.text(
    st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=12
).filter(lambda name: name.strip())


def toml_string(name: str, literal: bool) -> str:
    if literal and "'" not in name:
        return f"'{name}'"
    return json.dumps(name, ensure_ascii=False)  # a JSON string of printable text is TOML's


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    names=st.lists(NAMES, min_size=1, max_size=8),
    literal=st.lists(st.booleans(), min_size=8, max_size=8),
    bad=st.integers(0, 7),
)
def test_any_names_a_bad_entry_is_named_at_its_line(
    tmp_path: Path, names: list[str], literal: list[bool], bad: int
) -> None:
    bad %= len(names)
    text, lines, expected = "# any\n", 1, 0
    for index, name in enumerate(names):
        text += f"\n[[institution]]\nname = {toml_string(name, literal[index])}\n"
        lines += 3  # a blank line, the header, the name
        if index == bad:
            expected = lines
            text += 'kind = "castle"\n'
            lines += 1
    path = tmp_path / "any.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourceError) as raised:
        load_gazetteer(path, replace=True, ror=False)
    assert (raised.value.line, raised.value.cell) == (expected, "kind")
    # Without the bad kind, two entries of one name are refused at the second one's line.
    path.write_text(text.replace('kind = "castle"\n', ""), encoding="utf-8")
    seen: dict[str, int] = {}
    twice = None
    for index, name in enumerate(names):
        key = name_key(name)
        if key in seen:
            twice = (seen[key], index)
            break
        seen[key] = index
    if twice is None:
        return
    with pytest.raises(SourceError) as raised:
        load_gazetteer(path, replace=True, ror=False)
    assert (raised.value.line, raised.value.cell) == (4 + 3 * twice[1], "name")
