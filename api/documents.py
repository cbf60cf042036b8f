"""Documents attached to a nominal: upload (the body is the file; what it is is decided by
its content), list, metadata and download. Thin routes over register/documents.py, which
authorizes (documents are a restricted field unless the settings say otherwise) and audits."""

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from api import context
from api.auth import SignedIn
from api.context import Purpose
from api.nominals import Reference
from api.uploads import check_content_type, streamed_body
from register.document_content import MAX_DOCUMENT_BYTES, MEDIA_TYPES
from register.documents import (
    DocumentKind,
    NewDocument,
    StoredDocument,
    add_document,
    document_file,
    list_documents,
    view_document,
)
from visor.security import check_purpose

router = APIRouter(prefix="/api/v1", tags=["documents"])
DocumentId = Annotated[int, Path(ge=1, le=2**31 - 1, description="the document's number")]
_BINARY = {"schema": {"type": "string", "format": "binary"}}
BODY_TYPES = ("application/octet-stream", "application/pdf", MEDIA_TYPES["docx"], "text/plain")


class DocumentAnswer(BaseModel):
    id: int
    reference: str
    kind: str
    title: str
    author: str
    document_date: dt.date
    format: str
    media_type: str
    size_bytes: int
    sha256: str
    uploaded_by: str
    agency: str | None
    uploaded_at: dt.datetime
    content: str


def _answer(document: StoredDocument) -> DocumentAnswer:
    return DocumentAnswer(
        id=document.id,
        reference=document.reference,
        kind=document.kind,
        title=document.title,
        author=document.author,
        document_date=document.document_date,
        format=document.format,
        media_type=document.media_type,
        size_bytes=document.size_bytes,
        sha256=document.sha256,
        uploaded_by=document.uploaded_by,
        agency=document.agency,
        uploaded_at=document.uploaded_at,
        content=f"/api/v1/documents/{document.id}/content",
    )


_UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "the document's bytes (PDF, DOCX or UTF-8 text, at most 20 MiB), judged "
        "by content, never by name or declared type",
        "content": {kind: _BINARY for kind in BODY_TYPES},
    }
}


@router.post(
    "/nominals/{reference:path}/documents",
    response_model=DocumentAnswer,
    status_code=201,
    openapi_extra=_UPLOAD_BODY,
)
async def upload_document(
    request: Request,
    caller: SignedIn,
    reference: Reference,
    kind: DocumentKind,
    title: Annotated[str, Query(min_length=1, max_length=200)],
    author: Annotated[str, Query(min_length=1, max_length=200)],
    document_date: dt.date,
) -> DocumentAnswer:
    """Attach a document to the nominal, audited as an addition to it."""
    check_content_type(request, BODY_TYPES, "the document")
    services = context.services(request)
    new = NewDocument(kind, title, author, document_date)
    async with streamed_body(request, MAX_DOCUMENT_BYTES, "the document") as upload:
        stored = await run_in_threadpool(
            add_document,
            services.engine,
            caller.auditor,
            services.document_store,
            reference,
            upload,
            new,
        )
    return _answer(stored)


@router.get("/nominals/{reference:path}/documents", response_model=list[DocumentAnswer])
def nominal_documents(
    request: Request, caller: SignedIn, reference: Reference, purpose: Purpose = None
) -> list[DocumentAnswer]:
    """The nominal's documents, newest first by their date."""
    stated = check_purpose(context.settings(request), purpose)
    with context.services(request).engine.begin() as connection:
        found = list_documents(
            connection, caller.auditor, reference, stated, context.restrictions(request)
        )
    return [_answer(document) for document in found]


def _viewed(
    request: Request, caller: SignedIn, document_id: int, purpose: str | None, part: Any
) -> StoredDocument:
    stated = check_purpose(context.settings(request), purpose)
    with context.services(request).engine.begin() as connection:
        return view_document(
            connection, caller.auditor, document_id, stated, context.restrictions(request), part
        )


@router.get("/documents/{document_id}", response_model=DocumentAnswer)
def document_metadata(
    request: Request, caller: SignedIn, document_id: DocumentId, purpose: Purpose = None
) -> DocumentAnswer:
    return _answer(_viewed(request, caller, document_id, purpose, "metadata"))


@router.get(
    "/documents/{document_id}/content",
    response_class=FileResponse,
    responses={
        200: {"content": {kind: _BINARY for kind in MEDIA_TYPES.values()}, "description": "file"}
    },
)
def document_content(
    request: Request, caller: SignedIn, document_id: DocumentId, purpose: Purpose = None
) -> FileResponse:
    """The document as it was given, with the type its content was found to be."""
    document = _viewed(request, caller, document_id, purpose, "content")
    return FileResponse(
        document_file(context.services(request).document_store, document),
        media_type=document.media_type,
        filename=document.file_name,
        content_disposition_type="attachment",
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"},
    )
