"""What the routes over a nominal's attachments share: the signed-in caller (kept on the
request, so that a refusal is audited with its rule), the stated purpose, the services."""

from typing import Annotated

from fastapi import Depends, Query, Request

from api.auth import Caller, SignedIn
from register.permissions import RestrictionPolicy
from visor.security import check_purpose, restriction_policy
from visor.services import Services

# Why the record is looked at (an incident or case number): required unless the settings
# say not; kept in the audit trail.
Purpose = Annotated[str | None, Query(max_length=500, description="why: kept in the audit trail")]


def _recorded_caller(request: Request, caller: SignedIn) -> Caller:
    request.state.caller = caller
    return caller


Signed = Annotated[Caller, Depends(_recorded_caller)]


def services_of(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def stated_purpose(request: Request, purpose: str | None) -> str | None:
    return check_purpose(services_of(request).settings, purpose)


def restrictions_of(request: Request) -> RestrictionPolicy:
    return restriction_policy(services_of(request).settings)
