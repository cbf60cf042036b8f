"""The HTTP API, versioned under /api/v1 (OpenAPI at /openapi.json).

So far: health and search (by description and by photo), the same `run_search` the CLI
calls. At start-up the app applies its OpenSearch index templates when a cluster is
configured; a cluster that cannot be reached then is logged, not fatal: the register works
without it, and searches say "search unavailable" until it returns (or fall back to the
memory backend when VISOR_SEARCH_FALLBACK is set).
"""

import datetime as dt
import logging
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool
from starlette.middleware.trustedhost import TrustedHostMiddleware

from imaging.blobstore import PhotoRejected
from register.database import translated_errors
from search.photo_search import DEFAULT_RADIUS, MAX_RADIUS, PhotoCandidate, hash_query_image
from search.query import QUERY_LIMITS, query_schema
from search.service import MAX_TOP, SearchAnswer, run_search
from visor.errors import (
    BackendUnavailable,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    VisorError,
)
from visor.escapes import json_text
from visor.search_engines import SearchEngines
from visor.services import Services, build_services
from visor.settings import Settings
from visor.untrusted_json import loads

log = logging.getLogger(__name__)

_STATUS: dict[type[Exception], int] = {
    InvalidInput: 422,
    PhotoRejected: 422,
    NotFound: 404,
    Conflict: 409,
    Forbidden: 403,
    BackendUnavailable: 503,
}
MAX_PHOTO_BYTES = 50 * 1024 * 1024


class EscapedJSONResponse(JSONResponse):
    """JSON whose control characters, bidirectional overrides and lone surrogates are
    `\\u` escapes: the same values, shown inert by a terminal (curl) or a page."""

    def render(self, content: Any) -> bytes:
        return json_text(content).encode("utf-8")


async def _body(request: Request, limit: int, what: str) -> bytes:
    """The request body, refused as soon as it passes `limit` bytes (never held whole)."""
    content = bytearray()
    async for chunk in request.stream():
        content += chunk
        if len(content) > limit:
            raise InvalidInput(f"{what} is larger than {limit // (1024 * 1024)} MiB")
    return bytes(content)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = build_services(settings)
        engines = SearchEngines(services)
        if engines.uses_opensearch:
            try:
                engines.apply_templates()
            except BackendUnavailable as error:
                log.warning("index templates not applied at start-up: %s", error)
        app.state.services = services
        app.state.engines = engines
        app.state.descriptive = engines.descriptive()
        yield
        services.close()

    app = FastAPI(
        title="visor", version="1", lifespan=lifespan, default_response_class=EscapedJSONResponse
    )
    # A Host header outside the trusted names is refused (400): without this, a web page
    # whose name an attacker re-points at 127.0.0.1 (DNS rebinding) could read the API.
    app.add_middleware(
        TrustedHostMiddleware, allowed_hosts=list(settings.trusted_hosts), www_redirect=False
    )

    async def domain_error(request: Request, error: Exception) -> JSONResponse:
        for kind, status in _STATUS.items():
            if isinstance(error, kind):
                return EscapedJSONResponse({"error": str(error)}, status_code=status)
        return EscapedJSONResponse({"error": str(error)}, status_code=500)

    # The domain's errors map to HTTP here, once; anything else is a bug and a plain 500.
    app.add_exception_handler(VisorError, domain_error)
    app.add_exception_handler(PhotoRejected, domain_error)

    @app.get("/api/v1/health")
    def health(request: Request) -> dict[str, Any]:
        services: Services = request.app.state.services
        engines: SearchEngines = request.app.state.engines
        with translated_errors(), services.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        search = "memory"
        if engines.uses_opensearch:
            search = "opensearch" if engines.client.ping() else "opensearch unreachable"
        return {"status": "ok", "register": "ok", "search": search}

    @app.post(
        "/api/v1/search",
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
        top: Annotated[int, Query(ge=1, le=MAX_TOP)] = 10,
        as_of: dt.date | None = None,
    ) -> SearchAnswer:
        content = await _body(request, QUERY_LIMITS.max_bytes, "the query")
        try:
            query = loads(content, QUERY_LIMITS)
        except InvalidInput as error:
            raise InvalidInput(f"body: {error}") from error
        backend = request.app.state.descriptive
        return await run_in_threadpool(run_search, query, backend, top, as_of)

    @app.post("/api/v1/search/photo", response_model=list[PhotoCandidate])
    async def search_photo(
        request: Request,
        top: Annotated[int, Query(ge=1, le=MAX_TOP)] = 10,
        radius: Annotated[int, Query(ge=0, le=MAX_RADIUS)] = DEFAULT_RADIUS,
        include_archived: bool = False,
    ) -> list[PhotoCandidate]:
        """The photo is the request body (JPEG, PNG or WebP bytes)."""
        content = await _body(request, MAX_PHOTO_BYTES, "the photo")
        if not content:
            raise InvalidInput("send the photo as the request body (at most 50 MiB)")
        engines: SearchEngines = request.app.state.engines

        def decode_and_search() -> list[PhotoCandidate]:
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "query"
                path.write_bytes(content)
                hashes = hash_query_image(path)
            return engines.photos()(hashes, top, radius, include_archived)

        # Decoding and the cluster's answer take time: off the event loop, so that a slow
        # photo or cluster does not hold up other requests (health checks among them).
        return await run_in_threadpool(decode_and_search)

    return app
