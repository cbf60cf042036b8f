"""Where it happened: a town the register knows (its own gazetteer: every town its nominals
have lived in), a postcode district ("LS6", "M14 5AB"), or a place after a cue ("in the
Moss Side area", "near Walsall town centre", a leading "Blackpool:").

A town of the gazetteer is preferred to any other place, since only such a town can match
a record; the first said wins among equals.
"""

import re
from collections.abc import Iterable
from functools import lru_cache

from search.parse.names import not_names
from search.parse.text import Reading
from search.vocabulary import ethnic_appearance, normalise

_POSTCODE = re.compile(r"\b(?!IC\d\b)([A-Z]{1,2}\d{1,2}[A-Z]?)(?:\s+\d[A-Z]{2})?\b")
_PLACE = r"((?:[A-Z][a-z']+)(?:[\s-](?:upon|on|under|le|in|by|the|[A-Z][a-z']+)){0,3})"
_CUED = re.compile(
    rf"\b(?:in|near|around|outside|at|from|off|by|towards|into)\s+(?:the\s+)?{_PLACE}"
    r"(?:\s+(?:area|town centre|city centre|centre|estate|district))?"
)
_LEADING = re.compile(rf"^\s*(?:[A-Za-z ]{{0,20}},\s*)?{_PLACE}\s*:")
# Pronouns, and the speaker labels of transcripts and circulations ("Caller:", "Circ:").
_NOT_PLACES = frozenset(
    [
        "he",
        "she",
        "his",
        "her",
        "i",
        "the",
        "a",
        "q",
        "c",
        "circ",
        "circs",
        "desc",
        "susp",
        "update",
        "note",
        "all",
        "units",
        "control",
        "log",
        "ref",
        "re",
        "subject",
        "name",
    ]
)


@lru_cache(maxsize=8)
def _gazetteer_pattern(places: frozenset[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(p) for p in sorted(places, key=len, reverse=True))
    return re.compile(rf"(?<![\w'])(?:{alternatives})(?![\w'])")


def read_area(reading: Reading, places: frozenset[str]) -> None:
    text = reading.work
    if places:
        # Places are written with a capital: "Reading" is a town, "reading" a verb.
        for match in _gazetteer_pattern(places).finditer(normalise_keeping_length(text)):
            if text[match.start()].isupper():
                town = text[match.start() : match.end()]
                reading.take("area", town, match.span(), f"area: {town}")
                return
    if postcode := _POSTCODE.search(text):
        district = postcode.group(1)
        reading.take("area", district, postcode.span(), f"area: postcode district {district}")
        return
    lead = _LEADING.match(text)  # "Stechford: did you see...", "All units, Blackpool:"
    if lead and _may_be_place(lead.group(1)):
        reading.take("area", lead.group(1), lead.span(1), f"area: {lead.group(1)}")
        return
    for match in _CUED.finditer(text):
        if _may_be_place(match.group(1)):
            reading.take("area", match.group(1), match.span(1), f"area: {match.group(1)}")
            return


def _may_be_place(said: str) -> bool:
    first = normalise(said.split()[0]) if said.split() else ""
    return bool(first) and not (
        first in _NOT_PLACES or first in not_names() or is_appearance_word(first)
    )


def normalise_keeping_length(text: str) -> str:
    """Lower case with punctuation other than apostrophes as spaces: one character for one,
    so offsets in it are offsets in `text`."""
    return "".join(c if c.isalnum() or c == "'" else " " for c in text.lower())


def is_appearance_word(word: str) -> bool:
    return ethnic_appearance().canonical(word) is not None


def gazetteer(towns: Iterable[str]) -> frozenset[str]:
    """The register's towns in the form `read_area` searches: normalised words."""
    return frozenset(normalise(t) for t in towns if t.strip())
