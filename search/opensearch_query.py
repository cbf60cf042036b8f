"""Parsed query -> OpenSearch DSL for the candidate stage. Pure functions returning dicts.

The engine's score is built to equal `score()`'s total plus a constant wherever that can be
written as constant-score clauses, so the top K it returns holds `score()`'s top 10 with a
wide margin:

- a trait (sex, build, hair, eyes, accent, appearance): one clause per recorded term, its
  boost that term's contribution, shifted so that the lowest is zero (boosts must not be
  negative); nominals with nothing recorded get the shift, as they get 0 from `score()`;
- age and height: one range clause per whole year or centimetre of miss, in a `dis_max`,
  so a nominal with several dates of birth counts the best (as `score()` does);
- a mark: a nested query scoring each recorded mark's agreement (kind x place x look, the
  factors `comparisons` declares), the best mark counting; a script turns it into the
  contribution by a table of `comparisons.mark_weight` values the query carries;
- MO: one clause per word, worth its share of the containment measure;
- area: its levels (the district, its town, a town beside it, one within reach) in a
  `dis_max`.

Names are the approximation: exact, nickname, first-four-letters and sound-key clauses are
exact, but Jaro-Winkler becomes a fuzzy query. `score()` then orders the candidates, so an
approximation costs nothing unless it pushes a true top-10 nominal out of the top K.

Weighing all of that for every nominal is what made a search slow (every nominal matches
some clause of every trait, and the script has no bound the engine can prune by), so the
candidates are found in two stages:

1. the first stage ranks every nominal passing the filters by what agrees only: each
   comparison's levels worth more than nothing recorded (`agreement_only`), at their
   weight, and the mark levels as constant-score clauses (`mark_level_clauses`, the same
   table as the script's). Every clause has a known most, and a common value agreed is
   worth little, so the engine skips the nominals that cannot reach the window; it returns
   the window's references, no documents;
2. the second stage weighs the full evidence above on those references only and returns
   the top K documents for `score()`.

Both sort by score, then reference, as `score()`'s order does: a query rescorer would do
stage 2 in the same request but cannot keep that tie-break, and a vague description ties
hundreds of nominals, so the exact top 10 is the first references among them.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from functools import lru_cache, partial
from itertools import product
from typing import Any, get_args

import numpy as np

from register.model import MarkType
from search.body_map import Location, body_map
from search.comparisons import (
    AGE,
    HEIGHT,
    TRAITS,
    LookLevel,
    PreparedMark,
    RangeComparison,
    area_levels,
    filter_values,
    kind_factor,
    look_levels,
    mark_chance,
    mark_weight,
    mo_said_mass,
    mo_weight,
    mo_word_mass,
    name_contribution,
)
from search.document import NameDocument
from search.names import _name_family, sound_key
from search.scoring import PreparedQuery
from search.statistics import RegisterStatistics
from search.vocabulary import normalise

# K, what `score()` re-scores in Python, and W, the first stage's window. Chosen on the
# benchmark's queries (benchmarks/opensearch_search.py, 100,000 nominals, 100 queries,
# 2026-12-02): recall of the exact top 10 in the second stage's top K was 0.992 at K=100,
# 0.998 at 150, 1.000 at 300; in the first stage's window 0.989 at 250, 0.997 at 500,
# 1.000 at 1,000 and 2,000. W is twice the first window past 0.99 with margin, for larger
# registers, where more nominals come near the top. Each of the K costs its document's
# fetch from the index (about as much as the second stage's search, 150 of them) and its
# share of the vectorised re-scoring, so K stays small; the window costs little, the
# references only.
DEFAULT_CANDIDATES = 150
FIRST_STAGE_WINDOW = 1000
# score()'s order: best first, equals by reference (rescore cannot keep it, hence two requests).
_BEST_FIRST = [{"_score": "desc"}, {"reference": "asc"}]
_EPSILON = 0.0005  # below score()'s rounding: such a clause changes nothing
_SIDES = ("left", "right", None)

Clause = dict[str, Any]


def _constant(filter_clause: Clause, boost: float) -> Clause:
    return {"constant_score": {"filter": filter_clause, "boost": round(boost, 4)}}


def _missing(field: str) -> Clause:
    return {"bool": {"must_not": [{"exists": {"field": field}}]}}


def filter_clauses(prepared: PreparedQuery) -> list[Clause]:
    """The hard filters, as `comparisons.filter_values` declares them."""
    clauses: list[Clause] = [
        {"terms": {field: sorted(allowed, key=str)}}
        for field, allowed in filter_values(prepared.query).items()
    ]
    return clauses


def _shifted(weights: dict[str, float], field: str, agreement_only: bool = False) -> list[Clause]:
    """One clause per term `score()` weighs; any other value (none recorded; IC0/IC9; sex X
    or U) is no evidence, 0 in `score()`, and gets the shift that keeps boosts positive.
    `agreement_only`: no shift, so only the terms `score()` weighs above 0 have a clause."""
    shift = 0.0 if agreement_only else -min(0.0, *weights.values())
    # Terms worth the same (every colour far from the one asked, say) share one clause.
    by_boost: dict[float, list[str]] = defaultdict(list)
    for term, bits in weights.items():
        if bits + shift > _EPSILON:
            by_boost[round(bits + shift, 4)].append(term)
    clauses = [
        _constant({"terms": {field: sorted(terms)}}, boost)
        for boost, terms in sorted(by_boost.items(), reverse=True)
    ]
    if shift > _EPSILON:
        weighed: Clause = {"terms": {field: sorted(weights)}}
        clauses.append(_constant({"bool": {"must_not": [weighed]}}, shift))
    return clauses


def trait_clauses(
    prepared: PreparedQuery, stats: RegisterStatistics, agreement_only: bool = False
) -> list[Clause]:
    clauses: list[Clause] = []
    for trait in TRAITS:
        asked = prepared.traits.get(trait.attribute)
        if asked is None:
            continue
        group = _shifted(trait.weights(asked, stats), trait.attribute, agreement_only)
        if group:
            clauses.append({"bool": {"should": group}})
    return clauses


def _born_by(as_of: dt.date, age: int) -> dt.date:
    """The latest date of birth of someone at least `age` years old on `as_of`."""
    try:
        return as_of.replace(year=as_of.year - age)
    except ValueError:  # 29 February, in a year without one
        return dt.date(as_of.year - age, 2, 28)


def _banded(
    field: str,
    low: int,
    high: int,
    bits_at_miss: list[float],
    band: Callable[[int, int], dict[str, Any]],
    limit: int,
    agreement_only: bool = False,
) -> list[Clause]:
    """Range clauses for [low, high] and each whole unit of miss either side, worth their
    weight above the farthest miss's (`agreement_only`: above 0, the misses that count
    for the nominal)."""
    floor = 0.0 if agreement_only else min(bits_at_miss)
    clauses = []
    for miss, bits in enumerate(bits_at_miss):
        boost = bits - floor
        if boost <= _EPSILON:
            continue
        spans = (
            [(low, high)] if miss == 0 else [(low - miss, low - miss), (high + miss, high + miss)]
        )
        for start, end in spans:
            if end >= 0 and start <= limit:
                clauses.append(_constant({"range": {field: band(max(start, 0), end)}}, boost))
    return clauses


def age_clauses(
    prepared: PreparedQuery, stats: RegisterStatistics, agreement_only: bool = False
) -> list[Clause]:
    asked = prepared.query.age
    if asked is None:
        return []
    low, high = AGE.bounds(asked)
    as_of = prepared.as_of
    bits = _miss_weights(AGE, AGE.by_anyone(low, high, stats, as_of))

    def band(start: int, end: int) -> dict[str, str]:
        # Aged start..end on as_of: born after (as_of - (end + 1) years), by (as_of - start).
        return {
            "gt": _born_by(as_of, end + 1).isoformat(),
            "lte": _born_by(as_of, start).isoformat(),
        }

    ranges = _banded("dates_of_birth", low, high, bits, band, 130, agreement_only)
    return _best_of(ranges, "dates_of_birth", 0.0 if agreement_only else -min(bits))


def height_clauses(
    prepared: PreparedQuery, stats: RegisterStatistics, agreement_only: bool = False
) -> list[Clause]:
    asked = prepared.query.height_cm
    if asked is None:
        return []
    low, high = HEIGHT.bounds(asked)
    bits = _miss_weights(HEIGHT, HEIGHT.by_anyone(low, high, stats, prepared.as_of))
    ranges = _banded(
        "height_cm", low, high, bits, lambda s, e: {"gte": s, "lte": e}, 300, agreement_only
    )
    return _best_of(ranges, "height_cm", 0.0 if agreement_only else -min(bits))


def _miss_weights(comparison: RangeComparison, expected: float) -> list[float]:
    """The comparison's weight for a miss of 0, 1, 2 ... units, until it stops changing."""
    values = [float(v) for v in comparison.weight(np.arange(comparison.span), expected)]
    settled = int(3 * comparison.error) + 1
    while len(values) > settled + 1 and values[-1] == values[-2]:
        values.pop()
    return values


