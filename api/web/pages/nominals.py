"""The nominal record page, its photos, and the create and edit forms."""

import datetime as dt
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, Response, UploadFile
from fastapi.responses import FileResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from api.auth import Caller
from api.limits import copy_capped
from api.web.body_outline import outline_svg
from api.web.context import (
    WebRoute,
    caller_of,
    checked_post,
    record_url,
    render,
    services_of,
    web_config,
)
from api.web.pages.attachments import attachments_context
from api.web.record_form import EDITABLE, differences, edited_document, field_problems
from api.web.results import mark_placements, primary_name
from audits.photo_verdicts import photo_verdicts
from foundation.errors import Forbidden, InvalidInput, NotFound, StaleVersion
from imaging.blobstore import MAX_PHOTO_BYTES
from register import changes, store
from register.audit import LogFilter, read_log
from register.model import to_document
from register.permissions import (
    authorize_change,
    authorize_create,
    authorize_read_audit,
    authorize_view,
    redact_record,
)
from register.photo_ingest import PhotoIngester
from register.photo_uploads import NewPhoto, add_photo, photo_file, view_photo
from visor.security import check_purpose

router = APIRouter(route_class=WebRoute)


def _may(check: Any, *args: Any) -> bool:
    try:
        check(*args)
    except Forbidden:
        return False
    return True


def _version(request: Request, reference: str) -> int:
    with services_of(request).engine.connect() as connection:
        found = store.find_existing(connection, [reference])
    if reference not in found:
        raise NotFound(f"no nominal {reference}")
    return found[reference].version


@router.get("/nominals/new", name="new_nominal")
def new_nominal(request: Request) -> Response:
    caller = caller_of(request)
    authorize_create(caller.principal, caller.principal.agency)
    return render(request, "nominal_new.html", {"values": {}, "problems": {}})


