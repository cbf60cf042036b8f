"""Whether a photo found by its hashes is a copy of the query or only looks like it.

A candidate within SURE_DISTANCE bits is a copy: no two different real photographs were
measured that close. Between that and the search radius, the hashes alone cry wolf (two
custody photos of different men in the same pose come within 26 bits), so the candidate is
a copy only when the second, independent signature agrees too: enough keypoints matched in
one geometric transform (imaging/keypoints.py). The rest are look-alikes, shown only when
asked for. Each candidate's confidence is the chance that a pair like it is the same
photograph, from the calibration measured on real photographs
(benchmarks/photo_verification.py writes photo_calibration.json).
"""

import json
from collections.abc import Sequence
from enum import StrEnum
from functools import cache
from pathlib import Path

from pydantic import BaseModel

SURE_DISTANCE = 16
# Transformed copies of real photographs kept 25 or more agreeing keypoints in 98 % of cases
# where they had texture at all; different photographs close in hash, at most 22.
MIN_AGREEING_POINTS = 25
CALIBRATION_FILE = Path(__file__).with_name("photo_calibration.json")


class Likeness(StrEnum):
    COPY = "copy"
    LOOKALIKE = "look-alike"


def likeness(distance: int, agreeing_points: int | None) -> Likeness:
    """`agreeing_points` is None when the second signature was not measured (no need, or
    the stored photo could not be read): then only the hashes decide."""
    if distance <= SURE_DISTANCE:
        return Likeness.COPY
    if agreeing_points is not None and agreeing_points >= MIN_AGREEING_POINTS:
        return Likeness.COPY
    return Likeness.LOOKALIKE


class CalibrationBand(BaseModel):
    """Pairs measured with a hash distance in [low, high] and this likeness."""

    low: int
    high: int
    likeness: Likeness
    same_pairs: int
    distinct_pairs: int


class Calibration(BaseModel):
    same_total: int  # transformed copies measured
    distinct_total: int  # pairs of different photographs measured
    bands: list[CalibrationBand]
    source: str  # how it was measured, for the reader of the file


BAND_EDGES: Sequence[tuple[int, int]] = (
    (0, 8),
    (9, 12),
    (13, 16),
    (17, 20),
    (21, 24),
    (25, 28),
    (29, 32),
    (33, 40),
)


@cache
def calibration() -> Calibration:
    return Calibration.model_validate(json.loads(CALIBRATION_FILE.read_text("utf-8")))


def confidence(distance: int, judged: Likeness, measured: Calibration | None = None) -> float:
    """P(same photograph | a pair at this distance judged so), for a pair that was as likely
    a copy as not before its distance was seen: each count smoothed by half a pair, so that a
    band where no distinct pair was measured reads as very likely, never as certain."""
    table = measured or calibration()
    band = next(
        (b for b in table.bands if b.low <= distance <= b.high and b.likeness == judged), None
    )
    same, distinct = (band.same_pairs, band.distinct_pairs) if band else (0, 0)
    cells = len(table.bands) or 1
    p_same = (same + 0.5) / (table.same_total + 0.5 * cells)
    p_distinct = (distinct + 0.5) / (table.distinct_total + 0.5 * cells)
    return round(p_same / (p_same + p_distinct), 6)
