"""Which search backend answers, chosen once from the settings: the embedded memory backend,
or OpenSearch (optionally falling back to the memory backend when the cluster is down)."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from opensearchpy import OpenSearch
from opensearchpy.exceptions import TransportError

from foundation.errors import SearchUnavailable
from imaging.hashes import PerceptualHashes
from imaging.keypoints import Probe, stored_keypoints
from indexer.lifecycle import ensure_templates
from search.memory_backend import CandidateBackend
from search.opensearch_backend import OpenSearchBackend, unavailable
from search.opensearch_connection import IndexNames, connect
from search.opensearch_photos import search_photo_opensearch
from search.photo_search import (
    PhotoCandidate,
    judge_candidates,
    search_photo,
)
from search.register_index import RegisterIndex
from search.register_photo_index import RegisterPhotoIndex
from search.scoring import PreparedQuery, Score
from search.statistics import RegisterStatistics
from visor.services import Services

log = logging.getLogger(__name__)

# (hashes, probe, top, radius, include archived) -> candidates judged copy or look-alike.
PhotoSearch = Callable[[PerceptualHashes, Probe, int, int, bool], list[PhotoCandidate]]


class FallbackBackend:
    """OpenSearch first; if it cannot be reached, the memory backend (built on first need)."""

    def __init__(self, primary: CandidateBackend, fallback: Callable[[], CandidateBackend]):
        self.primary = primary
        self._make_fallback = fallback
        self._fallback: CandidateBackend | None = None

    def _secondary(self, error: SearchUnavailable) -> CandidateBackend:
        log.warning("%s; answering from the embedded memory backend", error)
        if self._fallback is None:
            self._fallback = self._make_fallback()
        return self._fallback

    @property
    def statistics(self) -> RegisterStatistics:
        try:
            return self.primary.statistics
        except SearchUnavailable as error:
            return self._secondary(error).statistics

    def search(self, prepared: PreparedQuery, top: int) -> list[Score]:
        try:
            return self.primary.search(prepared, top)
        except SearchUnavailable as error:
            return self._secondary(error).search(prepared, top)


@dataclass
class SearchEngines:
    services: Services

    @property
    def uses_opensearch(self) -> bool:
        return bool(self.services.settings.opensearch_url)

    @cached_property
    def names(self) -> IndexNames:
        return IndexNames(self.services.settings.opensearch_index_prefix)

    @cached_property
    def client(self) -> OpenSearch:
        settings = self.services.settings
        if not settings.opensearch_url:
            raise RuntimeError("VISOR_OPENSEARCH_URL is not set")
        return connect(settings.opensearch_url, settings.opensearch_ca_certs)

    def apply_templates(self) -> None:
        """At start-up: the index template and state index exist before anything is indexed."""
        try:
            ensure_templates(self.client, self.names)
        except TransportError as error:
            raise unavailable(error) from error

    def _memory(self) -> CandidateBackend:
        return RegisterIndex(self.services.engine)

    def descriptive(self) -> CandidateBackend:
        if not self.uses_opensearch:
            return self._memory()
        backend = OpenSearchBackend(
            self.client, self.names, candidates=self.services.settings.opensearch_candidates
        )
        if self.services.settings.search_fallback:
            return FallbackBackend(backend, self._memory)
        return backend

    @cached_property
    def photo_index(self) -> RegisterPhotoIndex:
        """The embedded photo index, one per process: built on first need, kept current."""
        return RegisterPhotoIndex(self.services.engine)

    def photos(self) -> PhotoSearch:
        def in_memory(
            hashes: PerceptualHashes, top: int, radius: int, archived: bool
        ) -> list[PhotoCandidate]:
            return search_photo(self.photo_index.index(archived), hashes, top, radius)

        def on_cluster(
            hashes: PerceptualHashes, top: int, radius: int, archived: bool
        ) -> list[PhotoCandidate]:
            try:
                return search_photo_opensearch(
                    self.client, self.names.alias, hashes, top, radius, archived
                )
            except SearchUnavailable as error:
                if not self.services.settings.search_fallback:
                    raise
                log.warning("%s; answering from the register's photo hashes", error)
                return in_memory(hashes, top, radius, archived)

        find = on_cluster if self.uses_opensearch else in_memory
        store = self.services.blob_store

        def judged(
            hashes: PerceptualHashes, probe: Probe, top: int, radius: int, archived: bool
        ) -> list[PhotoCandidate]:
            found = find(hashes, top, radius, archived)
            return judge_candidates(found, probe, lambda sha: stored_keypoints(store, sha))

        return judged
