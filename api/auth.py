"""Signing in to the API, and who is asking.

- `POST /api/v1/auth/token`: the OAuth2 password flow (form fields `username`, `password`),
  answered `{"access_token", "token_type": "bearer", "expires_in"}`.
- `POST /api/v1/auth/session`: the same sign-in for the web UI, as cookies: the session token
  `HttpOnly`, `SameSite=Strict`, `Secure` over TLS; and a CSRF token (readable by the page)
  that every cookie-authenticated write must send back in `X-CSRF-Token`.
- `POST /api/v1/auth/refresh` and `POST /api/v1/auth/logout`.

Every request's token names a session checked in the register (register/sessions.py), and
the user is read afresh: a disabled user, an ended session or changed roles apply at once.
"""

import hashlib
import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from sqlalchemy import Engine

from foundation.errors import Forbidden, Unauthenticated
from register.audit import AuditEvent, Auditor
from register.audit_chain import ChainSigner
from register.keys import SigningKeys
from register.passwords import Argon2Parameters
from register.principals import Principal
from register.sessions import REFUSED, Session, SessionPolicy, check_session, end_session
from register.sign_in import sign_in
from register.store import now
from register.tokens import issue_token, read_token
from register.users import user_by_id

SESSION_COOKIE = "visor_session"
CSRF_COOKIE = "visor_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SIGN_IN_REFUSED = "sign in: wrong username or password, or the account is locked or disabled"


@dataclass(frozen=True)
class AuthConfig:
    engine: Engine
    keys: SigningKeys
    signer: ChainSigner
    parameters: Argon2Parameters
    policy: SessionPolicy


@dataclass(frozen=True)
class Caller:
    """A signed-in request: who, their session, and the auditor that records what they do."""

    principal: Principal
    session: Session
    auditor: Auditor
    via_cookie: bool


