"""Visor against the Bayes-optimal ranker on the foreign set (`queries.jsonl`, made by
`generate.py` with its own witness-error model, `noise.py`).

Rankers: visor on the free text, visor on the structured query, BM25 over each record's
text, and the oracle (`oracle.py`: exact likelihood under the set's noise model). The set
is cut in two by a hash of each query id: tune only on `tune`, report `held-out`.

    python -m benchmarks.foreign.evaluate [--split tune|held-out|all] [--by-style]
        [--misses N] [--save RANKS.jsonl] [--ablate]

`--ablate` runs visor's structured queries again with each stated part left out in turn and
prints, per part, how many targets enter and leave the top 10 without it: a part whose
weighing is miscalibrated gains more targets than it loses when dropped.
"""

import argparse
import copy
import hashlib
import json
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import numpy as np
from rank_bm25 import BM25Okapi

from benchmarks.foreign.generate import OUT, REGISTER_SEED, REGISTER_SIZE, register
from benchmarks.foreign.oracle import Oracle, rank
from benchmarks.search_quality import description_text, metrics, rank_of, tokens
from register.model import from_document
from search.document import search_document
from search.query import EVIDENCE_FIELDS
from search.service import run_search
from search.vector_backend import VectorBackend

Row = dict[str, Any]
RANKERS = ("visor, free text", "visor, structured", "BM25 (free text)", "oracle")


def split_of(qid: str) -> str:
    return "tune" if hashlib.sha256(qid.encode()).digest()[0] % 2 == 0 else "held-out"


def load(path: Path = OUT) -> list[Row]:
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    return [r for r in rows if not r.get("header")]


def _saved(path: str) -> dict[str, dict[str, int | None]]:
    p = Path(path)
    if not p.exists():
        return {}
    lines = [json.loads(x) for x in p.read_text("utf-8").splitlines() if x.strip()]
    return {x["id"]: x for x in lines}


def rankings(
    rows: list[Row], misses: int = 0, save: str | None = None
) -> dict[str, dict[str, int | None]]:
    """Each ranker's rank of each target (None: not in its top 10); with `save`, ranks
    are appended to that JSONL file as they come and reused from it on a rerun."""
    records = register()
    refs = [r["reference"] for r in records]
    index = {ref: i for i, ref in enumerate(refs)}
    backend = VectorBackend(search_document(from_document(r)) for r in records)
    bm25 = BM25Okapi([tokens(description_text(r)) for r in records])
    oracle = Oracle(records)

    def text_query(row: Row) -> dict[str, Any]:
        return {
            "query_id": row["id"],
            "text": row["text"],
            "as_of": row["structured"]["as_of"],
            "filters": {"status": "any"},
        }

    def visor(query: Callable[[Row], dict[str, Any]]) -> Callable[[Row], int | None]:
        def ranker(row: Row) -> int | None:
            answer = run_search(query(row), backend, 10)
            return rank_of(row["target"], [c.reference for c in answer.candidates])

        return ranker

    def bm25_rank(row: Row) -> int | None:
        scores = bm25.get_scores(tokens(row["text"]))
        order = np.argsort(-scores, kind="stable")[:10]
        return rank_of(row["target"], [refs[i] for i in order])

    oracle_scores: dict[str, Any] = {}

    def oracle_rank(row: Row) -> int | None:
        scores = oracle.loglik(row["observation"], row["style"], row["medium"])
        oracle_scores[row["id"]] = scores
        r = rank(scores, index[row["target"]])
        return r if r < 10 else None

    rankers: dict[str, Callable[[Row], int | None]] = {
        "visor, free text": visor(text_query),
        "visor, structured": visor(lambda row: row["structured"]),
        "BM25 (free text)": bm25_rank,
        "oracle": oracle_rank,
    }
    ranks: dict[str, dict[str, int | None]] = {label: {} for label in rankers}
    done = _saved(save) if save else {}
    with Path(save).open("a") if save else nullcontext() as out:
        for row in rows:
            if row["id"] in done:
                for label in rankers:
                    ranks[label][row["id"]] = done[row["id"]][label]
                continue
            for label, f in rankers.items():
                ranks[label][row["id"]] = f(row)
            if out is not None:
                line = {"id": row["id"], **{k: ranks[k][row["id"]] for k in rankers}}
                out.write(json.dumps(line) + "\n")
                out.flush()
    if misses:
        print_misses(rows, ranks, oracle, backend, misses, text_query, index)
    return ranks


