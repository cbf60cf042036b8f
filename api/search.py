"""Search by description and by photo, for signed-in users with a stated purpose, each
written to the audit trail before it is answered: the same functions the CLI calls
(visor/audited_search.py)."""

import datetime as dt
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from api import context
from api.auth import SignedIn
from api.context import Purpose
from api.limits import MAX_REQUEST_BYTES, json_content, read_body
from foundation.errors import InvalidInput
from foundation.untrusted_json import loads
from register.permissions import authorize_search
from search.photo_search import DEFAULT_RADIUS, MAX_RADIUS, PhotoCandidate, hash_query_image
from search.query import QUERY_LIMITS, query_schema
from search.service import MAX_TOP, SearchAnswer
from visor.audited_search import search_descriptions, search_photos
from visor.security import check_purpose

MAX_PHOTO_BYTES = MAX_REQUEST_BYTES
router = APIRouter(prefix="/api/v1/search", tags=["search"])


@router.post(
    "",
    response_model=SearchAnswer,
    # The body is read by the untrusted-JSON reader, not by FastAPI, so it is described
    # here: a query document as in `visor search --query-file`.
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": query_schema()}},
        }
    },
)
async def search(
    request: Request,
    caller: SignedIn,
    top: Annotated[int, Query(ge=1, le=MAX_TOP)] = 10,
    as_of: dt.date | None = None,
    purpose: Purpose = None,
) -> SearchAnswer:
    authorize_search(caller.principal)
    stated = check_purpose(context.settings(request), purpose)
    json_content(request)
    content = await read_body(request, QUERY_LIMITS.max_bytes, "the query")
    try:
        query = loads(content, QUERY_LIMITS)
    except InvalidInput as error:
        raise InvalidInput(f"body: {error}") from error
    return await run_in_threadpool(
        search_descriptions,
        context.services(request).engine,
        caller.auditor,
        request.app.state.descriptive,
        query,
        top,
        as_of,
        stated,
        context.restrictions(request),
    )


@router.post(
    "/photo",
    response_model=list[PhotoCandidate],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                media: {"schema": {"type": "string", "format": "binary"}}
                for media in ("image/jpeg", "image/png", "image/webp", "application/octet-stream")
            },
        }
    },
)
async def search_photo(
    request: Request,
    caller: SignedIn,
    top: Annotated[int, Query(ge=1, le=MAX_TOP)] = 10,
    radius: Annotated[int, Query(ge=0, le=MAX_RADIUS)] = DEFAULT_RADIUS,
    include_archived: bool = False,
    lookalikes: Annotated[
        bool, Query(description="also photos that only look like it, marked look-alike")
    ] = False,
    purpose: Purpose = None,
) -> list[PhotoCandidate]:
    """The photo is the request body (JPEG, PNG or WebP bytes). The answer lists the
    nominals holding a copy of it, each with its calibrated confidence; look-alikes only
    when asked for."""
    authorize_search(caller.principal)
    stated = check_purpose(context.settings(request), purpose)
    content = await read_body(request, MAX_PHOTO_BYTES, "the photo")
    if not content:
        raise InvalidInput("send the photo as the request body (at most 50 MiB)")
    engines = context.engines(request)
    engine = context.services(request).engine

    def decode_and_search() -> list[PhotoCandidate]:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "query"
            path.write_bytes(content)
            hashes = hash_query_image(path)
        return search_photos(
            engine,
            caller.auditor,
            engines.photos(),
            content,
            hashes,
            top,
            radius,
            include_archived,
            stated,
            lookalikes=lookalikes,
        )

    # Decoding and the cluster's answer take time: off the event loop, so that a slow
    # photo or cluster does not hold up other requests (health checks among them).
    return await run_in_threadpool(decode_and_search)
