"""Which towns lie beside or within reach of each other, from where their centres are
(`vocabularies/places.json`): one definition for every backend, read by `comparisons`.

Distances are great-circle distances between approximate centres, so a town's reach is a
circle, not a journey time; near a threshold the answer is a judgement of geography, which is
why the thresholds are "about" 40 and 80 km and live beside the coordinates."""

import math
from functools import cache

from search.vocabulary import load, normalise

_EARTH_RADIUS_KM = 6371.0


@cache
def town_positions() -> dict[str, tuple[float, float]]:
    """Each known town (normalised) and its centre's latitude and longitude, in degrees."""
    return {normalise(town): (lat, lon) for town, (lat, lon) in load("places")["towns"].items()}


def distance_km(a: str, b: str) -> float | None:
    """The great-circle distance between two towns' centres, or None if either is unknown."""
    positions = town_positions()
    if (here := positions.get(normalise(a))) is None or (
        there := positions.get(normalise(b))
    ) is None:
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, (*here, *there))
    # The haversine formula: exact on a sphere, and well conditioned at short distances.
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * _EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def beside_km() -> float:
    return float(load("places")["beside_km"])


def within_reach_km() -> float:
    return float(load("places")["within_reach_km"])


@cache
def towns_beside(town: str) -> frozenset[str]:
    """The other known towns whose centres lie within `beside_km` of this one's."""
    return _towns_between(normalise(town), 0.0, beside_km())


@cache
def towns_within_reach(town: str) -> frozenset[str]:
    """The known towns farther than `beside_km` and within `within_reach_km`: the weaker ring."""
    return _towns_between(normalise(town), beside_km(), within_reach_km())


def _towns_between(town: str, beyond: float, within: float) -> frozenset[str]:
    found = set()
    for other in town_positions():
        if other != town and (km := distance_km(town, other)) is not None and beyond < km <= within:
            found.add(other)
    return frozenset(found)
