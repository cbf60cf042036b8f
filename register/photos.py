"""The register's side of the photo library: which contents are analysed, storing analyses,
and reading photo hashes out for the search index."""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, Select, delete, insert, select

from imaging.analysis import ANALYSIS_VERSION, HASHES_SINCE_VERSION, PhotoAnalysis
from imaging.hashes import to_signed, to_unsigned
from register import tables
from register.store import now, write_outbox


def store_analyses(connection: Connection, analyses: Iterable[PhotoAnalysis]) -> None:
    """Insert or replace the analyses of these contents (their blobs must be stored)."""
    chosen: dict[str, PhotoAnalysis] = {}
    for analysis in analyses:
        # The same content twice in one batch (a face photo here, a mark photo there): keep
        # the analysis that looked for faces.
        if analysis.sha256 not in chosen or analysis.quality.faces is not None:
            chosen[analysis.sha256] = analysis
    rows = []
    for analysis in chosen.values():
        faces = analysis.quality.faces
        rows.append(
            {
                "sha256": analysis.sha256,
                "width": analysis.width,
                "height": analysis.height,
                "phash": to_signed(analysis.phash),
                "dhash": to_signed(analysis.dhash),
                "phash_mirror": to_signed(analysis.phash_mirror),
                "dhash_mirror": to_signed(analysis.dhash_mirror),
                "sharpness": analysis.quality.sharpness,
                "brightness": analysis.quality.brightness,
                "contrast": analysis.quality.contrast,
                "clipped_shadows": analysis.quality.clipped_shadows,
                "clipped_highlights": analysis.quality.clipped_highlights,
                "sharpness_least_direction": analysis.quality.sharpness_least_direction,
                "shadow_level": analysis.quality.shadow_level,
                "highlight_level": analysis.quality.highlight_level,
                "face_count": faces.count if faces else None,
                "face_area_share": faces.largest_area_share if faces else None,
                "face_centre_x": faces.largest_centre_x if faces else None,
                "face_centre_y": faces.largest_centre_y if faces else None,
                "analysis_version": analysis.analysis_version,
                "analysed_at": now(),
            }
        )
    if not rows:
        return
    a = tables.photo_analyses
    contents = [row["sha256"] for row in rows]
    replaced = list(connection.scalars(select(a.c.sha256).where(a.c.sha256.in_(contents))))
    connection.execute(delete(a).where(a.c.sha256.in_(contents)))
    connection.execute(insert(a), rows)
    if replaced:
        _announce_new_hashes(connection, replaced)


def _announce_new_hashes(connection: Connection, contents: list[str]) -> None:
    """A re-analysed photo (a new analysis version) may have new hashes; every nominal that
    holds it gets an outbox row, at its current version, so the search index picks them up
    although no record changed."""
    p, n = tables.photos, tables.nominals
    holders = connection.execute(
        select(n.c.id, n.c.reference, n.c.version)
        .where(n.c.id.in_(select(p.c.nominal_id).where(p.c.sha256.in_(contents))))
        .order_by(n.c.id)
    )
    write_outbox(connection, [tuple(row) for row in holders], "photos", now())


@dataclass(frozen=True)
class PhotoHashRow:
    reference: str
    status: str
    sha256: str
    kind: str
    contrast: float
    phash: int
    dhash: int
    phash_mirror: int
    dhash_mirror: int


def photo_hash_query(nominal_ids: Sequence[int] | None = None) -> Select[Any]:
    """Photos held by nominals (all, or these) with their hashes, in nominal order."""
    p, a, n = tables.photos, tables.photo_analyses, tables.nominals
    query = (
        select(
            n.c.id,
            n.c.reference,
            n.c.status,
            p.c.sha256,
            p.c.kind,
            a.c.contrast,
            a.c.phash,
            a.c.dhash,
            a.c.phash_mirror,
            a.c.dhash_mirror,
        )
        .join(p, p.c.nominal_id == n.c.id)
        .join(a, a.c.sha256 == p.c.sha256)
        # Hashes of another analysis version are not comparable with today's.
        .where(a.c.analysis_version.between(HASHES_SINCE_VERSION, ANALYSIS_VERSION))
        .order_by(n.c.id, p.c.position)
    )
    if nominal_ids is not None:
        query = query.where(n.c.id.in_(list(nominal_ids)))
    return query


def photo_hash_row(row: Row[Any]) -> PhotoHashRow:
    return PhotoHashRow(
        row.reference,
        row.status,
        row.sha256,
        row.kind,
        row.contrast,
        to_unsigned(row.phash),
        to_unsigned(row.dhash),
        to_unsigned(row.phash_mirror),
        to_unsigned(row.dhash_mirror),
    )


def iter_photo_hashes(connection: Connection) -> Iterator[PhotoHashRow]:
    """Every photo held by a nominal, with its hashes (unsigned), in nominal order."""
    for row in connection.execute(photo_hash_query()):
        yield photo_hash_row(row)
