"""Which parts of a description narrowed the search: for each part asked, the share of the
register it fits, from the register's own statistics (so every backend can say it, the
cluster's included). A mark that fits 0.2% of the register did the narrowing; "a man", who
fits nine in ten, did not.

The shares are of what is recorded: a part fits a nominal whose record agrees with it.
"""

from dataclasses import dataclass

import numpy as np

from search.comparisons import AGE, HEIGHT, mark_chance
from search.scoring import PreparedQuery
from search.statistics import RegisterStatistics


@dataclass(frozen=True)
class Narrowing:
    attribute: str
    asked: str
    share: float  # of the register's nominals whose record fits this part

    def describe(self) -> str:
        return f"{self.attribute} {self.asked}: fits {_percent(self.share)} of the register"


def _percent(share: float) -> str:
    return f"{share:.0%}" if share >= 0.095 else f"{share:.1%}" if share >= 0.001 else "<0.1%"


def _share_in(values: np.ndarray, low: float, high: float) -> float:
    return float(np.mean((values >= low) & (values <= high))) if values.size else 1.0


def narrowing(prepared: PreparedQuery, stats: RegisterStatistics) -> list[Narrowing]:
    """The parts asked, most narrowing first."""
    q = prepared.query
    found: list[Narrowing] = []
    for attribute, term in prepared.traits.items():
        share = stats.shares.get(attribute, {}).get(term, 0.0)
        found.append(Narrowing(attribute.replace("_", " "), term, share))
    if q.age:
        low, high = AGE.bounds(q.age)
        ages = (prepared.as_of.toordinal() - stats.birth_days) / 365.25
        found.append(Narrowing("age", f"{low}-{high}", _share_in(ages, low, high + 0.999)))
    if q.height_cm:
        low, high = HEIGHT.bounds(q.height_cm)
        found.append(Narrowing("height", f"{low}-{high} cm", _share_in(stats.heights, low, high)))
    for mark in prepared.marks:
        asked = " ".join(
            p for p in (mark.asked.description, mark.asked.type, mark.asked.location) if p
        )
        found.append(Narrowing("mark", asked, mark_chance(mark, stats)))
    if prepared.area:
        town = stats.shares.get("town", {}).get(prepared.area, 0.0)
        found.append(Narrowing("area", prepared.area, town))
    return sorted(found, key=lambda n: n.share)
