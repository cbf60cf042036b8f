"""The exact likelihood of a development query under `benchmarks/devset.py`'s noise model.

P(query | record) follows `make_query` step by step: each part's presence and value given
the record (sex flips, trait confusions, the rounded Gaussian errors of age and height, which
marks were seen and how each was reported, which name was heard and how, which MO words were
sampled, whether the accent was kept), and the "vague" step that may keep only two or three
parts. Ranking candidates by it is the best any ranker can do on the set (with every record
equally likely a priori). Kept beside the generator: change one, change the other.
"""

import math
from collections.abc import Callable
from typing import Any

from benchmarks.devset import (
    AGE_ERROR,
    AS_OF,
    HEIGHT_ERROR,
    MARK_SEEN,
    MOTIF_NAMED,
    SEX_WRONG,
    SIDE_SWAP,
    age_at,
    trait_probability,
)
from search.body_map import body_map
from search.vocabulary import load

KEYS = (
    "sex",
    "ethnic_appearance",
    "age",
    "height_cm",
    "build",
    "hair_colour",
    "eye_colour",
    "marks",
    "name",
    "modus_operandi",
    "accent",
)
VAGUE = 0.2
NAME_HEARD = 0.2
MO_SAID = 0.5
ACCENT_SAID = 0.4
EYES_SAID = 0.3

Part = tuple[float, Callable[[Any], float]]  # P(part absent), P(part present with value)


