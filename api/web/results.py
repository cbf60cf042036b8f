"""A search answer as the results page shows it: per candidate its thumbnail, its
evidence as a table and a waterfall, its marks on the body outline, and why it is not
higher than the top candidate. Built from the answer the audited search gave and from the
register's records (redacted for the reader), never by scoring anything again."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from api.web.body_outline import Placed, locate, outline_svg
from api.web.waterfall import waterfall_svg
from register import store
from register.model import NominalRecord, to_document
from register.permissions import RestrictionPolicy, redact_record
from register.principals import Principal
from search.gaps import Gap, as_high_words, score_words, why_lower
from search.scoring import Score
from search.service import SearchAnswer


@dataclass(frozen=True)
class CandidateView:
    rank: int
    reference: str
    name: str
    score: float
    as_high: str
    meaning: str
    explanation: list[dict[str, Any]]
    waterfall: str
    outline: str
    gaps: list[Gap]
    face_sha256: str | None
    record: dict[str, Any]  # redacted for the reader


def primary_name(record: NominalRecord) -> str:
    name = record.names[0]
    return " ".join(p for p in (name.forename, name.middle_names, name.surname) if p)


def face_photo(record: NominalRecord) -> str | None:
    """The newest face photo's content, for a thumbnail."""
    faces = [p for p in record.photos if p.kind == "face" and p.sha256]
    faces.sort(key=lambda p: p.taken_on.isoformat() if p.taken_on else "", reverse=True)
    return faces[0].sha256 if faces else None


def mark_placements(record: NominalRecord, candidate: Score | None) -> list[Placed]:
    """The record's marks on the outline: those the description matched stand out."""
    matched_text = [
        e.found
        for e in (candidate.explanation if candidate else [])
        if e.attribute == "mark" and e.contribution > 0
    ]
    placed = []
    for mark in record.marks:
        said = f"{mark.type} on {mark.location}"
        label = f"{said}: {mark.description or ''}".rstrip(": ")
        if any(t.startswith(said) for t in matched_text):
            placed.append(Placed(locate(mark.location), "matched", "matched: " + label))
        else:
            placed.append(Placed(locate(mark.location), "recorded", label))
    return placed


def asked_placements(query: dict[str, Any]) -> list[Placed]:
    return [
        Placed(
            locate(m.get("location")),
            "asked",
            f"asked: {m.get('type') or 'mark'} on {m['location']}",
        )
        for m in query.get("marks", [])
        if m.get("location")
    ]


def candidate_views(
    connection: Connection,
    answer: SearchAnswer,
    principal: Principal,
    restrictions: RestrictionPolicy,
) -> list[CandidateView]:
    references = [c.reference for c in answer.candidates]
    existing = store.find_existing(connection, references)
    records = store.load_records(connection, [existing[r].id for r in references if r in existing])
    by_reference = {record.reference: record for record in records.values()}
    asked = asked_placements(answer.query)
    top = answer.candidates[0] if answer.candidates else None
    views = []
    for rank, candidate in enumerate(answer.candidates, start=1):
        record = by_reference[candidate.reference]
        placed = asked + mark_placements(record, candidate)
        views.append(
            CandidateView(
                rank=rank,
                reference=candidate.reference,
                name=primary_name(record),
                score=candidate.score,
                as_high=as_high_words(candidate),
                meaning=score_words(candidate.score),
                explanation=[
                    {
                        "attribute": e.attribute,
                        "asked": e.asked,
                        "found": e.found,
                        "contribution": e.contribution,
                    }
                    for e in candidate.explanation
                ],
                waterfall=waterfall_svg(candidate.explanation, candidate.score),
                outline=outline_svg(
                    placed,
                    f"marks of {candidate.reference} on a body outline, front and back: "
                    + ("; ".join(p.label for p in placed) or "none recorded"),
                ),
                gaps=why_lower(top, candidate) if top and rank > 1 else [],
                face_sha256=face_photo(record),
                record=redact_record(principal, to_document(record), restrictions),
            )
        )
    return views
