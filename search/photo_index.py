"""Photo search in memory: exact search of the 128-bit code (64-bit pHash followed by 64-bit
dHash) within a Hamming radius, by multi-index hashing (Norouzi, Punjani & Fleet 2012).

The code is cut into 8 chunks of 16 bits. If two codes are within radius r, at least one
chunk differs in at most floor(r / 8) bits (pigeonhole), so the candidates are the entries
whose chunk j lies within that small radius of the query's chunk j, for some j; each chunk
keeps its entries sorted with a 65,537-entry offset table, so a key's entries are a slice.
Candidates are then measured exactly. `search_brute_force` (XOR and popcount down two
contiguous uint64 columns, every entry) is the oracle it is tested against and the baseline
it is benchmarked against; when the lookup would gather more candidates than a scan is worth
(a small library, or a wide radius) the index scans too, so it is never the slower of the two.

Every photo has two entries, its own code and its mirror image's, so a flipped picture
matches; a photo's distance is the smaller of the two.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from imaging.hashes import PerceptualHashes

CHUNKS = 8
CHUNK_BITS = 16
_KEYS = 1 << CHUNK_BITS
# A candidate gathered from the chunk tables costs about as much as this many entries of a
# sequential column scan (random reads and index arithmetic against streamed words; measured
# with benchmarks/photo_search.py at 1,000,000 photos). So the lookup pays only at small
# radii: at the default 28 bits (3 bits per chunk, 697 keys of 65,536 per chunk) it would
# gather 8.5 % of the entries, and a scan is cheaper.
GATHER_COST = 25
# Below this many entries a scan is done before the lookup's own fixed cost is paid.
SCAN_BELOW = 200_000


@dataclass(frozen=True)
class IndexedPhoto:
    reference: str
    sha256: str
    kind: str
    hashes: PerceptualHashes


@dataclass(frozen=True)
class PhotoHit:
    photo: int  # position in the index's photo list
    distance: int


def _masks(max_bits: int) -> np.ndarray:
    """Every 16-bit value with at most `max_bits` bits set."""
    masks = [0]
    for bits in range(1, max_bits + 1):
        for positions in combinations(range(CHUNK_BITS), bits):
            masks.append(sum(1 << p for p in positions))
    return np.array(masks, dtype=np.int64)


def _concatenated_ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The positions starts[i] .. starts[i] + lengths[i] - 1 for every i, in one array."""
    first_output = np.cumsum(lengths) - lengths
    return np.repeat(starts - first_output, lengths) + np.arange(int(lengths.sum()))


