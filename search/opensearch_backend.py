"""The scale-out candidate backend: OpenSearch finds the top K, `score()` orders them.

OpenSearch finds them in two stages (see `opensearch_query`): a cheap first stage ranks
every nominal passing the filters by what agrees and keeps a window of references; the full
evidence then ranks only that window. A register (or a filtered part of one) smaller than
the window is searched in one exhaustive stage instead.

The index holds each nominal's search document beside its searchable fields, so the final
scores and explanations are computed here as the memory backend computes them (its numpy
pass over the candidates, then `score()` for those near the top), with statistics
gathered from the same index. A conformance test holds its top 10 to the
memory backend's. If the cluster cannot be reached (or has no index yet), a search raises
`SearchUnavailable` with the reason; nothing is silently answered from a partial index.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.exceptions import ConnectionError as OpenSearchConnectionError
from opensearchpy.exceptions import TransportError

from foundation.errors import SearchUnavailable
from search.document import document_from_json
from search.opensearch_connection import IndexNames
from search.opensearch_index import current_index, read_position
from search.opensearch_query import (
    DEFAULT_CANDIDATES,
    FIRST_STAGE_WINDOW,
    first_stage_query,
    second_stage_query,
    single_stage_query,
)
from search.opensearch_statistics import load_statistics
from search.scoring import PreparedQuery, Score
from search.statistics import RegisterStatistics
from search.vector_backend import VectorBackend

log = logging.getLogger(__name__)

_DOCUMENT_FIELDS = ("_id", "_source")  # of each candidate: its reference and search document


def unavailable(error: TransportError) -> Exception:
    """The cluster down, timing out or overloaded is "search unavailable"; a request it
    refuses (4xx) is a bug on our side and is raised as it is, never hidden by a fallback."""
    status = error.status_code
    if isinstance(error, OpenSearchConnectionError) or not isinstance(status, int):
        return SearchUnavailable(f"search unavailable: OpenSearch cannot be reached ({error})")
    if status >= 500 or status == 429:
        return SearchUnavailable(f"search unavailable: OpenSearch answered {status} ({error})")
    return error


class OpenSearchBackend:
    def __init__(
        self,
        client: OpenSearch,
        names: IndexNames,
        candidates: int = DEFAULT_CANDIDATES,
        statistics_ttl: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        window: int | None = FIRST_STAGE_WINDOW,
    ) -> None:
        """`window`: the first stage's, None for the single exhaustive stage (the
        benchmark's baseline)."""
        self.client = client
        self.names = names
        self.candidates = candidates
        self.window = window
        self._ttl = statistics_ttl
        self._clock = clock
        self._checked_at = float("-inf")
        self._generation: tuple[str, int] | None = None
        self._statistics: RegisterStatistics | None = None

    @property
    def statistics(self) -> RegisterStatistics:
        """The index's statistics, gathered again when the index has changed (looked at no
        more often than every `statistics_ttl` seconds: a sync moves them very little)."""
        if self._statistics is None or self._clock() - self._checked_at > self._ttl:
            try:
                index = current_index(self.client, self.names)
                generation = (index, read_position(self.client, self.names, index))
                if generation != self._generation or self._statistics is None:
                    self._statistics = load_statistics(self.client, index)
                    self._generation = generation
            except TransportError as error:
                raise unavailable(error) from error
            self._checked_at = self._clock()
        return self._statistics

    def _hits(self, body: dict[str, Any], fields: tuple[str, ...]) -> list[dict[str, Any]]:
        """The hits, with only the `fields` of each (the rest is bytes to decode)."""
        kept = ",".join(f"hits.hits.{field}" for field in fields)
        try:
            found = self.client.search(index=self.names.alias, body=body, filter_path=kept)
        except TransportError as error:
            raise unavailable(error) from error
        # No hits at all leaves nothing for the filter to keep.
        hits: list[dict[str, Any]] = found.get("hits", {}).get("hits", [])
        return hits

    def first_stage(self, prepared: PreparedQuery, window: int) -> list[str]:
        """The references the first stage keeps, best first."""
        body = first_stage_query(prepared, self.statistics, window)
        return [hit["sort"][1] for hit in self._hits(body, ("sort",))]

    def candidate_hits(self, prepared: PreparedQuery, size: int) -> list[dict[str, Any]]:
        stats = self.statistics
        window = max(self.window or 0, size)
        kept = self.first_stage(prepared, window) if self.window else []
        if len(kept) < window:
            # Fewer agree than the window holds: the register is small enough to weigh
            # every nominal in full, and one that agrees on nothing may be in the top.
            return self._hits(single_stage_query(prepared, stats, size), _DOCUMENT_FIELDS)
        return self._hits(second_stage_query(prepared, stats, kept, size), _DOCUMENT_FIELDS)

    def search(self, prepared: PreparedQuery, top: int) -> list[Score]:
        stats = self.statistics
        hits = self.candidate_hits(prepared, max(self.candidates, top))
        documents = [document_from_json(hit["_source"]["search_document"]) for hit in hits]
        # The candidates re-scored as the embedded backend scores a register, with the
        # register's statistics: one vectorised pass over all K, then `score()` for the few
        # near the top. Its tie counts are among the K, so only a lower bound when K is full.
        ranked = VectorBackend(documents, stats).search(prepared, top)
        exact = len(hits) < self.candidates
        return [replace(s, as_high_exact=exact) for s in ranked]
