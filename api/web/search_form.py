"""The search page's form, read from the query string into a query document (the same
JSON a query file or the API takes), and the understood query written back as fields the
user can correct. Validation is the query's own (search/query.py): a bad value comes back
as its message, never as a guess."""

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from foundation.errors import InvalidInput

TEXT_FIELDS = (
    "name",
    "sex",
    "ethnic_appearance",
    "build",
    "hair_colour",
    "hair_length",
    "facial_hair",
    "eye_colour",
    "accent",
    "modus_operandi",
    "area",
)
RANGES = ("age", "height_cm")
MAX_MARKS = 4
STATUSES = ("live", "archived", "any")


class SearchForm(BaseModel):
    """What the page sent: free text, or the fields of a corrected reading ("fields")."""

    mode: str = "text"
    text: str = ""
    fields: dict[str, str] = {}
    marks: list[dict[str, str]] = []
    status: str = "live"
    mappa_category: list[int] = []
    mappa_level: list[int] = []
    managing_agency: str = ""
    wanted_missing: bool = False
    purpose: str = ""
    top: int = 10

    @property
    def asked(self) -> bool:
        return bool(self.text.strip()) or any(self.fields.values()) or bool(self.marks)


def _whole(name: str, value: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise InvalidInput(f"{name}: not a whole number: {value!r}") from None


def read_form(params: Mapping[str, str], multi: Mapping[str, list[str]]) -> SearchForm:
    fields = {k: params.get(k, "").strip() for k in TEXT_FIELDS}
    for part in RANGES:
        for end in ("min", "max"):
            fields[f"{part}_{end}"] = params.get(f"{part}_{end}", "").strip()
    marks = []
    for index in range(MAX_MARKS):
        mark = {
            k: params.get(f"mark{index}_{k}", "").strip()
            for k in ("type", "location", "description")
        }
        if any(mark.values()):
            marks.append(mark)
    categories = [_whole("MAPPA category", c) for c in multi.get("mappa_category", []) if c]
    levels = [_whole("MAPPA level", c) for c in multi.get("mappa_level", []) if c]
    status = params.get("status", "live")
    if status not in STATUSES:
        raise InvalidInput(f"status: one of {', '.join(STATUSES)}")
    top = _whole("how many", params.get("top") or "10")
    return SearchForm(
        mode="fields" if params.get("mode") == "fields" else "text",
        text=params.get("text", ""),
        fields={k: v for k, v in fields.items() if v},
        marks=marks,
        status=status,
        mappa_category=categories,
        mappa_level=levels,
        managing_agency=params.get("managing_agency", "").strip(),
        wanted_missing=params.get("wanted_missing") == "on",
        purpose=params.get("purpose", ""),
        top=top,
    )


def query_document(form: SearchForm) -> dict[str, Any]:
    """The query the form asks. Free text is parsed by the engine; a corrected reading is
    sent as its fields alone, so that a part the user cleared stays cleared."""
    filters: dict[str, Any] = {"status": form.status}
    if form.mappa_category:
        filters["mappa_category"] = form.mappa_category
    if form.mappa_level:
        filters["mappa_level"] = form.mappa_level
    if form.managing_agency:
        filters["managing_agency"] = [form.managing_agency]
    if form.wanted_missing:
        filters["wanted_missing"] = True
    document: dict[str, Any] = {"filters": filters}
    if form.mode == "text":
        document["text"] = form.text
        return document
    for key in TEXT_FIELDS:
        if value := form.fields.get(key):
            document[key] = value
    for part in RANGES:
        bounds = {
            end: _whole(f"{part.replace('_cm', '')} {end}", value)
            for end in ("min", "max")
            if (value := form.fields.get(f"{part}_{end}"))
        }
        if bounds:
            document[part] = bounds
    if form.marks:
        document["marks"] = [{k: v for k, v in m.items() if v} for m in form.marks]
    return document


def understood_fields(query: Mapping[str, Any]) -> tuple[dict[str, str], list[dict[str, str]]]:
    """The engine's reading (`SearchAnswer.query`) as the correction form's values."""
    fields = {k: str(query[k]) for k in TEXT_FIELDS if query.get(k) is not None}
    for part in RANGES:
        for end in ("min", "max"):
            if (value := (query.get(part) or {}).get(end)) is not None:
                fields[f"{part}_{end}"] = str(value)
    marks = [
        {k: str(mark.get(k) or "") for k in ("type", "location", "description")}
        for mark in query.get("marks", [])[:MAX_MARKS]
    ]
    return fields, marks
