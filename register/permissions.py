"""Who may do what: one function per action, each checked against the register's own record
(its managing agency and partner agencies, read by the caller from the register, never from
the search index). Each raises `Forbidden` with the rule that refused; the CLI's local
operator passes every check and is audited like anyone.

The rules (docs/security.md):
- every signed-in user with a working role may search and view: the register is national;
- only officers and supervisors of the managing agency or of a current partner agency may
  change a nominal or add to it; a new nominal is managed by its creator's agency;
- partnership is asked for by the other agency (an officer or supervisor) and granted, refused
  or revoked by a supervisor of the managing agency; management is transferred at a supervisor
  of the managing agency's request, accepted by a supervisor of the receiving one;
- administrators manage the users of their own agency only;
- auditors read the audit log and do nothing else unless given other roles too; the audit
  reports' work lists they read are their own agency's, every agency's only where their agency
  is granted the national view;
- restricted fields are visible only to the roles that need them.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from foundation.errors import Forbidden
from register.model import NominalRecord
from register.principals import Principal, Role

READ_ROLES = (Role.VIEWER, Role.OFFICER, Role.SUPERVISOR, Role.ADMINISTRATOR)
CHANGE_ROLES = (Role.OFFICER, Role.SUPERVISOR)


# What is attached to a nominal outside its NIF record that may be restricted like a field:
# its documents (register/documents.py) and the intelligence entries of its activity log.
ATTACHED_FIELDS = ("documents", "intelligence")
DEFAULT_RESTRICTED = ("addresses", "warning_markers", "intelligence", "documents")


@dataclass(frozen=True)
class RestrictionPolicy:
    """Fields of a nominal only some roles may see (VISOR_RESTRICTED_FIELDS and
    VISOR_RESTRICTED_FIELD_ROLES)."""

    fields: frozenset[str] = frozenset(DEFAULT_RESTRICTED)
    roles: frozenset[Role] = frozenset({Role.OFFICER, Role.SUPERVISOR})

    def hidden_from(self, principal: Principal) -> frozenset[str]:
        if principal.is_operator or principal.roles & self.roles:
            return frozenset()
        return self.fields


def _refuse(principal: Principal, rule: str) -> Forbidden:
    return Forbidden(f"{principal.username} may not {rule}")


def _agency_relation(principal: Principal, record: NominalRecord) -> str:
    if principal.agency is not None and principal.agency == record.managing_agency:
        return "managing"
    if principal.agency is not None and principal.agency in record.partner_agencies:
        return "partner"
    return "unrelated"


def authorize_search(principal: Principal) -> None:
    if not (principal.is_operator or principal.has(*READ_ROLES)):
        raise _refuse(principal, "search the register (no viewer, officer or supervisor role)")


def authorize_read(principal: Principal, what: str) -> None:
    """Read the register (a nominal, a photo, a document): the roles, before the record."""
    if not (principal.is_operator or principal.has(*READ_ROLES)):
        raise _refuse(principal, f"view {what} (no viewer, officer or supervisor role)")


def authorize_view(principal: Principal, record: NominalRecord) -> None:
    authorize_read(principal, record.reference)


def authorize_change(principal: Principal, record: NominalRecord) -> None:
    """Change a nominal or add to it (marks, photos, addresses, documents...)."""
    if principal.is_operator:
        return
    if not principal.has(*CHANGE_ROLES):
        raise _refuse(principal, f"change {record.reference}: changes need the officer role")
    if _agency_relation(principal, record) == "unrelated":
        raise _refuse(
            principal,
            f"change {record.reference}: only its managing agency and current partner agencies may",
        )


def authorize_create(principal: Principal, managing_agency: str | None) -> None:
    if principal.is_operator:
        return
    if not principal.has(*CHANGE_ROLES):
        raise _refuse(principal, "create a nominal: that needs the officer role")
    if managing_agency != principal.agency:
        raise _refuse(principal, "create a nominal managed by another agency")


def authorize_request_partnership(principal: Principal, record: NominalRecord) -> None:
    if not (principal.is_operator or principal.has(*CHANGE_ROLES)):
        raise _refuse(principal, "ask for a partnership: that needs the officer role")
    if _agency_relation(principal, record) != "unrelated":
        raise _refuse(
            principal, f"ask for a partnership on {record.reference}: the agency already has one"
        )


def authorize_decide_partnership(principal: Principal, record: NominalRecord) -> None:
    """Grant, refuse or revoke a partnership."""
    if principal.is_operator:
        return
    if not principal.has(Role.SUPERVISOR) or _agency_relation(principal, record) != "managing":
        raise _refuse(
            principal,
            f"decide partnerships on {record.reference}: a supervisor of its managing agency does",
        )


def authorize_request_transfer(principal: Principal, record: NominalRecord) -> None:
    if principal.is_operator:
        return
    if not principal.has(Role.SUPERVISOR) or _agency_relation(principal, record) != "managing":
        raise _refuse(
            principal,
            f"transfer {record.reference}: a supervisor of its managing agency asks for that",
        )


def authorize_accept_transfer(principal: Principal, receiving_agency: str) -> None:
    if principal.is_operator:
        return
    if not principal.has(Role.SUPERVISOR) or principal.agency != receiving_agency:
        raise _refuse(
            principal, f"accept a transfer to {receiving_agency}: a supervisor there does"
        )


def authorize_list_requests(principal: Principal, agency: str) -> None:
    """See the partnership and transfer requests an agency has made or has to decide."""
    if principal.is_operator:
        return
    if not principal.has(*CHANGE_ROLES) or principal.agency != agency:
        raise _refuse(principal, f"see the requests of {agency}: its officers and supervisors do")


def authorize_manage_users(principal: Principal, agency: str) -> None:
    if principal.is_operator:
        return
    if not principal.has(Role.ADMINISTRATOR) or principal.agency != agency:
        raise _refuse(principal, f"manage users of {agency}: an administrator of {agency} does")


def authorize_manage_agencies(principal: Principal) -> None:
    if not principal.is_operator:
        raise _refuse(principal, "add agencies: the register's local operator does")


def authorize_read_audit(principal: Principal) -> None:
    if not (principal.is_operator or principal.has(Role.AUDITOR)):
        raise _refuse(principal, "read the audit log: that needs the auditor role")


def audit_report_scope(
    principal: Principal, agency: str | None, national_agencies: Iterable[str]
) -> str | None:
    """The agency whose nominals an audit report (photo quality, compliance) may show this
    principal when `agency` is asked for (None: every agency's): an auditor's own agency,
    any agency (or all) for an auditor of an agency granted the national view
    (VISOR_AUDIT_NATIONAL_AGENCIES), and for the CLI's local operator."""
    if not (principal.is_operator or principal.has(Role.AUDITOR)):
        raise _refuse(principal, "read the audit reports: that needs the auditor role")
    if principal.is_operator or principal.agency in set(national_agencies):
        return agency
    if agency is None or agency == principal.agency:
        return principal.agency
    raise _refuse(
        principal,
        f"read the audit reports of {agency}: an auditor reads their own agency's "
        f"({principal.agency}) unless it is granted the national view",
    )


def authorize_import(principal: Principal) -> None:
    """A bulk import replaces records of any agency: the register's local operator's job."""
    if not principal.is_operator:
        raise _refuse(principal, "import a bundle: the register's local operator does")


def authorize_export(principal: Principal) -> None:
    if not principal.is_operator:
        raise _refuse(principal, "export the register: the register's local operator does")


def authorize_restricted(
    principal: Principal, record: NominalRecord, policy: RestrictionPolicy, field: str
) -> None:
    """See a restricted part of a nominal (its documents, say): refused, with the roles that
    may, when the policy hides it from this principal."""
    authorize_view(principal, record)
    if field in policy.hidden_from(principal):
        roles = ", ".join(sorted(role.value for role in policy.roles))
        raise _refuse(principal, f"see the {field} of {record.reference}: restricted to {roles}")


def refuse_hidden_fields(
    principal: Principal, fields: Iterable[str], policy: RestrictionPolicy
) -> None:
    """Someone who may not see a restricted field may not set it either. Refused whatever
    the value: accepting a value equal to the stored one and refusing others would let them
    guess it."""
    hidden = sorted(policy.hidden_from(principal) & set(fields))
    if hidden:
        raise _refuse(principal, f"set {', '.join(hidden)}: restricted to other roles")


def keep_hidden_fields(
    principal: Principal,
    incoming: NominalRecord,
    stored: NominalRecord,
    policy: RestrictionPolicy,
) -> NominalRecord:
    """A whole record from someone who could not see some of its fields, with those fields
    as the register holds them: leaving out what one cannot see must not erase it."""
    refuse_hidden_fields(principal, incoming.model_fields_set, policy)
    kept = {
        field: getattr(stored, field)
        for field in policy.hidden_from(principal)
        if field in stored.model_fields_set
    }
    return incoming.model_copy(update=kept) if kept else incoming


def authorize_backup(principal: Principal) -> None:
    """A backup holds the whole register, and a restore replaces it: the operator's job."""
    if not principal.is_operator:
        raise _refuse(principal, "back up the register: the register's local operator does")


def authorize_restore(principal: Principal) -> None:
    if not principal.is_operator:
        raise _refuse(principal, "restore the register: the register's local operator does")


def authorize_check_register(principal: Principal) -> None:
    """A consistency check reads every record, file and audit entry: the operator's job."""
    if not principal.is_operator:
        raise _refuse(principal, "check the register: the register's local operator does")


def redact_record(
    principal: Principal, document: Mapping[str, Any], policy: RestrictionPolicy
) -> dict[str, Any]:
    """A nominal's NIF document without the fields hidden from this principal (absent, not
    emptied: an empty list would say there is nothing to see)."""
    hidden = policy.hidden_from(principal)
    return {key: value for key, value in document.items() if key not in hidden}


# What a search may learn from each restricted field: a description's area is matched
# against the towns of a nominal's addresses, so a user who may not see addresses is not
# answered by them either (the area is left out of the search, never merely out of the
# explanation, whose score and order would still tell).
SEARCH_PARTS_FROM: Mapping[str, frozenset[str]] = {"addresses": frozenset({"area"})}


def hidden_search_parts(principal: Principal, policy: RestrictionPolicy) -> frozenset[str]:
    hidden: Iterable[str] = policy.hidden_from(principal)
    return frozenset(part for name in hidden for part in SEARCH_PARTS_FROM.get(name, ()))
