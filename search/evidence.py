"""The arithmetic every comparison shares, written once for one value or a whole column.

Each function takes Python numbers or numpy arrays alike, so `score()` (one nominal), the
vector backend (every nominal at once) and the OpenSearch compiler (a table of values for
its clauses) run the same formula rather than three copies of it.
"""

import datetime as dt
from typing import TypeAlias

import numpy as np
import numpy.typing as npt

from search import weights as w

Values: TypeAlias = float | npt.NDArray[np.float64]


def bits(numerator: npt.ArrayLike, denominator: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """log2(numerator / denominator), bounded to [MIN, MAX_CONTRIBUTION] and rounded to 3
    places: one attribute's evidence, never a verdict."""
    value = np.log2(np.maximum(numerator, 1e-9) / np.maximum(denominator, 1e-9))
    bounded: npt.NDArray[np.float64] = np.round(
        np.clip(value, w.MIN_CONTRIBUTION, w.MAX_CONTRIBUTION), 3
    )
    return bounded


def scalar_bits(numerator: float, denominator: float) -> float:
    return float(bits(numerator, denominator))


def miss(value: npt.ArrayLike, low: float, high: float) -> npt.NDArray[np.float64]:
    """How far `value` lies outside [low, high] (0 inside it)."""
    distance: npt.NDArray[np.float64] = np.maximum(
        0.0, np.maximum(np.subtract(low, value), np.subtract(value, high))
    )
    return distance


def range_likelihood(
    distance: npt.ArrayLike, in_range: float, error: float
) -> npt.NDArray[np.float64]:
    """How likely a witness gives a range that misses the truth by `distance`: `in_range`
    inside it, falling off as a half-normal of spread `error` outside (see
    vocabularies/witness_error.json for the figures)."""
    likelihood: npt.NDArray[np.float64] = in_range * np.exp(-np.square(distance) / (2 * error**2))
    return likelihood


def age_at(
    born_year: npt.ArrayLike, born_month_day: npt.ArrayLike, day: dt.date
) -> npt.NDArray[np.int64]:
    """Whole years of age on `day` of someone born in `born_year` on `born_month_day`
    (month * 100 + day)."""
    before_birthday = np.less(day.month * 100 + day.day, born_month_day).astype(np.int64)
    age: npt.NDArray[np.int64] = day.year - np.asarray(born_year, dtype=np.int64) - before_birthday
    return age
