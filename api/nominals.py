"""The register's nominals: create, read, replace, archive, restore, history, a paged list of
references, and one item at a time added to a record's marks, MO, offences, addresses and
associates. Each route is a thin layer over register/changes.py (the rules and the audit
trail live there); here only HTTP: bodies, ETag and If-Match, redaction of what the caller
may not see, and status codes.

A nominal's ETag is its version (`"3"`). A change names the version it was made against in
`If-Match`: without it, 428; with an older one, 412 and nothing changes.
"""

import base64
import binascii
import re
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError, field_validator
from starlette.concurrency import run_in_threadpool

from api import context
from api.auth import Caller, SignedIn
from api.context import EscapedJSONResponse, Purpose
from api.errors import problem_responses
from api.limits import json_content, read_body
from foundation.errors import InvalidInput, PreconditionRequired
from foundation.untrusted_json import UntrustedJson, loads
from register import changes, store
from register.model import NominalRecord, Status, to_document
from register.permissions import redact_record
from register.store import VersionEntry, Written
from register.validation import LINE_LIMITS, MAX_LINE_BYTES, check_document, nif_schema
from visor.security import check_purpose

PREFIX = "/api/v1/nominals"
router = APIRouter(prefix=PREFIX, tags=["nominals"])

REFERENCE_PATTERN = nif_schema()["properties"]["reference"]["pattern"]
REFERENCE_MAX = nif_schema()["properties"]["reference"]["maxLength"]
# The sub-resources' names in paths, and the record's list each adds to.
ITEM_LISTS = {
    "marks": "marks",
    "mo": "modus_operandi",
    "offences": "offences",
    "addresses": "addresses",
    "associates": "associates",
}
MAX_ITEM_BYTES = 64 * 1024
MAX_PAGE = 500


