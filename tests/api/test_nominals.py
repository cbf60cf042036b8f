"""The nominal routes through the real API, on SQLite and PostgreSQL: create, read with its
ETag, replace against If-Match (428 without, 412 when stale, nothing lost), fields the
caller may not see kept, archive and restore, history, the paged list, items added one at
a time, and the audit entry each leaves."""

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from register import store
from register.audit import LogFilter, read_log
from register.model import NominalRecord
from tests.api.sign_in import add_user, token
from tests.conftest import minimal_record
from visor.services import build_services
from visor.settings import Settings

LOCAL = "http://localhost"
URL = "/api/v1/nominals"


def _bearer(
    client: TestClient, settings: Settings, username: str, **user: object
) -> dict[str, str]:
    add_user(settings, username, **user)  # type: ignore[arg-type]
    return {"Authorization": f"Bearer {token(client, username)}"}


def _actions(settings: Settings, reference: str) -> list[tuple[str, str | None]]:
    services = build_services(settings)
    try:
        with services.engine.connect() as connection:
            return [
                (e.action, e.actor) for e in read_log(connection, LogFilter(reference=reference))
            ]
    finally:
        services.close()


def test_create_read_replace_with_if_match(settings: Settings) -> None:
    with TestClient(create_app(settings), base_url=LOCAL) as client:
        officer = _bearer(client, settings, "pc.mps")
        record = minimal_record("MPS/2026/0001", addresses=[{"town": "Leeds"}])
        created = client.post(URL, json=record, headers=officer)
        assert created.status_code == 201, created.text
        assert created.headers["location"] == f"{URL}/MPS/2026/0001"
        assert created.headers["etag"] == '"1"'
        assert created.json()["managing_agency"] == "MPS"  # the creator's agency
        again = client.post(URL, json=record, headers=officer)
        assert again.status_code == 409 and again.json()["status"] == 409

        read = client.get(f"{URL}/MPS/2026/0001", headers=officer, params={"purpose": "case 1"})
        assert read.status_code == 200 and read.headers["etag"] == '"1"'
        document = read.json()
        assert document["addresses"] == [{"town": "Leeds"}]

        changed = {**document, "eye_colour": "blue"}
        missing = client.put(f"{URL}/MPS/2026/0001", json=changed, headers=officer)
        assert missing.status_code == 428
        assert "If-Match" in missing.json()["detail"]
        first = client.put(
            f"{URL}/MPS/2026/0001", json=changed, headers={**officer, "If-Match": '"1"'}
        )
        assert first.status_code == 200 and first.headers["etag"] == '"2"'
        stale = client.put(
            f"{URL}/MPS/2026/0001",
            json={**document, "eye_colour": "green"},
            headers={**officer, "If-Match": '"1"'},
        )
        assert stale.status_code == 412
        assert stale.json()["current_version"] == 2 and stale.headers["etag"] == '"2"'
        now = client.get(f"{URL}/MPS/2026/0001", headers=officer).json()
        assert now["eye_colour"] == "blue"  # the stale write lost nothing and changed nothing

        elsewhere = client.put(
            f"{URL}/MPS/2026/0001",
            json={**now, "reference": "MPS/2026/0002"},
            headers={**officer, "If-Match": '"2"'},
        )
        assert elsewhere.status_code == 422
        garbage = client.put(
            f"{URL}/MPS/2026/0001", json=now, headers={**officer, "If-Match": "W/2"}
        )
        assert garbage.status_code == 422
        invalid = client.put(
            f"{URL}/MPS/2026/0001",
            json={**now, "sex": "Q"},
            headers={**officer, "If-Match": '"2"'},
        )
        assert invalid.status_code == 422 and "sex" in invalid.json()["detail"]
        assert client.get(f"{URL}/NOPE", headers=officer).status_code == 404
    assert [a for a, _ in _actions(settings, "MPS/2026/0001")] == [
        "nominal.create",
        "nominal.view",
        "nominal.update",
        "nominal.view",
    ]


def test_fields_hidden_from_a_writer_are_kept_and_may_not_be_sent(
    settings: Settings,
) -> None:
    # Only supervisors see addresses here: an officer may change the record but not them.
    strict = settings.model_copy(update={"restricted_field_roles": ("supervisor",)})
    with TestClient(create_app(strict), base_url=LOCAL) as client:
        supervisor = _bearer(client, strict, "sgt.mps", roles=("supervisor",))
        officer = _bearer(client, strict, "pc.mps")
        record = minimal_record("R1", addresses=[{"town": "Leeds", "postcode": "LS1 1AA"}])
        assert client.post(URL, json=record, headers=supervisor).status_code == 201
        seen = client.get(f"{URL}/R1", headers=officer)
        assert "addresses" not in seen.json() and "Leeds" not in seen.text
        replaced = client.put(
            f"{URL}/R1",
            json={**seen.json(), "eye_colour": "blue"},
            headers={**officer, "If-Match": '"1"'},
        )
        assert replaced.status_code == 200 and "addresses" not in replaced.json()
        assert client.get(f"{URL}/R1", headers=supervisor).json()["addresses"] == [
            {"town": "Leeds", "postcode": "LS1 1AA"}
        ]
        probing = client.put(
            f"{URL}/R1",
            json={**seen.json(), "addresses": [{"town": "Leeds", "postcode": "LS1 1AA"}]},
            headers={**officer, "If-Match": '"2"'},
        )
        assert probing.status_code == 403 and "Leeds" not in probing.text
        adding = client.post(
            f"{URL}/R1/addresses", json={"town": "York"}, headers={**officer, "If-Match": '"2"'}
        )
        assert adding.status_code == 403
        history = client.get(f"{URL}/R1/history", headers=officer).json()
        assert [v["version"] for v in history] == [1, 2]
        assert all("addresses" not in v["document"] for v in history)
        assert "addresses" not in history[0]["changed_fields"]
        assert "Leeds" not in client.get(f"{URL}/R1/history", headers=officer).text


