"""The OpenSearch backend on one real node against the embedded (vectorised memory) backend
at the same size: bulk indexing rate, search p50/p95 of the two-stage candidate query and
of the earlier single-stage one (both in the same run, each query on each in turn),
agreement of the final top 10 with the memory backend's, recall of the exact top 10 in the
first stage's window and in the top K candidates.

    python -m benchmarks.opensearch_search [--sizes 100000 1000000] [--queries 100]
                                           [--url http://...] [--heap 4g]
                                           [--keep] [--no-plain-bulk] [--cache DIR]
                                           [--shards N] [--copy-from http://...]

Without --url a node is started from the Maven Central artifacts, as in the tests. Nominals
are synthetic (the demo's generator) and indexed straight from their records with the same
index_source() and write_actions() that `visor index rebuild` uses; the register is left
out so that the figures are the search engine's. The bulk-rate baseline is a plain
`helpers.bulk` of the same documents (no external versions, no retry bookkeeping) into a
second index, in the same run. Queries are the development set's witness descriptions.

The index has the primary shards `visor index rebuild` would give a register of that size
(`shard_count`) unless --shards says otherwise. --url may name a cluster of several nodes;
--copy-from fills its index from an index of the same size kept (--keep) on another node,
with the documents read from --cache, so that a million nominals are generated once and
searched on one node and on three.
"""

import argparse
import pickle
import random
import statistics
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import numpy as np
from opensearchpy import OpenSearch, helpers

from benchmarks.devset import AS_OF, make_query
from indexer.bulk import write_actions
from indexer.lifecycle import (
    create_index,
    ensure_templates,
    shard_count,
    swap_alias,
    write_position,
)
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


def _source(record: dict[str, Any], document: SearchDocument) -> tuple[str, dict[str, Any]]:
    nominal = IndexableNominal(from_document(record), 1, ())
    return record["reference"], index_source(nominal, document)


def _index(client: OpenSearch, index: str, sources: list[tuple[str, dict[str, Any]]]) -> float:
    """Seconds to write one batch as `visor index rebuild` does."""
    started = time.perf_counter()
    actions = [
        {"_index": index, "_id": ref, "version": 1, "version_type": "external", "_source": src}
        for ref, src in sources
    ]
    write_actions(client, actions)
    return time.perf_counter() - started


def _plain_bulk(client: OpenSearch, index: str, sources: list[tuple[str, dict[str, Any]]]) -> float:
    """Seconds to write the same batch with a plain `helpers.bulk`."""
    started = time.perf_counter()
    helpers.bulk(
        client,
        ({"_index": index, "_id": ref, "_source": src} for ref, src in sources),
        chunk_size=500,
        max_chunk_bytes=20 * 1024 * 1024,
    )
    return time.perf_counter() - started


def _ms(samples: list[float]) -> tuple[float, float]:
    return statistics.median(samples), float(np.percentile(samples, 95))


def _indexed(client: OpenSearch, names: IndexNames, size: int) -> bool:
    """Whether a kept index of this size is there to be searched again."""
    if not client.indices.exists_alias(name=names.alias):
        return False
    return int(client.count(index=names.alias)["count"]) == size


class _Build:
    """Indexing the nominals afresh, batch by batch as they are generated (a million
    nominals' records and index sources do not fit in memory beside their documents)."""

    def __init__(
        self, client: OpenSearch, names: IndexNames, plain_baseline: bool, shards: int
    ) -> None:
        self.client, self.names = client, names
        client.indices.delete(index=f"{names.prefix}-*", ignore_unavailable=True)
        ensure_templates(client, names)
        self.index = names.new_index(1)
        # create_index sizes by a nominal count: one per shard wanted gives exactly `shards`.
        create_index(client, self.index, shards, nominals_per_shard=1)
        self.plain = f"{names.prefix}-plain" if plain_baseline else None
        if self.plain:
            create_index(client, self.plain, shards, nominals_per_shard=1)
        self.count, self.ours, self.plain_seconds = 0, 0.0, 0.0

    def add(self, records: list[dict[str, Any]], documents: list[SearchDocument]) -> None:
        self.add_sources([_source(r, d) for r, d in zip(records, documents, strict=True)])

    def add_sources(self, sources: list[tuple[str, dict[str, Any]]]) -> None:
        self.count += len(sources)
        self.ours += _index(self.client, self.index, sources)
        if self.plain:
            self.plain_seconds += _plain_bulk(self.client, self.plain, sources)

    def finish(self) -> str:
        """The bulk rates, ours and (unless left out) the plain baseline's."""
        client, index = self.client, self.index
        started = time.perf_counter()
        client.indices.refresh(index=index)
        ours_rate = self.count / (self.ours + time.perf_counter() - started)
        write_position(client, self.names, index, 0)
        swap_alias(client, self.names, index)
        client.indices.forcemerge(index=index, max_num_segments=1, request_timeout=7200)
        if not self.plain:
            return f"bulk indexing: write_actions {ours_rate:,.0f} docs/s (no plain baseline)"
        started = time.perf_counter()
        client.indices.refresh(index=self.plain)
        plain_rate = self.count / (self.plain_seconds + time.perf_counter() - started)
        client.indices.delete(index=self.plain)
        return (
            f"bulk indexing: write_actions {ours_rate:,.0f} docs/s; plain helpers.bulk "
            f"{plain_rate:,.0f} docs/s ({ours_rate / plain_rate:.2f}x)"
        )


