"""Every comparison between a description and a nominal, declared once as data.

Each attribute is declared here with its levels, the weight each level earns and the words an
explanation gives for it (in the manner of Splink's comparison levels). Three compilers read
these declarations and nothing else: `scoring.score()` (one nominal, with its explanation),
`vector_backend` (numpy columns over every nominal) and `opensearch_query` (DSL clauses).
A backend that needs a weight asks a declaration for it; none writes a formula of its own.
The conformance tests hold the three to the same totals.
"""

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from search import weights as w
from search.body_map import Location, body_map
from search.document import NameDocument
from search.evidence import bits, miss, range_likelihood, scalar_bits
from search.geography import towns_beside, towns_within_reach
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
    motifs_in,
    normalise,
    sexes,
)


class Vocabulary(Protocol):
    """Terms with neighbours: TermGroups (colours) and Scale (builds) both qualify."""

    @property
    def terms(self) -> list[str]: ...

    def canonical(self, text: str | None) -> str | None: ...

    def similarity(self, a: str, b: str) -> float: ...

    def neighbours(self, term: str) -> list[str]: ...


# --- Traits: one term said, one term recorded ---------------------------------------------


@dataclass(frozen=True)
class TraitComparison:
    """A trait read through a vocabulary. Levels: the term itself (`levels.agree`), one of
    its neighbours (`levels.partial`, shared among them), any other term (the rest). A value
    outside the vocabulary, on either side (sex X or U, appearance IC0/IC9, nothing
    recorded), is no evidence: the comparison is left out."""

    attribute: str  # the SearchDocument field, and the statistics' name for it
    levels: w.Levels
    vocabulary: Callable[[], Vocabulary]
    # The explanation quotes the record's own words ("dark brown") rather than the term.
    quotes_record: bool = True

    def asked(self, query: DescriptionQuery) -> str | None:
        """The vocabulary term the query states, or None."""
        value = getattr(query, self.attribute)
        term = self.vocabulary().canonical(value) if value else None
        return term if term in self.vocabulary().terms else None

    def weight(self, asked: str, found: str, stats: RegisterStatistics) -> float:
        """log2 P(witness says `asked` | the person is `found`) / P(... | anyone). "anyone"
        weighs each true term by how common it is in the register, so that agreement on a
        value everybody has is no evidence, and on a rare one strong evidence. A share of
        statements (`weights.WHOLLY_WRONG`) is wrong whatever the truth, so no disagreement
        costs more than that share says."""
        vocabulary = self.vocabulary()
        levels = self.levels

        shares = stats.shares.get(self.attribute, {})

        def confused(true: str) -> float:
            near = vocabulary.neighbours(true)
            others = len(vocabulary.terms) - 1 - len(near)
            if asked == true:
                return levels.agree
            if asked in near:
                return levels.partial / len(near)
            rest = 1 - levels.agree - (levels.partial if near else 0.0)
            return max(rest, 0.01) / max(others, 1)

        def says(true: str) -> float:
            # Some statements are not about the person at all (another person seen, a
            # guess): those name each term as often as people have it.
            lapse = w.WHOLLY_WRONG
            return (1 - lapse) * confused(true) + lapse * shares.get(asked, 0.0)

        def by_anyone() -> float:
            return sum(says(term) * shares.get(term, 0.0) for term in vocabulary.terms)

        def weighed() -> float:
            by_luck = stats.remember(("said", self.attribute, asked), by_anyone)
            return scalar_bits(says(found), max(by_luck, 1e-3))

        # Depends only on the register and the two terms: worked out once per search.
        return stats.remember(("bits", self.attribute, asked, found), weighed)

    def weights(self, asked: str, stats: RegisterStatistics) -> dict[str, float]:
        """The weight of every term a nominal may have recorded: the table the vector and
        OpenSearch backends compile."""
        return {term: self.weight(asked, term, stats) for term in self.vocabulary().terms}


TRAITS: tuple[TraitComparison, ...] = (
    TraitComparison("sex", w.SEX, sexes, quotes_record=False),
    TraitComparison("ethnic_appearance", w.ETHNIC_APPEARANCE, ethnic_appearance, False),
    TraitComparison("build", w.BUILD, builds),
    TraitComparison("hair_colour", w.HAIR_COLOUR, hair_colours),
    TraitComparison("hair_length", w.HAIR_LENGTH, hair_lengths),
    TraitComparison("facial_hair", w.FACIAL_HAIR, facial_hair),
    TraitComparison("eye_colour", w.EYE_COLOUR, eye_colours),
    TraitComparison("accent", w.ACCENT, accents),
)


# --- Ranges: age and height -----------------------------------------------------------------


