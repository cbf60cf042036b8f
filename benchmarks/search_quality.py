"""Descriptive-search quality on the development set: recall@1, recall@10 and MRR of visor's
ranking, for structured and for free-text queries, beside a plain BM25 full-text baseline
(one concatenated description per nominal, rank_bm25) and an oracle that ranks by the
likelihood of the development set's own noise model.

    python -m benchmarks.search_quality [--size 5000] [--queries 600]

Tune nothing on this output's test split: the queries are drawn with a different seed from
anything used while writing the weights, and an independent set will be run through
`visor import` and `visor search` by others.
"""

import argparse
import math
import re
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

from rank_bm25 import BM25Okapi

from benchmarks.devset import (
    AGE_ERROR,
    AS_OF,
    HEIGHT_ERROR,
    MARK_SEEN,
    SEX_WRONG,
    DevQuery,
    age_at,
    build_devset,
    gaussian_log,
    trait_probability,
)
from indexer.documents import search_document
from register.model import from_document
from search.body_map import body_map
from search.service import run_search
from search.vector_backend import VectorBackend
from search.vocabulary import motifs_in

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


def oracle_log_likelihood(query: dict[str, Any], record: dict[str, Any]) -> float:
    """log P(query | record) under the development set's noise model (marks approximated:
    each reported mark by its best-explaining recorded mark)."""
    total = 0.0
    if "sex" in query:
        total += math.log(1 - SEX_WRONG if query["sex"] == record["sex"] else SEX_WRONG)
    for attribute in ("ethnic_appearance", "build", "hair_colour", "eye_colour"):
        if attribute in query and record.get(attribute):
            total += math.log(trait_probability(attribute, query[attribute], record[attribute]))
    if "age" in query and record.get("dates_of_birth"):
        centre = (query["age"]["min"] + query["age"]["max"]) / 2
        total += gaussian_log(centre - age_at(record["dates_of_birth"][0], AS_OF), AGE_ERROR)
    if "height_cm" in query and record.get("height_cm"):
        centre = (query["height_cm"]["min"] + query["height_cm"]["max"]) / 2
        total += gaussian_log(centre - record["height_cm"], HEIGHT_ERROR)
    for reported in query.get("marks", []):
        best = 1e-6
        for mark in record.get("marks", []):
            if mark["type"] != reported["type"]:
                continue
            said = body_map().locate(reported["location"])
            true = body_map().locate(mark["location"])
            if said.region not in body_map().ancestors(true.region or "")[:2]:
                continue
            side = 0.8 if said.side == true.side else 0.2 if said.side and true.side else 1.0
            described = motifs_in(reported.get("description"))
            look = (
                0.7
                if described and described <= motifs_in(mark.get("description"))
                else (0.3 if not described else 1e-3)
            )
            best = max(best, MARK_SEEN * 0.5 * side * look)
        total += math.log(best)
    if "name" in query:
        heard = query["name"].lower()
        known = {f"{n.get('forename', '')} {n['surname']}".strip().lower() for n in record["names"]}
        forenames = {n.get("forename", "").lower() for n in record["names"]}
        total += math.log(
            0.5
            if heard in known or heard in forenames
            else (
                0.2
                if any(heard.split()[-1][:3] == n["surname"][:3].lower() for n in record["names"])
                else 1e-4
            )
        )
    if "modus_operandi" in query and record.get("modus_operandi"):
        said_words = set(tokens(query["modus_operandi"]))
        recorded = set(tokens(record["modus_operandi"][0]["text"]))
        total += 0.0 if said_words <= recorded else math.log(1e-4)
    return total


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
        scored = sorted(records, key=lambda r: -oracle_log_likelihood(q.structured, r))[:10]
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