def _generate(
    size: int, wanted: set[int], build: _Build | None
) -> tuple[list[SearchDocument], dict[int, dict[str, Any]]]:
    """Every nominal's search document (indexed as it is made, when building), and the
    records of those `wanted` as queries."""
    chosen: dict[int, dict[str, Any]] = {}
    documents: list[SearchDocument] = []
    generated = enumerate(NominalGenerator(11, AS_OF).nominals(size))
    for batch in batched(generated, BATCH):
        records = [r for _, r in batch]
        made_now = [search_document(from_document(r)) for r in records]
        documents.extend(made_now)
        chosen.update((i, r) for i, r in batch if i in wanted)
        if build:
            build.add(records, made_now)
    return documents, chosen


def _copy(build: _Build, source: OpenSearch, names: IndexNames) -> None:
    """Index every source of the index kept under `names` on another node."""
    hits = helpers.scan(source, index=names.alias, size=BATCH, preserve_order=False)
    for batch in batched(hits, BATCH):
        build.add_sources([(hit["_id"], hit["_source"]) for hit in batch])


def run(
    client: OpenSearch,
    size: int,
    queries: int,
    keep: bool = False,
    plain_baseline: bool = True,
    cache: Path | None = None,
    shards: int | None = None,
    copy_from: OpenSearch | None = None,
) -> None:
    names = IndexNames(f"bench-{size}")
    reuse = keep and _indexed(client, names, size)
    shards = shards or shard_count(size)
    build = None if reuse else _Build(client, names, plain_baseline, shards)
    bulk = "bulk indexing: not measured (the index kept from an earlier run was searched)"
    # The nominals whose descriptions are the queries, drawn before any is generated.
    described = random.Random(3).sample(range(size), queries)
    cached = cache / f"nominals-{size}-{queries}.pickle" if cache else None
    if copy_from is not None and build is not None:
        if cached is None or not cached.exists():
            raise SystemExit("--copy-from needs --cache holding this size's documents")
        with cached.open("rb") as stored:
            documents, chosen = pickle.load(stored)
        _copy(build, copy_from, names)
        bulk = build.finish() + " (copied from the kept index, documents from the cache)"
        build = None
    elif build is None and cached is not None and cached.exists():
        with cached.open("rb") as stored:
            documents, chosen = pickle.load(stored)
        bulk += "; documents read from the cache, not generated"
    else:
        documents, chosen = _generate(size, set(described), build)
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            with cached.open("wb") as storing:
                pickle.dump((documents, chosen), storing, protocol=pickle.HIGHEST_PROTOCOL)
    if build:
        bulk = build.finish()

    memory = VectorBackend(documents)
    backends = {
        # The earlier candidate query: the full evidence for every nominal, K = 300.
        "single stage": OpenSearchBackend(client, names, candidates=300, window=None),
        "two stages": OpenSearchBackend(client, names),
    }
    picker = random.Random(4)
    made = [make_query(picker, chosen[i]) for i in described]
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
    health = client.cluster.health()
    index = next(iter(client.indices.get_alias(name=names.alias)))
    layout = client.indices.get_settings(index=index)[index]["settings"]["index"]
    nodes = int(health["number_of_nodes"])
    shards = int(layout["number_of_shards"])
    where = f"{nodes} node{'s' if nodes > 1 else ''}, {shards} shard{'s' if shards > 1 else ''}"
    print(f"\n## {size:,} nominals ({queries} queries; {where}, {health['status']})\n")
    print(bulk)
    print("\n| backend | p50 ms | p95 ms | p50, p95 / memory's | top 10 identical to memory's |")
    print("|---|---|---|---|---|")
    for name in backends:
        p50, p95 = _ms(times[name])
        print(
            f"| OpenSearch ({where}), {name}, + re-scoring | {p50:.0f} | {p95:.0f} | "
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
    parser.add_argument(
        "--cache",
        type=Path,
        help="a folder to keep the generated search documents in, read back with --keep "
        "instead of generating them again (a million take half an hour on a loaded machine)",
    )
    parser.add_argument(
        "--shards",
        type=int,
        help="primary shards of the index made (default: what `visor index rebuild` gives "
        "a register of that size)",
    )
    parser.add_argument(
        "--copy-from",
        help="fill the index from the index of the same size kept (--keep) on this node, "
        "with the documents read from --cache, instead of generating the nominals again",
    )
    args = parser.parse_args()
    with ExitStack() as stack:
        url = args.url or stack.enter_context(running_opensearch(heap=args.heap))
        client = connect(url, timeout=600)
        source = connect(args.copy_from, timeout=600) if args.copy_from else None
        for size in args.sizes:
            run(
                client,
                size,
                args.queries,
                args.keep,
                not args.no_plain_bulk,
                args.cache,
                args.shards,
                source,
            )


if __name__ == "__main__":
    main()
