"""Photo-audit throughput over a register with stored metrics: photos/s of `audit_photos`
(every flag, duplicates across the whole register included), against a baseline that only
reads the same rows, in one run.

    python -m benchmarks.audit_throughput [--photos 50000]

The register is SQLite in a temporary folder, filled directly with one face photo per
nominal and metrics drawn at random (about one photo in twenty near a threshold), since the
audit reads stored metrics and never decodes.
"""

import argparse
import datetime as dt
import random
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert, select

from audits.photo_audit import audit_photos
from audits.policy import AuditPolicy
from imaging.analysis import ANALYSIS_VERSION
from imaging.hashes import to_signed
from register import tables
from register.database import open_register


def fill(url: str, count: int, seed: int = 11) -> None:
    rng = random.Random(seed)
    engine = open_register(url)
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as connection:
        for start in range(0, count, 5000):
            ids = range(start + 1, min(count, start + 5000) + 1)
            connection.execute(
                insert(tables.nominals),
                [
                    {
                        "id": i,
                        "reference": f"BENCH/{i:07d}",
                        "status": "live",
                        "sex": "M",
                        "managing_agency": rng.choice(["GMP", "MPS", "WMP", "NW-PROB"]),
                        "wanted_missing": False,
                        "given_fields": [],
                        "version": 1,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for i in ids
                ],
            )
            shas = {i: f"{rng.getrandbits(256):064x}" for i in ids}
            connection.execute(
                insert(tables.photo_blobs),
                [
                    {
                        "sha256": shas[i],
                        "size_bytes": 1000,
                        "media_type": "image/jpeg",
                        "stored_at": now,
                    }
                    for i in ids
                ],
            )
            connection.execute(
                insert(tables.photos),
                [
                    {
                        "nominal_id": i,
                        "position": 0,
                        "file": f"p/{i}.jpg",
                        "kind": "face",
                        "taken_on": dt.date(2026, 1, 1) - dt.timedelta(days=rng.randint(0, 1500)),
                        "sha256": shas[i],
                    }
                    for i in ids
                ],
            )
            connection.execute(
                insert(tables.photo_analyses),
                [
                    {
                        "sha256": shas[i],
                        "width": 480,
                        "height": 600,
                        "phash": to_signed(rng.getrandbits(64)),
                        "dhash": to_signed(rng.getrandbits(64)),
                        "phash_mirror": to_signed(rng.getrandbits(64)),
                        "dhash_mirror": to_signed(rng.getrandbits(64)),
                        "sharpness": rng.lognormvariate(6, 1),
                        "brightness": rng.uniform(60, 180),
                        "contrast": rng.uniform(20, 80),
                        "clipped_shadows": rng.uniform(0, 0.05),
                        "clipped_highlights": rng.uniform(0, 0.06),
                        "sharpness_least_direction": rng.lognormvariate(4.5, 1),
                        "shadow_level": rng.uniform(0, 40),
                        "highlight_level": rng.uniform(140, 255),
                        "face_count": rng.choice([1] * 18 + [0, 2]),
                        "face_area_share": rng.uniform(0.03, 0.3),
                        "face_centre_x": rng.uniform(0.25, 0.75),
                        "face_centre_y": rng.uniform(0.25, 0.6),
                        "analysis_version": ANALYSIS_VERSION,
                        "analysed_at": now,
                    }
                    for i in ids
                ],
            )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", type=int, default=50_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        fill(url, args.photos)
        engine = open_register(url)
        p, a, n = tables.photos, tables.photo_analyses, tables.nominals
        with engine.connect() as connection:
            started = time.perf_counter()
            rows = connection.execute(
                select(n, p, a)
                .join(p, p.c.nominal_id == n.c.id)
                .outerjoin(a, a.c.sha256 == p.c.sha256)
            ).all()
            baseline = time.perf_counter() - started
            started = time.perf_counter()
            audit = audit_photos(connection, AuditPolicy(), dt.date(2026, 11, 30))
            elapsed = time.perf_counter() - started
        engine.dispose()
    print(
        f"{len(rows):,} photos; {audit.summary.photos_flagged:,} flagged; "
        f"{audit.summary.by_flag.get('duplicate', 0)} duplicate flags"
    )
    print("| what | seconds | photos/s |\n|---|---|---|")
    print(f"| read the rows only (baseline) | {baseline:.2f} | {len(rows) / baseline:,.0f} |")
    print(f"| audit_photos (all flags, duplicates) | {elapsed:.2f} | {len(rows) / elapsed:,.0f} |")
    print(f"\naudit / baseline time: {elapsed / baseline:.1f}x")


if __name__ == "__main__":
    main()
