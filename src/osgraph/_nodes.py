"""The Turtle terms of the nodes of a resolution's knowledge graph, made once for those that
recur (a project's term for each of its contributions, an institution's for each project)."""

from __future__ import annotations

from osgraph._iri import IriScheme, slug
from osgraph._sources.entries import Origin
from osgraph._turtle import prefixed


class Nodes:
    """The Turtle terms of the graph's nodes; those that recur are made once.

    Projects, institutions and countries keep their slug beside their term: a contribution's
    term is made of the three slugs, millions of times in a large list.
    """

    def __init__(self, iris: IriScheme) -> None:
        self._iris = iris
        self._namespaces = iris.namespaces
        self._institutions: dict[str, tuple[str, str]] = {}
        self._countries: dict[str, tuple[str, str]] = {}
        self._editions: dict[str, str] = {}
        self._rows: dict[str, tuple[str, str]] = {}
        self._last_project = ("", "", "")

    def project(self, key: str) -> str:
        return self._project(key)[1]

    def _project(self, key: str) -> tuple[str, str]:
        # Contributions come grouped by project: the last one made is most often the next.
        last_key, last_slug, last_term = self._last_project
        if last_key != key:
            last_slug = slug(key)
            last_term = prefixed("project", self._namespaces["project"], last_slug)
            self._last_project = (key, last_slug, last_term)
        return last_slug, last_term

    def institution(self, key: str) -> str:
        return self._slug_and_term(self._institutions, "institution", key)[1]

    def country(self, code: str) -> str:
        return self._slug_and_term(self._countries, "country", code)[1]

    def _slug_and_term(
        self, made: dict[str, tuple[str, str]], kind: str, key: str
    ) -> tuple[str, str]:
        found = made.get(key)
        if found is None:
            key_slug = slug(key)
            found = made[key] = (key_slug, prefixed(kind, self._namespaces[kind], key_slug))
        return found

    def edition(self, list_id: str) -> str:
        term = self._editions.get(list_id)
        if term is None:
            term = self._editions[list_id] = self._iris.turtle(self._iris.edition(list_id))
        return term

    def row(self, origin: Origin) -> str:
        around = self._rows.get(origin.list_id)
        if around is None:
            # The term of line 0, split around its number: the same for every line.
            head, _, tail = self._iris.turtle(self._iris.row(origin.list_id, 0)).rpartition("0")
            around = self._rows[origin.list_id] = (head, tail)
        return f"{around[0]}{origin.line}{around[1]}"

    def contribution(self, project: str, institution: str, country: str) -> str:
        """The term of :meth:`IriScheme.contribution`, from the slugs already made."""
        local = IriScheme.contribution_path(
            self._project(project)[0],
            self._slug_and_term(self._institutions, "institution", institution)[0],
            self._slug_and_term(self._countries, "country", country)[0],
        )
        return prefixed("contribution", self._namespaces["contribution"], local)

    def series(self, series_id: str) -> str:
        return self._iris.turtle(self._iris.series(series_id))

    def agent(self, key: str) -> str:
        return self._iris.turtle(self._iris.agent(key))
