"""Partnership and transfer requests through the API on SQLite and PostgreSQL: asked for by
the agencies the rules name, decided only by a supervisor of the managing (or receiving)
agency, listed for the caller's own agency, each step changing the record and the rights it
gives, and audited."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from register import store
from tests.api.attachment_world import LOCAL, World, build_world
from visor.settings import Settings

ASK = "/api/v1/nominals/R1/partnership-requests"
TEXT = {"Content-Type": "text/plain"}


@pytest.fixture
def world(settings: Settings, tmp_path: Path) -> Iterator[World]:
    yield from build_world(settings, tmp_path)


def _record(world: World) -> tuple[str | None, list[str]]:
    with world.services.engine.connect() as connection:
        record = store.get_record(connection, "R1")
    return record.managing_agency, record.partner_agencies


def test_a_partnership_is_asked_for_granted_refused_and_revoked(world: World) -> None:
    with TestClient(create_app(world.settings), base_url=LOCAL) as client:

        def h(role: str, relation: str) -> dict[str, str]:
            return world.headers(client, role, relation)

        # Who may ask: an officer or supervisor of an agency without a partnership.
        assert client.post(ASK, json={}, headers=h("viewer", "unrelated")).status_code == 403
        assert client.post(ASK, json={}, headers=h("officer", "managing")).status_code == 403
        assert client.post(ASK, json={}, headers=h("officer", "partner")).status_code == 403
        asked = client.post(ASK, json={"reason": "joint op"}, headers=h("officer", "unrelated"))
        assert asked.status_code == 201, asked.text
        request = asked.json()
        assert (request["state"], request["agency"], request["requesting_agency"]) == (
            "pending",
            "GMP",
            "GMP",
        )
        again = client.post(ASK, json={}, headers=h("supervisor", "unrelated"))
        assert again.status_code == 409
        refused_ask = client.post(ASK, json={}, headers=h("officer", "revoked"))
        assert refused_ask.status_code == 201

        # Listed for the agencies concerned only.
        managing = client.get("/api/v1/requests", headers=h("supervisor", "managing")).json()
        assert {r["id"] for r in managing["incoming"]} == {request["id"], refused_ask.json()["id"]}
        gmp = client.get("/api/v1/requests", headers=h("officer", "unrelated")).json()
        assert [r["id"] for r in gmp["outgoing"]] == [request["id"]] and gmp["incoming"] == []
        for role in ("viewer", "auditor", "administrator"):
            listed = client.get("/api/v1/requests", headers=h(role, "managing"))
            assert listed.status_code == 403, role

        # Decided by a supervisor of the managing agency, and nobody else.
        grant = f"/api/v1/partnership-requests/{request['id']}/grant"
        for role, relation in [
            ("officer", "managing"),
            ("supervisor", "partner"),
            ("supervisor", "unrelated"),
            ("administrator", "managing"),
        ]:
            assert client.post(grant, headers=h(role, relation)).status_code == 403
        # GMP is not a partner yet: its officer may not add to R1.
        doc = {"kind": "other", "title": "t", "author": "a", "document_date": "2026-01-01"}
        add = "/api/v1/nominals/R1/documents"
        denied = client.post(
            add, content=b"x", params=doc, headers={**h("officer", "unrelated"), **TEXT}
        )
        assert denied.status_code == 403
        granted = client.post(grant, headers=h("supervisor", "managing"))
        assert granted.status_code == 200 and granted.json()["state"] == "granted"
        assert granted.json()["decided_by"] == "supervisor.managing"
        assert client.post(grant, headers=h("supervisor", "managing")).status_code == 409
        assert _record(world)[1] == ["GMP", "LDN-PROB"]
        allowed = client.post(
            add, content=b"x", params=doc, headers={**h("officer", "unrelated"), **TEXT}
        )
        assert allowed.status_code == 201

        refuse = f"/api/v1/partnership-requests/{refused_ask.json()['id']}/refuse"
        refused = client.post(refuse, headers=h("supervisor", "managing"))
        assert refused.status_code == 200 and refused.json()["state"] == "refused"
        assert "HMP-X" not in _record(world)[1]

        revoke = "/api/v1/nominals/R1/partners/GMP"
        assert client.delete(revoke, headers=h("supervisor", "unrelated")).status_code == 403
        assert client.delete(revoke, headers=h("supervisor", "managing")).status_code == 204
        assert client.delete(revoke, headers=h("supervisor", "managing")).status_code == 409
        assert _record(world)[1] == ["LDN-PROB"]
        again_denied = client.post(
            add, content=b"y", params=doc, headers={**h("officer", "unrelated"), **TEXT}
        )
        assert again_denied.status_code == 403

        for bad, status in [("abc", 422), ("0", 422), ("99999", 404), ("-1", 422)]:
            got = client.post(
                f"/api/v1/partnership-requests/{bad}/grant", headers=h("supervisor", "managing")
            )
            assert got.status_code == status, bad
    actions = [e.action for e in world.entries(reference="R1") if e.actor != "test"]
    assert actions.count("partnership.request") == 2 and "partnership.refuse" in actions
    decisions = [e.details.get("decision") for e in world.entries(action="nominal.update")]
    assert decisions[-2:] == ["granted", "revoked"]
    assert world.entries(action="request.list")[0].references == ["R1"]


def test_management_is_transferred_on_request_and_acceptance(world: World) -> None:
    with TestClient(create_app(world.settings), base_url=LOCAL) as client:

        def h(role: str, relation: str) -> dict[str, str]:
            return world.headers(client, role, relation)

        url = "/api/v1/nominals/R1/transfer-requests"
        to_gmp = {"to_agency": "GMP", "reason": "moved to Manchester"}
        assert client.post(url, json=to_gmp, headers=h("officer", "managing")).status_code == 403
        assert client.post(url, json=to_gmp, headers=h("supervisor", "partner")).status_code == 403
        to_self = client.post(url, json={"to_agency": "MPS"}, headers=h("supervisor", "managing"))
        assert to_self.status_code == 409
        missing = client.post(url, json={"reason": "x"}, headers=h("supervisor", "managing"))
        assert missing.status_code == 422 and "to_agency" in missing.json()["detail"]
        asked = client.post(url, json=to_gmp, headers=h("supervisor", "managing"))
        assert asked.status_code == 201, asked.text
        accept = f"/api/v1/transfer-requests/{asked.json()['id']}/accept"
        gmp = client.get("/api/v1/requests", headers=h("supervisor", "unrelated")).json()
        assert [r["kind"] for r in gmp["incoming"]] == ["transfer"]
        for role, relation in [
            ("officer", "unrelated"),
            ("supervisor", "managing"),
            ("supervisor", "partner"),
        ]:
            assert client.post(accept, headers=h(role, relation)).status_code == 403
        # A transfer request is not a partnership request to grant.
        grant = f"/api/v1/partnership-requests/{asked.json()['id']}/grant"
        assert client.post(grant, headers=h("supervisor", "managing")).status_code == 409
        accepted = client.post(accept, headers=h("supervisor", "unrelated"))
        assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
    assert _record(world) == ("GMP", ["LDN-PROB", "MPS"])
    moved = world.entries(action="nominal.update")[-1]
    assert (
        moved.actor == "supervisor.unrelated" and moved.details["after"]["managing_agency"] == "GMP"
    )