@dataclass(frozen=True)
class RangeComparison:
    """A range said ("30-35", "5'10 to 6'") against a recorded value. The level is the
    miss, in whole years or centimetres outside the range: none earns `in_range`, and the
    likelihood falls off with the witness's error spread beyond it."""

    attribute: str
    in_range: float
    error: float
    lowest: int  # an open range's missing end
    highest: int
    # The longest miss the OpenSearch compiler writes a clause for, in units.
    span: int

    def bounds(self, asked: Range) -> tuple[int, int]:
        low = asked.min if asked.min is not None else self.lowest
        high = asked.max if asked.max is not None else self.highest
        return low, high

    def by_anyone(self, low: int, high: int, stats: RegisterStatistics, as_of: dt.date) -> float:
        """How likely a witness gives [low, high] of a nominal drawn at random."""
        if self.attribute == "age":
            return stats.expected_age_likelihood(low, high, as_of, self.in_range, self.error)
        return stats.expected_height_likelihood(low, high, self.in_range, self.error)

    def weight(self, distance: npt.ArrayLike, expected: float) -> Any:
        """The contribution of a miss of `distance` units (one value or a column)."""
        likelihood = range_likelihood(distance, self.in_range, self.error)
        return bits(likelihood + w.OUTSIDE_FLOOR, expected + w.OUTSIDE_FLOOR)

    def miss(self, value: npt.ArrayLike, low: int, high: int) -> Any:
        return miss(value, low, high)


AGE = RangeComparison("age", w.AGE_IN_RANGE, w.AGE_ERROR_YEARS, lowest=0, highest=120, span=150)
HEIGHT = RangeComparison(
    "height_cm", w.HEIGHT_IN_BAND, w.HEIGHT_ERROR_CM, lowest=50, highest=250, span=200
)


# --- Marks ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreparedMark:
    """A mark the witness described, read once: where, which motifs, which words."""

    asked: MarkQuery
    location: Location | None
    motifs: frozenset[str]
    words: frozenset[str]


_NOT_LOOK_WORDS = MO_STOPWORDS | {"tattoo", "tattoos", "scar", "mark", "some", "like", "maybe"}


def prepare_mark(mark: MarkQuery) -> PreparedMark:
    """A described mark read once. The same mark said twice is one (`prepare` keeps one of
    equal prepared marks): a witness repeating themselves is not two pieces of evidence."""
    return PreparedMark(
        asked=mark,
        location=body_map().locate(mark.location) if mark.location else None,
        motifs=frozenset(motifs_in(mark.description)),
        words=frozenset(normalise(mark.description or "").split()) - _NOT_LOOK_WORDS,
    )


GENERIC_MARK_TYPES = (None, "mark", "other")  # "a mark on his neck": tattoo, scar, birthmark?

# Recorded types a witness's type may stand for, and how much: a removed tattoo was a
# tattoo, a scar may be called a mark.
TYPE_KIN = {
    frozenset(("tattoo", "removed_tattoo")): 0.7,
    frozenset(("scar", "mark")): 0.5,
    frozenset(("mark", "birthmark")): 0.7,
    frozenset(("scar", "deformity")): 0.3,
}


def kind_factor(asked: str | None, recorded: str) -> float:
    """How far a recorded mark's type agrees with the type the witness said."""
    if asked in GENERIC_MARK_TYPES or asked == recorded:
        return 1.0
    return TYPE_KIN.get(frozenset((str(asked), recorded)), 0.0)


@dataclass(frozen=True)
class LookLevel:
    """How a described mark's look agrees with a recorded one, as a condition on three
    facts about the recorded mark: whether it has named motifs, whether one of them is in
    the family the witness named, and whether it shares a word with the description. None
    means the fact does not matter at this level."""

    name: str
    factor: float
    has_motifs: bool | None
    motif_overlap: bool | None
    shares_words: bool | None
    explains: str  # added to the explanation of the mark found

    def holds(
        self, has_motifs: npt.ArrayLike, overlap: npt.ArrayLike, shared: npt.ArrayLike
    ) -> npt.NDArray[np.bool_]:
        """Whether this level describes each recorded mark (one value or columns)."""
        held = np.ones(np.shape(has_motifs), dtype=bool)
        for wanted, fact in (
            (self.has_motifs, has_motifs),
            (self.motif_overlap, overlap),
            (self.shares_words, shared),
        ):
            if wanted is not None:
                held &= np.asarray(fact, dtype=bool) == wanted
        return held


