"""Country names as real lists write them: ISO 3166, CLDR in every language, UN style, areas."""

from __future__ import annotations

import csv
import tomllib
from pathlib import Path

import pycountry
import pytest
from babel import Locale
from rdflib import Graph
from rdflib.namespace import RDF, RDFS

from osgraph import BuildOptions, build, build_file
from osgraph._countries import Area, country_key, country_names
from osgraph._vocabulary import OSG

from .conftest import WriteFile

SHARED_LISTS = Path(__file__).parents[2] / "shared" / "lists"
ONTOLOGY = Path(__file__).parents[1] / "ontology" / "osgraph.ttl"
COUNTRIES_TOML = Path(__file__).parents[1] / "data" / "countries.toml"


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Korea (Republic of)", "KR"),
        ("Iran (Islamic Republic of)", "IR"),
        ("Bolivia (Plurinational State of)", "BO"),
        ("Netherlands, Kingdom of the", "NL"),
        ("The Netherlands", "NL"),
        ("the netherlands", "NL"),
        ("Russia", "RU"),
        ("Russian Federation", "RU"),
        ("UAE", "AE"),
        ("U.S.", "US"),
        ("U. S. A.", "US"),
        ("united states of america", "US"),
        ("中国", "CN"),
        ("美国", "US"),
        ("香港", "HK"),
        ("Deutschland", "DE"),
        ("Allemagne", "DE"),
        ("Россия", "RU"),
        ("日本", "JP"),
        ("Cote d'Ivoire", "CI"),
        ("Côte d\u2019Ivoire", "CI"),
        ("Bosnia & Herzegovina", "BA"),
        ("UK", "GB"),
        ("Türkiye", "TR"),
        ("Turkey", "TR"),
    ],
)
def test_names_of_the_standards_resolve_in_any_style_and_language(name: str, code: str) -> None:
    country = country_names().country(name)
    assert country is not None, name
    assert country.alpha2 == code


def test_every_iso_name_and_code_resolves_to_its_own_country() -> None:
    names = country_names()
    for country in pycountry.countries:
        for attribute in ("alpha_2", "alpha_3", "name", "official_name", "common_name"):
            value = getattr(country, attribute, None)
            if value:
                found = names.country(value)
                assert found is not None and found.alpha2 == country.alpha_2, value


@pytest.mark.parametrize("locale", ["en", "zh", "zh_Hant", "de", "fr", "es", "ja", "ru", "ar"])
def test_cldr_territory_names_resolve_unless_another_language_gives_them_elsewhere(
    locale: str,
) -> None:
    names = country_names()
    iso = {country.alpha_2 for country in pycountry.countries}
    resolved = 0
    for code, name in Locale.parse(locale).territories.items():
        if code not in iso:
            continue
        found = names.country(name)
        if found is not None:
            assert found.alpha2 == code, (locale, name)
            resolved += 1
        else:  # only a name that two languages give to different places stays unresolved
            assert names.closest(name)[0][1] == 100.0, (locale, name)
    assert resolved >= 0.95 * len(iso & set(Locale.parse(locale).territories)), locale


def test_a_name_two_languages_give_to_different_places_is_not_guessed() -> None:
    names = country_names()
    assert names.lookup("Kongo") is None
    assert {name for name, _ in names.closest("Kongo")} >= {"Congo"}


@pytest.mark.parametrize(
    ("name", "term"),
    [
        ("Multinational", "Multinational"),
        ("International", "Multinational"),
        ("Global", "Multinational"),
        ("Worldwide", "Multinational"),
        ("World", "Multinational"),
        ("Welt", "Multinational"),  # CLDR's name of the world, 001, in German
        ("全球", "Multinational"),
        ("European Union", "EuropeanUnion"),
        ("Europäische Union", "EuropeanUnion"),
        ("EU", "EuropeanUnion"),
    ],
)
def test_values_that_are_no_single_country_are_areas(name: str, term: str) -> None:
    names = country_names()
    area = names.area(name)
    assert isinstance(area, Area) and area.term == term
    assert names.country(name) is None


def test_every_area_of_the_data_is_an_area_of_the_ontology() -> None:
    ontology = Graph().parse(ONTOLOGY)
    declared = set(ontology.subjects(RDF.type, OSG.Area))
    areas = tomllib.loads(COUNTRIES_TOML.read_text(encoding="utf-8"))["area"]
    assert areas
    for area in areas:
        term = OSG[area["term"]]
        assert term in declared, term
        assert str(ontology.value(term, RDFS.label)) == area["label"]
    assert {a.term for a in country_names().areas()} == {a["term"] for a in areas}


