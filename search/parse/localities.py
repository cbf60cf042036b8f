"""Neighbourhoods, suburbs, streets and landmarks read as the town they lie in
(`vocabularies/localities.json`): "near Moss Side" is the area Manchester, since only a town
or postcode district of the register's gazetteer can match a record, and Moss Side is in no
address's town field.

A name is read only as a place where it is written as one: with a capital (as gazetteer
towns are), or in a text written in lower case but for the pronoun "I" ("by the swings in
dennistoun"), where case tells nothing. A name under several towns ("Handsworth") is read
only where one of them alone is in the gazetteer: a guess between two towns is no evidence
of either.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache

from search.vocabulary import load, normalise

_PRONOUN_I = re.compile(r"\bI\b")


def written_in_lower_case(text: str) -> bool:
    """Whether the text has no capitals but the pronoun "I" ("the swings in dennistoun ...
    I am 8"): there case tells nothing of what is a place."""
    return not any(c.isupper() for c in _PRONOUN_I.sub("", text))


@dataclass(frozen=True)
class Locality:
    """A locality said: its words as written, where, and the gazetteer town it lies in."""

    said: str
    span: tuple[int, int]
    town: str


@cache
def locality_towns() -> dict[str, frozenset[str]]:
    """Each locality's normalised name and the normalised towns it lies in."""
    found: dict[str, set[str]] = {}
    for town, names in load("localities")["towns"].items():
        for name in names:
            found.setdefault(normalise(name), set()).add(normalise(town))
    return {name: frozenset(towns) for name, towns in found.items()}


@lru_cache(maxsize=8)
def _in_gazetteer(places: frozenset[str]) -> tuple[re.Pattern[str], dict[str, str]]:
    """The localities whose one gazetteer town is known, as one pattern, and their towns."""
    towns = {
        name: next(iter(inside))
        for name, near in locality_towns().items()
        if len(inside := near & places) == 1
    }
    # Any run of spaces between words, and an apostrophe the text's form turned to a space.
    alternatives = "|".join(
        re.escape(n).replace(r"\ ", r"\s+").replace("'", "[' ]")
        for n in sorted(towns, key=len, reverse=True)
    )
    pattern = re.compile(rf"(?<![\w'])(?:{alternatives})(?![\w'])")
    return pattern, {_key(name): town for name, town in towns.items()}


def _key(said: str) -> str:
    """A name as matched, without the spaces and apostrophes the text may write otherwise."""
    return re.sub(r"[\s']+", "", said.lower())


def find_locality(
    text: str,
    lowered: str,
    places: frozenset[str],
    accept: Callable[[int, int], bool],
) -> Locality | None:
    """The first locality of the gazetteer's towns said as a place in `text`. `lowered` is
    the text in the gazetteer's form (lower case, punctuation as spaces, the same length);
    `accept(start, end)` says whether the words there are said as where it happened."""
    if not places:
        return None
    pattern, towns = _in_gazetteer(places)
    if not towns:
        return None
    any_case = written_in_lower_case(text)
    position = 0
    # Overlapping tries: "the Meadows" is no locality as written ("The Meadows" would be),
    # but the "Meadows" inside it is.
    while match := pattern.search(lowered, position):
        start, end = match.span()
        if (any_case or text[start].isupper()) and accept(start, end):
            return Locality(text[start:end], (start, end), towns[_key(match.group(0))])
        position = start + 1
    return None
