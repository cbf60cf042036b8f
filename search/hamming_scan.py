"""The photo codes within a Hamming radius of a query, in one compiled pass over the library.

Each photo is four uint64 columns (its pHash and dHash, and its mirror image's). A numpy
scan of the same columns makes a full-length temporary for every XOR, popcount, sum and
comparison and walks memory once per step; this kernel reads each word once and keeps only
a cache-sized block of per-photo distances (one byte each, the nearer of the photo and its
mirror), so the scan is bound by reading the columns and nothing else. The distance loop
has no branch, so the compiler vectorises it (a hardware popcount per word where the
processor has one); a block whose distances are all over the radius (nearly every block)
is never looked at twice.

numba compiles it on first use (`cache=True` keeps the machine code beside this module for
the next process); nothing here needs the network.
"""

from collections.abc import Callable
from typing import Any, cast

import numba
import numpy as np
from numba import types
from numba.extending import intrinsic

# Photos per block: 2,048 one-byte distances stay in the first-level cache while the
# block's hits are picked out.
BLOCK = 2048
_FIRST_CAPACITY = BLOCK


@intrinsic
def _ctpop(typingctx: object, word: object) -> tuple[object, object]:
    """LLVM's ctpop: numba has no popcount of its own (np.bitwise_count does not compile)."""

    def codegen(context: object, builder: object, signature: object, args: list[object]) -> object:
        return builder.ctpop(args[0])  # type: ignore[attr-defined]

    return types.uint64(types.uint64), codegen


# The intrinsic as compiled code calls it (numba passes the typing context itself).
_popcount = cast(Callable[[Any], int], _ctpop)


@numba.njit(nogil=True, cache=True)
def _grown(values: np.ndarray, used: int, needed: int) -> np.ndarray:
    """A copy of values[:used] with room for `needed` (at least twice the room it had)."""
    grown = np.empty(max(needed, 2 * values.shape[0]), values.dtype)
    grown[:used] = values[:used]
    return grown


@numba.njit(nogil=True, boundscheck=False, cache=True)
def _within(
    phash: np.ndarray,
    dhash: np.ndarray,
    phash_mirror: np.ndarray,
    dhash_mirror: np.ndarray,
    query_phash: np.uint64,
    query_dhash: np.uint64,
    radius: int,
) -> tuple[np.ndarray, np.ndarray]:
    count = phash.shape[0]
    block = np.empty(BLOCK, np.uint8)
    photos = np.empty(_FIRST_CAPACITY, np.int64)
    distances = np.empty(_FIRST_CAPACITY, np.uint8)
    found = 0
    for start in range(0, count, BLOCK):
        size = min(BLOCK, count - start)
        any_within = 0
        for j in range(size):
            i = start + j
            own = _popcount(phash[i] ^ query_phash) + _popcount(dhash[i] ^ query_dhash)
            mirrored = _popcount(phash_mirror[i] ^ query_phash) + _popcount(
                dhash_mirror[i] ^ query_dhash
            )
            nearer = min(own, mirrored)
            block[j] = nearer
            any_within |= nearer <= radius
        if not any_within:
            continue
        # Room for the whole block, made before its loop: growing inside the loop slows the
        # loop several-fold.
        if found + size > photos.shape[0]:
            photos = _grown(photos, found, found + size)
            distances = _grown(distances, found, found + size)
        for j in range(size):
            if block[j] <= radius:
                photos[found] = start + j
                distances[found] = block[j]
                found += 1
    return photos[:found], distances[:found]


def photos_within(
    phash: np.ndarray,
    dhash: np.ndarray,
    phash_mirror: np.ndarray,
    dhash_mirror: np.ndarray,
    query_phash: int,
    query_dhash: int,
    radius: int,
) -> tuple[np.ndarray, np.ndarray]:
    """(positions, distances) of every photo whose nearer code (its own or its mirror's) is
    within `radius` bits of the query, in position order. The columns are contiguous uint64
    arrays of one length; a negative radius finds nothing."""
    positions, distances = _within(
        phash,
        dhash,
        phash_mirror,
        dhash_mirror,
        np.uint64(query_phash),
        np.uint64(query_dhash),
        radius,
    )
    return positions, distances
