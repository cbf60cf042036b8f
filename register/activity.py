"""The activity log of a nominal: dated entries (visits, intelligence, changes of
circumstance) added by its managing and partner agencies and never changed afterwards (the
table refuses UPDATE and DELETE). Intelligence entries are a restricted field: a role that
may not see them is told they are withheld, and never given one.

Pages run newest first by date, then by entry number, with a cursor that names the last
entry shown: an entry added meanwhile never makes a page repeat or skip another.
"""

import base64
import binascii
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Connection, Row, and_, insert, or_, select

from foundation.errors import InvalidInput
from register import store, tables
from register.audit import AuditEvent, Auditor
from register.permissions import RestrictionPolicy, authorize_change, authorize_view
from register.plausibility import date_problem
from register.store import now

# The audit action of an entry added (a contribution, for the compliance audit).
ACTIVITY_ADDED = "activity.add"

ActivityKind = Literal["visit", "intelligence", "change_of_circumstance", "other"]
INTELLIGENCE = "intelligence"  # both the kind and the restricted field's name
MAX_TEXT = 20_000
MAX_PAGE = 200


@dataclass(frozen=True)
class NewActivity:
    kind: ActivityKind
    occurred_on: dt.date
    text: str
    author: str | None = None  # who wrote it, if not the user recording it


@dataclass(frozen=True)
class ActivityEntry:
    id: int
    reference: str
    kind: str
    occurred_on: dt.date
    text: str
    author: str
    agency: str | None
    recorded_by: str
    recorded_at: dt.datetime


@dataclass(frozen=True)
class ActivityPage:
    entries: list[ActivityEntry]
    next_cursor: str | None
    intelligence_withheld: bool


def encode_cursor(entry: ActivityEntry) -> str:
    raw = f"{entry.occurred_on.isoformat()}/{entry.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


_CURSOR = re.compile(r"(\d{4}-\d{2}-\d{2})/(\d{1,10})")
MAX_ID = 2**31 - 1  # an INTEGER column's largest value


def decode_cursor(cursor: str) -> tuple[dt.date, int]:
    """The (date, id) a cursor names; InvalidInput for anything this module did not make."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        found = _CURSOR.fullmatch(raw)
        if found is None or int(found.group(2)) > MAX_ID:
            raise ValueError(raw)
        return dt.date.fromisoformat(found.group(1)), int(found.group(2))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput("cursor: not one this API gave (take next_cursor from a page)") from None


def _check(new: NewActivity, recorder: str) -> NewActivity:
    text = new.text.strip()
    if not text:
        raise InvalidInput("text: say what happened (not empty)")
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"text: at most {MAX_TEXT} characters")
    if "\x00" in text:
        raise InvalidInput("text: NUL characters are not allowed")
    author = (new.author or recorder).strip()
    if not author or len(author) > 200:
        raise InvalidInput("author: 1 to 200 characters")
    if problem := date_problem(new.occurred_on, dt.date.today()):
        raise InvalidInput(f"occurred_on: {problem}")
    return NewActivity(new.kind, new.occurred_on, text, author)


def add_activity(
    connection: Connection, auditor: Auditor, reference: str, new: NewActivity
) -> ActivityEntry:
    """Append an entry to the nominal's activity log, audited (without its text, which the
    audit's readers may not be allowed to see)."""
    record = store.get_record(connection, reference)
    authorize_change(auditor.principal, record)
    new = _check(new, auditor.principal.username)
    nominal_id = store.find_existing(connection, [reference])[reference].id
    a = tables.activity_entries
    entry_id = connection.execute(
        insert(a).returning(a.c.id),
        {
            "nominal_id": nominal_id,
            "kind": new.kind,
            "occurred_on": new.occurred_on,
            "text": new.text,
            "author": new.author,
            "agency": auditor.principal.agency,
            "recorded_by": auditor.principal.username,
            "recorded_at": now(),
        },
    ).scalar_one()
    auditor.record(
        connection,
        AuditEvent(
            ACTIVITY_ADDED,
            target=reference,
            references=[reference],
            details={"entry": entry_id, "kind": new.kind, "occurred_on": new.occurred_on},
        ),
    )
    row = connection.execute(select(a).where(a.c.id == entry_id)).one()
    return _entry(row, reference)


def _entry(row: Row[Any], reference: str) -> ActivityEntry:
    return ActivityEntry(
        id=row.id,
        reference=reference,
        kind=row.kind,
        occurred_on=row.occurred_on,
        text=row.text,
        author=row.author,
        agency=row.agency,
        recorded_by=row.recorded_by,
        # SQLite keeps no zone; every time the register writes is UTC.
        recorded_at=row.recorded_at.replace(tzinfo=row.recorded_at.tzinfo or dt.UTC),
    )


def list_activity(
    connection: Connection,
    auditor: Auditor,
    reference: str,
    purpose: str | None,
    policy: RestrictionPolicy,
    cursor: str | None = None,
    limit: int = 50,
) -> ActivityPage:
    """One page of the nominal's activity log, recorded as a view of it."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit: 1 to {MAX_PAGE}")
    after = decode_cursor(cursor) if cursor is not None else None
    record = store.get_record(connection, reference)
    authorize_view(auditor.principal, record)
    withheld = [INTELLIGENCE] if INTELLIGENCE in policy.hidden_from(auditor.principal) else []
    a = tables.activity_entries
    nominal_id = store.find_existing(connection, [reference])[reference].id
    query = select(a).where(a.c.nominal_id == nominal_id, a.c.kind.not_in(withheld))
    if after is not None:
        day, entry_id = after
        query = query.where(
            or_(a.c.occurred_on < day, and_(a.c.occurred_on == day, a.c.id < entry_id))
        )
    rows = connection.execute(
        query.order_by(a.c.occurred_on.desc(), a.c.id.desc()).limit(limit + 1)
    ).all()
    entries = [_entry(row, reference) for row in rows[:limit]]
    auditor.record(
        connection,
        AuditEvent(
            "activity.list",
            target=reference,
            purpose=purpose,
            references=[reference],
            details={"entries": [entry.id for entry in entries], "withheld": withheld},
        ),
    )
    more = len(rows) > limit
    next_cursor = encode_cursor(entries[-1]) if more else None
    return ActivityPage(entries, next_cursor, intelligence_withheld=bool(withheld))
