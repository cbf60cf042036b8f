"""Photos ingested per second (decode + hashes + quality metrics with face finding), with and
without JPEG draft mode, and how far draft mode moves the hashes.

    python -m benchmarks.photo_ingest [--repeat 3]

The set: the real sample photographs (scikit-image, scikit-learn) as shipped, and the same
photographs scaled up 3x and 4x and saved as JPEG, standing in for camera-sized files (the
only ones draft mode can shrink). Both modes run in this one process, so the ratio holds on
a noisy machine even when the absolute rate does not.
"""

import argparse
import statistics
import time

from PIL import Image

from imaging.analysis import analyse
from imaging.decode import decode_bytes
from imaging.hashes import compute_hashes, hamming
from tests.imaging.photo_corpus import encode, load, real_photos


def corpus() -> dict[str, bytes]:
    photos = dict(real_photos())
    for name, data in real_photos().items():
        image = load(data)
        for factor in (3, 4):
            big = image.resize(
                (image.width * factor, image.height * factor), Image.Resampling.BICUBIC
            )
            photos[f"{name} x{factor}"] = encode(big, quality=90)
    return photos


def ingest_rate(photos: dict[str, bytes], draft: bool, repeat: int, faces: bool = True) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        for name, data in photos.items():
            analyse(decode_bytes(data, draft=draft), name, find_faces=faces)
    return repeat * len(photos) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    photos = corpus()
    large = {n: d for n, d in photos.items() if " x" in n}
    print(f"{len(photos)} photos, {len(large)} of them camera-sized JPEGs\n")
    print("| set | with draft (photos/s) | without (photos/s) | speed-up |")
    print("|---|---|---|---|")
    for label, chosen, faces in (
        ("all, face photos", photos, True),
        ("camera-sized JPEGs, face photos", large, True),
        ("camera-sized JPEGs, mark/other photos (no face finding)", large, False),
    ):
        with_draft = ingest_rate(chosen, True, args.repeat, faces)
        without = ingest_rate(chosen, False, args.repeat, faces)
        print(f"| {label} | {with_draft:.1f} | {without:.1f} | {with_draft / without:.2f}x |")
    distances = []
    for data in large.values():
        a = compute_hashes(decode_bytes(data, draft=True).image)
        b = compute_hashes(decode_bytes(data, draft=False).image)
        distances.append((hamming(a.phash, b.phash), hamming(a.dhash, b.dhash)))
    phash = [d[0] for d in distances]
    dhash = [d[1] for d in distances]
    print(
        f"\ndraft vs full decode over {len(distances)} JPEGs: pHash distance mean "
        f"{statistics.mean(phash):.2f}, max {max(phash)}; dHash mean "
        f"{statistics.mean(dhash):.2f}, max {max(dhash)} (bits of 64)"
    )


if __name__ == "__main__":
    main()
