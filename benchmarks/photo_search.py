"""Photo-search latency at 10k, 100k and 1M stored photos: the photo index (multi-index
hashing where it pays, else a column scan) against the plain column scan (XOR + popcount
down two uint64 columns, every code), measured in one run.

    python -m benchmarks.photo_search [--sizes 10000 100000 1000000] [--queries 200] [--radius R]

Stored codes are clustered as a real library is (several photos of one sitting); queries
are half copies of stored photos with 0-30 bits flipped, half unrelated. Both methods
return the same answers (tests/search/test_photo_index.py); this measures their cost.
"""

import argparse
import random
import resource
import statistics
import time
from collections.abc import Callable

import numpy as np

from imaging.hashes import PerceptualHashes
from search.photo_index import IndexedPhoto, PhotoHashIndex
from search.photo_search import DEFAULT_RADIUS


def library(size: int, rng: random.Random) -> list[IndexedPhoto]:
    photos: list[IndexedPhoto] = []
    while len(photos) < size:
        base = [rng.getrandbits(64) for _ in range(4)]
        for _ in range(rng.choice([1, 1, 2, 3])):
            flip = rng.getrandbits(64) & rng.getrandbits(64) & rng.getrandbits(64)
            hashes = PerceptualHashes(base[0] ^ flip, base[1] ^ (flip >> 7), base[2], base[3])
            photos.append(IndexedPhoto(f"R{len(photos)}", "", "face", hashes))
    return photos[:size]


def queries(photos: list[IndexedPhoto], count: int, rng: random.Random) -> list[PerceptualHashes]:
    result = []
    for i in range(count):
        if i % 2:
            result.append(PerceptualHashes(rng.getrandbits(64), rng.getrandbits(64), 0, 0))
            continue
        h = rng.choice(photos).hashes
        phash, dhash = h.phash, h.dhash
        for bit in rng.sample(range(128), rng.randint(0, 30)):
            if bit < 64:
                phash ^= 1 << bit
            else:
                dhash ^= 1 << (bit - 64)
        result.append(PerceptualHashes(phash, dhash, 0, 0))
    return result


def latencies(
    search: Callable[[PerceptualHashes, int], object],
    targets: list[PerceptualHashes],
    radius: int,
) -> list[float]:
    timings = []
    for query in targets:
        started = time.perf_counter()
        search(query, radius)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def p95(values: list[float]) -> float:
    return float(np.percentile(values, 95))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--radius", type=int, default=DEFAULT_RADIUS)
    args = parser.parse_args()
    rng = random.Random(1)
    print(f"radius {args.radius} bits of 128; {args.queries} queries per size\n")
    print(
        "| photos | build s | index p50 ms | index p95 ms | column scan p50 ms | scan p95 ms | "
        "scan/index (p50) | peak RSS MiB |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for size in args.sizes:
        photos = library(size, rng)
        started = time.perf_counter()
        index = PhotoHashIndex(photos)
        build = time.perf_counter() - started
        targets = queries(photos, args.queries, rng)
        for query in targets[:20]:  # the same answers, or the comparison means nothing
            assert index.search(query, args.radius) == index.search_brute_force(query, args.radius)
        mih = latencies(index.search, targets, args.radius)
        brute = latencies(index.search_brute_force, targets, args.radius)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"| {size:,} | {build:.1f} | {statistics.median(mih):.2f} | {p95(mih):.2f} | "
            f"{statistics.median(brute):.2f} | {p95(brute):.2f} | "
            f"{statistics.median(brute) / statistics.median(mih):.1f} | {rss:.0f} |"
        )


if __name__ == "__main__":
    main()
