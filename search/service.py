"""A search, start to finish: validate the query, parse its text, ask a backend, answer with
what was understood and each candidate's explanation. The CLI and the API both call this."""

import datetime as dt
from typing import Any

from pydantic import BaseModel

from search.memory_backend import CandidateBackend
from search.parser import merge_parsed
from search.query import parse_query_document
from search.query_rules import as_of_problem
from search.scoring import Score, prepare
from visor.errors import InvalidInput

MAX_TOP = 500


class SearchAnswer(BaseModel):
    query_id: str | None = None
    query: dict[str, Any]
    understood: list[str]
    not_understood: list[str]
    candidates: list[Score]


def run_search(
    document: Any, backend: CandidateBackend, top: int = 10, as_of: dt.date | None = None
) -> SearchAnswer:
    if not 1 <= top <= MAX_TOP:
        raise InvalidInput(f"top must be between 1 and {MAX_TOP}")
    if as_of is not None and (problem := as_of_problem(as_of)):
        raise InvalidInput(f"as_of: {problem}")
    query = parse_query_document(document)
    merged, understood, not_understood = merge_parsed(query)
    if not merged.has_evidence():
        raise InvalidInput(
            "nothing in the description could be used: "
            + ("; ".join(not_understood) or "it is empty")
        )
    candidates = backend.search(prepare(merged, as_of), top)
    return SearchAnswer(
        query_id=merged.query_id,
        query=merged.model_dump(mode="json", exclude_none=True, exclude_defaults=True),
        understood=understood,
        not_understood=not_understood,
        candidates=candidates,
    )