# Motifs are compared first when both sides name one: the same words agree fully, the same
# family in part (witnesses name the family more reliably than the design), another design
# not at all (it is no such mark). Otherwise only the words can agree.
_MOTIF_LEVELS = (
    LookLevel("same words", w.LOOK_EXACT, True, True, True, ""),
    LookLevel("same family", w.LOOK_SAME_FAMILY, True, True, False, " (same family)"),
    LookLevel("another design", w.LOOK_OTHER_MOTIF, True, False, None, " (another design)"),
    LookLevel("words shared", w.LOOK_WORDS_SHARED, False, None, True, ""),
    LookLevel("look not said alike", w.LOOK_UNKNOWN, False, None, False, ""),
)
_WORD_LEVELS = (
    LookLevel("words shared", w.LOOK_WORDS_SHARED, None, None, True, ""),
    LookLevel("look not said alike", w.LOOK_UNKNOWN, None, None, False, ""),
)
_ANY_LOOK = (LookLevel("look not described", 1.0, None, None, None, ""),)


def look_levels(described: bool, names_motifs: bool) -> tuple[LookLevel, ...]:
    """The levels of a described mark's look, in order: the first that holds applies."""
    if not described:
        return _ANY_LOOK
    return _MOTIF_LEVELS if names_motifs else _WORD_LEVELS


def look_factor(
    levels: tuple[LookLevel, ...],
    has_motifs: npt.ArrayLike,
    overlap: npt.ArrayLike,
    shared: npt.ArrayLike,
) -> npt.NDArray[np.float64]:
    """The factor of the first level that holds, for one recorded mark or a column."""
    conditions = [level.holds(has_motifs, overlap, shared) for level in levels]
    factor: npt.NDArray[np.float64] = np.select(conditions, [lv.factor for lv in levels], 0.0)
    return factor


def look_level(
    levels: tuple[LookLevel, ...], has_motifs: bool, overlap: bool, shared: bool
) -> LookLevel | None:
    return next((lv for lv in levels if lv.holds(has_motifs, overlap, shared)), None)


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


def mark_weight(agreement: npt.ArrayLike, chance: float) -> Any:
    """log2 of P(witness reports this mark | the candidate's best mark agrees this much)
    over P(... | anyone): a full match is worth about log2(1 / chance); no such mark on
    record costs a bounded amount, since marks go unrecorded or are misremembered
    (MARK_UNRECORDED of reports)."""
    unrecorded = w.MARK_UNRECORDED * chance
    return bits(unrecorded + agreement, unrecorded + chance)  # type: ignore[operator]


# --- Modus operandi, area, name ---------------------------------------------------------------


def mo_word_mass(count: float, idf: float) -> float:
    """The weight of one word of what was done, said `count` times."""
    return (count * idf) ** 2


def mo_said_mass(said: Counter[str], stats: RegisterStatistics) -> float:
    """The weight of everything the witness said of what was done: the denominator of the
    MO measure, one definition for every backend. Words no recorded MO holds are left out:
    they cannot tell one nominal from another, and a witness who says much (where the
    police were called, who ran where) must not dilute what they said that a record can
    hold."""
    idf, known = stats.idf, stats.mo_document_frequency
    return sum(mo_word_mass(c, idf(t)) for t, c in said.items() if known.get(t, 0))


def mo_weight(contained: npt.ArrayLike, said: float) -> npt.NDArray[np.float64]:
    """A witness tells part of what was done, so the measure is how much of what they said
    (each word weighted by its rarity) the recorded MO contains, not how alike the texts
    are overall. Linear in `contained`, so each word's share may be a clause of its own."""
    if not said:
        return np.zeros(np.shape(contained))
    share: npt.NDArray[np.float64] = w.MO_MAX_BITS * np.asarray(contained, dtype=float) / said
    return share


def name_contribution(
    heard: str, level: str, name: NameDocument | None, stats: RegisterStatistics
) -> float:
    """The weight of a heard name agreeing at `level` with one of the nominal's names."""
    if name is None or level == "none":
        return scalar_bits(w.NAME_NO_MATCH, 0.85)
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
    return scalar_bits(*ratio)


def _heard_shares(heard: str, stats: RegisterStatistics) -> tuple[float, float]:
    tokens = normalise(heard).split() or [""]
    return stats.forename_share(tokens[0]), stats.surname_share(tokens[-1])


def area_district(area: str) -> str:
    """The postcode district an area names ("LS6 2AB" and "ls6" are both LS6)."""
    words = area.split()
    return words[0].upper() if words else ""


_DISTRICT = re.compile(r"[A-Z]{1,2}\d{1,2}[A-Z]?")


@dataclass(frozen=True)
class AreaLevel:
    """One level of where the offence was against where a nominal has lived: the places
    (normalised towns, upper-case postcode districts) the nominal must have lived in, and
    what that is worth. A nominal earns the first level that holds, none if none does."""

    name: str
    places: frozenset[str]
    weight: float
    explains: str


