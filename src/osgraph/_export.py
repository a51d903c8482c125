"""Write built graphs to files in the common RDF formats, and load them into remote stores.

Files are written whole or not at all: the graph goes to a temporary file beside the target,
which then replaces the target in one rename, so an interrupted write leaves the previous file
as it was (and the temporary file of a process that was killed is removed by the next write of
the same target). Every export either parses back to the graph it was made of or is refused
with a message naming the term it cannot hold. A push to a store replaces one named graph in a
single SPARQL 1.1 Graph Store Protocol request, so a push the store refuses leaves the graph it
had whole; only a 2xx answer is success, waits are bounded, and no message shows credentials.
"""

from __future__ import annotations

import base64
import json
import math
import os
import re
import stat
import sys
import tempfile
import time
import unicodedata
from collections.abc import Collection, Iterator
from contextlib import contextmanager, suppress
from importlib import resources
from pathlib import Path
from typing import IO, Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from osgraph._errors import OsgraphError
from osgraph._turtle import IRI_PATTERN, iri_problem

if sys.platform != "win32":
    import fcntl

_READABLE_BY_ALL = 0o644


def printable(text: str) -> str:
    """``text`` with every character a terminal would act on, or that would hide text, written
    as its Python escape (``\\x1b``, ``\\u202e``, ``\\n``): control and format characters,
    line and paragraph separators, surrogates, private-use and unassigned code points. Letters,
    marks, punctuation, symbols and spaces of every script stay as they are.

    Examples
    --------
    >>> printable("北京大学"), printable("\\x1b[31mred\\x1b[0m")
    ('北京大学', '\\\\x1b[31mred\\\\x1b[0m')
    """
    if text.isprintable():
        return text
    return "".join(
        character
        if character.isprintable() or unicodedata.category(character) == "Zs"
        else repr(character)[1:-1]
        for character in text
    )


def write_turtle(graph: Graph, path: Path | str) -> Path:
    """Write ``graph`` as Turtle to ``path``, atomically, creating its folder if needed.

    The same graph always gives the same bytes: subjects, predicates and objects are written in
    sorted order, and the graph holds no blank nodes.

    Raises
    ------
    OsgraphError
        When the file or its folder cannot be written, or the graph holds a term Turtle cannot
        (an IRI that is not one, a lone surrogate).
    """
    _check_terms(graph, Path(path), xml=False, prefixes=())
    return write_file(path, graph.serialize(format="longturtle", encoding="utf-8"))


EXPORT_FORMATS = ("ttl", "nt", "jsonld", "xml", "trig")


def export_graph(kg: Path | str, format: str, *, ontology: bool = False) -> bytes:
    """The built graph ``kg`` (Turtle) in ``format``: ``ttl``, ``nt`` (sorted lines), ``jsonld``
    (compacted with ``ontology/context.jsonld``), ``xml`` (RDF/XML) or ``trig`` (one named graph
    per source list, named by the list edition's IRI; what belongs to several lists, or to no
    list, stays in the default graph). ``ontology`` adds the ontology's and the domain scheme's
    triples (in TriG, as a named graph of their own).

    Raises
    ------
    OsgraphError
        When ``kg`` is missing or unreadable, or ``format`` is not one of :data:`EXPORT_FORMATS`.
    """
    from osgraph._build import new_graph

    if format not in EXPORT_FORMATS:
        raise OsgraphError(f"--format {format!r}: choose one of {', '.join(EXPORT_FORMATS)}")
    kg = Path(kg)
    if not kg.is_file():
        raise OsgraphError(
            f"{kg}: no such graph; build one with `osgraph build` or name it with --kg"
        )
    graph = new_graph()
    try:
        graph.parse(kg, format="turtle")
    except Exception as error:  # rdflib's parsers raise many kinds of errors
        raise OsgraphError(f"{kg}: not readable as Turtle: {one_line(str(error))}") from None
    context = json.loads(_ontology_file("context.jsonld"))["@context"]
    _check_terms(
        graph, kg, xml=format == "xml", prefixes=set(context) if format == "jsonld" else ()
    )
    vocabulary = _ontology_graph() if ontology else None
    try:
        if format == "trig":
            return _trig(graph, vocabulary)
        if vocabulary is not None:
            graph += vocabulary
        return _serialize(graph, format)
    except Exception as error:  # what the checks above did not foresee, rdflib may still refuse
        raise OsgraphError(f"{kg}: cannot be written as {format}: {one_line(str(error))}") from None


