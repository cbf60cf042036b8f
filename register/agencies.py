"""Agencies: the police forces, probation areas and prisons that share the register."""

import re
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select

from foundation.errors import Conflict, InvalidInput, NotFound
from register import tables
from register.principals import AgencyKind
from register.store import now

# The same shape as a nominal's managing_agency in the NIF schema.
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,31}$")


@dataclass(frozen=True)
class Agency:
    code: str
    name: str
    kind: AgencyKind


def code_problem(code: str) -> str | None:
    if not _CODE.match(code):
        return f"{code!r} is not an agency code (capitals, digits, - and _, at most 32)"
    return None


def add_agency(connection: Connection, code: str, name: str, kind: str) -> Agency:
    if problem := code_problem(code):
        raise InvalidInput(problem)
    if not name.strip() or len(name) > 200 or not name.isprintable():
        raise InvalidInput("an agency's name is 1-200 printable characters")
    try:
        agency_kind = AgencyKind(kind)
    except ValueError:
        known = ", ".join(k.value for k in AgencyKind)
        raise InvalidInput(f"{kind!r} is not an agency kind; known: {known}") from None
    if find_agency(connection, code) is not None:
        raise Conflict(f"agency {code} already exists")
    connection.execute(
        insert(tables.agencies),
        {"code": code, "name": name, "kind": agency_kind.value, "created_at": now()},
    )
    return Agency(code, name, agency_kind)


def find_agency(connection: Connection, code: str) -> Agency | None:
    row = connection.execute(
        select(tables.agencies).where(tables.agencies.c.code == code)
    ).one_or_none()
    return None if row is None else Agency(row.code, row.name, AgencyKind(row.kind))


def get_agency(connection: Connection, code: str) -> Agency:
    found = find_agency(connection, code)
    if found is None:
        raise NotFound(f"no agency with code {code!r}")
    return found


def list_agencies(connection: Connection) -> list[Agency]:
    rows = connection.execute(select(tables.agencies).order_by(tables.agencies.c.code))
    return [Agency(row.code, row.name, AgencyKind(row.kind)) for row in rows]
