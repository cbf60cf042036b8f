"""Signing in and who may ask what, through the real API on SQLite and PostgreSQL: the whole
matrix of route x role x agency x token state with the status each must get (no unauthorised
2xx anywhere), lock-out, idle and absolute expiry, cookie sessions and CSRF, restricted
fields, the purpose rule, and the audit entry every answer leaves."""

import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from api.app import create_app
from register import agencies, partnerships, tables, users
from register.audit import LogFilter, read_log
from tests.api.matrix import token_in_state
from tests.api.sign_in import PASSWORD, token
from tests.conftest import image_bytes, minimal_record, run_import, write_bundle
from visor.security import argon2_parameters, operator_auditor
from visor.services import Services, build_services
from visor.settings import Settings

LOCAL = "http://localhost"
ROLES = ("viewer", "officer", "supervisor", "administrator", "auditor")
# The nominal below is managed by MPS; LDN-PROB is a partner, HMP-X was one (revoked), GMP
# never was. Searching is national: the agency must make no difference to it.
RELATIONS = {"managing": "MPS", "partner": "LDN-PROB", "revoked": "HMP-X", "unrelated": "GMP"}
SEARCHERS = {"viewer", "officer", "supervisor", "administrator"}
TOKEN_STATES = (
    "valid",
    "no token",
    "expired",
    "other key",
    "alg none",
    "tampered",
    "disabled user",
    "signed out",
)


@pytest.fixture
def register(settings: Settings, tmp_path: Path) -> Iterator[Services]:
    services = build_services(settings)
    record = minimal_record(
        "R1",
        managing_agency="MPS",
        partner_agencies=["LDN-PROB", "HMP-X"],
        addresses=[{"town": "Salford", "postcode": "M6 5AB"}],
        photos=[{"file": "photos/r1.png", "kind": "face"}],
    )
    photos = {"photos/r1.png": image_bytes((30, 160, 90), "PNG")}
    run_import(services, write_bundle(tmp_path / "bundle", [record], photos))
    with services.engine.begin() as connection:
        for code in RELATIONS.values():
            agencies.add_agency(connection, code, f"{code} (test)", "police")
        # HMP-X's partnership ends, as the managing agency would end it.
        partnerships.revoke_partnership(connection, operator_auditor(settings), "R1", "HMP-X")
    yield services
    services.close()


def add_users(services: Services, wanted: list[tuple[str, str, str]]) -> None:
    """(username, agency, role) each, in one transaction."""
    auditor = operator_auditor(services.settings)
    with services.engine.begin() as connection:
        for username, agency, role in wanted:
            users.add_user(
                connection,
                auditor,
                username,
                agency,
                users.parse_roles([role]),
                PASSWORD,
                argon2_parameters(services.settings),
            )


def _expected(route: str, role: str, state: str) -> int:
    if state != "valid":
        return 401
    if route == "me":
        return 200
    return 200 if role in SEARCHERS else 403


def test_every_route_role_agency_and_token_state_gets_its_status(
    settings: Settings, register: Services
) -> None:
    photo = image_bytes((30, 160, 90), "PNG")
    purpose = {"purpose": "case 1"}
    routes: dict[str, Callable[[TestClient, dict[str, str]], int]] = {
        "search": lambda c, h: (
            c.post("/api/v1/search", json={"sex": "M"}, headers=h, params=purpose).status_code
        ),
        "photo": lambda c, h: (
            c.post("/api/v1/search/photo", content=photo, headers=h, params=purpose).status_code
        ),
        "me": lambda c, h: c.get("/api/v1/auth/me", headers=h).status_code,
    }
    cases = [
        (
            f"{role}.{relation}" + (".disabled" if state == "disabled user" else ""),
            relation,
            role,
            state,
        )
        for relation in RELATIONS
        for role in ROLES
        for state in TOKEN_STATES
    ]
    add_users(register, sorted({(n, RELATIONS[rel], role) for n, rel, role, _ in cases}))
    seen: dict[tuple[str, str, str, str], int] = {}
    with TestClient(create_app(settings), base_url=LOCAL) as client:
        for username, relation, role, state in cases:
            access = token_in_state(client, register, username, state)
            headers = {"Authorization": f"Bearer {access}"} if access else {}
            for route, call in routes.items():
                seen[(route, role, relation, state)] = call(client, headers)
    assert len(seen) == len(routes) * len(ROLES) * len(RELATIONS) * len(TOKEN_STATES)
    wrong = {key: got for key, got in seen.items() if got != _expected(key[0], key[1], key[3])}
    assert wrong == {}
    unauthorised = [
        key
        for key, got in seen.items()
        if 200 <= got < 300 and (key[3] != "valid" or (key[0] != "me" and key[1] not in SEARCHERS))
    ]
    assert unauthorised == []


