"""The HTTP API, versioned under /api/v1 (OpenAPI at /openapi.json).

So far: health (open to all), sign-in (api/auth.py), and search by description and by photo
for signed-in users, with a stated purpose, each written to the audit trail before it is
answered: the same functions the CLI calls (visor/audited_search.py). At start-up the app
applies its OpenSearch index templates when a cluster is configured; a cluster that cannot be
reached then is logged, not fatal: the register works without it, and searches say "search
unavailable" until it returns (or fall back to the memory backend when VISOR_SEARCH_FALLBACK
is set).
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

from api.auth import AuthConfig, Caller, SignedIn
from api.auth import router as auth_router
from api.web import install_web
from foundation.errors import (
    BackendUnavailable,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    Unauthenticated,
    VisorError,
)
from foundation.escapes import json_text
from foundation.untrusted_json import loads
from imaging.blobstore import PhotoRejected
from register.audit import AuditEvent
from register.audit_chain import ChainSigner
from register.database import translated_errors
from register.permissions import authorize_search
from search.photo_search import DEFAULT_RADIUS, MAX_RADIUS, PhotoCandidate, hash_query_image
from search.query import QUERY_LIMITS, query_schema
from search.service import MAX_TOP, SearchAnswer
from visor.audited_search import search_descriptions, search_photos
from visor.search_engines import SearchEngines
from visor.security import (
    argon2_parameters,
    check_purpose,
    restriction_policy,
    session_policy,
    signing_keys,
)
from visor.services import Services, build_services
from visor.settings import Settings

log = logging.getLogger(__name__)

_STATUS: dict[type[Exception], int] = {
    Unauthenticated: 401,
    InvalidInput: 422,
    PhotoRejected: 422,
    NotFound: 404,
    Conflict: 409,
    Forbidden: 403,
    BackendUnavailable: 503,
}
MAX_PHOTO_BYTES = 50 * 1024 * 1024
# Why the search is made (an incident or case number): required unless the settings say not.
Purpose = Annotated[str | None, Query(max_length=500, description="why: kept in the audit trail")]


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
    # Refused at start-up, not at the first sign-in: a missing or placeholder key.
    keys = signing_keys(settings)
    restrictions = restriction_policy(settings)

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
        app.state.auth = AuthConfig(
            engine=services.engine,
            keys=keys,
            signer=ChainSigner(keys.audit, settings.audit_checkpoint_every),
            parameters=argon2_parameters(settings),
            policy=session_policy(settings),
        )
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

    def domain_error(request: Request, error: Exception) -> JSONResponse:
        for kind, status in _STATUS.items():
            if isinstance(error, kind):
                headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
                if status == 403:
                    _audit_refusal(request, error)
                return EscapedJSONResponse(
                    {"error": str(error)}, status_code=status, headers=headers
                )
        return EscapedJSONResponse({"error": str(error)}, status_code=500)

    # The domain's errors map to HTTP here, once; anything else is a bug and a plain 500.
    app.add_exception_handler(VisorError, domain_error)
    app.add_exception_handler(PhotoRejected, domain_error)

    app.include_router(auth_router)
    install_web(app, settings)  # the web front end (api/web/)

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
        caller: SignedIn,
        top: Annotated[int, Query(ge=1, le=MAX_TOP)] = 10,
        as_of: dt.date | None = None,
        purpose: Purpose = None,
    ) -> SearchAnswer:
        request.state.caller = caller
        authorize_search(caller.principal)
        stated = check_purpose(settings, purpose)
        content = await _body(request, QUERY_LIMITS.max_bytes, "the query")
        try:
            query = loads(content, QUERY_LIMITS)
        except InvalidInput as error:
            raise InvalidInput(f"body: {error}") from error
        services: Services = request.app.state.services
        return await run_in_threadpool(
            search_descriptions,
            services.engine,
            caller.auditor,
            request.app.state.descriptive,
            query,
            top,
            as_of,
            stated,
            restrictions,
        )

    @app.post("/api/v1/search/photo", response_model=list[PhotoCandidate])
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
        request.state.caller = caller
        authorize_search(caller.principal)
        stated = check_purpose(settings, purpose)
        content = await _body(request, MAX_PHOTO_BYTES, "the photo")
        if not content:
            raise InvalidInput("send the photo as the request body (at most 50 MiB)")
        engines: SearchEngines = request.app.state.engines

        def decode_and_search() -> list[PhotoCandidate]:
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "query"
                path.write_bytes(content)
                hashes = hash_query_image(path)
            services: Services = request.app.state.services
            return search_photos(
                services.engine,
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

    return app


def _audit_refusal(request: Request, error: Exception) -> None:
    """A signed-in caller refused: kept in the audit trail, with the rule that refused."""
    caller: Caller | None = getattr(request.state, "caller", None)
    if caller is None:
        return
    services: Services = request.app.state.services
    route = request.scope.get("route")
    action = getattr(route, "name", None) or request.url.path
    with services.engine.begin() as connection:
        caller.auditor.record(
            connection,
            AuditEvent(
                action,
                target=request.url.path,
                outcome="refused",
                details={"reason": str(error), "method": request.method},
            ),
        )
