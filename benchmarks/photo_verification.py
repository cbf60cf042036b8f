"""Photo search that rarely cries wolf: recall of transformed copies and the share of
never-enrolled photos answered with a candidate, by the hashes alone (the old default) and
with the second signature's verdict (copies only), in one run on real photographs; then the
photos of different people taken in one custody suite (tests/search/same_suite_photos.py)
and the demo register's face photos searched against the demo register, judged by the
verdict before the agreeing points had to cover the picture (points alone) and after.

    python -m benchmarks.photo_verification [--copies 2] [--demo-size 400] [--write-calibration]

The library is scikit-image's and scikit-learn's sample photographs, their quadrants and
half of the 200 Labeled-Faces-in-the-Wild crops (tests/imaging/photo_corpus.py, loaded from
the installed packages); the other half are never enrolled. Probes are every library
picture under every transform (JPEG, resize, crop, brightness, contrast, rotation, mirror,
border) and each never-enrolled picture as it is and re-encoded. `--write-calibration`
stores the pair counts per distance band and verdict that `search.photo_verification.
confidence` reads; its distinct pairs include the tune suites' pairs of different people.
"""

import argparse
import itertools
import json
import random
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from imaging.decode import decode_bytes, decode_photo
from imaging.hashes import PerceptualHashes, compute_hashes
from imaging.keypoints import Keypoints, Probe, keypoints
from search.photo_index import IndexedPhoto, PhotoHashIndex
from search.photo_search import DEFAULT_RADIUS, MAX_RADIUS, judge_candidates, search_photo
from search.photo_verification import (
    BAND_EDGES,
    CALIBRATION_FILE,
    MIN_AGREEING_POINTS,
    Calibration,
    CalibrationBand,
    Likeness,
    likeness,
    probe_agreement,
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
from tests.search.same_suite_photos import SuitePhoto, same_suite_pairs, suite_photos
from visor.synthetic import write_bundle

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
    parser.add_argument("--demo-size", type=int, default=400, help="nominals in the demo register")
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
    rankers = ("hashes alone", "points alone", "points and cover")
    found: Counter[str] = Counter()
    wolves: Counter[str] = Counter()
    enrolled = strangers = verified = 0
    per_transform: Counter[tuple[str, str]] = Counter()
    for truth, transform_name, data in probes:
        image, query = picture(data)
        distances = {
            name: combined_distance(query.hashes, stored.hashes) for name, stored in library.items()
        }
        within_old = sorted((d, n) for n, d in distances.items() if d <= OLD_RADIUS)
        probe = Probe(query.keypoints, keypoints(image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))
        answers: dict[str, list[str]] = {name: [] for name in rankers}
        answers["hashes alone"] = [n for _d, n in within_old]
        for distance, name in sorted((d, n) for n, d in distances.items() if d <= DEFAULT_RADIUS):
            agreed = probe_agreement(probe, library[name].keypoints)
            verified += 1
            verdict = likeness(distance, agreed)
            if name == truth:
                same_bands[(_band(distance), verdict)] += 1
            if verdict is Likeness.COPY:
                answers["points and cover"].append(name)
            if points_alone(distance, probe, library[name].keypoints) is Likeness.COPY:
                answers["points alone"].append(name)
        if truth is None:
            strangers += 1
            wolves.update(r for r in rankers if answers[r])
            continue
        enrolled += 1
        per_transform[(transform_name, "n")] += 1
        for ranker in rankers:
            hit = bool(answers[ranker]) and answers[ranker][0] == truth
            found[ranker] += hit
            per_transform[(transform_name, ranker)] += hit
    elapsed = time.perf_counter() - started

    print(
        f"library {len(library)} pictures; {enrolled} enrolled probes, {strangers} never enrolled"
    )
    print(f"{verified} second-signature checks, {elapsed / len(probes) * 1000:.1f} ms per probe\n")
    labels = {
        "hashes alone": f"hashes alone, radius {OLD_RADIUS}",
        "points alone": f"hashes to {DEFAULT_RADIUS} + agreeing points (before), copies only",
        "points and cover": f"hashes to {DEFAULT_RADIUS} + points and their cover, copies only",
    }
    print("| ranker | recall@1 | never-enrolled answered |")
    print("|---|---|---|")
    for ranker in rankers:
        print(
            f"| {labels[ranker]} | {found[ranker] / enrolled:.4f} | "
            f"{wolves[ranker] / strangers:.4f} ({wolves[ranker]}) |"
        )
    print("\n| transform | hashes alone | points alone | points and cover |")
    print("|---|---|---|---|")
    for transform_name in [*TRANSFORMS, "jpeg"]:
        n = per_transform[(transform_name, "n")]
        if n:
            shares = " | ".join(f"{per_transform[(transform_name, r)] / n:.3f}" for r in rankers)
            print(f"| {transform_name} | {shares} |")

    print(
        "\n| same suite, different person | pairs | within radius | copies by points alone "
        "| copies by points and cover |"
    )
    print("|---|---|---|---|---|")
    suites: dict[bool, SuiteVerdicts] = {}
    for held_out in (False, True):
        suite = suites[held_out] = same_suite_verdicts(suite_photos(held_out))
        print(
            f"| {'held out' if held_out else 'tune'} | {suite.pairs} | {suite.within_radius} | "
            f"{suite.copies_points_alone} | {suite.copies} |"
        )
    demo = demo_register_answers(args.demo_size)
    print(
        f"\ndemo register of {args.demo_size} nominals, {demo.photos} face photos each searched: "
        f"answered with another nominal as a copy {demo.wrong_points_alone} (points alone), "
        f"{demo.wrong} (now); own nominal first {demo.own_first}"
    )

    if args.write_calibration:
        # Different people photographed in one suite are the distinct pairs a custody
        # register holds most of, and the hardest: the tune suites' pairs are counted with
        # the library's (the held-out suites stay out, to judge the verdict by).
        distinct = _distinct_bands(library, pictures) + suites[False].bands
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
            "copies of real sample photographs and LFW crops against the library, every "
            "pair of distinct library pictures, and every pair of different people in the "
            "tune custody suites (tests/search/same_suite_photos.py)",
        )
        CALIBRATION_FILE.write_text(table.model_dump_json(indent=1) + "\n", "utf-8")
        print(f"\nwrote {CALIBRATION_FILE.name}: {total_distinct} distinct pairs")


