"""Where words stand: the clause and sentence around a position, the turns of a transcript,
and where the description of the person begins."""

import re
from functools import cache, lru_cache
from typing import Any

from search.vocabulary import load


@cache
def words() -> dict[str, Any]:
    return load("descriptions")


def clause_bounds(text: str, position: int) -> tuple[int, int]:
    """The clause holding `position`: clauses end at , ; . ? ! : and at line breaks."""
    stops = ",;.?!:\n"
    start = max(text.rfind(c, 0, position) for c in stops) + 1
    ends = [i for c in stops if (i := text.find(c, position)) != -1]
    return start, min(ends) if ends else len(text)


def clause_before(text: str, position: int) -> str:
    start, _ = clause_bounds(text, position)
    return text[start:position].lower()


def clause_after(text: str, position: int) -> str:
    _, end = clause_bounds(text, position)
    return text[position:end].lower()


def sentence_bounds(text: str, position: int) -> tuple[int, int]:
    """The sentence holding `position`: sentences end at . ? ! and line breaks."""
    start = max(text.rfind(c, 0, position) for c in ".?!\n") + 1
    ends = [i for c in ".?!\n" if (i := text.find(c, position)) != -1]
    return start, min(ends) if ends else len(text)


# The speakers of a transcript ("Operator:", "Caller:", "OP:", "C:", "Q:", "A:").
_SPEAKER = re.compile(
    r"(?:^|(?<=[\s.?!\]]))(?:Operator|Caller|Call handler|Handler|Control|OP|Op|C|Q|A|RP)\s*:\s*"
)
_ASKED_OF_SOMEONE_ELSE = re.compile(
    r"\b(?:how old (?:are|is|were) (?:you|your|she|he|they"
    r"|the (?:girl|boy|lad|child|kids?|young\s+\w+))"
    r"|your age|how old is (?:your|the) (?:son|daughter|child|girl|boy)|are you hurt)",
    re.IGNORECASE,
)


@lru_cache(maxsize=16)
def _turns(text: str) -> tuple[int, ...]:
    return tuple(m.start() for m in _SPEAKER.finditer(text))


def answers_about_someone_else(text: str, position: int) -> bool:
    """Whether `position` is in a transcript's answer to a question about someone other
    than the person described ("Operator: How old are you? Caller: Fourteen.")."""
    before = [t for t in _turns(text) if t <= position]
    if len(before) < 2:
        return False
    question = text[before[-2] : before[-1]]
    return "?" in question and bool(_ASKED_OF_SOMEONE_ELSE.search(question))


_DESCRIPTION_STARTS = re.compile(
    r"\b(?:described as|description\s*(?:[:\-]|is|was|given)|descr?\b\s*[:.]?|suspect\s*:"
    r"|suspect is|suspect was|offender is"
    r"|offender was|(?:the|this)\s+(?:man|male|suspect|offender|robber|attacker)\s+(?:is|was)"
    r"\s+(?:described|white|black|asian|aged|about|around|in\s+his|of)"
    r"|what (?:did|does) (?:he|she|they) look like|describe (?:him|her)|susp\s*:|circ\s*:"
    r"|looking for an?|looking to (?:trace|speak to)|want(?:s|ed)? to (?:trace|speak to|identify)"
    r"|seeking an?|trace an?|identify an?)",
    re.IGNORECASE,
)


@lru_cache(maxsize=16)
def description_start(text: str) -> int | None:
    """Where the description of the person begins, when the text says ("The suspect is
    described as...", "Suspect:", "He was..."): readings after it are the person's, those
    before it more often the victim's ("an 83-year-old woman was robbed...")."""
    found = _DESCRIPTION_STARTS.search(text)
    return found.start() if found else None
