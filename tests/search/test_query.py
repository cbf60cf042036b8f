import pytest

from search.query import parse_query_document
from visor.errors import InvalidInput


def test_the_contract_example_queries_are_valid() -> None:
    from tests.conftest import EXAMPLE_BUNDLE, read_jsonl

    for document in read_jsonl(EXAMPLE_BUNDLE / "queries.jsonl"):
        assert parse_query_document(document).query_id in ("Q1", "Q2")


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ({}, "should be non-empty"),
        ({"query_id": "Q9"}, "says nothing about the person"),
        ({"age": {"min": 40, "max": 30}}, "min 40 is greater than max 30"),
        ({"height_cm": {"min": 900}}, "900 is greater than the maximum of 250"),
        ({"age": {"min": 300}}, "300 is greater than the maximum of 120"),
        ({"sex": "Q"}, "'Q' is not one of"),
        ({"text": "x" * 5001}, "is too long"),
        ({"colour": "red"}, "Additional properties are not allowed"),
        ({"as_of": "2023-02-30", "sex": "M"}, "is not a 'date'"),
        ([], "is not of type 'object'"),
    ],
)
def test_bad_queries_are_refused_with_every_reason(document: object, problem: str) -> None:
    with pytest.raises(InvalidInput, match=problem):
        parse_query_document(document)
