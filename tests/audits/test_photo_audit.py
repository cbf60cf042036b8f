"""`audit_photos` over a real register (SQLite and PostgreSQL) holding real photographs: the
flags each photo and nominal earns, the agency filter, and the report and CSV made of it."""

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

from audits.photo_audit import PhotoAudit, audit_photos
from audits.policy import AuditPolicy
from audits.report_html import photo_report_html
from audits.tabular import write_photo_csv
from imaging.analysis import THUMBNAIL
from register import store
from tests.audits.audit_corpus import gaussian_blur, mugshots, scene_photos
from tests.conftest import minimal_record, run_import, write_bundle
from tests.imaging.photo_corpus import encode
from visor.services import Services

AS_OF = dt.date(2026, 11, 30)


def _photo(file: str, taken_on: str | None = "2026-06-01", kind: str = "face") -> dict[str, Any]:
    photo: dict[str, Any] = {"file": file, "kind": kind}
    if taken_on:
        photo["taken_on"] = taken_on
    return photo


@pytest.fixture
def audited(services: Services, tmp_path: Path) -> PhotoAudit:
    grace = mugshots()["matplotlib/grace_hopper.jpg#mugshot"]
    astronaut = mugshots()["skimage/astronaut.png#mugshot"]
    files = {
        "photos/grace.jpg": encode(grace),
        "photos/grace-blurred.jpg": encode(gaussian_blur(grace, 3)),
        "photos/astronaut.jpg": encode(astronaut),
        "photos/coffee.jpg": encode(scene_photos()["skimage/coffee.png"]),
    }
    lines = [
        minimal_record("GOOD/1", managing_agency="GMP", photos=[_photo("photos/astronaut.jpg")]),
        minimal_record(
            "BLUR/1", managing_agency="GMP", photos=[_photo("photos/grace-blurred.jpg")]
        ),
        minimal_record(
            "OLD/1", managing_agency="MPS", photos=[_photo("photos/grace.jpg", "2024-01-15")]
        ),
        minimal_record(
            "UNDATED/1", managing_agency="MPS", photos=[_photo("photos/grace.jpg", None)]
        ),
        minimal_record("NONE/1", managing_agency="MPS"),
        minimal_record(
            "MARKONLY/1",
            managing_agency="MPS",
            photos=[_photo("photos/coffee.jpg", kind="mark")],
        ),
    ]
    summary, rejects = run_import(services, write_bundle(tmp_path / "bundle", lines, files))
    assert rejects == [] and summary.created == len(lines)
    with services.engine.connect() as connection:
        return audit_photos(connection, AuditPolicy(), AS_OF)


def _flags(audit: PhotoAudit, reference: str) -> set[str]:
    codes = {f.code for p in audit.photos if p.reference == reference for f in p.flags}
    return codes | {f.code for n in audit.nominals if n.reference == reference for f in n.flags}


def test_each_photo_and_nominal_gets_the_flags_it_deserves(audited: PhotoAudit) -> None:
    assert _flags(audited, "GOOD/1") == set()
    # Blurred, and a near-duplicate of Grace Hopper's photo on OLD/1 and UNDATED/1.
    assert _flags(audited, "BLUR/1") == {"blurry", "duplicate"}
    assert _flags(audited, "OLD/1") == {"stale", "duplicate"}
    assert _flags(audited, "UNDATED/1") == {"stale", "duplicate"}
    assert _flags(audited, "NONE/1") == {"no_face_photo"}
    # A mark photo is not judged as a face photo, and is no face photo for the nominal.
    assert _flags(audited, "MARKONLY/1") == {"no_face_photo"}
    old = next(n for n in audited.nominals if n.reference == "OLD/1")
    assert "2024-01-15" in old.flags[0].detail and "34 months" in old.flags[0].detail
    blurry = next(f for p in audited.photos if p.reference == "BLUR/1" for f in p.flags)
    assert blurry.severity == "high" and blurry.action
    same_file = [
        f.detail
        for p in audited.photos
        if p.reference == "OLD/1"
        for f in p.flags
        if f.code == "duplicate"
    ]
    assert any("the same file is filed on UNDATED/1" in d for d in same_file)


