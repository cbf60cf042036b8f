"""Descriptive-search latency on the embedded (vectorised memory) backend: p50 and p95 per
query at several register sizes, with the memory the process holds.

    python -m benchmarks.search_latency [--sizes 10000 100000] [--queries 50]

Queries are the development set's structured witness descriptions. The baseline measured in
the same run is BM25 over one text per nominal (the obvious full-text engine), so the ratio
stays meaningful on a shared machine.
"""

import argparse
import random
import resource
import statistics
import time

import numpy as np
from rank_bm25 import BM25Okapi

from benchmarks.devset import make_query
from benchmarks.search_quality import description_text, tokens
from register.model import from_document
from search.document import search_document
from search.service import run_search
from search.vector_backend import VectorBackend
from visor.synthetic import NominalGenerator


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=50)
    args = parser.parse_args()
    print(
        "| nominals | visor p50 ms | visor p95 ms | BM25 p50 ms | visor/BM25 (p50) | peak RSS MiB |"
    )
    print("|---|---|---|---|---|---|")
    for size in args.sizes:
        records = list(NominalGenerator(11).nominals(size))
        backend = VectorBackend(search_document(from_document(r)) for r in records)
        bm25 = BM25Okapi([tokens(description_text(r)) for r in records])
        rng = random.Random(3)
        queries = [make_query(rng, rng.choice(records)) for _ in range(args.queries)]
        ours, baseline = [], []
        for query in queries:
            started = time.perf_counter()
            run_search(query.structured, backend, 10)
            ours.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            scores = bm25.get_scores(tokens(query.text))
            np.argpartition(scores, -10)[-10:]
            baseline.append((time.perf_counter() - started) * 1000)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        p50, p95 = statistics.median(ours), float(np.percentile(ours, 95))
        print(
            f"| {size:,} | {p50:.0f} | {p95:.0f} | {statistics.median(baseline):.0f} | "
            f"{p50 / statistics.median(baseline):.1f} | {rss:.0f} |"
        )


if __name__ == "__main__":
    main()
