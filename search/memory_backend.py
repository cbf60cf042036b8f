"""The embedded candidate backend: every search document in memory, every one scored.

Exhaustive and exact, so it is the oracle that the OpenSearch backend is held to. It is kept
current by rebuilding from the register (the outbox-driven refresh comes with the indexer).
"""

import heapq
from collections.abc import Iterable
from typing import Protocol

from search.document import SearchDocument
from search.scoring import PreparedQuery, Score, counter_of, passes_filters, score, with_ties
from search.statistics import RegisterStatistics, compute_statistics


class CandidateBackend(Protocol):
    """Finds the best candidates for a query; the shared `score()` decides their order."""

    @property
    def statistics(self) -> RegisterStatistics: ...

    def search(self, prepared: PreparedQuery, top: int) -> list[Score]: ...


class MemoryBackend:
    def __init__(self, documents: Iterable[SearchDocument]) -> None:
        self.documents = list(documents)
        self.statistics = compute_statistics(self.documents)

    def search(self, prepared: PreparedQuery, top: int) -> list[Score]:
        scores = [
            score(prepared, document, self.statistics)
            for document in self.documents
            if passes_filters(prepared.query, document)
        ]
        # Ties are broken by reference so that the order is reproducible.
        ranked = heapq.nsmallest(top, scores, key=lambda s: (-s.score, s.reference))
        return with_ties(ranked, counter_of([s.score for s in scores]))
