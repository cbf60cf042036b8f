"""Appearance: ethnic appearance, hair, eyes, facial hair, build and accent, each read from
the vocabularies in `search/vocabularies/traits.json`.

A colour word says something about the person only beside what it colours: "black male"
and "described as white," are appearance, "black jacket" and "white van" are not; "dark
hair" is hair, "dark, maybe greying" after "beard" is the beard's.
"""

import re

from search.parse.mentions import about_someone_else
from search.parse.context import (
    clause_after,
    clause_before,
    clause_bounds,
    words,
)
from search.parse.text import Reading
from search.vocabulary import (
    PhraseMatch,
    accents,
    builds,
    ethnic_appearance,
    eye_colours,
    facial_hair,
    hair_colours,
    hair_lengths,
)

def _nearest_before(vocabulary: object, lead: str) -> PhraseMatch | None:
    found = vocabulary.index.find(lead.lower())  # type: ignore[attr-defined]
    return found[-1] if found else None


def _before(text: str, noun: str, count: int = 3) -> list[re.Match[str]]:
    # Within one clause: "5ft 9, dark hair" says nothing of hair in "5ft 9". Anchored at a
    # word start, so that a long run of punctuation cannot make the search quadratic.
    return list(
        re.finditer(rf"(?<![\w'-])((?:[\w'-]+\s+){{0,{count}}}){noun}\b", text, re.IGNORECASE)
    )


_SPOKEN = re.compile(
    r"\b(?:spoke|speaks|speaking|sounded|sounds|sounding|talked|talks|talking|voice)\s+"
    r"(?:with\s+)?(?:an?\s+|in\s+an?\s+)?(?:like\s+(?:an?\s+|he\s+was\s+(?:from\s+)?|from\s+)?)?"
    r"((?:[\w'-]+\s+){0,2}[\w'-]+)",
    re.IGNORECASE,
)
# Accent words that are not also town names: alone in their clause they are an accent.
_ACCENT_ADJECTIVES = re.compile(
    r"^\s*(scouse|scouser|geordie|brummie|cockney|mancunian|manc|glaswegian|welsh|irish"
    r"|scottish|scots|yorkshire|west country|east anglian|mackem|janner|northern|southern"
    r"|posh|eastern european|polish|jamaican|american|brummy|well[\s-]spoken|local|londoner"
    r"|london|northern irish|cornish|bristolian|liverpudlian|norfolk)\b",
    re.IGNORECASE,
)


def read_accent(reading: Reading) -> None:
    text = reading.work
    for match in _before(text, r"accents?", 3):
        if group := accents().canonical(match.group(1)):
            reading.take("accent", group, match.span(), f"accent: {group}")
            return
    for match in re.finditer(
        r"\baccents?\s*(?:was\s+|is\s+|as\s+|:\s*|-\s*)?['\"]?((?:[\w'-]+\s*){1,3})", text, re.I
    ):
        if group := accents().canonical(match.group(1)):
            reading.take("accent", group, match.span(), f"accent: {group}")
            return
    for match in _SPOKEN.finditer(text):
        if group := accents().canonical(match.group(1)):
            reading.take("accent", group, match.span(), f"accent: {group}")
            return
    if local := re.search(r"\blocal\s+accent\b|\b(?:sounded|talked|spoke)\s+local\b", text, re.I):
        area = reading.parts.get("area")
        if area and (group := accents().canonical(area)):
            reading.take("accent", group, local.span(), f"accent: {group} (local to {area})")
            return
    for proper in re.finditer(
        r"\b(?:proper|broad|strong|thick)\s+((?:[\w'-]+\s*){1,2})", text, re.I
    ):
        if group := accents().canonical(proper.group(1)):
            reading.take("accent", group, proper.span(), f"accent: {group}")
            return
    position = 0
    for clause in re.split(r"([,;.!?\n]|\s-\s)", text):
        said = _ACCENT_ADJECTIVES.match(clause)
        if said and len(clause.split()) <= 4 and (group := accents().canonical(said.group(1))):
            span = (position + said.start(1), position + said.end(1))
            reading.take("accent", group, span, f"accent: {group}")
            return
        position += len(clause)
