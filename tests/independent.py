"""Facts read from the bundled list and data/ with nothing but regular expressions, TOML and
pycountry, so that tests compare osgraph's answers with a reading that is not osgraph's own."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from importlib import resources
from pathlib import Path

import pycountry

from osgraph import bundled_list

DATA = Path(str(resources.files("osgraph") / "data"))

Row = tuple[str, list[str], list[str]]


def plain(text: str) -> str:
    """A cell's text: tags and link targets dropped, white space collapsed."""
    return " ".join(re.sub(r"<[^>]+>|\[([^\]]*)\]\([^)]*\)", r"\1", text).split())


def list_rows() -> list[Row]:
    """(project, institutions, countries) of every row of the bundled list."""
    found = []
    for line in bundled_list().read_text(encoding="utf-8").splitlines():
        if not line.startswith(("| <font", "| [")):
            continue
        project, institutions, countries = line.strip().strip("|").split(" | ")
        found.append(
            (
                plain(project),
                [plain(i) for i in institutions.split("|")],
                [plain(c) for c in countries.split("|")],
            )
        )
    return found


def canonical_names() -> dict[str, str]:
    """Any spelling of an institution (case and spaces folded) → its canonical name."""
    entries = tomllib.loads((DATA / "institutions.toml").read_text(encoding="utf-8"))
    return {
        fold(name): entry["name"]
        for entry in entries["institution"]
        for name in [entry["name"], *entry.get("aliases", [])]
    }


def fold(name: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def country_name(spelling: str) -> str:
    """The English name of the country a list spells ``spelling``."""
    everyday = tomllib.loads((DATA / "countries.toml").read_text(encoding="utf-8"))["names"]
    country = pycountry.countries.lookup(everyday.get(spelling, spelling))
    return str(getattr(country, "common_name", country.name))
