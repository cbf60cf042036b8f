"""The OpenSearch backend on one real node against the embedded (vectorised memory) backend
at the same size: bulk indexing rate, search p50/p95, agreement of the final top 10, and
recall of the candidate stage against K.

    python -m benchmarks.opensearch_search [--sizes 100000 1000000] [--queries 100]
                                           [--url http://...] [--heap 4g]

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

KS = (10, 50, 100, 300, 1000)
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


def run(client: OpenSearch, size: int, queries: int) -> None:
    records = list(NominalGenerator(11, AS_OF).nominals(size))
    documents = [search_document(from_document(r)) for r in records]
    sources = list(_sources(records, documents))
    names = IndexNames(f"bench-{size}")
    client.indices.delete(index=f"{names.prefix}-*", ignore_unavailable=True)
    ensure_templates(client, names)
    index = names.new_index(1)
    create_index(client, index)
    ours_rate = _index(client, index, sources)
    write_position(client, names, index, 0)
    swap_alias(client, names, index)
    plain = f"{names.prefix}-plain"
    create_index(client, plain)
    plain_rate = _plain_bulk(client, plain, sources)
    client.indices.delete(index=plain)
    client.indices.forcemerge(index=index, max_num_segments=1, request_timeout=3600)
    del sources

    memory = VectorBackend(documents)
    cluster = OpenSearchBackend(client, names)
    picker = random.Random(3)
    made = [make_query(picker, picker.choice(records)) for _ in range(queries)]
    run_search(made[0].structured, cluster, 10)  # warm: statistics, caches
    times: dict[str, list[float]] = {"opensearch": [], "memory": []}
    agree = 0
    recall = {k: 0.0 for k in KS}
    for query in made:
        started = time.perf_counter()
        found = run_search(query.structured, cluster, 10).candidates
        times["opensearch"].append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        expected = run_search(query.structured, memory, 10).candidates
        times["memory"].append((time.perf_counter() - started) * 1000)
        agree += [(s.reference, s.score) for s in found] == [
            (s.reference, s.score) for s in expected
        ]
        truth = {s.reference for s in expected}
        merged, _ = merge_parsed(parse_query_document(query.structured))
        hits = cluster.candidate_hits(prepare(merged, AS_OF), max(KS))
        ranked = [hit["_id"] for hit in hits]
        for k in KS:
            recall[k] += len(truth & set(ranked[:k])) / max(len(truth), 1)
    os50, os95 = _ms(times["opensearch"])
    mem50, mem95 = _ms(times["memory"])
    print(f"\n## {size:,} nominals ({queries} queries)\n")
    print(
        f"bulk indexing: write_actions {ours_rate:,.0f} docs/s; plain helpers.bulk "
        f"{plain_rate:,.0f} docs/s ({ours_rate / plain_rate:.2f}x)"
    )
    print("| backend | p50 ms | p95 ms |")
    print("|---|---|---|")
    print(f"| OpenSearch (1 node) + score() | {os50:.0f} | {os95:.0f} |")
    print(f"| memory (vectorised) | {mem50:.0f} | {mem95:.0f} |")
    print(f"| ratio OpenSearch / memory | {os50 / mem50:.2f} | {os95 / mem95:.2f} |")
    print(f"\ntop 10 identical to the memory backend's: {agree / queries:.1%}")
    print("\n| K | recall of the exact top 10 in the top K candidates |")
    print("|---|---|")
    for k in KS:
        print(f"| {k} | {recall[k] / queries:.4f} |")
    client.indices.delete(index=f"{names.prefix}-*", ignore_unavailable=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--url", help="an OpenSearch node to use instead of starting one")
    parser.add_argument("--heap", default="4g", help="heap of the node started (default 4g)")
    args = parser.parse_args()
    with ExitStack() as stack:
        url = args.url or stack.enter_context(running_opensearch(heap=args.heap))
        client = connect(url, timeout=600)
        for size in args.sizes:
            run(client, size, args.queries)


if __name__ == "__main__":
    main()
