"""The HTTP API, versioned under /api/v1 (OpenAPI at /openapi.json, docs at /docs).

The app factory only puts the pieces together: each group of routes is a router module of
its own (auth, search, nominals, docs), every route a thin layer over the functions the CLI
calls. Errors are answered from one table (api/errors.py), every answer carries the security
headers (api/headers.py), request bodies are capped while they stream (api/limits.py), and a
Host header outside the trusted names is refused.

At start-up the app applies its OpenSearch index templates when a cluster is configured; a
cluster that cannot be reached then is logged, not fatal: the register works without it,
and searches say "search unavailable" until it returns (or fall back to the memory backend
when VISOR_SEARCH_FALLBACK is set).
"""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from sqlalchemy import text
from starlette.middleware.trustedhost import TrustedHostMiddleware

from api import context, errors
from api.activity import router as activity_router
from api.audit_log import router as audit_log_router
from api.audits import router as audits_router
from api.auth import AuthConfig
from api.auth import router as auth_router
from api.context import EscapedJSONResponse
from api.docs import router as docs_router
from api.documents import router as documents_router
from api.headers import SecurityHeaders
from api.limits import MAX_REQUEST_BYTES, BodyCap
from api.nominals import router as nominals_router
from api.partnerships import router as partnerships_router
from api.photos import router as photos_router
from api.search import router as search_router
from api.web import install_web
from foundation.errors import BackendUnavailable
from register.audit_chain import ChainSigner
from register.database import translated_errors
from visor.search_engines import SearchEngines
from visor.security import argon2_parameters, restriction_policy, session_policy, signing_keys
from visor.services import build_services
from visor.settings import Settings

log = logging.getLogger(__name__)


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
        app.state.settings = settings
        app.state.restrictions = restrictions
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
        title="visor",
        version="1",
        lifespan=lifespan,
        default_response_class=EscapedJSONResponse,
        responses=errors.COMMON_RESPONSES,
        # The docs are ours, their assets from the package (api/docs.py), not a CDN.
        docs_url=None,
        redoc_url=None,
    )
    # A Host header outside the trusted names is refused (400): without this, a web page
    # whose name an attacker re-points at 127.0.0.1 (DNS rebinding) could read the API.
    app.add_middleware(
        TrustedHostMiddleware, allowed_hosts=list(settings.trusted_hosts), www_redirect=False
    )
    # The last added runs first: every answer, refusals included, gets the security headers.
    app.add_middleware(BodyCap, limit=MAX_REQUEST_BYTES)
    app.add_middleware(SecurityHeaders)
    errors.install(app)

    app.include_router(auth_router)
    app.include_router(search_router)
    # Before the nominal routes, whose /nominals/{reference:path} would take
    # /nominals/R1/documents for a reference "R1/documents".
    app.include_router(photos_router)
    app.include_router(documents_router)
    app.include_router(activity_router)
    app.include_router(partnerships_router)
    app.include_router(audit_log_router)
    app.include_router(audits_router)
    app.include_router(nominals_router)
    app.include_router(docs_router)
    install_web(app, settings)  # the web front end (api/web/)

    @app.get("/api/v1/health")
    def health(request: Request) -> dict[str, Any]:
        engine = context.services(request).engine
        engines: SearchEngines = context.engines(request)
        with translated_errors(), engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        search = "memory"
        if engines.uses_opensearch:
            search = "opensearch" if engines.client.ping() else "opensearch unreachable"
        return {"status": "ok", "register": "ok", "search": search}

    return app