def test_summary_counts_per_flag_and_agency(audited: PhotoAudit) -> None:
    s = audited.summary
    assert (s.nominals, s.photos, s.face_photos) == (6, 5, 4)
    assert s.by_flag["no_face_photo"] == 2 and s.by_flag["stale"] == 2
    assert s.by_agency["GMP"].photos_flagged == 1 and s.by_agency["MPS"].nominals == 4
    assert s.photos_not_analysed == 0 and s.photos_measured_before_audit == 0
    # Most severe first.
    order = {"high": 0, "medium": 1, "low": 2}
    keys = [min(order[f.severity] for f in p.flags) for p in audited.photos]
    assert keys == sorted(keys)


def test_the_agency_filter_keeps_its_own_nominals_but_finds_copies_anywhere(
    services: Services, audited: PhotoAudit
) -> None:
    with services.engine.connect() as connection:
        gmp = audit_photos(connection, AuditPolicy(), AS_OF, agency="GMP")
    assert {p.reference for p in gmp.photos} | {n.reference for n in gmp.nominals} == {"BLUR/1"}
    assert gmp.summary.nominals == 2 and list(gmp.summary.by_agency) == ["GMP"]
    details = [f.detail for p in gmp.photos for f in p.flags if f.code == "duplicate"]
    assert any("OLD/1" in d for d in details)  # managed by MPS


def test_the_policy_age_and_archived_nominals(services: Services, audited: PhotoAudit) -> None:
    with services.engine.connect() as connection:
        lenient = audit_photos(connection, AuditPolicy(photo_max_age_months=48), AS_OF)
    assert "stale" not in _flags(lenient, "OLD/1")
    with services.engine.begin() as connection:
        store.set_status(connection, "NONE/1", "archived", "test", "deceased")
    with services.engine.connect() as connection:
        after = audit_photos(connection, AuditPolicy(), AS_OF)
    assert after.summary.nominals == 5 and "NONE/1" not in {n.reference for n in after.nominals}


def test_the_json_has_the_documented_shape(audited: PhotoAudit) -> None:
    data = json.loads(audited.model_dump_json())
    assert set(data) == {"as_of", "agency", "policy", "photos", "nominals", "summary"}
    photo = data["photos"][0]
    assert {"reference", "photo_sha256", "kind", "flags"} <= set(photo)
    assert set(photo["flags"][0]) == {"code", "severity", "detail", "action"}


def test_the_csv_has_a_row_per_flag(audited: PhotoAudit) -> None:
    out = io.StringIO()
    write_photo_csv(audited, out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    flags = sum(len(p.flags) for p in audited.photos) + sum(len(n.flags) for n in audited.nominals)
    assert len(rows) == flags
    assert {r["code"] for r in rows if r["reference"] == "BLUR/1"} == {"blurry", "duplicate"}


def test_the_report_stands_alone_and_holds_what_it_should(
    services: Services, audited: PhotoAudit
) -> None:
    def thumbnail(sha256: str) -> bytes | None:
        path = services.blob_store.derivative_path(sha256, THUMBNAIL)
        return path.read_bytes() if path.is_file() else None

    page = photo_report_html(audited, thumbnail)
    assert_self_contained(page)
    assert page.count("<svg") >= 2  # photo age and sharpness
    assert "threshold 75" in page and "policy: 12 months" in page
    assert page.count('src="data:image/jpeg;base64,') == len(audited.photos)
    for reference in ("BLUR/1", "OLD/1", "NONE/1"):
        assert reference in page
    assert "@media print" in page and "size: A4" in page
    # Work lists per managing agency, the most severe first.
    assert page.index(">GMP: ") < page.index(">MPS: ")
    mps = page[page.index(">MPS: ") :]
    assert mps.index("NONE/1") < mps.index("OLD/1")  # no face photo (high) before stale


def assert_self_contained(page: str) -> None:
    """Nothing in the page is fetched when it is opened."""
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, re.I)
    assert "@import" not in page and "url(http" not in page.replace(" ", "")
    assert not re.search(r"<(?:script|link|iframe|object|embed)\b", page, re.I)
