"""Printable reports: one self-contained HTML file per audit (styles inline, charts as inline
SVG, thumbnails as data URIs: nothing is fetched when it is opened), with a print stylesheet
for A4. Every piece of register text is escaped (control characters shown as escapes, then
HTML-escaped)."""

import base64
import html
from collections import defaultdict
from collections.abc import Callable, Iterable

from audits.charts import age_chart, bar_chart, sharpness_chart
from audits.compliance import ComplianceAudit
from audits.findings import Flag, worst
from audits.photo_audit import PhotoAudit
from audits.policy import threshold
from foundation.escapes import printable

Thumbnail = Callable[[str], bytes | None]  # photo sha256 -> JPEG thumbnail, if stored
MAX_ROWS_PER_AGENCY = 300  # a work list longer than this is in the CSV export

_STYLE = """
body { font: 10.5pt/1.35 "DejaVu Sans", Arial, sans-serif; color: #222; margin: 2em; }
h1 { font-size: 16pt; margin: 0 0 .2em; } h2 { font-size: 13pt; margin: 1.4em 0 .4em; }
h3 { font-size: 11.5pt; margin: 1.2em 0 .3em; }
table { border-collapse: collapse; margin: .4em 0 1em; }
th, td { border: 1px solid #bbb; padding: .2em .45em; text-align: left; vertical-align: top; }
th { background: #eee; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
.meta { color: #555; } .chart svg { max-width: 100%; height: auto; }
.sev-high { color: #b3261e; font-weight: bold; } .sev-medium { color: #8a5a00; }
.sev-low { color: #555; } img.thumb { width: 96px; height: auto; border: 1px solid #999; }
.action { color: #444; font-style: italic; } .more { color: #555; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { margin: 0; font-size: 9.5pt; }
  .agency { page-break-before: always; } .agency:first-of-type { page-break-before: auto; }
  tr, .chart, img { page-break-inside: avoid; } thead { display: table-header-group; }
  a { color: inherit; text-decoration: none; }
}
"""


def _text(value: object) -> str:
    return html.escape(printable(str(value)))


def _page(title: str, meta: str, body: Iterable[str]) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{_text(title)}</title><style>{_STYLE}</style></head><body>"
        f'<h1>{_text(title)}</h1><p class="meta">{meta}</p>' + "".join(body) + "</body></html>\n"
    )


def _table(header: list[str], rows: Iterable[list[str]], numeric_from: int = 1) -> str:
    head = "".join(f"<th>{_text(h)}</th>" for h in header)
    lines = []
    for row in rows:
        cells = "".join(
            f'<td class="n">{cell}</td>' if i >= numeric_from else f"<td>{cell}</td>"
            for i, cell in enumerate(row)
        )
        lines.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(lines)}</tbody></table>"


def _flags_html(flags: list[Flag]) -> str:
    return "<br>".join(
        f'<span class="sev-{f.severity}">{_text(f.code)}</span> ({_text(f.severity)}): '
        f'{_text(f.detail)}<br><span class="action">{_text(f.action)}</span>'
        for f in flags
    )


def _thumbnail_html(sha256: str, thumbnail: Thumbnail) -> str:
    data = thumbnail(sha256)
    if not data:
        return '<span class="more">(no thumbnail)</span>'
    encoded = base64.b64encode(data).decode("ascii")
    alt = f"photo {_text(sha256[:12])}"
    return f'<img class="thumb" alt="{alt}" src="data:image/jpeg;base64,{encoded}">'


def _scope(agency: str | None) -> str:
    return f"agency {_text(agency)}" if agency else "every agency (national view)"


def photo_report_html(audit: PhotoAudit, thumbnail: Thumbnail) -> str:
    s = audit.summary
    months = int(audit.policy["photo_max_age_months"])
    meta = (
        f"As of {audit.as_of.isoformat()}; {_scope(audit.agency)}; {s.nominals:,} nominals, "
        f"{s.photos:,} photos ({s.face_photos:,} face photos); face photos current for "
        f"{months} months. Flags and thresholds: docs/audits.md."
    )
    body = [
        "<h2>Summary</h2>",
        _table(
            ["", "count"],
            [
                ["photos flagged", f"{s.photos_flagged:,} of {s.photos:,}"],
                ["nominals flagged", f"{s.nominals_flagged:,} of {s.nominals:,}"],
                ["photos not analysed (not judged)", f"{s.photos_not_analysed:,}"],
                [
                    "photos measured before the audit (judged on older metrics)",
                    f"{s.photos_measured_before_audit:,}",
                ],
            ],
        ),
        "<h2>Flags</h2>",
        _table(["flag", "count"], [[_text(c), f"{n:,}"] for c, n in s.by_flag.items()]),
    ]
    codes = list(s.by_flag)
    body += [
        "<h2>Per managing agency</h2>",
        _table(
            ["agency", "nominals", "photos", "photos flagged", "nominals flagged", *codes],
            [
                [
                    _text(agency),
                    f"{c.nominals:,}",
                    f"{c.photos:,}",
                    f"{c.photos_flagged:,}",
                    f"{c.nominals_flagged:,}",
                    *[f"{c.flags.get(code, 0):,}" for code in codes],
                ]
                for agency, c in s.by_agency.items()
            ],
        ),
    ]
    ages = [p.age_days / 30.44 for p in audit.points if p.kind == "face" and p.age_days is not None]
    sharp = [p.sharpness for p in audit.points if p.sharpness is not None]
    body += [
        "<h2>Age of face photos</h2>",
        f'<div class="chart">{age_chart(ages, months)}</div>',
        "<h2>Sharpness</h2>",
        '<div class="chart">'
        + sharpness_chart(sharp, threshold("blurry", "sharpness_below"))
        + "</div>",
    ]
    work: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for finding in audit.nominals:
        agency = finding.managing_agency or "(none)"
        work[agency].append(
            (
                worst(finding.flags),
                f"<tr><td>{_text(finding.reference)}</td><td>record</td>"
                f"<td></td><td>{_flags_html(finding.flags)}</td></tr>",
            )
        )
    for photo in audit.photos:
        agency = photo.managing_agency or "(none)"
        work[agency].append(
            (
                worst(photo.flags),
                f"<tr><td>{_text(photo.reference)}</td><td>{_text(photo.kind)} "
                f"photo {_text(photo.photo_sha256[:12])}<br>"
                f"taken {_text(photo.taken_on or 'unknown')}"
                f"</td><td>{_thumbnail_html(photo.photo_sha256, thumbnail)}</td>"
                f"<td>{_flags_html(photo.flags)}</td></tr>",
            )
        )
    body.append("<h2>Work lists, most severe first</h2>")
    body += _work_lists(work, ["nominal", "what", "photo", "flags and what to do"])
    return _page("Photo-quality audit", meta, body)


