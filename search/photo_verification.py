"""Whether a photo found by its hashes is a copy of the query or only looks like it.

Between SURE_DISTANCE bits and the search radius, the hashes alone cry wolf (two custody
photos of different men in the same pose come within 26 bits), so the candidate is a copy
only when the second, independent signature agrees too: enough keypoints matched in one
geometric transform (imaging/keypoints.py), and those agreeing points spread over the whole
picture. Within SURE_DISTANCE a copy stands unless the keypoints contradict it: agreeing
points that leave part of a textured picture uncovered.

The spread is what tells a copy from a photo of another person taken in the same custody
suite: there the backdrop, the frame and the lighting are the same, so dozens of the
backdrop's keypoints agree under the identity transform, but none of the person's do. The
probe is cut into a grid; of the cells where it has texture (and which the fitted transform
puts inside the stored photo), a copy has agreeing points in nearly every one, a same-suite
photo of someone else leaves the person's cells empty. The rest are look-alikes, shown only
when asked for. Each candidate's confidence is the chance that a pair like it is the same
photograph, from the calibration measured on real photographs
(benchmarks/photo_verification.py writes photo_calibration.json).
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from imaging.keypoints import Keypoints, Probe, fitted_matches

# Different photographs of different scenes never came within 16 bits, but photos of different
# people taken against one backdrop came within 12 (tune split; 11 held out) and the demo's
# drawn ones within 9: above this the keypoints must confirm a copy, at or below it they
# may only overrule one. 12 rather than 10 keeps recall of real copies above 0.98.
SURE_DISTANCE = 12
# Transformed copies of real photographs kept 25 or more agreeing keypoints in 98 % of cases
# where they had texture at all; different photographs close in hash, at most 22.
MIN_AGREEING_POINTS = 25
# The probe's grid, and how many of its keypoints make a cell textured: a cell with fewer
# says too little for its lack of agreeing points to count against the pair.
GRID = 4
TEXTURED_CELL_POINTS = 8
# Share of the textured cells that must hold an agreeing point. Transformed copies of real
# photographs with enough agreeing points covered at least 0.93 of their cells; different
# people photographed against one backdrop (tune split) at most 0.82
# (benchmarks/photo_verification.py).
MIN_COVERAGE = 0.85
# To overrule hashes within SURE_DISTANCE the pictures must have been seen to line up (this
# many agreeing points, more than the handful chance matches give) and to have texture
# enough to judge where they do not; the real copies this overrules are counted in the
# recall benchmarks/photo_verification.py reports.
MIN_POINTS_TO_CONTRADICT = 10
MIN_CELLS_TO_CONTRADICT = 8
CALIBRATION_FILE = Path(__file__).with_name("photo_calibration.json")


class Likeness(StrEnum):
    COPY = "copy"
    LOOKALIKE = "look-alike"


@dataclass(frozen=True)
class Agreement:
    """What the second signature says of a pair."""

    points: int  # keypoints agreeing on one rotation + scale + shift
    coverage: float  # share of the probe's textured cells holding an agreeing point
    textured_cells: int

    def is_copy(self) -> bool:
        return self.points >= MIN_AGREEING_POINTS and self.coverage >= MIN_COVERAGE

    def contradicts_copy(self) -> bool:
        """Points agree, but over only part of a picture that has texture elsewhere: what a
        shared backdrop does. A copy degraded past matching (a thumbnail, a heavy
        re-encoding) agrees on few points and is left to its hashes."""
        return (
            self.points >= MIN_POINTS_TO_CONTRADICT
            and self.textured_cells >= MIN_CELLS_TO_CONTRADICT
            and self.coverage < MIN_COVERAGE
        )


NO_AGREEMENT = Agreement(0, 0.0, 0)


def agreement(probe: Keypoints, stored: Keypoints) -> Agreement:
    """How many of the probe's keypoints find their match in the stored photo at the place
    one rotation, scale and shift of the whole picture puts them, and how evenly over the
    probe those agreeing points lie."""
    fit = fitted_matches(probe, stored)
    if fit is None:
        return NO_AGREEMENT
    coverage, textured = _coverage(probe.points, fit.agreeing, fit.transform, stored.points)
    return Agreement(len(fit.agreeing), coverage, textured)


def _coverage(
    points: np.ndarray, agreeing: np.ndarray, transform: np.ndarray, stored: np.ndarray
) -> tuple[float, int]:
    """The share of the probe's textured cells holding an agreeing point, and their number."""
    # The stored photo's frame is where its keypoints lie: a probe cell that the transform
    # puts outside it (the part a crop cut away) is not held against the pair.
    mapped = points @ transform[:, :2].T + transform[:, 2]
    inside = ((mapped >= stored.min(0)) & (mapped <= stored.max(0))).all(1)
    low, high = points.min(0), points.max(0)
    cells = np.minimum((points - low) / np.maximum(high - low, 1e-6) * GRID, GRID - 1)
    cell = (cells[:, 0].astype(int) * GRID + cells[:, 1].astype(int)).astype(int)
    textured = np.bincount(cell[inside], minlength=GRID * GRID) >= TEXTURED_CELL_POINTS
    if not textured.any():
        return 0.0, 0
    covered = np.zeros(GRID * GRID, bool)
    covered[cell[agreeing]] = True
    return float((covered & textured).sum() / textured.sum()), int(textured.sum())


def probe_agreement(probe: Probe, stored: Keypoints) -> Agreement:
    """The better of the query's and its mirror image's (a flipped copy is still a copy): a
    copy if either is, else the one more points agree on, whose cover may then contradict
    the hashes."""
    return max(
        agreement(probe.keypoints, stored),
        agreement(probe.mirrored, stored),
        key=lambda found: (found.is_copy(), found.points),
    )


def likeness(distance: int, agreed: Agreement | None) -> Likeness:
    """`agreed` is None when the second signature could not be measured (the stored photo
    could not be read): then only the hashes decide."""
    if distance <= SURE_DISTANCE:
        contradicted = agreed is not None and agreed.contradicts_copy()
        return Likeness.LOOKALIKE if contradicted else Likeness.COPY
    if agreed is not None and agreed.is_copy():
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
