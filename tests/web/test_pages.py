"""The pages without a browser: CSRF refusals, permission refusals (recorded), redaction,
the purpose prompt, session expiry, validation and stale edits; nothing stored is changed
by what is refused."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from register import store
from register.audit import LogFilter, read_log
from tests.web.demo import DemoRegister, patterned_photo
from tests.web.signing_in import csrf_of, sign_in, version_of
from visor.demo import witness_description
from visor.services import build_services
from visor.settings import Settings


def _version(settings: Settings, reference: str) -> int:
    services = build_services(settings)
    try:
        with services.engine.connect() as connection:
            return store.find_existing(connection, [reference])[reference].version
    finally:
        services.close()


def _log(settings: Settings, **wanted: str) -> list[dict[str, object]]:
    services = build_services(settings)
    try:
        with services.engine.connect() as connection:
            return [e.model_dump() for e in read_log(connection, LogFilter(**wanted))]  # type: ignore[arg-type]
    finally:
        services.close()


@pytest.fixture
def gmp_nominal(demo: DemoRegister) -> str:
    reference: str = demo.live("GMP")[-1]["reference"]
    return reference


def test_pages_need_a_session_and_an_ended_one_says_so(
    client: TestClient, demo: DemoRegister
) -> None:
    answer = client.get("/search", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/sign-in")
    sign_in(client, demo, "mps.officer")
    page = client.get("/search").text
    signed_out = client.post("/sign-out", data={"csrf_token": csrf_of(page)})
    assert "You have signed out" in signed_out.text
    # The browser still holds the old cookie: the session it names has ended.
    client.cookies.set("visor_session", "x.y.z")
    again = client.get("/search", follow_redirects=True)
    assert again.url.path == "/sign-in" and "session has ended" in again.text


def test_a_sign_in_posted_from_another_site_is_refused(
    client: TestClient, demo: DemoRegister
) -> None:
    answer = client.post(
        "/sign-in",
        data={"username": "mps.officer", "password": demo.passwords["mps.officer"]},
        headers={"Origin": "https://evil.example"},
    )
    assert answer.status_code == 403 and "visor_session" not in answer.cookies


def test_an_auditor_goes_from_sign_in_to_the_audit_log(
    client: TestClient, demo: DemoRegister
) -> None:
    sign_in(client, demo, "mps.auditor")
    landed = client.get("/search")
    assert landed.url.path == "/audit-log" and "Audit log" in landed.text


def test_a_refused_sign_in_says_the_account_may_be_locked(client: TestClient) -> None:
    answer = client.post("/sign-in", data={"username": "mps.officer", "password": "wrong"})
    assert answer.status_code == 401
    assert "locked" in answer.text and "unlock" in answer.text


def test_every_page_carries_a_strict_content_security_policy(
    client: TestClient, demo: DemoRegister
) -> None:
    sign_in(client, demo, "mps.officer")
    for path in (
        "/sign-in",
        "/search",
        f"/nominals/{demo.live('GMP')[0]['reference']}",
        "/partnerships",
    ):
        policy = client.get(path).headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy


def test_a_form_post_without_the_sessions_csrf_token_is_refused_and_changes_nothing(
    client: TestClient, demo: DemoRegister, demo_settings: Settings, gmp_nominal: str
) -> None:
    sign_in(client, demo, "gmp.officer")
    page = client.get(f"/nominals/{gmp_nominal}/edit").text
    version = version_of(page)
    for sent in ("", "0" * 64):
        answer = client.post(
            f"/nominals/{gmp_nominal}/edit",
            data={"csrf_token": sent, "version": str(version), "build": "stocky"},
        )
        assert answer.status_code == 403
    cross_site = client.post(
        f"/nominals/{gmp_nominal}/edit",
        data={"csrf_token": csrf_of(page), "version": str(version), "build": "stocky"},
        headers={"Origin": "https://evil.example"},
    )
    assert cross_site.status_code == 403
    assert _version(demo_settings, gmp_nominal) == version
    refused = _log(demo_settings, user="gmp.officer")
    assert any(e["outcome"] == "refused" and e["action"] == "web.save_nominal" for e in refused)
    assert client.post("/sign-out", data={"csrf_token": ""}).status_code == 403


def test_a_viewer_and_an_unrelated_officer_may_not_edit(
    client: TestClient, demo: DemoRegister, demo_settings: Settings, gmp_nominal: str
) -> None:
    version = _version(demo_settings, gmp_nominal)
    for username in ("mps.viewer", "mps.officer"):
        sign_in(client, demo, username)
        page = client.get(f"/nominals/{gmp_nominal}")
        assert page.status_code == 200 and "Edit this record" not in page.text
        assert client.get(f"/nominals/{gmp_nominal}/edit").status_code == 403
        answer = client.post(
            f"/nominals/{gmp_nominal}/edit",
            data={"csrf_token": csrf_of(page.text), "version": str(version), "build": "stocky"},
        )
        assert answer.status_code == 403
    assert _version(demo_settings, gmp_nominal) == version


@pytest.mark.parametrize(
    ("username", "path"),
    [
        ("mps.officer", "/audit-log"),
        ("mps.officer", "/audits/photos"),
        ("mps.officer", "/audits/compliance"),
        ("mps.officer", "/admin"),
        ("mps.viewer", "/nominals/new"),
        ("mps.auditor", "/search?text=a+tall+man"),
    ],
)
def test_pages_refuse_the_roles_they_are_not_for(
    client: TestClient, demo: DemoRegister, username: str, path: str
) -> None:
    sign_in(client, demo, username)
    answer = client.get(path)
    assert answer.status_code == 403
    assert "may not" in answer.text


def test_an_administrator_manages_only_their_own_agencys_users(
    client: TestClient, demo: DemoRegister, demo_settings: Settings
) -> None:
    sign_in(client, demo, "mps.admin")
    page = client.get("/admin")
    assert "mps.viewer" in page.text and "gmp.officer" not in page.text
    csrf = csrf_of(page.text)
    refused = client.post("/admin/users/gmp.officer/disable", data={"csrf_token": csrf})
    assert refused.status_code == 403
    added = client.post(
        "/admin/users",
        data={
            "csrf_token": csrf,
            "username": "mps.newcomer",
            "password": "a long enough passphrase",
            "roles": ["viewer"],
        },
    )
    assert added.status_code == 200 and "mps.newcomer" in added.text
    assert any(e["action"] == "user.add" for e in _log(demo_settings, user="mps.admin"))


def test_restricted_fields_are_left_out_for_a_viewer_on_the_record_and_the_pack(
    client: TestClient, demo: DemoRegister, demo_settings: Settings
) -> None:
    wanted = next(
        d for d in demo.live("GMP") if any(a.get("postcode") for a in d.get("addresses", []))
    )
    postcode = next(a["postcode"] for a in wanted["addresses"] if a.get("postcode"))
    sign_in(client, demo, "gmp.officer")
    assert postcode in client.get(f"/nominals/{wanted['reference']}").text
    sign_in(client, demo, "mps.viewer")
    record = client.get(f"/nominals/{wanted['reference']}").text
    assert postcode not in record and "Not shown to your roles: addresses" in record
    pack = client.get(
        "/search/pack", params={"text": witness_description(wanted), "purpose": "op 7"}
    )
    assert pack.status_code == 200 and wanted["reference"] in pack.text
    assert postcode not in pack.text and "mps.viewer" in pack.text and "op 7" in pack.text
    disclosed = _log(demo_settings, user="mps.viewer", action="disclosure.candidate_pack")
    assert disclosed and disclosed[-1]["purpose"] == "op 7"
    assert wanted["reference"] in disclosed[-1]["references"]  # type: ignore[operator]


def test_an_invalid_edit_names_the_field_and_a_stale_one_shows_the_difference(
    client: TestClient, demo: DemoRegister, demo_settings: Settings, gmp_nominal: str
) -> None:
    sign_in(client, demo, "gmp.officer")
    page = client.get(f"/nominals/{gmp_nominal}/edit").text
    csrf, version = csrf_of(page), version_of(page)
    invalid = client.post(
        f"/nominals/{gmp_nominal}/edit",
        data={"csrf_token": csrf, "version": str(version), "height_cm": "tall", "mappa_level": "7"},
    )
    assert invalid.status_code == 422
    assert 'id="e-height_cm-problem"' in invalid.text
    assert _version(demo_settings, gmp_nominal) == version
    saved = client.post(
        f"/nominals/{gmp_nominal}/edit",
        data={"csrf_token": csrf, "version": str(version), "accent": "Geordie"},
    )
    assert saved.status_code == 200 and "Saved." in saved.text
    stale = client.post(
        f"/nominals/{gmp_nominal}/edit",
        data={"csrf_token": csrf, "version": str(version), "accent": "Brummie"},
    )
    assert stale.status_code == 409 and "someone else changed this record first" in stale.text
    assert "Brummie" in stale.text and "Geordie" in stale.text
    assert _version(demo_settings, gmp_nominal) == version + 1


def test_a_search_is_audited_with_its_purpose_and_shows_what_was_not_understood(
    client: TestClient, demo: DemoRegister, demo_settings: Settings
) -> None:
    sign_in(client, demo, "gmp.officer")
    answer = client.get("/search", params={"text": "tall man, frobnicated", "purpose": "case 41"})
    assert answer.status_code == 200
    assert "Not understood" in answer.text and "frobnicated" in answer.text
    searches = _log(demo_settings, user="gmp.officer", action="search")
    assert searches[-1]["purpose"] == "case 41"
    bad = client.get("/search", params={"mode": "fields", "age_min": "old", "sex": "M"})
    assert bad.status_code == 422 and "not a whole number" in bad.text


@pytest.fixture
def purposeful(demo_settings: Settings) -> Iterator[TestClient]:
    settings = demo_settings.model_copy(update={"require_purpose": True})
    with TestClient(create_app(settings), base_url="http://localhost") as test_client:
        yield test_client


def test_a_record_asks_for_the_purpose_first_when_the_deployment_requires_one(
    purposeful: TestClient, demo: DemoRegister, demo_settings: Settings
) -> None:
    reference = demo.live("GMP")[0]["reference"]
    sign_in(purposeful, demo, "gmp.officer")
    before = len(_log(demo_settings, user="gmp.officer", action="nominal.view"))
    prompt = purposeful.get(f"/nominals/{reference}")
    assert "Why are you looking?" in prompt.text and 'name="purpose"' in prompt.text
    assert len(_log(demo_settings, user="gmp.officer", action="nominal.view")) == before
    shown = purposeful.get(f"/nominals/{reference}", params={"purpose": "case 9"})
    assert reference in shown.text
    assert _log(demo_settings, user="gmp.officer", action="nominal.view")[-1]["purpose"] == "case 9"
    refused = purposeful.get("/search", params={"text": "tall man"})
    assert refused.status_code == 422 and "purpose" in refused.text


def test_a_photo_upload_is_refused_to_a_viewer_on_a_stale_version_or_when_not_a_photo(
    client: TestClient, demo: DemoRegister, demo_settings: Settings
) -> None:
    reference = demo.live("GMP")[1]["reference"]
    version = _version(demo_settings, reference)

    def upload(content: bytes, at_version: int, csrf: str) -> int:
        answer = client.post(
            f"/nominals/{reference}/photos",
            data={"csrf_token": csrf, "version": str(at_version), "kind": "face"},
            files={"photo": ("photo.jpg", content, "image/jpeg")},
        )
        status: int = answer.status_code
        return status

    sign_in(client, demo, "mps.viewer")
    csrf = csrf_of(client.get(f"/nominals/{reference}").text)
    assert upload(patterned_photo(2), version, csrf) == 403
    sign_in(client, demo, "gmp.officer")
    page = client.get(f"/nominals/{reference}").text
    assert 'id="add-photo"' in page
    csrf = csrf_of(page)
    assert upload(b"not a photo at all", version, csrf) == 422
    assert upload(patterned_photo(2), version - 1, csrf) == 409
    assert _version(demo_settings, reference) == version
    assert upload(patterned_photo(2), version, csrf) == 200
    assert _version(demo_settings, reference) == version + 1


def test_bad_input_gets_a_clear_answer_and_user_text_is_shown_inert(
    client: TestClient, demo: DemoRegister
) -> None:
    sign_in(client, demo, "gmp.officer")
    hostile = client.get("/search", params={"text": "<script>alert(1)</script> tall man"})
    assert hostile.status_code in (200, 422)
    assert "<script>alert(1)" not in hostile.text and "&lt;script&gt;" in hostile.text
    missing = client.get("/nominals/NO-SUCH-REF")
    assert missing.status_code == 404 and "NO-SUCH-REF" in missing.text
    assert client.get("/search", params={"text": "a man", "top": "lots"}).status_code == 422
    assert client.get("/search", params={"text": "a man", "status": "gone"}).status_code == 422
    reference = demo.live("GMP")[0]["reference"]
    assert client.get(f"/nominals/{reference}/photos/{'0' * 64}").status_code == 404
    sign_in(client, demo, "mps.auditor")
    when = client.get("/audit-log", params={"since": "yesterday"})
    assert when.status_code == 422 and "not a date" in when.text


def test_partnership_asked_granted_and_revoked_and_a_transfer_accepted_through_the_pages(
    client: TestClient, demo: DemoRegister, demo_settings: Settings
) -> None:
    # A nominal of its own, made through the create page: GMP manages it.
    reference = "WEBPART01"
    sign_in(client, demo, "gmp.officer")
    form = {"surname": "Partnered", "sex": "F", "reference": reference, "reason": "test"}
    created = client.post(
        "/nominals/new", data={"csrf_token": csrf_of(client.get("/nominals/new").text), **form}
    )
    assert created.status_code == 200 and "Managed by GMP" in created.text
    sign_in(client, demo, "mps.officer")
    csrf = csrf_of(client.get("/partnerships").text)
    asked = client.post(
        "/partnerships/ask", data={"csrf_token": csrf, "reference": reference, "reason": "op 3"}
    )
    assert asked.status_code == 200 and reference in asked.text

    sign_in(client, demo, "gmp.officer")
    page = client.get("/partnerships").text
    request_id = page.split(f'href="/nominals/{reference}"')[1].split("/partnerships/")[1]
    request_id = request_id.split("/")[0]
    refused = client.post(
        f"/partnerships/{request_id}/decide",
        data={"csrf_token": csrf_of(page), "decision": "grant"},
    )
    assert refused.status_code == 403  # an officer, not a supervisor

    sign_in(client, demo, "gmp.supervisor")
    csrf = csrf_of(client.get("/partnerships").text)
    granted = client.post(
        f"/partnerships/{request_id}/decide", data={"csrf_token": csrf, "decision": "grant"}
    )
    assert granted.status_code == 200 and "Done: granted" in granted.text
    assert "MPS" in client.get(f"/nominals/{reference}").text.split("partners:")[1][:200]
    revoked = client.post(
        "/partnerships/revoke", data={"csrf_token": csrf, "reference": reference, "agency": "MPS"}
    )
    assert revoked.status_code == 200 and "Done: revoked" in revoked.text

    moved = client.post(
        "/partnerships/ask",
        data={
            "csrf_token": csrf,
            "reference": reference,
            "kind": "transfer",
            "to_agency": "LDN-PROB",
        },
    )
    assert moved.status_code == 200
    sign_in(client, demo, "probation.supervisor")
    page = client.get("/partnerships").text
    transfer_id = page.split(f'href="/nominals/{reference}"')[1].split("/transfers/")[1]
    transfer_id = transfer_id.split("/")[0]
    accepted = client.post(f"/transfers/{transfer_id}/accept", data={"csrf_token": csrf_of(page)})
    assert accepted.status_code == 200 and "Done: accepted" in accepted.text
    assert "Managed by LDN-PROB" in client.get(f"/nominals/{reference}").text
    decisions = {e["action"] for e in _log(demo_settings, reference=reference)}
    assert "nominal.update" in decisions


def test_forms_on_a_record_return_to_it_with_the_purpose_it_was_opened_for(
    purposeful: TestClient, demo: DemoRegister, demo_settings: Settings
) -> None:
    """Where a purpose is required, a form posted from the record comes back to the record
    (not to the purpose prompt, which would lose the note of what was done)."""
    reference = demo.live("GMP")[2]["reference"]
    sign_in(purposeful, demo, "gmp.officer")
    record = purposeful.get(f"/nominals/{reference}", params={"purpose": "case 12"}).text
    csrf = csrf_of(record)
    photo = purposeful.post(
        f"/nominals/{reference}/photos",
        data={"csrf_token": csrf, "version": str(version_of(record)), "purpose": "case 12"},
        files={"photo": ("photo.jpg", patterned_photo(3), "image/jpeg")},
    )
    assert photo.status_code == 200 and 'id="photo-verdict"' in photo.text
    edit = purposeful.get(f"/nominals/{reference}/edit", params={"purpose": "case 12"}).text
    saved = purposeful.post(
        f"/nominals/{reference}/edit",
        data={"csrf_token": csrf_of(edit), "version": str(version_of(edit)), "purpose": "case 12"}
        | {"hair_colour": "grey"},
    )
    assert saved.status_code == 200 and "Saved." in saved.text
    entry = {"kind": "visit", "occurred_on": "2026-01-09", "text": "Seen at home"}
    added = purposeful.post(
        f"/nominals/{reference}/activity",
        data={"csrf_token": csrf, "purpose": "case 12"} | entry,
    )
    assert added.status_code == 200 and "Entry added to the activity log" in added.text
    views = _log(demo_settings, user="gmp.officer", action="nominal.view")
    assert views[-1]["purpose"] == "case 12"
