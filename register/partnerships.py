"""Partnership and transfer of management, the register's own workflow.

Another agency asks to become a partner of a nominal; a supervisor of the managing agency
grants or refuses it, and may revoke it later. Management moves when the offender moves
area: a supervisor of the managing agency asks, one of the receiving agency accepts. Each
decision changes the record's `partner_agencies` or `managing_agency` as a versioned change,
with its audit entry, in one transaction.
"""

from dataclasses import dataclass

from sqlalchemy import Connection, insert, or_, select, update

from foundation.errors import Conflict, NotFound
from register import store, tables
from register.audit import AuditEvent, Auditor
from register.changes import change_event
from register.model import NominalRecord
from register.permissions import (
    authorize_accept_transfer,
    authorize_decide_partnership,
    authorize_request_partnership,
    authorize_request_transfer,
)
from register.store import Incoming, now

PARTNERSHIP, TRANSFER = "partnership", "transfer"


@dataclass(frozen=True)
class Request:
    id: int
    reference: str
    agency: str
    kind: str
    state: str
    requested_by: str


def _request(connection: Connection, request_id: int) -> Request:
    p = tables.partnership_requests
    row = connection.execute(select(p).where(p.c.id == request_id)).one_or_none()
    if row is None:
        raise NotFound(f"no request {request_id}")
    return Request(row.id, row.reference, row.agency, row.kind, row.state, row.requested_by)


def _open(
    connection: Connection,
    auditor: Auditor,
    reference: str,
    agency: str,
    kind: str,
    reason: str | None,
) -> Request:
    p = tables.partnership_requests
    pending = connection.scalar(
        select(p.c.id).where(
            p.c.reference == reference,
            p.c.agency == agency,
            p.c.kind == kind,
            p.c.state == "pending",
        )
    )
    if pending is not None:
        raise Conflict(f"a {kind} request for {reference} and {agency} is already pending")
    request_id = connection.execute(
        insert(p).returning(p.c.id),
        {
            "reference": reference,
            "agency": agency,
            "kind": kind,
            "state": "pending",
            "requested_by": auditor.principal.username,
            "requested_at": now(),
            "reason": reason,
        },
    ).scalar_one()
    auditor.record(
        connection,
        AuditEvent(
            f"{kind}.request",
            target=reference,
            references=[reference],
            details={"agency": agency, "request": request_id, "reason": reason},
        ),
    )
    return _request(connection, request_id)


def request_partnership(
    connection: Connection, auditor: Auditor, reference: str, reason: str | None = None
) -> Request:
    record = store.get_record(connection, reference)
    authorize_request_partnership(auditor.principal, record)
    agency = auditor.principal.agency
    if agency is None:
        raise Conflict("a partnership is asked for by an agency: the operator has none")
    return _open(connection, auditor, reference, agency, PARTNERSHIP, reason)


def request_transfer(
    connection: Connection,
    auditor: Auditor,
    reference: str,
    to_agency: str,
    reason: str | None = None,
) -> Request:
    record = store.get_record(connection, reference)
    authorize_request_transfer(auditor.principal, record)
    if to_agency == record.managing_agency:
        raise Conflict(f"{to_agency} already manages {reference}")
    return _open(connection, auditor, reference, to_agency, TRANSFER, reason)


def _write(
    connection: Connection,
    auditor: Auditor,
    record: NominalRecord,
    request: Request,
    decision: str,
) -> None:
    written = store.write_records(
        connection,
        [Incoming(record)],
        actor=auditor.principal.username,
        reason=f"{request.kind} {decision}",
    )
    auditor.record(connection, change_event(written[0], request=request.id, decision=decision))


def _decide(connection: Connection, request: Request, auditor: Auditor, state: str) -> None:
    p = tables.partnership_requests
    connection.execute(
        update(p)
        .where(p.c.id == request.id)
        .values(state=state, decided_by=auditor.principal.username, decided_at=now())
    )


def decide_partnership(
    connection: Connection, auditor: Auditor, request_id: int, grant: bool
) -> Request:
    request = _request(connection, request_id)
    if request.kind != PARTNERSHIP or request.state != "pending":
        raise Conflict(f"request {request_id} is not a pending partnership request")
    record = store.get_record(connection, request.reference)
    authorize_decide_partnership(auditor.principal, record)
    _decide(connection, request, auditor, "granted" if grant else "refused")
    if grant:
        partners = sorted({*record.partner_agencies, request.agency})
        _write(
            connection,
            auditor,
            record.model_copy(update={"partner_agencies": partners}),
            request,
            "granted",
        )
    else:
        auditor.record(
            connection,
            AuditEvent(
                "partnership.refuse",
                target=request.reference,
                references=[request.reference],
                details={"agency": request.agency, "request": request.id},
            ),
        )
    return _request(connection, request_id)


def revoke_partnership(
    connection: Connection, auditor: Auditor, reference: str, agency: str
) -> None:
    record = store.get_record(connection, reference)
    authorize_decide_partnership(auditor.principal, record)
    if agency not in record.partner_agencies:
        raise Conflict(f"{agency} is not a partner of {reference}")
    p = tables.partnership_requests
    connection.execute(
        update(p)
        .where(
            p.c.reference == reference,
            p.c.agency == agency,
            p.c.kind == PARTNERSHIP,
            p.c.state == "granted",
        )
        .values(state="revoked", decided_by=auditor.principal.username, decided_at=now())
    )
    partners = [a for a in record.partner_agencies if a != agency]
    written = store.write_records(
        connection,
        [Incoming(record.model_copy(update={"partner_agencies": partners}))],
        actor=auditor.principal.username,
        reason=f"partnership of {agency} revoked",
    )
    auditor.record(connection, change_event(written[0], decision="revoked", agency=agency))


def accept_transfer(connection: Connection, auditor: Auditor, request_id: int) -> Request:
    request = _request(connection, request_id)
    if request.kind != TRANSFER or request.state != "pending":
        raise Conflict(f"request {request_id} is not a pending transfer request")
    authorize_accept_transfer(auditor.principal, request.agency)
    record = store.get_record(connection, request.reference)
    _decide(connection, request, auditor, "accepted")
    # The agency that managed it stays a partner, so that it can hand over.
    partners = sorted(
        {*record.partner_agencies, *([record.managing_agency] if record.managing_agency else [])}
        - {request.agency}
    )
    moved = record.model_copy(
        update={"managing_agency": request.agency, "partner_agencies": partners}
    )
    _write(connection, auditor, moved, request, "accepted")
    return _request(connection, request_id)


def requests_for_agency(connection: Connection, agency: str) -> tuple[list[Request], list[Request]]:
    """(in, out): open and past requests on nominals `agency` manages or transfers to it,
    and those `agency` made. Listing them is no disclosure beyond the references."""
    p, n = tables.partnership_requests, tables.nominals
    managed = select(n.c.reference).where(n.c.managing_agency == agency)
    rows = connection.execute(
        select(p, p.c.reference.in_(managed).label("ours"))
        .where(or_(p.c.agency == agency, p.c.reference.in_(managed)))
        .order_by(p.c.id.desc())
    ).all()
    incoming: list[Request] = []
    outgoing: list[Request] = []
    for row in rows:
        request = Request(row.id, row.reference, row.agency, row.kind, row.state, row.requested_by)
        # A transfer's `agency` is the receiving one: it comes in to them.
        asked_of_us = (row.ours and row.kind == PARTNERSHIP) or (
            row.kind == TRANSFER and row.agency == agency
        )
        (incoming if asked_of_us else outgoing).append(request)
    return incoming, outgoing