def _schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A JSON Schema of ours as an OpenAPI 3.1 schema object (no $schema, $id: it is
    embedded, not fetched)."""
    return {key: value for key, value in schema.items() if key not in ("$schema", "$id")}


NIF_SCHEMA = _schema(nif_schema())
NIF_BODY = {
    "requestBody": {"required": True, "content": {"application/json": {"schema": NIF_SCHEMA}}}
}
NIF_ANSWER = {"content": {"application/json": {"schema": NIF_SCHEMA}}}
ETAG_HEADER = {"ETag": {"description": "the record's version", "schema": {"type": "string"}}}


def checked_reference(
    request: Request,
    reference: Annotated[
        str,
        Path(
            min_length=1,
            max_length=REFERENCE_MAX,
            pattern=REFERENCE_PATTERN,
            description="the nominal's reference; its slashes may be sent as they are",
        ),
    ],
) -> str:
    """A reference as the NIF allows, and no path games: no '.' or '..' segment, no empty
    one (the NIF's own pattern would let 'A/../B' through), no control character anywhere
    in the path (the router's pattern ends at a final newline, so 'R1\\n' would be read
    as R1)."""
    segments = reference.split("/")
    if any(segment in ("", ".", "..") for segment in segments):
        raise InvalidInput("reference: no empty, '.' or '..' segments")
    if _CONTROL.search(request.scope["path"]):
        raise InvalidInput("reference: no control characters")
    return reference


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
Reference = Annotated[str, Depends(checked_reference)]
IfMatch = Annotated[
    str | None,
    Header(
        max_length=100,
        description='the ETag of the version this change was made against, e.g. "3"',
    ),
]
_ETAG = re.compile(r'^"([0-9]{1,18})"$')


def expected_version(if_match: str | None) -> int:
    if if_match is None:
        raise PreconditionRequired(
            'If-Match: send the ETag of the version you read (GET gives it, e.g. "3"), '
            "so that a change made meanwhile by someone else is not overwritten"
        )
    found = _ETAG.match(if_match.strip())
    if found is None:
        raise InvalidInput('If-Match: one strong ETag as GET gives it, e.g. "3"')
    return int(found.group(1))


def _etag(version: int) -> dict[str, str]:
    return {"ETag": f'"{version}"'}


def _redacted(caller: Caller, request: Request, document: dict[str, Any]) -> dict[str, Any]:
    return redact_record(caller.principal, document, context.restrictions(request))


def _answer(caller: Caller, request: Request, written: Written, status: int = 200) -> JSONResponse:
    headers = _etag(written.version)
    if status == 201:
        headers["Location"] = f"{PREFIX}/{written.reference}"
    return EscapedJSONResponse(
        _redacted(caller, request, written.after), status_code=status, headers=headers
    )


async def _nif_body(request: Request) -> NominalRecord:
    json_content(request)
    raw = await read_body(request, MAX_LINE_BYTES, "the record")
    try:
        document = loads(raw, LINE_LIMITS)
    except UntrustedJson as error:
        raise InvalidInput(f"body: {error}") from error
    if not isinstance(document, dict):
        raise InvalidInput(f"body: a NIF record is a JSON object, not {type(document).__name__}")
    checked = check_document(document)
    if checked.record is None:
        raise InvalidInput("body: " + "; ".join(checked.reasons))
    return checked.record


async def _json_body(request: Request, limit: int) -> Any:
    json_content(request)
    raw = await read_body(request, limit, "the body")
    try:
        return loads(raw, LINE_LIMITS)
    except UntrustedJson as error:
        raise InvalidInput(f"body: {error}") from error


Body = TypeVar("Body", bound=BaseModel)


async def _model_body(request: Request, model: type[Body], limit: int) -> Body:
    document = await _json_body(request, limit)
    try:
        return model.model_validate(document)
    except ValidationError as error:
        reasons = [
            f"body.{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" if e["loc"] else e["msg"]
            for e in error.errors()
        ]
        raise InvalidInput("; ".join(reasons)) from None


class ReferencePage(BaseModel):
    references: list[str]
    next_cursor: str | None = Field(
        description="pass as `cursor` for the next page; null on the last"
    )


class StatusChange(BaseModel):
    reason: str = Field(min_length=1, max_length=500, description="kept with the change")

    @field_validator("reason")
    @classmethod
    def _said(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("state a reason")
        if "\x00" in value:
            raise ValueError("contains a NUL character")
        return value.strip()


class Version(BaseModel):
    version: int
    change: str
    changed_fields: list[str]
    actor: str
    reason: str | None
    changed_at: str
    document: dict[str, Any]


def _cursor(reference: str) -> str:
    return base64.urlsafe_b64encode(reference.encode()).rstrip(b"=").decode()


def _after(cursor: str | None) -> str | None:
    """The reference a cursor stands for. Opaque to clients; a cursor not of ours is refused
    rather than read as some other place in the list."""
    if cursor is None:
        return None
    try:
        reference = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidInput("cursor: not a cursor this API gave") from None
    if not re.fullmatch(REFERENCE_PATTERN.rstrip("$") + r"\Z", reference):
        raise InvalidInput("cursor: not a cursor this API gave")
    return reference


@router.get("", response_model=ReferencePage)
def list_nominals(
    request: Request,
    caller: SignedIn,
    cursor: Annotated[str | None, Query(max_length=100, pattern=r"^[A-Za-z0-9_-]+$")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    purpose: Purpose = None,
) -> ReferencePage:
    """References in order, a page at a time: the cursor names where the last page ended,
    so records added or removed meanwhile shift no page."""
    stated = check_purpose(context.settings(request), purpose)
    after = _after(cursor)
    with context.services(request).engine.begin() as connection:
        references = changes.list_references(connection, caller.auditor, after, limit, stated)
    following = _cursor(references[-1]) if len(references) == limit else None
    return ReferencePage(references=references, next_cursor=following)


@router.post(
    "",
    status_code=201,
    openapi_extra=NIF_BODY,
    responses={
        201: {**NIF_ANSWER, "description": "created", "headers": ETAG_HEADER},
        **problem_responses(409),
    },
)
async def create_nominal(request: Request, caller: SignedIn) -> JSONResponse:
    """A new nominal from its whole NIF record, managed by the caller's agency."""
    record = await _nif_body(request)
    policy = context.restrictions(request)

    def write() -> Written:
        with context.services(request).engine.begin() as connection:
            return changes.create(connection, caller.auditor, record, policy=policy)

    return _answer(caller, request, await run_in_threadpool(write), 201)


@router.get(
    "/{reference:path}/history",
    response_model=list[Version],
)
def nominal_history(
    request: Request, caller: SignedIn, reference: Reference, purpose: Purpose = None
) -> list[Version]:
    """Every version of the record, oldest first, each without what the caller may not see."""
    stated = check_purpose(context.settings(request), purpose)
    with context.services(request).engine.begin() as connection:
        entries = changes.view_history(connection, caller.auditor, reference, stated)
    hidden = context.restrictions(request).hidden_from(caller.principal)
    return [_version(caller, request, entry, hidden) for entry in entries]


def _version(
    caller: Caller, request: Request, entry: VersionEntry, hidden: frozenset[str]
) -> Version:
    return Version(
        version=entry.version,
        change=entry.change,
        # That a hidden field changed is left out too, not only its value.
        changed_fields=[f for f in entry.changed_fields if f not in hidden],
        actor=entry.actor,
        reason=entry.reason,
        changed_at=entry.changed_at.isoformat(),
        document=_redacted(caller, request, entry.document),
    )


def _set_status(status: Status) -> Any:
    async def change_status(
        request: Request, caller: SignedIn, reference: Reference
    ) -> JSONResponse:
        body = await _model_body(request, StatusChange, 4096)

        def write() -> tuple[NominalRecord, int]:
            with context.services(request).engine.begin() as connection:
                after = changes.set_status(
                    connection, caller.auditor, reference, status, body.reason
                )
                return after, store.version_of(connection, reference)

        after, version = await run_in_threadpool(write)
        return EscapedJSONResponse(
            _redacted(caller, request, to_document(after)), headers=_etag(version)
        )

    return change_status


_STATUS_ROUTE: dict[str, Any] = {
    "openapi_extra": {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": StatusChange.model_json_schema()}},
        }
    },
    "responses": {
        200: {**NIF_ANSWER, "description": "the record, changed", "headers": ETAG_HEADER},
        **problem_responses(409),
    },
}
router.post("/{reference:path}/archive", name="archive_nominal", **_STATUS_ROUTE)(
    _set_status("archived")
)
router.post("/{reference:path}/restore", name="restore_nominal", **_STATUS_ROUTE)(
    _set_status("live")
)


