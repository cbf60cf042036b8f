"""The audit trail through the API on SQLite and PostgreSQL: read by auditors only, by nominal
("who looked at this record?"), user and period, a page at a time; exported as CSV or JSON
Lines for a regulator, the export recorded as a disclosure naming its recipient and the
SHA-256 of exactly what was handed over; and every reading recorded too."""

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from tests.api.attachment_world import LOCAL, PURPOSE, RELATIONS, ROLES, World, build_world
from visor.audit_commands import CSV_COLUMNS
from visor.settings import Settings

ENTRIES = "/api/v1/audit/entries"
EXPORTS = "/api/v1/audit/exports"


@pytest.fixture
def world(settings: Settings, tmp_path: Path) -> Iterator[World]:
    yield from build_world(settings, tmp_path)


def test_only_auditors_read_and_export_the_audit_trail(world: World) -> None:
    seen = {}
    with TestClient(create_app(world.settings), base_url=LOCAL) as client:
        for role in ROLES:
            for relation in RELATIONS:
                headers = world.headers(client, role, relation)
                read = client.get(ENTRIES, headers=headers).status_code
                export = client.post(
                    EXPORTS, headers=headers, params={"recipient": "ICO", **PURPOSE}
                ).status_code
                seen[(role, relation)] = (read, export)
    expected = {key: (200, 200) if key[0] == "auditor" else (403, 403) for key in seen}
    assert seen == expected
    assert len(world.entries(action="audit.read")) == len(RELATIONS)
    assert len(world.entries(action="audit.export")) == len(RELATIONS)


