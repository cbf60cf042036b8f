"""Every error the API answers, as `application/problem+json` (RFC 9457), from one table.

The domain raises its own errors (foundation/errors.py); this module maps each kind to its
HTTP status once, and FastAPI's and Starlette's own refusals (validation, unknown routes,
wrong methods) to the same shape. Anything else is a bug: a plain 500 whose answer says
nothing about what failed (the log has it). A problem's `detail` is the domain's message,
which never carries a restricted field's value: permissions.py words its refusals by rule,
not by content.
"""

import logging
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from foundation.errors import (
    BackendUnavailable,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    PreconditionRequired,
    StaleVersion,
    TooLarge,
    Unauthenticated,
    UnsupportedMediaType,
    VisorError,
)
from foundation.escapes import json_text
from imaging.blobstore import PhotoRejected
from register.audit import AuditEvent

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"


@dataclass(frozen=True)
class Kind:
    status: int
    slug: str


# Most specific first: the first kind an error is an instance of decides.
TABLE: tuple[tuple[type[Exception], Kind], ...] = (
    (Unauthenticated, Kind(401, "unauthenticated")),
    (Forbidden, Kind(403, "forbidden")),
    (NotFound, Kind(404, "not-found")),
    (StaleVersion, Kind(412, "stale-version")),
    (PreconditionRequired, Kind(428, "precondition-required")),
    (Conflict, Kind(409, "conflict")),
    (TooLarge, Kind(413, "too-large")),
    (UnsupportedMediaType, Kind(415, "unsupported-media-type")),
    (PhotoRejected, Kind(422, "photo-rejected")),
    (InvalidInput, Kind(422, "invalid-input")),
    (BackendUnavailable, Kind(503, "unavailable")),
)
VALIDATION = Kind(422, "invalid-input")
INTERNAL = Kind(500, "internal-error")


class Problem(BaseModel):
    """An error answer (RFC 9457). `current_version` is given with a 412."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    current_version: int | None = None


def kind_of(error: Exception) -> Kind:
    for error_type, kind in TABLE:
        if isinstance(error, error_type):
            return kind
    return INTERNAL


def problem_response(
    request: Request,
    kind: Kind,
    detail: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    body: dict[str, Any] = {
        "type": f"urn:visor:problem:{kind.slug}",
        "title": HTTPStatus(kind.status).phrase,
        "status": kind.status,
        "detail": detail,
        "instance": request.url.path,
        **extra,
    }
    if kind.status == 413:
        # Otherwise the server would go on reading (and discarding) the rest of the body to
        # keep the connection: closing it is what stops a 1 GiB upload at the cap.
        headers = {**(headers or {}), "Connection": "close"}
    # Escaped as every answer is: a detail may quote what the caller sent.
    return Response(
        json_text(body), status_code=kind.status, headers=headers, media_type=PROBLEM_JSON
    )


# Declared on every route, so that an answer of each of these statuses conforms to the
# schema; a route adds those it may give beyond these.
COMMON_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {PROBLEM_JSON: {}}, "description": description}
    for status, description in (
        (400, "a malformed request (a Host header outside the trusted names)"),
        (401, "no valid sign-in"),
        (403, "the caller may not do this"),
        (404, "no such thing"),
        (413, "the request body is larger than allowed"),
        (415, "the request body is not of a type this route reads"),
        (422, "the request is malformed: the detail says why"),
        (503, "a service the register needs is unavailable"),
    )
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The problem answers a route gives beyond COMMON_RESPONSES."""
    descriptions = {
        409: "the change clashes with the record's current state",
        412: "If-Match names an older version: read the record again",
        428: "this change needs If-Match with the version it was made against",
    }
    return {
        status: {
            "model": Problem,
            "content": {PROBLEM_JSON: {}},
            "description": descriptions[status],
        }
        for status in statuses
    }


def _domain_error(request: Request, error: Exception) -> Response:
    kind = kind_of(error)
    if kind is INTERNAL:
        return _internal_error(request, error)
    headers = {"WWW-Authenticate": "Bearer"} if kind.status == 401 else None
    extra: dict[str, Any] = {}
    if isinstance(error, StaleVersion):
        extra["current_version"] = error.current
        headers = {"ETag": f'"{error.current}"'}
    if kind.status == 403:
        _audit_refusal(request, error)
    if kind.status == 503:
        # The access log shows only the status; an operator needs to know which service went
        # away, and whether it refused, timed out or was overloaded.
        log.warning("%s %s answered 503: %s", request.method, request.url.path, error)
    return problem_response(request, kind, str(error), headers, **extra)


def _validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    reasons = []
    for problem in error.errors():
        where = ".".join(str(part) for part in problem.get("loc", ()))
        reasons.append(f"{where}: {problem.get('msg', 'invalid')}")
    return problem_response(request, VALIDATION, "; ".join(reasons) or "invalid request")


def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    detail = error.detail if isinstance(error.detail, str) else HTTPStatus(error.status_code).phrase
    if error.status_code == 404:
        detail = f"no route {request.url.path}"
    kind = Kind(error.status_code, HTTPStatus(error.status_code).phrase.lower().replace(" ", "-"))
    return problem_response(request, kind, detail, dict(error.headers or {}))


def _internal_error(request: Request, error: Exception) -> Response:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    return problem_response(request, INTERNAL, "the server failed to answer; it is logged")


def _problems_as_problem_json(schema: dict[str, Any]) -> dict[str, Any]:
    """FastAPI files a response model's schema under application/json; a problem is
    answered as application/problem+json, so its schema is moved there."""
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            for response in operation.get("responses", {}).values():
                content = response.get("content", {})
                if PROBLEM_JSON in content and "application/json" in content:
                    content[PROBLEM_JSON] = content.pop("application/json")
    return schema


def install(app: FastAPI) -> None:
    generate = app.openapi
    app.openapi = lambda: _problems_as_problem_json(generate())  # type: ignore[method-assign]
    app.add_exception_handler(VisorError, _domain_error)
    app.add_exception_handler(PhotoRejected, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _internal_error)


def _audit_refusal(request: Request, error: Exception) -> None:
    """A signed-in caller refused: kept in the audit trail, with the rule that refused."""
    caller = getattr(request.state, "caller", None)
    if caller is None:
        return
    engine = request.app.state.services.engine
    route = request.scope.get("route")
    action = getattr(route, "name", None) or request.url.path
    with engine.begin() as connection:
        caller.auditor.record(
            connection,
            AuditEvent(
                action,
                target=request.url.path,
                outcome="refused",
                details={"reason": str(error), "method": request.method},
            ),
        )
