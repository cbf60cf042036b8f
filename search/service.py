"""A search, start to finish: validate the query, parse its text, ask a backend, answer with
what was understood and each candidate's explanation. The CLI and the API both call this."""

import datetime as dt
from typing import Any

from pydantic import BaseModel

from foundation.errors import InvalidInput
from search.memory_backend import CandidateBackend
from search.narrowing import narrowing
from search.parse import merge_parsed
from search.query import parse_query_document
from search.query_rules import as_of_problem
from search.scoring import Score, prepare

MAX_TOP = 500
SCORES_MEAN = (
    "A score is bits of evidence: each bit doubles how much likelier the description is if "
    "this nominal is the person than if it were a nominal drawn at random. 0 is no evidence "
    "either way; 10 bits (about a thousand to one) or more is strong; a candidate with many "
    "others as high is not singled out by the description."
)


class SearchAnswer(BaseModel):
    query_id: str | None = None
    query: dict[str, Any]
    understood: list[str]
    not_evidence: list[str] = []  # recognised, but nothing about the person: clothing, cars
    not_understood: list[str]
    # The parts asked, most narrowing first, each with the share of the register it fits.
    narrowing: list[str] = []
    candidates: list[Score]
    scores_mean: str = SCORES_MEAN


def run_search(
    document: Any, backend: CandidateBackend, top: int = 10, as_of: dt.date | None = None
) -> SearchAnswer:
    if not 1 <= top <= MAX_TOP:
        raise InvalidInput(f"top must be between 1 and {MAX_TOP}")
    if as_of is not None and (problem := as_of_problem(as_of)):
        raise InvalidInput(f"as_of: {problem}")
    query = parse_query_document(document)
    statistics = backend.statistics
    merged, reading = merge_parsed(query, statistics.shares.get("town", {}), statistics.names())
    understood = reading.understood if reading else []
    not_understood = reading.not_understood if reading else []
    if not merged.has_evidence():
        raise InvalidInput(
            "nothing in the description could be used: "
            + ("; ".join(not_understood) or "it is empty")
        )
    prepared = prepare(merged, as_of)
    candidates = backend.search(prepared, top)
    return SearchAnswer(
        query_id=merged.query_id,
        query=merged.model_dump(mode="json", exclude_none=True, exclude_defaults=True),
        understood=understood,
        not_evidence=reading.not_evidence if reading else [],
        not_understood=not_understood,
        narrowing=[n.describe() for n in narrowing(prepared, backend.statistics)],
        candidates=candidates,
    )
