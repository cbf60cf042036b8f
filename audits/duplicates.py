"""Near-duplicate photos across nominals: every pair of photos within a combined pHash +
dHash distance (the mirror image counted, as photo search does), compared exhaustively with
numpy in blocks so that memory stays bounded (about 32 MB of temporaries at any size)."""

from dataclasses import dataclass

import numpy as np

_BLOCK_ELEMENTS = 4_000_000


@dataclass(frozen=True)
class HashColumns:
    phash: np.ndarray  # uint64, one per photo
    dhash: np.ndarray
    phash_mirror: np.ndarray
    dhash_mirror: np.ndarray
    owner: np.ndarray  # int64: the nominal holding each photo


def near_pairs(columns: HashColumns, radius: int) -> list[tuple[int, int, int]]:
    """(i, j, distance) for every i < j within `radius` held by different nominals."""
    count = len(columns.phash)
    pairs: list[tuple[int, int, int]] = []
    if count < 2:
        return pairs
    block = max(1, _BLOCK_ELEMENTS // count)
    p, d = columns.phash, columns.dhash
    pm, dm = columns.phash_mirror, columns.dhash_mirror
    for start in range(0, count - 1, block):
        stop = min(count, start + block)
        # Only the photos after this block's first: each pair is measured once.
        rest = slice(start + 1, count)
        straight = np.bitwise_count(p[start:stop, None] ^ p[None, rest]).astype(np.int16)
        straight += np.bitwise_count(d[start:stop, None] ^ d[None, rest])
        mirrored = np.bitwise_count(p[start:stop, None] ^ pm[None, rest]).astype(np.int16)
        mirrored += np.bitwise_count(d[start:stop, None] ^ dm[None, rest])
        distance = np.minimum(straight, mirrored)
        rows, cols = np.nonzero(distance <= radius)
        for row, col in zip(rows.tolist(), cols.tolist(), strict=True):
            i, j = start + row, start + 1 + col
            if i < j and columns.owner[i] != columns.owner[j]:
                pairs.append((i, j, int(distance[row, col])))
    return pairs
