"""The description query (`contracts/query.schema.json`): what a witness, a victim or an
officer can say about a person. Every part is evidence that only ranks, except `filters`."""

import datetime as dt
import json
from functools import cache
from importlib import resources
from typing import Any, Literal

import jsonschema
from pydantic import BaseModel, ConfigDict, model_validator

from register.model import MarkType, Sex
from visor.errors import InvalidInput

IcCode = Literal["IC0", "IC1", "IC2", "IC3", "IC4", "IC5", "IC6", "IC9"]

# The parts that are evidence about the person (not query_id, text, as_of or filters).
EVIDENCE_FIELDS = (
    "name",
    "sex",
    "age",
    "height_cm",
    "ethnic_appearance",
    "build",
    "hair_colour",
    "hair_length",
    "facial_hair",
    "eye_colour",
    "accent",
    "marks",
    "modus_operandi",
    "area",
)


class _QueryPart(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Range(_QueryPart):
    min: int | None = None
    max: int | None = None

    @model_validator(mode="after")
    def _ordered(self) -> "Range":
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is greater than max {self.max}")
        return self


class MarkQuery(_QueryPart):
    type: MarkType | None = None
    location: str | None = None
    description: str | None = None


class Filters(_QueryPart):
    status: Literal["live", "archived", "any"] = "live"
    mappa_category: list[Literal[1, 2, 3]] | None = None
    managing_agency: list[str] | None = None
    wanted_missing: bool | None = None


class DescriptionQuery(_QueryPart):
    query_id: str | None = None
    text: str | None = None
    as_of: dt.date | None = None
    name: str | None = None
    sex: Sex | None = None
    age: Range | None = None
    height_cm: Range | None = None
    ethnic_appearance: IcCode | None = None
    build: str | None = None
    hair_colour: str | None = None
    hair_length: str | None = None
    facial_hair: str | None = None
    eye_colour: str | None = None
    accent: str | None = None
    marks: list[MarkQuery] = []
    modus_operandi: str | None = None
    area: str | None = None
    filters: Filters = Filters()

    def has_evidence(self) -> bool:
        return any(getattr(self, field) not in (None, [], "") for field in EVIDENCE_FIELDS)


@cache
def query_schema() -> dict[str, Any]:
    text = resources.files("search").joinpath("schema/query.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        query_schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def parse_query_document(document: Any) -> DescriptionQuery:
    """A query from its JSON form, or `InvalidInput` listing every problem."""
    problems = [
        f"{'.'.join(map(str, e.path)) or '(query)'}: {e.message}"
        for e in sorted(_validator().iter_errors(document), key=lambda e: list(e.path))
    ]
    if not problems:
        try:
            query = DescriptionQuery.model_validate(document)
        except ValueError as error:
            problems = [str(error)]
        else:
            if query.text is None and not query.has_evidence():
                problems = ["the query says nothing about the person: give text or a part"]
            else:
                return query
    raise InvalidInput("invalid query: " + "; ".join(problems))
