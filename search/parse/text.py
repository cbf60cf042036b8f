"""The text the readers work on, and what they make of it.

A description arrives with curly quotes and primes (5’10”), dashes of every width and police
shorthand (drk brn, stky bld, TAT). Readers see one even form, `Text.work`, in which each
character remembers where it came from, so that every reading is quoted in the witness's
own words.
"""

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from search.vocabulary import load

_TYPOGRAPHY = str.maketrans(
    {
        "’": "'",
        "‘": "'",
        "′": "'",
        "´": "'",
        "`": "'",
        "“": '"',
        "”": '"',
        "″": '"',
        "–": "-",
        "—": "-",
        "‐": "-",
        "\u00a0": " ",
    }
)


@cache
def _abbreviations() -> tuple[re.Pattern[str], dict[str, str], dict[str, str]]:
    data = load("abbreviations")
    any_case = {k.lower(): v for k, v in data["any_case"].items()}
    upper = dict(data["upper_case"])
    words = sorted([*any_case, *upper], key=len, reverse=True)
    # A shorthand is a whole token: not inside a word, not glued to a digit ("5yrs" is
    # still "5 years", but "ltd" is not "light d"); it may be an item of a list written with
    # slashes ("blk/grey hair", "shaved head/TAT R hand"), not of a date or a count.
    pattern = re.compile(
        r"(?<!\w)(?<!\d/)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)(?!/\d)",
        re.IGNORECASE,
    )
    return pattern, any_case, upper


@dataclass(frozen=True)
class Text:
    original: str
    work: str  # what the readers read
    origin: tuple[int, ...]  # origin[i]: where work[i] came from in the original

    def original_span(self, span: tuple[int, int]) -> tuple[int, int]:
        start, end = span
        if start >= end or not self.origin:
            return (0, 0)
        return self.origin[start], self.origin[min(end, len(self.origin)) - 1] + 1

    def quote(self, span: tuple[int, int]) -> str:
        start, end = self.original_span(span)
        return " ".join(self.original[start:end].split())


def read_text(original: str) -> Text:
    even = original.translate(_TYPOGRAPHY)
    pattern, any_case, upper = _abbreviations()
    pieces: list[str] = []
    origin: list[int] = []
    position = 0
    for match in pattern.finditer(even):
        said = match.group(0)
        expansion = upper.get(said) if said.isupper() and said in upper else None
        if expansion is None:
            expansion = any_case.get(said.lower())
        if expansion is None:
            continue  # an upper-case-only shorthand written in lower case: a word
        # Digits glued to a unit ("5yrs") get their space back.
        lead = " " if match.start() > 0 and even[match.start() - 1].isdigit() else ""
        pieces.append(even[position : match.start()])
        origin.extend(range(position, match.start()))
        replacement = lead + expansion
        pieces.append(replacement)
        origin.extend(min(match.start() + i, match.end() - 1) for i in range(len(replacement)))
        position = match.end()
    pieces.append(even[position:])
    origin.extend(range(position, len(even)))
    return Text(original=original, work="".join(pieces), origin=tuple(origin))


@dataclass
class Reading:
    """What the readers made of a description: the query parts, each reading in plain words
    with the words it came from, what was recognised but is no evidence about the person
    (clothing, vehicles), and what nothing could read."""

    text: Text
    parts: dict[str, Any] = field(default_factory=dict)
    understood: list[str] = field(default_factory=list)
    not_evidence: list[str] = field(default_factory=list)
    not_understood: list[str] = field(default_factory=list)
    used: list[tuple[int, int]] = field(default_factory=list)  # spans of `text.work`
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)  # each part's words
    aside: list[tuple[int, int]] = field(default_factory=list)  # clothing, vehicles

    @property
    def work(self) -> str:
        """What the readers of the person read: the text with what was set aside blanked
        (one space a character, so offsets hold), so that a black jacket colours nobody."""
        if not self.aside:
            return self.text.work
        characters = list(self.text.work)
        for start, end in self.aside:
            characters[start:end] = " " * (end - start)
        return "".join(characters)

    def take(self, part: str, value: Any, span: tuple[int, int], shown: str) -> bool:
        """Keep `value` for `part` unless an earlier reading holds it; say so in plain words."""
        if part in self.parts:
            return False
        self.parts[part] = value
        self.understood.append(f'{shown} (from "{self.text.quote(span)}")')
        self.used.append(span)
        self.spans[part] = span
        return True

    def set_aside(self, kind: str, span: tuple[int, int]) -> None:
        """Words recognised as saying nothing about the person's body or identity. They may
        still be part of what the person did ("offered her a lift in a white van")."""
        self.not_evidence.append(f'{kind}: "{self.text.quote(span)}"')
        self.aside.append(span)

    def consumed(self, position: int) -> bool:
        return any(start <= position < end for start, end in self.used)