def _set_session(services: Services, **values: object) -> None:
    with services.engine.begin() as connection:
        connection.execute(update(tables.sessions).values(**values))


def test_lock_out_after_repeated_failures_and_unlock(
    settings: Settings, register: Services
) -> None:
    add_users(register, [("locked.out", "MPS", "officer")])
    wrong = {"username": "locked.out", "password": "not the password!"}
    right = {"username": "locked.out", "password": PASSWORD}
    with TestClient(create_app(settings), base_url=LOCAL) as client:
        for _ in range(settings.lockout_threshold):
            refused = client.post("/api/v1/auth/token", data=wrong)
            assert refused.status_code == 401
            assert refused.headers["www-authenticate"] == "Bearer"
        # Locked: even the right password is refused, with the same answer as a wrong one.
        locked = client.post("/api/v1/auth/token", data=right)
        assert locked.status_code == 401 and locked.json() == refused.json()
        unknown = client.post("/api/v1/auth/token", data={"username": "nobody", "password": "x"})
        assert unknown.json() == refused.json()
        with register.engine.begin() as connection:
            users.unlock(connection, operator_auditor(settings), "locked.out")
        assert client.post("/api/v1/auth/token", data=right).status_code == 200
        # A lock that has run out lets the right password in again.
        for _ in range(settings.lockout_threshold):
            client.post("/api/v1/auth/token", data=wrong)
        with register.engine.begin() as connection:
            past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
            connection.execute(update(tables.users).values(locked_until=past))
        assert client.post("/api/v1/auth/token", data=right).status_code == 200
    with register.engine.connect() as connection:
        reasons = [
            e.details.get("reason")
            for e in read_log(connection, LogFilter(user="locked.out", action="sign_in"))
        ]
    assert reasons[: settings.lockout_threshold + 1] == ["wrong password"] * 5 + ["account locked"]
    assert None in reasons  # the successful sign-ins are there too


