"""Photos decoded in the worker pool during an import, on every SQL backend: a hostile file
costs its own photo and one worker, never the import; outcomes keep the lines' order; and
a re-import decodes nothing again."""

import io
from pathlib import Path

import numpy as np
from PIL import Image
from sqlalchemy import select

from imaging.analysis import prepare_worker
from imaging.pool import PoolLimits, WorkerPool
from register import tables
from register.photo_ingest import PHOTO_WORKER_PRELOAD
from register.store import get_record
from tests.conftest import minimal_record, run_import, write_bundle
from tests.imaging.photo_corpus import encode, load, real_photos
from visor.services import Services

MIB = 1024 * 1024


def _address_space(_job: int) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmSize")


def worker_baseline() -> int:
    """What a photo worker's address space is before its first photo (its libraries)."""
    limits = PoolLimits(1, 8192 * MIB, 30)
    with WorkerPool(_address_space, limits, prepare_worker, PHOTO_WORKER_PRELOAD) as pool:
        (size,) = list(pool.map([0]))
    assert isinstance(size, int)
    return size


def expanding_png() -> bytes:
    """A 170 KB PNG that needs some 300 MiB to decode: 40 megapixels (the pixel cap) of
    transparent gradient. Within every file check; what stops it is the memory limit."""
    ramp = np.linspace(0, 255, 7000, dtype=np.float32)[None, :].repeat(5700, 0)
    image = Image.fromarray(ramp.astype(np.uint8), "L").convert("RGBA")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def ordinary_photos() -> dict[str, bytes]:
    names = [
        "skimage/astronaut.png",
        "skimage/coffee.png",
        "sklearn/china.jpg",
        "skimage/rocket.jpg",
    ]
    return {f"photos/{i}.jpg": encode(load(real_photos()[name])) for i, name in enumerate(names)}


def test_a_photo_over_the_memory_limit_costs_only_that_photo(
    services: Services, tmp_path: Path
) -> None:
    photos = ordinary_photos()
    photos["photos/hostile.png"] = expanding_png()
    files = list(photos)
    lines = [
        minimal_record(f"R{i}", photos=[{"file": file, "kind": "face"}])
        for i, file in enumerate(files)
    ]
    # The hostile photo sits in the middle, in a batch (of 3) with ordinary ones.
    lines.insert(2, lines.pop())
    bundle = write_bundle(tmp_path / "bundle", lines, photos)
    limits = PoolLimits(2, worker_baseline() + 160 * MIB, 60)
    summary, rejects = run_import(services, bundle, photo_limits=limits)
    assert (summary.created, summary.rejected_photos) == (5, 1)
    (reject,) = rejects
    assert reject["reference"] == "R4" and reject["photo"] == "photos/hostile.png"
    assert "more memory than the" in reject["reasons"][0] and "limit" in reject["reasons"][0]
    with services.engine.connect() as connection:
        for i in range(4):
            record = get_record(connection, f"R{i}")
            assert len(record.photos) == 1 and record.photos[0].sha256 is not None
        assert get_record(connection, "R4").photos == []


def test_every_photo_over_the_time_limit_is_rejected_and_the_records_kept(
    services: Services, tmp_path: Path
) -> None:
    photos = ordinary_photos()
    lines = [
        minimal_record(f"R{i}", photos=[{"file": file, "kind": "face"}])
        for i, file in enumerate(photos)
    ]
    bundle = write_bundle(tmp_path / "bundle", lines, photos)
    summary, rejects = run_import(services, bundle, photo_limits=PoolLimits(2, 2048 * MIB, 0.001))
    assert (summary.created, summary.rejected_photos) == (4, 4)
    assert [r["reference"] for r in rejects] == ["R0", "R1", "R2", "R3"]
    assert all("longer than the 0.001 s limit" in r["reasons"][0] for r in rejects)


def test_photos_keep_their_lines_and_a_reimport_decodes_nothing(
    services: Services, tmp_path: Path
) -> None:
    photos = ordinary_photos()
    files = list(photos)
    lines = [
        minimal_record(f"R{i}", photos=[{"file": f, "kind": "face"} for f in files[i:] + files[:i]])
        for i in range(len(files))
    ]
    bundle = write_bundle(tmp_path / "bundle", lines, photos)
    run_import(services, bundle)
    a = tables.photo_analyses
    with services.engine.connect() as connection:
        first = dict(connection.execute(select(a.c.sha256, a.c.analysed_at)).all())
        by_file: dict[str, set[str | None]] = {}
        for i in range(len(files)):
            record = get_record(connection, f"R{i}")
            assert [p.file for p in record.photos] == files[i:] + files[:i]
            for photo in record.photos:
                by_file.setdefault(photo.file, set()).add(photo.sha256)
    assert len(first) == 4 and all(len(shas) == 1 for shas in by_file.values())
    summary, rejects = run_import(services, bundle)
    assert (summary.unchanged, rejects) == (4, [])
    with services.engine.connect() as connection:
        again = dict(connection.execute(select(a.c.sha256, a.c.analysed_at)).all())
    assert again == first  # not one photo analysed a second time
