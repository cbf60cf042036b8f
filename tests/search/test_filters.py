"""The hard filters on the embedded backends (the exhaustive memory backend and the
vectorised one): only nominals with an allowed value are candidates, and both backends give
the same answer. tests/search/test_opensearch_conformance.py holds OpenSearch to the same."""

import pytest

from benchmarks.devset import AS_OF
from register.model import from_document
from search.document import SearchDocument, document_from_json, document_to_json, search_document
from search.memory_backend import MemoryBackend
from search.service import run_search
from search.vector_backend import VectorBackend
from visor.synthetic import NominalGenerator


@pytest.fixture(scope="module")
def documents() -> list[SearchDocument]:
    return [search_document(from_document(r)) for r in NominalGenerator(6).nominals(400)]


@pytest.mark.parametrize(
    "filters",
    [
        {"mappa_level": [3]},
        {"mappa_level": [1, 2], "mappa_category": [1]},
        {"status": "any", "mappa_level": [2]},
    ],
)
def test_a_mappa_level_filter_keeps_only_those_levels_on_both_embedded_backends(
    documents: list[SearchDocument], filters: dict[str, object]
) -> None:
    by_reference = {d.reference: d for d in documents}
    levels = set(filters["mappa_level"])  # type: ignore[call-overload]
    query = {"sex": "M", "filters": filters}
    exact = run_search(query, MemoryBackend(documents), 500, AS_OF).candidates
    fast = run_search(query, VectorBackend(documents), 500, AS_OF).candidates
    assert [(c.reference, c.score) for c in fast] == [(c.reference, c.score) for c in exact]
    assert exact, "the synthetic register has nominals at every level"
    assert {by_reference[c.reference].mappa_level for c in exact} <= levels
    # ...and every male nominal at those levels (passing the other filters) is a candidate.
    categories = filters.get("mappa_category")
    statuses = {"live", "archived"} if filters.get("status") == "any" else {"live"}
    expected = {
        d.reference
        for d in documents
        if d.mappa_level in levels
        and d.status in statuses
        and (categories is None or d.mappa_category in categories)  # type: ignore[operator]
    }
    assert {c.reference for c in exact} == expected


def test_the_mappa_level_survives_the_stored_search_document(
    documents: list[SearchDocument],
) -> None:
    leveled = next(d for d in documents if d.mappa_level is not None)
    assert document_from_json(document_to_json(leveled)) == leveled
    older = document_to_json(leveled)
    del older["mappa_level"]  # a document stored before the level was kept
    assert document_from_json(older).mappa_level is None
