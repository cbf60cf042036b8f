"""The record page's activity log and documents: listed inside the record's own view, added
through forms, and a document downloaded. The same register functions as the API's routes
(register/activity.py, register/documents.py): the same checks, the same redaction (the
intelligence entries and the documents are restricted parts), the same audit entries."""

import datetime as dt
import tempfile
from pathlib import Path
from typing import Annotated, Any, get_args

from fastapi import APIRouter, File, Form, Request, Response, UploadFile
from fastapi.responses import FileResponse, RedirectResponse
from sqlalchemy import Connection

from api.auth import Caller
from api.limits import copy_capped
from api.web.context import (
    WebRoute,
    caller_of,
    checked_post,
    record_url,
    services_of,
    web_config,
)
from foundation.errors import InvalidInput
from register.activity import (
    MAX_TEXT,
    ActivityKind,
    NewActivity,
    add_activity,
    list_activity,
)
from register.document_content import MAX_DOCUMENT_BYTES
from register.documents import (
    DOCUMENTS,
    DocumentKind,
    NewDocument,
    add_document,
    document_file,
    list_documents,
    view_document,
)
from visor.security import check_purpose

router = APIRouter(route_class=WebRoute)
ACTIVITY_KINDS: tuple[str, ...] = get_args(ActivityKind)
DOCUMENT_KINDS: tuple[str, ...] = get_args(DocumentKind)
ACTIVITY_SHOWN = 50


def attachments_context(
    connection: Connection,
    request: Request,
    caller: Caller,
    reference: str,
    purpose: str | None,
    activity_cursor: str | None,
) -> dict[str, Any]:
    """The activity log's newest page (or the page after `activity_cursor`) and the
    documents, each read as the API reads them, so each is recorded as a view; documents
    are left out, not refused, for a role that may not see them."""
    policy = web_config(request).restrictions
    activity = list_activity(
        connection, caller.auditor, reference, purpose, policy, activity_cursor, ACTIVITY_SHOWN
    )
    documents = None
    if DOCUMENTS not in policy.hidden_from(caller.principal):
        documents = list_documents(connection, caller.auditor, reference, purpose, policy)
    return {
        "activity": activity,
        "activity_kinds": ACTIVITY_KINDS,
        "activity_max": MAX_TEXT,
        "documents": documents,
        "document_kinds": DOCUMENT_KINDS,
        "today": dt.date.today().isoformat(),
    }


def _date(label: str, value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"{label}: a date, YYYY-MM-DD (got {value.strip()!r})") from None


def _back(reference: str, purpose: str, note: str) -> RedirectResponse:
    anchor = "#activity-heading" if note == "activity_added" else "#documents-heading"
    return RedirectResponse(record_url(reference, purpose, anchor, **{note: "1"}), status_code=303)


@router.post("/nominals/{reference}/activity", name="add_activity")
def add_activity_page(
    request: Request,
    reference: str,
    kind: Annotated[str, Form(max_length=40)] = "",
    occurred_on: Annotated[str, Form(max_length=20)] = "",
    text: Annotated[str, Form(max_length=MAX_TEXT + 1)] = "",
    author: Annotated[str, Form(max_length=201)] = "",
    purpose: Annotated[str, Form(max_length=500)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    caller = checked_post(request, csrf_token)
    if kind not in ACTIVITY_KINDS:
        raise InvalidInput(f"kind: one of {', '.join(ACTIVITY_KINDS)}")
    new = NewActivity(kind, _date("date", occurred_on), text, author.strip() or None)  # type: ignore[arg-type]
    with services_of(request).engine.begin() as connection:
        add_activity(connection, caller.auditor, reference, new)
    return _back(reference, purpose, "activity_added")


@router.post("/nominals/{reference}/documents", name="add_document")
def add_document_page(
    request: Request,
    reference: str,
    document: Annotated[UploadFile, File()],
    kind: Annotated[str, Form(max_length=40)] = "",
    title: Annotated[str, Form(max_length=201)] = "",
    author: Annotated[str, Form(max_length=201)] = "",
    document_date: Annotated[str, Form(max_length=20)] = "",
    purpose: Annotated[str, Form(max_length=500)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Attach a document: what it is is decided by its content (register/document_content.py),
    never by its name or the type the browser declares."""
    caller = checked_post(request, csrf_token)
    if kind not in DOCUMENT_KINDS:
        raise InvalidInput(f"kind: one of {', '.join(DOCUMENT_KINDS)}")
    new = NewDocument(kind, title, author, _date("document date", document_date))  # type: ignore[arg-type]
    services = services_of(request)
    with tempfile.TemporaryDirectory(prefix="visor-upload-") as folder:
        upload = Path(folder) / "document"
        size = copy_capped(document.file, upload, MAX_DOCUMENT_BYTES, "the document")
        if size == 0:
            raise InvalidInput("choose a document (PDF, DOCX or text) to attach")
        add_document(
            services.engine, caller.auditor, services.document_store, reference, upload, new
        )
    return _back(reference, purpose, "document_added")


@router.get("/documents/{document_id}/content", name="download_document")
def download_document(request: Request, document_id: int, purpose: str = "") -> Response:
    """The document as it was given, recorded as a download (a view of its content)."""
    caller = caller_of(request)
    if not 1 <= document_id <= 2**31 - 1:
        raise InvalidInput("document: not a document's number")
    stated = check_purpose(web_config(request).settings, purpose)
    services = services_of(request)
    with services.engine.begin() as connection:
        stored = view_document(
            connection,
            caller.auditor,
            document_id,
            stated,
            web_config(request).restrictions,
            "content",
        )
    return FileResponse(
        document_file(services.document_store, stored),
        media_type=stored.media_type,
        filename=stored.file_name,
        content_disposition_type="attachment",
        headers={"Cache-Control": "private, no-store"},
    )
