"""The OpenSearch backend on one real node against the embedded (vectorised memory) backend
at the same size: bulk indexing rate, search p50/p95 of the two-stage candidate query and
of the earlier single-stage one (both in the same run, each query on each in turn),
agreement of the final top 10 with the memory backend's, recall of the exact top 10 in the
first stage's window and in the top K candidates.

    python -m benchmarks.opensearch_search [--sizes 100000 1000000] [--queries 100]
                                           [--url http://...] [--heap 4g]
                                           [--keep] [--no-plain-bulk]

Without --url a node is started from the Maven Central artifacts, as in the tests. Nominals
are synthetic (the demo's generator) and indexed straight from their records with the same
index_source() and write_actions() that `visor index rebuild` uses; the register is left
out so that the figures are the search engine's. The bulk-rate baseline is a plain
`helpers.bulk` of the same documents (no external versions, no retry bookkeeping) into a
second index, in the same run. Queries are the development set's witness descriptions.
"""

import argparse
import random
import statistics
import time
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import numpy as np
from opensearchpy import OpenSearch, helpers

from benchmarks.devset import AS_OF, make_query
from indexer.bulk import write_actions
from indexer.lifecycle import create_index, ensure_templates, swap_alias, write_position
from indexer.opensearch_source import index_source
from indexer.sync import batched
from register.indexing import IndexableNominal
from register.model import from_document
from search.document import SearchDocument, search_document
from search.opensearch_backend import OpenSearchBackend
from search.opensearch_connection import IndexNames, connect
from search.parse import merge_parsed
from search.query import parse_query_document
from search.scoring import prepare
from search.service import run_search
from search.vector_backend import VectorBackend
from tests.opensearch_server import running_opensearch
from visor.synthetic import NominalGenerator

KS = (10, 50, 100, 150, 300)
WINDOWS = (250, 500, 1000, 2000)
BATCH = 2000


def _sources(
    records: list[dict[str, Any]], documents: list[SearchDocument]
) -> Iterator[tuple[str, dict[str, Any]]]:
    for record, document in zip(records, documents, strict=True):
        nominal = IndexableNominal(from_document(record), 1, ())
        yield record["reference"], index_source(nominal, document)


def _index(client: OpenSearch, index: str, sources: list[tuple[str, dict[str, Any]]]) -> float:
    started = time.perf_counter()
    for batch in batched(sources, BATCH):
        actions = [
            {"_index": index, "_id": ref, "version": 1, "version_type": "external", "_source": src}
            for ref, src in batch
        ]
        write_actions(client, actions)
    client.indices.refresh(index=index)
    return len(sources) / (time.perf_counter() - started)


def _plain_bulk(client: OpenSearch, index: str, sources: list[tuple[str, dict[str, Any]]]) -> float:
    started = time.perf_counter()
    helpers.bulk(
        client,
        ({"_index": index, "_id": ref, "_source": src} for ref, src in sources),
        chunk_size=500,
        max_chunk_bytes=20 * 1024 * 1024,
    )
    client.indices.refresh(index=index)
    return len(sources) / (time.perf_counter() - started)


def _ms(samples: list[float]) -> tuple[float, float]:
    return statistics.median(samples), float(np.percentile(samples, 95))


def _indexed(client: OpenSearch, names: IndexNames, size: int) -> bool:
    """Whether a kept index of this size is there to be searched again."""
    if not client.indices.exists_alias(name=names.alias):
        return False
    return int(client.count(index=names.alias)["count"]) == size


def _build(
    client: OpenSearch,
    names: IndexNames,
    records: list[dict[str, Any]],
    documents: list[Any],
    plain_baseline: bool = True,
) -> str:
    """Index the nominals afresh; the bulk rates, ours and (unless left out) the plain
    baseline's."""
    sources = list(_sources(records, documents))
    client.indices.delete(index=f"{names.prefix}-*", ignore_unavailable=True)
    ensure_templates(client, names)
    index = names.new_index(1)
    create_index(client, index)
    ours_rate = _index(client, index, sources)
    write_position(client, names, index, 0)
    swap_alias(client, names, index)
    if not plain_baseline:
        client.indices.forcemerge(index=index, max_num_segments=1, request_timeout=3600)
        return f"bulk indexing: write_actions {ours_rate:,.0f} docs/s (no plain baseline)"
    plain = f"{names.prefix}-plain"
    create_index(client, plain)
    plain_rate = _plain_bulk(client, plain, sources)
    client.indices.delete(index=plain)
    client.indices.forcemerge(index=index, max_num_segments=1, request_timeout=3600)
    return (
        f"bulk indexing: write_actions {ours_rate:,.0f} docs/s; plain helpers.bulk "
        f"{plain_rate:,.0f} docs/s ({ours_rate / plain_rate:.2f}x)"
    )


