"""Administration: the users of the administrator's own agency (register/users.py, which
checks authorize_manage_users and writes the audit trail)."""

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse

from api.web.context import WebRoute, caller_of, checked_post, render, services_of
from foundation.errors import InvalidInput
from register import users
from register.permissions import authorize_manage_users
from register.principals import Role
from register.store import now
from visor.security import argon2_parameters

router = APIRouter(route_class=WebRoute)
ROLES = tuple(r.value for r in Role)


def _agency(request: Request) -> str:
    caller = caller_of(request)
    if caller.principal.agency is None:
        raise InvalidInput("administration is of an agency's users: you belong to none")
    authorize_manage_users(caller.principal, caller.principal.agency)
    return caller.principal.agency


@router.get("/admin", name="admin")
def admin_page(request: Request, done: str = "") -> Response:
    agency = _agency(request)
    with services_of(request).engine.connect() as connection:
        listed = users.list_users(connection, agency)
    at = now()
    rows = [{"user": u, "locked": u.locked(at)} for u in listed]
    context = {"users": rows, "agency": agency, "all_roles": ROLES, "done": done}
    return render(request, "admin.html", context)


@router.post("/admin/users", name="add_user")
def add_user(
    request: Request,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    roles: Annotated[list[str] | None, Form()] = None,
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    caller = checked_post(request, csrf_token)
    agency = caller.principal.agency
    if agency is None:
        raise InvalidInput("administration is of an agency's users: you belong to none")
    settings = request.app.state.web.settings
    with services_of(request).engine.begin() as connection:
        users.add_user(
            connection,
            caller.auditor,
            username.strip(),
            agency,
            users.parse_roles(roles or []),
            password,
            argon2_parameters(settings),
        )
    return RedirectResponse("/admin?done=added", status_code=303)


@router.post("/admin/users/{username}/{action}", name="manage_user")
def manage_user(
    request: Request,
    username: str,
    action: str,
    password: Annotated[str, Form(max_length=1000)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    caller = checked_post(request, csrf_token)
    settings = request.app.state.web.settings
    with services_of(request).engine.begin() as connection:
        if action in ("disable", "enable"):
            users.set_enabled(connection, caller.auditor, username, action == "enable")
        elif action == "unlock":
            users.unlock(connection, caller.auditor, username)
        elif action == "reset":
            users.reset_password(
                connection, caller.auditor, username, password, argon2_parameters(settings)
            )
        else:
            raise InvalidInput(f"no such action {action}: disable, enable, unlock or reset")
    return RedirectResponse(f"/admin?done={action}", status_code=303)
