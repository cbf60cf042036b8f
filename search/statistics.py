"""How common each value is in the register: the "u" side of every evidence weight, so that
agreement on a rare value (a dragon tattoo on the neck) says more than on a common one
(brown hair). Computed from the search documents, refreshed with them."""

import datetime as dt
import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from search.document import SearchDocument
from search.evidence import miss, range_likelihood


@dataclass
class RegisterStatistics:
    count: int = 0
    shares: dict[str, dict[str, float]] = field(default_factory=dict)
    surnames: Counter[str] = field(default_factory=Counter)
    forenames: Counter[str] = field(default_factory=Counter)
    mark_types: dict[str, float] = field(default_factory=dict)  # share of nominals with one
    motifs: dict[str, float] = field(default_factory=dict)  # share of nominals with one
    regions: dict[str, float] = field(default_factory=dict)  # share of marks in a region
    mo_document_frequency: Counter[str] = field(default_factory=Counter)
    district_towns: dict[str, str] = field(default_factory=dict)  # the town each lies in
    birth_days: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    heights: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def share(self, attribute: str, value: str | None, floor: float = 0.01) -> float:
        if value is None:
            return 1.0
        return max(floor, self.shares.get(attribute, {}).get(value, 0.0))

    _expected: dict[tuple[object, ...], float] = field(default_factory=dict)
    _names: tuple[object, frozenset[str]] = ((), frozenset())

    def names(self) -> frozenset[str]:
        """Every surname and forename the register holds (normalised, nicknames among them):
        the free-text parser's gazetteer of names. Built once per set of counts."""
        key = (id(self.surnames), len(self.surnames), id(self.forenames), len(self.forenames))
        if self._names[0] != key:
            held = frozenset(self.surnames) | frozenset(self.forenames)
            self._names = (key, frozenset(n for n in held if n))
        return self._names[1]

    def remember(self, key: tuple[object, ...], compute: Callable[[], float]) -> float:
        """A per-register cache for values that depend only on the register and the query."""
        if key not in self._expected:
            if len(self._expected) > 50_000:  # a long-running server sees endless ranges
                self._expected.clear()
            self._expected[key] = compute()
        return self._expected[key]

    def expected_age_likelihood(
        self, low: int, high: int, as_of: dt.date, in_range: float, error: float
    ) -> float:
        """How likely a witness would give [low, high] for a nominal drawn at random: the
        witness-error likelihood averaged over the register's ages (the "u" of an age)."""
        key = ("age", low, high, as_of, in_range, error)
        if key not in self._expected:
            ages = (as_of.toordinal() - self.birth_days) / 365.25
            self._expected[key] = _mean_likelihood(ages, low, high + 0.999, in_range, error)
        return self._expected[key]

    def expected_height_likelihood(
        self, low: int, high: int, in_range: float, error: float
    ) -> float:
        key = ("height", low, high, in_range, error)
        if key not in self._expected:
            self._expected[key] = _mean_likelihood(
                self.heights.astype(np.float64), low, high, in_range, error
            )
        return self._expected[key]

    def surname_share(self, surname: str) -> float:
        return max(1.0 / max(self.count, 1), self.surnames.get(surname, 0) / max(self.count, 1))

    def forename_share(self, forename: str) -> float:
        return max(1.0 / max(self.count, 1), self.forenames.get(forename, 0) / max(self.count, 1))

    def idf(self, token: str) -> float:
        return math.log((1 + self.count) / (1 + self.mo_document_frequency.get(token, 0))) + 1


def _mean_likelihood(
    values: np.ndarray, low: float, high: float, in_range: float, error: float
) -> float:
    if values.size == 0:
        return 0.2
    return float(np.mean(range_likelihood(miss(values, low, high), in_range, error)))


CATEGORICAL = (
    "sex",
    "ethnic_appearance",
    "build",
    "hair_colour",
    "hair_length",
    "facial_hair",
    "eye_colour",
    "accent",
)


@dataclass
class StatisticsCounts:
    """Raw counts over the register: what both backends gather, each in its own way (the
    memory backend from its documents, OpenSearch by aggregations), for one finishing step."""

    count: int = 0
    traits: dict[str, Counter[str]] = field(
        default_factory=lambda: {a: Counter() for a in CATEGORICAL}
    )
    surnames: Counter[str] = field(default_factory=Counter)  # nominals with each
    forenames: Counter[str] = field(default_factory=Counter)
    mark_types: Counter[str] = field(default_factory=Counter)  # nominals with one
    motifs: Counter[str] = field(default_factory=Counter)  # nominals with one
    regions: Counter[str] = field(default_factory=Counter)  # marks in each region
    marks: int = 0
    mo_document_frequency: Counter[str] = field(default_factory=Counter)
    towns: Counter[str] = field(default_factory=Counter)
    districts: Counter[str] = field(default_factory=Counter)
    # (district, town) pairs of the same nominals: which town a district lies in.
    district_towns: Counter[tuple[str, str]] = field(default_factory=Counter)
    birth_days: Counter[int] = field(default_factory=Counter)  # first date of birth, ordinal
    heights: Counter[int] = field(default_factory=Counter)


