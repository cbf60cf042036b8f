"""Photo search that rarely cries wolf: recall of transformed copies and the share of
never-enrolled photos answered with a candidate, by the hashes alone (the old default) and
with the second signature's verdict (copies only), in one run on real photographs.

    python -m benchmarks.photo_verification [--copies 2] [--write-calibration]

The library is scikit-image's and scikit-learn's sample photographs, their quadrants and
half of the 200 Labeled-Faces-in-the-Wild crops (tests/imaging/photo_corpus.py, loaded from
the installed packages); the other half are never enrolled. Probes are every library
picture under every transform (JPEG, resize, crop, brightness, contrast, rotation, mirror,
border) and each never-enrolled picture as it is and re-encoded. `--write-calibration`
stores the pair counts per distance band and verdict that `search.photo_verification.
confidence` reads.
"""

import argparse
import itertools
import random
import time
from collections import Counter
from dataclasses import dataclass

from PIL import Image

from imaging.decode import decode_bytes
from imaging.hashes import PerceptualHashes, compute_hashes
from imaging.keypoints import Keypoints, Probe, keypoints
from search.photo_search import DEFAULT_RADIUS, MAX_RADIUS
from search.photo_verification import (
    BAND_EDGES,
    CALIBRATION_FILE,
    SURE_DISTANCE,
    Calibration,
    CalibrationBand,
    Likeness,
    likeness,
)
from tests.imaging.photo_corpus import (
    TRANSFORMS,
    combined_distance,
    encode,
    face_photos,
    load,
    quadrants,
    real_photos,
)

OLD_RADIUS = 26  # the default before the second signature


@dataclass(frozen=True)
class Picture:
    hashes: PerceptualHashes
    keypoints: Keypoints


