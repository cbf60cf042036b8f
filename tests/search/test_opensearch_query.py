"""The query builder without a server: expected DSL for each kind of clause, and the
property the candidate stage rests on, that a clause's boosts differ exactly as `score()`'s
contributions do (the real node is held to the memory backend in the conformance test)."""

import datetime as dt
import math
from collections import Counter
from typing import Any

import numpy as np
import pytest

from search import weights as w
from search.body_map import Location
from search.comparisons import TRAITS, mark_chance, mark_weight
from search.document import MarkDocument
from search.evidence import scalar_bits
from search.opensearch_query import (
    FIRST_STAGE_WINDOW,
    _born_by,
    age_clauses,
    agreement_clauses,
    area_clauses,
    evidence_clauses,
    filter_clauses,
    first_stage_query,
    height_clauses,
    mark_clauses,
    mark_level_clauses,
    mo_clauses,
    name_clauses,
    second_stage_query,
    single_stage_query,
    trait_clauses,
)
from search.query import DescriptionQuery
from search.scoring import mark_agreement, prepare
from search.statistics import RegisterStatistics

AS_OF = dt.date(2026, 1, 1)


def _stats() -> RegisterStatistics:
    stats = RegisterStatistics(count=9)
    stats.shares = {
        "sex": {"M": 0.9, "F": 0.1},
        "build": {"slim": 0.5, "medium": 0.3, "stocky": 0.2},
        "town": {"leeds": 0.1},
    }
    stats.mark_types = {"tattoo": 0.4, "scar": 0.3}
    stats.motifs = {"snake": 0.05}
    stats.regions = {"forearm": 0.2, "arm": 0.1, "neck": 0.1}
    stats.birth_days = np.array([], dtype=np.int64)
    stats.heights = np.array([], dtype=np.int64)
    stats.surnames = Counter({"smith": 3})
    stats.forenames = Counter({"david": 2})
    stats.mo_document_frequency = Counter({"lift": 1, "offer": 1, "park": 1})
    return stats


def _prepared(**fields: Any) -> Any:
    return prepare(DescriptionQuery(**fields), AS_OF)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, [{"terms": {"status": ["live"]}}]),
        ({"status": "any"}, []),
        (
            {"status": "archived", "mappa_category": [3, 1], "wanted_missing": True},
            [
                {"terms": {"status": ["archived"]}},
                {"terms": {"mappa_category": [1, 3]}},
                {"terms": {"wanted_missing": [True]}},
            ],
        ),
        (
            {"status": "any", "mappa_level": [3, 2]},
            [{"terms": {"mappa_level": [2, 3]}}],
        ),
        (
            {"status": "any", "managing_agency": ["WYP", "GMP"]},
            [{"terms": {"managing_agency": ["GMP", "WYP"]}}],
        ),
    ],
)
def test_filters(filters: dict[str, Any], expected: list[dict[str, Any]]) -> None:
    assert filter_clauses(_prepared(sex="M", filters=filters)) == expected


def test_area_is_a_dis_max_of_its_levels() -> None:
    # Leeds a tenth of the register and no town beside it in the register: one level, the
    # town's, worth its likelihood over that of a nominal living elsewhere (who offends in
    # Leeds as often as the register lives there).
    town = w.AREA_HOME_DISTRICT + w.AREA_HOME_TOWN
    elsewhere = 1 - town - w.AREA_TOWN_BESIDE - w.AREA_TOWN_WITHIN_REACH
    assert area_clauses(_prepared(area="Leeds"), _stats()) == [
        {
            "dis_max": {
                "queries": [
                    {
                        "constant_score": {
                            "filter": {
                                "bool": {
                                    "should": [
                                        {"terms": {"towns": ["leeds"]}},
                                        {"terms": {"postcode_districts": ["leeds"]}},
                                    ]
                                }
                            },
                            "boost": round(math.log2(town / (elsewhere * 0.1)), 3),
                        }
                    }
                ],
                "tie_breaker": 0.0,
            }
        }
    ]


