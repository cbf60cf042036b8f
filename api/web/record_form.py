"""The nominal edit and create forms: form values into a NIF document, checked by the NIF
schema and the record model (the import's own checks), their messages given field by field,
and the difference between what a stale edit submitted and what the register now holds."""

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from register.model import NominalRecord, from_document
from register.validation import schema_reasons

# The descriptive fields an edit changes; the rest of the record is kept as it is.
EDITABLE = (
    "sex",
    "ethnic_appearance",
    "height_cm",
    "build",
    "hair_colour",
    "hair_length",
    "facial_hair",
    "eye_colour",
    "accent",
    "mappa_category",
    "mappa_level",
    "last_reviewed",
)
WHOLE_NUMBERS = frozenset({"height_cm", "mappa_category", "mappa_level"})
FLAGS = ("wanted_missing",)


def _value(field: str, text: str) -> Any:
    text = text.strip()
    if field in WHOLE_NUMBERS and text.lstrip("-").isdigit():
        return int(text)
    return text  # a non-number is left as text, for the schema to name the problem


def edited_document(current: Mapping[str, Any], form: Mapping[str, str]) -> dict[str, Any]:
    """`current` with the edited fields replaced (an emptied field is removed)."""
    document = dict(current)
    for field in EDITABLE:
        if field not in form:
            continue
        if form[field].strip():
            document[field] = _value(field, form[field])
        else:
            document.pop(field, None)
    for field in FLAGS:
        document[field] = form.get(field) == "on"
    return document


def field_problems(document: Mapping[str, Any]) -> tuple[NominalRecord | None, dict[str, str]]:
    """The record, or each field's problems (keyed by the top-level field name)."""
    problems: dict[str, str] = {}
    for reason in schema_reasons(document):
        path, _, message = reason.partition(": ")
        field = path.split(".")[0].split("[")[0]
        problems.setdefault(field, message)
    if problems:
        return None, problems
    try:
        return from_document(dict(document)), {}
    except ValidationError as error:
        for e in error.errors():
            field = str(e["loc"][0]) if e["loc"] else "(record)"
            problems.setdefault(field, e["msg"].removeprefix("Value error, "))
        return None, problems


def differences(
    read: Mapping[str, Any], submitted: Mapping[str, Any], current: Mapping[str, Any]
) -> list[tuple[str, Any, Any, Any]]:
    """(field, as read, as submitted, as now) for the editable fields the user changed or
    someone else did: what a stale edit must reconcile."""
    return [
        (field, read.get(field), submitted.get(field), current.get(field))
        for field in (*EDITABLE, *FLAGS)
        if submitted.get(field) != read.get(field) or current.get(field) != read.get(field)
    ]