def _phi(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def _rounded_gaussian(
    centre: int, mean: float, sigma: float, low: int | None = None, high: int | None = None
) -> float:
    """P(round(mean + N(0, sigma)), clamped to [low, high], equals centre)."""
    upper = 1.0 if high is not None and centre >= high else _phi((centre + 0.5 - mean) / sigma)
    lower = 0.0 if low is not None and centre <= low else _phi((centre - 0.5 - mean) / sigma)
    return max(0.0, upper - lower)


def _trait(record: dict[str, Any], attribute: str, said: float = 1.0) -> Part:
    true = record.get(attribute)
    if not true:
        return 1.0, lambda _value: 0.0
    return 1.0 - said, lambda value: said * trait_probability(attribute, value, true)


def _location_probability(reported: str, recorded: str) -> float:
    location = body_map().locate(recorded)
    region, side = location.region, location.side
    regions = [(region, 1.0)]
    if region:
        parent = body_map().parent.get(region)
        regions = [(region, 0.5), (str(parent) if parent else region, 0.5)]
    sides = [(side, 1.0)]
    if side in ("left", "right"):
        sides = [(side, 1 - SIDE_SWAP), ("right" if side == "left" else "left", SIDE_SWAP)]
    total = 0.0
    for r, pr in regions:
        for s, ps in sides:
            said = " ".join(p for p in (s, r) if p) or recorded
            total += pr * ps if said == reported else 0.0
    return total


def _description_probability(reported: str | None, recorded: str) -> float:
    words = recorded.lower().split()
    motifs = [
        m
        for m in load("tattoo_motifs")["motifs"].values()
        if any(s in words for s in m["synonyms"])
    ]
    if reported is None:
        return (1 - MOTIF_NAMED) ** len(motifs)
    return sum(
        MOTIF_NAMED * (1 - MOTIF_NAMED) ** k / len(m["synonyms"])
        for k, m in enumerate(motifs)
        if reported in m["synonyms"]
    )


def _report_probability(report: dict[str, Any], mark: dict[str, Any]) -> float:
    if report["type"] != mark["type"]:
        return 0.0
    return _location_probability(report["location"], mark["location"]) * (
        _description_probability(report.get("description"), mark.get("description", ""))
    )


def _marks(record: dict[str, Any]) -> Part:
    marks = record.get("marks", [])
    unseen_all = (1 - MARK_SEEN) ** len(marks)

    def value(reports: list[dict[str, Any]]) -> float:
        # Reports keep the record's order: sum over increasing matchings, by dynamic
        # programming; each mark is seen or not with probability MARK_SEEN (0.5).
        ways = [1.0] + [0.0] * len(reports)
        for mark in marks:
            for j in range(len(reports), 0, -1):
                ways[j] += ways[j - 1] * _report_probability(reports[j - 1], mark)
        return (0.5 ** len(marks)) * ways[len(reports)]

    return unseen_all, value


def _name(record: dict[str, Any]) -> Part:
    def value(heard: str) -> float:
        total = 0.0
        for name in record["names"]:
            forename, surname = str(name.get("forename", "")), str(name["surname"])
            if forename and heard == forename:
                total += 0.4
            if heard == f"{forename} {surname}".strip():
                total += 0.3 + (0.0 if forename else 0.4)
            positions = range(1, max(2, len(surname) - 1))
            for i in positions:
                if heard == f"{forename} {surname[:i] + surname[i + 1 :]}".strip():
                    total += 0.3 / len(positions)
        return NAME_HEARD * total / len(record["names"])

    return 1 - NAME_HEARD, value


def _modus_operandi(record: dict[str, Any]) -> Part:
    if not record.get("modus_operandi"):
        return 1.0, lambda _value: 0.0
    words = [w.strip(".,") for w in record["modus_operandi"][0]["text"].split() if len(w) > 3]

    def value(said: str) -> float:
        sequence = said.split(" ")
        total = 0.0
        for size in (3, 4, 5):
            k = min(len(words), size)
            if len(sequence) != k:
                continue
            ways, used = 1, dict[str, int]()
            for word in sequence:
                ways *= max(0, words.count(word) - used.get(word, 0))
                used[word] = used.get(word, 0) + 1
            total += ways / math.perm(len(words), k) / 3
        return MO_SAID * total

    return 1 - MO_SAID, value


def _parts(record: dict[str, Any]) -> dict[str, Part]:
    sex = record["sex"]

    def sex_value(said: str) -> float:
        if sex in ("M", "F"):
            return 1 - SEX_WRONG if said == sex else SEX_WRONG
        return SEX_WRONG if said == "M" else 0.0

    ic = record.get("ethnic_appearance")
    has_ic = bool(ic) and ic != "IC9"
    dobs = record.get("dates_of_birth")
    age = age_at(dobs[0], AS_OF) if dobs else None
    height = record.get("height_cm")
    accent = record.get("accent")
    return {
        "sex": (1 - SEX_WRONG if sex not in ("M", "F") else 0.0, sex_value),
        "ethnic_appearance": (
            (0.0, lambda v: trait_probability("ethnic_appearance", v, str(ic)))
            if has_ic
            else (1.0, lambda _v: 0.0)
        ),
        "age": (
            (0.0, lambda v: _rounded_gaussian(v["min"] + 3, float(age), AGE_ERROR, 16, 90))
            if age is not None
            else (1.0, lambda _v: 0.0)
        ),
        "height_cm": (
            (0.0, lambda v: _rounded_gaussian(v["min"] + 3, float(height), HEIGHT_ERROR))
            if height
            else (1.0, lambda _v: 0.0)
        ),
        "build": _trait(record, "build"),
        "hair_colour": _trait(record, "hair_colour"),
        "eye_colour": _trait(record, "eye_colour", EYES_SAID),
        "marks": _marks(record),
        "name": _name(record),
        "modus_operandi": _modus_operandi(record),
        "accent": (
            (1 - ACCENT_SAID, lambda v: ACCENT_SAID if v == accent else 0.0)
            if accent
            else (1.0, lambda _v: 0.0)
        ),
    }


def log_likelihood(query: dict[str, Any], record: dict[str, Any]) -> float:
    parts = _parts(record)
    kept = [k for k in KEYS if k in query]
    said = math.prod(parts[k][1](query[k]) for k in kept)
    if said == 0.0:
        return -1e9
    others = [k for k in KEYS if k not in query]
    all_absent = math.prod(parts[k][0] for k in others)
    no_vague = (1 - VAGUE) + (VAGUE if len(kept) <= 3 else 0.0)
    total = no_vague * said * all_absent
    if len(kept) in (2, 3):
        # The vague step dropped some parts: how many of the others were there to drop.
        counts = [1.0]
        for key in others:
            absent = parts[key][0]
            nxt = [0.0] * (len(counts) + 1)
            for j, c in enumerate(counts):
                nxt[j] += c * absent
                nxt[j + 1] += c * (1 - absent)
            counts = nxt
        dropped = sum(
            c / math.comb(len(kept) + j, len(kept))
            for j, c in enumerate(counts)
            if len(kept) + j > 3
        )
        total += VAGUE * 0.5 * said * dropped
    return math.log(total) if total > 0 else -1e9
