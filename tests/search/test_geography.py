"""Towns beside and within reach of each other, from their centres (search/geography.py)."""

import itertools

import pytest

from search.geography import (
    beside_km,
    distance_km,
    town_positions,
    towns_beside,
    towns_within_reach,
    within_reach_km,
)
from search.vocabulary import load, normalise
from visor.synthetic import vocabulary


def test_every_town_of_the_synthetic_register_has_a_position() -> None:
    towns = {normalise(a["town"]) for a in vocabulary()["areas"]}
    assert towns <= set(town_positions())


@pytest.mark.parametrize(
    ("town", "beside", "within_reach", "far"),
    [
        ("Manchester", "Salford", "Liverpool", "Glasgow"),
        ("Leeds", "Bradford", "Sheffield", "Plymouth"),
        ("Newcastle upon Tyne", "Sunderland", "Middlesbrough", "Norwich"),
        ("Nottingham", "Leicester", "Birmingham", "Southampton"),
        ("Cardiff", "Newport", "Swansea", "London"),
    ],
)
def test_a_town_beside_one_within_reach_and_one_far_off(
    town: str, beside: str, within_reach: str, far: str
) -> None:
    assert beside.lower() in towns_beside(town)
    assert within_reach.lower() in towns_within_reach(town)
    assert within_reach.lower() not in towns_beside(town)
    assert far.lower() not in towns_beside(town) | towns_within_reach(town)


def test_distances_are_symmetric_and_the_rings_too() -> None:
    towns = sorted(town_positions())
    for a, b in itertools.combinations(towns[::7], 2):
        assert distance_km(a, b) == pytest.approx(distance_km(b, a))
    for town in towns:
        assert all(town in towns_beside(other) for other in towns_beside(town))
        assert all(town in towns_within_reach(other) for other in towns_within_reach(town))
        assert town not in towns_beside(town) | towns_within_reach(town)


def test_distances_are_about_right() -> None:
    # Road signs and maps give these within a few kilometres, as the crow flies.
    assert distance_km("London", "Birmingham") == pytest.approx(163, abs=8)
    assert distance_km("Glasgow", "Edinburgh") == pytest.approx(67, abs=5)
    assert (distance_km("Manchester", "Salford") or 99) < 5
    assert distance_km("Leeds", "Nowhere") is None
    assert beside_km() < within_reach_km() == float(load("places")["within_reach_km"])


def test_an_unknown_town_has_no_ring() -> None:
    assert towns_beside("Nowhere") == frozenset() == towns_within_reach("Nowhere")
