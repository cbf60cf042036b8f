"""Conversion between a `NominalRecord` and its rows: one in `nominals`, the rest in the
child tables. Pure functions; the store does the I/O."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Table

from register import tables
from register.model import (
    Address,
    Associate,
    Mark,
    ModusOperandi,
    Name,
    NominalRecord,
    Offence,
    Photo,
)

SCALAR_FIELDS = (
    "reference",
    "status",
    "mappa_category",
    "mappa_level",
    "managing_agency",
    "sex",
    "ethnic_appearance",
    "self_defined_ethnicity",
    "height_cm",
    "build",
    "hair_colour",
    "hair_length",
    "facial_hair",
    "eye_colour",
    "accent",
    "wanted_missing",
    "last_reviewed",
)


@dataclass(frozen=True)
class ChildList:
    """How one NIF list field is kept in its child table."""

    field: str
    table: Table
    # For lists of objects: the model, whose field names are the column names.
    model: type[BaseModel] | None = None
    # For lists of plain values: the one column that holds the value.
    value_column: str | None = None


CHILD_LISTS: tuple[ChildList, ...] = (
    ChildList("names", tables.names, model=Name),
    ChildList("dates_of_birth", tables.dates_of_birth, value_column="date_of_birth"),
    ChildList("partner_agencies", tables.partner_agencies, value_column="agency"),
    ChildList("behavioural_traits", tables.behavioural_traits, value_column="text"),
    ChildList("marks", tables.marks, model=Mark),
    ChildList("modus_operandi", tables.modus_operandi, model=ModusOperandi),
    ChildList("offences", tables.offences, model=Offence),
    ChildList("addresses", tables.addresses, model=Address),
    ChildList("warning_markers", tables.warning_markers, value_column="marker"),
    ChildList("photos", tables.photos, model=Photo),
    ChildList("associates", tables.associates, model=Associate),
)


def nominal_row(record: NominalRecord) -> dict[str, Any]:
    """The `nominals` columns of a record (bookkeeping columns aside)."""
    row = {field: getattr(record, field) for field in SCALAR_FIELDS}
    row["given_fields"] = sorted(record.model_fields_set)
    return row


def child_rows(record: NominalRecord) -> dict[Table, list[dict[str, Any]]]:
    """The child-table rows of a record, without `nominal_id`."""
    result: dict[Table, list[dict[str, Any]]] = {}
    for child in CHILD_LISTS:
        rows = []
        for position, item in enumerate(getattr(record, child.field)):
            if child.value_column is not None:
                rows.append({"position": position, child.value_column: item})
                continue
            assert isinstance(item, BaseModel)
            # Only given fields are stored, so a default (a name's kind) is not invented.
            row: dict[str, Any] = {"position": position}
            for field in type(item).model_fields:
                row[field] = getattr(item, field) if field in item.model_fields_set else None
            rows.append(row)
        result[child.table] = rows
    return result


_DEFAULTS: dict[str, Any] = {
    name: info.default
    for name, info in NominalRecord.model_fields.items()
    if not info.is_required()
}


def assemble(
    nominal: Mapping[Any, Any], children: Mapping[str, Sequence[Mapping[Any, Any]]]
) -> NominalRecord:
    """A record from its `nominals` row and its child rows (keyed by NIF field, in position
    order). A field is set when the source gave it or it differs from the default."""
    given = set(nominal["given_fields"])
    values: dict[str, Any] = {}
    for field in SCALAR_FIELDS:
        value = nominal[field]
        if field in given or (value is not None and value != _DEFAULTS.get(field)):
            values[field] = value
    for child in CHILD_LISTS:
        rows = children.get(child.field, ())
        if not rows and child.field not in given:
            continue
        if child.value_column is not None:
            values[child.field] = [row[child.value_column] for row in rows]
            continue
        assert child.model is not None
        values[child.field] = [
            child.model.model_validate(
                {field: row[field] for field in child.model.model_fields if row[field] is not None}
            )
            for row in rows
        ]
    return NominalRecord.model_validate(values)
