"""Lists in their own shape: named columns, separators, delimiters, TSV and Excel workbooks."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest

from osgraph import ErrorPolicy, Mention, SourceError, read_source
from osgraph._errors import ConfigurationError
from osgraph._sources.columns import TableShape

from .conftest import WriteFile, run_osgraph

ROOT = Path(__file__).parent.parent
OPENDIGGER = ROOT.parent / "shared" / "lists" / "opendigger-companies.csv"

# A list as a spreadsheet tool exports it: headers of its own, several values a cell with commas.
MODELS = (
    'Model,Organization,"Country (from Organization)",Stars\n'
    'ChatGLM,"Tsinghua University, Zhipu.AI",China,40000\n'
    'GraphScope,"Alibaba Group, University of Edinburgh","China, UK",3000\n'
)
MODELS_SIDECAR = """[list]
id = "models"

[columns]
project = "Model"
institutions = "Organization"
countries = "Country (from Organization)"
separator = ","
"""
MODELS_OPTIONS = [
    "--column",
    "project=Model",
    "--column",
    "institutions=Organization",
    "--column",
    "countries=Country (from Organization)",
    "--separator",
    ",",
]


def osgraph(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_osgraph(*args, cwd=cwd)


def facts(path: Path, shape: TableShape | None = None) -> list[tuple[str, list[str], list[str]]]:
    return [
        (entry.project.name, [m.name for m in entry.institutions], list(entry.countries))
        for entry in read_source(path, shape=shape).entries
    ]


MODELS_FACTS = [
    ("ChatGLM", ["Tsinghua University", "Zhipu.AI"], ["China"]),
    ("GraphScope", ["Alibaba Group", "University of Edinburgh"], ["China", "UK"]),
]


def test_a_sidecar_names_the_columns_and_the_separator(write_file: WriteFile) -> None:
    path = write_file("models.csv", MODELS)
    write_file("models.toml", MODELS_SIDECAR)
    source = read_source(path)
    assert facts(path) == MODELS_FACTS
    assert source.info.id == "models"
    assert source.ignored_columns == ("Stars",)
    assert [e.origin.line for e in source.entries] == [2, 3]


def test_read_source_takes_the_same_shape_as_options(write_file: WriteFile) -> None:
    path = write_file("models.csv", MODELS)
    shape = TableShape.from_options(
        ["project=Model", "institutions=Organization", "countries=country (from organization)"],
        separator=",",
    )
    assert facts(path, shape) == MODELS_FACTS


def test_the_command_line_overrides_the_sidecar(write_file: WriteFile) -> None:
    path = write_file("models.csv", MODELS.replace("Organization,", "Lab,", 1))
    write_file("models.toml", MODELS_SIDECAR.replace('separator = ","', 'separator = ";"'))
    shape = TableShape({"institutions": "Lab"}, separator=",")
    assert facts(path, shape) == MODELS_FACTS


def test_the_separator_splits_institutions_and_countries_not_the_project(
    write_file: WriteFile,
) -> None:
    path = write_file(
        "list.csv",
        "project,institutions,countries,homepage\n"
        '"Model, Inc.","A / B",UK / Ireland,"https://example.org/a,b"\n',
    )
    (entry,) = read_source(path, shape=TableShape(separator=" / ")).entries
    assert entry.project == Mention("Model, Inc.", "https://example.org/a,b")
    assert [m.name for m in entry.institutions] == ["A", "B"]
    assert entry.countries == ("UK", "Ireland")


def test_a_named_separator_replaces_semicolons_and_pipes(write_file: WriteFile) -> None:
    path = write_file("list.csv", 'project,institutions,countries\nX,"A; B|C, D",UK\n')
    (entry,) = read_source(path, shape=TableShape(separator=",")).entries
    assert [m.name for m in entry.institutions] == ["A; B|C", "D"]


def test_a_tsv_is_read_at_tabs(write_file: WriteFile) -> None:
    path = write_file(
        "list.tsv",
        "Project\tInstitutions\tCountries\n"
        "GraphScope\tAlibaba Group; University of Edinburgh\tChina|UK\n"
        "Jq, the JSON processor\tTrinity College Dublin\tIreland\n",
    )
    assert facts(path) == [
        ("GraphScope", ["Alibaba Group", "University of Edinburgh"], ["China", "UK"]),
        ("Jq, the JSON processor", ["Trinity College Dublin"], ["Ireland"]),
    ]


def test_a_semicolon_csv_is_sniffed(write_file: WriteFile) -> None:
    path = write_file(
        "list.csv",
        "Project;Institution;Country\n"
        "ChatGLM;Tsinghua University|Zhipu.AI;China\n"
        "Jq, the JSON processor;Trinity College Dublin;Ireland\n",
    )
    assert facts(path) == [
        ("ChatGLM", ["Tsinghua University", "Zhipu.AI"], ["China"]),
        ("Jq, the JSON processor", ["Trinity College Dublin"], ["Ireland"]),
    ]


@pytest.mark.parametrize(
    ("name", "character", "option", "sidecar"),
    [
        ("list.txt", ":", ":", None),
        ("list.csv", " ", "space", None),
        ("list.csv", "\t", "tab", None),
        ("list.txt", ";", None, 'delimiter = "semicolon"'),
        ("list.csv", ":", None, 'delimiter = ":"'),
        ("list.csv", "\t", None, 'delimiter = "\\t"'),
    ],
)
def test_a_delimiter_is_named_by_its_name_or_itself(
    write_file: WriteFile, name: str, character: str, option: str | None, sidecar: str | None
) -> None:
    rows = ["project", "institutions", "countries"], ["Jq", "TCD", "Ireland"]
    path = write_file(name, "".join(character.join(row) + "\n" for row in rows))
    if sidecar:
        write_file(Path(name).with_suffix(".toml").name, f"[columns]\n{sidecar}\n")
    shape = TableShape.from_options(delimiter=option) if option else None
    assert facts(path, shape) == [("Jq", ["TCD"], ["Ireland"])]


def test_a_header_read_as_one_column_suggests_naming_the_delimiter(
    write_file: WriteFile,
) -> None:
    path = write_file("list.csv", "project:institutions:countries\nJq:TCD:Ireland\n")
    with pytest.raises(SourceError, match=r"list\.csv:1: .*guessed from the first lines"):
        read_source(path)


def test_markdown_takes_named_columns(write_file: WriteFile) -> None:
    path = write_file(
        "list.md",
        "| Year | Count |\n|---|---|\n| 1 | 2 |\n\n"
        "| Model | Lab | Country |\n|---|---|---|\n"
        "| ChatGLM | Tsinghua University|Zhipu.AI | China |\n",
    )
    shape = TableShape({"project": "model", "institutions": "LAB"}, separator=",")
    assert facts(path, shape) == [("ChatGLM", ["Tsinghua University", "Zhipu.AI"], ["China"])]
    with pytest.raises(SourceError, match=r"no table with 'Nope'/.*tables found: line 1: Year"):
        read_source(path, shape=TableShape({"project": "Nope"}))


def test_a_named_header_the_file_lacks_names_the_file_line_and_headers(
    write_file: WriteFile,
) -> None:
    path = write_file("models.csv", "\n" + MODELS)
    shape = TableShape({"institutions": "Organisation", "project": "Model"})
    with pytest.raises(SourceError) as raised:
        read_source(path, shape=shape)
    assert raised.value.line == 2
    assert str(raised.value).endswith(
        "models.csv:2: the header has no column 'Organisation' (for institutions): its columns "
        "are 'Model', 'Organization', 'Country (from Organization)', 'Stars'"
    )


def test_a_named_header_is_not_replaced_by_a_known_one(write_file: WriteFile) -> None:
    path = write_file("list.csv", "project,institutions,countries\nJq,TCD,Ireland\n")
    with pytest.raises(SourceError, match=r"no column 'Lab' \(for institutions\)"):
        read_source(path, shape=TableShape({"institutions": "Lab"}))


def test_a_named_column_takes_precedence_over_a_known_header(write_file: WriteFile) -> None:
    path = write_file(
        "list.csv", "project,institution,lab,country\nJq,Someone,Trinity College Dublin,Ireland\n"
    )
    source = read_source(path, shape=TableShape({"institutions": "lab"}))
    assert source.entries[0].institutions == (Mention("Trinity College Dublin"),)
    assert source.ignored_columns == ("institution",)


@pytest.mark.parametrize(
    ("sidecar", "expected"),
    [
        ("[columns]\ncolour = 'red'\n", r"list\.toml: \[columns\] colour is not a setting"),
        ("[columns]\nproject = 3\n", r"list\.toml: \[columns\] project must be a non-empty string"),
        ("[columns]\ndelimiter = 'ab'\n", r"list\.toml: \[columns\]: the delimiter 'ab'"),
        (
            "[columns]\nproject = 'A'\ninstitutions = 'a'\n",
            r"list\.toml: \[columns\]: project and institutions are named to one column",
        ),
        ("columns = 'x'\n", r"list\.toml: \[columns\] must be a table"),
    ],
)
def test_a_bad_columns_table_names_the_sidecar(
    write_file: WriteFile, sidecar: str, expected: str
) -> None:
    path = write_file("list.csv", "project,institutions,countries\nJq,TCD,Ireland\n")
    write_file("list.toml", sidecar)
    with pytest.raises(SourceError, match=expected):
        read_source(path)


@pytest.mark.parametrize(
    ("columns", "options", "expected"),
    [
        (["org=Organization"], {}, r"'org' is not a column osgraph reads: name project, "),
        (["institutions"], {}, r"write FIELD=HEADER"),
        (["project=A", "project=B"], {}, r"names the column of project twice"),
        (["project= "], {}, r"the header named for project is empty"),
        ([], {"separator": ""}, r"the separator is empty"),
        ([], {"delimiter": "tabs"}, r"the delimiter 'tabs' is not one character"),
        ([], {"delimiter": '"'}, r"the delimiter '\"' is not one character that can separate"),
    ],
)
def test_bad_options_are_refused(
    columns: list[str], options: dict[str, str], expected: str
) -> None:
    with pytest.raises(ConfigurationError, match=expected):
        TableShape.from_options(columns, **options)


def write_workbook(path: Path, rows: list[list[object]], title: str = "Sheet") -> Path:
    import openpyxl  # only the workbook tests load it

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


WORKBOOK_ROWS: list[list[object]] = [
    [],
    ["Model", "Organization", "Country", "Released", "Stars"],
    ["ChatGLM", "Tsinghua University, Zhipu.AI", "China", dt.datetime(2023, 3, 14), 40000],
    ["Broken", None, "China"],
    [],
    [360, "360", "China", dt.date(2020, 1, 2), 12.5],
]


def test_an_excel_workbook_is_read_row_by_row(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "models.xlsx", WORKBOOK_ROWS)
    shape = TableShape({"project": "Model"}, separator=",")
    source = read_source(path, policy=ErrorPolicy.LENIENT, shape=shape)
    chatglm, number = source.entries
    assert (chatglm.origin.line, chatglm.origin.text) == (
        3,
        "ChatGLM\tTsinghua University, Zhipu.AI\tChina\t2023-03-14\t40000",
    )
    assert [m.name for m in chatglm.institutions] == ["Tsinghua University", "Zhipu.AI"]
    assert (number.origin.line, number.origin.text) == (6, "360\t360\tChina\t2020-01-02\t12.5")
    assert number.project == Mention("360")
    assert [str(rejection) for rejection in source.rejected] == [
        f"{path}:4: cell 'institutions': is empty"
    ]
    assert source.ignored_columns == ("Released", "Stars")


def test_a_bad_excel_row_names_the_file_row_and_cell(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "models.xlsx", WORKBOOK_ROWS)
    with pytest.raises(SourceError) as raised:
        read_source(path, shape=TableShape({"project": "Model"}, separator=","))
    assert (raised.value.path, raised.value.line, raised.value.cell) == (
        str(path),
        4,
        "institutions",
    )
    assert str(raised.value) == f"{path}:4: cell 'institutions': is empty"


def test_an_excel_row_longer_than_its_header_is_refused(tmp_path: Path) -> None:
    rows: list[list[object]] = [["project", "institutions", "countries"], ["A", "B", "UK", "x"]]
    path = write_workbook(tmp_path / "list.xlsx", rows)
    with pytest.raises(
        SourceError, match=r"list\.xlsx:2: the row has 4 cells where the header has 3"
    ):
        read_source(path)


def test_the_sidecar_names_the_sheet(write_file: WriteFile, tmp_path: Path) -> None:
    import openpyxl

    path = tmp_path / "list.xlsx"
    workbook = openpyxl.Workbook()
    first = workbook.active
    assert first is not None
    first.append(["Notes"])
    workbook.create_sheet("Awards").append(["project", "institutions", "countries"])
    workbook["Awards"].append(["Jq", "Trinity College Dublin", "Ireland"])
    workbook.save(path)
    with pytest.raises(SourceError, match=r"list\.xlsx:1: the header Notes lacks project"):
        read_source(path)
    write_file("list.toml", "[columns]\nsheet = 'Awards'\n")
    assert facts(path) == [("Jq", ["Trinity College Dublin"], ["Ireland"])]
    write_file("list.toml", "[columns]\nsheet = 'Prizes'\n")
    with pytest.raises(
        SourceError, match=r"has no sheet 'Prizes': its sheets are 'Sheet', 'Awards'"
    ):
        read_source(path)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"not a workbook", r"broken\.xlsx: is not an Excel workbook osgraph can read"),
        (b"PK\x05\x06" + bytes(18), r"broken\.xlsx: is not an Excel workbook osgraph can read"),
    ],
)
def test_a_file_openpyxl_cannot_open_is_a_source_error(
    write_file: WriteFile, content: bytes, expected: str
) -> None:
    with pytest.raises(SourceError, match=expected):
        read_source(write_file("broken.xlsx", content))


def test_an_empty_workbook_says_so(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "empty.xlsx", [])
    with pytest.raises(SourceError, match=r"empty\.xlsx: the sheet is empty"):
        read_source(path)


def test_build_takes_columns_and_a_separator_on_the_command_line(
    write_file: WriteFile, tmp_path: Path
) -> None:
    write_file("models.csv", MODELS)
    result = osgraph("build", "models.csv", *MODELS_OPTIONS, "--no-validate", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Read 2 rows from 1 list (models)." in result.stdout
    lines = result.stdout.splitlines()
    assert any(line.split() == ["contributions", "4"] for line in lines), result.stdout
    assert result.stdout.count("columns ignored (osgraph does not know them): Stars") == 1


def test_resolve_takes_the_same_options(write_file: WriteFile, tmp_path: Path) -> None:
    write_file("models.csv", MODELS)
    result = osgraph("resolve", "models.csv", *MODELS_OPTIONS, cwd=tmp_path)
    # Read in this shape, every institution and country of the list is one osgraph knows.
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("Every institution and country of the 2 rows read ")


def test_build_reports_a_missing_named_header(write_file: WriteFile, tmp_path: Path) -> None:
    write_file("models.csv", MODELS)
    result = osgraph("build", "models.csv", "--column", "institutions=Organisation", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == (
        "osgraph: error: models.csv:1: the header has no column 'Organisation' (for "
        "institutions): its columns are 'Model', 'Organization', 'Country (from Organization)', "
        "'Stars'\n"
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--column", "org=Organization"], "'org' is not a column osgraph reads"),
        (["--delimiter", "tabs"], "the delimiter 'tabs' is not one character"),
    ],
)
def test_a_malformed_option_is_a_usage_error(
    write_file: WriteFile, tmp_path: Path, options: list[str], message: str
) -> None:
    write_file("models.csv", MODELS)
    result = osgraph("build", "models.csv", *options, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_build_lists_the_bad_rows_of_a_workbook_when_lenient(tmp_path: Path) -> None:
    write_workbook(tmp_path / "models.xlsx", WORKBOOK_ROWS)
    options = ["--column", "project=Model", "--separator", ",", "--no-validate"]
    strict = osgraph("build", "models.xlsx", *options, cwd=tmp_path)
    assert strict.returncode == 1
    assert strict.stderr == "osgraph: error: models.xlsx:4: cell 'institutions': is empty\n"
    lenient = osgraph("build", "models.xlsx", *options, "--lenient", cwd=tmp_path)
    assert lenient.returncode == 0, lenient.stderr
    assert "Read 3 rows from 1 list (models)." in lenient.stdout
    assert "2 are in the graph; 1 were rejected" in lenient.stdout
    assert "  - models.xlsx:4: cell 'institutions': is empty" in lenient.stdout.splitlines()
    assert lenient.stdout.count("columns ignored") == 1


@pytest.mark.skipif(not OPENDIGGER.is_file(), reason="no shared/lists beside the checkout")
def test_the_opendigger_list_still_reads_whole() -> None:
    source = read_source(OPENDIGGER)
    assert len(source.entries) == 415
    assert source.ignored_columns == ()
    assert source.entries[0].institutions == (Mention("360"),)
