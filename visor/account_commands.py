"""`visor agencies ...` and `visor users ...`: setting a deployment up from a script. The CLI
acts as the register's local operator, audited like any user."""

import argparse
import sys
from typing import Any

from foundation.errors import InvalidInput
from foundation.escapes import printable
from register import agencies, users
from register.audit import AuditEvent
from register.permissions import authorize_manage_agencies
from register.principals import AgencyKind, Role
from register.users import User
from visor.output import add_action_json_flag, emit
from visor.security import argon2_parameters, operator_auditor
from visor.services import Services


def add_agency_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="agency_action", required=True)
    sub = actions.add_parser("add", help="add an agency", description="add an agency")
    sub.add_argument("code", help="agency code, e.g. MPS (as in a nominal's managing_agency)")
    sub.add_argument("--name", required=True, help="the agency's name")
    sub.add_argument("--kind", required=True, choices=[k.value for k in AgencyKind])
    add_action_json_flag(sub)
    sub = actions.add_parser("list", help="list agencies", description="list agencies")
    add_action_json_flag(sub)


def run_agencies(args: argparse.Namespace, services: Services) -> int:
    auditor = operator_auditor(services.settings)
    if args.agency_action == "add":
        authorize_manage_agencies(auditor.principal)
        with services.engine.begin() as connection:
            agency = agencies.add_agency(connection, args.code, args.name, args.kind)
            auditor.record(
                connection,
                AuditEvent(
                    "agency.add",
                    target=agency.code,
                    details={"name": agency.name, "kind": agency.kind},
                ),
            )
        emit(args, _agency(agency), f"added agency {agency.code} ({printable(agency.name)})")
        return 0
    with services.engine.connect() as connection:
        found = agencies.list_agencies(connection)
    emit(
        args,
        [_agency(a) for a in found],
        "\n".join(f"{a.code:<16} {a.kind:<10} {printable(a.name)}" for a in found),
    )
    return 0


def _agency(agency: agencies.Agency) -> dict[str, Any]:
    return {"code": agency.code, "name": agency.name, "kind": agency.kind.value}


def add_user_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="user_action", required=True)

    def action(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = actions.add_parser(name, help=help_text, description=help_text)
        add_action_json_flag(sub)
        return sub

    roles = [r.value for r in Role]
    sub = action("add", "add a user of an agency, with a password read from standard input")
    sub.add_argument("username")
    sub.add_argument("--agency", required=True, help="the user's agency code")
    sub.add_argument("--role", action="append", required=True, choices=roles, help="repeatable")
    sub.add_argument(
        "--password-stdin",
        action="store_true",
        required=True,
        help="read the password from the first line of standard input (never an argument, "
        "which other users of the machine could see)",
    )
    for name, text in (
        ("disable", "disable a user (ends their sessions)"),
        ("enable", "enable a disabled user"),
        ("unlock", "unlock a user locked out by failed sign-ins"),
    ):
        action(name, text).add_argument("username")
    sub = action("reset-password", "set a new password, read from stdin (ends their sessions)")
    sub.add_argument("username")
    sub.add_argument("--password-stdin", action="store_true", required=True)
    sub = action("set-roles", "replace a user's roles (a permission change, audited)")
    sub.add_argument("username")
    sub.add_argument("--role", action="append", required=True, choices=roles)
    sub = action("list", "list users")
    sub.add_argument("--agency", help="only this agency's users")


def _password_from_stdin() -> str:
    line = sys.stdin.readline()
    password = line.removesuffix("\n").removesuffix("\r")
    if not password:
        raise InvalidInput("--password-stdin: no password on standard input")
    return password


def _user(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "agency": user.agency,
        "roles": sorted(r.value for r in user.roles),
        "enabled": user.enabled,
        "locked_until": user.locked_until.isoformat() if user.locked_until else None,
    }


def _user_line(user: User) -> str:
    state = "enabled" if user.enabled else "disabled"
    if user.locked_until:
        state += f", locked until {user.locked_until:%Y-%m-%d %H:%M} UTC"
    roles = ",".join(sorted(r.value for r in user.roles))
    return f"{user.username:<24} {user.agency:<16} {roles:<32} {state}"


def run_users(args: argparse.Namespace, services: Services) -> int:
    settings = services.settings
    action = args.user_action
    if action == "list":
        with services.engine.connect() as connection:
            found = users.list_users(connection, args.agency)
        emit(args, [_user(u) for u in found], "\n".join(_user_line(u) for u in found))
        return 0
    auditor = operator_auditor(settings)
    password = _password_from_stdin() if getattr(args, "password_stdin", False) else ""
    with services.engine.begin() as connection:
        if action == "add":
            user = users.add_user(
                connection,
                auditor,
                args.username,
                args.agency,
                users.parse_roles(args.role),
                password,
                argon2_parameters(settings),
            )
        elif action in ("disable", "enable"):
            user = users.set_enabled(connection, auditor, args.username, action == "enable")
        elif action == "unlock":
            user = users.unlock(connection, auditor, args.username)
        elif action == "reset-password":
            user = users.reset_password(
                connection, auditor, args.username, password, argon2_parameters(settings)
            )
        else:
            user = users.set_roles(connection, auditor, args.username, users.parse_roles(args.role))
    emit(args, _user(user), f"{action}: {_user_line(user)}")
    return 0
