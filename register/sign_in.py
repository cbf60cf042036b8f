"""Signing in with a password: lock-out after repeated failures, a rehash when the Argon2
parameters have changed, a new session, and an audit entry either way.

The caller commits whatever the outcome (the failure count and the entry must be kept when
the sign-in is refused), then raises for a refusal. The reason a sign-in was refused is in
the audit entry only: the answer is the same for an unknown user, a wrong password, a locked
or disabled account, so that it tells an attacker nothing.
"""

from dataclasses import dataclass

from sqlalchemy import Connection, update

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


def sign_in(
    connection: Connection,
    signer: ChainSigner,
    username: str,
    password: str,
    parameters: Argon2Parameters,
    policy: SessionPolicy,
    kind: SessionKind,
    client: str | None,
) -> SignInOutcome:
    at = now()
    user = find_user(connection, username[:MAX_SUPPLIED_USERNAME])
    refused: str | None = None
    if user is None:
        spend_equal_time(parameters)
        refused = "unknown user"
    else:
        stored = connection.scalar(
            tables.users.select()
            .with_only_columns(tables.users.c.password_hash)
            .where(tables.users.c.id == user.id)
        )
        password_ok = stored is not None and verify_password(stored, password, parameters)
        if not user.enabled:
            refused = "user disabled"
        elif user.locked(at):
            refused = "account locked"
        elif not password_ok:
            refused = "wrong password"
            _count_failure(connection, user, policy)
        else:
            values: dict[str, object] = {"failed_attempts": 0, "locked_until": None}
            if stored is not None and needs_rehash(stored, parameters):
                values["password_hash"] = hash_password(password, parameters)
            connection.execute(
                update(tables.users).where(tables.users.c.id == user.id).values(**values)
            )
    who = (
        user.principal()
        if user is not None
        else Principal(username[:MAX_SUPPLIED_USERNAME], None, frozenset())
    )
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
