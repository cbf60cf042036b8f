"""Photo-search latency at 10k, 100k, 1M and 10M stored photos: the photo index (multi-index
lookup where it pays, else its compiled one-pass scan) against numpy's plain column scan (XOR
and np.bitwise_count down two uint64 columns of every code, own and mirror:
`plain_column_scan`), in one run.

    python -m benchmarks.photo_search [--sizes 10000 100000 1000000 10000000] [--queries 200]
        [--radius R]

Stored codes are generated directly as arrays (10,000,000 photo objects would measure Python,
not search), clustered as a real library is (several photos of one sitting); queries are half
copies of stored photos with 0-30 bits flipped, half unrelated. The two methods answer each
query in turn, so load on the machine falls on both alike; both return the same answers
(checked here on the first queries, and in tests/search/test_photo_index.py).
"""

import argparse
import functools
import resource
import statistics
import time
from collections.abc import Iterator, Sequence
from typing import overload

import numpy as np

from imaging.hashes import PerceptualHashes
from search.photo_index import IndexedPhoto, PhotoHashIndex, plain_column_scan
from search.photo_search import DEFAULT_RADIUS


class GeneratedPhotos(Sequence[IndexedPhoto]):
    """The photo list over generated codes: each photo is made only when asked for."""

    def __init__(self, codes: np.ndarray) -> None:
        self.codes = codes

    def __len__(self) -> int:
        return len(self.codes)

    @overload
    def __getitem__(self, position: int) -> IndexedPhoto: ...
    @overload
    def __getitem__(self, position: slice) -> Sequence[IndexedPhoto]: ...
    def __getitem__(self, position: int | slice) -> IndexedPhoto | Sequence[IndexedPhoto]:
        if isinstance(position, slice):
            return [self[i] for i in range(*position.indices(len(self)))]
        hashes = PerceptualHashes(*(int(word) for word in self.codes[position]))
        return IndexedPhoto(f"R{position}", "", "face", hashes)

    def __iter__(self) -> Iterator[IndexedPhoto]:
        return (self[i] for i in range(len(self)))


def random_words(rng: np.random.Generator, shape: int | tuple[int, ...]) -> np.ndarray:
    return rng.integers(0, 2**64, size=shape, dtype=np.uint64, endpoint=False)


def library(size: int, rng: np.random.Generator) -> np.ndarray:
    """(size, 4) codes: sittings of 1-3 photos (3 sittings in 4 hold one), each photo its
    sitting's code with a sparse random flip (each bit with probability 1/8)."""
    sittings = random_words(rng, (size, 4))
    sitting = np.repeat(np.arange(size), rng.choice([1, 1, 2, 3], size=size))[:size]
    codes = sittings[sitting]
    flip = random_words(rng, size) & random_words(rng, size) & random_words(rng, size)
    codes[:, 0] ^= flip
    codes[:, 1] ^= flip >> np.uint64(7)
    return codes


def queries(codes: np.ndarray, count: int, rng: np.random.Generator) -> list[PerceptualHashes]:
    result = []
    for i in range(count):
        if i % 2:
            phash, dhash = (int(w) for w in random_words(rng, 2))
        else:
            phash, dhash = (int(w) for w in codes[rng.integers(len(codes)), :2])
            for bit in rng.choice(128, size=rng.integers(0, 31), replace=False).tolist():
                if bit < 64:
                    phash ^= 1 << bit
                else:
                    dhash ^= 1 << (bit - 64)
        result.append(PerceptualHashes(phash, dhash, 0, 0))
    return result


def elapsed_ms(search: object, query: PerceptualHashes, radius: int) -> float:
    started = time.perf_counter()
    search(query, radius)  # type: ignore[operator]
    return (time.perf_counter() - started) * 1000


def p95(values: list[float]) -> float:
    return float(np.percentile(values, 95))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000, 10_000_000]
    )
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--radius", type=int, default=DEFAULT_RADIUS)
    args = parser.parse_args()
    rng = np.random.default_rng(1)
    print(f"radius {args.radius} bits of 128; {args.queries} queries per size\n")
    print(
        "| photos | build s | index p50 ms | index p95 ms | column scan p50 ms | scan p95 ms | "
        "scan/index p50 | scan/index p95 | index bytes/photo | peak RSS MiB |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for size in args.sizes:
        codes = library(size, rng)
        started = time.perf_counter()
        index = PhotoHashIndex(GeneratedPhotos(codes), codes=codes)
        build = time.perf_counter() - started
        # The baseline's two columns, made once.
        column_scan = functools.partial(plain_column_scan, *index.code_columns())
        targets = queries(codes, args.queries, rng)
        for query in targets[:20]:  # the same answers, or the comparison means nothing
            assert index.search(query, args.radius) == column_scan(query, args.radius)
        ours, scan = [], []
        for query in targets:
            ours.append(elapsed_ms(index.search, query, args.radius))
            scan.append(elapsed_ms(column_scan, query, args.radius))
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"| {size:,} | {build:.1f} | {statistics.median(ours):.3f} | {p95(ours):.3f} | "
            f"{statistics.median(scan):.3f} | {p95(scan):.3f} | "
            f"{statistics.median(scan) / statistics.median(ours):.1f} | "
            f"{p95(scan) / p95(ours):.1f} | {index.memory_bytes / size:.0f} | {rss:.0f} |",
            flush=True,
        )
        del index, codes, column_scan


if __name__ == "__main__":
    main()
