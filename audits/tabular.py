"""The audits as CSV: one row per flag, for spreadsheets and outside tools. A cell that a
spreadsheet would run as a formula (=, +, -, @, tab, carriage return first) is written with
a leading apostrophe."""

import csv
from typing import IO

from audits.compliance import ComplianceAudit
from audits.findings import Flag
from audits.photo_audit import PhotoAudit

PHOTO_COLUMNS = [
    "scope",
    "reference",
    "managing_agency",
    "photo_sha256",
    "kind",
    "taken_on",
    "code",
    "severity",
    "detail",
    "action",
]
COMPLIANCE_COLUMNS = [
    "reference",
    "managing_agency",
    "mappa_level",
    "code",
    "severity",
    "detail",
    "action",
]


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _flag_cells(f: Flag) -> list[str]:
    return [_cell(f.code), _cell(f.severity), _cell(f.detail), _cell(f.action)]


def write_photo_csv(audit: PhotoAudit, out: IO[str]) -> None:
    writer = csv.writer(out)
    writer.writerow(PHOTO_COLUMNS)
    for nominal in audit.nominals:
        for f in nominal.flags:
            writer.writerow(
                [
                    "nominal",
                    _cell(nominal.reference),
                    _cell(nominal.managing_agency),
                    "",
                    "",
                    "",
                    *_flag_cells(f),
                ]
            )
    for photo in audit.photos:
        for f in photo.flags:
            writer.writerow(
                [
                    "photo",
                    _cell(photo.reference),
                    _cell(photo.managing_agency),
                    photo.photo_sha256,
                    photo.kind,
                    _cell(photo.taken_on),
                    *_flag_cells(f),
                ]
            )


def write_compliance_csv(audit: ComplianceAudit, out: IO[str]) -> None:
    writer = csv.writer(out)
    writer.writerow(COMPLIANCE_COLUMNS)
    for record in audit.records:
        for f in record.flags:
            writer.writerow(
                [
                    _cell(record.reference),
                    _cell(record.managing_agency),
                    _cell(record.mappa_level),
                    *_flag_cells(f),
                ]
            )
