"""Sign-in and sign-out over the API's own cookie sessions (api/auth.py)."""

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse

from api.auth import check_origin, close_session, open_cookie_session
from api.web.context import WebRoute, checked_post, render
from foundation.errors import Unauthenticated

router = APIRouter(route_class=WebRoute)

MESSAGES = {
    "expired": "Your session has ended: it timed out, or was signed out. Sign in again.",
    "signed-out": "You have signed out.",
}
REFUSED = (
    "Sign-in refused: the username or password is wrong, or the account is locked or "
    "disabled. After repeated failures an account is locked for a while; an administrator "
    "of your agency can unlock it."
)


def _safe_next(path: str) -> str:
    # Only a path on this site: never another origin ("//host" or "https://...").
    return path if path.startswith("/") and not path.startswith("//") else "/search"


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/search", status_code=303)


@router.get("/sign-in", name="sign_in_page")
def sign_in_page(request: Request, next: str = "/search", message: str = "") -> Response:
    return render(
        request,
        "sign_in.html",
        {"next": _safe_next(next), "message": MESSAGES.get(message), "error": None},
        caller=None,
    )


@router.post("/sign-in", name="sign_in")
def sign_in(
    request: Request,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1000)],
    next: Annotated[str, Form()] = "/search",
) -> Response:
    # No session yet, so no CSRF token: a sign-in posted from another site (which would sign
    # the victim in as the attacker) is refused by its Origin, as a cookie write is.
    check_origin(request)
    response = RedirectResponse(_safe_next(next), status_code=303)
    try:
        open_cookie_session(request, response, username, password)
    except Unauthenticated:
        context = {
            "next": _safe_next(next),
            "message": None,
            "error": REFUSED,
            "username": username,
        }
        return render(request, "sign_in.html", context, status_code=401, caller=None)
    return response


@router.post("/sign-out", name="sign_out")
def sign_out(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
    caller = checked_post(request, csrf_token)
    response = RedirectResponse("/sign-in?message=signed-out", status_code=303)
    close_session(request, response, caller)
    return response