def test_who_looked_at_this_record(world: World) -> None:
    with TestClient(create_app(world.settings), base_url=LOCAL) as client:
        viewer = world.headers(client, "viewer", "unrelated")
        officer = world.headers(client, "officer", "partner")
        activity = "/api/v1/nominals/R1/activity"
        assert client.get(activity, headers=viewer, params={"purpose": "op X"}).status_code == 200
        note = {"kind": "visit", "occurred_on": "2026-01-02", "text": "seen"}
        assert client.post(activity, json=note, headers=officer).status_code == 201
        auditor = world.headers(client, "auditor", "unrelated")
        about = client.get(ENTRIES, headers=auditor, params={"reference": "R1"}).json()
        looked = [(e["actor"], e["action"], e["purpose"]) for e in about["entries"]]
        assert ("viewer.unrelated", "activity.list", "op X") in looked
        assert ("officer.partner", "activity.add", None) in looked
        assert all("R1" in (e["target"], *e["references"]) for e in about["entries"])
        by_user = client.get(ENTRIES, headers=auditor, params={"user": "viewer.unrelated"})
        assert {e["actor"] for e in by_user.json()["entries"]} == {"viewer.unrelated"}
        later = client.get(ENTRIES, headers=auditor, params={"since": "2999-01-01"}).json()
        assert later == {"entries": [], "next_cursor": None}
        earlier = client.get(ENTRIES, headers=auditor, params={"until": "2000-01-01"}).json()
        assert earlier["entries"] == []
        for bad in ({"since": "yesterday"}, {"cursor": "-1"}, {"cursor": "1e9"}, {"limit": "0"}):
            refused = client.get(ENTRIES, headers=auditor, params=bad)
            assert refused.status_code == 422, bad

        # Pages: oldest first, each entry once, however the pages fall.
        everything = [
            e["seq"]
            for e in client.get(ENTRIES, headers=auditor, params={"limit": "1000"}).json()[
                "entries"
            ]
        ]
        shown: list[int] = []
        cursor = None
        while True:
            params = {"limit": "7", **({"cursor": cursor} if cursor else {})}
            page = client.get(ENTRIES, headers=auditor, params=params).json()
            shown += [e["seq"] for e in page["entries"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        # Each page's own reading is appended behind it, and shown by the later pages.
        assert shown[: len(everything)] == everything and shown == sorted(set(shown))
    reads = world.entries(action="audit.read", user="auditor.unrelated")
    assert reads[0].references == ["R1"] and reads[0].details["filters"] == {
        "reference": "R1",
        "after_seq": 0,
    }


def test_an_export_for_a_regulator_is_recorded_as_a_disclosure(world: World) -> None:
    with TestClient(create_app(world.settings), base_url=LOCAL) as client:
        viewer = world.headers(client, "viewer")
        client.get("/api/v1/nominals/R1/activity", headers=viewer, params=PURPOSE)
        auditor = world.headers(client, "auditor")
        missing = client.post(EXPORTS, headers=auditor, params=PURPOSE)
        assert missing.status_code == 422
        blank = client.post(EXPORTS, headers=auditor, params={"recipient": "  ", **PURPOSE})
        assert blank.status_code == 422 and "recipient" in blank.json()["detail"]
        unstated = client.post(EXPORTS, headers=auditor, params={"recipient": "ICO"})
        assert unstated.status_code == 422 and "purpose" in unstated.json()["detail"]
        params = {"recipient": "Information Commissioner's Office", "purpose": "ICO case 77"}
        exported = client.post(EXPORTS, headers=auditor, params=params)
        assert exported.status_code == 200, exported.text
        assert exported.headers["content-type"] == "text/csv; charset=utf-8"
        assert exported.headers["content-disposition"].startswith(
            'attachment; filename="audit-export-'
        )
        rows = list(csv.reader(io.StringIO(exported.text)))
        assert tuple(rows[0]) == CSV_COLUMNS
        assert len(rows) - 1 == int(exported.headers["x-audit-entries"]) > 10
        digest = hashlib.sha256(exported.content).hexdigest()
        assert exported.headers["x-export-sha256"] == digest
        lines = client.post(
            EXPORTS, headers=auditor, params={**params, "format": "jsonl", "reference": "R1"}
        )
        assert lines.headers["content-type"] == "application/x-ndjson"
        entries = [json.loads(line) for line in lines.text.splitlines()]
        assert entries and all("R1" in (e["target"], *e["references"]) for e in entries)
        assert any(
            e["action"] == "activity.list" and e["actor"] == "viewer.managing" for e in entries
        )
    disclosures = world.entries(action="audit.export")
    assert [(d.target, d.purpose, d.details["format"]) for d in disclosures] == [
        ("Information Commissioner's Office", "ICO case 77", "csv"),
        ("Information Commissioner's Office", "ICO case 77", "jsonl"),
    ]
    assert disclosures[0].details["sha256"] == digest
    assert disclosures[0].details["entries"] == len(rows) - 1
    assert disclosures[1].references == ["R1"]


def test_auditors_read_changes_without_the_restricted_fields(world: World) -> None:
    address = {"town": "Wigan", "text": "12 Hope Street"}
    with TestClient(create_app(world.settings), base_url=LOCAL) as client:
        officer = world.headers(client, "officer")
        version = client.get("/api/v1/nominals/R1", headers=officer, params=PURPOSE)
        added = client.post(
            "/api/v1/nominals/R1/addresses",
            json=address,
            headers={**officer, "If-Match": version.headers["etag"]},
        )
        assert added.status_code == 201, added.text
        auditor = world.headers(client, "auditor")
        params = {"reference": "R1", "action": "nominal.update"}
        page = client.get(ENTRIES, headers=auditor, params=params).json()["entries"]
        exported = client.post(
            EXPORTS, headers=auditor, params={**params, "recipient": "ICO", **PURPOSE}
        )
    change = page[-1]
    assert change["details"]["changed_fields"] == ["addresses"]
    assert change["redacted"] == ["addresses"] and "addresses" not in change["details"]["after"]
    assert "Hope Street" not in str(page) and "Hope Street" not in exported.text
    assert "addresses" in exported.text  # named as redacted, and as the field changed
    # The register's own copy keeps it (the hash covers it); the operator's log shows it.
    assert world.entries(action="nominal.update")[-1].details["after"]["addresses"]
