"""The photo-quality and compliance dashboards (the audits' own charts and work lists) and
the audit log viewer: for auditors (register/permissions.authorize_read_audit)."""

import base64
import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request, Response

from api.audit_log import export_audit
from api.web.context import WebRoute, caller_of, checked_post, render, services_of
from audits.charts import age_chart, sharpness_chart
from audits.compliance import ComplianceAudit
from audits.photo_audit import PhotoAudit
from audits.policy import threshold
from audits.reports import AuditKind, read_audit_report
from foundation.errors import InvalidInput
from register import agencies
from register.audit import AuditEvent, LogFilter, LoggedEntry, read_log
from register.permissions import authorize_read_audit
from visor.quality_audit_commands import audit_policy

router = APIRouter(route_class=WebRoute)
SHOWN_ENTRIES = 500


def _image(svg: str) -> str:
    # A data: image: the chart's own styles stay inside it, out of the page's strict CSP.
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _agencies(request: Request) -> list[str]:
    with services_of(request).engine.connect() as connection:
        return [a.code for a in agencies.list_agencies(connection)]


def _report(request: Request, kind: AuditKind, agency: str) -> PhotoAudit | ComplianceAudit:
    """The report as the API gives it (audits/reports.py): the same scope rule, recorded."""
    services = services_of(request)
    return read_audit_report(
        services.engine,
        caller_of(request).auditor,
        kind,
        audit_policy(services.settings),
        dt.date.today(),
        agency or None,
        services.settings.audit_national_agencies,
    )


@router.get("/audits/photos", name="photo_audit")
def photo_dashboard(request: Request, agency: str = "") -> Response:
    audit = _report(request, "photos", agency)
    assert isinstance(audit, PhotoAudit)
    context = {
        "audit": audit,
        "charts": _photo_charts(audit),
        "agency": agency,
        "agencies": _agencies(request),
    }
    return render(request, "audit_photos.html", context)


def _photo_charts(audit: PhotoAudit) -> list[tuple[str, str]]:
    """The audit report's own charts (audits/report_html.py draws the same)."""
    months = int(audit.policy["photo_max_age_months"])
    ages = [p.age_days / 30.44 for p in audit.points if p.kind == "face" and p.age_days is not None]
    sharp = [p.sharpness for p in audit.points if p.sharpness is not None]
    return [
        ("Age of face photos", _image(age_chart(ages, months))),
        ("Sharpness", _image(sharpness_chart(sharp, threshold("blurry", "sharpness_below")))),
    ]


@router.get("/audits/compliance", name="compliance_audit")
def compliance_dashboard(request: Request, agency: str = "") -> Response:
    audit = _report(request, "compliance", agency)
    context = {"audit": audit, "agency": agency, "agencies": _agencies(request)}
    return render(request, "audit_compliance.html", context)


def _moment(name: str, value: str) -> dt.datetime | None:
    if not value.strip():
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"{name}: not a date (YYYY-MM-DD)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _entries(
    request: Request, user: str, reference: str, since: str, until: str, limit: int | None
) -> list[LoggedEntry]:
    caller = caller_of(request)
    authorize_read_audit(caller.principal)
    wanted = LogFilter(
        reference=reference.strip() or None,
        user=user.strip() or None,
        since=_moment("from", since),
        until=_moment("until", until),
        limit=limit,
    )
    with services_of(request).engine.begin() as connection:
        entries = list(read_log(connection, wanted))
        # Reading the log is itself kept in it: who looked at whose trail.
        caller.auditor.record(
            connection,
            AuditEvent(
                "audit.read",
                details={
                    "user": wanted.user,
                    "reference": wanted.reference,
                    "since": since,
                    "until": until,
                },
            ),
        )
    return entries


@router.get("/audit-log", name="audit_log")
def audit_log(
    request: Request, user: str = "", reference: str = "", since: str = "", until: str = ""
) -> Response:
    entries = _entries(request, user, reference, since, until, None)
    shown = entries[-SHOWN_ENTRIES:][::-1]
    context = {
        "entries": shown,
        "total": len(entries),
        "filters": {"user": user, "reference": reference, "since": since, "until": until},
    }
    return render(request, "audit_log.html", context)


@router.post("/audit-log/export", name="audit_log_export")
def audit_log_export(
    request: Request,
    recipient: Annotated[str, Form(max_length=200)] = "",
    purpose: Annotated[str, Form(max_length=500)] = "",
    format: Annotated[Literal["csv", "jsonl"], Form()] = "csv",
    user: Annotated[str, Form(max_length=200)] = "",
    reference: Annotated[str, Form(max_length=200)] = "",
    since: Annotated[str, Form(max_length=40)] = "",
    until: Annotated[str, Form(max_length=40)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """The matching entries as a file, a disclosure to `recipient` as `visor audit export`
    and the API's export are: the API's own route does it (the restricted fields the
    auditor may not see redacted, the disclosure recorded with its recipient, purpose,
    count and the file's SHA-256), so that there is one definition of an export."""
    caller = checked_post(request, csrf_token)
    return export_audit(
        request,
        caller,
        recipient=recipient,
        format=format,
        user=user.strip() or None,
        reference=reference.strip() or None,
        since=since.strip() or None,
        until=until.strip() or None,
        action=None,
        purpose=purpose,
    )
