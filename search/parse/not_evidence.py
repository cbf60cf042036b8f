"""What a description says that is no evidence about the person: clothing, vehicles, brands
and appeal boilerplate ("call 101 quoting..."), and a circulation's working words ("all
units", "do not approach"). Recognised so that they are reported as set
aside, and so that "black hoodie" colours no one and "Nike" is no name."""

import re
from functools import cache

from search.parse.text import Reading
from search.vocabulary import load

# What someone wears runs to the end of its clause, and a dash starts another ("wearing
# shorts - red dragon tattoo on the lower leg") unless it goes on about the garment ("- with
# a skull on the back").
_WEARING = re.compile(
    r"\b(?:wearing|dressed in|had on|clad in)\b(?:(?!\s-\s+(?!with\b))[^,.;!?\n])*",
    re.IGNORECASE,
)


@cache
def _patterns() -> dict[str, re.Pattern[str]]:
    patterns = {}
    for kind, phrases in load("not_evidence")["kinds"].items():
        words = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
        if kind in ("boilerplate", "circulation"):
            patterns[kind] = re.compile(rf"\b(?:{words})\b", re.IGNORECASE)
        else:
            # "car park" and "car wash" are places, "bike shed" too.
            patterns[kind] = re.compile(
                rf"\b(?:{words})s?\b(?![\s-]+(?:park|wash|shed|rank|stand))", re.IGNORECASE
            )
    return patterns


@cache
def _qualifiers() -> frozenset[str]:
    return frozenset(load("not_evidence")["qualifiers"])


def _phrase_start(text: str, start: int) -> int:
    """Back from a garment or vehicle noun over the words that qualify it: the phrase set
    aside runs from the first of them ("dark blue North Face puffer jacket")."""
    while match := re.search(r"([\w'-]+)[\s-]+$", text[max(0, start - 40) : start]):
        if match.group(1).lower() not in _qualifiers():
            break
        start = max(0, start - 40) + match.start(1)
    return start


def _sentence(text: str, position: int) -> tuple[int, int]:
    start = max(text.rfind(c, 0, position) for c in ".;!?\n") + 1
    ends = [i for c in ".;!?\n" if (i := text.find(c, position)) != -1]
    return start, min(ends) if ends else len(text)


# "Tom van Dijk": a lower-case "van" between two capitalised words is a surname's particle.
_BEFORE_PARTICLE = re.compile(r"\b[A-Z][a-z]+\s$")
_AFTER_PARTICLE = re.compile(r"\s[A-Z][a-z]")


def _surname_particle(text: str, start: int, end: int) -> bool:
    return (
        text[start:end] == "van"
        and bool(_BEFORE_PARTICLE.search(text, max(0, start - 30), start))
        and bool(_AFTER_PARTICLE.match(text, end))
    )


# A house-to-house or statement log's label for a witness, with the witness's own sex and
# age in brackets: "No.101 (female, 30s, mother of 3):", "Flat 2/1 (female, 30s):",
# "Neighbour left side (female 40s):", "Salon next door (female staff 20s):".
_WITNESS_LABEL = re.compile(
    r"(?i:\bno\.?\s*\d+[a-z]?|\bflat\s*[\d/]+[a-z]?|\bneighbour|\bresident|\bwitness|\bcaller"
    r"|\binformant|\bstaff|\bnext\s+door|\babove|\bbelow|\bopposite|\bside|\bshop|\bhouse"
    r"|\bhouseholder|\boccupant|\bw\d+)[^.():;\n]{0,30}?\s*"
    r"(\(\s*(?i:female|male|f|m|woman|man)\b[^()\n]{0,60}\))"
)


def set_aside_what_is_not_evidence(reading: Reading) -> None:
    text = reading.text.work
    for label in _WITNESS_LABEL.finditer(text):
        reading.set_aside("the witness", label.span(1))
        reading.used.append(label.span(1))
    for match in _WEARING.finditer(text):
        reading.set_aside("clothing", match.span())
    for kind, pattern in _patterns().items():
        for match in pattern.finditer(text):
            if not match.group(0).strip() or any(s <= match.start() < e for s, e in reading.aside):
                continue
            if kind == "vehicle" and _surname_particle(text, *match.span()):
                continue
            if kind == "circulation":
                # Passed over, but left in place: "All units Leeds LS9:" still says where.
                reading.not_evidence.append(f'{kind}: "{reading.text.quote(match.span())}"')
                reading.used.append(match.span())
            elif kind == "boilerplate":
                # The whole sentence: nothing in "call 101 quoting 23/1234" is about anyone.
                span = _sentence(text, match.start())
                reading.set_aside(kind, span)
                reading.used.append(span)  # never what the person did, either
            else:
                reading.set_aside(kind, (_phrase_start(text, match.start()), match.end()))
