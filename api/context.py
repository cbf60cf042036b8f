"""What every route module shares: the app's state as typed values, the `purpose` query
parameter, and the JSON answer that shows user text inert."""

from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import JSONResponse

from foundation.escapes import json_text
from register.permissions import RestrictionPolicy
from visor.search_engines import SearchEngines
from visor.services import Services
from visor.settings import Settings

# Why the search or view is made (an incident or case number): required unless the settings
# say not (visor/security.py check_purpose).
Purpose = Annotated[str | None, Query(max_length=500, description="why: kept in the audit trail")]


class EscapedJSONResponse(JSONResponse):
    """JSON whose control characters, bidirectional overrides and lone surrogates are
    `\\u` escapes: the same values, shown inert by a terminal (curl) or a page."""

    def render(self, content: Any) -> bytes:
        return json_text(content).encode("utf-8")


def services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found


def engines(request: Request) -> SearchEngines:
    found: SearchEngines = request.app.state.engines
    return found


def settings(request: Request) -> Settings:
    found: Settings = request.app.state.settings
    return found


def restrictions(request: Request) -> RestrictionPolicy:
    found: RestrictionPolicy = request.app.state.restrictions
    return found
