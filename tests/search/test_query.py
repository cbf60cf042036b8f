import pytest

from foundation.errors import InvalidInput
from search.query import parse_query_document


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


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        (
            {"eye_colour": "purple"},
            "eye_colour: 'purple' is not a known eye colour; known: blue, grey, green, hazel, "
            "brown, dark brown",
        ),
        (
            {"build": "xxxxx"},
            "build: 'xxxxx' is not a known build; known: thin, slim, medium, athletic, stocky, "
            "heavy, obese",
        ),
        ({"hair_colour": "tartan"}, "hair_colour: 'tartan' is not a known hair colour; known:"),
        ({"hair_length": "medium"}, "hair_length: 'medium' is not a known hair length; known:"),
        ({"facial_hair": "sideburns"}, "facial_hair: 'sideburns' is not a known facial hair"),
        ({"accent": "martian"}, "accent: 'martian' is not a known accent; known: london,"),
        ({"as_of": "9999-12-31", "sex": "M"}, "as_of: 9999-12-31 is in the future"),
        ({"as_of": "0001-01-01", "sex": "M"}, "as_of: 0001-01-01 is before 1900-01-01"),
    ],
)
def test_values_that_cannot_match_or_cannot_be_are_refused(document: object, problem: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_query_document(document)
    assert problem in str(refused.value)


def test_known_values_and_their_synonyms_are_accepted() -> None:
    query = parse_query_document(
        {"eye_colour": "Light Blue", "build": "well-built", "accent": "Cockney", "sex": "M"}
    )
    assert (query.eye_colour, query.build, query.accent) == ("Light Blue", "well-built", "Cockney")


def test_refusals_are_plain_sentences_without_dumps_or_links() -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_query_document({"age": {"min": 50, "max": 30}})
    assert str(refused.value) == "invalid query: age: min 50 is greater than max 30"
    with pytest.raises(InvalidInput) as refused:
        parse_query_document({"marks": [{"type": "scar"}] * 21})
    assert str(refused.value) == "invalid query: marks: is too long (21 items, at most 20)"
