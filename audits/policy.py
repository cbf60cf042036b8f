"""The audits' policy: the flag vocabulary and thresholds (data, in thresholds.json, beside
the measurements they come from) and the ages that a deployment sets (photo age, MAPPA
review intervals). The composition root builds it from settings; the audits only read it."""

import datetime as dt
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

Severity = Literal["high", "medium", "low"]
SEVERITY_ORDER: dict[str, int] = {"high": 0, "medium": 1, "low": 2}
THRESHOLDS_FILE = Path(__file__).parent / "thresholds.json"


@dataclass(frozen=True)
class FlagRule:
    code: str
    scope: Literal["photo", "nominal"]
    severity: Severity
    action: str
    thresholds: dict[str, float]


@cache
def flag_rules() -> dict[str, FlagRule]:
    data: dict[str, Any] = json.loads(THRESHOLDS_FILE.read_text("utf-8"))
    return {
        code: FlagRule(code, rule["scope"], rule["severity"], rule["action"], rule["thresholds"])
        for code, rule in data["flags"].items()
    }


def threshold(code: str, name: str) -> float:
    return float(flag_rules()[code].thresholds[name])


@dataclass(frozen=True)
class AuditPolicy:
    photo_max_age_months: int = 12
    # MAPPA level -> longest gap between reviews, in weeks; a level not named is not audited.
    review_weeks: dict[int, int] = field(default_factory=lambda: {3: 8, 2: 16})

    def photo_cutoff(self, as_of: dt.date) -> dt.date:
        """The oldest date a face photo may be taken on and still be current on `as_of`."""
        return months_before(as_of, self.photo_max_age_months)

    def as_dict(self) -> dict[str, Any]:
        return {
            "photo_max_age_months": self.photo_max_age_months,
            "review_weeks": {
                str(level): weeks for level, weeks in sorted(self.review_weeks.items())
            },
        }


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months earlier (the month's last day if it is shorter)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")