def test_idle_timeout_absolute_lifetime_and_password_change_end_sessions(
    settings: Settings, register: Services
) -> None:
    add_users(register, [("idle.user", "MPS", "viewer")])
    me = "/api/v1/auth/me"
    with TestClient(create_app(settings), base_url=LOCAL) as client:
        bearer = {"Authorization": f"Bearer {token(client, 'idle.user')}"}
        assert client.get(me, headers=bearer).status_code == 200
        idle = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=settings.session_idle_minutes + 1)
        _set_session(register, last_seen_at=idle)
        assert client.get(me, headers=bearer).status_code == 401
        # Ended for good: moving the clock back does not bring it back.
        _set_session(register, last_seen_at=dt.datetime.now(dt.UTC))
        assert client.get(me, headers=bearer).status_code == 401

        bearer = {"Authorization": f"Bearer {token(client, 'idle.user')}"}
        assert client.get(me, headers=bearer).status_code == 200
        _set_session(register, expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
        assert client.get(me, headers=bearer).status_code == 401

        bearer = {"Authorization": f"Bearer {token(client, 'idle.user')}"}
        with register.engine.begin() as connection:
            users.reset_password(
                connection,
                operator_auditor(settings),
                "idle.user",
                "a brand new password",
                argon2_parameters(settings),
            )
        assert client.get(me, headers=bearer).status_code == 401
        refreshed = client.post("/api/v1/auth/refresh", headers=bearer)
        assert refreshed.status_code == 401


def test_cookie_sessions_need_their_csrf_token_for_writes(
    settings: Settings, register: Services
) -> None:
    add_users(register, [("web.user", "MPS", "officer"), ("other.user", "MPS", "officer")])
    form = {"username": "web.user", "password": PASSWORD}
    with TestClient(create_app(settings), base_url="https://localhost") as client:
        signed = client.post("/api/v1/auth/session", data=form)
        assert signed.status_code == 200
        cookies = signed.headers.get_list("set-cookie")
        session_cookie = next(c for c in cookies if c.startswith("visor_session="))
        assert "HttpOnly" in session_cookie and "SameSite=strict" in session_cookie
        assert "Secure" in session_cookie
        csrf = signed.json()["csrf_token"]
        assert client.get("/api/v1/auth/me").status_code == 200  # a read needs no CSRF token
        search = "/api/v1/search"
        assert client.post(search, json={"sex": "M"}).status_code == 403
        wrong = client.post(search, json={"sex": "M"}, headers={"X-CSRF-Token": "0" * 64})
        assert wrong.status_code == 403
        good = client.post(search, json={"sex": "M"}, headers={"X-CSRF-Token": csrf})
        assert good.status_code == 200
        foreign = client.post(
            search,
            json={"sex": "M"},
            headers={"X-CSRF-Token": csrf, "Origin": "https://evil.example"},
        )
        assert foreign.status_code == 403
        # Another session's CSRF token does not fit this session.
        with TestClient(create_app(settings), base_url="https://localhost") as other:
            theirs = other.post(
                "/api/v1/auth/session", data={"username": "other.user", "password": PASSWORD}
            ).json()["csrf_token"]
        assert (
            client.post(search, json={"sex": "M"}, headers={"X-CSRF-Token": theirs}).status_code
            == 403
        )
        assert client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
        assert client.get("/api/v1/auth/me").status_code == 401
    with TestClient(create_app(settings), base_url=LOCAL) as plain:
        cookie = plain.post("/api/v1/auth/session", data=form).headers["set-cookie"]
        assert "Secure" not in cookie  # over plain HTTP a Secure cookie would never come back


def test_searches_are_audited_need_a_purpose_and_hide_restricted_fields(
    settings: Settings, register: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VISOR_REQUIRE_PURPOSE")
    strict = Settings(home=settings.home, database_url=settings.database_url)
    assert strict.purpose_required
    add_users(register, [("an.officer", "GMP", "officer"), ("a.viewer", "GMP", "viewer")])
    query = {"sex": "M", "area": "Salford"}
    with TestClient(create_app(strict), base_url=LOCAL) as client:
        officer = {"Authorization": f"Bearer {token(client, 'an.officer')}"}
        viewer = {"Authorization": f"Bearer {token(client, 'a.viewer')}"}
        missing = client.post("/api/v1/search", json=query, headers=officer)
        assert missing.status_code == 422 and "purpose" in missing.json()["detail"]
        blank = client.post("/api/v1/search", json=query, headers=officer, params={"purpose": " "})
        assert blank.status_code == 422
        params = {"purpose": "incident 4471/26"}
        seen = client.post("/api/v1/search", json=query, headers=officer, params=params).json()
        hidden = client.post("/api/v1/search", json=query, headers=viewer, params=params)
        text = client.post(
            "/api/v1/search",
            json={"text": "a man who lives in Salford"},
            headers=viewer,
            params=params,
        )
    assert [e["attribute"] for e in seen["candidates"][0]["explanation"]].count("area") == 1
    assert hidden.status_code == 200
    for answer in (hidden, text):
        assert "Salford" not in json.dumps(answer.json()["candidates"])
        assert not any(
            e["attribute"] == "area" for c in answer.json()["candidates"] for e in c["explanation"]
        )
        assert "has lived there" not in answer.text
    assert "area" not in hidden.json()["query"]
    with register.engine.connect() as connection:
        entries = list(read_log(connection, LogFilter(action="search")))
    assert [(e.actor, e.agency, e.purpose) for e in entries] == [
        ("an.officer", "GMP", "incident 4471/26"),
        ("a.viewer", "GMP", "incident 4471/26"),
        ("a.viewer", "GMP", "incident 4471/26"),
    ]
    assert entries[0].references == [c["reference"] for c in seen["candidates"]] == ["R1"]
    assert entries[0].client and entries[0].details["query"]["area"] == "Salford"


def test_a_missing_or_placeholder_secret_key_is_refused_outside_the_demo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from foundation.errors import InvalidInput

    monkeypatch.delenv("VISOR_SECRET_KEY")
    with pytest.raises(InvalidInput, match="VISOR_SECRET_KEY is not set"):
        create_app(Settings(home=tmp_path))
    for placeholder in ("changeme", "short-key"):
        with pytest.raises(ValueError, match=r"secret_key"):
            Settings(home=tmp_path, secret_key=placeholder)
    (tmp_path / ".visor-demo").write_text("demo")
    create_app(Settings(home=tmp_path))  # the demo makes a key of its own
    assert (tmp_path / ".visor-demo-key").stat().st_mode & 0o077 == 0