def test_archive_restore_items_and_the_paged_list(settings: Settings) -> None:
    with TestClient(create_app(settings), base_url=LOCAL) as client:
        officer = _bearer(client, settings, "pc.mps")
        for number in range(7):
            reference = f"MPS/{number:02d}"
            assert client.post(URL, json=minimal_record(reference), headers=officer).is_success
        archived = client.post(
            f"{URL}/MPS/03/archive", json={"reason": "deceased"}, headers=officer
        )
        assert archived.status_code == 200 and archived.json()["status"] == "archived"
        assert archived.headers["etag"] == '"2"'
        blank = client.post(f"{URL}/MPS/03/restore", json={"reason": "  "}, headers=officer)
        assert blank.status_code == 422
        twice = client.post(f"{URL}/MPS/03/archive", json={"reason": "again"}, headers=officer)
        assert twice.status_code == 409
        restored = client.post(f"{URL}/MPS/03/restore", json={"reason": "error"}, headers=officer)
        assert restored.json()["status"] == "live" and restored.headers["etag"] == '"3"'

        mark = {"type": "tattoo", "location": "left forearm", "description": "a snake"}
        added = client.post(
            f"{URL}/MPS/01/marks", json=mark, headers={**officer, "If-Match": '"1"'}
        )
        assert added.status_code == 201 and added.headers["etag"] == '"2"'
        assert added.json()["marks"] == [mark]
        mo = client.post(
            f"{URL}/MPS/01/mo",
            json={"text": "poses as a meter reader"},
            headers={**officer, "If-Match": '"2"'},
        )
        assert mo.json()["modus_operandi"] == [{"text": "poses as a meter reader"}]
        for path, item in [
            ("offences", {"description": "burglary", "date": "2020-01-02"}),
            ("addresses", {"town": "Hull"}),
            ("associates", {"reference": "MPS/02", "relationship": "brother"}),
        ]:
            version = client.get(f"{URL}/MPS/01", headers=officer).headers["etag"]
            answer = client.post(
                f"{URL}/MPS/01/{path}", json=item, headers={**officer, "If-Match": version}
            )
            assert answer.status_code == 201, answer.text
        bad = client.post(
            f"{URL}/MPS/01/marks", json={"type": "wart"}, headers={**officer, "If-Match": '"6"'}
        )
        assert bad.status_code == 422 and "marks[1]" in bad.json()["detail"]
        stale = client.post(
            f"{URL}/MPS/01/marks", json=mark, headers={**officer, "If-Match": '"1"'}
        )
        assert stale.status_code == 412

        pages, cursor = [], None
        while True:
            params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
            page = client.get(URL, params=params, headers=officer).json()
            pages.append(page["references"])
            # A record added before the cursor shifts no later page.
            if len(pages) == 1:
                assert client.post(URL, json=minimal_record("MPS/00a"), headers=officer).is_success
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert pages == [
            ["MPS/00", "MPS/01", "MPS/02"],
            ["MPS/03", "MPS/04", "MPS/05"],
            ["MPS/06"],
        ]
        assert client.get(URL, params={"cursor": "not*ours"}, headers=officer).status_code == 422
        assert client.get(URL, params={"cursor": "Li4v"}, headers=officer).status_code == 422
    actions = _actions(settings, "MPS/03")
    assert [a for a, _ in actions] == [
        "nominal.create",
        "nominal.archive",
        "nominal.restore",
        "nominal.list",  # the page that returned it
    ]


@pytest.mark.parametrize(
    "path",
    ["A/../B", "A//B", "./A", "A/.", "%2e%2e/etc/passwd", "A%00B", "A%0AB", "x" * 65, "-A"],
)
def test_hostile_references_in_paths_are_refused(settings: Settings, path: str) -> None:
    with TestClient(create_app(settings), base_url=LOCAL) as client:
        officer = _bearer(client, settings, "pc.mps")
        answer = client.get(f"{URL}/{path}", headers=officer)
        assert answer.status_code in (404, 422), answer.text
        assert answer.headers["content-type"] == "application/problem+json"


def test_a_check_failing_in_a_hidden_field_is_not_told(settings: Settings) -> None:
    """Adding an item re-checks the whole record, hidden fields too; if a stored hidden
    field fails (written before a rule existed), the writer is told that much, not what."""
    strict = settings.model_copy(update={"restricted_field_roles": ("supervisor",)})
    services = build_services(strict)
    # Written past the checks, as an old import might have: `to` before `from`.
    stored = minimal_record(
        "R2",
        managing_agency="MPS",
        addresses=[{"town": "Leeds", "from": "2020-05-01", "to": "2019-04-01"}],
    )
    with services.engine.begin() as connection:
        store.write_records(
            connection, [store.Incoming(NominalRecord.model_validate(stored))], actor="test"
        )
    services.close()
    with TestClient(create_app(strict), base_url=LOCAL) as client:
        officer = _bearer(client, strict, "pc.mps")
        answer = client.post(
            f"{URL}/R2/marks",
            json={"type": "scar", "location": "chin"},
            headers={**officer, "If-Match": '"1"'},
        )
    assert answer.status_code == 422
    assert "a field you may not see fails a check" in answer.json()["detail"]
    assert "2019" not in answer.text and "addresses" not in answer.text
