"""A development set for descriptive search: a synthetic register and witness descriptions of
its nominals, made with an explicit noise model so that an oracle can rank by the model's
own likelihood (the best any ranker could do on this set).

The noise model (seeded, per query), drawn from what is known of witness error:
- sex reported wrongly 3% of the time;
- age: the true age plus N(0, 6 years), said as "about N" (N +- 3);
- height: true height plus N(0, 7 cm), said as a +-3 cm band;
- build, hair colour, eye colour, appearance: right with probability AGREE, a neighbouring
  term with NEIGHBOUR, any other term otherwise;
- each recorded mark is seen with probability 0.5: its type right; its place either as
  recorded or only its body part (arm for forearm), the side swapped 20% of the time; its
  motif named by a synonym 70% of the time;
- a name heard 20% of the time: a nickname, an alias, or a misspelling;
- the MO paraphrased from 3-5 of its content words 50% of the time;
- vague queries (20%) keep only 2-3 parts.
Queries are written both as structured JSON and as free text in varied phrasing.
"""

import datetime as dt
import itertools
import json
import random
from dataclasses import dataclass, field
from typing import Any

from search.body_map import body_map
from search.vocabulary import load
from visor.synthetic import NominalGenerator

AS_OF = dt.date(2026, 1, 1)
AGE_ERROR = 6.0
HEIGHT_ERROR = 7.0
AGREE = {"build": 0.55, "hair_colour": 0.6, "eye_colour": 0.55, "ethnic_appearance": 0.8}
NEIGHBOUR = {"build": 0.3, "hair_colour": 0.25, "eye_colour": 0.25, "ethnic_appearance": 0.12}
SEX_WRONG = 0.03
MARK_SEEN = 0.5
SIDE_SWAP = 0.2
MOTIF_NAMED = 0.7


def _terms(attribute: str) -> tuple[list[str], set[frozenset[str]]]:
    traits = load("traits")
    if attribute == "build":
        scale = traits["builds"]["scale"]
        return scale, {frozenset(p) for p in itertools.pairwise(scale)}
    if attribute == "ethnic_appearance":
        data = traits["ethnic_appearance"]
        return list(data["words"]), {frozenset(p) for p in data["neighbours"]}
    key = {"hair_colour": "hair_colours", "eye_colour": "eye_colours"}[attribute]
    data = traits[key]
    return list(data["families"]), {frozenset(p) for p in data["neighbours"]}


def trait_probability(attribute: str, reported: str, true: str) -> float:
    """P(witness reports `reported` | the person's recorded `true`), under the model."""
    terms, neighbours = _terms(attribute)
    near = [t for t in terms if frozenset((t, true)) in neighbours]
    others = [t for t in terms if t != true and t not in near]
    if reported == true:
        return AGREE[attribute]
    if reported in near:
        return NEIGHBOUR[attribute] / len(near)
    rest = 1 - AGREE[attribute] - (NEIGHBOUR[attribute] if near else 0)
    return rest / max(1, len(others)) if reported in others else 1e-6


def _noisy_trait(rng: random.Random, attribute: str, true: str) -> str:
    terms, neighbours = _terms(attribute)
    near = [t for t in terms if frozenset((t, true)) in neighbours]
    roll = rng.random()
    if roll < AGREE[attribute]:
        return true
    if near and roll < AGREE[attribute] + NEIGHBOUR[attribute]:
        return rng.choice(near)
    return rng.choice([t for t in terms if t != true and t not in near] or [true])


@dataclass
class DevQuery:
    target: str
    structured: dict[str, Any]
    text: str
    seen_marks: list[dict[str, Any]] = field(default_factory=list)


def age_at(born: str, day: dt.date) -> int:
    b = dt.date.fromisoformat(born)
    return day.year - b.year - ((day.month, day.day) < (b.month, b.day))


def _mark_report(rng: random.Random, mark: dict[str, Any]) -> dict[str, Any]:
    location = body_map().locate(mark["location"])
    region, side = location.region, location.side
    if region and rng.random() < 0.5:
        parent = body_map().parent.get(region)
        region = str(parent) if parent else region
    if side in ("left", "right") and rng.random() < SIDE_SWAP:
        side = "right" if side == "left" else "left"
    said_location = " ".join(p for p in (side, region) if p) or mark["location"]
    report: dict[str, Any] = {"type": mark["type"], "location": said_location}
    motifs = load("tattoo_motifs")["motifs"]
    description = mark.get("description", "")
    words = description.lower().split()
    for motif in motifs.values():
        if any(s in words for s in motif["synonyms"]) and rng.random() < MOTIF_NAMED:
            report["description"] = rng.choice(motif["synonyms"])
            break
    return report


def _name_report(rng: random.Random, record: dict[str, Any]) -> str:
    name = rng.choice(record["names"])
    forename = str(name.get("forename", ""))
    surname = str(name["surname"])
    roll = rng.random()
    if roll < 0.4 and forename:
        return forename
    if roll < 0.7:
        return f"{forename} {surname}".strip()
    i = rng.randrange(1, max(2, len(surname) - 1))
    return f"{forename} {surname[:i] + surname[i + 1 :]}".strip()  # misspelt


