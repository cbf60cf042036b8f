"""`visor audit compliance`: MAPPA reviews overdue by level, records without a current face
photo, records missing height, date of birth, marks or MO, wanted/missing nominals, partner
agencies that have not contributed, and counts per managing agency. Live nominals only."""

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection, func, select

from audits.findings import Flag, flag, worst
from audits.photo_rules import face_photo_flags
from audits.policy import AuditPolicy, Severity
from register import tables
from register.activity import ACTIVITY_ADDED
from register.changes import VERSION_ACTIONS
from register.documents import DOCUMENT_ADDED

_REVIEW_SEVERITY: dict[int, Severity] = {3: "high", 2: "medium", 1: "low"}


class RecordFinding(BaseModel):
    reference: str
    managing_agency: str | None
    mappa_level: int | None
    flags: list[Flag]


class AgencyCompliance(BaseModel):
    agency: str
    nominals: int = 0
    mappa_level_3: int = 0
    mappa_level_2: int = 0
    reviews_audited: int = 0
    reviews_overdue: int = 0
    never_reviewed: int = 0
    flags: dict[str, int] = {}
    # As a partner: records it may contribute to, and those it has written to.
    partner_records: int = 0
    partner_contributed: int = 0


class ComplianceAudit(BaseModel):
    as_of: dt.date
    agency: str | None
    policy: dict[str, Any]
    records: list[RecordFinding]  # flagged records, most severe first
    agencies: list[AgencyCompliance]
    summary: dict[str, Any]


def _child_counts(connection: Connection, table: Any) -> dict[int, int]:
    rows = connection.execute(select(table.c.nominal_id, func.count()).group_by(table.c.nominal_id))
    return {nominal_id: count for nominal_id, count in rows}


# The audited actions that add to or change a record: a partner agency "contributes" when a
# user of it did one of these (reads, searches and views do not count).
CONTRIBUTIONS = (*VERSION_ACTIONS, ACTIVITY_ADDED, DOCUMENT_ADDED)


def _contributing_agencies(connection: Connection) -> dict[str, set[str]]:
    """Reference -> the agencies whose users changed it, from the audit trail: the agency an
    entry records is the actor's at the time, checked at sign-in, not read from a name."""
    e, r = tables.audit_entries, tables.audit_references
    rows = connection.execute(
        select(r.c.reference, e.c.agency)
        .join(e, e.c.seq == r.c.seq)
        .where(e.c.action.in_(CONTRIBUTIONS), e.c.agency.is_not(None), e.c.outcome == "ok")
        .distinct()
    )
    contributed: dict[str, set[str]] = defaultdict(set)
    for reference, agency in rows:
        contributed[reference].add(agency)
    return contributed


def audit_compliance(
    connection: Connection, policy: AuditPolicy, as_of: dt.date, agency: str | None = None
) -> ComplianceAudit:
    n = tables.nominals
    query = (
        select(
            n.c.id,
            n.c.reference,
            n.c.managing_agency,
            n.c.mappa_level,
            n.c.last_reviewed,
            n.c.height_cm,
            n.c.wanted_missing,
        )
        .where(n.c.status == "live")
        .order_by(n.c.id)
    )
    if agency is not None:
        query = query.where(n.c.managing_agency == agency)
    nominals = list(connection.execute(query))
    births = _child_counts(connection, tables.dates_of_birth)
    marks = _child_counts(connection, tables.marks)
    methods = _child_counts(connection, tables.modus_operandi)
    p = tables.photos
    newest_face: dict[int, dt.date | None] = {}
    for nominal_id, taken in connection.execute(
        select(p.c.nominal_id, func.max(p.c.taken_on))
        .where(p.c.kind == "face")
        .group_by(p.c.nominal_id)
    ):
        newest_face[nominal_id] = taken
    partners: dict[int, list[str]] = defaultdict(list)
    pa = tables.partner_agencies
    for nominal_id, partner in connection.execute(
        select(pa.c.nominal_id, pa.c.agency).order_by(pa.c.nominal_id, pa.c.position)
    ):
        partners[nominal_id].append(partner)
    written_by = _contributing_agencies(connection)

    agencies: dict[str, AgencyCompliance] = {}

    def counts_for(code: str | None) -> AgencyCompliance:
        key = code or "(none)"
        return agencies.setdefault(key, AgencyCompliance(agency=key))

    records: list[RecordFinding] = []
    by_flag: Counter[str] = Counter()
    for row in nominals:
        counts = counts_for(row.managing_agency)
        counts.nominals += 1
        counts.mappa_level_3 += row.mappa_level == 3
        counts.mappa_level_2 += row.mappa_level == 2
        flags: list[Flag] = []
        weeks = policy.review_weeks.get(row.mappa_level) if row.mappa_level else None
        if weeks is not None:
            counts.reviews_audited += 1
            due = (row.last_reviewed + dt.timedelta(weeks=weeks)) if row.last_reviewed else None
            severity = _REVIEW_SEVERITY[row.mappa_level]
            if due is None:
                counts.never_reviewed += 1
                counts.reviews_overdue += 1
                flags.append(
                    flag(
                        "review_overdue",
                        f"MAPPA level {row.mappa_level}: no review recorded "
                        f"(due every {weeks} weeks)",
                        severity,
                    )
                )
            elif due < as_of:
                counts.reviews_overdue += 1
                flags.append(
                    flag(
                        "review_overdue",
                        f"MAPPA level {row.mappa_level}: last reviewed "
                        f"{row.last_reviewed.isoformat()}, due by {due.isoformat()} "
                        f"({(as_of - due).days} days overdue; every {weeks} weeks)",
                        severity,
                    )
                )
        flags += face_photo_flags(row.id in newest_face, newest_face.get(row.id), policy, as_of)
        if row.height_cm is None:
            flags.append(flag("missing_height", "no height recorded"))
        if not births.get(row.id):
            flags.append(flag("missing_date_of_birth", "no date of birth recorded"))
        if not marks.get(row.id):
            flags.append(flag("missing_marks", "no scars, marks or tattoos recorded"))
        if not methods.get(row.id):
            flags.append(flag("missing_mo", "no modus operandi recorded"))
        if row.wanted_missing:
            flags.append(flag("wanted_missing", "marked wanted or missing"))
        for partner in partners.get(row.id, []):
            partner_counts = counts_for(partner)
            partner_counts.partner_records += 1
            partner_counts.partner_contributed += partner in written_by[row.reference]
        for f in flags:
            by_flag[f.code] += 1
            counts.flags[f.code] = counts.flags.get(f.code, 0) + 1
        if flags:
            records.append(
                RecordFinding(
                    reference=row.reference,
                    managing_agency=row.managing_agency,
                    mappa_level=row.mappa_level,
                    flags=flags,
                )
            )
    records.sort(key=lambda r: (worst(r.flags), r.reference))
    listed = sorted(agencies.values(), key=lambda a: a.agency)
    summary = {
        "nominals": len(nominals),
        "records_flagged": len(records),
        "reviews_audited": sum(a.reviews_audited for a in listed),
        "reviews_overdue": sum(a.reviews_overdue for a in listed),
        "never_reviewed": sum(a.never_reviewed for a in listed),
        "by_flag": dict(sorted(by_flag.items())),
        # Partners of at least one record who have written to none of them.
        "partners_not_contributed": [
            a.agency for a in listed if a.partner_records and not a.partner_contributed
        ],
    }
    return ComplianceAudit(
        as_of=as_of,
        agency=agency,
        policy=policy.as_dict(),
        records=records,
        agencies=listed,
        summary=summary,
    )
