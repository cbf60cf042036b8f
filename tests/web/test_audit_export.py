"""The audit log's export from the web page: a disclosure as `visor audit export` and the
API's export are, naming its recipient and purpose and the SHA-256 of what left, with the
restricted fields the auditor may not see redacted; refused without a recipient, without
the session's CSRF token, and to a role that may not read the audit trail."""

import csv
import hashlib
import io
import json

from fastapi.testclient import TestClient

from register import changes
from register.audit import LogFilter, read_log
from register.model import from_document
from tests.web.demo import DemoRegister
from tests.web.signing_in import csrf_of, sign_in
from visor.security import operator_auditor
from visor.services import build_services
from visor.settings import Settings

REFERENCE = "WEBEXPORT1"
POSTCODE = "ZZ9 9ZZ"


def _create_with_an_address(settings: Settings) -> None:
    """A nominal whose creation entry holds its address (a restricted field) in its details."""
    record = from_document(
        {
            "reference": REFERENCE,
            "names": [{"surname": "Exported"}],
            "sex": "M",
            "managing_agency": "GMP",
            "addresses": [{"text": "1 Example Street", "postcode": POSTCODE}],
        }
    )
    services = build_services(settings)
    try:
        with services.engine.begin() as connection:
            changes.create(connection, operator_auditor(settings), record, "export test")
    finally:
        services.close()


def _disclosures(settings: Settings) -> list[dict[str, object]]:
    services = build_services(settings)
    try:
        with services.engine.connect() as connection:
            wanted = LogFilter(user="mps.auditor", action="audit.export")
            return [e.model_dump() for e in read_log(connection, wanted)]
    finally:
        services.close()


def test_an_export_is_a_disclosure_with_its_recipient_and_purpose_and_restricted_fields_redacted(
    client: TestClient, demo: DemoRegister, demo_settings: Settings
) -> None:
    _create_with_an_address(demo_settings)
    sign_in(client, demo, "mps.auditor")
    page = client.get("/audit-log", params={"reference": REFERENCE}).text
    assert 'name="recipient"' in page and 'action="/audit-log/export"' in page
    form = {"csrf_token": csrf_of(page), "reference": REFERENCE, "purpose": "inspection 4"}
    before = len(_disclosures(demo_settings))

    unnamed = client.post("/audit-log/export", data=form | {"recipient": "  "})
    assert unnamed.status_code == 422 and "recipient" in unnamed.text
    forged = client.post("/audit-log/export", data=form | {"csrf_token": "", "recipient": "ICO"})
    assert forged.status_code == 403
    assert len(_disclosures(demo_settings)) == before

    answer = client.post("/audit-log/export", data=form | {"recipient": "ICO case 12"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    created = next(r for r in rows if r["action"] == "nominal.create")
    assert POSTCODE not in answer.text and "1 Example Street" not in answer.text
    assert created["redacted"] == "addresses"
    assert json.loads(created["details"])["after"]["reference"] == REFERENCE

    disclosed = _disclosures(demo_settings)
    assert len(disclosed) == before + 1
    entry = disclosed[-1]
    details = entry["details"]
    assert isinstance(details, dict)
    assert entry["target"] == "ICO case 12" and entry["purpose"] == "inspection 4"
    assert details["recipient"] == "ICO case 12" and details["entries"] == len(rows)
    assert details["sha256"] == hashlib.sha256(answer.content).hexdigest()
    assert details["filters"]["reference"] == REFERENCE
    assert REFERENCE in entry["references"]  # type: ignore[operator]


def test_an_officer_may_not_export_the_audit_log(client: TestClient, demo: DemoRegister) -> None:
    sign_in(client, demo, "mps.officer")
    csrf = csrf_of(client.get("/search").text)
    refused = client.post("/audit-log/export", data={"csrf_token": csrf, "recipient": "a friend"})
    assert refused.status_code == 403 and "may not" in refused.text
