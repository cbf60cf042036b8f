"""The arithmetic every comparison shares, written once for one value or a whole column.

Each function takes Python numbers or numpy arrays alike, so `score()` (one nominal), the
vector backend (every nominal at once) and the OpenSearch compiler (a table of values for
its clauses) run the same formula rather than three copies of it.
"""

import datetime as dt
import math
from types import SimpleNamespace
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt

from search import weights as w

Values: TypeAlias = float | npt.NDArray[np.float64]

# The few primitives the formulas below use, for plain numbers: numpy's own cost ~20 us a
# call on a scalar, and `score()` runs these for every nominal the memory backend scans.
# Each formula is written once, against whichever namespace its arguments call for.
_SCALAR = SimpleNamespace(
    log2=math.log2,
    exp=math.exp,
    maximum=max,
    clip=lambda value, low, high: min(high, max(low, value)),
    round=round,
)


def _ops(*values: Any) -> Any:
    return _SCALAR if all(isinstance(v, (int, float)) for v in values) else np


def bits(numerator: npt.ArrayLike, denominator: npt.ArrayLike) -> Any:
    """log2(numerator / denominator), bounded to [MIN, MAX_CONTRIBUTION] and rounded to 3
    places: one attribute's evidence, never a verdict. A float for floats, else an array."""
    ops = _ops(numerator, denominator)
    value = ops.log2(ops.maximum(numerator, 1e-9) / ops.maximum(denominator, 1e-9))
    return ops.round(ops.clip(value, w.MIN_CONTRIBUTION, w.MAX_CONTRIBUTION), 3)


def scalar_bits(numerator: float, denominator: float) -> float:
    return float(bits(float(numerator), float(denominator)))


def miss(value: npt.ArrayLike, low: float, high: float) -> Any:
    """How far `value` lies outside [low, high] (0 inside it)."""
    ops = _ops(value, low, high)
    return ops.maximum(0.0, ops.maximum(low - value, value - high))  # type: ignore[operator]


def range_likelihood(distance: npt.ArrayLike, in_range: float, error: float) -> Any:
    """How likely a witness gives a range that misses the truth by `distance`: `in_range`
    inside it, falling off as a half-normal of spread `error` outside (see
    vocabularies/witness_error.json for the figures)."""
    ops = _ops(distance)
    return in_range * ops.exp(-(distance * distance) / (2 * error**2))  # type: ignore[operator]


def age_at(born_year: Any, born_month_day: Any, day: dt.date) -> Any:
    """Whole years of age on `day` of someone born in `born_year` on `born_month_day`
    (month * 100 + day): an int for ints, else an array."""
    return day.year - born_year - ((day.month * 100 + day.day) < born_month_day)
