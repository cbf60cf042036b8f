"""The register's statistics, gathered from the OpenSearch index by aggregations.

The same counts the memory backend takes from its documents, so `finish_statistics` gives
the same `RegisterStatistics` and `score()` the same totals on both backends. Single-valued
terms come from `terms` aggregations sized past their vocabulary; the open-ended ones
(surnames, forenames, MO words, towns, birthdays) are paged through with `composite`
aggregations, which are exact on any number of shards.
"""

from collections import Counter
from collections.abc import Iterator
from typing import Any

from opensearchpy import OpenSearch

from search.statistics import CATEGORICAL, RegisterStatistics, StatisticsCounts, finish_statistics

_PAGE = 10_000
_SMALL = 5_000  # more than any closed vocabulary (traits, mark types, motifs, regions)

_OPEN_ENDED = {
    "surnames": "surnames",
    "forenames": "forenames",
    "mo_document_frequency": "mo_terms",
    "towns": "towns",
    "districts": "postcode_districts",
    "birth_days": "first_birth_day",
}


def _composite(client: OpenSearch, index: str, field: str, *more: str) -> Iterator[tuple[Any, int]]:
    """Every value of `field` (or every combination of `field` and `more` on one document,
    as a tuple) with its count of documents."""
    fields = (field, *more)
    after: dict[str, Any] | None = None
    while True:
        source: dict[str, Any] = {
            "size": _PAGE,
            "sources": [{f"v{i}": {"terms": {"field": f}}} for i, f in enumerate(fields)],
        }
        if after:
            source["after"] = after
        body = {"size": 0, "aggs": {"values": {"composite": source}}}
        found = client.search(index=index, body=body)["aggregations"]["values"]
        for bucket in found["buckets"]:
            values = tuple(bucket["key"][f"v{i}"] for i in range(len(fields)))
            yield (values if more else values[0]), int(bucket["doc_count"])
        after = found.get("after_key")
        if not after or len(found["buckets"]) < _PAGE:
            return


def _terms(buckets: list[dict[str, Any]]) -> Counter[Any]:
    return Counter({bucket["key"]: int(bucket["doc_count"]) for bucket in buckets})


def gather_counts(client: OpenSearch, index: str) -> StatisticsCounts:
    aggregations: dict[str, Any] = {
        attribute: {"terms": {"field": attribute, "size": _SMALL}} for attribute in CATEGORICAL
    }
    aggregations["mark_types"] = {"terms": {"field": "mark_types", "size": _SMALL}}
    aggregations["motifs"] = {"terms": {"field": "motifs", "size": _SMALL}}
    aggregations["heights"] = {"terms": {"field": "height_cm", "size": _SMALL}}
    aggregations["marks"] = {
        "nested": {"path": "marks"},
        "aggs": {"regions": {"terms": {"field": "marks.region", "size": _SMALL}}},
    }
    found = client.search(
        index=index, body={"size": 0, "track_total_hits": True, "aggs": aggregations}
    )
    results = found["aggregations"]
    counts = StatisticsCounts(count=int(found["hits"]["total"]["value"]))
    for attribute in CATEGORICAL:
        counts.traits[attribute] = _terms(results[attribute]["buckets"])
    counts.mark_types = _terms(results["mark_types"]["buckets"])
    counts.motifs = _terms(results["motifs"]["buckets"])
    counts.heights = _terms(results["heights"]["buckets"])
    counts.marks = int(results["marks"]["doc_count"])
    counts.regions = _terms(results["marks"]["regions"]["buckets"])
    for attribute, field in _OPEN_ENDED.items():
        setattr(counts, attribute, Counter(dict(_composite(client, index, field))))
    counts.district_towns = Counter(dict(_composite(client, index, "postcode_districts", "towns")))
    return counts


def load_statistics(client: OpenSearch, index: str) -> RegisterStatistics:
    return finish_statistics(gather_counts(client, index))
