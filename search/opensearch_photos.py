"""Photo search on the OpenSearch index: multi-index hashing with chunk terms.

Each indexed photo carries the eight 16-bit chunks of its 128-bit code and of its mirror's,
as terms. Two codes within radius r share a chunk within floor(r / 8) bits (pigeonhole), so
one nested `terms` query over every value that close to the query's chunks finds every
candidate; the stored hashes then give exact distances here. The same answer as the
in-memory `PhotoHashIndex` (a conformance test holds them equal).
"""

from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.exceptions import TransportError

from imaging.hashes import PerceptualHashes, to_unsigned
from search.opensearch_backend import unavailable
from search.photo_index import CHUNK_BITS, CHUNKS, _masks, chunk_terms
from search.photo_search import DEFAULT_RADIUS, PhotoCandidate, rank_photo_candidates

_PAGE = 1000
_PHOTOS_PER_NOMINAL = 100


def photo_terms(query: PerceptualHashes, radius: int) -> list[str]:
    chunk_radius = min(radius // CHUNKS, CHUNK_BITS)
    masks = [int(m) for m in _masks(chunk_radius)]
    terms: list[str] = []
    for term in chunk_terms(query.phash, query.dhash):
        position, value = term.split(":")
        terms.extend(f"{position}:{int(value, 16) ^ mask:04x}" for mask in masks)
    return terms


def photo_query(
    query: PerceptualHashes,
    radius: int,
    include_archived: bool,
    after: list[Any] | None = None,
) -> dict[str, Any]:
    filters: list[dict[str, Any]] = [
        {
            "nested": {
                "path": "photos",
                "score_mode": "none",
                "query": {"terms": {"photos.chunks": photo_terms(query, radius)}},
                "inner_hits": {
                    "size": _PHOTOS_PER_NOMINAL,
                    "_source": [
                        "photos.sha256",
                        "photos.kind",
                        "photos.phash",
                        "photos.dhash",
                        "photos.phash_mirror",
                        "photos.dhash_mirror",
                    ],
                },
            }
        }
    ]
    if not include_archived:
        filters.append({"term": {"status": "live"}})
    body: dict[str, Any] = {
        "size": _PAGE,
        "_source": False,
        "track_total_hits": False,
        "query": {"bool": {"filter": filters}},
        "sort": [{"reference": "asc"}],
    }
    if after:
        body["search_after"] = after
    return body


def _distance(query: PerceptualHashes, photo: dict[str, Any]) -> int:
    own = (to_unsigned(photo["phash"]) ^ query.phash).bit_count() + (
        to_unsigned(photo["dhash"]) ^ query.dhash
    ).bit_count()
    mirror = (to_unsigned(photo["phash_mirror"]) ^ query.phash).bit_count() + (
        to_unsigned(photo["dhash_mirror"]) ^ query.dhash
    ).bit_count()
    return min(own, mirror)


def search_photo_opensearch(
    client: OpenSearch,
    index: str,
    query: PerceptualHashes,
    top: int = 10,
    radius: int = DEFAULT_RADIUS,
    include_archived: bool = False,
) -> list[PhotoCandidate]:
    if radius < 0:
        return []
    candidates: list[PhotoCandidate] = []
    after: list[Any] | None = None
    while True:
        try:
            found = client.search(
                index=index, body=photo_query(query, radius, include_archived, after)
            )
        except TransportError as error:
            raise unavailable(error) from error
        hits = found["hits"]["hits"]
        for hit in hits:
            best: tuple[int, int, dict[str, Any]] | None = None
            for inner in hit["inner_hits"]["photos"]["hits"]["hits"]:
                photo = inner["_source"]
                key = (_distance(query, photo), inner["_nested"]["offset"], photo)
                if key[0] <= radius and (best is None or key[:2] < best[:2]):
                    best = key
            if best is not None:
                candidates.append(
                    PhotoCandidate(
                        reference=hit["_id"],
                        distance=best[0],
                        photo_sha256=best[2]["sha256"],
                        kind=best[2]["kind"],
                    )
                )
        if len(hits) < _PAGE:
            break
        after = hits[-1]["sort"]
    return rank_photo_candidates(candidates, top)