def _serialize(graph: Graph, format: str) -> bytes:
    if format == "ttl":
        return graph.serialize(format="longturtle", encoding="utf-8")
    if format == "nt":
        lines = graph.serialize(format="nt", encoding="utf-8").splitlines(keepends=True)
        return b"".join(sorted(line for line in lines if line.strip()))
    if format == "jsonld":
        context = json.loads(_ontology_file("context.jsonld"))["@context"]
        return graph.serialize(format="json-ld", context=context, indent=1, encoding="utf-8")
    return graph.serialize(format="xml", encoding="utf-8")


# What XML 1.0 cannot hold, even as a character reference: C0 controls but tab, line feed and
# carriage return (which rdflib writes as &#13;), surrogates, U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _check_terms(graph: Graph, kg: Path, *, xml: bool, prefixes: Collection[str]) -> None:
    """Refuse a graph with a term no export could write as it is: an IRI that is not one
    (RFC 3987), text with a lone surrogate; in RDF/XML, text with a character XML 1.0 cannot
    hold, or a property whose IRI XML cannot name (it must end with a name: ``...#label``); in
    JSON-LD, an IRI that would read back as a compact IRI (``osg:x``) of the context's
    ``prefixes``."""
    seen: set[Node] = set()
    for triple in graph:
        for position, term in enumerate(triple):
            if term in seen:
                continue
            seen.add(term)
            problem = _term_problem(term, xml=xml, predicate=position == 1)
            if problem is None and isinstance(term, URIRef) and prefixes:
                scheme, _, rest = str(term).partition(":")
                if scheme in prefixes and not rest.startswith("//"):
                    problem = (
                        f"the IRI <{term}> would read back from JSON-LD as a compact IRI (the "
                        f"context names {scheme!r}); export it in another format"
                    )
            if problem is not None:
                raise OsgraphError(f"{printable(str(kg))}: {problem}")


def _term_problem(term: Node, *, xml: bool, predicate: bool) -> str | None:
    if isinstance(term, URIRef):
        if IRI_PATTERN.fullmatch(term) is None:
            return f"the term <{printable(str(term))}> is not an IRI: {iri_problem(str(term))}"
        if xml and predicate and not _XML_NAME_END.search(term):
            return (
                f"the property <{term}> cannot be written in RDF/XML, which names a property by "
                "an XML name at the end of its IRI; export it in another format"
            )
        return None
    if isinstance(term, Literal):
        text = str(term)
        if _SURROGATE.search(text):
            return f"the literal {text!r} holds a lone surrogate, which no RDF format can write"
        if xml and _NOT_XML.search(text):
            character = _NOT_XML.search(text)[0]  # type: ignore[index]
            return (
                f"the literal {text!r} holds {character!r}, which XML 1.0 cannot hold: export "
                "it in another format (ttl, nt, jsonld, trig)"
            )
        if term.datatype is not None:
            return _term_problem(term.datatype, xml=False, predicate=False)
        return None
    if isinstance(term, BNode):
        return None
    return f"the term {printable(str(term))!r} is neither an IRI, a literal nor a blank node"


# The end of an IRI that RDF/XML can write a property with: an XML name (NCName), ASCII
# letters, digits, '_', '-' and '.' and the letters of other scripts, not starting with a digit,
# '-' or '.'.
_XML_NAME_END = re.compile(r"[A-Za-z_\u00c0-\ufffd][A-Za-z0-9_.\-\u00b7-\ufffd]*$")