def count_documents(documents: Iterable[SearchDocument]) -> StatisticsCounts:
    counts = StatisticsCounts()
    for document in documents:
        counts.count += 1
        for attribute in CATEGORICAL:
            value = getattr(document, attribute)
            if value is not None:
                counts.traits[attribute][value] += 1
        counts.surnames.update({n.surname for n in document.names})
        counts.forenames.update({n.forename for n in document.names if n.forename})
        counts.mark_types.update({m.type for m in document.marks})
        counts.motifs.update({motif for m in document.marks for motif in m.motifs})
        for mark in document.marks:
            counts.marks += 1
            if mark.location.region:
                counts.regions[mark.location.region] += 1
        counts.mo_document_frequency.update(document.mo_counts.keys())
        counts.towns.update(document.towns)
        counts.districts.update(document.postcode_districts)
        counts.district_towns.update(
            (district, town) for district in document.postcode_districts for town in document.towns
        )
        if document.dates_of_birth:
            counts.birth_days[document.dates_of_birth[0].toordinal()] += 1
        if document.height_cm is not None:
            counts.heights[document.height_cm] += 1
    return counts


def combined_counts(total: StatisticsCounts, part: StatisticsCounts, sign: int) -> StatisticsCounts:
    """`total` with `part`'s counts added (sign 1) or taken away (sign -1): the counts a fresh
    count of the documents would give, values counted nowhere left out. Neither is changed
    (a backend still searching holds `total`)."""
    result = StatisticsCounts()
    for name in (f.name for f in fields(StatisticsCounts)):
        setattr(result, name, _combined(getattr(total, name), getattr(part, name), sign))
    return result


def _combined(total: Any, part: Any, sign: int) -> Any:
    if isinstance(total, int):
        return total + sign * part
    if isinstance(total, Counter):
        if not part:
            return total
        result = Counter(total)
        for key, number in part.items():
            left = result[key] + sign * number
            if left < 0:
                raise ValueError(f"took away more {key!r} than were counted")
            if left:
                result[key] = left
            else:
                del result[key]
        return result
    if isinstance(total, dict):
        return {key: _combined(value, part[key], sign) for key, value in total.items()}
    raise TypeError(f"cannot combine counts of type {type(total).__name__}")


def _expand(counter: Counter[int]) -> np.ndarray:
    """Each value repeated as often as counted, in order: the same array however gathered."""
    values = sorted(counter)
    return np.repeat(np.array(values, dtype=np.int64), [counter[v] for v in values])


def finish_statistics(counts: StatisticsCounts) -> RegisterStatistics:
    stats = RegisterStatistics(count=counts.count)
    for attribute, counter in counts.traits.items():
        known = sum(counter.values()) or 1
        stats.shares[attribute] = {value: n / known for value, n in counter.items()}
    total = max(counts.count, 1)
    stats.shares["town"] = {town: n / total for town, n in counts.towns.items()}
    stats.shares["district"] = {d: n / total for d, n in counts.districts.items()}
    # A nominal's districts and towns are paired blindly (two addresses, two towns): the
    # town a district is paired with most often is the one it lies in.
    for (district, town), n in sorted(counts.district_towns.items()):
        best = stats.district_towns.get(district)
        if best is None or n > counts.district_towns[(district, best)]:
            stats.district_towns[district] = town
    stats.surnames = Counter(counts.surnames)
    stats.forenames = Counter(counts.forenames)
    stats.mark_types = {kind: n / total for kind, n in counts.mark_types.items()}
    stats.motifs = {motif: n / total for motif, n in counts.motifs.items()}
    stats.regions = {region: n / max(counts.marks, 1) for region, n in counts.regions.items()}
    stats.mo_document_frequency = Counter(counts.mo_document_frequency)
    stats.birth_days = _expand(counts.birth_days)
    stats.heights = _expand(counts.heights)
    return stats


def compute_statistics(documents: Iterable[SearchDocument]) -> RegisterStatistics:
    return finish_statistics(count_documents(documents))
