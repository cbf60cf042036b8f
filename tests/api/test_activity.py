"""The activity log through the API on SQLite and PostgreSQL: who may add and read it,
intelligence entries withheld from roles that may not see them, pages with a stable cursor,
entries that cannot be changed or removed even by SQL, and an audit entry for each access."""

import base64
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, update
from sqlalchemy.exc import DatabaseError

from api.app import create_app
from register import tables
from tests.api.attachment_world import (
    LOCAL,
    PURPOSE,
    RELATIONS,
    ROLES,
    World,
    build_world,
    expected_change,
    expected_read,
)
from visor.settings import Settings

URL = "/api/v1/nominals/R1/activity"
VISIT = {"kind": "visit", "occurred_on": "2026-06-01", "text": "Home visit: compliant."}


@pytest.fixture
def world(settings: Settings, tmp_path: Path) -> Iterator[World]:
    yield from build_world(settings, tmp_path)


def test_who_may_add_and_read_the_activity_log(world: World) -> None:
    seen = {}
    with TestClient(create_app(world.settings), base_url=LOCAL) as client:
        for role in ROLES:
            for relation in RELATIONS:
                headers = world.headers(client, role, relation)
                added = client.post(URL, json=VISIT, headers=headers).status_code
                read = client.get(URL, headers=headers, params=PURPOSE).status_code
                seen[(role, relation)] = (added, read)
    wrong = {
        key: got for key, got in seen.items() if got != (expected_change(*key), expected_read(*key))
    }
    assert wrong == {}


def test_intelligence_is_withheld_from_roles_that_may_not_see_it(world: World) -> None:
    secret = "Informant says he has a new car, a blue Corsa"
    with TestClient(create_app(world.settings), base_url=LOCAL) as client:
        officer = world.headers(client, "officer")
        intelligence = {"kind": "intelligence", "occurred_on": "2026-06-02", "text": secret}
        assert client.post(URL, json=intelligence, headers=officer).status_code == 201
        assert client.post(URL, json=VISIT, headers=officer).status_code == 201
        for role, relation, sees in [
            ("viewer", "managing", False),
            ("administrator", "partner", False),
            ("officer", "managing", True),
            ("supervisor", "unrelated", True),  # restricted by role, not by agency
        ]:
            page = client.get(URL, headers=world.headers(client, role, relation), params=PURPOSE)
            kinds = [entry["kind"] for entry in page.json()["entries"]]
            assert (secret in page.text) is sees, (role, relation)
            assert kinds == (["intelligence", "visit"] if sees else ["visit"])
            assert page.json()["intelligence_withheld"] is not sees
    # The audit trail records the addition, never the intelligence itself.
    added = world.entries(action="activity.add")
    assert [e.details["kind"] for e in added] == ["intelligence", "visit"]
    assert all(secret not in str(e.details) for e in world.entries())
    listed = world.entries(action="activity.list", user="viewer.managing")
    assert listed[0].purpose == "case 1" and listed[0].details["withheld"] == ["intelligence"]


def test_pages_follow_a_stable_cursor(world: World) -> None:
    days = ["2026-01-05", "2026-03-01", "2026-03-01", "2026-02-10", "2026-03-01", "2025-12-31"]
    with TestClient(create_app(world.settings), base_url=LOCAL) as client:
        officer = world.headers(client, "officer", "partner")
        ids = []
        for number, day in enumerate(days):
            entry = {"kind": "other", "occurred_on": day, "text": f"note {number}"}
            answer = client.post(URL, json=entry, headers=officer)
            assert answer.status_code == 201, answer.text
            assert answer.json()["agency"] == "LDN-PROB"
            ids.append(answer.json()["id"])
        expected = [e for _d, e in sorted(zip(days, ids, strict=True), reverse=True)]
        shown: list[int] = []
        cursor = None
        pages = 0
        while True:
            params = {**PURPOSE, "limit": "2", **({"cursor": cursor} if cursor else {})}
            page = client.get(URL, headers=officer, params=params).json()
            shown += [entry["id"] for entry in page["entries"]]
            pages += 1
            if pages == 1:  # an entry added meanwhile, older than the page: shown in turn
                late = {"kind": "other", "occurred_on": "2025-06-01", "text": "late"}
                expected.append(client.post(URL, json=late, headers=officer).json()["id"])
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert shown == expected and pages == 4
        beyond = base64.urlsafe_b64encode(b"2026-01-01/9999999999").decode()
        for bad in ("nonsense", "MjAyNi0wMS0wMQ", "x" * 101, "Li4vLi4v", beyond):
            refused = client.get(URL, headers=officer, params={**PURPOSE, "cursor": bad})
            assert refused.status_code == 422, bad


def test_bad_entries_are_refused_with_a_reason(world: World) -> None:
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    with TestClient(create_app(world.settings), base_url=LOCAL) as client:
        officer = world.headers(client, "officer")
        for body, reason in [
            ({**VISIT, "kind": "gossip"}, "kind"),
            ({**VISIT, "occurred_on": tomorrow}, "in the future"),
            ({**VISIT, "text": "   "}, "text: say what happened"),
            ({**VISIT, "text": "a\x00b"}, "NUL"),
            ({"kind": "visit"}, "occurred_on"),
        ]:
            answer = client.post(URL, json=body, headers=officer)
            assert answer.status_code == 422 and reason in answer.json()["detail"], answer.text
        raw = client.post(URL, content=b"{not json", headers=officer)
        assert raw.status_code == 422
        big = client.post(URL, content=b" " * (300 * 1024), headers=officer)
        assert big.status_code == 413 and "larger than 262144 bytes" in big.json()["detail"]
        nobody = client.post("/api/v1/nominals/NOPE/activity", json=VISIT, headers=officer)
        assert nobody.status_code == 404
    assert world.entries(action="activity.add") == []


def test_entries_cannot_be_changed_or_removed(world: World) -> None:
    with TestClient(create_app(world.settings), base_url=LOCAL) as client:
        added = client.post(URL, json=VISIT, headers=world.headers(client, "officer"))
        assert added.status_code == 201
    a = tables.activity_entries
    for statement in (update(a).values(text="rewritten"), delete(a)):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            world.services.engine.begin() as connection,
        ):
            connection.execute(statement)
    with TestClient(create_app(world.settings), base_url=LOCAL) as client:
        page = client.get(URL, headers=world.headers(client, "viewer"), params=PURPOSE)
        assert [entry["text"] for entry in page.json()["entries"]] == [VISIT["text"]]
