"""The record page's activity log and documents without a browser: added by the managing
agency's officers, refused (and changing nothing) to a viewer, an unrelated agency and a
file that is not a document; restricted parts left out for a viewer; every listing,
addition and download recorded as the API records it."""

from fastapi.testclient import TestClient

from register.audit import LogFilter, read_log
from tests.web.demo import DemoRegister
from tests.web.signing_in import csrf_of, sign_in
from visor.services import build_services
from visor.settings import Settings


def _actions(settings: Settings, user: str, reference: str) -> list[dict[str, object]]:
    services = build_services(settings)
    try:
        with services.engine.connect() as connection:
            wanted = LogFilter(user=user, reference=reference)
            return [e.model_dump() for e in read_log(connection, wanted)]
    finally:
        services.close()


def _add_activity(client: TestClient, reference: str, csrf: str, kind: str, text: str) -> int:
    answer = client.post(
        f"/nominals/{reference}/activity",
        data={"csrf_token": csrf, "kind": kind, "occurred_on": "2026-01-05", "text": text},
    )
    status: int = answer.status_code
    return status


def test_the_activity_log_is_added_to_by_its_agency_and_intelligence_withheld_from_a_viewer(
    client: TestClient, demo: DemoRegister, demo_settings: Settings
) -> None:
    reference = demo.live("GMP")[4]["reference"]
    sign_in(client, demo, "gmp.officer")
    page = client.get(f"/nominals/{reference}").text
    assert 'id="add-activity"' in page
    csrf = csrf_of(page)
    assert _add_activity(client, reference, csrf, "visit", "Home visit: new job at a garage") == 200
    assert _add_activity(client, reference, csrf, "intelligence", "Seen near the school") == 200
    shown = client.get(f"/nominals/{reference}").text
    assert "Home visit: new job at a garage" in shown and "Seen near the school" in shown
    assert _add_activity(client, reference, csrf, "gossip", "x") == 422
    assert _add_activity(client, reference, csrf, "visit", "   ") == 422
    actions = [e["action"] for e in _actions(demo_settings, "gmp.officer", reference)]
    assert actions.count("activity.add") == 2 and "activity.list" in actions

    sign_in(client, demo, "mps.viewer")
    viewed = client.get(f"/nominals/{reference}").text
    assert "Home visit: new job at a garage" in viewed
    assert "Seen near the school" not in viewed
    assert "Intelligence entries are not shown to your roles" in viewed
    assert 'id="add-activity"' not in viewed
    refused = _add_activity(client, reference, csrf_of(viewed), "visit", "a viewer's note")
    assert refused == 403
    sign_in(client, demo, "mps.officer")  # an agency neither managing nor a partner
    unrelated = client.get(f"/nominals/{reference}").text
    assert _add_activity(client, reference, csrf_of(unrelated), "visit", "not ours") == 403
    assert "a viewer&#39;s note" not in unrelated and "not ours" not in unrelated
    listed = _actions(demo_settings, "mps.viewer", reference)
    assert any(e["action"] == "activity.list" for e in listed)


def _upload(
    client: TestClient, reference: str, csrf: str, content: bytes, title: str = "Risk plan"
) -> tuple[int, str]:
    answer = client.post(
        f"/nominals/{reference}/documents",
        data={
            "csrf_token": csrf,
            "kind": "risk_management_plan",
            "title": title,
            "author": "Offender manager",
            "document_date": "2026-01-06",
        },
        files={"document": ("plan.pdf", content, "application/pdf")},
    )
    return answer.status_code, answer.text


def test_a_document_is_attached_listed_and_downloaded_as_audited_and_refused_when_not_one(
    client: TestClient, demo: DemoRegister, demo_settings: Settings
) -> None:
    reference = demo.live("GMP")[5]["reference"]
    sign_in(client, demo, "gmp.officer")
    csrf = csrf_of(client.get(f"/nominals/{reference}").text)
    # Named plan.pdf and sent as a PDF, but an executable: refused by its content.
    status, refusal = _upload(client, reference, csrf, b"MZ\x90\x00 a Windows program")
    assert status == 422 and "Windows executable" in refusal
    status, page = _upload(client, reference, csrf, b"Plan: weekly visits.\n")
    assert status == 200 and "Document attached" in page and "Risk plan" in page
    link = page.split('href="/documents/')[1].split('"')[0]
    downloaded = client.get(f"/documents/{link}")
    assert downloaded.status_code == 200
    assert downloaded.content == b"Plan: weekly visits.\n"
    assert downloaded.headers["content-type"].startswith("text/plain")
    assert "attachment" in downloaded.headers["content-disposition"]
    actions = [e["action"] for e in _actions(demo_settings, "gmp.officer", reference)]
    assert actions.count("document.add") == 1
    assert "document.list" in actions and "document.download" in actions

    sign_in(client, demo, "mps.viewer")
    viewed = client.get(f"/nominals/{reference}").text
    assert "Documents are not shown to your roles" in viewed and "Risk plan" not in viewed
    refused = client.get(f"/documents/{link}")
    assert refused.status_code == 403 and "restricted to" in refused.text
    status, _ = _upload(client, reference, csrf_of(viewed), b"a viewer's plan", "Viewer's")
    assert status == 403
    sign_in(client, demo, "gmp.officer")
    listed = client.get(f"/nominals/{reference}").text
    assert listed.count('href="/documents/') == 1


def test_the_activity_log_shows_its_newest_page_and_links_to_the_older_entries(
    client: TestClient, demo: DemoRegister
) -> None:
    reference = demo.live("GMP")[0]["reference"]
    sign_in(client, demo, "gmp.officer")
    csrf = csrf_of(client.get(f"/nominals/{reference}").text)
    for day in range(1, 52):  # one more than a page, each on its own day
        answer = client.post(
            f"/nominals/{reference}/activity",
            data={
                "csrf_token": csrf,
                "kind": "other",
                "occurred_on": f"2025-{1 + (day - 1) // 28:02d}-{1 + (day - 1) % 28:02d}",
                "text": f"paged entry {day:02d}",
            },
            follow_redirects=False,
        )
        assert answer.status_code == 303
    first = client.get(f"/nominals/{reference}").text
    assert "paged entry 51" in first and "paged entry 02" in first
    assert "paged entry 01" not in first
    older = first.split('id="older-activity"')[0].rsplit('href="', 1)[1].split('"')[0]
    second = client.get(older.replace("&amp;", "&")).text
    assert "paged entry 01" in second and "paged entry 02" not in second
    assert 'id="older-activity"' not in second
