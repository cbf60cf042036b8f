"""The interactive API docs at /docs: Swagger UI, served with its assets from the package
(api/swagger_ui/, fetched at a pinned version by scripts/vendor-swagger-ui.sh), never from a
CDN, so that a user's browser fetches no code from elsewhere. The page's script is a file
too (no inline script), so the page keeps a strict content security policy."""

from importlib import resources
from importlib.resources.abc import Traversable

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from foundation.errors import BackendUnavailable, NotFound

router = APIRouter(include_in_schema=False)

ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
}
# Styles set inline by Swagger UI's components need 'unsafe-inline' for styles (never for
# scripts); everything else only from this origin.
DOCS_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>visor API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/start.js"></script>
</body>
</html>
"""
# validatorUrl null: Swagger UI would otherwise send the schema to an outside validator.
START = """window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  validatorUrl: null,
  deepLinking: true,
  persistAuthorization: false,
});
"""
CACHED = {"Cache-Control": "public, max-age=86400"}


def _asset(name: str) -> Traversable:
    path = resources.files("api").joinpath("swagger_ui", name)
    if not path.is_file():
        raise BackendUnavailable(
            "the docs' assets are not installed: run scripts/vendor-swagger-ui.sh"
        )
    return path


@router.get("/docs")
def docs_page() -> HTMLResponse:
    _asset("swagger-ui-bundle.js")
    return HTMLResponse(PAGE, headers={"Content-Security-Policy": DOCS_POLICY})


@router.get("/docs/start.js")
def docs_start() -> Response:
    return Response(START, media_type=ASSETS["swagger-ui-bundle.js"], headers=CACHED)


@router.get("/docs/{name}")
def docs_asset(name: str) -> Response:
    if name not in ASSETS:
        raise NotFound(f"no docs asset {name!r}")
    return Response(_asset(name).read_bytes(), media_type=ASSETS[name], headers=CACHED)
