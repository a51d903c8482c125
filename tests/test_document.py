"""The ontology's documentation page: every term of ontology/osgraph.ttl is on it, nothing else is
fetched to read it."""

from __future__ import annotations

import re
from pathlib import Path

from rdflib import OWL, RDF, RDFS, Graph
from typer.testing import CliRunner

from osgraph._cli import app

ONTOLOGY = Path(__file__).parent.parent / "ontology" / "osgraph.ttl"


def test_the_page_documents_every_class_and_property(tmp_path: Path) -> None:
    out = tmp_path / "docs" / "ontology.html"
    done = CliRunner().invoke(app, ["document", "--out", str(out)])
    assert done.exit_code == 0, done.stderr
    assert done.stdout == f"Wrote {out}.\n"
    assert done.stderr == ""
    page = out.read_text(encoding="utf-8")

    ontology = Graph().parse(ONTOLOGY)
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    terms = {term for kind in kinds for term in ontology.subjects(RDF.type, kind)}
    assert len(terms) >= 10
    for term in terms:
        assert str(term) in page, term
        for label in ontology.objects(term, RDFS.label):
            assert str(label) in page, (term, label)
        for comment in ontology.objects(term, RDFS.comment):
            first_words = " ".join(str(comment).split()[:4])
            assert first_words in page, (term, first_words)
    assert not re.search(r'(src|href)="(https?:)?//[^"]*\.(js|css)', page)
