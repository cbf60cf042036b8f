"""The one scoring function: `score(query, document, statistics, as_of)`, used by every
candidate backend for the final order and the explanation. Weights and their reasons are in
`weights.py`; how common each value is comes from `statistics.py`."""

import bisect
import datetime as dt
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol

from search import weights as w
from search.body_map import Location, body_map
from search.document import MarkDocument, NameDocument, SearchDocument
from search.names import best_name_match
from search.query import DescriptionQuery, MarkQuery, Range
from search.statistics import RegisterStatistics
from search.vocabulary import (
    MO_STOPWORDS,
    accents,
    builds,
    ethnic_appearance,
    eye_colours,
    facial_hair,
    hair_colours,
    hair_lengths,
    mo_tokens,
    motifs_in,
    normalise,
    sexes,
)


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


def _bits(numerator: float, denominator: float) -> float:
    value = math.log2(max(numerator, 1e-9) / max(denominator, 1e-9))
    return round(min(w.MAX_CONTRIBUTION, max(w.MIN_CONTRIBUTION, value)), 3)


@dataclass(frozen=True)
class PreparedQuery:
    """A query with its free-text parts resolved to vocabulary terms once, not per candidate."""

    query: DescriptionQuery
    as_of: dt.date
    build: str | None
    hair_colour: str | None
    hair_length: str | None
    facial_hair: str | None
    eye_colour: str | None
    accent: str | None
    mo_tokens: Counter[str]
    area: str | None
    marks: tuple["PreparedMark", ...]


@dataclass(frozen=True)
class PreparedMark:
    """A mark the witness described, read once: where, which motifs, which words."""

    asked: MarkQuery
    location: Location | None
    motifs: frozenset[str]
    words: frozenset[str]


def prepare(query: DescriptionQuery, as_of: dt.date | None = None) -> PreparedQuery:
    return PreparedQuery(
        query=query,
        as_of=query.as_of or as_of or dt.date.today(),
        build=builds().canonical(query.build),
        hair_colour=hair_colours().canonical(query.hair_colour),
        hair_length=hair_lengths().canonical(query.hair_length),
        facial_hair=facial_hair().canonical(query.facial_hair),
        eye_colour=eye_colours().canonical(query.eye_colour),
        accent=accents().canonical(query.accent),
        mo_tokens=Counter(mo_tokens(query.modus_operandi or "")),
        area=normalise(query.area) if query.area else None,
        marks=tuple(dict.fromkeys(_prepare_mark(mark) for mark in query.marks)),
    )


_NOT_LOOK_WORDS = MO_STOPWORDS | {"tattoo", "tattoos", "scar", "mark", "some", "like", "maybe"}


def _prepare_mark(mark: MarkQuery) -> "PreparedMark":
    """A described mark read once. The same mark said twice is one (`prepare` keeps one of
    equal prepared marks): a witness repeating themselves is not two pieces of evidence."""
    return PreparedMark(
        asked=mark,
        location=body_map().locate(mark.location) if mark.location else None,
        motifs=frozenset(motifs_in(mark.description)),
        words=frozenset(normalise(mark.description or "").split()) - _NOT_LOOK_WORDS,
    )


class Vocabulary(Protocol):
    """Terms with neighbours: TermGroups (colours) and Scale (builds) both qualify."""

    @property
    def terms(self) -> list[str]: ...

    def similarity(self, a: str, b: str) -> float: ...

    def neighbours(self, term: str) -> list[str]: ...


def _categorical(
    attribute: str,
    asked: str | None,
    found: str | None,
    levels: w.Levels,
    vocabulary: Vocabulary,
    stats: RegisterStatistics,
    shown_found: str | None = None,
) -> Evidence | None:
    if asked is None or found is None or asked not in vocabulary.terms:
        return None
    return Evidence(
        attribute=attribute,
        asked=asked,
        found=shown_found or found,
        contribution=level_bits(attribute, asked, found, levels, vocabulary, stats),
    )