def test_mo_words_share_the_containment_measure() -> None:
    # Every word equally rare (the same idf): each of three words is worth a third. Words
    # are matched by stem, so "offered" is the term "offer".
    clauses = mo_clauses(_prepared(modus_operandi="offered a lift, park"), _stats())
    third = round(w.MO_MAX_BITS / 3, 4)
    assert clauses == [
        {"constant_score": {"filter": {"term": {"mo_terms": word}}, "boost": third}}
        for word in ("lift", "offer", "park")
    ]


def test_trait_boosts_differ_as_score_contributions_do() -> None:
    from search.vocabulary import builds

    stats = _stats()
    trait = {t.attribute: t for t in TRAITS}
    [sex, build] = trait_clauses(_prepared(sex="F", build="stocky"), stats)
    m = trait["sex"].weight("F", "M", stats)
    f = trait["sex"].weight("F", "F", stats)
    assert m < 0 < f
    # The lowest contribution is shifted to zero (its clause dropped), the rest kept apart;
    # none, X or U recorded is no evidence (0 in score()) and gets the shift.
    assert sex["bool"]["should"] == [
        {"constant_score": {"filter": {"terms": {"sex": ["F"]}}, "boost": round(f - m, 4)}},
        {
            "constant_score": {
                "filter": {"bool": {"must_not": [{"terms": {"sex": ["F", "M"]}}]}},
                "boost": round(-m, 4),
            }
        },
    ]
    shown = {
        term: c["constant_score"]["boost"]
        for c in build["bool"]["should"]
        for term in c["constant_score"]["filter"].get("terms", {}).get("build", [])
    }
    contributions = {t: trait["build"].weight("stocky", t, stats) for t in builds().terms}
    low = min(contributions.values())
    for term, contribution in contributions.items():
        assert shown.get(term, 0.0) == pytest.approx(contribution - low, abs=1e-4), term


@pytest.mark.parametrize(
    ("as_of", "age", "born_by"),
    [
        (dt.date(2026, 1, 1), 30, dt.date(1996, 1, 1)),
        (dt.date(2024, 2, 29), 1, dt.date(2023, 2, 28)),  # no 29 February in 2023
        (dt.date(2024, 2, 29), 4, dt.date(2020, 2, 29)),
    ],
)
def test_latest_birth_date_for_an_age(as_of: dt.date, age: int, born_by: dt.date) -> None:
    assert _born_by(as_of, age) == born_by


def test_age_bands_follow_the_witness_error_model() -> None:
    [best, nothing] = age_clauses(_prepared(age={"min": 30, "max": 35}), _stats())
    bands = best["dis_max"]["queries"]
    inside = bands[0]["constant_score"]
    # In range: aged 30 to 35 on 1 January 2026.
    assert inside["filter"] == {
        "range": {"dates_of_birth": {"gt": "1990-01-01", "lte": "1996-01-01"}}
    }
    expected = 0.2  # an empty register: the default chance
    floor = scalar_bits(w.OUTSIDE_FLOOR, expected + w.OUTSIDE_FLOOR)
    in_range = scalar_bits(w.AGE_IN_RANGE + w.OUTSIDE_FLOOR, expected + w.OUTSIDE_FLOOR)
    assert inside["boost"] == pytest.approx(in_range - floor, abs=1e-3)
    one_year_out = [b["constant_score"] for b in bands[1:3]]
    assert [b["filter"]["range"]["dates_of_birth"] for b in one_year_out] == [
        {"gt": "1996-01-01", "lte": "1997-01-01"},  # aged 29
        {"gt": "1989-01-01", "lte": "1990-01-01"},  # aged 36
    ]
    assert one_year_out[0]["boost"] < inside["boost"]
    assert nothing["constant_score"]["filter"] == {
        "bool": {"must_not": [{"exists": {"field": "dates_of_birth"}}]}
    }


def test_height_bands() -> None:
    [best, _nothing] = height_clauses(_prepared(height_cm={"min": 175, "max": 180}), _stats())
    bands = [
        q["constant_score"]["filter"]["range"]["height_cm"] for q in best["dis_max"]["queries"]
    ]
    assert bands[:3] == [
        {"gte": 175, "lte": 180},
        {"gte": 174, "lte": 174},
        {"gte": 181, "lte": 181},
    ]


