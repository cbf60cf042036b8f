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
_NOT_PLACES = frozenset(["he", "she", "his", "her", "i", "the", "a"])


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
    for match in _CUED.finditer(text):
        place = match.group(1)
        first = normalise(place.split()[0])
        if first not in _NOT_PLACES and first not in not_names() and not is_appearance_word(first):
            reading.take("area", place, match.span(1), f"area: {place}")
            return


def normalise_keeping_length(text: str) -> str:
    """Lower case with punctuation other than apostrophes as spaces: one character for one,
    so offsets in it are offsets in `text`."""
    return "".join(c if c.isalnum() or c == "'" else " " for c in text.lower())


def is_appearance_word(word: str) -> bool:
    return ethnic_appearance().canonical(word) is not None


def gazetteer(towns: Iterable[str]) -> frozenset[str]:
    """The register's towns in the form `read_area` searches: normalised words."""
    return frozenset(normalise(t) for t in towns if t.strip())