@router.post("/nominals/new", name="create_nominal")
def create_nominal(
    request: Request,
    reference: Annotated[str, Form(max_length=64)] = "",
    surname: Annotated[str, Form(max_length=200)] = "",
    forename: Annotated[str, Form(max_length=200)] = "",
    sex: Annotated[str, Form(max_length=8)] = "",
    date_of_birth: Annotated[str, Form(max_length=20)] = "",
    reason: Annotated[str, Form(max_length=500)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    caller = checked_post(request, csrf_token)
    values = {
        "reference": reference.strip(),
        "surname": surname.strip(),
        "forename": forename.strip(),
        "sex": sex,
        "date_of_birth": date_of_birth.strip(),
    }
    name = {
        "surname": values["surname"],
        **({"forename": values["forename"]} if forename.strip() else {}),
    }
    document: dict[str, Any] = {
        "reference": values["reference"],
        "names": [name],
        "sex": sex,
        "managing_agency": caller.principal.agency,
    }
    if values["date_of_birth"]:
        document["dates_of_birth"] = [values["date_of_birth"]]
    record, problems = field_problems(document)
    if record is None:
        # names[0].surname reads as "names": shown by the surname box.
        if "names" in problems:
            problems["surname"] = problems.pop("names")
        if "dates_of_birth" in problems:
            problems["date_of_birth"] = problems.pop("dates_of_birth")
        context = {"values": values, "problems": problems}
        return render(request, "nominal_new.html", context, status_code=422)
    with services_of(request).engine.begin() as connection:
        changes.create(connection, caller.auditor, record, reason or "created in the web UI")
    return RedirectResponse(f"/nominals/{record.reference}", status_code=303)


def _record_context(
    request: Request,
    caller: Caller,
    reference: str,
    purpose: str | None,
    activity_cursor: str | None = None,
) -> dict[str, Any]:
    config = web_config(request)
    with services_of(request).engine.begin() as connection:
        record = changes.view(connection, caller.auditor, reference, purpose)
        history = changes.view_history(connection, caller.auditor, reference, purpose)
        version = store.find_existing(connection, [reference])[reference].version
        verdicts = photo_verdicts(
            connection, [(p.sha256, p.kind) for p in record.photos if p.sha256]
        )
        attached = attachments_context(
            connection, request, caller, reference, purpose, activity_cursor
        )
        viewers = None
        if _may(authorize_read_audit, caller.principal):
            viewers = list(
                read_log(connection, LogFilter(reference=reference, action="nominal.view"))
            )
    document = redact_record(caller.principal, to_document(record), config.restrictions)
    marks = [
        {
            **mark,
            "photos": [p for p in document.get("photos", []) if p.get("mark_index") == index],
        }
        for index, mark in enumerate(document.get("marks", []))
    ]
    return {
        "reference": reference,
        "name": primary_name(record),
        "document": document,
        "hidden": sorted(config.restrictions.hidden_from(caller.principal)),
        "version": version,
        "marks": marks,
        "verdicts": verdicts,
        "history": history,
        "viewers": viewers,
        "may_edit": _may(authorize_change, caller.principal, record),
        "outline": outline_svg(
            mark_placements(record, None), f"marks of {reference} on a body outline"
        ),
        "purpose": purpose or "",
        **attached,
    }


@router.get("/nominals/{reference}", name="nominal")
def nominal_page(
    request: Request, reference: str, purpose: str = "", activity_after: str = ""
) -> Response:
    caller = caller_of(request)
    config = web_config(request)
    if config.settings.purpose_required and not purpose.strip():
        # The purpose prompt: asked before anything is read, then the record is viewed.
        return render(request, "purpose.html", {"action": request.url.path})
    stated = check_purpose(config.settings, purpose)
    context = _record_context(request, caller, reference, stated, activity_after or None)
    added = request.query_params.get("photo_added", "")
    context["photo_added"] = added if added in context["verdicts"] else None
    return render(request, "nominal.html", context)


@router.get("/nominals/{reference}/photos/{sha256}", name="nominal_photo")
def nominal_photo(request: Request, reference: str, sha256: str, purpose: str = "") -> Response:
    """A photo's thumbnail, through the API's own `view_photo`: refused unless the reader
    may view every nominal holding it, and recorded as a view of the photo (part
    "thumbnail") with the page's purpose. Sent no-store (every page is), so that each
    showing is one the audit trail holds."""
    caller = caller_of(request)
    stated = check_purpose(web_config(request).settings, purpose)
    services = services_of(request)
    with services.engine.begin() as connection:
        record = store.get_record(connection, reference)
        authorize_view(caller.principal, record)
        if sha256 not in {p.sha256 for p in record.photos}:
            raise NotFound(f"{reference} has no such photo")
        held = view_photo(connection, caller.auditor, sha256, stated, "thumbnail")
    return FileResponse(photo_file(services.blob_store, held, "thumbnail"), media_type="image/jpeg")


PHOTO_KINDS = ("face", "mark", "other")


@router.post("/nominals/{reference}/photos", name="add_photo")
def add_photo_page(
    request: Request,
    reference: str,
    photo: Annotated[UploadFile, File()],
    kind: Annotated[str, Form()] = "face",
    taken_on: Annotated[str, Form(max_length=20)] = "",
    version: Annotated[int, Form()] = 0,
    purpose: Annotated[str, Form(max_length=500)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Add a photo; the record page then shows its quality verdict at once."""
    caller = checked_post(request, csrf_token)
    if kind not in PHOTO_KINDS:
        raise InvalidInput(f"kind: one of {', '.join(PHOTO_KINDS)}")
    try:
        taken = dt.date.fromisoformat(taken_on.strip()) if taken_on.strip() else None
    except ValueError:
        raise InvalidInput("taken on: a date, YYYY-MM-DD") from None
    services = services_of(request)
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "upload"
        if not copy_capped(photo.file, source, MAX_PHOTO_BYTES, "the photo"):
            raise InvalidInput("choose a photo (JPEG, PNG or WebP) to add")
        ingester = PhotoIngester(services.blob_store, services.settings.photo_limits)
        try:
            added = add_photo(
                services.engine,
                caller.auditor,
                ingester,
                reference,
                source,
                NewPhoto(kind=kind, taken_on=taken),  # type: ignore[arg-type]
                expected_version=version,
            )
        finally:
            ingester.close()
    back = record_url(reference, purpose, photo_added=added.sha256)
    return RedirectResponse(back, status_code=303)


def _edit_context(
    caller: Caller, document: dict[str, Any], version: int, purpose: str
) -> dict[str, Any]:
    return {
        "purpose": purpose,
        "reference": document["reference"],
        "values": document,
        "version": version,
        "editable": EDITABLE,
        "problems": {},
        "stale": None,
        "diff": [],
    }


@router.get("/nominals/{reference}/edit", name="edit_nominal")
def edit_page(request: Request, reference: str, purpose: str = "") -> Response:
    caller = caller_of(request)
    with services_of(request).engine.connect() as connection:
        authorize_change(caller.principal, store.get_record(connection, reference))
    settings = web_config(request).settings
    if settings.purpose_required and not purpose.strip():
        return render(request, "purpose.html", {"action": request.url.path})
    stated = check_purpose(settings, purpose)
    # The form shows the whole description: a view, recorded as one.
    with services_of(request).engine.begin() as connection:
        record = changes.view(connection, caller.auditor, reference, stated)
        version = store.find_existing(connection, [reference])[reference].version
    context = _edit_context(caller, to_document(record), version, stated or "")
    return render(request, "nominal_edit.html", context)


@router.post("/nominals/{reference}/edit", name="save_nominal")
async def save_page(request: Request, reference: str) -> Response:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    caller = checked_post(request, form.get("csrf_token", ""))
    try:
        expected = int(form.get("version", ""))
    except ValueError:
        raise InvalidInput("version: the form lost the version it was read at; reload") from None
    return await run_in_threadpool(_save, request, caller, reference, expected, form)


def _save(
    request: Request, caller: Caller, reference: str, expected: int, form: dict[str, str]
) -> Response:
    engine = services_of(request).engine
    purpose = form.get("purpose", "")
    with engine.connect() as connection:
        stored = store.get_record(connection, reference)
    authorize_change(caller.principal, stored)
    current = to_document(stored)
    submitted = edited_document(current, form)
    record, problems = field_problems(submitted)
    if record is None:
        context = _edit_context(caller, submitted, expected, purpose) | {"problems": problems}
        return render(request, "nominal_edit.html", context, status_code=422)
    try:
        with engine.begin() as connection:
            changes.replace(
                connection, caller.auditor, record, expected, form.get("reason") or None
            )
    except StaleVersion as stale:
        with engine.connect() as connection:
            now_document = to_document(store.get_record(connection, reference))
            read = next(
                (e.document for e in store.history(connection, reference) if e.version == expected),
                current,
            )
        context = _edit_context(caller, now_document, stale.current, purpose) | {
            "stale": str(stale),
            "read_version": expected,
            "diff": differences(read, submitted, now_document),
        }
        return render(request, "nominal_edit.html", context, status_code=409)
    return RedirectResponse(record_url(reference, purpose, saved="1"), status_code=303)
