"""Signing a test client in, as the web UI or a script would: a real user in the register,
a real password, a real token from POST /api/v1/auth/token."""

from fastapi.testclient import TestClient

from register import agencies, users
from register.principals import AgencyKind
from visor.security import argon2_parameters, operator_auditor
from visor.services import build_services
from visor.settings import Settings

PASSWORD = "correct horse battery staple"


def add_user(
    settings: Settings,
    username: str,
    agency: str = "MPS",
    roles: tuple[str, ...] = ("officer",),
    kind: AgencyKind = AgencyKind.POLICE,
    password: str = PASSWORD,
) -> None:
    services = build_services(settings)
    auditor = operator_auditor(settings)
    try:
        with services.engine.begin() as connection:
            if agencies.find_agency(connection, agency) is None:
                agencies.add_agency(connection, agency, f"{agency} (test)", kind)
            users.add_user(
                connection,
                auditor,
                username,
                agency,
                users.parse_roles(roles),
                password,
                argon2_parameters(settings),
            )
    finally:
        services.close()


def token(client: TestClient, username: str, password: str = PASSWORD) -> str:
    answer = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert answer.status_code == 200, answer.text
    access: str = answer.json()["access_token"]
    return access


def sign_in(
    client: TestClient, settings: Settings, username: str = "investigator", **user: str
) -> None:
    """Create the user and sign the client in with a bearer token."""
    add_user(settings, username, **user)  # type: ignore[arg-type]
    client.headers["Authorization"] = f"Bearer {token(client, username)}"