def print_misses(
    rows: list[Row],
    ranks: dict[str, dict[str, int | None]],
    oracle: Oracle,
    backend: VectorBackend,
    count: int,
    text_query: Callable[[Row], dict[str, Any]],
    index: dict[str, int],
) -> None:
    """Queries the oracle ranks in its top 10 and visor (structured) does not: the
    oracle's per-attribute log-likelihood ratio of the target over visor's first choice,
    and visor's own explanation of both."""
    shown = 0
    for row in rows:
        if ranks["oracle"][row["id"]] is None or ranks["visor, structured"][row["id"]] is not None:
            continue
        answer = run_search(row["structured"], backend, 500)
        by_ref = {c.reference: c for c in answer.candidates}
        first = answer.candidates[0]
        factors = oracle.factors(row["observation"], row["style"], row["medium"])
        t, f = index[row["target"]], index[first.reference]
        print(f"\n== {row['id']} ({row['style']}, medium={row['medium']}) target {row['target']}")
        print(row["text"])
        print(
            "oracle log-ratio target/visor-first:",
            {k: round(float(np.log(v[t] / v[f])), 2) for k, v in factors.items()},
        )
        for label, cand in (("target", by_ref.get(row["target"])), ("visor #1", first)):
            if cand is None:
                print(f"  {label}: not in visor's top 500")
                continue
            ev = {e.attribute: round(e.contribution, 2) for e in cand.explanation}
            print(f"  {label} {cand.reference} score {cand.score:.1f}: {ev}")
        shown += 1
        if shown >= count:
            break


def table(title: str, rows: list[Row], ranks: dict[str, dict[str, int | None]]) -> None:
    print(f"\n{title} ({len(rows)} queries)\n")
    print("| ranker | recall@1 | recall@10 | MRR | recall@10 / oracle's |")
    print("|---|---|---|---|---|")
    oracle_r10 = metrics([ranks["oracle"][r["id"]] for r in rows])["recall@10"]
    for label in RANKERS:
        m = metrics([ranks[label][r["id"]] for r in rows])
        ratio = m["recall@10"] / oracle_r10 if oracle_r10 else float("nan")
        print(
            f"| {label} | {m['recall@1']:.3f} | {m['recall@10']:.3f} | {m['MRR']:.3f} "
            f"| {ratio:.2f} |"
        )


def ablation(rows: list[Row]) -> None:
    """Per part of the structured query: targets that enter and leave visor's top 10 when
    that part is left out, among the queries that state it."""
    records = register()
    backend = VectorBackend(search_document(from_document(r)) for r in records)

    def ranks(drop: str | None) -> dict[str, int | None]:
        out: dict[str, int | None] = {}
        for row in rows:
            query = copy.deepcopy(row["structured"])
            if drop is not None:
                query.pop(drop, None)
            answer = run_search(query, backend, 10)
            out[row["id"]] = rank_of(row["target"], [c.reference for c in answer.candidates])
        return out

    base = ranks(None)
    print(
        f"\nAblation, visor structured ({len(rows)} queries, recall@10 "
        f"{metrics(list(base.values()))['recall@10']:.3f})\n"
    )
    print("| left out | queries stating it | recall@10 without it | targets gained | lost |")
    print("|---|---|---|---|---|")
    for part in EVIDENCE_FIELDS:
        stating = [r["id"] for r in rows if r["structured"].get(part) not in (None, [], {}, "")]
        if not stating:
            continue
        without = ranks(part)
        gained = sum(1 for q in stating if base[q] is None and without[q] is not None)
        lost = sum(1 for q in stating if base[q] is not None and without[q] is None)
        recall = metrics(list(without.values()))["recall@10"]
        print(f"| {part} | {len(stating)} | {recall:.3f} | {gained} | {lost} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=["held-out", "tune", "all"], default="held-out")
    parser.add_argument("--by-style", action="store_true")
    parser.add_argument(
        "--misses",
        type=int,
        default=0,
        help="print this many queries the oracle finds and visor misses",
    )
    parser.add_argument("--save", help="keep ranks in this JSONL file, resuming from it")
    parser.add_argument(
        "--ablate", action="store_true", help="each part of the structured query left out"
    )
    args = parser.parse_args()
    everything = load()
    rows = [r for r in everything if args.split in ("all", split_of(r["id"]))]
    rows.sort(key=lambda r: split_of(r["id"]) != "held-out")  # held-out first
    print(
        f"register: {REGISTER_SIZE} synthetic nominals, seed {REGISTER_SEED}; "
        f"{len(rows)} of {len(everything)} foreign queries ({args.split})"
    )
    if args.ablate:
        ablation(rows)
        return
    ranks = rankings(rows, args.misses, args.save)
    table("All styles", rows, ranks)
    if args.split == "all":
        for half in ("tune", "held-out"):
            table(f"All styles, {half} half", [r for r in rows if split_of(r["id"]) == half], ranks)
    table("Medium (no name, no tattoo motif)", [r for r in rows if r["medium"]], ranks)
    table("Full (name and motif allowed)", [r for r in rows if not r["medium"]], ranks)
    if args.by_style:
        for style in ("shorthand", "lay", "victim", "radio"):
            table(style, [r for r in rows if r["style"] == style], ranks)


if __name__ == "__main__":
    main()
