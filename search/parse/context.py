"""Whose words these are: the clause around a position, and whether a number or a noun there
describes the person or someone else (a victim, the witness, their family)."""

import re
from functools import cache
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


def _tokens(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text)


def about_someone_else(text: str, start: int, end: int) -> bool:
    """Whether the words at text[start:end] (an age, a height, a person noun) are about
    somebody other than the person described: the witness ("I am 19", "my 13 year old"),
    a victim ("a girl aged 14", "approached a woman", "lured children 12-15"), or a
    relative ("my dad", "her son")."""
    vocabulary = words()
    before = _tokens(clause_before(text, start))
    after = _tokens(clause_after(text, end))[:3]
    others = set(vocabulary["victim_nouns"]) | set(vocabulary["other_people"])
    if "by" in before[-3:] or before[-2:] == ["in", "his"]:
        return False  # the agent of a passive ("approached by a man"), "in his 30s"
    if before[-2:] and set(before[-2:]) & set(vocabulary["other_owners"]):
        return True  # "my 13 year old", "her son", "I am 19", "she's 15"
    if (
        after
        and after[0] in others | {"year", "years", "yr", "yrs"}
        and (after[0] in others or set(after[1:3]) & others)
    ):
        return True  # "a 14-year-old girl", "15 year old boys"
    if (
        len(after) >= 2
        and after[0] in ("was", "were", "is", "being")
        and any(w.endswith("ed") for w in after[1:3])
    ):
        return True  # "a woman was assaulted", "a girl was approached"
    if any(word in others for word in before[-3:]):
        return True  # "a girl aged 14", "children 12-15"
    return bool(set(vocabulary["mo_words"]) & set(before[-3:]))  # "lured children 12-15"


_DESCRIPTION_STARTS = re.compile(
    r"\b(?:described as|description|descr|desc|suspect\s*:|suspect is|suspect was|offender is"
    r"|offender was|(?:the|this)\s+(?:man|male|woman|female|suspect|offender|robber|attacker"
    r"|driver)\s+(?:is|was)|he is|he was|he's|she is|she was|she's|what did (?:he|she) look like"
    r"|describe (?:him|her)|susp\s*:|circ\s*:|looking for an?|looking to (?:trace|speak to)"
    r"|want(?:s|ed)? to (?:trace|speak to|identify)|seeking an?|trace an?|identify an?)",
    re.IGNORECASE,
)


def description_start(text: str) -> int | None:
    """Where the description of the person begins, when the text says ("The suspect is
    described as...", "Suspect:", "He was..."): readings after it are the person's, those
    before it more often the victim's ("an 83-year-old woman was robbed...")."""
    found = _DESCRIPTION_STARTS.search(text)
    return found.start() if found else None
