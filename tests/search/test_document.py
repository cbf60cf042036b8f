"""Register record -> search document: ages come only from dates of birth that could be true."""

import datetime as dt

from register.model import from_document
from search.document import search_document
from search.memory_backend import MemoryBackend
from search.query import DescriptionQuery, Range
from search.scoring import prepare
from tests.conftest import minimal_record

TODAY = dt.date(2026, 1, 1)


def test_an_impossible_date_of_birth_gives_no_age() -> None:
    # Records stored before import checked dates may hold these (issue 10).
    record = from_document(minimal_record("R1", dates_of_birth=["0001-01-01", "9999-12-31"]))
    assert search_document(record, TODAY).dates_of_birth == ()
    kept = from_document(minimal_record("R2", dates_of_birth=["0001-01-01", "1990-06-01"]))
    assert search_document(kept, TODAY).dates_of_birth == (dt.date(1990, 6, 1),)


def test_explanations_show_no_age_from_an_impossible_date_of_birth() -> None:
    documents = [
        search_document(from_document(minimal_record("OLD", dates_of_birth=["0001-01-01"]))),
        search_document(from_document(minimal_record("FAR", dates_of_birth=["9999-12-31"]))),
        search_document(from_document(minimal_record("REAL", dates_of_birth=["1990-06-01"]))),
    ]
    query = DescriptionQuery(sex="M", age=Range(min=30, max=40))
    scores = MemoryBackend(documents).search(prepare(query, TODAY), 3)
    ages = {s.reference: [e.found for e in s.explanation if e.attribute == "age"] for s in scores}
    assert ages == {"OLD": [], "FAR": [], "REAL": ["35"]}
