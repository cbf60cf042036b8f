"""Names heard: after a cue ("called", "known as", "answers to", "possible name", "AKA",
"calls himself", "said his name was", "someone shouted Daz"), before one ("Stuart, she calls
him"), or a nickname in quotes. Brands, places and words of the description are not names.
"""

import re
from functools import cache

from search.parse.text import Reading
from search.vocabulary import load, normalise

_NAME_WORD = r"[A-Z][a-zA-Z]*(?:['-][A-Za-z]+)*"
_NAME = rf"({_NAME_WORD}(?:\s+(?:{_NAME_WORD}|[A-Z]\.?)){{0,2}})"
_CUES = (
    r"(?:called himself|called herself|calls himself|calls herself|calling himself"
    r"|calling herself|introduced himself as|introduced herself as|said his name was"
    r"|said her name was|said he was called|said she was called|gave (?:his|her) name as"
    r"|gave the name|name(?:d)?(?: is| was| of|'s)?|known as|also known as|known locally as"
    r"|known to (?:use|go by) the name(?: of)?|uses the name|used the name"
    r"|goes by(?: the name(?: of)?)?"
    r"|go by(?: the name(?: of)?)?|answers to(?: the name(?: of)?)?|answer to(?: the name(?: of)?)?"
    r"|answering to|possibly called|possible name|believed to be called|believed to be named"
    r"|may be called|might be called|could be called|nickname(?:d)?(?: is| was)?"
    r"|called(?: him| her)?|call(?:s|ed)? him|call(?:s|ed)? her|shout(?:ed|ing)?|yell(?:ed|ing)?"
    r"|referred to as|refer to him as|goes under|alias|also called|or possibly)"
)
_AFTER_CUE = re.compile(rf"\b{_CUES}\s*[:\-]?\s*[\"']?{_NAME}")
_BEFORE_CUE = re.compile(
    rf"\b{_NAME}[\"']?\s*,?\s+(?:she|he|they|people|everyone|we|the kids|his mates|her mates)"
    r"\s+(?:calls?|called)\s+(?:him|her)\b"
)
_QUOTED = re.compile(rf"[\"']({_NAME_WORD}(?:\s+{_NAME_WORD}){{0,2}})[\"']")
# "What's his name? Caller: Stuart Clark", "Did she say a name? A: Sara"
_ANSWERED = re.compile(rf"\bname\?\s*(?:[A-Z][a-z]*\s*:\s*)?{_NAME}")
# "Kyle Cox, 35, ...", "Kevin Hughes (37)": a name with its age, as appeals name people.
_WITH_AGE = re.compile(rf"{_NAME},?\s*(?:\(\d{{2}}\)|,\s*\d{{2}}\s*,)")
# "My ex, Graham, he's outside", "the fella next door, Chris,"
_APPOSITION = re.compile(
    r"\b(?:my|her|his|the|our|their)\s+(?:ex|ex-partner|ex-boyfriend|ex-husband|partner"
    r"|boyfriend|husband|neighbour|fella next door|man next door|lodger|stepdad|step-dad"
    rf"|mum's boyfriend|mum's partner|babysitter|landlord)\s*,\s*{_NAME}\s*,"
)


@cache
def not_names() -> frozenset[str]:
    data = load("not_evidence")
    words = set(data["not_names"])
    for phrases in data["kinds"].values():
        words |= {normalise(p) for p in phrases}
    return frozenset(words)


@cache
def _titles() -> frozenset[str]:
    return frozenset(load("not_evidence")["titles"])


def _clean(said: str, places: frozenset[str]) -> str | None:
    kept: list[str] = []
    words = said.split()
    while len(words) > 1 and normalise(words[0]) in _titles():
        words = words[1:]  # "Uncle Jordy" is Jordy; "Big Man" alone stays a nickname
    for word in words:
        if normalise(word) in not_names() or normalise(word) in places:
            break
        kept.append(word)
    name = " ".join(kept).strip(" .'\"")
    if not name or (name.isupper() and len(name) <= 2):
        return None
    return name.title() if name.isupper() else name


def read_name(reading: Reading, places: frozenset[str]) -> None:
    text = reading.work
    for pattern in (_AFTER_CUE, _BEFORE_CUE, _ANSWERED, _APPOSITION, _WITH_AGE, _QUOTED):
        for match in pattern.finditer(text):
            if name := _clean(match.group(1), places):
                reading.take("name", name, match.span(), f'name heard: "{name}"')
                return
