"""The one scoring function: `score(prepared, document, statistics)`, used by every
candidate backend for the final order and the explanation. What is compared, at which
levels and for what weight is declared in `comparisons.py`; this module applies those
declarations to one nominal and says why each contributes what it does."""

import bisect
import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace

from search.body_map import body_map
from search.comparisons import (
    AGE,
    HEIGHT,
    TRAITS,
    LookLevel,
    PreparedMark,
    TraitComparison,
    area_level,
    area_levels,
    filter_values,
    kind_factor,
    look_level,
    look_levels,
    mark_chance,
    mark_weight,
    mo_said_mass,
    mo_weight,
    mo_word_mass,
    name_contribution,
    prepare_mark,
)
from search.document import MarkDocument, SearchDocument
from search.evidence import age_at
from search.names import best_name_match
from search.query import DescriptionQuery, Range
from search.statistics import RegisterStatistics
from search.vocabulary import mo_tokens, normalise


# Plain dataclasses, not pydantic models: every candidate in the register gets one, and only
# the top few are ever serialised (pydantic handles them inside the answer model).
@dataclass(frozen=True)
class Evidence:
    attribute: str
    asked: str
    found: str
    contribution: float


@dataclass(frozen=True)
class Score:
    reference: str
    score: float  # bits of evidence: log2 of how much likelier the description is if
    # this nominal is the person than if a nominal drawn at random were
    explanation: list[Evidence]
    # How many nominals (passing the filters) score as high or higher, this one included:
    # ten candidates tied with two hundred others read as such. `as_high_exact` is false
    # where the backend saw only its candidate window (OpenSearch): the count is then a
    # lower bound.
    as_high: int | None = None
    as_high_exact: bool = True


# Scores are sums of contributions rounded to 3 places: nominals within this are level.
TIE_TOLERANCE = 0.005


def with_ties(
    ranked: list[Score], as_high: Callable[[float], int], exact: bool = True
) -> list[Score]:
    """`ranked` with each candidate's count of nominals scoring as high or higher;
    `as_high(score)` counts them among those the backend scored."""
    return [
        replace(c, as_high=max(1, as_high(c.score - TIE_TOLERANCE)), as_high_exact=exact)
        for c in ranked
    ]


def counter_of(scores: list[float]) -> Callable[[float], int]:
    """`as_high` for a list of scores: how many are at least a value."""
    ordered = sorted(scores)
    return lambda value: len(ordered) - bisect.bisect_left(ordered, value)


@dataclass(frozen=True)
class PreparedQuery:
    """A query with its free-text parts resolved to vocabulary terms once, not per candidate."""

    query: DescriptionQuery
    as_of: dt.date
    traits: dict[str, str]  # attribute -> the vocabulary term asked, for those stated
    mo_tokens: Counter[str]
    area: str | None
    marks: tuple[PreparedMark, ...]


def prepare(query: DescriptionQuery, as_of: dt.date | None = None) -> PreparedQuery:
    return PreparedQuery(
        query=query,
        as_of=query.as_of or as_of or dt.date.today(),
        traits={
            trait.attribute: term for trait in TRAITS if (term := trait.asked(query)) is not None
        },
        mo_tokens=Counter(mo_tokens(query.modus_operandi or "")),
        area=normalise(query.area) if query.area else None,
        marks=tuple(dict.fromkeys(prepare_mark(mark) for mark in query.marks)),
    )


def _age_evidence(
    asked: Range, document: SearchDocument, prepared: PreparedQuery, stats: RegisterStatistics
) -> Evidence | None:
    if not document.dates_of_birth:
        return None
    low, high = AGE.bounds(asked)
    ages = [
        age_at(born.year, born.month * 100 + born.day, prepared.as_of)
        for born in document.dates_of_birth
    ]
    # Of several dates of birth the one nearest the range counts (the first of equals).
    misses = [AGE.miss(age, low, high) for age in ages]
    nearest = misses.index(min(misses))
    expected = AGE.by_anyone(low, high, stats, prepared.as_of)
    return Evidence(
        attribute="age",
        asked=f"{low}-{high}",
        # An incident before the nominal was born: the miss says how far, the words why.
        found=str(ages[nearest]) if ages[nearest] >= 0 else "not born then",
        contribution=float(AGE.weight(float(misses[nearest]), expected)),
    )


def _height_evidence(
    asked: Range, document: SearchDocument, prepared: PreparedQuery, stats: RegisterStatistics
) -> Evidence | None:
    if document.height_cm is None:
        return None
    low, high = HEIGHT.bounds(asked)
    expected = HEIGHT.by_anyone(low, high, stats, prepared.as_of)
    return Evidence(
        attribute="height_cm",
        asked=f"{low}-{high}",
        found=str(document.height_cm),
        contribution=float(
            HEIGHT.weight(float(HEIGHT.miss(document.height_cm, low, high)), expected)
        ),
    )


def _name_evidence(heard: str, document: SearchDocument, stats: RegisterStatistics) -> Evidence:
    match = best_name_match(heard, document.names)
    name = match.matched
    found = " ".join(p for p in (name.forename, name.surname) if p) if name else "no name alike"
    if name is not None and match.level != "none":
        found = f"{found} ({name.kind}, {match.level})"
    return Evidence(
        attribute="name",
        asked=heard,
        found=found,
        contribution=name_contribution(heard, match.level, name, stats),
    )


def mark_look(prepared: PreparedMark, mark: MarkDocument) -> LookLevel | None:
    """The level at which a recorded mark's look agrees with the described one."""
    levels = look_levels(bool(prepared.asked.description), bool(prepared.motifs))
    return look_level(
        levels,
        has_motifs=bool(mark.motifs),
        overlap=bool(prepared.motifs & mark.motifs),
        shared=bool(prepared.words & set(mark.description.split())),
    )


