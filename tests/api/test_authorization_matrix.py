"""The nominal and audit-report routes' authorization matrix, generated: every route x every
role x agency relation (managing, partner, revoked partner, unrelated) x token state (valid,
none, expired, signed with another key, alg=none, disabled user), each status asserted; no
unauthorised 2xx anywhere; no restricted field in any answer to a role that may not see
it. On SQLite and PostgreSQL, the register built once per database."""

from typing import Any

from tests.api.matrix import (
    RELATIONS,
    ROLES,
    TOKEN_STATES,
    MatrixRegister,
    Row,
    Target,
    audit_readers,
    changers,
    creators,
    matrix_register,
    readers,
    restricted_leaks,
    run_matrix,
    unauthorised_successes,
    wrong_statuses,
)
from tests.conftest import minimal_record

__all__ = ["matrix_register"]  # the module-scoped fixture, imported for pytest to find
URL = "/api/v1/nominals"


def _new(target: Target) -> dict[str, Any]:
    reference = f"NEW/{target.serial}"
    return minimal_record(reference, managing_agency=target.who.agency)


def _replaced(target: Target) -> dict[str, Any]:
    colour = "blue" if target.document.get("eye_colour") != "blue" else "green"
    return {**target.document, "eye_colour": colour}


ROWS = [
    Row("list", "GET", URL, readers()),
    Row("read", "GET", URL + "/{reference}", readers()),
    Row("history", "GET", URL + "/{reference}/history", readers()),
    Row("create", "POST", URL, creators(), body=_new),
    Row("replace", "PUT", URL + "/{reference}", changers(), body=_replaced, if_match=True),
    Row(
        "archive", "POST", URL + "/{reference}/archive", changers(), body=lambda t: {"reason": "x"}
    ),
    Row(
        "restore", "POST", URL + "/{reference}/restore", changers(), body=lambda t: {"reason": "x"}
    ),
    Row(
        "marks",
        "POST",
        URL + "/{reference}/marks",
        changers(201),
        body=lambda t: {"type": "scar", "location": f"left cheek {t.serial}"},
        if_match=True,
    ),
    Row(
        "mo",
        "POST",
        URL + "/{reference}/mo",
        changers(201),
        body=lambda t: {"text": f"approach {t.serial}"},
        if_match=True,
    ),
    Row(
        "offences",
        "POST",
        URL + "/{reference}/offences",
        changers(201),
        body=lambda t: {"description": f"offence {t.serial}"},
        if_match=True,
    ),
    Row(
        "addresses",
        "POST",
        URL + "/{reference}/addresses",
        changers(201),
        body=lambda t: {"town": "Hull", "text": f"flat {t.serial}"},
        if_match=True,
    ),
    Row(
        "associates",
        "POST",
        URL + "/{reference}/associates",
        changers(201),
        body=lambda t: {"reference": f"A{t.serial}"},
        if_match=True,
    ),
    Row("audit photos", "GET", "/api/v1/audits/photos", audit_readers(None)),
    Row("audit compliance", "GET", "/api/v1/audits/compliance", audit_readers(None)),
    *(
        Row(
            f"audit {kind} of {agency}",
            "GET",
            f"/api/v1/audits/{kind}",
            audit_readers(agency),
            params=(("agency", agency), ("as_of", "2026-01-31")),
        )
        for kind, agency in (
            ("photos", RELATIONS["managing"]),
            ("compliance", RELATIONS["unrelated"]),
        )
    ),
]


def test_every_nominal_route_for_every_principal(matrix_register: MatrixRegister) -> None:
    seen = run_matrix(matrix_register, ROWS)
    assert len(seen) == len(ROWS) * len(ROLES) * len(RELATIONS) * len(TOKEN_STATES)
    assert wrong_statuses(ROWS, seen) == {}
    assert unauthorised_successes(ROWS, seen) == []
    assert restricted_leaks(matrix_register, seen) == []
    # The officer of the managing agency really did change the record: the rows ran.
    assert sum(1 for s in seen if s.row == "marks" and s.status == 201) == 4