def run(
    client: OpenSearch, size: int, queries: int, keep: bool = False, plain_baseline: bool = True
) -> None:
    records = list(NominalGenerator(11, AS_OF).nominals(size))
    documents = [search_document(from_document(r)) for r in records]
    names = IndexNames(f"bench-{size}")
    if keep and _indexed(client, names, size):
        bulk = "bulk indexing: not measured (the index kept from an earlier run was searched)"
    else:
        bulk = _build(client, names, records, documents, plain_baseline)

    memory = VectorBackend(documents)
    backends = {
        # The earlier candidate query: the full evidence for every nominal, K = 300.
        "single stage": OpenSearchBackend(client, names, candidates=300, window=None),
        "two stages": OpenSearchBackend(client, names),
    }
    picker = random.Random(3)
    made = [make_query(picker, picker.choice(records)) for _ in range(queries)]
    for backend in backends.values():
        run_search(made[0].structured, backend, 10)  # warm: statistics, caches
    times: dict[str, list[float]] = {name: [] for name in (*backends, "memory")}
    agree = dict.fromkeys(backends, 0)
    recall = {k: 0.0 for k in KS}
    first_recall = {w: 0.0 for w in WINDOWS}
    two_stage_recall = {k: 0.0 for k in KS}
    for query in made:
        # Each query on every backend in turn, so that the load of the moment is shared.
        found = {}
        for name, backend in backends.items():
            started = time.perf_counter()
            found[name] = run_search(query.structured, backend, 10).candidates
            times[name].append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        expected = run_search(query.structured, memory, 10).candidates
        times["memory"].append((time.perf_counter() - started) * 1000)
        exact = [(s.reference, s.score) for s in expected]
        for name in backends:
            agree[name] += [(s.reference, s.score) for s in found[name]] == exact
        truth = {s.reference for s in expected}

        def share(ranked: list[str], k: int) -> float:
            return len(truth & set(ranked[:k])) / max(len(truth), 1)  # noqa: B023

        merged, _ = merge_parsed(parse_query_document(query.structured))
        prepared = prepare(merged, AS_OF)
        single = [hit["_id"] for hit in backends["single stage"].candidate_hits(prepared, max(KS))]
        two = [hit["_id"] for hit in backends["two stages"].candidate_hits(prepared, max(KS))]
        kept = backends["two stages"].first_stage(prepared, max(WINDOWS))
        for k in KS:
            recall[k] += share(single, k)
            two_stage_recall[k] += share(two, k)
        for w in WINDOWS:
            first_recall[w] += share(kept, w)
    mem50, mem95 = _ms(times["memory"])
    print(f"\n## {size:,} nominals ({queries} queries)\n")
    print(bulk)
    print("\n| backend | p50 ms | p95 ms | p50, p95 / memory's | top 10 identical to memory's |")
    print("|---|---|---|---|---|")
    for name in backends:
        p50, p95 = _ms(times[name])
        print(
            f"| OpenSearch (1 node), {name}, + score() | {p50:.0f} | {p95:.0f} | "
            f"{p50 / mem50:.2f}, {p95 / mem95:.2f} | {agree[name] / queries:.1%} |"
        )
    print(f"| memory (vectorised) | {mem50:.0f} | {mem95:.0f} | 1, 1 | - |")
    print("\n| K | recall of the exact top 10 in the top K: single stage | two stages |")
    print("|---|---|---|")
    for k in KS:
        print(f"| {k} | {recall[k] / queries:.4f} | {two_stage_recall[k] / queries:.4f} |")
    print("\n| first-stage window | recall of the exact top 10 in it |")
    print("|---|---|")
    for w in WINDOWS:
        print(f"| {w} | {first_recall[w] / queries:.4f} |")
    if not keep:
        client.indices.delete(index=f"{names.prefix}-*", ignore_unavailable=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--url", help="an OpenSearch node to use instead of starting one")
    parser.add_argument("--heap", default="4g", help="heap of the node started (default 4g)")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep each index after the run, and search one kept at the same size again "
        "instead of indexing anew (with --url: iterate on queries without re-indexing)",
    )
    parser.add_argument(
        "--no-plain-bulk",
        action="store_true",
        help="leave out the plain helpers.bulk baseline (it indexes everything a second time)",
    )
    args = parser.parse_args()
    with ExitStack() as stack:
        url = args.url or stack.enter_context(running_opensearch(heap=args.heap))
        client = connect(url, timeout=600)
        for size in args.sizes:
            run(client, size, args.queries, args.keep, not args.no_plain_bulk)


if __name__ == "__main__":
    main()
