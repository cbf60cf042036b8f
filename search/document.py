"""Register record -> search document: the derived, normalised form that both candidate
backends search and that the scoring function reads. One function, shared by all."""

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from register.model import NominalRecord
from register.plausibility import plausible_birth_date
from search.body_map import Location, body_map, locate_code, mark_type_of_code
from search.vocabulary import (
    accents,
    builds,
    eye_colours,
    facial_hair,
    hair_colours,
    hair_lengths,
    mo_tokens,
    motifs_in,
    normalise,
)

_POSTCODE_DISTRICT = re.compile(r"^\s*([A-Za-z]{1,2}\d[A-Za-z\d]?)\b")


@dataclass(frozen=True)
class NameDocument:
    forename: str  # normalised, "" when unknown
    middle_names: str
    surname: str
    kind: str


@dataclass(frozen=True)
class MarkDocument:
    type: str
    location: Location
    motifs: frozenset[str]
    description: str  # normalised free text
    recorded_location: str  # as recorded, for explanations
    recorded_description: str


@dataclass(frozen=True)
class SearchDocument:
    reference: str
    status: str
    sex: str
    dates_of_birth: tuple[dt.date, ...]
    height_cm: int | None
    ethnic_appearance: str | None
    build: str | None
    hair_colour: str | None
    hair_length: str | None
    facial_hair: str | None
    eye_colour: str | None
    accent: str | None
    names: tuple[NameDocument, ...]
    marks: tuple[MarkDocument, ...]
    modus_operandi: str  # all MO texts, normalised, joined
    towns: frozenset[str]
    postcode_districts: frozenset[str]
    mappa_category: int | None
    mappa_level: int | None
    managing_agency: str | None
    wanted_missing: bool
    raw: dict[str, str] = field(default_factory=dict)  # traits as recorded, for explanations
    mo_counts: dict[str, int] = field(default_factory=dict)  # MO words that carry meaning


def _mark_document(mark: object) -> MarkDocument:
    from register.model import Mark

    assert isinstance(mark, Mark)
    location = body_map().locate(mark.location)
    coded = locate_code(mark.location_code)
    if coded is not None and (location.region is None or location.side is None):
        location = Location(location.region or coded.region, location.side or coded.side)
    motifs = set(motifs_in(mark.description))
    if mark.tattoo_subclass:
        motifs |= motifs_in(mark.tattoo_subclass.lower())
    mark_type = mark.type
    if mark_type == "other" and (coded_type := mark_type_of_code(mark.location_code)):
        mark_type = coded_type  # type: ignore[assignment]
    return MarkDocument(
        type=mark_type,
        location=location,
        motifs=frozenset(motifs),
        description=normalise(mark.description or ""),
        recorded_location=mark.location,
        recorded_description=mark.description or "",
    )


def search_document(record: NominalRecord, today: dt.date | None = None) -> SearchDocument:
    today = today or dt.date.today()
    raw = {
        key: str(value)
        for key in ("build", "hair_colour", "hair_length", "facial_hair", "eye_colour", "accent")
        if (value := getattr(record, key)) is not None
    }
    return SearchDocument(
        reference=record.reference,
        status=record.status,
        sex=record.sex,
        # An age is computed only from a date of birth that could be true: one stored before
        # import checked them (0001-01-01, 9999-12-31) would explain ages of 2025 and -7974.
        dates_of_birth=tuple(d for d in record.dates_of_birth if plausible_birth_date(d, today)),
        height_cm=record.height_cm,
        ethnic_appearance=record.ethnic_appearance,
        build=builds().canonical(record.build),
        hair_colour=hair_colours().canonical(record.hair_colour),
        hair_length=hair_lengths().canonical(record.hair_length),
        facial_hair=facial_hair().canonical(record.facial_hair),
        eye_colour=eye_colours().canonical(record.eye_colour),
        accent=accents().canonical(record.accent),
        names=tuple(
            NameDocument(
                normalise(n.forename or ""),
                normalise(n.middle_names or ""),
                normalise(n.surname),
                n.kind,
            )
            for n in record.names
        ),
        marks=tuple(_mark_document(mark) for mark in record.marks),
        modus_operandi=" ".join(normalise(mo.text) for mo in record.modus_operandi),
        towns=frozenset(normalise(a.town) for a in record.addresses if a.town),
        postcode_districts=frozenset(
            m.group(1).upper()
            for a in record.addresses
            if a.postcode and (m := _POSTCODE_DISTRICT.match(a.postcode))
        ),
        mappa_category=record.mappa_category,
        mappa_level=record.mappa_level,
        managing_agency=record.managing_agency,
        wanted_missing=record.wanted_missing,
        raw=raw,
        mo_counts=dict(Counter(mo_tokens(" ".join(mo.text for mo in record.modus_operandi)))),
    )


def document_to_json(document: SearchDocument) -> dict[str, Any]:
    """A search document as plain JSON, kept in the search index so that a candidate can be
    scored by `score()` without a trip to the register. Sets are sorted: the same document
    always serialises the same way."""
    return {
        "reference": document.reference,
        "status": document.status,
        "sex": document.sex,
        "dates_of_birth": [d.isoformat() for d in document.dates_of_birth],
        "height_cm": document.height_cm,
        "ethnic_appearance": document.ethnic_appearance,
        "build": document.build,
        "hair_colour": document.hair_colour,
        "hair_length": document.hair_length,
        "facial_hair": document.facial_hair,
        "eye_colour": document.eye_colour,
        "accent": document.accent,
        "names": [[n.forename, n.middle_names, n.surname, n.kind] for n in document.names],
        "marks": [
            [
                m.type,
                m.location.region,
                m.location.side,
                sorted(m.motifs),
                m.description,
                m.recorded_location,
                m.recorded_description,
            ]
            for m in document.marks
        ],
        "modus_operandi": document.modus_operandi,
        "towns": sorted(document.towns),
        "postcode_districts": sorted(document.postcode_districts),
        "mappa_category": document.mappa_category,
        "mappa_level": document.mappa_level,
        "managing_agency": document.managing_agency,
        "wanted_missing": document.wanted_missing,
        "raw": document.raw,
        "mo_counts": document.mo_counts,
    }


def document_from_json(data: dict[str, Any]) -> SearchDocument:
    return SearchDocument(
        reference=data["reference"],
        status=data["status"],
        sex=data["sex"],
        dates_of_birth=tuple(dt.date.fromisoformat(d) for d in data["dates_of_birth"]),
        height_cm=data["height_cm"],
        ethnic_appearance=data["ethnic_appearance"],
        build=data["build"],
        hair_colour=data["hair_colour"],
        hair_length=data["hair_length"],
        facial_hair=data["facial_hair"],
        eye_colour=data["eye_colour"],
        accent=data["accent"],
        names=tuple(NameDocument(*name) for name in data["names"]),
        marks=tuple(
            MarkDocument(
                type=mark[0],
                location=Location(mark[1], mark[2]),
                motifs=frozenset(mark[3]),
                description=mark[4],
                recorded_location=mark[5],
                recorded_description=mark[6],
            )
            for mark in data["marks"]
        ),
        modus_operandi=data["modus_operandi"],
        towns=frozenset(data["towns"]),
        postcode_districts=frozenset(data["postcode_districts"]),
        mappa_category=data["mappa_category"],
        # Absent from a document stored before the level was kept: no level, as unrecorded.
        mappa_level=data.get("mappa_level"),
        managing_agency=data["managing_agency"],
        wanted_missing=data["wanted_missing"],
        raw=dict(data["raw"]),
        mo_counts=dict(data["mo_counts"]),
    )
