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

What the writers noted is read as a user would enter it:

- their police shorthand is spelled out as the parser spells it ("med" is medium, "lt brn"
  light brown, "tash" a moustache);
- a trait stated in words that no vocabulary term holds ("like a farmer", an "English"
  accent) is not judged: no query can hold it, so no reading of it can be right. The table
  counts these apart ("no term");
- a "local" accent is the accent of the place named as local (the writer's area, or the
  hand-written target's home), and is not judged where no such place is known;
- baldness is one fact said two ways: the register keeps "bald" as a hair colour, so a
  bald hair colour read where the writer noted baldness as a hair length is not invented;
- on the hand-written set, an area agrees also when it is a town or postcode district the
  target nominal has lived in (`Case.home`): the query's area is the "town, borough or
  postcode district of the incident", and the writers often noted a street or a
  neighbourhood ("Newland Avenue", "Erdington") inside the town the parser read ("Hull",
  "Birmingham"), a place no register gazetteer holds.
"""

import argparse
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.search_quality import tokens
from search.body_map import body_map
from search.parse import gazetteer, parse_text
from search.parse.text import read_text
from search.query import EVIDENCE_FIELDS
from search.query_rules import VOCABULARIES
from search.vocabulary import accents, ethnic_appearance, normalise

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


def spelled_out(said: str) -> str:
    """A writer's value with its police shorthand spelled out, as the parser spells it."""
    return read_text(said).work


def _term(field: str, said: str) -> str | None:
    coarse = _COARSE.get(field, {})
    term = _TERMS[field]().canonical(spelled_out(said))
    if term is None and normalise(said) in coarse.values():
        return normalise(said)  # the catalogue's own coarse label ("medium" hair)
    return coarse.get(term, term) if term else None


_BALD = re.compile(r"\b(?:bald|balding|receding|thinning|shaved|shaven|skinhead)\b")


def _says_bald(value: Any) -> bool:
    return isinstance(value, str) and bool(_BALD.search(normalise(spelled_out(value))))


def judged_value(field: str, meant: Any, case: "Case | None" = None) -> Any:
    """What a writer's value asks the parser to read, or None where no reading could be
    right: a trait in words no vocabulary term holds, a "local" accent of no known place."""
    if meant in (None, [], ""):
        return None
    if field == "accent" and normalise(str(meant)) == "local":
        places = [case.meant.get("area"), *sorted(case.home)] if case else []
        groups = [g for p in places if p and (g := accents().canonical(str(p)))]
        return groups[0] if groups else None
    if field in _TERMS and _term(field, meant) is None:
        return None
    return meant


def _mark_agrees(meant: dict[str, Any], read: dict[str, Any]) -> bool:
    if meant.get("type") not in (None, "mark", "other") and read.get("type") != meant["type"]:
        return False
    if meant.get("location"):
        where = body_map().locate(meant["location"]).region
        return where is None or body_map().locate(read.get("location") or "").region == where
    return True


def field_agrees(field: str, meant: Any, read: Any, case: "Case | None" = None) -> bool:
    if read is None:
        return False
    if field == "area" and case is not None and normalise(str(read)) in case.home:
        return True  # the town or postcode district of the incident, where the target lived
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


def read_parts(
    text: str, places: frozenset[str] = frozenset(), names: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """The parser's reading of `text` as plain JSON values, the form the writers used."""
    parts = parse_text(text, places, names).parts
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
    home: frozenset[str] = frozenset()  # normalised towns and postcode districts of the target
    places: frozenset[str] = frozenset()  # a register's gazetteer the case is read with
    names: frozenset[str] = frozenset()  # a register's names the case is read with


@dataclass
class FieldTally:
    stated: int = 0
    right: int = 0
    unstated: int = 0
    invented: int = 0
    unjudged: int = 0  # stated in words no vocabulary term holds

    @property
    def accuracy(self) -> float:
        return self.right / self.stated if self.stated else float("nan")

    @property
    def invention(self) -> float:
        return self.invented / self.unstated if self.unstated else float("nan")


def tally(
    cases: Iterable[Case],
    places: frozenset[str] = frozenset(),
    names: frozenset[str] = frozenset(),
) -> dict[str, FieldTally]:
    """Per field, how the cases are read; `places` and `names` are the register's gazetteers
    where the cases are read as the search service reads them, else each case's own."""
    tallies = {field: FieldTally() for field in FIELDS}
    for case in cases:
        read = read_parts(case.text, places or case.places, names or case.names)
        for field in FIELDS:
            meant = case.meant.get(field)
            judged = judged_value(field, meant, case)
            if judged is not None:
                tallies[field].stated += 1
                tallies[field].right += field_agrees(field, judged, read.get(field), case)
            elif meant not in (None, [], ""):
                tallies[field].unjudged += 1
            elif field in case.absent:
                tallies[field].unstated += 1
                tallies[field].invented += invented(field, read, case)
    return tallies


def invented(field: str, read: dict[str, Any], case: Case) -> bool:
    """Whether the parser filled a field the case says must stay empty."""
    if read.get(field) in (None, [], ""):
        return False
    return not (
        field == "hair_colour"
        and read[field] == "bald"
        and _says_bald(case.meant.get("hair_length"))
    )


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
            # A case may name the towns of a register's gazetteer it is read with: a
            # neighbourhood is read as its town only where the gazetteer holds the town.
            # Likewise the register's names ("names"), which a name said bare may be.
            places = gazetteer(item.get("gazetteer", []))
            names = gazetteer(item.get("names", []))
            absent = frozenset(item["absent"])
            cases.append(
                Case(item["text"], meant, absent, item["family"], places=places, names=names)
            )
    return cases


def by_group(cases: list[Case]) -> dict[str, float]:
    """Per group, the share of cases read wholly right (every stated field, no absent one)."""
    right: dict[str, int] = defaultdict(int)
    count: dict[str, int] = defaultdict(int)
    for case in cases:
        read = read_parts(case.text, case.places, case.names)
        judged = {f: judged_value(f, v, case) for f, v in case.meant.items()}
        wholly = all(
            field_agrees(f, v, read.get(f), case) for f, v in judged.items() if v is not None
        ) and not any(invented(f, read, case) for f in case.absent)
        right[case.group] += wholly
        count[case.group] += 1
    return {group: right[group] / count[group] for group in sorted(count)}


def print_tally(title: str, tallies: dict[str, FieldTally]) -> None:
    print(f"\n{title}\n")
    print("| field | stated | read right | no term | must stay empty | filled anyway |")
    print("|---|---|---|---|---|---|")
    for field, t in tallies.items():
        print(
            f"| {field} | {t.stated} | {t.accuracy:.2f} | {t.unjudged} | {t.unstated}"
            f" | {t.invention:.2f} |"
        )


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

    from benchmarks.handwritten import hand_written_cases, register_names, register_places

    written = hand_written_cases(args.split)
    print_tally(
        f"Hand-written set, {args.split} ({len(written)} descriptions)",
        tally(written, register_places(), register_names()),
    )


if __name__ == "__main__":
    main()
