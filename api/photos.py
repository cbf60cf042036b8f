"""Photos of a nominal: upload through the imaging pipeline (decoded and analysed in the
photo worker pool, under its memory and time limits), metadata with the quality verdict, and
the original and thumbnail as downloads. Each route is a thin layer over
register/photo_uploads.py, which authorizes against the register and audits."""

import datetime as dt
import threading
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel
from sqlalchemy import Connection
from starlette.concurrency import run_in_threadpool

from api import context
from api.auth import SignedIn
from api.context import Purpose
from api.errors import problem_responses
from api.nominals import Reference
from api.uploads import check_content_type, streamed_body
from audits.findings import Flag
from audits.photo_rules import PhotoMeasurements, photo_flags
from imaging.blobstore import MAX_PHOTO_BYTES, BlobStore
from imaging.formats import ALLOWED_MEDIA_TYPES, EXTENSIONS
from imaging.pool import PoolLimits
from register.model import PhotoKind
from register.photo_ingest import PhotoIngester, PhotoOutcome, PhotoRequest
from register.photo_uploads import HeldPhoto, NewPhoto, add_photo, photo_file, view_photo
from visor.security import check_purpose
from visor.services import Services

PHOTO_BODY_TYPES = ("application/octet-stream", "image/*")
_BINARY = {"schema": {"type": "string", "format": "binary"}}


class Pipeline:
    """The API's photo worker pool, started at the first upload and stopped with the app.
    One upload's photo is in the pool at a time (the pool hands its workers to one batch);
    the upload's reads and writes of the register are not held up by another's."""

    def __init__(self, store: BlobStore, limits: PoolLimits) -> None:
        self._store, self._limits = store, limits
        self._lock = threading.Lock()
        self._ingester: PhotoIngester | None = None

    def ingest(
        self, connection: Connection, requests: Sequence[PhotoRequest]
    ) -> list[PhotoOutcome]:
        with self._lock:
            if self._ingester is None:
                self._ingester = PhotoIngester(self._store, self._limits)
            return self._ingester.ingest(connection, requests)

    def close(self) -> None:
        with self._lock:
            if self._ingester is not None:
                self._ingester.close()
                self._ingester = None


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # The app's own start-up has run by now (FastAPI nests a router's lifespan in the app's).
    services: Services = app.state.services
    app.state.photo_pipeline = Pipeline(services.blob_store, services.settings.photo_limits)
    yield
    app.state.photo_pipeline.close()


router = APIRouter(prefix="/api/v1", tags=["photos"], lifespan=_lifespan)


class PhotoAnswer(BaseModel):
    id: str
    references: list[str]
    kind: str
    taken_on: dt.date | None
    media_type: str
    size_bytes: int
    width: int | None
    height: int | None
    # The quality verdict: the photo audit's flags for this photo (empty: nothing to fix).
    quality_flags: list[Flag]
    original: str
    thumbnail: str


def _answer(held: HeldPhoto) -> PhotoAnswer:
    flags: list[Flag] = []
    if held.analysis is not None:
        flags = photo_flags(PhotoMeasurements.from_row(held.analysis), held.kind)
    base = f"/api/v1/photos/{held.sha256}"
    return PhotoAnswer(
        id=held.sha256,
        references=held.references,
        kind=held.kind,
        taken_on=held.taken_on,
        media_type=held.media_type,
        size_bytes=held.size_bytes,
        width=held.analysis["width"] if held.analysis else None,
        height=held.analysis["height"] if held.analysis else None,
        quality_flags=flags,
        original=f"{base}/original",
        thumbnail=f"{base}/thumbnail",
    )


@router.post(
    "/nominals/{reference:path}/photos",
    response_model=PhotoAnswer,
    status_code=201,
    responses=problem_responses(409),
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "the photo's bytes (JPEG, PNG or WebP, at most 50 MiB), judged by "
            "content",
            "content": {
                kind: _BINARY for kind in ("application/octet-stream", *ALLOWED_MEDIA_TYPES)
            },
        }
    },
)
async def upload_photo(
    request: Request,
    caller: SignedIn,
    reference: Reference,
    kind: PhotoKind = "face",
    taken_on: dt.date | None = None,
    mark_index: Annotated[int | None, Query(ge=0, le=10_000)] = None,
) -> PhotoAnswer:
    """Add a photo to the nominal: a new version of its record, audited as a change."""
    check_content_type(request, PHOTO_BODY_TYPES, "the photo")
    services = context.services(request)
    pipeline: Pipeline = request.app.state.photo_pipeline
    new = NewPhoto(kind=kind, taken_on=taken_on, mark_index=mark_index)
    async with streamed_body(request, MAX_PHOTO_BYTES, "the photo") as upload:
        held = await run_in_threadpool(
            add_photo, services.engine, caller.auditor, pipeline, reference, upload, new
        )
    return _answer(held)


def _viewed(
    request: Request, caller: SignedIn, photo_id: str, purpose: str | None, part: str
) -> HeldPhoto:
    stated = check_purpose(context.settings(request), purpose)
    with context.services(request).engine.begin() as connection:
        return view_photo(connection, caller.auditor, photo_id, stated, part)


@router.get("/photos/{photo_id}", response_model=PhotoAnswer)
def photo_metadata(
    request: Request, caller: SignedIn, photo_id: str, purpose: Purpose = None
) -> PhotoAnswer:
    """What the register holds about a photo (its id is its SHA-256), audited as a view."""
    return _answer(_viewed(request, caller, photo_id, purpose, "metadata"))


def _download(path: Path, media_type: str, name: str) -> FileResponse:
    return FileResponse(
        path,
        media_type=media_type,
        filename=name,
        content_disposition_type="attachment",
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"},
    )


_FILE_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {"content": {kind: _BINARY for kind in ALLOWED_MEDIA_TYPES}, "description": "the file"}
}


@router.get("/photos/{photo_id}/original", response_class=FileResponse, responses=_FILE_RESPONSES)
def photo_original(
    request: Request, caller: SignedIn, photo_id: str, purpose: Purpose = None
) -> FileResponse:
    """The photo as it was given, byte for byte, with the type its content was verified as."""
    held = _viewed(request, caller, photo_id, purpose, "original")
    path = photo_file(context.services(request).blob_store, held, "original")
    name = f"photo-{held.sha256[:16]}{EXTENSIONS.get(held.media_type, '')}"
    return _download(path, held.media_type, name)


@router.get("/photos/{photo_id}/thumbnail", response_class=FileResponse, responses=_FILE_RESPONSES)
def photo_thumbnail(
    request: Request, caller: SignedIn, photo_id: str, purpose: Purpose = None
) -> FileResponse:
    """A small JPEG re-encoded from the pixels (no metadata of the original survives)."""
    held = _viewed(request, caller, photo_id, purpose, "thumbnail")
    path = photo_file(context.services(request).blob_store, held, "thumbnail")
    return _download(path, "image/jpeg", f"photo-{held.sha256[:16]}-thumbnail.jpg")
