"""Photo search over the register's photo library: which nominals hold a photo like this one.

The default radius, 28 bits of the 128-bit pHash+dHash code, was chosen from measurements on
real photographs under the transforms a photo meets (re-encoding, resizing, crops, exposure,
small rotations, mirroring, borders; benchmarks/photo_robustness.py, with the figures held by
tests/imaging/test_photo_robustness.py). Beyond the radius nothing is returned: an unrelated
photo gets no candidates rather than the least-bad nominal. Within it the hashes alone still
cry wolf on look-alike custody photos, so every candidate is then judged a copy or a
look-alike by a second signature (search/photo_verification.py, `judge_candidates`).
"""

from collections.abc import Callable, Iterable
from pathlib import Path

from pydantic import BaseModel

from imaging.decode import decode_photo
from imaging.hashes import PerceptualHashes, compute_hashes
from imaging.keypoints import Keypoints, Probe
from register.photos import PhotoHashRow
from search.photo_index import IndexedPhoto, PhotoHashIndex
from search.photo_verification import (
    Likeness,
    confidence,
    likeness,
    probe_agreement,
)

DEFAULT_RADIUS = 28
MAX_RADIUS = 40  # beyond this, distinct photographs match often (see the benchmark)
# Every blank or uniform picture (a failed capture) has the same hashes; such a photo says
# nothing about who is in it and would match every other blank one, so it is not indexed.
# The quality report shows it instead.
MIN_CONTRAST = 2.0


class PhotoCandidate(BaseModel):
    reference: str
    distance: int
    photo_sha256: str
    kind: str
    # Set by judge_candidates: whether the photo is a copy of the query or only looks like
    # it, how many keypoints agreed (when they were counted; a copy also needs them spread
    # over the picture) and the calibrated chance that the pair is the same photograph.
    likeness: Likeness | None = None
    agreeing_points: int | None = None
    confidence: float | None = None


def build_photo_index(
    rows: Iterable[PhotoHashRow], include_archived: bool = False
) -> PhotoHashIndex:
    return PhotoHashIndex(
        [
            IndexedPhoto(
                row.reference,
                row.sha256,
                row.kind,
                PerceptualHashes(row.phash, row.dhash, row.phash_mirror, row.dhash_mirror),
            )
            for row in rows
            if (include_archived or row.status == "live") and row.contrast >= MIN_CONTRAST
        ]
    )


def hash_query_image(path: Path) -> PerceptualHashes:
    """Hashes of a query photo, decoded as safely as a stored one (raises PhotoRejected)."""
    return compute_hashes(decode_photo(path).image)


def search_photo(
    index: PhotoHashIndex, query: PerceptualHashes, top: int = 10, radius: int = DEFAULT_RADIUS
) -> list[PhotoCandidate]:
    """The nominals holding a photo within `radius`, nearest first (ties by reference), each
    with its nearest photo."""
    candidates: dict[str, PhotoCandidate] = {}
    for hit in index.search(query, radius):
        photo = index.photos[hit.photo]
        if photo.reference not in candidates:
            candidates[photo.reference] = PhotoCandidate(
                reference=photo.reference,
                distance=hit.distance,
                photo_sha256=photo.sha256,
                kind=photo.kind,
            )
    return rank_photo_candidates(candidates.values(), top)


def rank_photo_candidates(candidates: Iterable[PhotoCandidate], top: int) -> list[PhotoCandidate]:
    # By reference among equals, so that every backend gives the same order.
    return sorted(candidates, key=lambda c: (c.distance, c.reference))[:top]


def judge_candidates(
    candidates: Iterable[PhotoCandidate],
    probe: Probe,
    stored: Callable[[str], Keypoints | None],
) -> list[PhotoCandidate]:
    """Each candidate with its likeness and confidence. Every candidate's keypoints are read:
    even hashes that seem to settle it may be two people photographed in one suite."""
    judged = []
    for candidate in candidates:
        found = stored(candidate.photo_sha256)
        agreed = None if found is None else probe_agreement(probe, found)
        verdict = likeness(candidate.distance, agreed)
        judged.append(
            candidate.model_copy(
                update={
                    "likeness": verdict,
                    "agreeing_points": None if agreed is None else agreed.points,
                    "confidence": confidence(candidate.distance, verdict),
                }
            )
        )
    return judged
