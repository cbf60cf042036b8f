"""The description query (`contracts/query.schema.json`): what a witness, a victim or an
officer can say about a person. Every part is evidence that only ranks, except `filters`."""

import datetime as dt
import json
from functools import cache
from importlib import resources
from typing import Any, Literal

import jsonschema
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from foundation.errors import InvalidInput
from foundation.untrusted_json import JsonLimits
from register.model import MarkType, Sex
from register.validation import schema_message
from search.query_rules import VOCABULARIES, as_of_problem, vocabulary_problem

# A query document, read with the untrusted-JSON reader (query files, API bodies).
QUERY_LIMITS = JsonLimits(max_bytes=1024 * 1024)

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
    mappa_level: list[Literal[1, 2, 3]] | None = None
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


def _rule_problems(query: DescriptionQuery) -> list[str]:
    problems = []
    if query.as_of is not None and (problem := as_of_problem(query.as_of)):
        problems.append(f"as_of: {problem}")
    for part in VOCABULARIES:
        value = getattr(query, part)
        if value is not None and (problem := vocabulary_problem(part, value)):
            problems.append(f"{part}: {problem}")
    return problems


def parse_query_document(document: Any) -> DescriptionQuery:
    """A query from its JSON form, or `InvalidInput` listing every problem."""
    problems = [
        f"{'.'.join(map(str, e.path)) or '(query)'}: {schema_message(e)}"
        for e in sorted(_validator().iter_errors(document), key=lambda e: list(e.path))
    ]
    if not problems:
        try:
            query = DescriptionQuery.model_validate(document)
        except ValidationError as error:
            # Plain sentences: pydantic's own text adds input dumps and a documentation URL.
            problems = [
                f"{'.'.join(map(str, e['loc'])) or '(query)'}: "
                + e["msg"].removeprefix("Value error, ")
                for e in error.errors()
            ]
        else:
            problems = _rule_problems(query)
            if not problems and query.text is None and not query.has_evidence():
                problems = ["the query says nothing about the person: give text or a part"]
            if not problems:
                return query
    raise InvalidInput("invalid query: " + "; ".join(problems))
