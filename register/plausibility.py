"""Dates that cannot be true of a nominal on the register, refused at import with a reason.

The schema says a date is a date; these rules say it could have happened: nobody on the
register was born before 1900 or after today, and nothing recorded as having happened (an
offence, an MO note, a photo, a review) lies in the future. Ages are computed only from a
date of birth that passes (`plausible_birth_date`), so no explanation shows an age of 2025.
"""

import datetime as dt
from collections.abc import Iterator

from register.model import NominalRecord

EARLIEST_DATE = dt.date(1900, 1, 1)


def date_problem(day: dt.date, today: dt.date) -> str | None:
    """Why `day` cannot be the date of something that has happened, or None."""
    if day < EARLIEST_DATE:
        return f"{day.isoformat()} is before {EARLIEST_DATE.isoformat()}"
    if day > today:
        return f"{day.isoformat()} is in the future (today is {today.isoformat()})"
    return None


def plausible_birth_date(day: dt.date, today: dt.date) -> bool:
    return date_problem(day, today) is None


def _past_dates(record: NominalRecord) -> Iterator[tuple[str, dt.date | None]]:
    for i, born in enumerate(record.dates_of_birth):
        yield f"dates_of_birth[{i}]", born
    for i, offence in enumerate(record.offences):
        yield f"offences[{i}].date", offence.date
    for i, mo in enumerate(record.modus_operandi):
        yield f"modus_operandi[{i}].recorded_on", mo.recorded_on
    for i, photo in enumerate(record.photos):
        yield f"photos[{i}].taken_on", photo.taken_on
    for i, address in enumerate(record.addresses):
        yield f"addresses[{i}].from", address.from_date
    yield "last_reviewed", record.last_reviewed


def implausible(record: NominalRecord, today: dt.date) -> list[str]:
    """Every date of `record` that cannot be true, as 'field: reason' lines."""
    reasons = [
        f"{field}: {problem}"
        for field, day in _past_dates(record)
        if day is not None and (problem := date_problem(day, today))
    ]
    for i, address in enumerate(record.addresses):
        # `to` may be ahead (a tenancy's end), but never before 1900 or before `from`.
        if address.to_date is None:
            continue
        if address.to_date < EARLIEST_DATE:
            reasons.append(f"addresses[{i}].to: {address.to_date} is before {EARLIEST_DATE}")
        elif address.from_date is not None and address.to_date < address.from_date:
            reasons.append(
                f"addresses[{i}].to: {address.to_date} is before its from, {address.from_date}"
            )
    return reasons
