"""The audit trail: one function writes entries (`append_entries`), in the caller's
transaction, so that a change and the entry that records it commit together or not at all.

An entry says who (user and agency), when (UTC), what (action, target, the nominals it
concerns), how it ended (outcome), why (the stated purpose), from where (client address) and
the rest in `details`: a search's query, a change's before and after, an export's recipient.
The chain itself (hashes, signatures, verification) is register/audit_chain.py.
"""

import datetime as dt
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection, insert, or_, select, update

from register import tables
from register.audit_chain import (
    ChainEntry,
    ChainReport,
    ChainSigner,
    SignedPoint,
    entry_hash,
    utc_text,
    verify_chain,
)
from register.principals import Principal
from register.store import now

HEAD_ID = 1


@dataclass(frozen=True)
class AuditEvent:
    action: str
    target: str | None = None
    outcome: str = "ok"
    purpose: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    # The nominals the entry concerns, in order (a search's answer keeps its ranking).
    references: Sequence[str] = ()


@dataclass(frozen=True)
class Auditor:
    """Who is acting and from where, with the signer of the chain: what every audited
    operation is handed, by the CLI and the API alike."""

    signer: ChainSigner
    principal: Principal
    client: str | None = None

    def record(self, connection: Connection, *events: AuditEvent) -> list[int]:
        return append_entries(connection, self.signer, self.principal, self.client, events)


def details_text(details: Mapping[str, Any]) -> str:
    return json.dumps(
        details, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )


def _lock_head(connection: Connection) -> SignedPoint:
    """The chain's head, locked until the transaction ends: appends are serialised."""
    head = tables.audit_head
    if connection.dialect.name == "sqlite":
        # A write takes SQLite's one write lock (waiting busy_timeout for another writer);
        # reading first would risk a snapshot another writer has already moved past.
        connection.execute(update(head).where(head.c.id == HEAD_ID).values(seq=head.c.seq))
        row = connection.execute(select(head).where(head.c.id == HEAD_ID)).one()
    else:
        row = connection.execute(select(head).where(head.c.id == HEAD_ID).with_for_update()).one()
    return SignedPoint(row.seq, row.entry_hash, row.key_id, row.signature)


def append_entries(
    connection: Connection,
    signer: ChainSigner,
    principal: Principal,
    client: str | None,
    events: Sequence[AuditEvent],
) -> list[int]:
    """Append one entry per event to the chain, in the caller's transaction; their seqs.
    Call it last in a transaction: the chain stays locked until the commit."""
    if not events:
        return []
    head = _lock_head(connection)
    at = now()
    seq, previous = head.seq, head.entry_hash
    entries: list[dict[str, Any]] = []
    references: list[dict[str, Any]] = []
    checkpoints: list[dict[str, Any]] = []
    for event in events:
        seq += 1
        entry = ChainEntry(
            seq=seq,
            at=at,
            actor=principal.username,
            agency=principal.agency,
            action=event.action,
            target=event.target,
            outcome=event.outcome,
            purpose=event.purpose,
            client=client,
            details=details_text(event.details),
            references=tuple(event.references),
            previous_hash=previous,
            entry_hash="",
        )
        previous = entry_hash(entry)
        row = {name: getattr(entry, name) for name in _ENTRY_COLUMNS}
        entries.append(row | {"entry_hash": previous})
        references += [
            {"seq": seq, "position": position, "reference": reference}
            for position, reference in enumerate(event.references)
        ]
        if seq % signer.checkpoint_every == 0:
            checkpoints.append(_checkpoint_row(signer, seq, previous, at))
    connection.execute(insert(tables.audit_entries), entries)
    if references:
        connection.execute(insert(tables.audit_references), references)
    if checkpoints:
        connection.execute(insert(tables.audit_checkpoints), checkpoints)
    signed = signer.signed(seq, previous)
    connection.execute(
        update(tables.audit_head)
        .where(tables.audit_head.c.id == HEAD_ID)
        .values(seq=seq, entry_hash=previous, key_id=signed.key_id, signature=signed.signature)
    )
    return list(range(head.seq + 1, seq + 1))


_ENTRY_COLUMNS = (
    "seq",
    "at",
    "actor",
    "agency",
    "action",
    "target",
    "outcome",
    "purpose",
    "client",
    "details",
    "previous_hash",
)


def _checkpoint_row(signer: ChainSigner, seq: int, hash_: str, at: dt.datetime) -> dict[str, Any]:
    signed = signer.signed(seq, hash_)
    return {
        "seq": seq,
        "entry_hash": hash_,
        "at": at,
        "key_id": signed.key_id,
        "signature": signed.signature,
    }


def write_checkpoint(connection: Connection, signer: ChainSigner) -> SignedPoint:
    """Sign the chain's head now, as a checkpoint (kept when it is new): what `visor audit
    checkpoint` prints for keeping outside the register."""
    head = _lock_head(connection)
    if head.seq == 0:
        return head
    c = tables.audit_checkpoints
    exists = connection.scalar(select(c.c.seq).where(c.c.seq == head.seq))
    if exists is None:
        connection.execute(insert(c), _checkpoint_row(signer, head.seq, head.entry_hash, now()))
    return signer.signed(head.seq, head.entry_hash)


