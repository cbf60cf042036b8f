"""`audit_compliance` over a real register (SQLite and PostgreSQL)."""

import datetime as dt
import json
from pathlib import Path

import pytest

from audits.compliance import ComplianceAudit, audit_compliance
from audits.policy import AuditPolicy
from audits.report_html import compliance_report_html
from register import changes, store
from register.activity import NewActivity, add_activity
from register.audit import Auditor
from register.principals import Principal, Role
from tests.audits.test_photo_audit import assert_self_contained
from tests.conftest import minimal_record, run_import, write_bundle
from visor.security import chain_signer
from visor.services import Services

AS_OF = dt.date(2026, 11, 30)


def _weeks_ago(weeks: int) -> str:
    return (AS_OF - dt.timedelta(weeks=weeks)).isoformat()


COMPLETE = {
    "height_cm": 180,
    "dates_of_birth": ["1980-01-01"],
    "marks": [{"type": "scar", "location": "left cheek"}],
    "modus_operandi": [{"text": "offers lifts"}],
}


@pytest.fixture
def register(services: Services, tmp_path: Path) -> Services:
    lines = [
        minimal_record(
            "L3/OK", managing_agency="GMP", mappa_level=3, last_reviewed=_weeks_ago(7), **COMPLETE
        ),
        minimal_record(
            "L3/LATE", managing_agency="GMP", mappa_level=3, last_reviewed=_weeks_ago(9), **COMPLETE
        ),
        minimal_record(
            "L2/OK", managing_agency="MPS", mappa_level=2, last_reviewed=_weeks_ago(15), **COMPLETE
        ),
        minimal_record(
            "L2/LATE",
            managing_agency="MPS",
            mappa_level=2,
            last_reviewed=_weeks_ago(17),
            **COMPLETE,
        ),
        minimal_record("L2/NEVER", managing_agency="MPS", mappa_level=2, **COMPLETE),
        minimal_record(
            "L1/BARE",
            managing_agency="MPS",
            mappa_level=1,
            wanted_missing=True,
            partner_agencies=["GMP", "WM-PROB"],
        ),
    ]
    summary, rejects = run_import(services, write_bundle(tmp_path / "bundle", lines))
    assert rejects == [] and summary.created == len(lines)
    return services


def _audit(services: Services, policy: AuditPolicy | None = None, **kw: str) -> ComplianceAudit:
    with services.engine.connect() as connection:
        return audit_compliance(connection, policy or AuditPolicy(), AS_OF, **kw)


def _codes(audit: ComplianceAudit, reference: str) -> set[str]:
    return {f.code for r in audit.records if r.reference == reference for f in r.flags}


def test_reviews_overdue_by_mappa_level(register: Services) -> None:
    audit = _audit(register)
    overdue = {r.reference for r in audit.records for f in r.flags if f.code == "review_overdue"}
    assert overdue == {"L3/LATE", "L2/LATE", "L2/NEVER"}
    late = next(
        f
        for r in audit.records
        if r.reference == "L3/LATE"
        for f in r.flags
        if f.code == "review_overdue"
    )
    assert late.severity == "high" and "7 days overdue" in late.detail
    never = next(
        f
        for r in audit.records
        if r.reference == "L2/NEVER"
        for f in r.flags
        if f.code == "review_overdue"
    )
    assert never.severity == "medium" and "no review recorded" in never.detail
    assert (audit.summary["reviews_audited"], audit.summary["reviews_overdue"]) == (5, 3)
    assert audit.summary["never_reviewed"] == 1


def test_the_review_intervals_are_policy(register: Services) -> None:
    strict = _audit(register, AuditPolicy(review_weeks={3: 4, 2: 16, 1: 52}))
    overdue = {r.reference for r in strict.records for f in r.flags if f.code == "review_overdue"}
    assert overdue == {"L3/OK", "L3/LATE", "L2/LATE", "L2/NEVER", "L1/BARE"}


def test_incomplete_records_and_wanted_nominals(register: Services) -> None:
    audit = _audit(register)
    assert _codes(audit, "L1/BARE") == {
        "no_face_photo",
        "missing_height",
        "missing_date_of_birth",
        "missing_marks",
        "missing_mo",
        "wanted_missing",
    }
    assert _codes(audit, "L3/OK") == {"no_face_photo"}
    assert audit.records[0].flags[0].severity == "high"


def test_counts_per_agency_and_the_agency_filter(register: Services) -> None:
    audit = _audit(register)
    by = {a.agency: a for a in audit.agencies}
    assert (by["GMP"].nominals, by["GMP"].mappa_level_3, by["GMP"].reviews_overdue) == (2, 2, 1)
    assert (by["MPS"].nominals, by["MPS"].reviews_overdue, by["MPS"].never_reviewed) == (4, 2, 1)
    mps = _audit(register, agency="MPS")
    assert {r.managing_agency for r in mps.records} == {"MPS"} and mps.summary["nominals"] == 4


def test_partner_agencies_that_have_not_contributed(register: Services) -> None:
    assert _audit(register).summary["partners_not_contributed"] == ["GMP", "WM-PROB"]
    # A user whose name claims an agency is not one of its users; the audit trail's agency is.
    with register.engine.begin() as connection:
        store.set_status(connection, "L1/BARE", "archived", "WM-PROB:officer1", "checking")
        store.set_status(connection, "L1/BARE", "live", "WM-PROB:officer1", "checked")
    assert _audit(register).summary["partners_not_contributed"] == ["GMP", "WM-PROB"]
    partner = Auditor(
        chain_signer(register.settings),
        Principal("officer1", "WM-PROB", frozenset({Role.OFFICER})),
        client="test",
    )
    with register.engine.begin() as connection:
        changes.set_status(connection, partner, "L1/BARE", "archived", "checking")
        changes.set_status(connection, partner, "L1/BARE", "live", "checked")
    audit = _audit(register)
    assert audit.summary["partners_not_contributed"] == ["GMP"]
    by = {a.agency: a for a in audit.agencies}
    assert (by["WM-PROB"].partner_records, by["WM-PROB"].partner_contributed) == (1, 1)


def test_an_activity_entry_is_a_contribution(register: Services) -> None:
    partner = Auditor(
        chain_signer(register.settings),
        Principal("officer2", "GMP", frozenset({Role.OFFICER})),
        client="test",
    )
    visit = NewActivity("visit", AS_OF - dt.timedelta(days=1), "Seen at home, compliant.")
    with register.engine.begin() as connection:
        add_activity(connection, partner, "L1/BARE", visit)
    assert _audit(register).summary["partners_not_contributed"] == ["WM-PROB"]


def test_json_and_report(register: Services) -> None:
    audit = _audit(register)
    data = json.loads(audit.model_dump_json())
    assert set(data) == {"as_of", "agency", "policy", "records", "agencies", "summary"}
    assert data["policy"]["review_weeks"] == {"2": 16, "3": 8}
    page = compliance_report_html(audit)
    assert_self_contained(page)
    assert "<svg" in page and "L3/LATE" in page and "@media print" in page
    gmp = page[page.index(">GMP: ") : page.index(">MPS: ")]
    assert "L3/LATE" in gmp and "L2/LATE" not in gmp
