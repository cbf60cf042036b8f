"""The search page (the page after sign-in): free text, the engine's reading as fields to
correct and re-run, filters, search by name or reference, photo search; the results with
their explanations; the candidate pack."""

import tempfile
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, File, Form, Request, Response, UploadFile
from fastapi.responses import RedirectResponse

from api.limits import copy_capped
from api.web.context import (
    WebRoute,
    caller_of,
    checked_post,
    render,
    services_of,
    web_config,
)
from api.web.results import candidate_views
from api.web.search_form import MAX_MARKS, SearchForm, query_document, read_form, understood_fields
from foundation.errors import Forbidden, InvalidInput
from imaging.blobstore import MAX_PHOTO_BYTES
from register import agencies
from register.audit import AuditEvent
from register.model import MarkType
from register.permissions import authorize_read_audit, authorize_search
from register.principals import Principal
from search.photo_search import DEFAULT_RADIUS, hash_query_image
from search.service import MAX_TOP, SearchAnswer
from visor.audited_search import search_descriptions, search_photos
from visor.security import check_purpose

router = APIRouter(route_class=WebRoute)


def may_read_audit(principal: Principal) -> bool:
    try:
        authorize_read_audit(principal)
    except Forbidden:
        return False
    return True


MARK_TYPES = MarkType.__args__  # type: ignore[attr-defined]


def _agency_codes(request: Request) -> list[str]:
    with services_of(request).engine.connect() as connection:
        return [a.code for a in agencies.list_agencies(connection)]


def _run(request: Request, form: SearchForm) -> tuple[SearchAnswer, str | None]:
    caller = caller_of(request)
    config = web_config(request)
    purpose = check_purpose(config.settings, form.purpose)
    if not 1 <= form.top <= MAX_TOP:
        raise InvalidInput(f"how many: between 1 and {MAX_TOP}")
    answer = search_descriptions(
        services_of(request).engine,
        caller.auditor,
        request.app.state.descriptive,
        query_document(form),
        form.top,
        None,
        purpose,
        config.restrictions,
    )
    return answer, purpose


def _search_context(request: Request, form: SearchForm) -> dict[str, Any]:
    return {
        "form": form,
        "agencies": _agency_codes(request),
        "mark_types": MARK_TYPES,
        "max_marks": MAX_MARKS,
        "purpose_required": web_config(request).settings.purpose_required,
    }


@router.get("/search", name="search")
def search_page(request: Request) -> Response:
    caller = caller_of(request)
    params = request.query_params
    try:
        authorize_search(caller.principal)
    except Forbidden:
        # The page after sign-in, for an auditor who may not search: their own pages.
        if not params and may_read_audit(caller.principal):
            return RedirectResponse("/audit-log", status_code=303)
        raise
    form = read_form(params, {k: params.getlist(k) for k in params})
    context = _search_context(request, form)
    context.update(answer=None, candidates=[], error=None, fields={}, marks=[])
    if form.asked:
        try:
            answer, _purpose = _run(request, form)
        except InvalidInput as error:
            context["error"] = str(error)
            context["fields"], context["marks"] = form.fields, form.marks
            return render(request, "search.html", context, status_code=422)
        with services_of(request).engine.connect() as connection:
            views = candidate_views(
                connection, answer, caller.principal, web_config(request).restrictions
            )
        fields, marks = understood_fields(answer.query)
        context.update(answer=answer, candidates=views, fields=fields, marks=marks)
    return render(request, "search.html", context)


@router.get("/search/pack", name="candidate_pack")
def candidate_pack(request: Request) -> Response:
    """The results as a printable pack: explanations, purpose and officer, restricted
    fields redacted; a disclosure, recorded as such."""
    caller = caller_of(request)
    params = request.query_params
    form = read_form(params, {k: params.getlist(k) for k in params})
    if not form.asked:
        raise InvalidInput("a candidate pack needs a search: describe someone first")
    answer, purpose = _run(request, form)
    with services_of(request).engine.begin() as connection:
        views = candidate_views(
            connection, answer, caller.principal, web_config(request).restrictions
        )
        caller.auditor.record(
            connection,
            AuditEvent(
                "disclosure.candidate_pack",
                purpose=purpose,
                references=[c.reference for c in answer.candidates],
                details={"query": answer.query, "format": "html"},
            ),
        )
    context = {"answer": answer, "candidates": views, "purpose": purpose, "form": form}
    return render(request, "pack.html", context)


@router.get("/go", name="go_to_reference")
def go_to_reference(request: Request, reference: str = "", purpose: str = "") -> Response:
    caller_of(request)
    reference = reference.strip()
    if not reference:
        raise InvalidInput("reference: give a nominal's reference")
    query = "?" + urlencode({"purpose": purpose}) if purpose else ""
    return RedirectResponse(f"/nominals/{quote(reference, safe='')}{query}", status_code=303)


@router.post("/search/photo", name="search_photo")
def photo_search(
    request: Request,
    photo: Annotated[UploadFile, File()],
    csrf_token: Annotated[str, Form()] = "",
    purpose: Annotated[str, Form(max_length=500)] = "",
    lookalikes: Annotated[str, Form()] = "",
) -> Response:
    caller = checked_post(request, csrf_token)
    authorize_search(caller.principal)
    stated = check_purpose(web_config(request).settings, purpose)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "query"
        if not copy_capped(photo.file, path, MAX_PHOTO_BYTES, "the photo"):
            raise InvalidInput("choose a photo (JPEG, PNG or WebP) to search with")
        content = path.read_bytes()
        hashes = hash_query_image(path)
    candidates = search_photos(
        services_of(request).engine,
        caller.auditor,
        request.app.state.engines.photos(),
        content,
        hashes,
        10,
        DEFAULT_RADIUS,
        False,
        stated,
        lookalikes=lookalikes == "on",
    )
    form = SearchForm(purpose=purpose)
    context = _search_context(request, form)
    context.update(
        answer=None,
        candidates=[],
        error=None,
        fields={},
        marks=[],
        photo_candidates=candidates,
        lookalikes=lookalikes == "on",
    )
    return render(request, "search.html", context)