def points_alone(distance: int, probe: Probe, stored: Keypoints) -> Likeness:
    """The verdict before the agreeing points had to cover the picture, the baseline: the
    hashes alone decided within 16 bits, the number of agreeing points beyond."""
    if distance <= 16 or probe.agreeing_points(stored) >= MIN_AGREEING_POINTS:
        return Likeness.COPY
    return Likeness.LOOKALIKE


@dataclass(frozen=True)
class SuiteVerdicts:
    pairs: int
    within_radius: int
    copies_points_alone: int
    copies: int
    # Every pair by distance band and verdict, as `_distinct_bands` counts the library's.
    bands: Counter[tuple[tuple[int, int], Likeness]]


def same_suite_verdicts(photos: list[SuitePhoto]) -> SuiteVerdicts:
    """Each pair of different people from one suite, judged as a search within the default
    radius would judge the one as a candidate for the other."""
    decoded = {id(p): decode_bytes(p.data).image for p in photos}
    hashes = {key: compute_hashes(image) for key, image in decoded.items()}
    points = {key: keypoints(image) for key, image in decoded.items()}
    pairs = within = before = after = 0
    bands: Counter[tuple[tuple[int, int], Likeness]] = Counter()
    for a, b in same_suite_pairs(photos):
        pairs += 1
        distance = combined_distance(hashes[id(a)], hashes[id(b)])
        if distance > MAX_RADIUS:
            bands[((MAX_RADIUS + 1, 128), Likeness.LOOKALIKE)] += 1
            continue
        probe = Probe.of(decoded[id(a)])
        agreed = probe_agreement(probe, points[id(b)])
        verdict = likeness(distance, agreed)
        bands[(_band(distance), verdict)] += 1
        if distance > DEFAULT_RADIUS:
            continue
        within += 1
        before += points_alone(distance, probe, points[id(b)]) is Likeness.COPY
        after += verdict is Likeness.COPY
    return SuiteVerdicts(pairs, within, before, after, bands)


@dataclass(frozen=True)
class DemoAnswers:
    photos: int
    wrong_points_alone: int  # searches answered with another nominal judged a copy
    wrong: int
    own_first: int  # searches whose first copy is the nominal the photo came from


def demo_register_answers(size: int, seed: int = 1) -> DemoAnswers:
    """The demo register's face photos (as `visor demo` draws them), each searched against
    all of them the way `visor search-photo` searches: hashes within the default radius,
    then the verdict."""
    with tempfile.TemporaryDirectory() as folder:
        bundle = write_bundle(Path(folder), size, seed=seed, photo_fraction=0.5)
        photos = [
            (record["reference"], decode_photo(bundle / photo["file"]).image)
            for record in map(json.loads, (bundle / "nominals.jsonl").open(encoding="utf-8"))
            for photo in record.get("photos", [])
        ]
    indexed = [IndexedPhoto(ref, ref, "face", compute_hashes(image)) for ref, image in photos]
    index = PhotoHashIndex(indexed)
    stored = {ref: keypoints(image) for ref, image in photos}
    wrong_before = wrong = own_first = 0
    for (reference, image), entry in zip(photos, indexed, strict=True):
        probe = Probe.of(image)
        found = search_photo(index, entry.hashes, top=10, radius=DEFAULT_RADIUS)
        judged = judge_candidates(found, probe, stored.get)
        copies = [c.reference for c in judged if c.likeness is Likeness.COPY]
        wrong += any(ref != reference for ref in copies)
        own_first += bool(copies) and copies[0] == reference
        wrong_before += any(
            c.reference != reference
            and points_alone(c.distance, probe, stored[c.reference]) is Likeness.COPY
            for c in found
        )
    return DemoAnswers(len(photos), wrong_before, wrong, own_first)


def _band(distance: int) -> tuple[int, int]:
    return next(((lo, hi) for lo, hi in BAND_EDGES if lo <= distance <= hi), BAND_EDGES[-1])


def _distinct_bands(
    library: dict[str, Picture], pictures: dict[str, bytes]
) -> Counter[tuple[tuple[int, int], Likeness]]:
    """Every pair of different library pictures, judged as a search would judge it (the
    second signature only where the hashes come within the search radius)."""
    probes: dict[str, Probe] = {}
    counts: Counter[tuple[tuple[int, int], Likeness]] = Counter()
    for a, b in itertools.combinations(sorted(library), 2):
        if a.split("#")[0] == b.split("#")[0]:
            continue  # a quadrant and the photo it was cut from are not distinct pictures
        distance = combined_distance(library[a].hashes, library[b].hashes)
        if distance > MAX_RADIUS:
            counts[((MAX_RADIUS + 1, 128), Likeness.LOOKALIKE)] += 1
            continue
        if a not in probes:
            probes[a] = Probe.of(_image(a, pictures))
        points = probe_agreement(probes[a], library[b].keypoints)
        counts[(_band(distance), likeness(distance, points))] += 1
    return counts


def _image(name: str, pictures: dict[str, bytes]) -> Image.Image:
    data = pictures.get(name) or face_photos()[name]
    return decode_bytes(data).image


if __name__ == "__main__":
    main()
