"""Human-readable documentation of osgraph's ontology, generated from ``ontology/osgraph.ttl``.

The page is made by pyLODE from the same Turtle file the builds use, so it cannot drift from
the terms the graphs are written with.
"""

from __future__ import annotations

import logging

from rdflib import Graph

from osgraph import _resources


def document_ontology() -> bytes:
    """The ontology's documentation as one HTML page (classes, properties, their definitions).

    Examples
    --------
    >>> page = document_ontology()
    >>> b"Contribution" in page and page.startswith(b"<!DOCTYPE html>")
    True
    """
    # pyLODE configures the root logger on import; keep its INFO chatter off the user's terminal.
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    logging.disable(logging.INFO)
    try:
        from pylode import OntPub

        ontology = Graph().parse(
            data=_resources.text("ontology", "osgraph.ttl"),
            format="turtle",
        )
        html: str = OntPub(ontology).make_html()
    finally:
        logging.disable(logging.NOTSET)
        root.setLevel(level)
        root.handlers[:] = handlers
    return html.encode("utf-8")
