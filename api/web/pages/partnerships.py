"""Partnerships and transfers: the requests in and out of the caller's agency, and the
register's own workflow (register/partnerships.py) to ask, grant, refuse, revoke, accept."""

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse

from api.web.context import WebRoute, caller_of, checked_post, render, services_of
from foundation.errors import InvalidInput
from register import partnerships
from register.permissions import CHANGE_ROLES

router = APIRouter(route_class=WebRoute)
DONE = "/partnerships?done="


@router.get("/partnerships", name="partnerships")
def partnerships_page(request: Request, done: str = "") -> Response:
    caller = caller_of(request)
    agency = caller.principal.agency
    incoming: list[partnerships.Request] = []
    outgoing: list[partnerships.Request] = []
    if agency is not None and caller.principal.has(*CHANGE_ROLES):
        with services_of(request).engine.begin() as connection:
            found = partnerships.requests_for_agency(connection, caller.auditor, agency)
        incoming, outgoing = found.incoming, found.outgoing
    context = {"incoming": incoming, "outgoing": outgoing, "agency": agency, "done": done}
    return render(request, "partnerships.html", context)


@router.post("/partnerships/ask", name="ask_partnership")
def ask(
    request: Request,
    reference: Annotated[str, Form(max_length=64)] = "",
    kind: Annotated[str, Form()] = "partnership",
    to_agency: Annotated[str, Form(max_length=32)] = "",
    reason: Annotated[str, Form(max_length=500)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    caller = checked_post(request, csrf_token)
    if not reference.strip():
        raise InvalidInput("reference: which nominal?")
    with services_of(request).engine.begin() as connection:
        if kind == "transfer":
            if not to_agency.strip():
                raise InvalidInput("to agency: which agency should manage it?")
            partnerships.request_transfer(
                connection, caller.auditor, reference.strip(), to_agency.strip(), reason or None
            )
        else:
            partnerships.request_partnership(
                connection, caller.auditor, reference.strip(), reason or None
            )
    return RedirectResponse(DONE + "asked", status_code=303)


@router.post("/partnerships/{request_id}/decide", name="decide_partnership")
def decide(
    request: Request,
    request_id: int,
    decision: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    caller = checked_post(request, csrf_token)
    if decision not in ("grant", "refuse"):
        raise InvalidInput("decision: grant or refuse")
    with services_of(request).engine.begin() as connection:
        partnerships.decide_partnership(
            connection, caller.auditor, request_id, grant=decision == "grant"
        )
    return RedirectResponse(DONE + ("granted" if decision == "grant" else "refused"), 303)


@router.post("/partnerships/revoke", name="revoke_partnership")
def revoke(
    request: Request,
    reference: Annotated[str, Form(max_length=64)] = "",
    agency: Annotated[str, Form(max_length=32)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    caller = checked_post(request, csrf_token)
    with services_of(request).engine.begin() as connection:
        partnerships.revoke_partnership(connection, caller.auditor, reference, agency)
    return RedirectResponse(DONE + "revoked", status_code=303)


@router.post("/transfers/{request_id}/accept", name="accept_transfer")
def accept(request: Request, request_id: int, csrf_token: Annotated[str, Form()] = "") -> Response:
    caller = checked_post(request, csrf_token)
    with services_of(request).engine.begin() as connection:
        partnerships.accept_transfer(connection, caller.auditor, request_id)
    return RedirectResponse(DONE + "accepted", status_code=303)