def picture(data: bytes) -> tuple[Image.Image, Picture]:
    image = decode_bytes(data).image
    return image, Picture(compute_hashes(image), keypoints(image))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=2, help="copies per picture and transform")
    parser.add_argument("--write-calibration", action="store_true")
    args = parser.parse_args()

    real = real_photos()
    pictures = {**real, **quadrants(real)}
    faces = face_photos()
    names = sorted(faces)
    enrolled_faces = {n: faces[n] for n in names[0::2]}
    never_enrolled = {n: faces[n] for n in names[1::2]}
    library = {name: picture(data)[1] for name, data in {**pictures, **enrolled_faces}.items()}

    rng = random.Random(5)
    probes: list[tuple[str | None, str, bytes]] = []
    for name, data in pictures.items():
        original = load(data)
        for transform_name, transform in TRANSFORMS.items():
            for _ in range(args.copies):
                probes.append((name, transform_name, encode(transform(original, rng))))
    for name, data in enrolled_faces.items():
        probes.append((name, "jpeg", encode(load(data), quality=rng.randint(50, 90))))
    for _name, data in never_enrolled.items():
        probes.append((None, "as is", data))
        probes.append((None, "jpeg", encode(load(data), quality=rng.randint(50, 90))))

    started = time.perf_counter()
    same_bands: Counter[tuple[tuple[int, int], Likeness]] = Counter()
    old_found = new_found = enrolled = 0
    old_wolf = new_wolf = strangers = 0
    per_transform: Counter[tuple[str, str]] = Counter()
    verified = 0
    for truth, transform_name, data in probes:
        image, query = picture(data)
        distances = {
            name: combined_distance(query.hashes, stored.hashes) for name, stored in library.items()
        }
        within_old = sorted((d, n) for n, d in distances.items() if d <= OLD_RADIUS)
        probe = Probe(query.keypoints, keypoints(image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))
        copies = []
        for distance, name in sorted((d, n) for n, d in distances.items() if d <= DEFAULT_RADIUS):
            points = None
            if distance > SURE_DISTANCE:
                points = probe.agreeing_points(library[name].keypoints)
                verified += 1
            verdict = likeness(distance, points)
            if name == truth:
                same_bands[(_band(distance), verdict)] += 1
            if verdict is Likeness.COPY:
                copies.append(name)
        if truth is None:
            strangers += 1
            old_wolf += bool(within_old)
            new_wolf += bool(copies)
            continue
        enrolled += 1
        old_hit = bool(within_old) and within_old[0][1] == truth
        new_hit = bool(copies) and copies[0] == truth
        old_found += old_hit
        new_found += new_hit
        per_transform[(transform_name, "old")] += old_hit
        per_transform[(transform_name, "new")] += new_hit
        per_transform[(transform_name, "n")] += 1
    elapsed = time.perf_counter() - started

    print(
        f"library {len(library)} pictures; {enrolled} enrolled probes, {strangers} never enrolled"
    )
    print(f"{verified} second-signature checks, {elapsed / len(probes) * 1000:.1f} ms per probe\n")
    print("| ranker | recall@1 | never-enrolled answered |")
    print("|---|---|---|")
    print(
        f"| hashes alone, radius {OLD_RADIUS} | {old_found / enrolled:.4f} | "
        f"{old_wolf / strangers:.4f} ({old_wolf}) |"
    )
    print(
        f"| hashes to {DEFAULT_RADIUS} + keypoints, copies only | {new_found / enrolled:.4f} | "
        f"{new_wolf / strangers:.4f} ({new_wolf}) |"
    )
    print("\n| transform | hashes alone | with keypoints |")
    print("|---|---|---|")
    for transform_name in [*TRANSFORMS, "jpeg"]:
        n = per_transform[(transform_name, "n")]
        if n:
            print(
                f"| {transform_name} | {per_transform[(transform_name, 'old')] / n:.3f} | "
                f"{per_transform[(transform_name, 'new')] / n:.3f} |"
            )

    if args.write_calibration:
        distinct = _distinct_bands(library, pictures)
        total_distinct = sum(distinct.values())
        bands = [
            CalibrationBand(
                low=low,
                high=high,
                likeness=verdict,
                same_pairs=same_bands[((low, high), verdict)],
                distinct_pairs=distinct[((low, high), verdict)],
            )
            for low, high in BAND_EDGES
            for verdict in Likeness
        ]
        table = Calibration(
            same_total=enrolled,
            distinct_total=total_distinct,
            bands=bands,
            source="python -m benchmarks.photo_verification --write-calibration: transformed "
            "copies of real sample photographs and LFW crops against the library, and every "
            "pair of distinct library pictures",
        )
        CALIBRATION_FILE.write_text(table.model_dump_json(indent=1) + "\n", "utf-8")
        print(f"\nwrote {CALIBRATION_FILE.name}: {total_distinct} distinct pairs")


def _band(distance: int) -> tuple[int, int]:
    return next(((lo, hi) for lo, hi in BAND_EDGES if lo <= distance <= hi), BAND_EDGES[-1])


def _distinct_bands(
    library: dict[str, Picture], pictures: dict[str, bytes]
) -> Counter[tuple[tuple[int, int], Likeness]]:
    """Every pair of different library pictures, judged as a search would judge it (the
    second signature only where the hashes come within the search radius)."""
    images = {}
    counts: Counter[tuple[tuple[int, int], Likeness]] = Counter()
    for a, b in itertools.combinations(sorted(library), 2):
        if a.split("#")[0] == b.split("#")[0]:
            continue  # a quadrant and the photo it was cut from are not distinct pictures
        distance = combined_distance(library[a].hashes, library[b].hashes)
        if distance > MAX_RADIUS:
            counts[((MAX_RADIUS + 1, 128), Likeness.LOOKALIKE)] += 1
            continue
        points = None
        if distance > SURE_DISTANCE:
            if a not in images:
                images[a] = _image(a, pictures)
            points = Probe.of(images[a]).agreeing_points(library[b].keypoints)
        counts[(_band(distance), likeness(distance, points))] += 1
    return counts


def _image(name: str, pictures: dict[str, bytes]) -> Image.Image:
    data = pictures.get(name) or face_photos()[name]
    return decode_bytes(data).image


if __name__ == "__main__":
    main()
