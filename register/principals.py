"""Who is acting: a signed-in user, or the CLI's named local operator. Every authorization
decision (register/permissions.py) and every audit entry (register/audit.py) takes one."""

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal


class Role(StrEnum):
    VIEWER = "viewer"
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    ADMINISTRATOR = "administrator"
    AUDITOR = "auditor"


class AgencyKind(StrEnum):
    POLICE = "police"
    PROBATION = "probation"
    PRISON = "prison"
    OTHER = "other"


@dataclass(frozen=True)
class Principal:
    username: str
    agency: str | None
    roles: frozenset[Role]
    # "operator": someone at the register's own machine (the CLI), who could change the
    # database directly anyway; may set the deployment up, and is audited like anyone.
    kind: Literal["user", "operator"] = "user"
    user_id: int | None = None

    @property
    def is_operator(self) -> bool:
        return self.kind == "operator"

    def has(self, *roles: Role) -> bool:
        return bool(self.roles & set(roles))


def local_operator(name: str, agency: str | None = None) -> Principal:
    return Principal(username=name, agency=agency, roles=frozenset(Role), kind="operator")
