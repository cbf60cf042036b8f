"""Near-duplicate photos across nominals: the same picture filed on two nominals is a
duplicate record or a misfiled photo, and an auditor must see it."""

from pydantic import BaseModel

from search.photo_index import PhotoHashIndex
from search.photo_search import DEFAULT_RADIUS


class DuplicatePhoto(BaseModel):
    reference: str
    sha256: str
    kind: str


class NearDuplicate(BaseModel):
    distance: int  # 0: the very same picture (or the same pixels)
    first: DuplicatePhoto
    second: DuplicatePhoto


def near_duplicates(index: PhotoHashIndex, radius: int = DEFAULT_RADIUS) -> list[NearDuplicate]:
    """Every pair of photos on different nominals within `radius`, closest first."""
    # Keyed by (reference, sha256) on each side: a picture filed twice on one nominal is
    # one photo here. The distance is the smaller of the two directions' measures.
    pairs: dict[tuple[int, int], int] = {}
    first_position: dict[tuple[str, str], int] = {}
    for position, photo in enumerate(index.photos):
        first_position.setdefault((photo.reference, photo.sha256), position)
    for position, photo in enumerate(index.photos):
        if first_position[(photo.reference, photo.sha256)] != position:
            continue
        for hit in index.search(photo.hashes, radius):
            other = index.photos[hit.photo]
            if other.reference == photo.reference:
                continue
            ends = (position, first_position[(other.reference, other.sha256)])
            key = (min(ends), max(ends))
            pairs[key] = min(pairs.get(key, hit.distance), hit.distance)
    return [
        NearDuplicate(
            distance=distance,
            first=DuplicatePhoto(**_fields(index, a)),
            second=DuplicatePhoto(**_fields(index, b)),
        )
        for (a, b), distance in sorted(pairs.items(), key=lambda item: (item[1], item[0]))
    ]


def _fields(index: PhotoHashIndex, position: int) -> dict[str, str]:
    photo = index.photos[position]
    return {"reference": photo.reference, "sha256": photo.sha256, "kind": photo.kind}
