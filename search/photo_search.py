"""Photo search over the register's photo library: which nominals hold a photo like this one.

The default radius, 26 bits of the 128-bit pHash+dHash code, was chosen from measurements on
real photographs under the transforms a photo meets (re-encoding, resizing, crops, exposure,
small rotations, mirroring, borders): recall 99.0% with 0.025% false matches between distinct
photographs (benchmarks/photo_robustness.py; tests/imaging/test_photo_robustness.py holds the
figures). Beyond the radius nothing is returned: an unrelated photo gets no candidates rather
than the least-bad nominal.
"""

from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel

from imaging.decode import decode_photo
from imaging.hashes import PerceptualHashes, compute_hashes
from register.photos import PhotoHashRow
from search.photo_index import IndexedPhoto, PhotoHashIndex

DEFAULT_RADIUS = 26
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
