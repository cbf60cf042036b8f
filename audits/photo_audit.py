"""`visor audit photos`: every photo's quality flags and every nominal's photo flags, read
from the register's stored metrics (nothing is decoded again), with counts per agency and
per flag. Free of CLI and HTTP concerns: the API serves the same answer."""

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

import numpy as np
from pydantic import BaseModel, Field
from sqlalchemy import Connection, select

from audits.duplicates import HashColumns, near_pairs
from audits.findings import Flag, flag, worst
from audits.photo_rules import PhotoMeasurements, face_photo_flags, photo_flags
from audits.policy import AuditPolicy, threshold
from imaging.analysis import ANALYSIS_VERSION
from imaging.hashes import to_unsigned
from register import tables


class PhotoFinding(BaseModel):
    reference: str
    managing_agency: str | None
    photo_sha256: str
    kind: str
    taken_on: dt.date | None
    flags: list[Flag]


class NominalFinding(BaseModel):
    reference: str
    managing_agency: str | None
    flags: list[Flag]


class PhotoPoint(BaseModel):
    """One photo's place on the report's charts."""

    kind: str
    sharpness: float | None
    age_days: int | None
    flagged: bool


class AgencyCounts(BaseModel):
    nominals: int = 0
    photos: int = 0
    photos_flagged: int = 0
    nominals_flagged: int = 0
    flags: dict[str, int] = {}


class PhotoAuditSummary(BaseModel):
    nominals: int
    photos: int
    face_photos: int
    photos_flagged: int
    nominals_flagged: int
    # Photos with no analysis of the current version (not measured, so not judged), and
    # photos measured before the audit's metrics existed (judged on the metrics they have).
    photos_not_analysed: int
    photos_measured_before_audit: int
    by_flag: dict[str, int]
    by_agency: dict[str, AgencyCounts]


class PhotoAudit(BaseModel):
    as_of: dt.date
    agency: str | None
    policy: dict[str, Any]
    photos: list[PhotoFinding]  # flagged photos, most severe first
    nominals: list[NominalFinding]  # flagged nominals, most severe first
    summary: PhotoAuditSummary
    points: list[PhotoPoint] = Field(default=[], exclude=True)  # for charts, not the JSON


def _photo_rows(connection: Connection, include_archived: bool) -> list[dict[str, Any]]:
    n, p, a = tables.nominals, tables.photos, tables.photo_analyses
    query = (
        select(
            n.c.id.label("nominal_id"),
            n.c.reference,
            n.c.managing_agency,
            p.c.kind,
            p.c.taken_on,
            p.c.sha256,
            a.c.analysis_version,
            *[a.c[name] for name in _METRIC_COLUMNS],
            a.c.phash,
            a.c.dhash,
            a.c.phash_mirror,
            a.c.dhash_mirror,
        )
        .join(p, p.c.nominal_id == n.c.id)
        .outerjoin(a, a.c.sha256 == p.c.sha256)
        .order_by(n.c.id, p.c.position)
    )
    if not include_archived:
        query = query.where(n.c.status == "live")
    return [dict(row) for row in connection.execute(query).mappings()]


_METRIC_COLUMNS = (
    "width",
    "height",
    "sharpness",
    "brightness",
    "clipped_highlights",
    "sharpness_least_direction",
    "shadow_level",
    "highlight_level",
    "face_count",
    "face_area_share",
    "face_centre_x",
    "face_centre_y",
)


def _nominals(
    connection: Connection, include_archived: bool, agency: str | None
) -> list[tuple[int, str, str | None]]:
    n = tables.nominals
    query = select(n.c.id, n.c.reference, n.c.managing_agency).order_by(n.c.id)
    if not include_archived:
        query = query.where(n.c.status == "live")
    if agency is not None:
        query = query.where(n.c.managing_agency == agency)
    return [(row.id, row.reference, row.managing_agency) for row in connection.execute(query)]


def _duplicate_flags(rows: list[dict[str, Any]]) -> dict[int, list[Flag]]:
    """Row index -> a `duplicate` flag for each photo on another nominal within the radius."""
    hashed = [i for i, row in enumerate(rows) if _analysed(row)]
    if len(hashed) < 2:
        return {}

    def column(name: str) -> np.ndarray:
        return np.array([to_unsigned(rows[i][name]) for i in hashed], dtype=np.uint64)

    columns = HashColumns(
        column("phash"),
        column("dhash"),
        column("phash_mirror"),
        column("dhash_mirror"),
        np.array([rows[i]["nominal_id"] for i in hashed], dtype=np.int64),
    )
    radius = int(threshold("duplicate", "combined_distance_at_most"))
    flags: dict[int, list[Flag]] = defaultdict(list)
    for i, j, distance in near_pairs(columns, radius):
        a, b = hashed[i], hashed[j]
        for mine, other in ((a, b), (b, a)):
            same = rows[mine]["sha256"] == rows[other]["sha256"]
            how = "the same file" if same else f"a near-duplicate ({distance} of 128 bits apart)"
            flags[mine].append(
                flag(
                    "duplicate",
                    f"{how} is filed on {rows[other]['reference']} "
                    f"({rows[other]['kind']} photo {rows[other]['sha256'][:12]})",
                )
            )
    return flags


