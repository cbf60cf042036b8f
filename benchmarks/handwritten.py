"""Descriptive-search quality on descriptions written by hand, not by our generator.

`benchmarks/handwritten/*.jsonl` holds descriptions written by other hands (one writer per
style: radio circulation, child's account, victim's statement, 999 call, neighbour's
recollection, press appeal), each of a target nominal of the synthetic register made with
REGISTER_SEED, in the writer's own words and with the mistakes a witness makes. Beside each
text is the writer's own reading of it (`structured`: what the text says, mistakes
included), which gives two measures:

- ranking: recall@1, recall@10 and MRR for visor on the free text, visor on the writer's
  structured reading, and BM25 over each record's text;
- parsing: per field, how often the free-text parser reads what the writer meant.

The set is cut in two by a hash of each description's id: tune only on `tune`, report
`held-out`.

    python -m benchmarks.handwritten [--split held-out|tune|all] [--by-style] [--fields]
"""

import argparse
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from rank_bm25 import BM25Okapi

from benchmarks.parser_accuracy import FIELDS, Case, print_tally, spelled_out, tally
from benchmarks.search_quality import description_text, metrics, rank_of, tokens
from register.model import from_document
from search.document import search_document
from search.parse import gazetteer
from search.query_rules import VOCABULARIES, vocabulary_problem
from search.service import run_search
from search.vector_backend import VectorBackend
from search.vocabulary import normalise
from visor.synthetic import NominalGenerator

REGISTER_SEED = 4242
REGISTER_SIZE = 20_000
TARGET_SEED = 90210  # random.Random(TARGET_SEED).sample(register, 490) chose the targets
AS_OF = dt.date(2026, 1, 1)
FOLDER = Path(__file__).resolve().parent / "handwritten"


@dataclass(frozen=True)
class Description:
    id: str
    style: str
    target: str
    text: str
    structured: dict[str, Any]

    @property
    def split(self) -> str:
        return "tune" if hashlib.sha256(self.id.encode()).digest()[0] % 2 == 0 else "held-out"


def load_descriptions(folder: Path = FOLDER) -> list[Description]:
    found = []
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                found.append(
                    Description(
                        item["id"], item["style"], item["target"], item["text"], item["structured"]
                    )
                )
    return found


@cache
def register() -> list[dict[str, Any]]:
    return list(NominalGenerator(seed=REGISTER_SEED).nominals(REGISTER_SIZE))


def register_places() -> frozenset[str]:
    """The register's gazetteer, as the search service gives it to the parser."""
    return gazetteer(a["town"] for r in register() for a in r.get("addresses", []) if a.get("town"))


@cache
def register_names() -> frozenset[str]:
    """The register's surnames and forenames, as the search service gives them to the parser
    (`RegisterStatistics.names`: every name a nominal has used, normalised)."""
    return frozenset(
        said
        for record in register()
        for name in record.get("names", [])
        for said in (normalise(name.get("forename") or ""), normalise(name.get("surname") or ""))
        if said
    )


@cache
def homes() -> dict[str, frozenset[str]]:
    """Each nominal's towns and postcode districts, normalised: where it has lived."""
    found = {}
    for record in register():
        places = set()
        for address in record.get("addresses", []):
            if address.get("town"):
                places.add(normalise(address["town"]))
            if address.get("postcode"):
                places.add(normalise(address["postcode"].split()[0]))
        found[record["reference"]] = frozenset(places)
    return found


def hand_written_cases(split: str) -> list[Case]:
    """The descriptions as parser cases: every field a writer did not note must stay empty."""
    return [
        Case(
            d.text,
            d.structured,
            frozenset(FIELDS) - set(d.structured),
            d.style,
            homes().get(d.target, frozenset()),
        )
        for d in load_descriptions()
        if split in ("all", d.split)
    ]


def known_parts(parts: dict[str, Any]) -> dict[str, Any]:
    """The writer's reading as a user could enter it: police shorthand spelled out ("med"
    is medium), and a trait word no vocabulary knows ("blondey") left out, since the query
    rules refuse it, as a user told so would."""
    known = {}
    for key, value in parts.items():
        if key in VOCABULARIES:
            value = spelled_out(value)
            if vocabulary_problem(key, value):
                continue
        known[key] = value
    return known


def _query(parts: dict[str, Any]) -> dict[str, Any]:
    return {**parts, "as_of": AS_OF.isoformat(), "filters": {"status": "any"}}


# --- ranking --------------------------------------------------------------------------------


def rankings(descriptions: list[Description]) -> dict[str, dict[str, int | None]]:
    """For each ranker, the target's rank in each description's answer, by description id."""
    records = register()
    backend = VectorBackend(search_document(from_document(r)) for r in records)
    bm25 = BM25Okapi([tokens(description_text(r)) for r in records])
    references = [r["reference"] for r in records]

    def visor_text(d: Description) -> list[str]:
        answer = run_search(_query({"text": d.text}), backend, 10)
        return [c.reference for c in answer.candidates]

    def visor_structured(d: Description) -> list[str]:
        answer = run_search(_query(known_parts(d.structured)), backend, 10)
        return [c.reference for c in answer.candidates]

    def bm25_text(d: Description) -> list[str]:
        scores = bm25.get_scores(tokens(d.text))
        order = sorted(range(len(scores)), key=lambda i: -scores[i])[:10]
        return [references[i] for i in order]

    rankers = {
        "visor, free text": visor_text,
        "visor, writer's structured reading": visor_structured,
        "BM25 (free text)": bm25_text,
    }
    return {
        label: {d.id: rank_of(d.target, ranker(d)) for d in descriptions}
        for label, ranker in rankers.items()
    }


def _print_ranking(
    title: str, descriptions: list[Description], ranks: dict[str, dict[str, int | None]]
) -> None:
    print(f"\n{title} ({len(descriptions)} descriptions)\n")
    print("| ranker | recall@1 | recall@10 | MRR |")
    print("|---|---|---|---|")
    for label, by_id in ranks.items():
        m = metrics([by_id[d.id] for d in descriptions])
        print(f"| {label} | {m['recall@1']:.3f} | {m['recall@10']:.3f} | {m['MRR']:.3f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=["held-out", "tune", "all"], default="held-out")
    parser.add_argument("--by-style", action="store_true")
    args = parser.parse_args()
    everything = load_descriptions()
    chosen = [d for d in everything if args.split in ("all", d.split)]
    print(
        f"register: {REGISTER_SIZE} synthetic nominals, seed {REGISTER_SEED}; "
        f"{len(chosen)} of {len(everything)} hand-written descriptions ({args.split})"
    )
    ranks = rankings(chosen)
    _print_ranking("All styles", chosen, ranks)
    if args.by_style:
        for style in sorted({d.style for d in chosen}):
            _print_ranking(style, [d for d in chosen if d.style == style], ranks)
    print_tally(
        "Parser, per field (the writer's reading is the truth)",
        tally(hand_written_cases(args.split), register_places(), register_names()),
    )


if __name__ == "__main__":
    main()
