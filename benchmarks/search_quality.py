"""Descriptive-search quality on the development set: recall@1, recall@10 and MRR of visor's
ranking, for structured and for free-text queries, beside a plain BM25 full-text baseline
(one concatenated description per nominal, rank_bm25) and an oracle that ranks by the exact
likelihood of the development set's own noise model (benchmarks/oracle.py).

    python -m benchmarks.search_quality [--size 5000] [--queries 600]

Tune nothing on this output's test split: the queries are drawn with a different seed from
anything used while writing the weights, and an independent set will be run through
`visor import` and `visor search` by others.
"""

import argparse
import re
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

from rank_bm25 import BM25Okapi

from benchmarks.devset import AS_OF, DevQuery, age_at, build_devset
from benchmarks.oracle import log_likelihood
from register.model import from_document
from search.document import search_document
from search.service import run_search
from search.vector_backend import VectorBackend

Ranking = Callable[[DevQuery], list[str]]


def description_text(record: dict[str, Any]) -> str:
    """Everything about a nominal as one text: what a team with only a full-text engine
    would index."""
    parts: list[str] = []
    for name in record["names"]:
        parts += [name.get("forename", ""), name["surname"]]
    ic_words = {
        "IC1": "white",
        "IC2": "mediterranean",
        "IC3": "black",
        "IC4": "asian",
        "IC5": "east asian",
        "IC6": "arab",
    }
    parts.append({"M": "man male", "F": "woman female"}.get(record["sex"], ""))
    parts.append(ic_words.get(record.get("ethnic_appearance", ""), ""))
    for key in ("build", "hair_colour", "hair_length", "facial_hair", "eye_colour", "accent"):
        parts.append(str(record.get(key, "")))
    if record.get("height_cm"):
        parts.append(f"{record['height_cm']}cm")
    if record.get("dates_of_birth"):
        parts.append(f"age {age_at(record['dates_of_birth'][0], AS_OF)}")
    for mark in record.get("marks", []):
        parts += [mark["type"], mark["location"], mark.get("description", "")]
    parts += [mo["text"] for mo in record.get("modus_operandi", [])]
    return " ".join(parts)


def tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def metrics(ranks: Sequence[int | None]) -> dict[str, float]:
    return {
        "recall@1": sum(r is not None and r < 1 for r in ranks) / len(ranks),
        "recall@10": sum(r is not None and r < 10 for r in ranks) / len(ranks),
        "MRR": statistics.mean(1 / (r + 1) if r is not None else 0.0 for r in ranks),
    }


def rank_of(target: str, ranking: list[str]) -> int | None:
    return ranking.index(target) if target in ranking else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=5000)
    parser.add_argument("--queries", type=int, default=600)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    records, queries = build_devset(args.size, args.queries, args.seed)
    backend = VectorBackend(search_document(from_document(r)) for r in records)
    bm25 = BM25Okapi([tokens(description_text(r)) for r in records])
    references = [r["reference"] for r in records]

    def ours_structured(q: DevQuery) -> list[str]:
        return [c.reference for c in run_search(q.structured, backend, 10).candidates]

    def ours_text(q: DevQuery) -> list[str]:
        document = {"text": q.text, "as_of": AS_OF.isoformat(), "filters": {"status": "any"}}
        return [c.reference for c in run_search(document, backend, 10).candidates]

    def bm25_text(q: DevQuery) -> list[str]:
        scores = bm25.get_scores(tokens(q.text))
        order = sorted(range(len(scores)), key=lambda i: -scores[i])[:10]
        return [references[i] for i in order]

    def oracle(q: DevQuery) -> list[str]:
        scored = sorted(records, key=lambda r: -log_likelihood(q.structured, r))[:10]
        return [r["reference"] for r in scored]

    rankers: dict[str, Ranking] = {
        "visor, structured queries": ours_structured,
        "visor, free-text queries": ours_text,
        "BM25 baseline (free text)": bm25_text,
        "oracle (noise model)": oracle,
    }
    print(f"{args.size} nominals, {len(queries)} queries (seed {args.seed})\n")
    print("| ranker | recall@1 | recall@10 | MRR | ms/query |")
    print("|---|---|---|---|---|")
    results = {}
    for label, ranker in rankers.items():
        started = time.perf_counter()
        ranks = [rank_of(q.target, ranker(q)) for q in queries]
        elapsed = (time.perf_counter() - started) * 1000 / len(queries)
        results[label] = metrics(ranks)
        m = results[label]
        print(
            f"| {label} | {m['recall@1']:.3f} | {m['recall@10']:.3f} | {m['MRR']:.3f} | "
            f"{elapsed:.0f} |"
        )
    oracle_r10 = results["oracle (noise model)"]["recall@10"]
    bm25_r10 = results["BM25 baseline (free text)"]["recall@10"]
    for label in ("visor, structured queries", "visor, free-text queries"):
        r10 = results[label]["recall@10"]
        print(
            f"\n{label}: recall@10 = {r10 / oracle_r10:.2f} x oracle, "
            f"{r10 / max(bm25_r10, 1e-9):.2f} x BM25"
        )


if __name__ == "__main__":
    main()