def area_levels(area: str, stats: RegisterStatistics) -> tuple[AreaLevel, ...]:
    """The levels of an area said, best first, each worth no more than the one before it
    (so that the first that holds is also the best: the OpenSearch compiler takes a max).

    The likelihood of the place said is P(offence there | the nominal lives there), after
    the home district, home town, town beside and town within reach shares of
    witness_error.json, over the same for a nominal who lives elsewhere: a postcode district
    said ("G31") is most evidence for who lived in it, part for who lived elsewhere in its
    town (Glasgow), a little for who lived in a town beside it and less for one within reach
    (`geography`); a town said, for who lived in it, beside it or within reach of it.
    """
    district = area_district(area)
    town_shares, district_shares = stats.shares.get("town", {}), stats.shares.get("district", {})
    floor = 1.0 / max(stats.count, 1)  # a place no nominal has lived in
    candidates: list[tuple[str, frozenset[str], float, str]]
    if _DISTRICT.fullmatch(district):
        town = stats.district_towns.get(district)
        in_town = sum(1 for t in stats.district_towns.values() if t == town) if town else 1
        said_share = district_shares.get(district) or floor
        candidates = [
            ("district", frozenset([district]), w.AREA_HOME_DISTRICT, "has lived there"),
            (
                "town",
                frozenset([town]) if town else frozenset(),
                w.AREA_HOME_TOWN / max(in_town - 1, 1),  # any other district of the town
                f"has lived in {town}, another district",
            ),
        ]
    else:
        town, in_town = area, 1
        said_share = town_shares.get(area) or floor
        candidates = [
            ("town", frozenset([area]), w.AREA_HOME_DISTRICT + w.AREA_HOME_TOWN, "has lived there"),
        ]
    # A nominal of a town beside or within reach offends in the place said as one of that
    # ring's towns and, a district said, as one of the said town's districts.
    for name, near, share, explains in (
        ("town beside", _known(towns_beside, town, town_shares), w.AREA_TOWN_BESIDE, "beside it"),
        (
            "town within reach",
            _known(towns_within_reach, town, town_shares),
            w.AREA_TOWN_WITHIN_REACH,
            "within reach of it",
        ),
    ):
        candidates.append(
            (name, near, share / (max(len(near), 1) * in_town), f"has lived in a town {explains}")
        )
    # An offence away from home falls where people are: in the place said as often as the
    # register's nominals live there. No place in common is the level all others are
    # measured from (0, as for a nominal with no address), so a town beside it still counts.
    elsewhere = 1 - w.AREA_HOME_DISTRICT - w.AREA_HOME_TOWN - w.AREA_TOWN_BESIDE
    elsewhere -= w.AREA_TOWN_WITHIN_REACH
    by_chance = max(elsewhere * said_share, 1e-6)
    levels: list[AreaLevel] = []
    for name, where, likelihood, explains in candidates:
        weight = scalar_bits(likelihood, by_chance)
        if levels:
            weight = min(weight, levels[-1].weight)
        if where and weight > 0:
            levels.append(AreaLevel(name, where, weight, explains))
    return tuple(levels)


def _known(
    ring: Callable[[str], frozenset[str]], town: str | None, town_shares: dict[str, float]
) -> frozenset[str]:
    """The register's towns in a ring (`geography`) around `town`."""
    if not town:
        return frozenset()
    return frozenset(t for t in ring(normalise(town)) if t in town_shares)


def area_level(
    levels: tuple[AreaLevel, ...], towns: frozenset[str], districts: frozenset[str]
) -> AreaLevel | None:
    """The first level whose places a nominal has lived in, or None."""
    return next((lv for lv in levels if lv.places & (towns | districts)), None)


# --- Filters ----------------------------------------------------------------------------------


def filter_values(query: DescriptionQuery) -> dict[str, frozenset[object]]:
    """The hard filters: per document field, the values a nominal must have one of. The
    only comparisons that exclude."""
    filters = query.filters
    allowed: dict[str, frozenset[object]] = {}
    if filters.status != "any":
        allowed["status"] = frozenset([filters.status])
    if filters.mappa_category:
        allowed["mappa_category"] = frozenset(filters.mappa_category)
    if filters.mappa_level:
        allowed["mappa_level"] = frozenset(filters.mappa_level)
    if filters.managing_agency:
        allowed["managing_agency"] = frozenset(filters.managing_agency)
    if filters.wanted_missing is not None:
        allowed["wanted_missing"] = frozenset([filters.wanted_missing])
    return allowed