class TokenAnswer(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


class SessionAnswer(BaseModel):
    csrf_token: str
    expires_in: int
    username: str
    agency: str
    roles: list[str]


class WhoAmI(BaseModel):
    username: str
    agency: str | None
    roles: list[str]
    session_expires_at: str


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


def csrf_token(keys: SigningKeys, session_id: str) -> str:
    """Bound to the session: a token from another session, or made up, is refused."""
    return hmac.new(keys.csrf, session_id.encode(), hashlib.sha256).hexdigest()


def _config(request: Request) -> AuthConfig:
    config: AuthConfig = request.app.state.auth
    return config


_bearer = HTTPBearer(auto_error=False, description="a token from POST /api/v1/auth/token")


def signed_in(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    """The caller, from the bearer token or else the session cookie; 401 otherwise. A
    cookie-authenticated write must carry the session's CSRF token and, when the browser
    says where it came from, come from a trusted host."""
    via_cookie = credentials is None
    token = credentials.credentials if credentials else request.cookies.get(SESSION_COOKIE)
    caller = authenticate(request, token, via_cookie)
    if via_cookie and request.method not in SAFE_METHODS:
        check_csrf(request, caller, request.headers.get(CSRF_HEADER, ""))
    return caller


def authenticate(request: Request, token: str | None, via_cookie: bool) -> Caller:
    """Who a token names, its session checked in the register and the user read afresh
    (CSRF is the caller's to check: a header for the API, a form field for the web pages)."""
    config = _config(request)
    if not token:
        raise Unauthenticated("sign in: no token (POST /api/v1/auth/token)")
    claims = read_token(config.keys.tokens, token)
    with config.engine.begin() as connection:
        session = check_session(connection, claims.session_id, config.policy)
        user = user_by_id(connection, session.user_id) if session else None
    if session is None or user is None or not user.enabled or user.username != claims.username:
        raise Unauthenticated(REFUSED)
    principal = user.principal()
    auditor = Auditor(config.signer, principal, client_address(request))
    caller = Caller(principal, session, auditor, via_cookie)
    # A refusal later in the request is audited as this caller's (api/errors.py).
    request.state.caller = caller
    return caller


def check_csrf(request: Request, caller: Caller, sent: str) -> None:
    """A cookie-authenticated write: the session's own CSRF token, from the API's origin."""
    if not hmac.compare_digest(sent, csrf_token(_config(request).keys, caller.session.session_id)):
        raise Forbidden(f"a write with the session cookie needs its {CSRF_HEADER} header")
    check_origin(request)


def check_origin(request: Request) -> None:
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        if origin == "null":
            raise Forbidden("a write with the session cookie from an opaque origin is refused")
        return
    host = request.headers.get("host", "")
    if origin.split("://", 1)[-1] != host:
        raise Forbidden("a write with the session cookie must come from the API's own origin")


SignedIn = Annotated[Caller, Depends(signed_in)]
router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


def _sign_in(request: Request, username: str, password: str, kind: str) -> tuple[str, Session]:
    config = _config(request)
    outcome = sign_in(
        config.engine,
        config.signer,
        username,
        password,
        config.parameters,
        config.policy,
        "cookie" if kind == "cookie" else "bearer",
        client_address(request),
    )
    if outcome.refused or outcome.session is None or outcome.user is None:
        raise Unauthenticated(SIGN_IN_REFUSED)
    return _token(config, outcome.user.username, outcome.session), outcome.session


def _token(config: AuthConfig, username: str, session: Session) -> str:
    issued = now()
    lifetime = min(config.policy.token_lifetime, session.expires_at - issued)
    return issue_token(config.keys.tokens, username, session.session_id, issued, lifetime)


def _expires_in(config: AuthConfig, session: Session) -> int:
    return int(min(config.policy.token_lifetime, session.expires_at - now()).total_seconds())


@router.post("/token", response_model=TokenAnswer)
def token(
    request: Request, username: Annotated[str, Form()], password: Annotated[str, Form()]
) -> TokenAnswer:
    """OAuth2 password flow: a short-lived bearer token for a new session."""
    access, session = _sign_in(request, username, password, "bearer")
    return TokenAnswer(access_token=access, expires_in=_expires_in(_config(request), session))


def _set_cookies(request: Request, response: Response, access: str, session: Session) -> str:
    config = _config(request)
    secure = request.url.scheme == "https"
    csrf = csrf_token(config.keys, session.session_id)
    age = _expires_in(config, session)
    response.set_cookie(
        SESSION_COOKIE, access, max_age=age, httponly=True, secure=secure, samesite="strict"
    )
    # Read by the page's script and sent back as X-CSRF-Token; useless without the session.
    response.set_cookie(
        CSRF_COOKIE, csrf, max_age=age, httponly=False, secure=secure, samesite="strict"
    )
    return csrf


@router.post("/session", response_model=SessionAnswer)
def cookie_session(
    request: Request,
    response: Response,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
) -> SessionAnswer:
    """Sign in for the web UI: the session as an HttpOnly cookie, and its CSRF token."""
    return open_cookie_session(request, response, username, password)


def open_cookie_session(
    request: Request, response: Response, username: str, password: str
) -> SessionAnswer:
    """A new cookie session on `response` (the API's route and the web sign-in page)."""
    access, session = _sign_in(request, username, password, "cookie")
    csrf = _set_cookies(request, response, access, session)
    with _config(request).engine.connect() as connection:
        user = user_by_id(connection, session.user_id)
    assert user is not None
    return SessionAnswer(
        csrf_token=csrf,
        expires_in=_expires_in(_config(request), session),
        username=user.username,
        agency=user.agency,
        roles=sorted(r.value for r in user.roles),
    )


@router.post("/refresh", response_model=TokenAnswer)
def refresh(request: Request, response: Response, caller: SignedIn) -> TokenAnswer:
    """A fresh token for the same session (which keeps its absolute lifetime)."""
    config = _config(request)
    access = _token(config, caller.principal.username, caller.session)
    if caller.via_cookie:
        _set_cookies(request, response, access, caller.session)
    return TokenAnswer(access_token=access, expires_in=_expires_in(config, caller.session))


@router.post("/logout", status_code=204)
def logout(request: Request, response: Response, caller: SignedIn) -> None:
    close_session(request, response, caller)


def close_session(request: Request, response: Response, caller: Caller) -> None:
    """End the caller's session, recorded, and clear its cookies."""
    with _config(request).engine.begin() as connection:
        end_session(connection, caller.session.session_id)
        caller.auditor.record(connection, AuditEvent("sign_out", target=caller.principal.username))
    response.delete_cookie(SESSION_COOKIE)
    response.delete_cookie(CSRF_COOKIE)


@router.get("/me", response_model=WhoAmI)
def me(caller: SignedIn) -> WhoAmI:
    return WhoAmI(
        username=caller.principal.username,
        agency=caller.principal.agency,
        roles=sorted(r.value for r in caller.principal.roles),
        session_expires_at=caller.session.expires_at.isoformat(),
    )
