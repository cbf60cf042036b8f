"""Users: each belongs to one agency and holds roles; local users sign in with a password
(register/passwords.py). Every change here is authorized (register/permissions.py) and
audited in its own transaction; disabling a user or changing their password ends their
sessions."""

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, delete, insert, select, update

from foundation.errors import Conflict, InvalidInput, NotFound
from register import tables
from register.agencies import get_agency
from register.audit import AuditEvent, Auditor
from register.passwords import Argon2Parameters, hash_password, password_problem
from register.permissions import authorize_manage_users
from register.principals import Principal, Role
from register.sessions import end_user_sessions
from register.store import now

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,63}$")


@dataclass(frozen=True)
class User:
    id: int
    username: str
    agency: str
    roles: frozenset[Role]
    enabled: bool
    auth_source: str
    failed_attempts: int
    locked_until: dt.datetime | None

    def principal(self) -> Principal:
        return Principal(self.username, self.agency, self.roles, "user", self.id)

    def locked(self, at: dt.datetime) -> bool:
        return self.locked_until is not None and _utc(self.locked_until) > at


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def username_problem(username: str) -> str | None:
    if not _USERNAME.match(username):
        return (
            f"{username!r} is not a username (2-64 of lower-case letters, digits and . _ @ -, "
            "starting with a letter or digit)"
        )
    return None


def parse_roles(names: Iterable[str]) -> frozenset[Role]:
    roles = set()
    for name in names:
        try:
            roles.add(Role(name))
        except ValueError:
            known = ", ".join(r.value for r in Role)
            raise InvalidInput(f"{name!r} is not a role; known: {known}") from None
    if not roles:
        raise InvalidInput("a user needs at least one role")
    return frozenset(roles)


def _roles_of(connection: Connection, user_ids: list[int]) -> dict[int, frozenset[Role]]:
    found: dict[int, set[Role]] = {uid: set() for uid in user_ids}
    r = tables.user_roles
    for row in connection.execute(select(r).where(r.c.user_id.in_(user_ids))):
        found[row.user_id].add(Role(row.role))
    return {uid: frozenset(roles) for uid, roles in found.items()}


def _users(connection: Connection, *conditions: object) -> list[User]:
    u = tables.users
    rows = list(connection.execute(select(u).where(*conditions).order_by(u.c.username)))  # type: ignore[arg-type]
    roles = _roles_of(connection, [row.id for row in rows])
    return [
        User(
            row.id,
            row.username,
            row.agency,
            roles[row.id],
            row.enabled,
            row.auth_source,
            row.failed_attempts,
            row.locked_until,
        )
        for row in rows
    ]


def find_user(connection: Connection, username: str) -> User | None:
    found = _users(connection, tables.users.c.username == username)
    return found[0] if found else None


def get_user(connection: Connection, username: str) -> User:
    user = find_user(connection, username)
    if user is None:
        raise NotFound(f"no user {username!r}")
    return user


def user_by_id(connection: Connection, user_id: int) -> User | None:
    found = _users(connection, tables.users.c.id == user_id)
    return found[0] if found else None


def list_users(connection: Connection, agency: str | None = None) -> list[User]:
    if agency is None:
        return _users(connection)
    return _users(connection, tables.users.c.agency == agency)


def add_user(
    connection: Connection,
    auditor: Auditor,
    username: str,
    agency: str,
    roles: frozenset[Role],
    password: str,
    parameters: Argon2Parameters,
) -> User:
    if problem := username_problem(username):
        raise InvalidInput(problem)
    get_agency(connection, agency)
    authorize_manage_users(auditor.principal, agency)
    if problem := password_problem(password):
        raise InvalidInput(problem)
    if find_user(connection, username) is not None:
        raise Conflict(f"user {username} already exists")
    at = now()
    user_id = connection.execute(
        insert(tables.users).returning(tables.users.c.id),
        {
            "username": username,
            "agency": agency,
            "enabled": True,
            "auth_source": "local",
            "password_hash": hash_password(password, parameters),
            "password_changed_at": at,
            "failed_attempts": 0,
            "created_at": at,
        },
    ).scalar_one()
    connection.execute(
        insert(tables.user_roles), [{"user_id": user_id, "role": r.value} for r in sorted(roles)]
    )
    auditor.record(
        connection,
        AuditEvent(
            "user.add",
            target=username,
            details={"agency": agency, "roles": sorted(r.value for r in roles)},
        ),
    )
    return get_user(connection, username)


def _managed(connection: Connection, auditor: Auditor, username: str) -> User:
    user = get_user(connection, username)
    authorize_manage_users(auditor.principal, user.agency)
    return user


def set_enabled(connection: Connection, auditor: Auditor, username: str, enabled: bool) -> User:
    user = _managed(connection, auditor, username)
    connection.execute(
        update(tables.users).where(tables.users.c.id == user.id).values(enabled=enabled)
    )
    ended = 0 if enabled else end_user_sessions(connection, user.id, "user disabled")
    auditor.record(
        connection,
        AuditEvent(
            "user.enable" if enabled else "user.disable",
            target=username,
            details={"sessions_ended": ended},
        ),
    )
    return get_user(connection, username)


def unlock(connection: Connection, auditor: Auditor, username: str) -> User:
    user = _managed(connection, auditor, username)
    connection.execute(
        update(tables.users)
        .where(tables.users.c.id == user.id)
        .values(failed_attempts=0, locked_until=None)
    )
    auditor.record(connection, AuditEvent("user.unlock", target=username))
    return get_user(connection, username)


def reset_password(
    connection: Connection,
    auditor: Auditor,
    username: str,
    password: str,
    parameters: Argon2Parameters,
) -> User:
    user = _managed(connection, auditor, username)
    if problem := password_problem(password):
        raise InvalidInput(problem)
    connection.execute(
        update(tables.users)
        .where(tables.users.c.id == user.id)
        .values(
            password_hash=hash_password(password, parameters),
            password_changed_at=now(),
            failed_attempts=0,
            locked_until=None,
        )
    )
    ended = end_user_sessions(connection, user.id, "password changed")
    auditor.record(
        connection,
        AuditEvent("user.reset_password", target=username, details={"sessions_ended": ended}),
    )
    return get_user(connection, username)


def set_roles(
    connection: Connection, auditor: Auditor, username: str, roles: frozenset[Role]
) -> User:
    """A permission change: the old and new roles are kept in the audit entry."""
    user = _managed(connection, auditor, username)
    connection.execute(delete(tables.user_roles).where(tables.user_roles.c.user_id == user.id))
    connection.execute(
        insert(tables.user_roles), [{"user_id": user.id, "role": r.value} for r in sorted(roles)]
    )
    # Roles are read afresh on every request, so open sessions carry the new ones at once.
    auditor.record(
        connection,
        AuditEvent(
            "user.set_roles",
            target=username,
            details={
                "before": sorted(r.value for r in user.roles),
                "after": sorted(r.value for r in roles),
            },
        ),
    )
    return get_user(connection, username)
