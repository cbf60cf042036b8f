"""The photo index against its oracle, numpy's plain column scan: the same answers, always,
by the multi-index lookup and by the compiled scan, on random and adversarial codes."""

import random

import numpy as np
import pytest

from imaging.hashes import PerceptualHashes
from search.hamming_scan import BLOCK
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


def with_bits(word: int, bits: int, rng: random.Random) -> int:
    """`word` with `bits` of its 64 bits flipped, chosen at random."""
    for bit in rng.sample(range(64), bits):
        word ^= 1 << bit
    return word


def photo(position: int, hashes: PerceptualHashes) -> IndexedPhoto:
    return IndexedPhoto(f"R{position}", f"s{position}", "face", hashes)


@pytest.mark.parametrize("radius", [0, 1, 5, 8, 13, 16, 24, 27, 28, 29, 33, 40, 64, 128])
def test_the_compiled_scan_returns_exactly_what_the_numpy_scan_returns(
    index: PhotoHashIndex, radius: int
) -> None:
    # A scan_below past the library's size: every radius goes to the compiled scan.
    scanned = PhotoHashIndex(index.photos, scan_below=10**9)
    rng = random.Random(100 + radius)
    for _ in range(60):
        if rng.random() < 0.5:
            query = flipped(index.photos[rng.randrange(len(index))].hashes, rng.randint(0, 40), rng)
        else:
            query = random_hashes(rng)
        assert scanned.search(query, radius) == scanned.search_brute_force(query, radius)


def test_codes_exactly_at_the_radius_are_found_and_one_bit_past_it_are_not() -> None:
    rng = random.Random(7)
    query = PerceptualHashes(rng.getrandbits(64), rng.getrandbits(64), 0, 0)
    radius = 28
    photos: list[IndexedPhoto] = []
    expected: dict[int, int] = {}
    # Every split of the distance between the two words, at the radius and one past it; the
    # mirror codes are the query's complement (128 bits away), so only the own code counts.
    for in_phash in range(0, radius + 2):
        for distance in (radius, radius + 1):
            in_dhash = distance - in_phash
            if in_dhash < 0:
                continue
            hashes = PerceptualHashes(
                with_bits(query.phash, in_phash, rng),
                with_bits(query.dhash, in_dhash, rng),
                query.phash ^ (2**64 - 1),
                query.dhash ^ (2**64 - 1),
            )
            if distance <= radius:
                expected[len(photos)] = distance
            photos.append(photo(len(photos), hashes))
    index = PhotoHashIndex(photos)
    found = index.search(query, radius)
    assert {h.photo: h.distance for h in found} == expected
    assert found == index.search_brute_force(query, radius)
    # The first word alone over the radius, the second identical: rejected.
    over = PhotoHashIndex(
        [photo(0, PerceptualHashes(query.phash ^ (2**29 - 1), query.dhash, 0, 0))]
    )
    assert over.search(query, radius) == [] == over.search_brute_force(query, radius)


def test_a_photo_answers_with_the_nearer_of_its_own_and_its_mirror_code() -> None:
    rng = random.Random(8)
    query = PerceptualHashes(rng.getrandbits(64), rng.getrandbits(64), 0, 0)
    near = (with_bits(query.phash, 3, rng), with_bits(query.dhash, 2, rng))
    middling = (with_bits(query.phash, 10, rng), with_bits(query.dhash, 10, rng))
    far = (query.phash ^ (2**64 - 1), query.dhash)
    photos = [
        photo(0, PerceptualHashes(*middling, *near)),  # the mirror is nearer
        photo(1, PerceptualHashes(*near, *middling)),  # its own code is nearer
        photo(2, PerceptualHashes(*far, *middling)),  # only the mirror is within
        photo(3, PerceptualHashes(*far, *far)),  # neither
    ]
    for index in (PhotoHashIndex(photos), PhotoHashIndex(photos, scan_below=0)):
        hits = index.search(query, 28)
        assert [(h.photo, h.distance) for h in hits] == [(0, 5), (1, 5), (2, 20)]
        assert hits == index.search_brute_force(query, 28)


@pytest.mark.parametrize("count", [1, BLOCK - 1, BLOCK, BLOCK + 1, 3 * BLOCK + 5])
def test_every_photo_found_across_block_edges_and_past_the_first_capacity(count: int) -> None:
    # All-ones and high-bit words (uint64 values past int64's range), every photo a hit, so
    # the result arrays must grow and every block is gathered.
    hashes = PerceptualHashes(2**64 - 1, 2**63, 2**63 + 1, 0)
    photos = [photo(i, hashes) for i in range(count)]
    index = PhotoHashIndex(photos)
    query = PerceptualHashes(2**64 - 1, 2**63 + 1, 0, 0)
    hits = index.search(query, 1)
    assert [(h.photo, h.distance) for h in hits] == [(i, 1) for i in range(count)]
    assert hits == index.search_brute_force(query, 1)
    assert index.search(query, 0) == [] == index.search_brute_force(query, 0)


def test_an_index_built_from_codes_answers_as_one_built_from_photos(index: PhotoHashIndex) -> None:
    codes = np.array(
        [
            (p.hashes.phash, p.hashes.dhash, p.hashes.phash_mirror, p.hashes.dhash_mirror)
            for p in index.photos
        ],
        dtype=np.uint64,
    )
    from_codes = PhotoHashIndex(index.photos, codes=codes)
    rng = random.Random(9)
    for _ in range(20):
        query = flipped(index.photos[rng.randrange(len(index))].hashes, rng.randint(0, 30), rng)
        assert from_codes.search(query, 28) == index.search(query, 28)


def test_codes_that_do_not_match_the_photos_are_refused() -> None:
    photos = [photo(0, PerceptualHashes(1, 2, 3, 4))]
    with pytest.raises(ValueError, match="codes must be"):
        PhotoHashIndex(photos, codes=np.zeros((2, 4), dtype=np.uint64))


def test_an_empty_index_built_from_codes_finds_nothing() -> None:
    empty = PhotoHashIndex([], codes=np.zeros((0, 4), dtype=np.uint64))
    query = PerceptualHashes(1, 2, 3, 4)
    assert empty.search(query, 128) == [] == empty.search_brute_force(query, 128)


def test_the_lookup_tables_are_built_only_by_a_search_that_takes_the_lookup(
    index: PhotoHashIndex,
) -> None:
    fresh = PhotoHashIndex(index.photos, scan_below=0)
    columns_only = fresh.memory_bytes
    assert columns_only == 4 * 8 * len(fresh)  # four uint64 codes a photo, nothing more
    query = index.photos[7].hashes
    # The default radius (28 bits, 3 a chunk) always scans: no tables for it.
    assert fresh.search(query, 28) == index.search_brute_force(query, 28)
    assert fresh.memory_bytes == columns_only
    # A small radius takes the lookup, builds the tables once, and answers as the scan does.
    assert fresh.search(query, 8) == index.search_brute_force(query, 8)
    built = fresh.memory_bytes
    assert built > columns_only
    assert fresh.search(query, 12) == index.search_brute_force(query, 12)
    assert fresh.memory_bytes == built