def make_query(rng: random.Random, record: dict[str, Any]) -> DevQuery:
    q: dict[str, Any] = {
        "query_id": record["reference"],
        "as_of": AS_OF.isoformat(),
        "filters": {"status": "any"},
    }
    sex = record["sex"] if rng.random() > SEX_WRONG else ("F" if record["sex"] == "M" else "M")
    if sex in ("M", "F"):
        q["sex"] = sex
    ic = record.get("ethnic_appearance")
    if ic and ic != "IC9":
        q["ethnic_appearance"] = _noisy_trait(rng, "ethnic_appearance", ic)
    if record.get("dates_of_birth"):
        centre = round(age_at(record["dates_of_birth"][0], AS_OF) + rng.gauss(0, AGE_ERROR))
        centre = max(16, min(90, centre))
        q["age"] = {"min": centre - 3, "max": centre + 3}
    if record.get("height_cm"):
        centre = round(record["height_cm"] + rng.gauss(0, HEIGHT_ERROR))
        q["height_cm"] = {"min": centre - 3, "max": centre + 3}
    for attribute, said in (("build", 1.0), ("hair_colour", 1.0), ("eye_colour", 0.3)):
        if record.get(attribute) and rng.random() < said:
            q[attribute] = _noisy_trait(rng, attribute, record[attribute])
    seen = [m for m in record.get("marks", []) if rng.random() < MARK_SEEN]
    if seen:
        q["marks"] = [_mark_report(rng, m) for m in seen]
    if rng.random() < 0.2:
        q["name"] = _name_report(rng, record)
    if record.get("modus_operandi") and rng.random() < 0.5:
        words = [w.strip(".,") for w in record["modus_operandi"][0]["text"].split() if len(w) > 3]
        q["modus_operandi"] = " ".join(rng.sample(words, min(len(words), rng.randint(3, 5))))
    if record.get("accent") and rng.random() < 0.4:
        q["accent"] = record["accent"]
    evidence = [k for k in q if k not in ("query_id", "as_of", "filters")]
    if rng.random() < 0.2 and len(evidence) > 3:  # vague: a glimpse
        for key in rng.sample(evidence, len(evidence) - rng.randint(2, 3)):
            del q[key]
    return DevQuery(record["reference"], q, render_text(rng, q), seen)


def render_text(rng: random.Random, q: dict[str, Any]) -> str:
    """The structured query as a witness might say it, in varied words."""
    parts = []
    ic_words = {
        "IC1": "white",
        "IC2": "olive-skinned",
        "IC3": "black",
        "IC4": "Asian",
        "IC5": "Chinese-looking",
        "IC6": "Middle Eastern",
    }
    person = {
        "M": rng.choice(["man", "male", "bloke", "guy"]),
        "F": rng.choice(["woman", "female", "lady"]),
    }.get(q.get("sex", ""), "person")
    who = " ".join(p for p in (ic_words.get(q.get("ethnic_appearance", ""), ""), person) if p)
    parts.append(who)
    if "age" in q:
        centre = (q["age"]["min"] + q["age"]["max"]) // 2
        parts.append(
            rng.choice(
                [f"about {centre}", f"around {centre}", f"{centre}ish", f"aged about {centre}"]
            )
        )
    if "height_cm" in q:
        centre = (q["height_cm"]["min"] + q["height_cm"]["max"]) / 2
        inches = round(centre / 2.54)
        parts.append(
            rng.choice(
                [
                    f"{inches // 12}ft {inches % 12}",
                    f"about {inches // 12}'{inches % 12}\"",
                    f"{round(centre)}cm",
                ]
            )
        )
    if "build" in q:
        parts.append(rng.choice([f"{q['build']} build", q["build"]]))
    if "hair_colour" in q:
        parts.append(f"{q['hair_colour']} hair" if q["hair_colour"] != "bald" else "bald")
    if "eye_colour" in q:
        parts.append(f"{q['eye_colour']} eyes")
    for mark in q.get("marks", []):
        description = mark.get("description", "")
        on = rng.choice(["on his", "on the", "on"])
        if mark["type"] == "piercing":
            parts.append(f"piercing {on} {mark['location']}")
        else:
            kind = mark["type"].replace("_", " ")
            parts.append(f"{description} {kind} {on} {mark['location']}".strip())
    if "accent" in q:
        parts.append(f"{q['accent']} accent")
    if "name" in q:
        parts.append(
            rng.choice(
                [
                    f"called himself {q['name']}",
                    f"known as {q['name']}",
                    f"said his name was {q['name']}",
                ]
            )
        )
    if "modus_operandi" in q:
        parts.append(q["modus_operandi"])
    return ", ".join(p for p in parts if p)


def build_devset(
    size: int = 5000, queries: int = 600, seed: int = 2026
) -> tuple[list[dict[str, Any]], list[DevQuery]]:
    records = list(NominalGenerator(seed, AS_OF).nominals(size))
    rng = random.Random(seed + 1)
    targets = rng.sample(records, queries)
    return records, [make_query(rng, record) for record in targets]


def conformance_queries(
    records: list[dict[str, Any]], count: int, seed: int
) -> list[dict[str, Any]]:
    """Queries for holding two backends to the same answers: `count` development queries,
    each structured and as free text, and a few edge cases (a nickname alone, an area, a
    generic mark, filters)."""
    rng = random.Random(seed)
    made = [make_query(rng, rng.choice(records)) for _ in range(count)]
    texts = [
        {"text": q.text, "as_of": AS_OF.isoformat(), "filters": {"status": "any"}} for q in made
    ]
    extra: list[dict[str, Any]] = [
        {"name": "Dave", "sex": "M"},
        {"area": "Leeds", "build": "stocky"},
        {"marks": [{"type": "mark", "location": "neck"}]},
        {"marks": [{"description": "snake"}], "filters": {"mappa_category": [1]}},
        {"age": {"min": 30, "max": 40}, "filters": {"wanted_missing": False, "status": "live"}},
    ]
    return [q.structured for q in made] + texts + extra


if __name__ == "__main__":
    _records, dev = build_devset(50, 5)
    for query in dev:
        print(json.dumps(query.structured))
        print("  ", query.text)
