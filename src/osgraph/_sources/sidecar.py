"""What a list's sidecar says: the file beside it of the same name ending in ``.toml``, which
tells which edition of which list series the file is (``[list]``, ``[series]``) and, in its
``[columns]`` table, how a table that ``data/columns.toml`` does not describe is laid out (see
``data/README.md``). A setting the sidecar misspells is refused, not passed over.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

from osgraph._errors import ConfigurationError, SourceError
from osgraph._iri import is_web_address
from osgraph._sources.columns import ALL_FIELDS, TableShape, delimiter_named
from osgraph._sources.entries import ListInfo
from osgraph._sources.text import normalise_whitespace, read_text
from osgraph._turtle import is_language_tag


def read_sidecar(path: Path) -> tuple[Path, dict[str, object]]:
    """The sidecar of the list in ``path``, and its settings (none when there is no sidecar).

    Raises
    ------
    ReadWriteError
        When the sidecar is there and cannot be read.
    SourceError
        When it is not valid UTF-8 TOML.
    """
    sidecar = path.with_suffix(".toml")
    if not sidecar.is_file():
        return sidecar, {}
    try:
        return sidecar, tomllib.loads(read_text(sidecar))
    except tomllib.TOMLDecodeError as error:
        raise SourceError(sidecar, f"not valid TOML: {error}") from None


_SIDECAR_KEYS = {
    "": ("list", "series", "columns"),
    "list": ("id", "title", "period", "issued", "landing_page", "report", "language"),
    "series": ("id", "title", "publisher"),
}


def list_info(path: Path, sidecar: Path, settings: dict[str, object]) -> ListInfo:
    """Which list the file ``path`` is, as its sidecar's ``settings`` say, or as its name
    does where they say nothing.

    Raises
    ------
    SourceError
        When a setting is unknown or malformed; the message names the sidecar and the setting.
    """
    listing = _table(settings, "list", sidecar)
    series = _table(settings, "series", sidecar)
    for name, table in (("", settings), ("list", listing), ("series", series)):
        _check_keys(table, name, sidecar)
    issued = listing.get("issued")
    # A TOML date and time is a datetime, which is also a date: an xsd:date must be a day.
    if isinstance(issued, dt.datetime):
        raise SourceError(
            sidecar,
            "[list] issued must be a date such as 2023-11-08, not a date and time "
            f"({issued.isoformat()})",
        )
    if issued is not None and not isinstance(issued, dt.date):
        raise SourceError(sidecar, "[list] issued must be a date such as 2023-11-08")
    title = listing.get("title", {})
    if not isinstance(title, dict) or not all(
        isinstance(text, str) and text.strip() for text in title.values()
    ):
        raise SourceError(sidecar, '[list] title must be a table of languages: en = "..."')
    for language in title:
        _check_language(language, "[list] title", sidecar)
    language = _text(listing, "language", sidecar)
    if language is not None:
        _check_language(language, "[list] language", sidecar)
    return ListInfo(
        id=_text(listing, "id", sidecar) or _list_id_from_file_name(path),
        file_name=path.name,
        title={lang: text.strip() for lang, text in sorted(title.items())},
        period=_text(listing, "period", sidecar),
        issued=issued,
        landing_page=_web_address(listing, "landing_page", sidecar),
        report=_web_address(listing, "report", sidecar),
        language=language,
        series_id=_text(series, "id", sidecar),
        series_title=_text(series, "title", sidecar),
        publisher=_text(series, "publisher", sidecar),
    )


def _check_keys(table: dict[str, object], name: str, sidecar: Path) -> None:
    """Refuse a key the sidecar's table ``name`` does not have: a misspelt key would otherwise
    be dropped without a word."""
    known = _SIDECAR_KEYS[name]
    for key in table:
        if key not in known:
            where = f"[{name}] {key}" if name else f"[{key}]"
            raise SourceError(
                sidecar, f"{where} is not a setting osgraph knows: use {', '.join(known)}"
            )


def _check_language(tag: str, where: str, sidecar: Path) -> None:
    # The writer's own rule, so that what the reader accepts is what the graph can hold.
    if not is_language_tag(tag):
        raise SourceError(
            sidecar, f"{where}: {tag!r} is not a language tag (BCP 47, such as en or zh-Hans)"
        )


def _web_address(table: dict[str, object], key: str, sidecar: Path) -> str | None:
    value = _text(table, key, sidecar)
    if value is not None and not is_web_address(value):
        raise SourceError(sidecar, f"[list] {key} must be an http(s) URL, not {value!r}")
    return value


def sidecar_shape(sidecar: Path, settings: dict[str, object]) -> TableShape:
    """The shape the sidecar's ``[columns]`` table gives the list.

    Raises
    ------
    SourceError
        When a setting of ``[columns]`` is unknown or is not one :class:`TableShape` takes.
    """
    table = _table(settings, "columns", sidecar)
    known = [*ALL_FIELDS, "separator", "delimiter", "sheet"]
    texts: dict[str, str] = {}
    for key, value in table.items():
        if key not in known:
            raise SourceError(
                sidecar, f"[columns] {key} is not a setting osgraph knows: use {', '.join(known)}"
            )
        if not isinstance(value, str) or not value:
            raise SourceError(sidecar, f"[columns] {key} must be a non-empty string")
        texts[key] = value
    delimiter = texts.get("delimiter")
    try:
        return TableShape(
            {name: texts[name].strip() for name in ALL_FIELDS if name in texts},
            separator=texts.get("separator"),
            delimiter=None if delimiter is None else delimiter_named(delimiter),
            sheet=texts.get("sheet"),
        )
    except ConfigurationError as error:
        raise SourceError(sidecar, f"[columns]: {error}") from None


def _table(settings: dict[str, object], name: str, sidecar: Path) -> dict[str, object]:
    table = settings.get(name, {})
    if not isinstance(table, dict):
        raise SourceError(sidecar, f"[{name}] must be a table")
    return table


def _text(table: dict[str, object], key: str, sidecar: Path) -> str | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise SourceError(sidecar, f"{key} must be a non-empty string")
    return value.strip()


def _list_id_from_file_name(path: Path) -> str:
    return normalise_whitespace(path.stem)
