"""Deterministic synthetic lists for the benchmark, in osgraph's CSV format and flattened.

Each row is a project built by one to three institutions, drawn with Zipf-like reuse from a pool
of institutions (one in every 25 rows, at least 100), each based in one of 80 countries; the
countries cell names each institution's country in the same order. The same size and seed always
give the same bytes.

The flat form is the same list already resolved, as tools that map tables to RDF without
resolving names need it (``bench/mapping.rml.ttl`` maps it): one table of rows, one of
contributions, one of institutions and one of countries, with the identifiers osgraph mints.

Usage: python -m bench.generate ROWS OUT.csv [--flat FOLDER] [--seed N]
"""

from __future__ import annotations

import argparse
import csv
import functools
import gettext
import io
import itertools
import random
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pycountry

from osgraph._iri import slug
from osgraph._names import name_key

COUNTRIES = sorted(country.name for country in pycountry.countries if "," not in country.name)[:80]
FLAT_TABLES = {
    "rows": ["list", "line", "text", "project", "label"],
    "contributions": ["list", "line", "project", "institution", "country"],
    "institutions": ["institution", "label"],
    "countries": ["country", "alpha3", "label", "label_zh", "spelling"],
}


def synthetic_rows(rows: int, seed: int = 2023) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """Each row's project and its (institution, country name) pairs."""
    chooser = random.Random(seed)
    pool = max(100, rows // 25)
    countries = [chooser.choice(COUNTRIES) for _ in range(pool)]
    cumulative = list(itertools.accumulate(1 / (rank + 1) for rank in range(pool)))
    for row in range(rows):
        count = chooser.choice((1, 1, 1, 2, 2, 3))
        picked = dict.fromkeys(chooser.choices(range(pool), cum_weights=cumulative, k=count))
        yield (
            f"Project {row:07d}",
            [(f"Institution {index:06d}", countries[index]) for index in picked],
        )


def named_rows(rows: int, seed: int = 2023) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """Rows as a real list names things: institutions by a name, label, alias or acronym of a
    ROR record (in any language), countries by an ISO 3166 or CLDR name in any language, so
    that resolving them asks ISO, CLDR and ROR rather than the curated gazetteer."""
    from osgraph._ror import ror_index

    chooser = random.Random(seed)
    index = ror_index()
    ids = index.ids()
    spellings = _country_spellings()
    pool = [record for record in map(index.record, chooser.sample(ids, 400)) if record]
    pool = [record for record in pool if record.country in spellings]
    for row in range(rows):
        picked = chooser.sample(pool, chooser.choice((1, 1, 1, 2, 2, 3)))
        yield (
            f"Project {row:07d}",
            [
                (
                    chooser.choice([record.label, *record.names]),
                    chooser.choice(spellings[record.country or ""]),
                )
                for record in picked
            ],
        )


@functools.cache
def _country_spellings() -> dict[str, list[str]]:
    """Each country's ISO 3166 and CLDR names that name it alone, by its alpha-2 code: looked
    up once, since resolving some 65,000 names takes seconds."""
    from osgraph._countries import _translated_names, country_names

    names = country_names()
    spellings: dict[str, list[str]] = {}
    for _, code, name in _translated_names():
        country = names.country(name)
        if country is not None and country.alpha2 == code:  # not the names two places share
            spellings.setdefault(code, []).append(name)
    return spellings


def generate_named_list(rows: int, out: Path, seed: int = 2023) -> Path:
    """Write a ``rows``-row list of :func:`named_rows` to ``out``; return ``out``."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["project", "institutions", "countries"])
        for project, pairs in named_rows(rows, seed):
            writer.writerow([project, "|".join(i for i, _ in pairs), "|".join(c for _, c in pairs)])
    return out


def generate_list(rows: int, out: Path, seed: int = 2023, flat: Path | None = None) -> Path:
    """Write a ``rows``-row list to ``out`` (and its flat form into ``flat``); return ``out``."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with ExitStack() as files:
        file = files.enter_context(out.open("w", newline="", encoding="utf-8"))
        writer = csv.writer(file)
        writer.writerow(["project", "institutions", "countries"])
        tables = _FlatTables(flat, out.stem, files) if flat else None
        for line, (project, pairs) in enumerate(synthetic_rows(rows, seed), start=2):
            cells = [
                project,
                "; ".join(institution for institution, _ in pairs),
                "; ".join(country for _, country in pairs),
            ]
            buffer = io.StringIO()
            csv.writer(buffer).writerow(cells)
            file.write(buffer.getvalue())
            if tables:
                tables.add(line, buffer.getvalue().rstrip("\r\n"), project, pairs)
    return out


class _FlatTables:
    def __init__(self, folder: Path, list_id: str, files: ExitStack) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.list_id = list_id
        self.writers = {}
        for name, header in FLAT_TABLES.items():
            table = files.enter_context(
                (folder / f"{name}.csv").open("w", newline="", encoding="utf-8")
            )
            self.writers[name] = csv.writer(table)
            self.writers[name].writerow(header)
        self.institutions: set[str] = set()
        self.countries: set[str] = set()
        self.chinese = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"])

    def add(self, line: int, text: str, project: str, pairs: list[tuple[str, str]]) -> None:
        project_slug = slug(name_key(project))
        self.writers["rows"].writerow([self.list_id, line, text, project_slug, project])
        for institution, country_name in pairs:
            institution_slug = slug(name_key(institution))
            country = pycountry.countries.lookup(country_name)
            self.writers["contributions"].writerow(
                [self.list_id, line, project_slug, institution_slug, country.alpha_2]
            )
            if institution_slug not in self.institutions:
                self.institutions.add(institution_slug)
                self.writers["institutions"].writerow([institution_slug, institution])
            if country.alpha_2 not in self.countries:
                self.countries.add(country.alpha_2)
                label = getattr(country, "common_name", country.name)
                self.writers["countries"].writerow(
                    [
                        country.alpha_2,
                        country.alpha_3,
                        label,
                        self.chinese.gettext(country.name),
                        country_name if country_name != label else "",
                    ]
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--flat", type=Path, help="also write the flat form into this folder")
    parser.add_argument("--seed", type=int, default=2023)
    arguments = parser.parse_args()
    generate_list(arguments.rows, arguments.out, arguments.seed, arguments.flat)


if __name__ == "__main__":
    main()
