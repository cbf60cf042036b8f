"""The audit trail for auditors (and nobody else by default): entries by user, by nominal
("who looked at this record?") and by period, a page at a time; and an export as CSV or JSON
Lines for a regulator, recorded as a disclosure with its recipient. The reading and writing
are register/audit.py's and visor/audit_commands.py's, as for `visor audit log|export`."""

import datetime as dt
import hashlib
import io
import tempfile
from collections.abc import Iterator
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from api import context
from api.auth import SignedIn
from api.context import Purpose
from foundation.errors import InvalidInput
from register.audit import LogFilter, LoggedEntry
from register.audit_access import (
    MAX_PAGE,
    check_recipient,
    read_entries,
    record_disclosure,
    redacted_log,
)
from register.database import snapshot
from register.permissions import authorize_read_audit
from visor.audit_commands import parse_moment, write_export
from visor.security import check_purpose

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])
EXPORT_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson"}
_CHUNK = 64 * 1024

Text = Annotated[str | None, Query(min_length=1, max_length=200)]
Moment = Annotated[
    str | None, Query(max_length=40, description="a date or time, UTC unless it says otherwise")
]


class AuditEntriesOut(BaseModel):
    entries: list[LoggedEntry]
    next_cursor: str | None


def _filter(
    user: str | None,
    reference: str | None,
    since: str | None,
    until: str | None,
    action: str | None,
    cursor: str | None = None,
) -> LogFilter:
    after = 0
    if cursor is not None:
        if not cursor.isdigit() or len(cursor) > 18:
            raise InvalidInput("cursor: not one this API gave (take next_cursor from a page)")
        after = int(cursor)
    return LogFilter(
        reference=reference,
        user=user,
        since=parse_moment("since", since),
        until=parse_moment("until", until),
        action=action,
        after_seq=after,
    )


@router.get("/entries", response_model=AuditEntriesOut)
def audit_entries(
    request: Request,
    caller: SignedIn,
    user: Text = None,
    reference: Text = None,
    since: Moment = None,
    until: Moment = None,
    action: Annotated[str | None, Query(min_length=1, max_length=32)] = None,
    cursor: Annotated[str | None, Query(max_length=20)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
) -> AuditEntriesOut:
    """Entries oldest first; this reading is itself recorded (action `audit.read`)."""
    wanted = _filter(user, reference, since, until, action, cursor)
    with context.services(request).engine.begin() as connection:
        page = read_entries(
            connection, caller.auditor, wanted, context.restrictions(request), limit
        )
    next_cursor = str(page.next_after) if page.next_after is not None else None
    return AuditEntriesOut(entries=page.entries, next_cursor=next_cursor)


@router.post(
    "/exports",
    response_class=StreamingResponse,
    responses={200: {"content": {kind: {} for kind in EXPORT_TYPES.values()}}},
)
def export_audit(
    request: Request,
    caller: SignedIn,
    recipient: Annotated[str, Query(min_length=1, max_length=200, description="who receives it")],
    format: Literal["csv", "jsonl"] = "csv",
    user: Text = None,
    reference: Text = None,
    since: Moment = None,
    until: Moment = None,
    action: Annotated[str | None, Query(min_length=1, max_length=32)] = None,
    purpose: Purpose = None,
) -> StreamingResponse:
    """The matching entries as a file for a regulator, recorded as a disclosure (action
    `audit.export`) naming the recipient, the count and the SHA-256 of the file."""
    authorize_read_audit(caller.principal)
    named = check_recipient(recipient)
    stated = check_purpose(context.settings(request), purpose)
    wanted = _filter(user, reference, since, until, action)
    services = context.services(request)
    # Written whole to a temporary file before it is disclosed, so that the entry can name
    # exactly what left, in flat memory; the answer's generator closes (and so removes) it.
    spool = tempfile.TemporaryFile()  # noqa: SIM115
    try:
        text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
        with snapshot(services.engine) as connection:
            entries = redacted_log(
                connection, caller.principal, wanted, context.restrictions(request)
            )
            count = write_export(entries, text, format)
        text.flush()
        text.detach()
        spool.seek(0)
        digest = hashlib.file_digest(spool, "sha256").hexdigest()
        with services.engine.begin() as connection:
            record_disclosure(
                connection, caller.auditor, named, format, wanted, count, digest, stated
            )
        spool.seek(0)
    except BaseException:
        spool.close()
        raise

    def chunks() -> Iterator[bytes]:
        try:
            while chunk := spool.read(_CHUNK):
                yield chunk
        finally:
            spool.close()

    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return StreamingResponse(
        chunks(),
        media_type=EXPORT_TYPES[format],
        headers={
            "Content-Disposition": f'attachment; filename="audit-export-{stamp}.{format}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
            "X-Audit-Entries": str(count),
            "X-Export-SHA256": digest,
        },
    )
