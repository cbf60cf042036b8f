"""The activity log of a nominal: add an entry, read it a page at a time (newest first, with
a stable cursor). Thin routes over register/activity.py, which authorizes (intelligence
entries are a restricted field) and audits."""

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from api import context
from api.auth import SignedIn
from api.context import Purpose
from api.nominals import Reference, _model_body
from api.uploads import json_body
from register.activity import (
    MAX_PAGE,
    MAX_TEXT,
    ActivityEntry,
    ActivityKind,
    NewActivity,
    add_activity,
    list_activity,
)
from visor.security import check_purpose

router = APIRouter(prefix="/api/v1", tags=["activity"])
MAX_BODY = 256 * 1024


class ActivityIn(BaseModel):
    kind: ActivityKind
    occurred_on: dt.date
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    author: str | None = Field(default=None, max_length=200)


class ActivityOut(BaseModel):
    id: int
    reference: str
    kind: str
    occurred_on: dt.date
    text: str
    author: str
    agency: str | None
    recorded_by: str
    recorded_at: dt.datetime


class ActivityPageOut(BaseModel):
    entries: list[ActivityOut]
    next_cursor: str | None
    # Whether intelligence entries are left out of every page for this caller (whether there
    # are any or not): a restricted field, which the caller's roles do not see.
    intelligence_withheld: bool


def _out(entry: ActivityEntry) -> ActivityOut:
    return ActivityOut(**entry.__dict__)


@router.post(
    "/nominals/{reference:path}/activity",
    response_model=ActivityOut,
    status_code=201,
    openapi_extra=json_body(ActivityIn),
)
async def add_entry(request: Request, caller: SignedIn, reference: Reference) -> ActivityOut:
    """Append a dated entry (visit, intelligence, change of circumstance, other)."""
    given = await _model_body(request, ActivityIn, MAX_BODY)
    new = NewActivity(given.kind, given.occurred_on, given.text, given.author)

    def add() -> ActivityEntry:
        with context.services(request).engine.begin() as connection:
            return add_activity(connection, caller.auditor, reference, new)

    return _out(await run_in_threadpool(add))


@router.get("/nominals/{reference:path}/activity", response_model=ActivityPageOut)
def activity_page(
    request: Request,
    caller: SignedIn,
    reference: Reference,
    purpose: Purpose = None,
    cursor: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> ActivityPageOut:
    stated = check_purpose(context.settings(request), purpose)
    with context.services(request).engine.begin() as connection:
        page = list_activity(
            connection,
            caller.auditor,
            reference,
            stated,
            context.restrictions(request),
            cursor,
            limit,
        )
    return ActivityPageOut(
        entries=[_out(entry) for entry in page.entries],
        next_cursor=page.next_cursor,
        intelligence_withheld=page.intelligence_withheld,
    )
