"""The reconciliation service: its manifest and every answer valid by the JSON schemas of the
Reconciliation Service API 0.2 (tests/schemas/reconciliation-0.2), names in any language,
aliases and acronyms, the country constraint, no match for an ambiguous name, and hostile
batches refused with 400; over the bundled graph, and over the graph of a real list."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from osgraph._reconcile import BATCH_SIZE, MAX_LIMIT, ReconciliationService
from tests.conftest import SHARED_LISTS
from tests.test_serve import start

from .web import http

SCHEMAS = Path(__file__).parent / "schemas" / "reconciliation-0.2"
INSTITUTION = "https://w3id.org/osgraph/ontology#Institution"
COUNTRY = "https://w3id.org/osgraph/ontology#Country"
PROJECT = "https://w3id.org/osgraph/ontology#Project"


@cache
def validator(name: str) -> Draft7Validator:
    """A validator of the schema ``name``, which finds the schemas it refers to among the
    copies (never on the network)."""
    resources = [
        (schema["$id"], Resource.from_contents(schema, default_specification=DRAFT7))
        for path in SCHEMAS.glob("*.json")
        if (schema := json.loads(path.read_text(encoding="utf-8")))
    ]
    schema = json.loads((SCHEMAS / f"{name}.json").read_text(encoding="utf-8"))
    return Draft7Validator(schema, registry=Registry().with_resources(resources))


def valid(name: str, document: object) -> bool:
    errors = list(validator(name).iter_errors(document))
    assert not errors, errors[0].message
    return True


@pytest.fixture(scope="module")
def service(bundled_kg: Path) -> ReconciliationService:
    return ReconciliationService(bundled_kg)


def ask(service: ReconciliationService, **query: Any) -> list[dict[str, Any]]:
    """The candidates for one query, checked against the result schema."""
    batch = {"q0": query}
    assert valid("reconciliation-query-batch", batch)
    answer = service.answer(json.dumps(batch))
    assert valid("reconciliation-result-batch", answer)
    result: list[dict[str, Any]] = answer["q0"]["result"]
    assert [c["score"] for c in result] == sorted((c["score"] for c in result), reverse=True)
    return result


def best(service: ReconciliationService, **query: Any) -> tuple[str, bool]:
    result = ask(service, **query)
    assert result, f"no candidate for {query}"
    assert sum(c["match"] for c in result) <= 1
    return result[0]["id"], result[0]["match"]


def test_the_manifest_is_valid_and_names_osgraphs_types(service: ReconciliationService) -> None:
    manifest = service.manifest("127.0.0.1:7878")
    assert valid("manifest", manifest)
    assert manifest["versions"] == ["0.2"]
    assert manifest["identifierSpace"] == "https://w3id.org/osgraph/id/"
    assert manifest["schemaSpace"] == "https://w3id.org/osgraph/ontology#"
    assert [t["id"] for t in manifest["defaultTypes"]] == [INSTITUTION, COUNTRY, PROJECT]
    assert manifest["view"]["url"].startswith("http://127.0.0.1:7878/sparql?query=DESCRIBE")


def test_a_hostile_host_header_does_not_reach_the_view_template(
    service: ReconciliationService,
) -> None:
    for host in ('evil"><script>', "a b", "x/y?z", ""):
        assert service.manifest(host)["view"]["url"].startswith("http://127.0.0.1/sparql?")


@pytest.mark.parametrize(
    ("query", "countries", "expected"),
    [
        ("Tsinghua University", [], "institution/tsinghua_university"),
        ("清华大学", [], "institution/tsinghua_university"),  # ROR's Chinese label
        ("THU", ["CN"], "institution/tsinghua_university"),  # an acronym, backed by a country
        ("MIT", ["United States"], "institution/massachusetts_institute_of_technology"),
        ("UC Irvine", [], "institution/university_of_california%2C_irvine"),  # an alias
        ("Carnegie Mellon University (CMU)", [], "institution/carnegie_mellon_university"),
    ],
)
def test_institutions_match_by_any_name(
    service: ReconciliationService, query: str, countries: list[str], expected: str
) -> None:
    properties = [{"pid": "country", "v": countries}] if countries else []
    assert best(service, query=query, type=INSTITUTION, properties=properties) == (expected, True)


def test_countries_and_projects_match_by_their_names(service: ReconciliationService) -> None:
    assert best(service, query="Deutschland", type=COUNTRY) == ("country/DE", True)
    assert best(service, query="美国") == ("country/US", True)
    assert best(service, query="LangChain", type=PROJECT) == ("project/langchain", True)


def test_a_candidate_names_its_kind_and_type(service: ReconciliationService) -> None:
    [tsinghua] = ask(service, query="清华大学", limit=1)
    assert [t["name"] for t in tsinghua["type"]] == ["University", "Institution"]
    assert "ROR 03cve4549" in tsinghua["description"]
    university = "https://w3id.org/osgraph/ontology#University"
    assert best(service, query="Tsinghua University", type=university)[1]
    company = "https://w3id.org/osgraph/ontology#Company"
    companies = ask(service, query="Tsinghua University", type=company)
    assert all(c["id"] != "institution/tsinghua_university" for c in companies)


def test_an_acronym_without_a_country_is_no_match(service: ReconciliationService) -> None:
    result = ask(service, query="THU", type=INSTITUTION, limit=10)
    assert "institution/tsinghua_university" in [c["id"] for c in result]
    assert not any(c["match"] for c in result)


def test_a_name_that_several_institutions_have_is_no_match_until_a_country_says_which(
    service: ReconciliationService,
) -> None:
    result = ask(service, query="Northwestern University", type=INSTITUTION)
    assert [c["score"] for c in result[:2]] == [100, 100]
    assert not any(c["match"] for c in result)
    in_ph = [{"pid": "country", "v": "PH"}]
    assert best(service, query="Northwestern University", properties=in_ph)[1]
    in_us = [{"pid": "country", "v": {"id": "country/US", "name": "United States"}}]
    us, match = best(service, query="Northwestern University", properties=in_us)
    assert match and us != best(service, query="Northwestern University", properties=in_ph)[0]


def test_the_country_leaves_out_institutions_known_to_be_elsewhere(
    service: ReconciliationService,
) -> None:
    in_germany = [{"pid": "country", "v": "Deutschland"}]
    result = ask(service, query="Tsinghua University", properties=in_germany, limit=MAX_LIMIT)
    assert "institution/tsinghua_university" not in [c["id"] for c in result]
    nowhere = [{"pid": "country", "v": "Atlantis"}]
    assert ask(service, query="Tsinghua University", properties=nowhere) == []


def test_a_near_name_is_a_candidate_but_no_match(service: ReconciliationService) -> None:
    result = ask(service, query="Tsinghua Univ", type=INSTITUTION, limit=2)
    assert result[0]["id"] == "institution/tsinghua_university"
    assert 50 <= result[0]["score"] < 100 and not result[0]["match"]
    assert len(result) == 2


def test_an_id_as_query_finds_its_entity(service: ReconciliationService) -> None:
    assert best(service, query="institution/peking_university")[0] == (
        "institution/peking_university"
    )


@pytest.fixture(scope="module")
def real_list_service(two_lists_kg: Path) -> ReconciliationService:
    return ReconciliationService(two_lists_kg)


def test_every_company_of_a_real_list_reconciles_to_its_entity_in_the_graph(
    real_list_service: ReconciliationService,
) -> None:
    """OpenDigger's companies (Apache-2.0, X-lab; see shared/lists/README.md), each asked
    with the countries its rows give it: each is a match, and an entity of the graph."""
    gazetteer = real_list_service.index.gazetteer
    countries: dict[str, set[str]] = {}
    with (SHARED_LISTS / "opendigger-companies.csv").open(encoding="utf-8") as file:
        for row in csv.DictReader(file):
            country = gazetteer.country(row["countries"])
            assert country is not None
            countries.setdefault(row["institutions"], set()).add(country.alpha2)
    names = sorted(countries)
    for first in range(0, len(names), BATCH_SIZE):
        batch = {
            str(i): {
                "query": name,
                "type": INSTITUTION,
                "properties": [{"pid": "country", "v": sorted(countries[name])}],
            }
            for i, name in enumerate(names[first : first + BATCH_SIZE], first)
        }
        answer = real_list_service.answer(json.dumps(batch))
        assert valid("reconciliation-result-batch", answer)
        for key, query in batch.items():
            top = answer[key]["result"][0]
            assert top["match"], query
            assert real_list_service.index.entity(top["id"]) is not None
            assert "graph" in top["description"]
    assert best(real_list_service, query="ant group") == ("institution/ant_group", True)


@pytest.mark.parametrize(
    "example", sorted((SCHEMAS / "examples" / "reconciliation-query-batch").glob("*/*.json"))
)
def test_the_specifications_examples_are_answered_or_refused_as_it_says(
    service: ReconciliationService, example: Path
) -> None:
    batch = json.loads(example.read_text(encoding="utf-8"))
    if example.parent.name == "invalid":
        assert list(validator("reconciliation-query-batch").iter_errors(batch))
        with pytest.raises(Exception, match="query"):
            service.answer(json.dumps(batch))
        return
    assert valid("reconciliation-query-batch", batch)
    if example.stem == "example-min":  # the others name GND's types and properties
        assert valid("reconciliation-result-batch", service.answer(json.dumps(batch)))


HOSTILE = [
    "",
    "[",
    "[]",
    "null",
    '"queries"',
    '{"q": 1}',
    '{"q": []}',
    '{"q": {}}',
    '{"q": {"query": 5}}',
    '{"q": {"query": "   "}}',
    '{"q": {"query": "x", "extra": 1}}',
    '{"q": {"query": "x", "limit": 0}}',
    '{"q": {"query": "x", "limit": -3}}',
    '{"q": {"query": "x", "limit": 2.5}}',
    '{"q": {"query": "x", "limit": true}}',
    '{"q": {"query": "x", "limit": "5"}}',
    '{"q": {"query": "x", "limit": 1e999}}',
    '{"q": {"query": "x", "limit": NaN}}',
    '{"q": {"query": "x", "limit": ' + "9" * 5000 + "}}",
    '{"q": {"query": "x", "type": "Q5"}}',
    '{"q": {"query": "x", "type": [1]}}',
    '{"q": {"query": "x", "type_strict": "maybe"}}',
    '{"q": {"query": "x", "properties": {}}}',
    '{"q": {"query": "x", "properties": [{"pid": "P17", "v": "CN"}]}}',
    '{"q": {"query": "x", "properties": [{"pid": "country"}]}}',
    '{"q": {"query": "x", "properties": [{"pid": "country", "v": [[["CN"]]]}]}}',
    '{"q": {"query": "x", "properties": [{"pid": "country", "v": 86}]}}',
    '{"q": {"query": "' + "x" * 1001 + '"}}',
    "[" * 100_000 + "]" * 100_000,
    '{"q": ' * 50_000 + "1" + "}" * 50_000,
    json.dumps({str(i): {"query": "x"} for i in range(BATCH_SIZE + 1)}),
]


def serving(kg: Path) -> Iterator[str]:
    """The address of the reconciliation service of a real `osgraph serve` of ``kg``, started
    for as long as the generator runs."""
    url, server = start(kg, workers=1)
    yield f"{url}/reconcile"
    server.shutdown()  # type: ignore[attr-defined]
    server.server_close()  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def endpoint(bundled_kg: Path) -> Iterator[str]:
    yield from serving(bundled_kg)


def test_the_endpoint_serves_the_manifest_and_answers_get_and_post(endpoint: str) -> None:
    manifest = http.get(endpoint)
    assert manifest.status_code == 200 and valid("manifest", manifest.json())
    assert manifest.headers["access-control-allow-origin"] == "*"  # CORS, which 0.2 requires
    assert manifest.json()["view"]["url"].startswith(endpoint.removesuffix("reconcile"))
    queries = json.dumps({"a": {"query": "北京大学"}, "b": {"query": "PKU", "limit": 1}})
    by_get = http.get(endpoint, params={"queries": queries})
    by_post = http.post(endpoint, data={"queries": queries})
    assert by_get.json() == by_post.json()
    assert valid("reconciliation-result-batch", by_post.json())
    assert by_post.json()["a"]["result"][0]["id"] == "institution/peking_university"
    # A page of another site may ask, as CORS allows.
    other_site = http.post(
        endpoint, data={"queries": queries}, headers={"Origin": "https://elsewhere.example"}
    )
    assert other_site.status_code == 200


def test_the_view_template_describes_the_entity(endpoint: str) -> None:
    from urllib.parse import quote

    template = http.get(endpoint).json()["view"]["url"]
    page = http.get(template.replace("{{id}}", quote("institution/peking_university", safe="")))
    assert page.status_code == 200 and '"Peking University"' in page.text


@pytest.mark.parametrize("batch", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_batches_are_refused_with_a_message(endpoint: str, batch: str) -> None:
    answer = http.post(endpoint, data={"queries": batch}, timeout=30)
    assert answer.status_code in (400, 413), answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    assert answer.text.strip() and "Traceback" not in answer.text
    assert http.get(endpoint).status_code == 200  # and the service goes on


def test_jsonp_and_other_bodies_are_refused(endpoint: str) -> None:
    jsonp = http.get(endpoint, params={"callback": "alert(1)//", "queries": "{}"})
    assert jsonp.status_code == 400 and "alert" not in jsonp.text
    as_json = http.post(endpoint, json={"queries": {}})
    assert as_json.status_code == 415
    fields = "&".join(f"f{i}=1" for i in range(100))
    assert (
        http.post(
            endpoint, content=fields, headers={"Content-Type": "application/x-www-form-urlencoded"}
        ).status_code
        == 400
    )