def _append_route(path_name: str, field: str) -> None:
    item_schema = NIF_SCHEMA["properties"][field]["items"]

    async def add_item(
        request: Request, caller: SignedIn, reference: Reference, if_match: IfMatch = None
    ) -> JSONResponse:
        expected = expected_version(if_match)
        item = await _json_body(request, MAX_ITEM_BYTES)
        policy = context.restrictions(request)

        def write() -> Written:
            with context.services(request).engine.begin() as connection:
                return changes.append(
                    connection, caller.auditor, reference, field, item, expected, policy
                )

        return _answer(caller, request, await run_in_threadpool(write), 201)

    add_item.__doc__ = f"Add one item to the record's {field}, against the version in If-Match."
    router.post(
        f"/{{reference:path}}/{path_name}",
        name=f"add_{path_name}",
        status_code=201,
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": item_schema}},
            }
        },
        responses={
            201: {**NIF_ANSWER, "description": "the record with the item", "headers": ETAG_HEADER},
            **problem_responses(409, 412, 428),
        },
    )(add_item)


for _path_name, _field in ITEM_LISTS.items():
    _append_route(_path_name, _field)


@router.get(
    "/{reference:path}",
    responses={200: {**NIF_ANSWER, "description": "the record", "headers": ETAG_HEADER}},
)
def read_nominal(
    request: Request, caller: SignedIn, reference: Reference, purpose: Purpose = None
) -> JSONResponse:
    """The NIF record, without the fields the caller's roles may not see; its ETag is its
    version. Recorded in the audit trail as a view, with its purpose."""
    stated = check_purpose(context.settings(request), purpose)
    with context.services(request).engine.begin() as connection:
        record = changes.view(connection, caller.auditor, reference, stated)
        version = store.version_of(connection, reference)
    return EscapedJSONResponse(
        _redacted(caller, request, to_document(record)), headers=_etag(version)
    )


@router.put(
    "/{reference:path}",
    openapi_extra=NIF_BODY,
    responses={
        200: {**NIF_ANSWER, "description": "the record, replaced", "headers": ETAG_HEADER},
        **problem_responses(409, 412, 428),
    },
)
async def replace_nominal(
    request: Request, caller: SignedIn, reference: Reference, if_match: IfMatch = None
) -> JSONResponse:
    """Replace the whole record, against the version in If-Match. Fields the caller may not
    see are kept as stored, and may not be sent."""
    expected = expected_version(if_match)
    record = await _nif_body(request)
    if record.reference != reference:
        raise InvalidInput(f"body: reference {record.reference!r} is not the path's {reference!r}")
    policy = context.restrictions(request)

    def write() -> Written:
        with context.services(request).engine.begin() as connection:
            return changes.replace(connection, caller.auditor, record, expected, policy=policy)

    return _answer(caller, request, await run_in_threadpool(write))