class PhotoHashIndex:
    def __init__(self, photos: Sequence[IndexedPhoto], scan_below: int = SCAN_BELOW) -> None:
        self.photos = list(photos)
        self._scan_below = scan_below
        count = len(self.photos)
        codes = np.zeros((2 * count, 2), dtype=np.uint64)
        for i, photo in enumerate(self.photos):
            h = photo.hashes
            codes[2 * i] = (h.phash, h.dhash)
            codes[2 * i + 1] = (h.phash_mirror, h.dhash_mirror)
        # Column by column: a scan reads each word once, in order, which is what memory and
        # numpy do fastest.
        self._phash = np.ascontiguousarray(codes[:, 0])
        self._dhash = np.ascontiguousarray(codes[:, 1])
        orders, offsets = [], []
        for chunk in range(CHUNKS):
            keys = self._chunk_keys(codes, chunk)
            order = np.argsort(keys, kind="stable").astype(np.int64)
            orders.append(order)
            offsets.append(np.searchsorted(keys[order], np.arange(_KEYS + 1), side="left"))
        self._chunk_order = orders
        self._chunk_offsets = np.array(offsets, dtype=np.int64)  # (CHUNKS, _KEYS + 1)
        self._mask_cache: dict[int, np.ndarray] = {}

    @staticmethod
    def _chunk_keys(codes: np.ndarray, chunk: int) -> np.ndarray:
        word, part = divmod(chunk, CHUNKS // 2)
        shifted = codes[:, word] >> np.uint64(part * CHUNK_BITS)
        return (shifted & np.uint64(_KEYS - 1)).astype(np.int64)

    def __len__(self) -> int:
        return len(self.photos)

    def _distances(self, query: PerceptualHashes, entries: np.ndarray) -> np.ndarray:
        distances: np.ndarray = np.bitwise_count(
            self._phash[entries] ^ np.uint64(query.phash)
        ) + np.bitwise_count(self._dhash[entries] ^ np.uint64(query.dhash))
        return distances

    def _scan(self, query: PerceptualHashes, radius: int) -> list[PhotoHit]:
        distances = np.bitwise_count(self._phash ^ np.uint64(query.phash)) + np.bitwise_count(
            self._dhash ^ np.uint64(query.dhash)
        )
        entries = np.flatnonzero(distances <= radius)
        return self._best_per_photo(entries, distances[entries], radius)

    def _best_per_photo(
        self, entries: np.ndarray, distances: np.ndarray, radius: int
    ) -> list[PhotoHit]:
        within = distances <= radius
        best: dict[int, int] = {}
        for entry, distance in zip(
            entries[within].tolist(), distances[within].tolist(), strict=True
        ):
            photo = entry // 2
            if distance < best.get(photo, radius + 1):
                best[photo] = distance
        return sorted(
            (PhotoHit(p, d) for p, d in best.items()), key=lambda h: (h.distance, h.photo)
        )

    def search(self, query: PerceptualHashes, radius: int) -> list[PhotoHit]:
        """Every photo within `radius` of the query, nearest first (multi-index hashing)."""
        if not self.photos or radius < 0:
            return []
        chunk_radius = min(radius // CHUNKS, CHUNK_BITS)
        if chunk_radius not in self._mask_cache:
            self._mask_cache[chunk_radius] = _masks(chunk_radius)
        masks = self._mask_cache[chunk_radius]
        expected_share = CHUNKS * len(masks) / _KEYS
        if len(self._phash) < self._scan_below or expected_share * GATHER_COST >= 1:
            return self._scan(query, radius)
        query_codes = np.array([[query.phash, query.dhash]], dtype=np.uint64)
        keys = np.array([self._chunk_keys(query_codes, c)[0] for c in range(CHUNKS)])
        neighbours = keys[:, None] ^ masks[None, :]  # (CHUNKS, masks)
        rows = np.arange(CHUNKS)[:, None]
        starts = self._chunk_offsets[rows, neighbours]
        lengths = self._chunk_offsets[rows, neighbours + 1] - starts
        if int(lengths.sum()) * GATHER_COST >= len(self._phash):
            return self._scan(query, radius)
        found = [
            self._chunk_order[chunk][_concatenated_ranges(starts[chunk], lengths[chunk])]
            for chunk in range(CHUNKS)
            if lengths[chunk].any()
        ]
        if not found:
            return []
        # An entry found through several chunks is measured more than once; that costs less
        # than de-duplicating (a sort), and the best-per-photo step keeps one answer.
        entries = np.concatenate(found)
        return self._best_per_photo(entries, self._distances(query, entries), radius)

    def search_brute_force(self, query: PerceptualHashes, radius: int) -> list[PhotoHit]:
        """The same answer by measuring every entry: the oracle and the baseline."""
        if not self.photos or radius < 0:
            return []
        return self._scan(query, radius)


def chunk_terms(high: int, low: int) -> list[str]:
    """The eight 16-bit chunks of a 128-bit code (pHash then dHash), each tagged with its
    position: the terms multi-index hashing looks up."""
    terms = []
    for chunk in range(CHUNKS):
        word, part = divmod(chunk, CHUNKS // 2)
        value = ((high, low)[word] >> (part * CHUNK_BITS)) & ((1 << CHUNK_BITS) - 1)
        terms.append(f"{chunk}:{value:04x}")
    return terms
