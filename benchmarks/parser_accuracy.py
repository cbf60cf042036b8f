"""Does the free-text parser read what a description means? Measured field by field against
readings written by people, never by the parser's authors' code:

- `tests/search/data/constructions.jsonl`: one case per construction found in published
  police appeals and circulations (UK, Ireland, North America, Australia), each sentence
  written fresh by a helper who studied them, with what a correct reading holds (`expect`)
  and what it must leave empty (`absent`);
- the hand-written evaluation set (`benchmarks/handwritten/`), whose writers noted what each
  of their descriptions says (`structured`).

    python -m benchmarks.parser_accuracy [--split held-out|tune|all]

Agreement is loose where people are loose: a range agrees when every bound meant is read
within a tolerance; words agree when they name the same vocabulary term (or, where the
catalogue's labels are coarser than the vocabulary, the same coarse class); a place when
the parser's words are among the meant ones; marks when each meant mark is read with its
kind and body region, and no more.
"""

import argparse
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.search_quality import tokens
from search.body_map import body_map
from search.parse import parse_text
from search.query import EVIDENCE_FIELDS
from search.query_rules import VOCABULARIES
from search.vocabulary import ethnic_appearance, normalise

CONSTRUCTIONS = Path(__file__).resolve().parents[1] / "tests/search/data/constructions.jsonl"
FIELDS = EVIDENCE_FIELDS
_TERMS = VOCABULARIES
# The catalogue labels some traits more coarsely than the vocabulary: its "slim" covers
# thin, its "medium" hair covers collar to shoulder length, its "heavy" covers obese.
_COARSE = {
    "build": {"thin": "slim", "obese": "heavy"},
    "hair_length": {"collar length": "medium", "shoulder length": "medium"},
    "hair_colour": {"bald": "bald"},
}
_TOLERANCE = {"age": 3, "height_cm": 5}


def _range_agrees(meant: dict[str, int], read: dict[str, int], tolerance: int) -> bool:
    """Every bound meant is read, within the tolerance; an extra bound is fine."""
    return all(
        read.get(bound) is not None and abs(read[bound] - meant[bound]) <= tolerance
        for bound in ("min", "max")
        if meant.get(bound) is not None
    )


def _term(field: str, said: str) -> str | None:
    term = _TERMS[field]().canonical(said)
    return _COARSE.get(field, {}).get(term, term) if term else None


def _mark_agrees(meant: dict[str, Any], read: dict[str, Any]) -> bool:
    if meant.get("type") not in (None, "mark", "other") and read.get("type") != meant["type"]:
        return False
    if meant.get("location"):
        where = body_map().locate(meant["location"]).region
        return where is None or body_map().locate(read.get("location") or "").region == where
    return True


def field_agrees(field: str, meant: Any, read: Any) -> bool:
    if read is None:
        return False
    if field in _TOLERANCE:
        return _range_agrees(meant, read, _TOLERANCE[field])
    if field in _TERMS:
        term = _term(field, meant)
        return term == _term(field, read) if term else normalise(meant) == normalise(read)
    if field == "name":
        heard = set(normalise(read).split())
        return bool(heard) and heard <= set(normalise(meant).split())
    if field == "area":  # "Norwich" reads "Dereham Road, Norwich" right
        place = set(normalise(str(read)).split())
        return bool(place) and place <= set(normalise(str(meant)).split())
    if field == "marks":
        unmatched = list(read)
        for mark in meant:
            match = next((r for r in unmatched if _mark_agrees(mark, r)), None)
            if match is None:
                return False
            unmatched.remove(match)
        return not unmatched
    if field == "modus_operandi":
        return bool(set(tokens(meant)) & set(tokens(read)))
    if field == "ethnic_appearance":
        return bool(meant == read or ethnic_appearance().canonical(str(meant)) == read)
    return bool(meant == read)


def read_parts(text: str, places: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The parser's reading of `text` as plain JSON values, the form the writers used."""
    parts = parse_text(text, places).parts
    read = {
        k: (v.model_dump(exclude_none=True) if hasattr(v, "model_dump") else v)
        for k, v in parts.items()
    }
    if "marks" in parts:
        read["marks"] = [m.model_dump(exclude_none=True) for m in parts["marks"]]
    return read


@dataclass(frozen=True)
class Case:
    """A text and what it means: `meant` holds the stated fields, `absent` those that must
    stay empty; fields in neither are not judged."""

    text: str
    meant: dict[str, Any]
    absent: frozenset[str]
    group: str


@dataclass
class FieldTally:
    stated: int = 0
    right: int = 0
    unstated: int = 0
    invented: int = 0

    @property
    def accuracy(self) -> float:
        return self.right / self.stated if self.stated else float("nan")

    @property
    def invention(self) -> float:
        return self.invented / self.unstated if self.unstated else float("nan")


def tally(cases: Iterable[Case], places: frozenset[str] = frozenset()) -> dict[str, FieldTally]:
    tallies = {field: FieldTally() for field in FIELDS}
    for case in cases:
        read = read_parts(case.text, places)
        for field in FIELDS:
            meant = case.meant.get(field)
            if meant not in (None, [], ""):
                tallies[field].stated += 1
                tallies[field].right += field_agrees(field, meant, read.get(field))
            elif field in case.absent:
                tallies[field].unstated += 1
                tallies[field].invented += read.get(field) not in (None, [], "")
    return tallies


def construction_cases() -> list[Case]:
    cases = []
    for line in CONSTRUCTIONS.read_text("utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            meant = dict(item["expect"])
            if "marks" in meant:  # "unspecified" is the catalogue's word for no design
                meant["marks"] = [
                    {k: v for k, v in m.items() if v != "unspecified"} for m in meant["marks"]
                ]
            cases.append(Case(item["text"], meant, frozenset(item["absent"]), item["family"]))
    return cases


def by_group(cases: list[Case]) -> dict[str, float]:
    """Per group, the share of cases read wholly right (every stated field, no absent one)."""
    right: dict[str, int] = defaultdict(int)
    count: dict[str, int] = defaultdict(int)
    for case in cases:
        read = read_parts(case.text)
        wholly = all(
            field_agrees(f, v, read.get(f)) for f, v in case.meant.items() if v not in (None, [])
        ) and not any(read.get(f) not in (None, [], "") for f in case.absent)
        right[case.group] += wholly
        count[case.group] += 1
    return {group: right[group] / count[group] for group in sorted(count)}


def print_tally(title: str, tallies: dict[str, FieldTally]) -> None:
    print(f"\n{title}\n")
    print("| field | stated | read right | must stay empty | filled anyway |")
    print("|---|---|---|---|---|")
    for field, t in tallies.items():
        print(f"| {field} | {t.stated} | {t.accuracy:.2f} | {t.unstated} | {t.invention:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=["held-out", "tune", "all"], default="held-out")
    args = parser.parse_args()
    cases = construction_cases()
    print(f"Constructions catalogue: {len(cases)} cases")
    print_tally("Per field", tally(cases))
    print("\n| family | cases read wholly right |\n|---|---|")
    for group, share in by_group(cases).items():
        print(f"| {group} | {share:.2f} |")

    from benchmarks.handwritten import hand_written_cases, register_places

    written = hand_written_cases(args.split)
    print_tally(
        f"Hand-written set, {args.split} ({len(written)} descriptions)",
        tally(written, register_places()),
    )


if __name__ == "__main__":
    main()