def level_bits(
    attribute: str,
    asked: str,
    found: str,
    levels: w.Levels,
    vocabulary: Vocabulary,
    stats: RegisterStatistics,
) -> float:
    """log2 P(witness says `asked` | the person is `found`) / P(... | anyone). A witness
    says the true term with probability `agree`, one of its neighbours with `partial`
    (shared among them), any other term with the rest (shared likewise); "anyone" weighs
    those by how common each term is in the register, so that agreement on a value that
    everybody has is no evidence, and on a rare one strong evidence."""

    def says(true: str) -> float:
        near = vocabulary.neighbours(true)
        others = len(vocabulary.terms) - 1 - len(near)
        if asked == true:
            return levels.agree
        if asked in near:
            return levels.partial / len(near)
        rest = 1 - levels.agree - (levels.partial if near else 0.0)
        return max(rest, 0.01) / max(others, 1)

    def by_anyone() -> float:
        shares = stats.shares.get(attribute, {})
        return sum(says(term) * shares.get(term, 0.0) for term in vocabulary.terms)

    def bits() -> float:
        by_luck = stats.remember(("said", attribute, asked), by_anyone)
        return _bits(says(found), max(by_luck, 1e-3))

    # Depends only on the register and the two terms: worked out once per search.
    return stats.remember(("bits", attribute, asked, found), bits)


def _age_evidence(
    asked: Range, document: SearchDocument, prepared: PreparedQuery, stats: RegisterStatistics
) -> Evidence | None:
    if not document.dates_of_birth:
        return None
    low = asked.min if asked.min is not None else 0
    high = asked.max if asked.max is not None else 120
    expected = stats.expected_age_likelihood(
        low, high, prepared.as_of, w.AGE_IN_RANGE, w.AGE_ERROR_YEARS
    )
    best: tuple[float, int] | None = None
    for born in document.dates_of_birth:
        age = _age_at(born, prepared.as_of)
        miss = max(0, low - age, age - high)
        likelihood = w.AGE_IN_RANGE * math.exp(-(miss**2) / (2 * w.AGE_ERROR_YEARS**2))
        if best is None or likelihood > best[0]:
            best = (likelihood, age)
    assert best is not None
    return Evidence(
        attribute="age",
        asked=f"{low}-{high}",
        found=str(best[1]),
        contribution=_bits(best[0] + w.OUTSIDE_FLOOR, expected + w.OUTSIDE_FLOOR),
    )


