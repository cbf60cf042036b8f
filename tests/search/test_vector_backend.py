"""The vectorised backend against the exhaustive one (the oracle): the same totals for every
nominal, and the same answers, on the development set's witness queries."""

from typing import Any

import pytest

from benchmarks.devset import AS_OF, conformance_queries
from register.model import from_document
from search.document import SearchDocument, search_document
from search.memory_backend import MemoryBackend
from search.query import parse_query_document
from search.scoring import prepare, score
from search.vector_backend import VectorBackend
from visor.synthetic import NominalGenerator


@pytest.fixture(scope="module")
def documents() -> list[SearchDocument]:
    return [search_document(from_document(r)) for r in NominalGenerator(4).nominals(600)]


@pytest.fixture(scope="module")
def queries() -> list[dict[str, Any]]:
    return conformance_queries(list(NominalGenerator(4).nominals(600)), 60, seed=8)


def test_every_total_equals_score(
    documents: list[SearchDocument], queries: list[dict[str, Any]]
) -> None:
    from search.parse import merge_parsed

    vector = VectorBackend(documents)
    for document in queries[::7]:
        merged, _ = merge_parsed(parse_query_document(document))
        prepared = prepare(merged, AS_OF)
        totals = vector.totals(prepared)
        for i, doc in enumerate(documents):
            exact = score(prepared, doc, vector.statistics).score
            assert abs(totals[i] - exact) < 0.005, (document, doc.reference, totals[i], exact)


def test_answers_equal_the_exhaustive_backend(
    documents: list[SearchDocument], queries: list[dict[str, Any]]
) -> None:
    from search.service import run_search

    vector, memory = VectorBackend(documents), MemoryBackend(documents)
    for document in queries:
        fast = run_search(document, vector, 10, AS_OF).candidates
        exact = run_search(document, memory, 10, AS_OF).candidates
        assert [(s.reference, s.score) for s in fast] == [(s.reference, s.score) for s in exact]
