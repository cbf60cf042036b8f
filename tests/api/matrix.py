"""A declarative authorization matrix for the API: every row is a route (method, path
template, body factory) with the rule that gives the status each principal must get; the
harness sends every row as every principal (role x agency relation x token state) and
returns what each got, so that a test asserts the whole table at once.

The register it runs against is built once per module and database (`matrix_register`):
one nominal, R1, managed by MPS, partnered by LDN-PROB, once partnered by HMP-X (revoked),
never by GMP; and one user per role and agency (and one more, disabled). Tokens are signed in
once and reused. Other route modules add rows of their own:

    from tests.api.matrix import Row, changers, matrix_register, run_matrix  # noqa: F401
"""

import base64
import datetime as dt
import itertools
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from api.app import create_app
from register import agencies, partnerships, store, users
from register.model import to_document
from register.principals import Role
from register.tokens import issue_token
from tests.api.sign_in import PASSWORD, token
from tests.conftest import image_bytes, minimal_record, run_import, write_bundle
from visor.security import argon2_parameters, operator_auditor, restriction_policy, signing_keys
from visor.services import Services, build_services
from visor.settings import Settings

LOCAL = "http://localhost"
ROLES = tuple(role.value for role in Role)
RELATIONS = {"managing": "MPS", "partner": "LDN-PROB", "revoked": "HMP-X", "unrelated": "GMP"}
TOKEN_STATES = ("valid", "no token", "expired", "other key", "alg none", "disabled user")
REFERENCE = "R1"
# What R1 holds in its restricted fields: none of it may reach a role that may not see it.
RESTRICTED_VALUES = ("Salford", "M6 5AB", "WEAPONS")
PURPOSE = {"purpose": "matrix check"}
# The agency whose auditors are granted the national view of the audit reports.
NATIONAL_AUDIT_AGENCY = RELATIONS["partner"]


@dataclass(frozen=True)
class Who:
    role: str
    relation: str
    state: str

    @property
    def agency(self) -> str:
        return RELATIONS[self.relation]

    @property
    def username(self) -> str:
        disabled = ".disabled" if self.state == "disabled user" else ""
        return f"{self.role}.{self.relation}{disabled}"


@dataclass(frozen=True)
class Target:
    """What a body factory may use: who sends it, the nominal as stored now, a fresh serial."""

    who: Who
    document: dict[str, Any]
    version: int
    serial: int


@dataclass(frozen=True)
class Row:
    name: str
    method: str
    path: str  # "/api/v1/nominals/{reference}/marks"
    expect: Callable[[Who], int]  # the status for a valid token
    body: Callable[[Target], Any] | None = None  # a JSON body
    content: Callable[[Target], bytes] | None = None  # a raw body
    if_match: bool = False  # send the nominal's current ETag
    reference: str = REFERENCE
    params: tuple[tuple[str, str], ...] = ()  # query parameters besides the purpose


def readers(ok: int = 200) -> Callable[[Who], int]:
    """Search and view: every role but the auditor's, whatever the agency."""
    return lambda who: ok if who.role != Role.AUDITOR else 403


def changers(ok: int = 200) -> Callable[[Who], int]:
    """Change or add to R1: officers and supervisors of its managing or partner agency."""

    def rule(who: Who) -> int:
        may = who.role in (Role.OFFICER, Role.SUPERVISOR)
        return ok if may and who.relation in ("managing", "partner") else 403

    return rule


def creators(ok: int = 201) -> Callable[[Who], int]:
    """A new nominal managed by one's own agency: officers and supervisors of any agency."""
    return lambda who: ok if who.role in (Role.OFFICER, Role.SUPERVISOR) else 403


def audit_readers(agency: str | None) -> Callable[[Who], int]:
    """An audit report of `agency`'s work list (None: the default scope): auditors of that
    agency, or of the agency granted the national view; a default scope is every
    auditor's (their own agency's, or the nation's)."""

    def rule(who: Who) -> int:
        if who.role != Role.AUDITOR:
            return 403
        may = agency in (None, who.agency) or who.agency == NATIONAL_AUDIT_AGENCY
        return 200 if may else 403

    return rule


def principals() -> list[Who]:
    return [
        Who(role, relation, state)
        for role, relation, state in itertools.product(ROLES, RELATIONS, TOKEN_STATES)
    ]


def expected(row: Row, who: Who) -> int:
    return row.expect(who) if who.state in ("valid",) else 401


# -- the register, once per module and database ------------------------------------------


def database_for(request: pytest.FixtureRequest, folder: Path) -> Iterator[str]:
    """The URL of an empty register database for the fixture's `request.param`."""
    if request.param == "sqlite":
        yield f"sqlite:///{folder / 'register.db'}"
        return
    admin_url = make_url(request.getfixturevalue("postgres_admin_url"))
    name = f"visor_matrix_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass
class MatrixRegister:
    settings: Settings
    services: Services
    client: TestClient
    tokens: dict[Who, str | None] = field(default_factory=dict)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def matrix_register(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[MatrixRegister]:
    folder = tmp_path_factory.mktemp("matrix")
    for url in database_for(request, folder):
        settings = Settings(
            home=folder / "home",
            database_url=url,
            audit_national_agencies=(NATIONAL_AUDIT_AGENCY,),
        )
        services = build_services(settings)
        try:
            _fill(services, folder)
            with TestClient(create_app(settings), base_url=LOCAL) as client:
                built = MatrixRegister(settings, services, client)
                built.tokens = _sign_everyone_in(built)
                yield built
        finally:
            services.close()


def _fill(services: Services, folder: Path) -> None:
    record = minimal_record(
        REFERENCE,
        managing_agency="MPS",
        partner_agencies=["LDN-PROB", "HMP-X"],
        addresses=[{"town": "Salford", "postcode": "M6 5AB"}],
        warning_markers=["WEAPONS"],
        photos=[{"file": "photos/r1.png", "kind": "face"}],
    )
    photos = {"photos/r1.png": image_bytes((30, 160, 90), "PNG")}
    run_import(services, write_bundle(folder / "bundle", [record], photos))
    auditor = operator_auditor(services.settings)
    with services.engine.begin() as connection:
        for code in RELATIONS.values():
            agencies.add_agency(connection, code, f"{code} (test)", "police")
        partnerships.revoke_partnership(connection, auditor, REFERENCE, "HMP-X")
        wanted = {(who.username, who.agency, who.role) for who in principals()}
        for username, agency, role in sorted(wanted):
            users.add_user(
                connection,
                auditor,
                username,
                agency,
                users.parse_roles([role]),
                PASSWORD,
                argon2_parameters(services.settings),
            )


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def token_in_state(
    client: TestClient,
    services: Services,
    username: str,
    state: str,
    good: str | None = None,
) -> str | None:
    """A token for `username` in `state` ("valid", "no token", "expired", "other key",
    "alg none", "tampered", "disabled user", "signed out"), made from `good` (a valid token
    of theirs) if given, else from a new sign-in; "disabled user" disables the user and
    "signed out" ends its session, so give each of those a user of its own."""
    if state == "no token":
        return None
    good = good or token(client, username)
    claims = jwt.decode(good, options={"verify_signature": False})
    keys = signing_keys(services.settings)
    now = dt.datetime.now(dt.UTC)
    if state == "expired":
        past = now - dt.timedelta(hours=1)
        return issue_token(keys.tokens, username, claims["sid"], past, dt.timedelta(minutes=15))
    if state == "other key":
        other = b"another deployment's key, 32+ bytes long"
        return issue_token(other, username, claims["sid"], now, dt.timedelta(minutes=5))
    if state == "alg none":
        return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
    if state == "tampered":
        header, _payload, signature = good.split(".")
        return f"{header}.{_b64(claims | {'sub': 'mps.admin'})}.{signature}"
    if state == "disabled user":
        with services.engine.begin() as connection:
            users.set_enabled(connection, operator_auditor(services.settings), username, False)
    if state == "signed out":
        bearer = {"Authorization": f"Bearer {good}"}
        assert client.post("/api/v1/auth/logout", headers=bearer).status_code == 204
    return good


def _sign_everyone_in(built: MatrixRegister) -> dict[Who, str | None]:
    """One sign-in per user (Argon2 is the slow part); the forged states are made from it."""
    valid: dict[str, str] = {}
    tokens = {}
    for who in principals():
        if who.username not in valid and who.state != "no token":
            valid[who.username] = token(built.client, who.username)
        tokens[who] = token_in_state(
            built.client, built.services, who.username, who.state, valid.get(who.username)
        )
    return tokens


# -- running the rows -----------------------------------------------------------------------


@dataclass(frozen=True)
class Seen:
    row: str
    who: Who
    status: int
    text: str


def _current(services: Services, reference: str) -> tuple[dict[str, Any], int]:
    with services.engine.connect() as connection:
        return (
            to_document(store.get_record(connection, reference)),
            store.version_of(connection, reference),
        )


def run_matrix(built: MatrixRegister, rows: list[Row]) -> list[Seen]:
    """Every row as every principal, rows in order for each principal (so that a row may
    undo the one before: archive, then restore)."""
    serial = itertools.count()
    seen = []
    for who in principals():
        access = built.tokens[who]
        for row in rows:
            headers = {"Authorization": f"Bearer {access}"} if access else {}
            document, version = _current(built.services, row.reference)
            target = Target(who, document, version, next(serial))
            if row.if_match:
                headers["If-Match"] = f'"{version}"'
            kwargs: dict[str, Any] = {"headers": headers, "params": {**PURPOSE, **dict(row.params)}}
            if row.body is not None:
                kwargs["json"] = row.body(target)
            if row.content is not None:
                kwargs["content"] = row.content(target)
            url = row.path.format(reference=row.reference)
            answer = built.client.request(row.method, url, **kwargs)
            seen.append(Seen(row.name, who, answer.status_code, answer.text))
    return seen


def wrong_statuses(rows: list[Row], seen: list[Seen]) -> dict[tuple[str, Who], tuple[int, int]]:
    by_name = {row.name: row for row in rows}
    return {
        (s.row, s.who): (s.status, expected(by_name[s.row], s.who))
        for s in seen
        if s.status != expected(by_name[s.row], s.who)
    }


def unauthorised_successes(rows: list[Row], seen: list[Seen]) -> list[tuple[str, Who]]:
    by_name = {row.name: row for row in rows}
    return [
        (s.row, s.who)
        for s in seen
        if 200 <= s.status < 300 and not 200 <= expected(by_name[s.row], s.who) < 300
    ]


def restricted_leaks(built: MatrixRegister, seen: list[Seen]) -> list[tuple[str, Who, str]]:
    """Restricted field names or values in any answer to a role that may not see them."""
    policy = restriction_policy(built.settings)
    leaks = []
    for s in seen:
        principal_roles = frozenset({Role(s.who.role)})
        if principal_roles & policy.roles:
            continue
        for needle in (*RESTRICTED_VALUES, *(f'"{name}"' for name in policy.fields)):
            if needle in s.text:
                leaks.append((s.row, s.who, needle))
    return leaks