def test_suggestions_for_an_unknown_name_are_in_its_script() -> None:
    names = country_names()
    assert names.closest("Untied States")[0][0] == "United States"
    assert names.closest("中果")[0][0] == "中国"
    assert all(not name.isascii() for name, _ in names.closest("中果"))
    assert names.closest("Deutschlnd")[0][0] == "Deutschland"


def test_country_key_reads_un_and_iso_styles_alike() -> None:
    assert country_key("Korea (Republic of)") == country_key("Korea, Republic of")
    assert country_key("Korea, Republic of") == country_key("Republic of Korea")
    assert country_key("U.S.") == country_key("US") == "us"


def test_no_row_of_a_real_list_is_rejected_for_its_country(tmp_path: Path) -> None:
    source = SHARED_LISTS / "opendigger-companies.csv"
    with source.open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    # Streamed to a file: the summary is the same, without reading the graph back.
    summary = build_file([source], tmp_path / "osgraph.ttl", BuildOptions(validate=False))
    assert summary.rows_read == len(rows) == 415
    assert summary.rows_rejected == 0
    countries = {row["countries"] for row in rows}
    assert {"Netherlands, Kingdom of the", "Russian Federation"} <= countries
    assert summary.countries == len(countries)


def test_english_and_chinese_names_of_a_country_are_one_country(write_file: WriteFile) -> None:
    source = write_file(
        "mixed.csv",
        "project,institutions,countries\n"
        "A,Tsinghua University,China\nB,Tsinghua University,中国\n"
        "C,Some Lab,Korea (Republic of)\nD,Other Lab,South Korea\n",
    )
    result = build([source])
    graph = result.graph
    countries = set(graph.subjects(RDF.type, OSG.Country))
    assert {str(c).rsplit("/", 1)[1] for c in countries} == {"CN", "KR"}
    china = next(c for c in countries if str(c).endswith("/CN"))
    assert {str(label) for label in graph.objects(china, RDFS.label)} == {"China", "中国"}


def test_an_area_is_kept_as_what_it_is_and_reported(write_file: WriteFile) -> None:
    source = write_file(
        "areas.csv",
        "project,institutions,countries\n"
        "Linux,Linux Foundation,Multinational\n"
        "Gaia-X,Gaia-X AISBL,European Union\n"
        "Both,Acme|Beta,USA|Worldwide\n",
    )
    result = build([source])  # validated against the shapes
    graph = result.graph
    assert result.summary.rows_rejected == 0
    notices = [n for n in result.summary.notices if n.kind == "area"]
    assert {n.message.split("'")[1] for n in notices} == {
        "Multinational",
        "European Union",
        "Worldwide",
    }
    assert (None, RDF.type, OSG.Country) in graph
    for term in (OSG.Multinational, OSG.EuropeanUnion):
        assert (term, RDF.type, OSG.Area) in graph
        assert (term, RDF.type, OSG.Country) not in graph
    projects = {str(graph.value(p, RDFS.label)): p for p in graph.subjects(RDF.type, OSG.Project)}
    assert set(graph.objects(projects["Linux"], OSG.area)) == {OSG.Multinational}
    assert set(graph.objects(projects["Linux"], OSG.country)) == set()
    both = projects["Both"]
    assert {str(c).rsplit("/", 1)[1] for c in graph.objects(both, OSG.country)} == {"US"}
    assert set(graph.objects(both, OSG.area)) == {OSG.Multinational}
    in_area = {
        (str(graph.value(graph.value(c, OSG.institution), RDFS.label)))
        for c in graph.subjects(OSG.inArea, OSG.Multinational)
    }
    assert in_area == {"Linux Foundation", "Beta"}


def test_the_shipped_names_are_what_cldr_and_pycountry_give() -> None:
    """``data/country-names.tsv.gz`` is derived from Babel's CLDR and pycountry: with the
    versions it names, deriving it again gives the same text; with others, nearly the same."""
    import gzip

    from osgraph._countries import derive_country_names

    shipped = gzip.decompress((COUNTRIES_TOML.parent / "country-names.tsv.gz").read_bytes())
    shipped_lines = shipped.decode("utf-8").splitlines()
    derived_lines = derive_country_names().splitlines()
    if shipped_lines[0] == derived_lines[0]:  # the same versions of CLDR and pycountry
        assert shipped_lines == derived_lines
    else:
        rows = set(shipped_lines[2:])
        assert len(rows & set(derived_lines[2:])) >= 0.97 * len(rows)
