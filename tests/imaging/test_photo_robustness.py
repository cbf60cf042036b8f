"""The photo search's default radius, held to what was measured on real photographs
(`python -m benchmarks.photo_robustness` prints the whole table). These are the hashes
alone: the false matches they let through within the radius are what the keypoint verdict
then turns into look-alikes (tests/search/test_photo_verification.py)."""

import pytest

from search.photo_search import DEFAULT_RADIUS
from tests.imaging.photo_corpus import measure_robustness


@pytest.mark.slow
def test_recall_and_false_matches_at_the_default_radius() -> None:
    result = measure_robustness(copies_per_transform=3)
    assert len(result.same) == 2280 and len(result.distinct) == 43175
    # Measured at 28 bits: recall 0.9921, false-match rate 0.00039 (17 of 43,175 pairs).
    assert result.recall(DEFAULT_RADIUS) >= 0.98
    assert result.false_match_rate(DEFAULT_RADIUS) <= 0.001
    for transform in ("jpeg q40-90", "resize 25-200%", "mirror", "contrast +-20%"):
        assert result.recall(DEFAULT_RADIUS, transform) == 1.0, transform
    # Small rotations are pHash's known weakness: measured 0.968.
    assert result.recall(DEFAULT_RADIUS, "rotate +-3deg") >= 0.95