def _work_lists(work: dict[str, list[tuple[int, str]]], header: list[str]) -> list[str]:
    sections = []
    for agency in sorted(work):
        rows = sorted(work[agency], key=lambda item: item[0])  # stable: severity, then order
        shown = rows[:MAX_ROWS_PER_AGENCY]
        head = "".join(f"<th>{_text(h)}</th>" for h in header)
        more = (
            f'<p class="more">and {len(rows) - len(shown):,} more: the CSV export '
            "(--csv) lists every one.</p>"
            if len(rows) > len(shown)
            else ""
        )
        sections.append(
            f'<section class="agency"><h3>{_text(agency)}: {len(rows):,} to do</h3>'
            f"<table><thead><tr>{head}</tr></thead><tbody>"
            + "".join(row for _key, row in shown)
            + f"</tbody></table>{more}</section>"
        )
    return sections or ["<p>Nothing to do.</p>"]


def compliance_report_html(audit: ComplianceAudit) -> str:
    s = audit.summary
    weeks = ", ".join(
        f"level {level} every {w} weeks" for level, w in audit.policy["review_weeks"].items()
    )
    meta = (
        f"As of {audit.as_of.isoformat()}; {_scope(audit.agency)}; {s['nominals']:,} live "
        f"nominals; MAPPA reviews: {_text(weeks)}; face photos current for "
        f"{audit.policy['photo_max_age_months']} months."
    )
    codes = list(s["by_flag"])
    body = [
        "<h2>Summary</h2>",
        _table(
            ["", "count"],
            [
                ["records flagged", f"{s['records_flagged']:,} of {s['nominals']:,}"],
                ["MAPPA reviews overdue", f"{s['reviews_overdue']:,} of {s['reviews_audited']:,}"],
                ["never reviewed", f"{s['never_reviewed']:,}"],
                [
                    "partner agencies that have contributed to none of their records",
                    _text(", ".join(s["partners_not_contributed"]) or "none"),
                ],
            ],
        ),
        "<h2>Flags</h2>",
        _table(["flag", "count"], [[_text(c), f"{n:,}"] for c, n in s["by_flag"].items()]),
        "<h2>Per agency</h2>",
        _table(
            [
                "agency",
                "nominals managed",
                "level 3",
                "level 2",
                "reviews overdue",
                "never reviewed",
                "partner records",
                "partner contributed",
                *codes,
            ],
            [
                [
                    _text(a.agency),
                    f"{a.nominals:,}",
                    f"{a.mappa_level_3:,}",
                    f"{a.mappa_level_2:,}",
                    f"{a.reviews_overdue:,}",
                    f"{a.never_reviewed:,}",
                    f"{a.partner_records:,}",
                    f"{a.partner_contributed:,}",
                    *[f"{a.flags.get(code, 0):,}" for code in codes],
                ]
                for a in audit.agencies
            ],
        ),
    ]
    overdue = {a.agency: a.reviews_overdue for a in audit.agencies if a.nominals}
    if overdue:
        body += [
            "<h2>MAPPA reviews overdue per agency</h2>",
            f'<div class="chart">{bar_chart(overdue, "reviews overdue", "overdue")}</div>',
        ]
    work: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for record in audit.records:
        work[record.managing_agency or "(none)"].append(
            (
                worst(record.flags),
                f"<tr><td>{_text(record.reference)}</td>"
                f"<td>{_text(record.mappa_level or '')}</td>"
                f"<td>{_flags_html(record.flags)}</td></tr>",
            )
        )
    body.append("<h2>Work lists, most severe first</h2>")
    body += _work_lists(work, ["nominal", "MAPPA level", "flags and what to do"])
    return _page("Compliance audit", meta, body)