def test_a_single_heard_name_matches_nicknames_surnames_and_sounds() -> None:
    [nested] = name_clauses(_prepared(name="Dave"), _stats())
    assert nested["nested"]["path"] == "names" and nested["nested"]["score_mode"] == "max"
    filters = [
        q["constant_score"]["filter"] for q in nested["nested"]["query"]["dis_max"]["queries"]
    ]
    assert filters[0] == {"term": {"names.forename": "dave"}}
    assert filters[1] == {"term": {"names.forename_first": "dave"}}
    assert filters[2] == {"term": {"names.surname_words": "dave"}}
    # Another form of the forename (David for Dave) is a name alike, as a near spelling is.
    alike = filters[3]["bool"]["should"]
    assert any("david" in c.get("terms", {}).get("names.forename_first", []) for c in alike)
    assert {"term": {"names.surname_sound": "d:TF"}} in alike
    assert {"term": {"names.forename_first.edge": "dave"}} in alike


def test_a_mark_scores_its_best_recorded_mark_by_script() -> None:
    stats = _stats()
    prepared = _prepared(
        marks=[{"type": "tattoo", "location": "left forearm", "description": "snake"}]
    )
    [clause] = mark_clauses(prepared, stats)
    outer = clause["function_score"]
    assert outer["query"]["nested"]["path"] == "marks"
    assert outer["query"]["nested"]["score_mode"] == "max"
    inner = outer["query"]["nested"]["query"]["function_score"]
    assert inner["score_mode"] == "multiply" and inner["boost_mode"] == "replace"
    weights = sorted(f["weight"] for f in inner["functions"])
    # Removed tattoo (0.7); side-swapped places (0.6); the same motif family in other words
    # (0.7), an undescribed look (0.25). Another motif agrees not at all: it has no weight.
    assert {0.7, 0.6, w.LOOK_SAME_FAMILY, w.LOOK_UNKNOWN} <= set(weights)
    assert w.LOOK_OTHER_MOTIF not in weights
    mark = prepared.marks[0]
    chance = mark_chance(mark, stats)
    table = outer["script_score"]["script"]["params"]
    floor = float(mark_weight(0.0, chance))
    # The script's table holds score()'s contribution, less the floor, for every agreement
    # the nested query can give, a perfect mark among them.
    perfect = MarkDocument(
        "tattoo", Location("forearm", "left"), frozenset({"snake"}), "snake", "", ""
    )
    agreement = mark_agreement(mark, perfect)
    assert table["at"] == sorted(table["at"]) and table["at"][-1] == agreement
    assert table["bits"][-1] == pytest.approx(float(mark_weight(agreement, chance)) - floor)
    assert all(b >= 0 for b in table["bits"])


def test_the_whole_body() -> None:
    body = single_stage_query(_prepared(sex="M", area="Leeds"), _stats(), 250)
    assert body["size"] == 250
    assert body["_source"] == ["search_document"]
    assert body["sort"] == [{"_score": "desc"}, {"reference": "asc"}]
    assert body["query"]["bool"]["filter"] == [{"terms": {"status": ["live"]}}]
    assert len(body["query"]["bool"]["should"]) == 2


def _boosts(group: dict[str, Any], field: str) -> dict[str, float]:
    """term -> boost of a trait's group of constant-score clauses."""
    return {
        term: c["constant_score"]["boost"]
        for c in group["bool"]["should"]
        for term in c["constant_score"]["filter"].get("terms", {}).get(field, [])
    }


def test_first_stage_trait_clauses_are_the_agreeing_terms_at_their_weight() -> None:
    from search.vocabulary import builds

    stats = _stats()
    trait = {t.attribute: t for t in TRAITS}
    [sex, build] = trait_clauses(_prepared(sex="F", build="stocky"), stats, agreement_only=True)
    # Only F agrees; M (a contradiction, below 0 in score()) and nothing recorded get no
    # clause, so no clause matches nearly every nominal.
    f = trait["sex"].weight("F", "F", stats)
    assert sex["bool"]["should"] == [
        {"constant_score": {"filter": {"terms": {"sex": ["F"]}}, "boost": round(f, 4)}}
    ]
    shown = _boosts(build, "build")
    for term in builds().terms:
        contribution = trait["build"].weight("stocky", term, stats)
        assert shown.get(term, 0.0) == pytest.approx(max(0.0, contribution), abs=1e-4), term
    assert not any("must_not" in c["constant_score"]["filter"] for c in build["bool"]["should"])


