"""Signing in with a password: lock-out after repeated failures, a rehash when the Argon2
parameters have changed, a new session, and an audit entry either way.

The password is checked (Argon2, a quarter of a second on purpose) before the write
transaction begins, so that the check does not hold the register's write lock (on SQLite, the
one lock every writer waits for); the account is then read again under the lock and the
outcome decided there, so a password changed or an account disabled meanwhile still counts.
The failure count and the entry are kept when the sign-in is refused; the caller raises.
The reason a sign-in was refused is in the audit entry only: the answer is the same for an
unknown user, a wrong password, a locked or disabled account, so that it tells an attacker
nothing.
"""

from dataclasses import dataclass

from sqlalchemy import Connection, Engine, update

from register import tables
from register.audit import AuditEvent, append_entries
from register.audit_chain import ChainSigner
from register.passwords import (
    Argon2Parameters,
    hash_password,
    needs_rehash,
    spend_equal_time,
    verify_password,
)
from register.principals import Principal
from register.sessions import Session, SessionKind, SessionPolicy, start_session
from register.store import now
from register.users import User, find_user

MAX_SUPPLIED_USERNAME = 200


@dataclass(frozen=True)
class SignInOutcome:
    user: User | None
    session: Session | None
    refused: str | None = None


def _password_hash(connection: Connection, user: User) -> str | None:
    stored: str | None = connection.scalar(
        tables.users.select()
        .with_only_columns(tables.users.c.password_hash)
        .where(tables.users.c.id == user.id)
    )
    return stored


def sign_in(
    engine: Engine,
    signer: ChainSigner,
    username: str,
    password: str,
    parameters: Argon2Parameters,
    policy: SessionPolicy,
    kind: SessionKind,
    client: str | None,
) -> SignInOutcome:
    name = username[:MAX_SUPPLIED_USERNAME]
    with engine.connect() as connection:
        found = find_user(connection, name)
        checked = _password_hash(connection, found) if found is not None else None
    if found is None:
        spend_equal_time(parameters)
        password_ok = False
    else:
        password_ok = checked is not None and verify_password(checked, password, parameters)
    attempt = _Attempt(name, password, checked, password_ok)
    with engine.begin() as connection:
        return _decide(connection, signer, attempt, parameters, policy, kind, client)


@dataclass(frozen=True)
class _Attempt:
    username: str
    password: str
    checked_hash: str | None  # the hash the password was checked against
    password_ok: bool


def _decide(
    connection: Connection,
    signer: ChainSigner,
    attempt: _Attempt,
    parameters: Argon2Parameters,
    policy: SessionPolicy,
    kind: SessionKind,
    client: str | None,
) -> SignInOutcome:
    username, password = attempt.username, attempt.password
    at = now()
    user = find_user(connection, username)
    refused: str | None = None
    if user is None:
        refused = "unknown user"
    else:
        stored = _password_hash(connection, user)
        if not user.enabled:
            refused = "user disabled"
        elif user.locked(at):
            refused = "account locked"
        elif stored != attempt.checked_hash and not _still_accepted(stored, attempt, parameters):
            refused = "password changed during sign-in"
        elif stored == attempt.checked_hash and not attempt.password_ok:
            refused = "wrong password"
            _count_failure(connection, user, policy)
        else:
            values: dict[str, object] = {"failed_attempts": 0, "locked_until": None}
            if stored is not None and needs_rehash(stored, parameters):
                values["password_hash"] = hash_password(password, parameters)
            connection.execute(
                update(tables.users).where(tables.users.c.id == user.id).values(**values)
            )
    who = user.principal() if user is not None else Principal(username, None, frozenset())
    session = None
    if refused is None and user is not None:
        session = start_session(connection, user.id, kind, client, policy)
    append_entries(
        connection,
        signer,
        who,
        client,
        [
            AuditEvent(
                "sign_in",
                target=who.username,
                outcome="refused" if refused else "ok",
                details={"kind": kind, **({"reason": refused} if refused else {})},
            )
        ],
    )
    return SignInOutcome(user, session, refused)


def _still_accepted(stored: str | None, attempt: _Attempt, parameters: Argon2Parameters) -> bool:
    """Whether the password checked against the old hash matches the hash stored now: a
    sign-in beside this one may have rehashed the same password (new Argon2 parameters),
    which must not refuse this one. Rare, so the write lock is held for the check only then."""
    return (
        attempt.password_ok
        and stored is not None
        and verify_password(stored, attempt.password, parameters)
    )


def _count_failure(connection: Connection, user: User, policy: SessionPolicy) -> None:
    # A lock that has run out starts the count again.
    lapsed = user.locked_until is not None and not user.locked(now())
    failures = (0 if lapsed else user.failed_attempts) + 1
    values: dict[str, object] = {"failed_attempts": failures}
    if failures >= policy.lockout_threshold:
        period = policy.lockout_period
        # Without a period, locked until an administrator unlocks: far in the future.
        values["locked_until"] = now() + period if period else now().replace(year=9999)
    connection.execute(update(tables.users).where(tables.users.c.id == user.id).values(**values))
