"""Counts that describe a register at a glance."""

from pydantic import BaseModel
from sqlalchemy import Connection, Table, func, select

from register import tables


class RegisterStatistics(BaseModel):
    nominals: int
    live: int
    archived: int
    names: int
    marks: int
    photos: int
    versions: int
    outbox_events: int


def register_statistics(connection: Connection) -> RegisterStatistics:
    def count(table: Table) -> int:
        return connection.scalar(select(func.count()).select_from(table)) or 0

    status_counts = connection.execute(
        select(tables.nominals.c.status, func.count()).group_by(tables.nominals.c.status)
    )
    by_status = {status: number for status, number in status_counts}
    return RegisterStatistics(
        nominals=count(tables.nominals),
        live=by_status.get("live", 0),
        archived=by_status.get("archived", 0),
        names=count(tables.names),
        marks=count(tables.marks),
        photos=count(tables.photos),
        versions=count(tables.nominal_versions),
        outbox_events=count(tables.outbox),
    )
