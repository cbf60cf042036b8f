"""Photo ingestion speed: the work per photo (decode + hashes + blur/exposure, then with face
finding) per core, the worker pool with 1, 2 and N workers against the single process
visor used before, and JPEG draft mode; all in one run, so the ratios hold on a noisy
machine even when the absolute rates do not.

    python -m benchmarks.photo_ingest [--photos 400] [--repeat 3]

Photos: custody-sized face photos made by the demo's generator (240 x 300 JPEG), the real
sample photographs (scikit-image, scikit-learn) as JPEG, as shipped and scaled up 3x
(camera-sized files, the only ones draft mode can shrink), and real faces framed as custody
photos (60 Labeled Faces in the Wild cards, 240 x 300, and the photo audit's 7 mugshots of
real portraits): most of the sample photographs hold no face, so face finding must scan
them at every scale, where a face photo holding one large face needs only the coarse scales.
Per-core rates are photos per second of this process's CPU time; pool rates are wall-clock,
derivatives written to disk.
"""

import argparse
import hashlib
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image

from imaging.analysis import PhotoJob, analyse, analyse_file, prepare_worker
from imaging.decode import decode_bytes
from imaging.hashes import compute_hashes, hamming
from imaging.pool import PoolLimits, WorkerPool, default_workers
from register.photo_ingest import PHOTO_WORKER_PRELOAD
from tests.audits.audit_corpus import lfw_mugshots, mugshots
from tests.imaging.photo_corpus import encode, load, real_photos
from visor.synthetic import face_image


def demo_photos(count: int) -> list[bytes]:
    rng = random.Random(3)
    looks = [
        {"ethnic_appearance": e, "hair_colour": h}
        for e in ("IC1", "IC3")
        for h in ("brown", "black")
    ]
    return [face_image(looks[i % len(looks)], rng) for i in range(count)]


def real_jpegs(factor: int = 1) -> list[bytes]:
    photos = []
    for data in real_photos().values():
        image = load(data)
        if factor > 1:
            size = (image.width * factor, image.height * factor)
            image = image.resize(size, Image.Resampling.BICUBIC)
        photos.append(encode(image, quality=90))
    return photos


def real_faces(cards: int = 60) -> list[bytes]:
    framed = list(lfw_mugshots().values())[:cards] + list(mugshots().values())
    return [encode(image) for image in framed]


def per_core_rate(photos: list[bytes], work: Callable[[bytes], object], repeat: int) -> float:
    for data in photos[:3]:
        work(data)  # libraries loaded on first use, as a worker loads them before its first photo
    started = time.process_time()
    for _ in range(repeat):
        for data in photos:
            work(data)
    return repeat * len(photos) / (time.process_time() - started)


def without_faces(data: bytes) -> None:
    analyse(decode_bytes(data), "x", find_faces=False)  # what a photo worker runs


def with_faces(data: bytes) -> None:
    analyse(decode_bytes(data), "x", find_faces=True)


def write_jobs(folder: Path, photos: list[bytes], faces: bool) -> list[PhotoJob]:
    jobs = []
    for i, data in enumerate(photos):
        source = folder / f"in-{i}.jpg"
        source.write_bytes(data)
        jobs.append(PhotoJob(source, hashlib.sha256(data).hexdigest(), faces, folder / "store"))
    return jobs


def wall_rate(run: Callable[[], int]) -> float:
    started = time.perf_counter()
    count = run()
    return count / (time.perf_counter() - started)


def pool_table(photos: list[bytes], workers: list[int]) -> None:
    print(
        "| photos | single process (photos/s) | "
        + " | ".join(f"{w} worker(s)" for w in workers)
        + " |"
    )
    print("|---|---|" + "---|" * len(workers))
    for faces in (False, True):
        with tempfile.TemporaryDirectory() as folder:
            jobs = write_jobs(Path(folder), photos, faces)
            prepare_worker()
            single = wall_rate(lambda: len([analyse_file(job) for job in jobs]))  # noqa: B023
            cells = []
            for count in workers:
                limits = PoolLimits(count, 2048 * 1024 * 1024, 30)
                with WorkerPool(analyse_file, limits, prepare_worker, PHOTO_WORKER_PRELOAD) as pool:
                    list(pool.map(jobs[: count * 2]))  # workers started and warm
                    rate = wall_rate(lambda: sum(1 for _ in pool.map(jobs)))  # noqa: B023
                cells.append(f"{rate:.0f} ({rate / single:.2f}x)")
        label = "face photos, with face finding" if faces else "mark photos, no face finding"
        print(f"| {len(photos)} {label} | {single:.0f} | " + " | ".join(cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    demo = demo_photos(args.photos)
    real, camera = real_jpegs(), real_jpegs(3)
    prepare_worker()
    print("## Work per photo, one core (photos per CPU-second)\n")
    print("| photos | decode + hashes + blur/exposure | the same + face finding |")
    print("|---|---|---|")
    for label, photos in (
        ("demo face photos 240x300", demo[:100]),
        ("real photos as shipped (~512 px)", real),
        ("real photos 3x (camera-sized)", camera),
        ("real faces as custody photos (LFW cards 240x300, mugshots)", real_faces()),
    ):
        print(
            f"| {label} | {per_core_rate(photos, without_faces, args.repeat):.0f} | "
            f"{per_core_rate(photos, with_faces, args.repeat):.0f} |"
        )
    workers = sorted({1, 2, default_workers()})
    print(f"\n## Worker pool against the single process ({default_workers()} cores here)\n")
    pool_table(demo, workers)
    print("\n## JPEG draft mode (camera-sized JPEGs, face finding on)\n")
    with_draft = per_core_rate(camera, lambda d: analyse(decode_bytes(d, True), "x", True), 1)
    without = per_core_rate(camera, lambda d: analyse(decode_bytes(d, False), "x", True), 1)
    print(
        f"with draft {with_draft:.1f} photos/s, without {without:.1f}: {with_draft / without:.2f}x"
    )
    distances = []
    for data in camera:
        a = compute_hashes(decode_bytes(data, draft=True).image)
        b = compute_hashes(decode_bytes(data, draft=False).image)
        distances.append((hamming(a.phash, b.phash), hamming(a.dhash, b.dhash)))
    phash = [d[0] for d in distances]
    dhash = [d[1] for d in distances]
    print(
        f"draft vs full decode over {len(distances)} JPEGs: pHash distance mean "
        f"{statistics.mean(phash):.2f}, max {max(phash)}; dHash mean "
        f"{statistics.mean(dhash):.2f}, max {max(dhash)} (bits of 64)"
    )


if __name__ == "__main__":
    main()