def one_line(text: str) -> str:
    """``text`` on one line, as :func:`printable` writes it: its white space runs made one space.

    Examples
    --------
    >>> one_line("Bad syntax\\n  at line 3\\x1b[2J")
    'Bad syntax at line 3\\\\x1b[2J'
    """
    return printable(" ".join(text.split()))


def _ontology_file(name: str) -> str:
    return (resources.files("osgraph") / "ontology" / name).read_text(encoding="utf-8")


def _ontology_graph() -> Graph:
    vocabulary = Graph()
    for name in ("osgraph.ttl", "domains.ttl"):
        vocabulary.parse(data=_ontology_file(name), format="turtle")
    return vocabulary


def _trig(graph: Graph, vocabulary: Graph | None) -> bytes:
    """One named graph per list edition: its rows, and the projects and contributions that come
    from its rows alone; the rest in the default graph."""
    from rdflib import Dataset, URIRef
    from rdflib.namespace import PROV, RDF

    from osgraph._vocabulary import OSG

    list_of: dict[Node, Node] = {}
    for row, edition in graph.subject_objects(OSG.inList):
        list_of[row] = edition
    for edition in graph.subjects(RDF.type, OSG.ListEdition):
        list_of[edition] = edition
    for kind in (OSG.Project, OSG.Contribution):
        for node in graph.subjects(RDF.type, kind):
            lists = {list_of.get(row) for row in graph.objects(node, PROV.wasDerivedFrom)}
            found = lists.pop() if len(lists) == 1 else None
            if found is not None:
                list_of[node] = found
    dataset = Dataset()
    for prefix, namespace in graph.namespaces():
        dataset.bind(prefix, namespace)
    for triple in graph:
        home = list_of.get(triple[0])
        target = dataset.graph(home) if isinstance(home, URIRef) else dataset.default_graph
        target.add(triple)
    if vocabulary is not None:
        ontology_graph = dataset.graph(URIRef("https://w3id.org/osgraph/ontology"))
        for triple in vocabulary:
            ontology_graph.add(triple)
    return dataset.serialize(format="trig", encoding="utf-8")


def write_file(path: Path | str, data: bytes) -> Path:
    """Write ``data`` to ``path`` whole or not at all (see :func:`replace_atomically`).

    Raises
    ------
    OsgraphError
        When the file or its folder cannot be written.
    """
    with replace_atomically(Path(path), binary=True) as file:
        file.write(data)
    return Path(path)


@contextmanager
def replace_atomically(path: Path, *, binary: bool = False) -> Iterator[IO[Any]]:
    """A file to write ``path`` through: a temporary file beside it (UTF-8 text, or bytes when
    ``binary``), renamed over ``path`` when the block ends, and removed if the block raises.
    Creates the folder if needed.

    The temporary file (``.NAME.*.tmp``) is locked while it is written (``flock``). A process
    that is killed cannot remove its own, so each write first removes those of the same target
    that no process holds (their writer is gone) and that are older than this process: a write
    under way in another process keeps its file.

    Raises
    ------
    OsgraphError
        When the file or its folder cannot be written.
    """
    prefix, suffix = f".{path.name}.", ".tmp"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale_temporaries(path.parent, prefix, suffix)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=prefix, suffix=suffix)
    except OSError as error:
        raise OsgraphError(f"cannot write {path}: {error.strerror}") from None
    # The lock lasts as long as this descriptor is open: until the file is renamed or removed.
    if not _lock(descriptor):
        os.close(descriptor)
        descriptor = -1
    try:
        mode = "wb" if binary else "w"
        encoding = None if binary else "utf-8"
        # Opened by name, so that the file's name is its path (to read it back, say).
        with Path(temporary).open(mode, buffering=1 << 20, encoding=encoding) as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        # mkstemp makes the file private; a published file is readable like any other.
        Path(temporary).chmod(_READABLE_BY_ALL)
        Path(temporary).replace(path)
    except OSError as error:
        raise OsgraphError(f"cannot write {path}: {error.strerror}") from None
    except UnicodeEncodeError as error:
        text = error.object[error.start : error.end]
        raise OsgraphError(f"cannot write {path}: {text!r} cannot be written as UTF-8") from None
    finally:
        Path(temporary).unlink(missing_ok=True)
        if descriptor >= 0:
            os.close(descriptor)