def test_first_stage_ranges_keep_the_misses_worth_something() -> None:
    prepared = _prepared(age={"min": 30, "max": 35}, height_cm={"min": 175, "max": 180})
    full = age_clauses(prepared, _stats()) + height_clauses(prepared, _stats())
    first = age_clauses(prepared, _stats(), True) + height_clauses(prepared, _stats(), True)
    # No clause for nothing recorded, and fewer bands: the far misses count for nothing.
    assert len(full) == 4 and len(first) == 2
    for stage_one, exhaustive in zip(first, full[::2], strict=True):
        bands = stage_one["dis_max"]["queries"]
        assert 0 < len(bands) < len(exhaustive["dis_max"]["queries"])
        # The in-range band is worth score()'s in-range weight, not that less the floor.
        inside, inside_full = bands[0]["constant_score"], exhaustive["dis_max"]["queries"][0]
        assert inside["filter"] == inside_full["constant_score"]["filter"]
        assert inside["boost"] < inside_full["constant_score"]["boost"]
        assert all(b["constant_score"]["boost"] > 0 for b in bands)


def test_mark_levels_give_the_best_marks_contribution_without_a_script() -> None:
    stats = _stats()
    prepared = _prepared(
        marks=[{"type": "tattoo", "location": "left forearm", "description": "snake"}]
    )
    [clause] = mark_level_clauses(prepared, stats)
    assert clause["nested"]["path"] == "marks" and clause["nested"]["score_mode"] == "max"
    assert "script" not in str(clause)
    mark = prepared.marks[0]
    chance = mark_chance(mark, stats)
    floor = float(mark_weight(0.0, chance))
    levels = clause["nested"]["query"]["dis_max"]["queries"]
    boosts = sorted(level["constant_score"]["boost"] for level in levels)
    perfect = MarkDocument(
        "tattoo", Location("forearm", "left"), frozenset({"snake"}), "snake", "", ""
    )
    best = float(mark_weight(mark_agreement(mark, perfect), chance)) - floor
    # The perfect mark's level is the best; every level is one the script's table holds.
    assert boosts[-1] == pytest.approx(best, abs=1e-4)
    [scripted] = mark_clauses(prepared, stats)
    table = scripted["function_score"]["script_score"]["script"]["params"]
    assert {round(b, 3) for b in boosts} <= {round(b, 3) for b in table["bits"]}


def test_the_two_stages() -> None:
    prepared = _prepared(sex="M", build="stocky", area="Leeds", filters={"status": "any"})
    first = first_stage_query(prepared, _stats())
    # No filter asked: no match_all either, so only nominals agreeing on something are hits
    # (the backend goes to the single stage when fewer than the window are).
    assert first["query"]["bool"]["filter"] == []
    # The single stage weighs every nominal passing the filters, so with none it matches all.
    assert single_stage_query(prepared, _stats())["query"]["bool"]["filter"] == [{"match_all": {}}]
    assert first["query"]["bool"]["should"] == agreement_clauses(prepared, _stats())
    assert first["size"] == FIRST_STAGE_WINDOW
    assert first["stored_fields"] == "_none_"  # the references ride in the sort values
    assert first["sort"] == [{"_score": "desc"}, {"reference": "asc"}]
    live = first_stage_query(_prepared(sex="M"), _stats(), 50)
    assert live["query"]["bool"]["filter"] == [{"terms": {"status": ["live"]}}]
    assert live["size"] == 50
    second = second_stage_query(prepared, _stats(), ["N1", "N2"], 20)
    assert second["query"]["bool"]["filter"] == [{"ids": {"values": ["N1", "N2"]}}]
    assert second["query"]["bool"]["should"] == evidence_clauses(prepared, _stats())
    assert second["size"] == 20 and second["_source"] == ["search_document"]
    assert second["sort"] == first["sort"]
