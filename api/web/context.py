"""What every page handler needs: the signed-in caller (the API's own cookie session), the
CSRF check of a form post, the services, and the rendering of a template with the headers
every page carries (a strict Content-Security-Policy: scripts and styles from this origin
only, nothing inline)."""

from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from api import context as api_context
from api.auth import SESSION_COOKIE, Caller, authenticate, check_csrf, csrf_token
from foundation.errors import (
    BackendUnavailable,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    Unauthenticated,
    VisorError,
)
from imaging.blobstore import PhotoRejected
from register.audit import AuditEvent
from register.permissions import RestrictionPolicy
from register.principals import Role
from visor.settings import Settings

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
CSRF_FIELD = "csrf_token"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    # Not no-referrer: under it a browser sends `Origin: null` with a form post, which the
    # CSRF rule refuses as an opaque origin. same-origin tells other sites nothing.
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
_STATUS: tuple[tuple[type[Exception], int], ...] = (
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (InvalidInput, 422),
    (PhotoRejected, 422),
    (BackendUnavailable, 503),
)


@dataclass(frozen=True)
class WebConfig:
    settings: Settings
    restrictions: RestrictionPolicy


# The API's own accessor, under the name the pages use.
services_of = api_context.services


def web_config(request: Request) -> WebConfig:
    config: WebConfig = request.app.state.web
    return config


def caller_of(request: Request) -> Caller:
    """The signed-in caller, from the API's session cookie (never a bearer token: a page is
    a browser's), kept on the request so that a refusal can be recorded against them."""
    caller = authenticate(request, request.cookies.get(SESSION_COOKIE), via_cookie=True)
    request.state.caller = caller
    return caller


def checked_post(request: Request, sent_csrf: str) -> Caller:
    """The caller of a form post, whose hidden CSRF field must be the session's own."""
    caller = caller_of(request)
    check_csrf(request, caller, sent_csrf)
    return caller


def sign_in_url(next_path: str, message: str | None = None) -> str:
    query = {"next": next_path, **({"message": message} if message else {})}
    return "/sign-in?" + urlencode(query)


def record_url(reference: str, purpose: str = "", anchor: str = "", **notes: str) -> str:
    """The record page to return to after a form posted on it, with the purpose it was
    opened for (else a deployment that requires one asks again, and the note is lost)."""
    query = urlencode({**({"purpose": purpose.strip()} if purpose.strip() else {}), **notes})
    return f"/nominals/{quote(reference, safe='')}" + (f"?{query}" if query else "") + anchor


def roles_of(caller: Caller | None) -> set[str]:
    return {r.value for r in caller.principal.roles} if caller else set()


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any],
    status_code: int = 200,
    caller: Caller | None = None,
) -> HTMLResponse:
    caller = caller or getattr(request.state, "caller", None)
    csrf = csrf_token(request.app.state.auth.keys, caller.session.session_id) if caller else ""
    values = {
        "request": request,
        "caller": caller,
        "roles": roles_of(caller),
        "Role": Role,
        "csrf_field": CSRF_FIELD,
        "csrf": csrf,
        **context,
    }
    response = TEMPLATES.TemplateResponse(request, template, values, status_code=status_code)
    response.headers.update(SECURITY_HEADERS)
    return response


def _record_refusal(request: Request, caller: Caller, error: Exception) -> None:
    with services_of(request).engine.begin() as connection:
        caller.auditor.record(
            connection,
            AuditEvent(
                "web." + request.scope["route"].name,
                target=request.url.path,
                outcome="refused",
                details={"reason": str(error), "method": request.method},
            ),
        )


class WebRoute(APIRoute):
    """A page: a domain error becomes a page saying what went wrong (a refusal recorded in
    the audit trail); an ended or missing session goes to the sign-in page, saying so."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page(request: Request) -> Response:
            try:
                response = await handler(request)
            except Unauthenticated:
                had_session = SESSION_COOKIE in request.cookies
                message = "expired" if had_session else None
                return RedirectResponse(sign_in_url(request.url.path, message), status_code=303)
            except (VisorError, PhotoRejected) as error:
                status = next((s for kind, s in _STATUS if isinstance(error, kind)), 400)
                caller = getattr(request.state, "caller", None)
                if status == 403 and caller is not None:
                    _record_refusal(request, caller, error)
                return render(
                    request, "error.html", {"message": str(error), "status": status}, status
                )
            response.headers.update(SECURITY_HEADERS)
            return response

        return page
