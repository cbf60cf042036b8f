"""Photo search in memory: exact search of the 128-bit code (64-bit pHash followed by 64-bit
dHash) within a Hamming radius, by a compiled one-pass scan (search/hamming_scan.py) or, at
small radii on a large library, by multi-index hashing (Norouzi, Punjani & Fleet 2012).

The code is cut into 8 chunks of 16 bits. If two codes are within radius r, at least one
chunk differs in at most floor(r / 8) bits (pigeonhole), so the candidates are the entries
whose chunk j lies within that small radius of the query's chunk j, for some j; each chunk
keeps its entries sorted with a 65,537-entry offset table, so a key's entries are a slice.
Candidates are then measured exactly. When the lookup would gather more candidates than a
scan is worth (a small library, or a radius of 16 bits or more, the default 28 among them)
the index scans. `search_brute_force` (numpy's XOR and popcount down the uint64 columns,
every code) is the oracle both are tested against and the baseline they are benchmarked
against.

Every photo has two entries, its own code and its mirror image's, so a flipped picture
matches; a photo's distance is the smaller of the two.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from imaging.hashes import PerceptualHashes

CODE_BITS = 128
CHUNKS = 8
CHUNK_BITS = 16
_KEYS = 1 << CHUNK_BITS
# A candidate gathered from the chunk tables costs about as much as this many entries of the
# compiled scan (random reads and index arithmetic against streamed, vectorised words;
# measured at 100,000 and 1,000,000 photos, radii 7-24). So the lookup pays only while each
# chunk may differ in 1 bit (radii 8-15: 11x faster than the scan at 1,000,000 photos); at 2
# bits (radii 16-23) it ties the scan, and at the default 28 bits (3 bits per chunk) it would
# gather 8.5 % of the entries.
GATHER_COST = 64
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
    def __init__(
        self,
        photos: Sequence[IndexedPhoto],
        scan_below: int = SCAN_BELOW,
        codes: np.ndarray | None = None,
    ) -> None:
        """`codes`, when the caller already holds them as an (n, 4) uint64 array (pHash,
        dHash, mirror pHash, mirror dHash per photo), are used instead of reading each
        photo's hashes; `photos` is then kept as given, not copied (a generated library of
        10,000,000 photos need not exist as objects)."""
        if codes is None:
            self.photos: Sequence[IndexedPhoto] = list(photos)
            codes = np.array(
                [
                    (p.hashes.phash, p.hashes.dhash, p.hashes.phash_mirror, p.hashes.dhash_mirror)
                    for p in self.photos
                ],
                dtype=np.uint64,
            ).reshape(-1, 4)
        else:
            self.photos = photos
            if codes.shape != (len(photos), 4):
                raise ValueError(f"codes must be ({len(photos)}, 4), not {codes.shape}")
        self._scan_below = scan_below
        # Four contiguous columns (one row each of a (4, n) array): the scan reads every word
        # once, in order, which is what memory and the compiled kernel do fastest.
        self._columns = np.ascontiguousarray(codes.T, dtype=np.uint64)
        # The lookup's tables are built on the first search that takes the lookup: the
        # default radius (28 bits, 3 per chunk) always scans, and the tables are two thirds
        # of the index's memory and most of its build time.
        self._tables: tuple[list[np.ndarray], np.ndarray] | None = None
        self._mask_cache: dict[int, np.ndarray] = {}

    def _lookup_tables(self) -> tuple[list[np.ndarray], np.ndarray]:
        """Per chunk, the entries sorted by that chunk's 16 bits, and where each key's run
        starts: the lookup's entries are every photo's own code (entry p) then every mirror
        code (entry count + p)."""
        if self._tables is None:
            entry_codes = np.concatenate((self._columns[0:2].T, self._columns[2:4].T))
            orders, offsets = [], []
            for chunk in range(CHUNKS):
                keys = self._chunk_keys(entry_codes, chunk)
                # int32 positions: half the memory of int64, and 2**31 entries is far past
                # any register this index holds in memory.
                order = np.argsort(keys, kind="stable").astype(np.int32)
                orders.append(order)
                offsets.append(np.searchsorted(keys[order], np.arange(_KEYS + 1), side="left"))
            self._tables = orders, np.array(offsets, dtype=np.int64)  # (CHUNKS, _KEYS + 1)
        return self._tables

    @staticmethod
    def _chunk_keys(codes: np.ndarray, chunk: int) -> np.ndarray:
        word, part = divmod(chunk, CHUNKS // 2)
        shifted = codes[:, word] >> np.uint64(part * CHUNK_BITS)
        return (shifted & np.uint64(_KEYS - 1)).astype(np.int64)

    def __len__(self) -> int:
        return len(self.photos)

    @property
    def memory_bytes(self) -> int:
        """Bytes the index's arrays hold (its codes, and its lookup tables once a search has
        built them; not the photo list)."""
        tables = 0
        if self._tables is not None:
            orders, offsets = self._tables
            tables = sum(order.nbytes for order in orders) + offsets.nbytes
        return int(self._columns.nbytes + tables)

    def _entry_distances(self, query: PerceptualHashes, entries: np.ndarray) -> np.ndarray:
        photos = entries % len(self.photos)
        mirrored = entries >= len(self.photos)
        phash = np.where(mirrored, self._columns[2, photos], self._columns[0, photos])
        dhash = np.where(mirrored, self._columns[3, photos], self._columns[1, photos])
        distances: np.ndarray = np.bitwise_count(phash ^ np.uint64(query.phash)) + np.bitwise_count(
            dhash ^ np.uint64(query.dhash)
        )
        return distances

    def _scan(self, query: PerceptualHashes, radius: int) -> list[PhotoHit]:
        # numba (about 0.3 s to import) only for a photo search, not for every `visor` command.
        from search.hamming_scan import photos_within

        phash, dhash, phash_mirror, dhash_mirror = self._columns
        photos, distances = photos_within(
            phash, dhash, phash_mirror, dhash_mirror, query.phash, query.dhash, radius
        )
        order = np.lexsort((photos, distances))
        return [
            PhotoHit(p, d)
            for p, d in zip(photos[order].tolist(), distances[order].tolist(), strict=True)
        ]

    def search(self, query: PerceptualHashes, radius: int) -> list[PhotoHit]:
        """Every photo within `radius` of the query, nearest first (ties by position): the
        multi-index lookup where it gathers few enough candidates, else the compiled scan."""
        if not self.photos or radius < 0:
            return []
        radius = min(radius, CODE_BITS)
        chunk_radius = min(radius // CHUNKS, CHUNK_BITS)
        if chunk_radius not in self._mask_cache:
            self._mask_cache[chunk_radius] = _masks(chunk_radius)
        masks = self._mask_cache[chunk_radius]
        entry_count = 2 * len(self.photos)
        expected_share = CHUNKS * len(masks) / _KEYS
        if entry_count < self._scan_below or expected_share * GATHER_COST >= 1:
            return self._scan(query, radius)
        chunk_order, chunk_offsets = self._lookup_tables()
        query_codes = np.array([[query.phash, query.dhash]], dtype=np.uint64)
        keys = np.array([self._chunk_keys(query_codes, c)[0] for c in range(CHUNKS)])
        neighbours = keys[:, None] ^ masks[None, :]  # (CHUNKS, masks)
        rows = np.arange(CHUNKS)[:, None]
        starts = chunk_offsets[rows, neighbours]
        lengths = chunk_offsets[rows, neighbours + 1] - starts
        if int(lengths.sum()) * GATHER_COST >= entry_count:
            return self._scan(query, radius)
        found = [
            chunk_order[chunk][_concatenated_ranges(starts[chunk], lengths[chunk])]
            for chunk in range(CHUNKS)
            if lengths[chunk].any()
        ]
        if not found:
            return []
        # An entry found through several chunks is measured more than once; that costs less
        # than de-duplicating (a sort), and the best-per-photo step keeps one answer.
        entries = np.concatenate(found).astype(np.int64)
        return _best_per_photo(entries, self._entry_distances(query, entries), len(self), radius)

    def search_brute_force(self, query: PerceptualHashes, radius: int) -> list[PhotoHit]:
        """The same answer by numpy's plain column scan: the oracle the tests hold the index
        to (it copies the codes into two columns on every call; the benchmark times
        `plain_column_scan` on columns made once)."""
        phash, dhash = self.code_columns()
        return plain_column_scan(phash, dhash, query, radius)

    def code_columns(self) -> tuple[np.ndarray, np.ndarray]:
        """Every code as two uint64 columns, pHash and dHash: the photos' own codes, then
        their mirror codes (entry e is photo e % len(self))."""
        phash = np.concatenate((self._columns[0], self._columns[2]))
        dhash = np.concatenate((self._columns[1], self._columns[3]))
        return phash, dhash


def _best_per_photo(
    entries: np.ndarray, distances: np.ndarray, photo_count: int, radius: int
) -> list[PhotoHit]:
    """The nearest entry of each photo within the radius (entry e is photo e % photo_count),
    nearest first, ties by position."""
    within = distances <= radius
    best: dict[int, int] = {}
    for entry, distance in zip(entries[within].tolist(), distances[within].tolist(), strict=True):
        photo = entry % photo_count
        if distance < best.get(photo, radius + 1):
            best[photo] = distance
    return sorted((PhotoHit(p, d) for p, d in best.items()), key=lambda h: (h.distance, h.photo))


def plain_column_scan(
    phash: np.ndarray, dhash: np.ndarray, query: PerceptualHashes, radius: int
) -> list[PhotoHit]:
    """numpy's plain column scan, the baseline photo search is measured against: XOR and
    np.bitwise_count down two uint64 columns of every code (own codes, then mirror codes,
    as `PhotoHashIndex.code_columns` gives them), the nearest per photo."""
    if len(phash) == 0 or radius < 0:
        return []
    distances = np.bitwise_count(phash ^ np.uint64(query.phash)) + np.bitwise_count(
        dhash ^ np.uint64(query.dhash)
    )
    entries = np.flatnonzero(distances <= radius)
    return _best_per_photo(entries, distances[entries], len(phash) // 2, radius)


def chunk_terms(high: int, low: int) -> list[str]:
    """The eight 16-bit chunks of a 128-bit code (pHash then dHash), each tagged with its
    position: the terms multi-index hashing looks up."""
    terms = []
    for chunk in range(CHUNKS):
        word, part = divmod(chunk, CHUNKS // 2)
        value = ((high, low)[word] >> (part * CHUNK_BITS)) & ((1 << CHUNK_BITS) - 1)
        terms.append(f"{chunk}:{value:04x}")
    return terms
