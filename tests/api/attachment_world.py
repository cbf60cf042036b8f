"""A register for the attachment routes' tests: nominal R1 managed by MPS, partnered by
LDN-PROB, once partnered by HMP-X (revoked), never by GMP; a user of every role in each of
those agencies; bearer headers for any of them; and the expected status of each kind of
route for each (role, relation), so that the tests read as tables (the shape the generated
authorization matrix of tests/api/ takes)."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from fastapi.testclient import TestClient

from register import agencies, partnerships, users
from register.audit import LogFilter, LoggedEntry, read_log
from tests.api.sign_in import PASSWORD, token
from tests.conftest import image_bytes, minimal_record, run_import, write_bundle
from visor.security import argon2_parameters, operator_auditor
from visor.services import Services, build_services
from visor.settings import Settings

LOCAL = "http://localhost"
ROLES = ("viewer", "officer", "supervisor", "administrator", "auditor")
RELATIONS = {"managing": "MPS", "partner": "LDN-PROB", "revoked": "HMP-X", "unrelated": "GMP"}
READERS = {"viewer", "officer", "supervisor", "administrator"}
CHANGERS = {"officer", "supervisor"}
# Who sees restricted parts (documents, intelligence) by default.
RESTRICTED_READERS = {"officer", "supervisor"}
PURPOSE = {"purpose": "case 1"}


def expected_read(role: str, _relation: str) -> int:
    return 200 if role in READERS else 403


def expected_restricted_read(role: str, _relation: str) -> int:
    return 200 if role in RESTRICTED_READERS else 403


def expected_change(role: str, relation: str) -> int:
    return 201 if role in CHANGERS and relation in ("managing", "partner") else 403


@dataclass
class World:
    services: Services
    settings: Settings
    _tokens: dict[str, str] = field(default_factory=dict)

    def headers(self, client: TestClient, role: str, relation: str = "managing") -> dict[str, str]:
        username = f"{role}.{relation}"
        if username not in self._tokens:
            self._tokens[username] = token(client, username, PASSWORD)
        return {"Authorization": f"Bearer {self._tokens[username]}"}

    def entries(self, **wanted: object) -> list[LoggedEntry]:
        with self.services.engine.connect() as connection:
            return list(read_log(connection, LogFilter(**wanted)))  # type: ignore[arg-type]


def build_world(settings: Settings, tmp_path: Path) -> Iterator[World]:
    # A purpose is required, as outside the demo (the test settings do not require one).
    settings = Settings(
        home=settings.home, database_url=settings.database_url, require_purpose=True
    )
    services = build_services(settings)
    record = minimal_record(
        "R1",
        managing_agency="MPS",
        partner_agencies=["LDN-PROB", "HMP-X"],
        marks=[{"type": "tattoo", "location": "left forearm"}],
        photos=[{"file": "photos/r1.png", "kind": "face"}],
    )
    photos = {"photos/r1.png": image_bytes((30, 160, 90), "PNG")}
    run_import(services, write_bundle(tmp_path / "bundle", [record], photos))
    auditor = operator_auditor(settings)
    with services.engine.begin() as connection:
        for code in RELATIONS.values():
            agencies.add_agency(connection, code, f"{code} (test)", "police")
        partnerships.revoke_partnership(connection, auditor, "R1", "HMP-X")
        for relation, agency in RELATIONS.items():
            for role in ROLES:
                users.add_user(
                    connection,
                    auditor,
                    f"{role}.{relation}",
                    agency,
                    users.parse_roles([role]),
                    PASSWORD,
                    argon2_parameters(settings),
                )
    try:
        yield World(services, settings)
    finally:
        services.close()