def _best_of(ranges: list[Clause], field: str, shift: float) -> list[Clause]:
    """The best band matched counts (several dates of birth: the best one), and nothing
    recorded gets the shift, as it gets 0 from `score()`."""
    clauses: list[Clause] = []
    if ranges:
        clauses.append({"dis_max": {"queries": ranges, "tie_breaker": 0.0}})
    if shift > _EPSILON:
        clauses.append(_constant(_missing(field), shift))
    return clauses


def name_clauses(prepared: PreparedQuery, stats: RegisterStatistics) -> list[Clause]:
    heard = prepared.query.name
    if not heard:
        return []
    tokens = normalise(heard).split()
    if not tokens:
        return []
    first, last = tokens[0], tokens[-1]
    # The heard name stands in for the recorded one whose shares score() will use.
    guess = NameDocument(first, "", last, "primary")
    none = name_contribution(heard, "none", None, stats)

    def worth(level: str, name: NameDocument) -> float:
        return name_contribution(heard, level, name, stats) - none

    def forename_is(token: str) -> Clause:
        return {"terms": {"names.forename_first": sorted(_name_family(token))}}

    def surname_has(token: str) -> Clause:
        return {"term": {"names.surname_words": token}}

    def alike(token: str, fields: tuple[str, ...]) -> list[Clause]:
        found: list[Clause] = []
        for field in fields:
            found.append({"fuzzy": {field: {"value": token, "fuzziness": "AUTO"}}})
            if len(token) >= 4:
                found.append({"term": {f"{field}.edge": token[:4]}})
                sound = "names.surname_sound" if "surname" in field else "names.forename_sound"
                found.append({"term": {sound: sound_key(token)}})
        return found

    levels: list[Clause] = [
        _constant({"term": {"names.forename": " ".join(tokens)}}, worth("forename", guess))
    ]
    if len(tokens) >= 2:
        full = worth("full", guess)
        levels.append(
            _constant({"bool": {"filter": [forename_is(first), surname_has(last)]}}, full)
        )
        levels.append(
            _constant({"bool": {"filter": [surname_has(first), forename_is(last)]}}, full)
        )
        levels.append(_constant({"term": {"names.surname": " ".join(tokens[1:])}}, full))
        levels.append(_constant(surname_has(last), worth("surname", guess)))
        surname_alike = {"bool": {"should": alike(last, ("names.surname_words",))}}
        levels.append(
            _constant(
                {"bool": {"filter": [forename_is(first), surname_alike]}}, worth("alike", guess)
            )
        )
    else:
        levels.append(
            _constant({"term": {"names.forename_first": first}}, worth("forename", guess))
        )
        levels.append(_constant(surname_has(first), worth("surname", guess)))
        # Another form of the forename (names.name_level): a name alike.
        either = [
            forename_is(first),
            *alike(first, ("names.forename_first", "names.surname_words")),
        ]
        levels.append(_constant({"bool": {"should": either}}, worth("alike", guess)))
    kept = [c for c in levels if c["constant_score"]["boost"] > _EPSILON]
    if not kept:
        return []
    return [
        {
            "nested": {
                "path": "names",
                "score_mode": "max",
                "query": {"dis_max": {"queries": kept, "tie_breaker": 0.0}},
            }
        }
    ]


