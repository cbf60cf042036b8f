"""What an audit answers: flags, each with a code outside tools rely on, a severity, a detail a
person can read and the action to take."""

from pydantic import BaseModel

from audits.policy import SEVERITY_ORDER, Severity, flag_rules


class Flag(BaseModel):
    code: str
    severity: Severity
    detail: str
    action: str


def flag(code: str, detail: str, severity: Severity | None = None) -> Flag:
    rule = flag_rules()[code]
    return Flag(code=code, severity=severity or rule.severity, detail=detail, action=rule.action)


def worst(flags: list[Flag]) -> int:
    """The most severe of these flags as a sort key (0 is the most severe)."""
    return min((SEVERITY_ORDER[f.severity] for f in flags), default=len(SEVERITY_ORDER))
