"""The quality flags of given photos, from their stored analyses: what the record page
shows beside each photo, by the photo audit's own rules (audits/photo_rules.py)."""

from collections.abc import Iterable

from sqlalchemy import Connection, select

from audits.findings import Flag
from audits.photo_rules import PhotoMeasurements, photo_flags
from register import tables


def photo_verdicts(
    connection: Connection, photos: Iterable[tuple[str, str]]
) -> dict[str, list[Flag] | None]:
    """(sha256, kind) -> its flags; None for a photo not analysed yet."""
    wanted = dict(photos)
    a = tables.photo_analyses
    rows = connection.execute(select(a).where(a.c.sha256.in_(sorted(wanted)))).mappings()
    found: dict[str, list[Flag] | None] = {sha: None for sha in wanted}
    for row in rows:
        found[row["sha256"]] = photo_flags(
            PhotoMeasurements.from_row(dict(row)), wanted[row["sha256"]]
        )
    return found