def _kind_groups(prepared: PreparedMark) -> list[tuple[float, Clause]]:
    """(factor, which marks) for every mark type `score()` does not rule out."""
    asked = prepared.asked.type
    factors = {kind: kind_factor(asked, kind) for kind in get_args(MarkType)}
    if set(factors.values()) == {1.0}:
        return [(1.0, {"match_all": {}})]
    groups: dict[float, list[str]] = defaultdict(list)
    for kind, factor in factors.items():
        if factor > 0:
            groups[factor].append(kind)
    return [(f, {"terms": {"marks.type": sorted(k)}}) for f, k in sorted(groups.items())]


def _place_groups(prepared: PreparedMark) -> list[tuple[float, Clause]]:
    """(factor, which marks) for every place with some similarity to the one asked."""
    asked = prepared.location
    if asked is None or asked.region is None:
        return [(1.0, {"match_all": {}})]
    return _place_groups_at(asked)


# Working the groups out compares the place asked with every region on every side, most of
# the time it took to build a query with a mark (some 25 ms on the loaded benchmark machine);
# the places asked are few, and each query's clauses are only read.
@lru_cache(maxsize=1024)
def _place_groups_at(asked: Location) -> list[tuple[float, Clause]]:
    # Per factor, the regions that have it on any side, and those that have it only with
    # the mark on the left, on the right, or on neither (centre, both, unknown).
    by_side: dict[float, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for region in sorted(body_map().parent):
        factors = {side: body_map().similarity(asked, Location(region, side)) for side in _SIDES}
        if len(set(factors.values())) == 1:
            by_side[factors["left"]]["any"].append(region)
        else:
            for side, factor in factors.items():
                by_side[factor][side or "neither"].append(region)
    by_side[body_map().similarity(asked, Location(None, None))]["unknown"] = []
    groups = []
    for factor, sides in sorted(by_side.items()):
        if factor <= 0:
            continue
        parts: list[Clause] = []
        for side, regions in sorted(sides.items()):
            if side == "unknown":
                parts.append(_missing("marks.region"))
                continue
            where: list[Clause] = [{"terms": {"marks.region": regions}}]
            if side in ("left", "right"):
                where.append({"term": {"marks.side": side}})
            elif side == "neither":
                where.append({"bool": {"must_not": [{"terms": {"marks.side": ["left", "right"]}}]}})
            parts.append({"bool": {"filter": where}})
        groups.append((factor, {"bool": {"should": parts}}))
    return groups


def _look_groups(prepared: PreparedMark) -> list[tuple[float, Clause]]:
    """(factor, which marks) for each level of `comparisons.look_levels` worth anything."""
    levels = look_levels(bool(prepared.asked.description), bool(prepared.motifs))
    return [(level.factor, _look_filter(level, prepared)) for level in levels if level.factor > 0]


def _look_filter(level: LookLevel, prepared: PreparedMark) -> Clause:
    """The recorded marks a look level holds for, as a filter on the nested mark."""
    facts: list[tuple[bool | None, Clause]] = [
        (level.has_motifs, {"term": {"marks.has_motifs": True}}),
        (level.motif_overlap, {"terms": {"marks.motifs": sorted(prepared.motifs)}}),
        (level.shares_words, {"terms": {"marks.words": sorted(prepared.words)}}),
    ]
    must = [clause for wanted, clause in facts if wanted is True]
    must_not = [clause for wanted, clause in facts if wanted is False]
    if not must and not must_not:
        return {"match_all": {}}
    return {"bool": {"filter": must, "must_not": must_not}}


# A nominal's best mark scores its agreement (kind x place x look) in the nested query; the
# script looks up what `comparisons.mark_weight` makes of it in a table the query carries
# (the agreements possible, ascending, and their weights less the floor), so the formula
# stays in one place.
_MARK_SCRIPT = (
    "double best = 0.0;"
    " for (int i = 0; i < params.at.size(); i++) {"
    " if (_score >= params.at.get(i) - 1e-4) { best = params.bits.get(i); } }"
    " return best;"
)


def _agreement_table(
    groups: list[list[tuple[float, Clause]]], chance: float, floor: float
) -> dict[str, list[float]]:
    """Every agreement the nested query can score, with its weight above the floor."""
    factors = [[factor for factor, _ in group] for group in groups]
    possible = sorted({round(float(np.prod(choice)), 6) for choice in product(*factors)})
    weights = mark_weight(np.array(possible), chance) - floor
    return {"at": possible, "bits": [round(max(0.0, float(b)), 4) for b in weights]}


def mark_clauses(prepared: PreparedQuery, stats: RegisterStatistics) -> list[Clause]:
    """Per mark asked: each recorded mark scores kind x place x look (score()'s agreement),
    the nominal's best mark counts, and a script turns it into score()'s contribution
    (above what a nominal without such a mark gets, so that boosts stay positive)."""
    clauses: list[Clause] = []
    for mark in prepared.marks:
        chance = stats.remember(("mark", mark), partial(mark_chance, mark, stats))
        floor = float(mark_weight(0.0, chance))  # no such mark on record
        groups = [_kind_groups(mark), _place_groups(mark), _look_groups(mark)]
        possible = [{"bool": {"should": [clause for _, clause in group]}} for group in groups]
        factors = [
            {"filter": clause, "weight": factor}
            for group in groups
            for factor, clause in group
            if factor < 1.0
        ]
        agreement: Clause = {"bool": {"filter": possible}}
        if factors:
            agreement = {
                "function_score": {
                    "query": agreement,
                    "functions": factors,
                    "score_mode": "multiply",
                    "boost_mode": "replace",
                }
            }
        else:
            agreement = {"constant_score": {"filter": agreement, "boost": 1.0}}
        params = _agreement_table(groups, chance, floor)
        clauses.append(
            {
                "function_score": {
                    "query": {"nested": {"path": "marks", "score_mode": "max", "query": agreement}},
                    "script_score": {"script": {"source": _MARK_SCRIPT, "params": params}},
                    "boost_mode": "replace",
                }
            }
        )
    return clauses


def mo_clauses(prepared: PreparedQuery, stats: RegisterStatistics) -> list[Clause]:
    said = mo_said_mass(prepared.mo_tokens, stats)
    if not prepared.mo_tokens or not said:
        return []
    return [
        _constant(
            {"term": {"mo_terms": token}},
            float(mo_weight(mo_word_mass(count, stats.idf(token)), said)),
        )
        for token, count in sorted(prepared.mo_tokens.items())
    ]


def area_clauses(prepared: PreparedQuery, stats: RegisterStatistics) -> list[Clause]:
    """The area's levels in a dis_max: each level's weight is no more than the one before
    it, so the best level a nominal's places reach is the first that holds, as in score()."""
    if not prepared.area:
        return []
    levels = [
        _constant(
            {
                "bool": {
                    "should": [
                        {"terms": {"towns": sorted(level.places)}},
                        {"terms": {"postcode_districts": sorted(level.places)}},
                    ]
                }
            },
            level.weight,
        )
        for level in area_levels(prepared.area, stats)
        if level.weight > _EPSILON
    ]
    return [{"dis_max": {"queries": levels, "tie_breaker": 0.0}}] if levels else []


def mark_level_clauses(prepared: PreparedQuery, stats: RegisterStatistics) -> list[Clause]:
    """Per mark asked, the same contribution as `mark_clauses` without a script: one
    constant-score clause per (kind, place, look) group a recorded mark can fall in, worth
    `mark_weight` of that agreement above the floor. The groups of each factor partition the
    marks, so exactly one clause holds per mark and the nested max is the best mark's."""
    clauses: list[Clause] = []
    for mark in prepared.marks:
        chance = stats.remember(("mark", mark), partial(mark_chance, mark, stats))
        floor = float(mark_weight(0.0, chance))
        groups = [_kind_groups(mark), _place_groups(mark), _look_groups(mark)]
        levels = []
        for choice in product(*groups):
            agreement = float(np.prod([factor for factor, _ in choice]))
            boost = float(mark_weight(agreement, chance)) - floor
            if boost > _EPSILON:
                levels.append(_constant({"bool": {"filter": [c for _, c in choice]}}, boost))
        if levels:
            query = {"dis_max": {"queries": levels, "tie_breaker": 0.0}}
            clauses.append({"nested": {"path": "marks", "score_mode": "max", "query": query}})
    return clauses


def evidence_clauses(prepared: PreparedQuery, stats: RegisterStatistics) -> list[Clause]:
    """Every comparison's clauses: the full evidence, `score()` plus a constant."""
    return [
        *trait_clauses(prepared, stats),
        *age_clauses(prepared, stats),
        *height_clauses(prepared, stats),
        *name_clauses(prepared, stats),
        *mark_clauses(prepared, stats),
        *mo_clauses(prepared, stats),
        *area_clauses(prepared, stats),
    ]


def single_stage_query(
    prepared: PreparedQuery, stats: RegisterStatistics, size: int = DEFAULT_CANDIDATES
) -> dict[str, Any]:
    """The full evidence weighed for every nominal passing the filters: exact, and what a
    register smaller than the first stage's window is searched with (the benchmark's
    baseline too)."""
    evidence = evidence_clauses(prepared, stats)
    # Every nominal that passes the filters is a candidate, even one no clause matches (a
    # filter makes the should clauses optional; without one, match_all does).
    filters = filter_clauses(prepared) or [{"match_all": {}}]
    return {
        "size": size,
        "track_total_hits": False,
        "_source": ["search_document"],
        "query": {"bool": {"filter": filters, "should": evidence}},
        "sort": _BEST_FIRST,
    }


def agreement_clauses(prepared: PreparedQuery, stats: RegisterStatistics) -> list[Clause]:
    """The first stage's evidence: each comparison's clauses for the levels `score()` weighs
    above what a nominal with nothing recorded gets, at that weight, all constant-score (so
    the engine knows each clause's most and skips the nominals that cannot reach the window:
    a common trait agreed, sex M say, is worth little and a rare one much). What is left
    out, a contradiction's penalty, only ranks a contradicting nominal too high here, and
    the second stage weighs it in full."""
    return [
        *trait_clauses(prepared, stats, agreement_only=True),
        *age_clauses(prepared, stats, agreement_only=True),
        *height_clauses(prepared, stats, agreement_only=True),
        *name_clauses(prepared, stats),
        *mark_level_clauses(prepared, stats),
        *mo_clauses(prepared, stats),
        *area_clauses(prepared, stats),
    ]


def first_stage_query(
    prepared: PreparedQuery, stats: RegisterStatistics, window: int = FIRST_STAGE_WINDOW
) -> dict[str, Any]:
    """The references of the `window` nominals agreeing most, ties by reference as in
    `score()`'s order. The filters are filters; without one, only nominals agreeing on
    something are hits (a register where fewer than `window` are goes to the single stage)."""
    filters = filter_clauses(prepared)
    return {
        "size": window,
        "track_total_hits": False,
        # The references come back as the sort's tie-breaker: loading each hit's stored _id
        # as well cost twice the search itself (100,000 nominals, window 1,000: 156 ms
        # took at the median with it, 55 ms without).
        "stored_fields": "_none_",
        "query": {"bool": {"filter": filters, "should": agreement_clauses(prepared, stats)}},
        "sort": _BEST_FIRST,
    }


def second_stage_query(
    prepared: PreparedQuery,
    stats: RegisterStatistics,
    references: list[str],
    size: int = DEFAULT_CANDIDATES,
) -> dict[str, Any]:
    """The full evidence on the first stage's window only: its top `size`, best first."""
    return {
        "size": size,
        "track_total_hits": False,
        "_source": ["search_document"],
        "query": {
            "bool": {
                "filter": [{"ids": {"values": references}}],
                "should": evidence_clauses(prepared, stats),
            }
        },
        "sort": _BEST_FIRST,
    }
