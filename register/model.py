"""The nominal domain model: one pydantic model per NIF object, mirroring `nif.schema.json`.

The JSON Schema is the contract and is checked first (see `validation.py`); these models give
the rest of the code typed access. Which fields a source actually gave is kept
(`model_fields_set`), so that export reproduces a record as given, defaults not added.
"""

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

Sex = Literal["M", "F", "X", "U"]
Status = Literal["live", "archived"]
NameKind = Literal["primary", "alias", "nickname", "birth", "married"]
MarkType = Literal[
    "scar",
    "tattoo",
    "removed_tattoo",
    "mark",
    "birthmark",
    "piercing",
    "amputation",
    "deformity",
    "other",
]
PhotoKind = Literal["face", "mark", "other"]


class _NifModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Name(_NifModel):
    forename: str | None = None
    middle_names: str | None = None
    surname: str
    kind: NameKind = "primary"


class Mark(_NifModel):
    type: MarkType
    location: str
    location_code: str | None = None
    description: str | None = None
    colours: list[str] = []
    tattoo_class: str | None = None
    tattoo_subclass: str | None = None


class ModusOperandi(_NifModel):
    text: str
    recorded_on: dt.date | None = None


class Offence(_NifModel):
    description: str
    date: dt.date | None = None
    court_outcome: str | None = None


class Address(_NifModel):
    text: str | None = None
    town: str | None = None
    postcode: str | None = None
    # `from`/`to` are Python keywords; the aliases keep the NIF spelling on the wire.
    from_date: dt.date | None = None
    to_date: dt.date | None = None

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        populate_by_name=True,
        alias_generator=lambda name: {"from_date": "from", "to_date": "to"}.get(name, name),
    )


class Photo(_NifModel):
    file: str
    kind: PhotoKind
    taken_on: dt.date | None = None
    sha256: str | None = None
    mark_index: int | None = None


class Associate(_NifModel):
    reference: str
    relationship: str | None = None


class NominalRecord(_NifModel):
    reference: str
    status: Status = "live"
    mappa_category: Literal[1, 2, 3] | None = None
    mappa_level: Literal[1, 2, 3] | None = None
    managing_agency: str | None = None
    partner_agencies: list[str] = []
    names: list[Name]
    dates_of_birth: list[dt.date] = []
    sex: Sex
    ethnic_appearance: str | None = None
    self_defined_ethnicity: str | None = None
    height_cm: int | None = None
    build: str | None = None
    hair_colour: str | None = None
    hair_length: str | None = None
    facial_hair: str | None = None
    eye_colour: str | None = None
    accent: str | None = None
    behavioural_traits: list[str] = []
    marks: list[Mark] = []
    modus_operandi: list[ModusOperandi] = []
    offences: list[Offence] = []
    addresses: list[Address] = []
    warning_markers: list[str] = []
    wanted_missing: bool = False
    last_reviewed: dt.date | None = None
    photos: list[Photo] = []
    associates: list[Associate] = []


def to_document(record: NominalRecord) -> dict[str, Any]:
    """The record as a NIF JSON object: exactly the fields given, in NIF spelling."""
    return record.model_dump(mode="json", exclude_unset=True, by_alias=True)


def from_document(document: dict[str, Any]) -> NominalRecord:
    """Build a record from a NIF object already checked against the schema.

    `derived` is written by export only and ignored on import.
    """
    fields = {key: value for key, value in document.items() if key != "derived"}
    return NominalRecord.model_validate(fields)
