"""Partnership and transfer requests: another agency asks to partner a nominal and a
supervisor of its managing agency grants, refuses or later revokes it; a supervisor of the
managing agency asks to transfer it and one of the receiving agency accepts. Thin routes over
register/partnerships.py, which authorizes, changes the record and audits in one
transaction."""

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Literal, TypeVar

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import Connection
from starlette.concurrency import run_in_threadpool

from api import context
from api.auth import SignedIn
from api.errors import problem_responses
from api.nominals import Reference, _model_body
from api.uploads import json_body
from foundation.errors import InvalidInput
from register import partnerships
from register.partnerships import Request as WorkflowRequest

router = APIRouter(prefix="/api/v1", tags=["partnerships"])
MAX_BODY = 16 * 1024
Done = TypeVar("Done")
RequestId = Annotated[int, Path(ge=1, le=2**31 - 1)]
AgencyCode = Annotated[str, Path(min_length=1, max_length=32)]


class PartnershipAsk(BaseModel):
    reason: str | None = Field(default=None, max_length=2000)


class TransferAsk(BaseModel):
    to_agency: str = Field(min_length=1, max_length=32)
    reason: str | None = Field(default=None, max_length=2000)


class RequestOut(BaseModel):
    id: int
    reference: str
    kind: str
    state: str
    agency: str
    requested_by: str
    requesting_agency: str | None
    requested_at: dt.datetime | None
    reason: str | None
    decided_by: str | None
    decided_at: dt.datetime | None


class AgencyRequestsOut(BaseModel):
    agency: str
    incoming: list[RequestOut]
    outgoing: list[RequestOut]


def _out(request: WorkflowRequest) -> RequestOut:
    return RequestOut(**request.__dict__)


def _in_transaction(request: Request, work: Callable[[Connection], Done]) -> Done:
    with context.services(request).engine.begin() as connection:
        return work(connection)


@router.post(
    "/nominals/{reference:path}/partnership-requests",
    response_model=RequestOut,
    status_code=201,
    responses=problem_responses(409),
    openapi_extra=json_body(PartnershipAsk),
)
async def ask_partnership(request: Request, caller: SignedIn, reference: Reference) -> RequestOut:
    """Ask, for the caller's agency, to become a partner of the nominal."""
    ask = await _model_body(request, PartnershipAsk, MAX_BODY)
    done = await run_in_threadpool(
        _in_transaction,
        request,
        lambda c: partnerships.request_partnership(c, caller.auditor, reference, ask.reason),
    )
    return _out(done)


def _decide(request: Request, caller: SignedIn, request_id: int, grant: bool) -> RequestOut:
    return _out(
        _in_transaction(
            request,
            lambda c: partnerships.decide_partnership(c, caller.auditor, request_id, grant),
        )
    )


@router.post(
    "/partnership-requests/{request_id}/grant",
    response_model=RequestOut,
    responses=problem_responses(409),
)
def grant_partnership(request: Request, caller: SignedIn, request_id: RequestId) -> RequestOut:
    return _decide(request, caller, request_id, grant=True)


@router.post(
    "/partnership-requests/{request_id}/refuse",
    response_model=RequestOut,
    responses=problem_responses(409),
)
def refuse_partnership(request: Request, caller: SignedIn, request_id: RequestId) -> RequestOut:
    return _decide(request, caller, request_id, grant=False)


@router.delete(
    "/nominals/{reference:path}/partners/{agency}",
    status_code=204,
    responses=problem_responses(409),
)
def revoke_partnership(
    request: Request, caller: SignedIn, reference: Reference, agency: AgencyCode
) -> None:
    """End an agency's partnership of the nominal."""
    _in_transaction(
        request, lambda c: partnerships.revoke_partnership(c, caller.auditor, reference, agency)
    )


@router.post(
    "/nominals/{reference:path}/transfer-requests",
    response_model=RequestOut,
    status_code=201,
    responses=problem_responses(409),
    openapi_extra=json_body(TransferAsk),
)
async def ask_transfer(request: Request, caller: SignedIn, reference: Reference) -> RequestOut:
    """Ask to hand the nominal's management to another agency."""
    ask = await _model_body(request, TransferAsk, MAX_BODY)
    done = await run_in_threadpool(
        _in_transaction,
        request,
        lambda c: partnerships.request_transfer(
            c, caller.auditor, reference, ask.to_agency, ask.reason
        ),
    )
    return _out(done)


@router.post(
    "/transfer-requests/{request_id}/accept",
    response_model=RequestOut,
    responses=problem_responses(409),
)
def accept_transfer(request: Request, caller: SignedIn, request_id: RequestId) -> RequestOut:
    return _out(
        _in_transaction(
            request, lambda c: partnerships.accept_transfer(c, caller.auditor, request_id)
        )
    )


@router.get("/requests", response_model=AgencyRequestsOut)
def agency_requests(
    request: Request,
    caller: SignedIn,
    state: Annotated[
        Literal["pending", "granted", "refused", "revoked", "accepted"] | None, Query()
    ] = None,
) -> AgencyRequestsOut:
    """The requests the caller's agency has to decide (incoming) and has made (outgoing)."""
    agency = caller.principal.agency
    if agency is None:
        raise InvalidInput("requests are listed for an agency: this caller has none")
    found = _in_transaction(
        request, lambda c: partnerships.requests_for_agency(c, caller.auditor, agency, state)
    )
    return AgencyRequestsOut(
        agency=agency,
        incoming=[_out(r) for r in found.incoming],
        outgoing=[_out(r) for r in found.outgoing],
    )