# The files of killed writes are those older than this (about when this process started): a
# file made since may be one another process has made and not yet locked.
_STARTED = time.time()


def _lock(descriptor: int) -> bool:
    """Lock an open file for as long as it stays open; whether the system could."""
    if sys.platform == "win32":  # pragma: no cover - no flock; an open file cannot be removed
        return False
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _remove_stale_temporaries(folder: Path, prefix: str, suffix: str) -> None:
    """Remove the files ``prefix*suffix`` in ``folder`` that killed writes left behind."""
    try:
        names = [
            entry.name
            for entry in os.scandir(folder)
            if entry.name.startswith(prefix) and entry.name.endswith(suffix)
        ]
    except OSError:
        return
    for name in names:
        with suppress(OSError):  # gone already, in use, or not ours to remove: left as it is
            _remove_if_stale(folder / name)


def _remove_if_stale(candidate: Path) -> None:
    """Remove ``candidate`` if it is a regular file older than this process that no process
    holds locked; raises OSError when it is locked."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    descriptor = os.open(candidate, flags)  # not a link's target; a FIFO does not block
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode) or status.st_mtime >= _STARTED:
            return
        if sys.platform != "win32":
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        candidate.unlink()
    finally:
        os.close(descriptor)


DEFAULT_NAMED_GRAPH = "https://w3id.org/osgraph/id/graph"
"""The named graph ``push`` replaces unless told another."""


DEFAULT_PUSH_TIMEOUT = 120.0
"""Seconds ``push`` waits for the store at each step: to send each part of the graph, and for
its answer."""
CONNECT_TIMEOUT = 10.0
"""Seconds ``push`` waits at most for a connection to the store."""

_USERINFO = re.compile(r"(?<=//)[^/?#@\s]*@")


def without_credentials(url: str) -> str:
    """``url`` (or any text with URLs in it) without the user name and password of its URLs,
    fit to print.

    Examples
    --------
    >>> without_credentials("https://admin:s3cret@store.example/data?graph=x")
    'https://store.example/data?graph=x'
    """
    return printable(_USERINFO.sub("", url))


def push_graph(
    kg: Path | str,
    endpoint: str,
    *,
    named_graph: str = DEFAULT_NAMED_GRAPH,
    user: str | None = None,
    password: str | None = None,
    digest: bool = False,
    timeout: float = DEFAULT_PUSH_TIMEOUT,
) -> int:
    """Replace ``named_graph`` of the store at ``endpoint`` with the Turtle file ``kg``.

    ``endpoint`` is the store's Graph Store Protocol URL (Oxigraph: ``http://host:7878/store``;
    Fuseki: ``http://host:3030/DATASET/data``; Virtuoso: ``http://host:8890/sparql-graph-crud-auth``
    with ``digest=True``). The file is sent as it is, in one ``PUT``: the store parses it, and
    refuses it whole if it cannot. Returns the HTTP status of the store's answer, a 2xx.

    Credentials come from ``user`` and ``password``, or from the URL (``http://user:pass@...``);
    no message shows them. osgraph waits at most ``timeout`` seconds at each step (to connect: at
    most :data:`CONNECT_TIMEOUT`), and follows no redirect: a store that answers 3xx stored
    nothing, and the message names where it points.

    Raises
    ------
    OsgraphError
        When ``kg`` is missing, ``named_graph`` is not an IRI, the store cannot be reached or
        does not answer in time, or it answers anything but 2xx.
    """
    import httpx

    kg = Path(kg)
    shown = without_credentials(endpoint)
    if not kg.is_file():
        raise OsgraphError(
            f"{printable(str(kg))}: no such graph; build one with `osgraph build` or name it with "
            "--kg"
        )
    if not (math.isfinite(timeout) and timeout > 0):
        raise OsgraphError(f"--timeout {timeout}: give a number of seconds above 0")
    problem = iri_problem(named_graph)
    if problem is not None:
        raise OsgraphError(f"--named-graph {named_graph!r} is not an IRI (RFC 3987): {problem}")
    try:
        url = httpx.URL(endpoint)
    except (httpx.InvalidURL, TypeError, ValueError) as error:
        raise OsgraphError(
            f"--endpoint {shown!r} is not a URL: {without_credentials(str(error))}"
        ) from None
    if url.scheme not in ("http", "https") or not url.host:
        raise OsgraphError(f"--endpoint {shown!r} is not an http(s) URL with a host")
    if user is None and (url.username or url.password):
        user, password = url.username, url.password
    auth: httpx.Auth | None = None
    secrets = [secret for secret in (password, url.password) if secret]
    if user is not None:
        auth = (
            httpx.DigestAuth(user, password or "")
            if digest
            else httpx.BasicAuth(user, password or "")
        )
        # What a store that echoes the request would show of the Authorization header.
        secrets.append(base64.b64encode(f"{user}:{password or ''}".encode()).decode())

    def clean(text: str) -> str:
        for secret in filter(None, secrets):
            text = text.replace(secret, "***")
        return one_line(_USERINFO.sub("", text))

    limits = httpx.Timeout(timeout, connect=min(timeout, CONNECT_TIMEOUT))
    try:
        with (
            kg.open("rb") as file,
            httpx.stream(
                "PUT",
                url.copy_with(username=None, password=None),
                params={"graph": named_graph},
                content=_Body(file),
                headers={"Content-Type": "text/turtle"},
                auth=auth,
                timeout=limits,
                follow_redirects=False,
            ) as response,
        ):
            status = response.status_code
            answer = _start_of(response)
            location = response.headers.get("location")
            target = str(response.url.join(location)) if location else None
    except httpx.TimeoutException as error:
        waited = {
            httpx.ConnectTimeout: f"connect within {min(timeout, CONNECT_TIMEOUT):g} s",
            httpx.WriteTimeout: f"take the graph within {timeout:g} s (--timeout)",
        }.get(type(error), f"answer within {timeout:g} s (--timeout)")
        raise OsgraphError(f"cannot push to {shown}: the store did not {waited}") from None
    except httpx.HTTPError as error:
        raise OsgraphError(f"cannot push to {shown}: {clean(str(error))}") from None
    except OSError as error:
        raise OsgraphError(f"cannot read {printable(str(kg))}: {error.strerror}") from None
    except Exception as error:  # the HTTP stack's own errors that httpx lets through (h11's)
        raise OsgraphError(f"cannot push to {shown}: {clean(str(error))}") from None
    if 300 <= status < 400:
        where = f"to {clean(target)}" if target else "with no Location"
        raise OsgraphError(
            f"{shown} answered {status}, a redirect {where}: nothing was stored; if that is the "
            "store, push to it with --endpoint"
        )
    if not 200 <= status < 300:
        raise OsgraphError(f"{shown} refused the graph ({status}): {clean(answer)[:500]}")
    return status


class _Body:
    """A file's bytes as the body of a request, read from its start each time the request is
    sent (digest authentication sends it twice), with its length known (``fileno``)."""

    def __init__(self, file: IO[bytes]) -> None:
        self._file = file

    def fileno(self) -> int:
        return self._file.fileno()

    def __iter__(self) -> Iterator[bytes]:
        self._file.seek(0)
        while chunk := self._file.read(1 << 20):
            yield chunk


def _start_of(response: Any, limit: int = 1 << 16) -> str:
    """The first ``limit`` bytes of an answer, as text."""
    read = bytearray()
    for chunk in response.iter_bytes():
        read += chunk
        if len(read) >= limit:
            break
    return read[:limit].decode(response.encoding or "utf-8", errors="replace")
