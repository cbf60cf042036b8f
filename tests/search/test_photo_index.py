"""Multi-index hashing against its oracle, brute force: the same answers, always."""

import random

import pytest

from imaging.hashes import PerceptualHashes
from search.photo_index import IndexedPhoto, PhotoHashIndex


def random_hashes(rng: random.Random) -> PerceptualHashes:
    return PerceptualHashes(*(rng.getrandbits(64) for _ in range(4)))


def flipped(hashes: PerceptualHashes, bits: int, rng: random.Random) -> PerceptualHashes:
    phash, dhash = hashes.phash, hashes.dhash
    for bit in rng.sample(range(128), bits):
        if bit < 64:
            phash ^= 1 << bit
        else:
            dhash ^= 1 << (bit - 64)
    return PerceptualHashes(phash, dhash, 0, 0)


@pytest.fixture(scope="module")
def index() -> PhotoHashIndex:
    rng = random.Random(5)
    # Clustered as real libraries are (several photos of one sitting), plus random ones.
    photos = []
    for i in range(3000):
        base = random_hashes(rng)
        for j in range(rng.choice([1, 1, 2, 4])):
            near = flipped(base, rng.randint(0, 12), rng)
            mirror = random_hashes(rng)
            photos.append(
                IndexedPhoto(
                    f"R{i}",
                    f"{i}-{j}",
                    "face",
                    PerceptualHashes(near.phash, near.dhash, mirror.phash, mirror.dhash),
                )
            )
    # The lookup at every size, so that it is the path these tests compare with the scan
    # (radii of 24 bits and more still scan: the lookup would gather too much).
    return PhotoHashIndex(photos, scan_below=0)


@pytest.mark.parametrize("radius", [0, 3, 7, 8, 15, 16, 26, 31, 40])
def test_multi_index_hashing_returns_exactly_what_brute_force_returns(
    index: PhotoHashIndex, radius: int
) -> None:
    rng = random.Random(radius)
    for _ in range(150):
        target = index.photos[rng.randrange(len(index))].hashes
        query = flipped(target, rng.randint(0, 45), rng)
        assert index.search(query, radius) == index.search_brute_force(query, radius)


def test_hits_are_nearest_first_and_within_the_radius(index: PhotoHashIndex) -> None:
    query = flipped(index.photos[10].hashes, 5, random.Random(1))
    hits = index.search(query, 26)
    assert hits[0].photo == 10 and hits[0].distance == 5
    assert [h.distance for h in hits] == sorted(h.distance for h in hits)
    assert all(h.distance <= 26 for h in hits)


def test_a_mirrored_query_matches_through_the_mirror_code() -> None:
    original = PerceptualHashes(0x1234, 0x5678, 0xFFFF0000FFFF0000, 0x0F0F0F0F0F0F0F0F)
    index = PhotoHashIndex([IndexedPhoto("R1", "s", "face", original)])
    flipped_query = PerceptualHashes(0xFFFF0000FFFF0000, 0x0F0F0F0F0F0F0F0F, 0, 0)
    assert [(h.photo, h.distance) for h in index.search(flipped_query, 0)] == [(0, 0)]


def test_an_empty_index_finds_nothing() -> None:
    empty = PhotoHashIndex([])
    query = PerceptualHashes(1, 2, 3, 4)
    assert empty.search(query, 26) == [] == empty.search_brute_force(query, 26)


def test_a_negative_radius_finds_nothing_and_a_huge_one_everything(index: PhotoHashIndex) -> None:
    query = index.photos[0].hashes
    assert index.search(query, -1) == [] == index.search_brute_force(query, -1)
    assert len(index.search(query, 128)) == len(index) == len(index.search_brute_force(query, 128))
