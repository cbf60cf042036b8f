"""The attachment routes' authorization matrix, generated: photos, documents, the activity
log, the agency's requests and the auditors' log, every route x every role x agency relation
(managing, partner, revoked partner, unrelated) x token state, each status asserted; no
unauthorised 2xx anywhere; no restricted field (documents, intelligence entries, addresses,
warning markers) in any answer to a role that may not see it. On SQLite and PostgreSQL.

The partnership workflow's own steps change who may do what as they go, so they are tested
step by step in test_partnerships.py; here only the listing, which every principal can ask."""

import datetime as dt
import hashlib
from collections.abc import Callable
from pathlib import Path

from register.activity import NewActivity, add_activity
from register.documents import NewDocument, add_document
from tests.api.matrix import (
    RELATIONS,
    ROLES,
    TOKEN_STATES,
    MatrixRegister,
    Row,
    Target,
    Who,
    changers,
    matrix_register,
    readers,
    restricted_leaks,
    run_matrix,
    unauthorised_successes,
    wrong_statuses,
)
from tests.conftest import image_bytes
from tests.document_samples import pdf
from visor.security import operator_auditor

__all__ = ["matrix_register"]  # the module-scoped fixture, imported for pytest to find
NOMINAL = "/api/v1/nominals/{reference}"
R1_PHOTO = hashlib.sha256(image_bytes((30, 160, 90), "PNG")).hexdigest()
SECRET = "informant: keeps a knife in the blue Corsa"
META = (
    ("kind", "risk_assessment"),
    ("title", "OASys"),
    ("author", "J. Smith"),
    ("document_date", "2026-05-01"),
)


def restricted_readers(ok: int = 200) -> Callable[[Who], int]:
    """Documents: officers and supervisors, of any agency (the default restricted roles)."""
    return lambda who: ok if who.role in ("officer", "supervisor") else 403


def agency_workers(who: Who) -> int:
    return 200 if who.role in ("officer", "supervisor") else 403


def auditors(who: Who) -> int:
    return 200 if who.role == "auditor" else 403


def _photo(target: Target) -> bytes:
    serial = target.serial
    return image_bytes((serial % 256, (serial // 256) % 256, 77))


def _note(target: Target) -> dict[str, str]:
    return {"kind": "visit", "occurred_on": "2026-06-01", "text": f"visit {target.serial}"}


def _attach(built: MatrixRegister, folder: Path) -> int:
    """A document and an intelligence entry on R1, added by the operator; the document's id."""
    auditor = operator_auditor(built.settings)
    upload = folder / "assessment"
    upload.write_bytes(pdf())
    new = NewDocument("risk_assessment", "OASys", "J. Smith", dt.date(2026, 5, 1))
    services = built.services
    stored = add_document(services.engine, auditor, services.document_store, "R1", upload, new)
    with services.engine.begin() as connection:
        add_activity(
            connection, auditor, "R1", NewActivity("intelligence", dt.date(2026, 6, 2), SECRET)
        )
    return stored.id


def _rows(document: int) -> list[Row]:
    return [
        Row(
            "photo.upload",
            "POST",
            NOMINAL + "/photos",
            changers(201),
            content=_photo,
            params=(("kind", "other"),),
        ),
        Row("photo.read", "GET", f"/api/v1/photos/{R1_PHOTO}", readers()),
        Row("photo.original", "GET", f"/api/v1/photos/{R1_PHOTO}/original", readers()),
        Row("photo.thumbnail", "GET", f"/api/v1/photos/{R1_PHOTO}/thumbnail", readers()),
        Row(
            "document.upload",
            "POST",
            NOMINAL + "/documents",
            changers(201),
            params=META,
            content=lambda t: f"note {t.serial}".encode(),
        ),
        Row("document.list", "GET", NOMINAL + "/documents", restricted_readers()),
        Row("document.read", "GET", f"/api/v1/documents/{document}", restricted_readers()),
        Row(
            "document.content",
            "GET",
            f"/api/v1/documents/{document}/content",
            restricted_readers(),
        ),
        Row("activity.add", "POST", NOMINAL + "/activity", changers(201), body=_note),
        Row("activity.list", "GET", NOMINAL + "/activity", readers()),
        Row("requests", "GET", "/api/v1/requests", agency_workers),
        Row("audit.entries", "GET", "/api/v1/audit/entries", auditors, params=(("limit", "5"),)),
        Row(
            "audit.export",
            "POST",
            "/api/v1/audit/exports",
            auditors,
            params=(("recipient", "ICO"), ("action", "photo.view")),
        ),
    ]


def test_every_attachment_route_for_every_principal(
    matrix_register: MatrixRegister, tmp_path: Path
) -> None:
    rows = _rows(_attach(matrix_register, tmp_path))
    seen = run_matrix(matrix_register, rows)
    assert len(seen) == len(rows) * len(ROLES) * len(RELATIONS) * len(TOKEN_STATES)
    assert wrong_statuses(rows, seen) == {}
    assert unauthorised_successes(rows, seen) == []
    # The audit log names the fields a change touched (and those it leaves out for its
    # reader): who changed what is what it is for. It never shows their values.
    leaks = restricted_leaks(matrix_register, seen)
    assert [
        leak for leak in leaks if not (leak[0].startswith("audit.") and leak[2].startswith('"'))
    ] == []
    sees_intelligence = {s.who.role for s in seen if SECRET in s.text}
    assert sees_intelligence == {"officer", "supervisor"}
    # The changes really ran: four principals may add (officer and supervisor, managing and
    # partner), each once per row.
    for row in ("photo.upload", "document.upload", "activity.add"):
        assert sum(1 for s in seen if s.row == row and s.status == 201) == 4