def _analysed(row: dict[str, Any]) -> bool:
    return bool(row["analysis_version"] == ANALYSIS_VERSION)


def audit_photos(
    connection: Connection,
    policy: AuditPolicy,
    as_of: dt.date,
    agency: str | None = None,
    include_archived: bool = False,
) -> PhotoAudit:
    """The photo audit of the nominals `agency` manages (every agency's when None).
    Duplicates are looked for across the whole register: a copy filed by another agency is
    the one most likely to be missed."""
    rows = _photo_rows(connection, include_archived)
    duplicates = _duplicate_flags(rows)
    nominals = _nominals(connection, include_archived, agency)
    wanted = {nominal_id for nominal_id, _r, _a in nominals}
    by_agency: dict[str, AgencyCounts] = defaultdict(AgencyCounts)
    by_flag: Counter[str] = Counter()
    photos: list[PhotoFinding] = []
    points: list[PhotoPoint] = []
    newest_face: dict[int, dt.date | None] = {}
    has_face: set[int] = set()
    not_analysed = before_audit = face_photos = 0
    for index, row in enumerate(rows):
        if row["nominal_id"] not in wanted:
            continue
        counts = by_agency[row["managing_agency"] or "(none)"]
        counts.photos += 1
        if row["kind"] == "face":
            face_photos += 1
            has_face.add(row["nominal_id"])
            taken: dt.date | None = row["taken_on"]
            best = newest_face.get(row["nominal_id"])
            if taken is not None and (best is None or taken > best):
                newest_face[row["nominal_id"]] = taken
            else:
                newest_face.setdefault(row["nominal_id"], None)
        flags: list[Flag] = []
        measurements = None
        if _analysed(row):
            measurements = PhotoMeasurements.from_row(row)
            before_audit += not measurements.measured_for_audit
            flags = photo_flags(measurements, row["kind"])
        else:
            not_analysed += 1
        flags += duplicates.get(index, [])
        age = (as_of - row["taken_on"]).days if row["taken_on"] else None
        points.append(
            PhotoPoint(
                kind=row["kind"],
                sharpness=measurements.sharpness if measurements else None,
                age_days=age,
                flagged=bool(flags),
            )
        )
        if flags:
            counts.photos_flagged += 1
            for f in flags:
                by_flag[f.code] += 1
                counts.flags[f.code] = counts.flags.get(f.code, 0) + 1
            photos.append(
                PhotoFinding(
                    reference=row["reference"],
                    managing_agency=row["managing_agency"],
                    photo_sha256=row["sha256"],
                    kind=row["kind"],
                    taken_on=row["taken_on"],
                    flags=flags,
                )
            )
    findings: list[NominalFinding] = []
    for nominal_id, reference, managing in nominals:
        counts = by_agency[managing or "(none)"]
        counts.nominals += 1
        flags = face_photo_flags(nominal_id in has_face, newest_face.get(nominal_id), policy, as_of)
        if flags:
            counts.nominals_flagged += 1
            for f in flags:
                by_flag[f.code] += 1
                counts.flags[f.code] = counts.flags.get(f.code, 0) + 1
            findings.append(
                NominalFinding(reference=reference, managing_agency=managing, flags=flags)
            )
    photos.sort(key=lambda f: (worst(f.flags), -len(f.flags), f.reference))
    findings.sort(key=lambda f: (worst(f.flags), f.reference))
    summary = PhotoAuditSummary(
        nominals=len(nominals),
        photos=len(points),
        face_photos=face_photos,
        photos_flagged=len(photos),
        nominals_flagged=len(findings),
        photos_not_analysed=not_analysed,
        photos_measured_before_audit=before_audit,
        by_flag=dict(sorted(by_flag.items())),
        by_agency=dict(sorted(by_agency.items())),
    )
    return PhotoAudit(
        as_of=as_of,
        agency=agency,
        policy=policy.as_dict(),
        photos=photos,
        nominals=findings,
        summary=summary,
        points=points,
    )
