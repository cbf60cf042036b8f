"""Sex: from the nouns and pronouns that name the person described, not the victim.

A noun ("man", "female", "W/M") says more than a pronoun: in "she was approached by a man"
the first pronoun is the victim's. So the first noun about the person wins; pronouns decide
only when no noun does, and only when they all point one way.
"""

import re

from search.parse.context import about_someone_else, words
from search.parse.text import Reading

_SHOWN = {"M": "a man", "F": "a woman"}
# Circulation shorthand: "IC1 M", "M IC3", "M, 30s", "W/M" (spelled out before this).
_CODED = re.compile(r"\bIC\s?\d\s*(M|F)\b|(?:^|[\s:(])(M|F)\s*[,/]?\s*(?=IC\s?\d|\d{2}\b)")


def read_sex(reading: Reading) -> None:
    text = reading.work
    if coded := _CODED.search(text):
        sex = coded.group(1) or coded.group(2)
        span = coded.span(1) if coded.group(1) else coded.span(2)
        reading.take("sex", sex, span, f"sex: {_SHOWN[sex]}")
        return
    nouns = {sex: "|".join(options) for sex, options in words()["person_nouns"].items()}
    found: list[tuple[int, str, tuple[int, int]]] = []
    for sex, options in nouns.items():
        for match in re.finditer(rf"\b(?:{options})\b", text, re.IGNORECASE):
            if not about_someone_else(text, match.start(), match.end()):
                found.append((match.start(), sex, match.span()))
    if found:
        _start, sex, span = min(found)
        reading.take("sex", sex, span, f"sex: {_SHOWN[sex]}")
        return
    pronouns = {
        "M": re.compile(r"\b(?:he|he's|hes|his|him|himself)\b", re.IGNORECASE),
        "F": re.compile(r"\b(?:she|she's|herself)\b", re.IGNORECASE),
    }
    said = {sex: list(p.finditer(text)) for sex, p in pronouns.items()}
    if bool(said["M"]) != bool(said["F"]):
        sex = "M" if said["M"] else "F"
        reading.take("sex", sex, said[sex][0].span(), f"sex: {_SHOWN[sex]} (from pronouns)")