def mark_agreement(prepared: PreparedMark, mark: MarkDocument) -> float:
    """kind x place x look: how far a recorded mark is the one described."""
    kind = kind_factor(prepared.asked.type, mark.type)
    place = 1.0
    if prepared.location is not None:
        place = body_map().similarity(prepared.location, mark.location)
    look = mark_look(prepared, mark)
    return kind * place * (look.factor if look else 0.0)


def _mark_evidence(
    prepared: PreparedMark, document: SearchDocument, stats: RegisterStatistics
) -> Evidence:
    asked = prepared.asked
    best_agreement, best_mark = 0.0, None
    for mark in document.marks:
        agreement = mark_agreement(prepared, mark)
        if agreement > best_agreement:
            best_agreement, best_mark = agreement, mark
    # With no mark agreeing, one of the right kind in the right place whose look does not
    # count (another design) is shown, since it is why this nominal's mark earns nothing.
    shown = best_mark or next(
        (m for m in document.marks if _placed(prepared, m) and mark_look(prepared, m)), None
    )
    chance = stats.remember(("mark", prepared), lambda: mark_chance(prepared, stats))
    asked_text = " ".join(
        p for p in (asked.description, asked.type, asked.location and f"on {asked.location}") if p
    )
    found = "no such mark recorded"
    if shown is not None:
        look = mark_look(prepared, shown)
        found = (
            f"{shown.type} on {shown.recorded_location}: {shown.recorded_description}"
            f"{look.explains if look else ''}"
        )
    return Evidence(
        attribute="mark",
        asked=asked_text,
        found=found,
        contribution=float(mark_weight(best_agreement, chance)),
    )


def _placed(prepared: PreparedMark, mark: MarkDocument) -> bool:
    """A recorded mark of a kind and in a place the described one could be."""
    kind = kind_factor(prepared.asked.type, mark.type)
    if prepared.location is None:
        return kind > 0
    return kind * body_map().similarity(prepared.location, mark.location) > 0


def _mo_evidence(
    prepared: PreparedQuery, document: SearchDocument, stats: RegisterStatistics
) -> Evidence | None:
    if not prepared.mo_tokens or not document.modus_operandi:
        return None
    shared = set(prepared.mo_tokens) & set(document.mo_counts)
    if not shared:
        return Evidence(
            attribute="modus_operandi",
            asked=prepared.query.modus_operandi or "",
            found="nothing alike",
            contribution=0.0,
        )
    idf = stats.idf
    contained = sum(mo_word_mass(prepared.mo_tokens[t], idf(t)) for t in shared)
    words = ", ".join(sorted(shared, key=lambda t: -idf(t))[:6])
    return Evidence(
        attribute="modus_operandi",
        asked=prepared.query.modus_operandi or "",
        found=f"shares: {words}",
        contribution=round(float(mo_weight(contained, mo_said_mass(prepared.mo_tokens, stats))), 3),
    )


def _area_evidence(
    area: str, document: SearchDocument, stats: RegisterStatistics
) -> Evidence | None:
    level = area_level(area_levels(area, stats), document.towns, document.postcode_districts)
    if level is None:
        return None
    return Evidence(attribute="area", asked=area, found=level.explains, contribution=level.weight)


def passes_filters(query: DescriptionQuery, document: SearchDocument) -> bool:
    return all(
        getattr(document, field) in allowed for field, allowed in filter_values(query).items()
    )


def _trait_evidence(
    trait: TraitComparison, asked: str, document: SearchDocument, stats: RegisterStatistics
) -> Evidence | None:
    found = getattr(document, trait.attribute)
    if found not in trait.vocabulary().terms:
        return None  # nothing recorded, or a value that is no evidence (sex U, IC9)
    shown = document.raw.get(trait.attribute, found) if trait.quotes_record else found
    return Evidence(
        attribute=trait.attribute,
        asked=asked,
        found=shown,
        contribution=trait.weight(asked, found, stats),
    )


# The order an explanation lists its evidence in: who, then what they look like, then what
# they bear and did and where.
_SHOWN_ORDER = (
    "name",
    "sex",
    "age",
    "height_cm",
    *(t.attribute for t in TRAITS if t.attribute != "sex"),
    "mark",
    "modus_operandi",
    "area",
)


def score(prepared: PreparedQuery, document: SearchDocument, stats: RegisterStatistics) -> Score:
    """Every piece of evidence the query gives about this nominal, and their sum."""
    q = prepared.query
    evidence: list[Evidence | None] = []
    if q.name:
        evidence.append(_name_evidence(q.name, document, stats))
    for trait in TRAITS:
        if (asked := prepared.traits.get(trait.attribute)) is not None:
            evidence.append(_trait_evidence(trait, asked, document, stats))
    if q.age:
        evidence.append(_age_evidence(q.age, document, prepared, stats))
    if q.height_cm:
        evidence.append(_height_evidence(q.height_cm, document, prepared, stats))
    for mark in prepared.marks:
        evidence.append(_mark_evidence(mark, document, stats))
    evidence.append(_mo_evidence(prepared, document, stats))
    if prepared.area:
        evidence.append(_area_evidence(prepared.area, document, stats))
    kept = sorted(
        (e for e in evidence if e is not None), key=lambda e: _SHOWN_ORDER.index(e.attribute)
    )
    return Score(
        reference=document.reference,
        score=round(sum(e.contribution for e in kept), 3),
        explanation=kept,
    )
