"""Values a query may not hold although the schema allows them: an incident date that
cannot be, and structured traits outside the vocabularies (which would match nothing, so
every nominal would score 0 and the search would look like it worked)."""

import datetime as dt
from collections.abc import Callable

from register.plausibility import date_problem
from search.vocabulary import (
    Scale,
    TermGroups,
    accents,
    builds,
    eye_colours,
    facial_hair,
    hair_colours,
    hair_lengths,
)

# The structured parts read through a vocabulary, each by the vocabulary's own canonical().
VOCABULARIES: dict[str, Callable[[], TermGroups | Scale]] = {
    "build": builds,
    "hair_colour": hair_colours,
    "hair_length": hair_lengths,
    "facial_hair": facial_hair,
    "eye_colour": eye_colours,
    "accent": accents,
}


def as_of_problem(day: dt.date, today: dt.date | None = None) -> str | None:
    """Why `day` cannot be the date of an incident (the same bounds as a date of birth)."""
    return date_problem(day, today or dt.date.today())


def vocabulary_problem(part: str, value: str) -> str | None:
    """Why `value` is no known term for `part`, listing the terms, or None."""
    vocabulary = VOCABULARIES[part]()
    if vocabulary.canonical(value) is not None:
        return None
    return (
        f"{value!r} is not a known {part.replace('_', ' ')}; known: {', '.join(vocabulary.terms)}"
    )