def _age_at(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _height_evidence(
    asked: Range, document: SearchDocument, stats: RegisterStatistics
) -> Evidence | None:
    if document.height_cm is None:
        return None
    low = asked.min if asked.min is not None else 50
    high = asked.max if asked.max is not None else 250
    miss = max(0, low - document.height_cm, document.height_cm - high)
    expected = stats.expected_height_likelihood(low, high, w.HEIGHT_IN_BAND, w.HEIGHT_ERROR_CM)
    likelihood = w.HEIGHT_IN_BAND * math.exp(-(miss**2) / (2 * w.HEIGHT_ERROR_CM**2))
    return Evidence(
        attribute="height_cm",
        asked=f"{low}-{high}",
        found=str(document.height_cm),
        contribution=_bits(likelihood + w.OUTSIDE_FLOOR, expected + w.OUTSIDE_FLOOR),
    )


def name_contribution(
    heard: str, level: str, name: NameDocument | None, stats: RegisterStatistics
) -> float:
    """The weight of a heard name agreeing at `level` with one of the nominal's names."""
    if name is None or level == "none":
        return _bits(w.NAME_NO_MATCH, 0.85)
    surname_share = stats.surname_share(name.surname)
    forename_share = stats.forename_share(name.forename) if name.forename else 0.05
    ratio = {
        "full": (w.NAME_EXACT, surname_share * max(forename_share, 0.01)),
        "surname": (w.NAME_SURNAME, surname_share),
        "forename": (w.NAME_FORENAME_ONLY, forename_share),
        # Many names look alike to a heard one, and the heard name itself may be common
        # (30 Marks), so a near spelling of a rare name must not outweigh an exact match.
        "alike": (
            w.NAME_PHONETIC,
            min(0.5, max(w.NAME_ALIKE_CHANCE, 3 * surname_share, *_heard_shares(heard, stats))),
        ),
    }[level]
    return _bits(*ratio)


def _heard_shares(heard: str, stats: RegisterStatistics) -> tuple[float, float]:
    tokens = normalise(heard).split() or [""]
    return stats.forename_share(tokens[0]), stats.surname_share(tokens[-1])


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


TYPE_KIN = {
    frozenset(("tattoo", "removed_tattoo")): 0.7,
    frozenset(("scar", "mark")): 0.5,
    frozenset(("mark", "birthmark")): 0.7,
    frozenset(("scar", "deformity")): 0.3,
}


def mark_agreement(prepared: PreparedMark, mark: MarkDocument) -> float:
    asked, motifs = prepared.asked, prepared.motifs
    if asked.type in (None, "mark", "other") or asked.type == mark.type:
        kind = 1.0  # "a mark on his neck" could be a tattoo, a scar, a birthmark
    else:
        kind = TYPE_KIN.get(frozenset((asked.type, mark.type)), 0.0)
    place = 1.0
    if prepared.location is not None:
        place = body_map().similarity(prepared.location, mark.location)
    look = 1.0
    if asked.description:
        shared = bool(prepared.words & set(mark.description.split()))
        if motifs and mark.motifs:
            if motifs & mark.motifs:
                look = w.LOOK_EXACT if shared else w.LOOK_SAME_FAMILY
            else:
                look = w.LOOK_OTHER_MOTIF
        else:
            look = w.LOOK_WORDS_SHARED if shared else w.LOOK_UNKNOWN
    return kind * place * look


def mark_chance(prepared: PreparedMark, stats: RegisterStatistics) -> float:
    """How often a nominal drawn at random has a mark this specific: rarer marks weigh more."""
    asked = prepared.asked
    generic = asked.type in (None, "mark", "other")
    chance = 0.6 if generic else stats.mark_types.get(str(asked.type), 0.0)
    if prepared.motifs:
        chance = min(chance, max(stats.motifs.get(m, 0.0) for m in prepared.motifs))
    if prepared.location is not None and prepared.location.region:
        # Marks anywhere within the region asked for ("arm" takes in forearm and wrist),
        # and a little beyond it (adjacent regions and swapped sides match partly).
        region = prepared.location.region
        inside = sum(
            share for name, share in stats.regions.items() if region in body_map().ancestors(name)
        )
        chance *= min(1.0, 1.5 * max(inside, 0.01))
    return max(chance, 1.0 / max(stats.count, 1))


def _mark_evidence(
    prepared: PreparedMark, document: SearchDocument, stats: RegisterStatistics
) -> Evidence:
    asked = prepared.asked
    best_agreement, best_mark = 0.0, None
    for mark in document.marks:
        agreement = mark_agreement(prepared, mark)
        if agreement > best_agreement:
            best_agreement, best_mark = agreement, mark
    other_design = None
    if best_mark is None and prepared.motifs:
        # A mark of the right kind in the right place showing something else: say so,
        # since it is why this nominal's mark does not count.
        other_design = next(
            (
                m
                for m in document.marks
                if m.motifs
                and mark_agreement(replace(prepared, motifs=frozenset(), words=frozenset()), m)
            ),
            None,
        )
    chance = stats.remember(("mark", prepared), lambda: mark_chance(prepared, stats))
    # log2 of P(witness reports this | candidate) over P(... | anyone): a full match is
    # worth about log2(1 / chance); no such mark on record costs a bounded amount, since
    # marks go unrecorded or are misremembered (MARK_UNRECORDED of reports).
    unrecorded = w.MARK_UNRECORDED * chance
    contribution = _bits(unrecorded + best_agreement, unrecorded + chance)
    asked_text = " ".join(
        p for p in (asked.description, asked.type, asked.location and f"on {asked.location}") if p
    )
    if best_mark:
        found = (
            f"{best_mark.type} on {best_mark.recorded_location}: {best_mark.recorded_description}"
        )
    elif other_design:
        found = (
            f"{other_design.type} on {other_design.recorded_location}: "
            f"{other_design.recorded_description} (another design)"
        )
    else:
        found = "no such mark recorded"
    return Evidence(attribute="mark", asked=asked_text, found=found, contribution=contribution)


def _mo_evidence(
    prepared: PreparedQuery, document: SearchDocument, stats: RegisterStatistics
) -> Evidence | None:
    if not prepared.mo_tokens or not document.modus_operandi:
        return None
    recorded = document.mo_counts
    shared = set(prepared.mo_tokens) & set(recorded)
    if not shared:
        return Evidence(
            attribute="modus_operandi",
            asked=prepared.query.modus_operandi or "",
            found="nothing alike",
            contribution=0.0,
        )
    # A witness tells part of what was done, so the measure is how much of what they said
    # (weighted by how rare each word is) the recorded MO contains, not how alike the two
    # texts are overall.
    idf = stats.idf
    said = mo_said_mass(prepared, stats)
    contained = sum((prepared.mo_tokens[t] * idf(t)) ** 2 for t in shared)
    words = ", ".join(sorted(shared, key=lambda t: -idf(t))[:6])
    return Evidence(
        attribute="modus_operandi",
        asked=prepared.query.modus_operandi or "",
        found=f"shares: {words}",
        contribution=round(w.MO_MAX_BITS * contained / said, 3) if said else 0.0,
    )


def mo_said_mass(prepared: PreparedQuery, stats: RegisterStatistics) -> float:
    """The weight of everything the witness said of what was done: the denominator of the
    MO measure, one definition for every backend. Words no recorded MO holds are left out:
    they cannot tell one nominal from another, and a witness who says much (where the
    police were called, who ran where) must not dilute what they said that a record can
    hold."""
    idf, known = stats.idf, stats.mo_document_frequency
    return sum((c * idf(t)) ** 2 for t, c in prepared.mo_tokens.items() if known.get(t, 0))


def area_district(area: str) -> str:
    """The postcode district an area names ("LS6 2AB" and "ls6" are both LS6)."""
    words = area.split()
    return words[0].upper() if words else ""


def _area_evidence(
    area: str, document: SearchDocument, stats: RegisterStatistics
) -> Evidence | None:
    if area in document.towns or area_district(area) in document.postcode_districts:
        share = stats.shares.get("town", {}).get(area, 0.05)
        return Evidence(
            attribute="area",
            asked=area,
            found="has lived there",
            contribution=_bits(w.AREA_MATCH, max(share, 0.01)),
        )
    return None


def passes_filters(query: DescriptionQuery, document: SearchDocument) -> bool:
    filters = query.filters
    if filters.status != "any" and document.status != filters.status:
        return False
    if filters.mappa_category and document.mappa_category not in filters.mappa_category:
        return False
    if filters.managing_agency and document.managing_agency not in filters.managing_agency:
        return False
    return filters.wanted_missing is None or document.wanted_missing == filters.wanted_missing


def score(prepared: PreparedQuery, document: SearchDocument, stats: RegisterStatistics) -> Score:
    """Every piece of evidence the query gives about this nominal, and their sum."""
    q = prepared.query
    evidence: list[Evidence | None] = []
    if q.name:
        evidence.append(_name_evidence(q.name, document, stats))
    if q.sex in ("M", "F") and document.sex in ("M", "F"):
        evidence.append(_categorical("sex", q.sex, document.sex, w.SEX, sexes(), stats))
    if q.age:
        evidence.append(_age_evidence(q.age, document, prepared, stats))
    if q.height_cm:
        evidence.append(_height_evidence(q.height_cm, document, stats))
    known_ic = document.ethnic_appearance not in (None, "IC0", "IC9")
    if q.ethnic_appearance not in (None, "IC0", "IC9") and known_ic:
        evidence.append(
            _categorical(
                "ethnic_appearance",
                q.ethnic_appearance,
                document.ethnic_appearance,
                w.ETHNIC_APPEARANCE,
                ethnic_appearance(),
                stats,
            )
        )
    raw = document.raw
    if prepared.build and document.build:
        evidence.append(_scale("build", prepared.build, document.build, w.BUILD, stats, raw))
    evidence.append(
        _categorical(
            "hair_colour",
            prepared.hair_colour,
            document.hair_colour,
            w.HAIR_COLOUR,
            hair_colours(),
            stats,
            raw.get("hair_colour"),
        )
    )
    if prepared.hair_length and document.hair_length:
        evidence.append(
            _scale(
                "hair_length", prepared.hair_length, document.hair_length, w.HAIR_LENGTH, stats, raw
            )
        )
    evidence.append(
        _categorical(
            "facial_hair",
            prepared.facial_hair,
            document.facial_hair,
            w.FACIAL_HAIR,
            facial_hair(),
            stats,
            raw.get("facial_hair"),
        )
    )
    evidence.append(
        _categorical(
            "eye_colour",
            prepared.eye_colour,
            document.eye_colour,
            w.EYE_COLOUR,
            eye_colours(),
            stats,
            raw.get("eye_colour"),
        )
    )
    evidence.append(
        _categorical(
            "accent",
            prepared.accent,
            document.accent,
            w.ACCENT,
            accents(),
            stats,
            raw.get("accent"),
        )
    )
    for mark in prepared.marks:
        evidence.append(_mark_evidence(mark, document, stats))
    evidence.append(_mo_evidence(prepared, document, stats))
    if prepared.area:
        evidence.append(_area_evidence(prepared.area, document, stats))
    kept = [e for e in evidence if e is not None]
    return Score(
        reference=document.reference,
        score=round(sum(e.contribution for e in kept), 3),
        explanation=kept,
    )


def _scale(
    attribute: str,
    asked: str,
    found: str,
    levels: w.Levels,
    stats: RegisterStatistics,
    raw: dict[str, str],
) -> Evidence | None:
    scale = builds() if attribute == "build" else hair_lengths()
    return _categorical(attribute, asked, found, levels, scale, stats, raw.get(attribute, found))