def read_head(connection: Connection) -> SignedPoint:
    row = connection.execute(
        select(tables.audit_head).where(tables.audit_head.c.id == HEAD_ID)
    ).one()
    return SignedPoint(row.seq, row.entry_hash, row.key_id, row.signature)


def read_checkpoints(connection: Connection) -> list[SignedPoint]:
    c = tables.audit_checkpoints
    rows = connection.execute(select(c).order_by(c.c.seq))
    return [SignedPoint(r.seq, r.entry_hash, r.key_id, r.signature) for r in rows]


def iter_chain(connection: Connection, batch: int = 10_000) -> Iterator[ChainEntry]:
    """Every entry in seq order with its references, streamed (memory stays flat)."""
    e, r = tables.audit_entries, tables.audit_references
    query = (
        select(e, r.c.reference)
        .select_from(e.outerjoin(r, r.c.seq == e.c.seq))
        .order_by(e.c.seq, r.c.position)
    )
    rows = connection.execution_options(stream_results=True, yield_per=batch).execute(query)
    current: Any = None
    refs: list[str] = []
    for row in rows:
        if current is not None and row.seq != current.seq:
            yield _chain_entry(current, refs)
            refs = []
        current = row
        if row.reference is not None:
            refs.append(row.reference)
    if current is not None:
        yield _chain_entry(current, refs)


def _chain_entry(row: Any, references: list[str]) -> ChainEntry:
    return ChainEntry(
        seq=row.seq,
        at=row.at,
        actor=row.actor,
        agency=row.agency,
        action=row.action,
        target=row.target,
        outcome=row.outcome,
        purpose=row.purpose,
        client=row.client,
        details=row.details,
        references=tuple(references),
        previous_hash=row.previous_hash,
        entry_hash=row.entry_hash,
    )


def verify_register(connection: Connection, signer: ChainSigner) -> ChainReport:
    # The head and checkpoints are read in the same snapshot as the entries.
    return verify_chain(
        iter_chain(connection), read_head(connection), read_checkpoints(connection), signer
    )


class LoggedEntry(BaseModel):
    """An entry as `visor audit log` and the auditors' API show it."""

    seq: int
    at: str
    actor: str
    agency: str | None
    action: str
    target: str | None
    outcome: str
    purpose: str | None
    client: str | None
    references: list[str]
    details: dict[str, Any]
    entry_hash: str
    # Restricted fields left out of this copy's before and after for its reader (the stored
    # entry, which its hash covers, keeps them).
    redacted: list[str] = []


@dataclass(frozen=True)
class LogFilter:
    reference: str | None = None
    user: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    action: str | None = None
    after_seq: int = 0
    limit: int | None = None


def read_log(connection: Connection, wanted: LogFilter, page: int = 1000) -> Iterator[LoggedEntry]:
    """Entries matching the filter in seq order, a page at a time: "who looked at this
    record?" (reference: its target, or among the nominals an entry concerns), by user, by
    period, by action."""
    e, r = tables.audit_entries, tables.audit_references
    conditions = []
    if wanted.reference is not None:
        concerning = select(r.c.seq).where(r.c.reference == wanted.reference)
        conditions.append(or_(e.c.target == wanted.reference, e.c.seq.in_(concerning)))
    if wanted.user is not None:
        conditions.append(e.c.actor == wanted.user)
    if wanted.since is not None:
        conditions.append(e.c.at >= wanted.since)
    if wanted.until is not None:
        conditions.append(e.c.at < wanted.until)
    if wanted.action is not None:
        conditions.append(e.c.action == wanted.action)
    after, left = wanted.after_seq, wanted.limit
    while left is None or left > 0:
        size = page if left is None else min(page, left)
        rows = list(
            connection.execute(
                select(e).where(e.c.seq > after, *conditions).order_by(e.c.seq).limit(size)
            )
        )
        if not rows:
            return
        seqs = [row.seq for row in rows]
        refs: dict[int, list[str]] = {seq: [] for seq in seqs}
        for ref in connection.execute(
            select(r).where(r.c.seq.in_(seqs)).order_by(r.c.seq, r.c.position)
        ):
            refs[ref.seq].append(ref.reference)
        for row in rows:
            yield LoggedEntry(
                seq=row.seq,
                at=utc_text(row.at),
                actor=row.actor,
                agency=row.agency,
                action=row.action,
                target=row.target,
                outcome=row.outcome,
                purpose=row.purpose,
                client=row.client,
                references=refs[row.seq],
                details=json.loads(row.details),
                entry_hash=row.entry_hash,
            )
        after = seqs[-1]
        if left is not None:
            left -= len(rows)
        if len(rows) < size:
            return
