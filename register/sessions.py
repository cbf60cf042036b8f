"""Sessions: what a token names, checked in the register on every request.

A session ends when signed out, when idle longer than the idle timeout, at its absolute
lifetime, or when its user is disabled or given a new password. Only the SHA-256 of a
session id is stored, so a copy of the table signs no one in.
"""

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Connection, insert, select, update

from register import tables
from register.store import now

SessionKind = Literal["bearer", "cookie"]
REFUSED = "sign in: the session has ended or the token is invalid"


@dataclass(frozen=True)
class SessionPolicy:
    token_lifetime: dt.timedelta = dt.timedelta(minutes=15)
    idle_timeout: dt.timedelta = dt.timedelta(minutes=30)
    absolute_lifetime: dt.timedelta = dt.timedelta(hours=8)
    lockout_threshold: int = 5
    # None: locked until an administrator unlocks.
    lockout_period: dt.timedelta | None = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class Session:
    session_id: str
    user_id: int
    kind: SessionKind
    created_at: dt.datetime
    expires_at: dt.datetime


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def start_session(
    connection: Connection,
    user_id: int,
    kind: SessionKind,
    client: str | None,
    policy: SessionPolicy,
) -> Session:
    """A new session for a user whose identity is established: by password today; a single
    sign-on callback (OIDC) would call this the same way."""
    session_id = secrets.token_urlsafe(32)
    at = now()
    expires_at = at + policy.absolute_lifetime
    connection.execute(
        insert(tables.sessions),
        {
            "id_hash": _hash(session_id),
            "user_id": user_id,
            "kind": kind,
            "client": client,
            "created_at": at,
            "last_seen_at": at,
            "expires_at": expires_at,
        },
    )
    return Session(session_id, user_id, kind, at, expires_at)


def check_session(connection: Connection, session_id: str, policy: SessionPolicy) -> Session | None:
    """The live session, its last use moved to now; or None, and a session found expired is
    ended for good (so the caller commits, then refuses: `Unauthenticated(REFUSED)`)."""
    s = tables.sessions
    if connection.dialect.name == "sqlite":
        # A write first takes SQLite's one write lock (waiting busy_timeout for another
        # writer), as store.lock_version does: reading first and writing after fails at once
        # ("database is locked") when another request of the same page has written since,
        # which a page loading its thumbnails side by side does every time.
        hashed = _hash(session_id)
        connection.execute(update(s).where(s.c.id_hash == hashed).values(id_hash=s.c.id_hash))
    row = connection.execute(select(s).where(s.c.id_hash == _hash(session_id))).one_or_none()
    if row is None or row.ended_at is not None:
        return None
    at = now()
    if at >= _utc(row.expires_at):
        _end(connection, row.id_hash, "absolute lifetime")
        return None
    if at - _utc(row.last_seen_at) > policy.idle_timeout:
        _end(connection, row.id_hash, "idle timeout")
        return None
    connection.execute(update(s).where(s.c.id_hash == row.id_hash).values(last_seen_at=at))
    return Session(session_id, row.user_id, row.kind, _utc(row.created_at), _utc(row.expires_at))


def _end(connection: Connection, id_hash: str, reason: str) -> None:
    s = tables.sessions
    connection.execute(
        update(s)
        .where(s.c.id_hash == id_hash, s.c.ended_at.is_(None))
        .values(ended_at=now(), ended_reason=reason)
    )


def end_session(connection: Connection, session_id: str, reason: str = "signed out") -> None:
    _end(connection, _hash(session_id), reason)


def end_user_sessions(connection: Connection, user_id: int, reason: str) -> int:
    s = tables.sessions
    result = connection.execute(
        update(s)
        .where(s.c.user_id == user_id, s.c.ended_at.is_(None))
        .values(ended_at=now(), ended_reason=reason)
    )
    return int(result.rowcount)
