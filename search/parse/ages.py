"""Age: decades ("in his 30s or 40s", "late 50s early 60s"), ranges ("between 30 and 40",
"25-30 yrs"), estimates ("about 35", "45ish", "30-odd"), stated ages ("32-year-old",
"aged 32", "(32)"), a bare number in a list ("Male, white, 45"), and age words
("teenager", "middle-aged"). Ages of victims, the witness and their family are skipped.

Each reading is the range the words mean; the witness's error around it is the scoring's
business, not the parser's.
"""

import re
from collections.abc import Callable

from search.parse.context import about_someone_else, clause_after, description_start, words
from search.parse.numbers import NUMBER, number_value
from search.parse.text import Reading
from search.query import Range

_PART = r"(early|mid|late)"
_DECADE_WORDS = {
    "teens": 10,
    "twenties": 20,
    "thirties": 30,
    "forties": 40,
    "fifties": 50,
    "sixties": 60,
    "seventies": 70,
    "eighties": 80,
}
_DECADE = rf"(?:([1-9])0\s*'?s\b|({'|'.join(_DECADE_WORDS)}))"
_NOT_AGE_AFTER = (
    r"(?!\s*(?:cm|ft|feet|foot|'|\"|inch|in\b|st\b|stone|lb|kg|kilo|m\b|metre|mph|pm|am\b|%|:"
    r"|\.\d|/\d|minutes?|mins?|hours?|hrs?|seconds?|secs?|yards?|miles?|pounds?|quid|times"
    r"|o'clock|days?|weeks?|months?|people|of them|percent))"
)
_ABOUT = (
    r"(?:about|around|roughly|approximately|maybe|circa|c\.|perhaps|possibly|probably"
    r"|something like|say|near enough|nearly|almost|looked|looks|looking|could be|would say"
    r"|i'd say|id say)"
)


def _decade_of(digit: str | None, word: str | None) -> int:
    return int(digit) * 10 if digit else _DECADE_WORDS[(word or "").lower()]


def _part_of(part: str | None, decade: int) -> tuple[int, int]:
    low = 13 if decade == 10 else decade
    if part is None:
        return low, decade + 9
    return {
        "early": (low, decade + 4),
        "mid": (decade + 3, decade + 7),
        "late": (decade + 6, decade + 9),
    }[part.lower()]


def _decades(match: re.Match[str]) -> tuple[int, int]:
    part1, part1_to, digit1, word1, part2, digit2, word2 = match.groups()
    decade = _decade_of(digit1, word1)
    first = _part_of(part1, decade)
    last = _part_of(part1_to, decade) if part1_to else first
    if digit2 or word2:
        last = _part_of(part2, _decade_of(digit2, word2))
    return first[0], last[1]


def _pair(match: re.Match[str]) -> tuple[int, int] | None:
    if number_value(match.group(0)) is not None:
        return None  # "fifty-five" is one number, not fifty to five
    low, high = number_value(match.group(1)), number_value(match.group(2))
    if low is None or high is None:
        return None
    if high < low and high < 10:  # "35-8" is 35 to 38
        high = low - low % 10 + high
    return (low, high) if low < high <= low + 25 else None


def _around(spread: int) -> Callable[[re.Match[str]], tuple[int, int] | None]:
    def reading(match: re.Match[str]) -> tuple[int, int] | None:
        value = number_value(match.group(1))
        return (value - spread, value + spread) if value is not None else None

    return reading


def _odd(match: re.Match[str]) -> tuple[int, int] | None:
    value = number_value(match.group(1))
    return (value, value + 5) if value is not None else None


# "late 30s", "mid to late thirties", "in his 30s or 40s", "late 50s early 60s"
_DECADE_RANGE = (
    rf"\b(?:{_PART}(?:\s*(?:to|-|or)\s*{_PART})?[\s-]*)?{_DECADE}"
    rf"(?:\s*(?:to|or|-|/|and|,|into)?\s*(?:the\s+)?(?:{_PART}[\s-]*)?{_DECADE})?"
)
_PATTERNS: list[tuple[str, Callable[[re.Match[str]], tuple[int, int] | None]]] = [
    (_DECADE_RANGE, _decades),
    (
        rf"\b(?:between|aged|age|from)?\s*({NUMBER})\s*(?:-|to|or|and|/)\s*({NUMBER})"
        rf"(?:\s*(?:years?(?:\s*old)?|yrs?))?\b{_NOT_AGE_AFTER}",
        _pair,
    ),
    (rf"\b({NUMBER})\s*-?\s*odd\b", _odd),
    (rf"\b({NUMBER})\s*(?:\+|plus)(?!\s*\d)", _odd),
    (rf"\b({NUMBER})\s*-?\s*ish\b", _around(3)),
    (rf"\b{_ABOUT}\s+(?:aged\s+|age\s+)?({NUMBER})\b{_NOT_AGE_AFTER}", _around(3)),
    (
        rf"\b(?:aged|age|was|is|he's|she's|he is|she is)\s+"
        rf"(?:about\s+|around\s+|approximately\s+)?({NUMBER})\b{_NOT_AGE_AFTER}",
        _around(2),
    ),
    (rf"\b({NUMBER})[\s-]*(?:years?|yrs?)[\s-]*(?:old|of age)\b", _around(2)),
    (rf"\b({NUMBER})[\s-]*years?[\s-]*old\b", _around(2)),
    (r"\((\d{2})\)", _around(1)),  # "John Smith (35)"
]
_PLAIN_AGE = re.compile(
    rf"^\s*(?:(?:about|approx\w*|maybe|possibly)\s+)?({NUMBER})\s*\??\s*$", re.IGNORECASE
)


_Found = list[tuple[int, int, tuple[int, int], tuple[int, int]]]


def _names_other_sex(text: str, end: int, sex: str | None) -> bool:
    if sex not in ("M", "F"):
        return False
    other = words()["person_nouns"]["F" if sex == "M" else "M"]
    after = re.findall(r"[a-z]+", clause_after(text, end))[:3]
    return any(word in other or word + "s" in other for word in after) or (
        sex == "M" and bool({"women", "girls", "ladies"} & set(after))
    )


def _found_in(reading: Reading) -> tuple[_Found, _Found]:
    """Ages said in numbers or decades, and ages said in words ("middle-aged")."""
    text = reading.work
    found: _Found = []
    for pattern, bounds_of in _PATTERNS:
        for match in re.finditer(pattern, text, re.IGNORECASE):
            # Whose age is judged from the number itself: in "she's thirteen" the cue word
            # names the daughter; in "a girl aged 14" the noun before the cue does.
            number_at = match.start(1) if match.group(1) else match.start()
            if not match.group(0).strip() or about_someone_else(text, number_at, match.end()):
                continue
            if _names_other_sex(text, match.end(), reading.parts.get("sex")):
                continue  # "a 24-year-old woman" when the person is a man
            bounds = bounds_of(match)
            if bounds and bounds[1] >= 10 and bounds[0] <= bounds[1] <= 110:
                found.append((match.start(), match.start() - match.end(), bounds, match.span()))
    # A number standing alone as an item of a list ("Male, white, 45, tall", "Sixty?").
    position = 0
    for item in re.split(r"([,;.!\n]|\s-\s)", text):
        plain = _PLAIN_AGE.match(item)
        value = number_value(plain.group(1)) if plain else None
        if plain and value is not None and 14 <= value <= 90:
            start = position + plain.start(1)
            end = position + plain.end(1)
            if not about_someone_else(text, start, end):
                found.append((start, start - end, (value - 2, value + 2), (start, end)))
        position += len(item)
    worded: _Found = []
    for phrase, (low, high) in words()["age_words"].items():
        for said in re.finditer(rf"\b{re.escape(phrase)}\b", text, re.IGNORECASE):
            if not about_someone_else(text, said.start(), said.end()):
                worded.append((said.start(), -len(phrase), (low, high), said.span()))
    return found, worded


def read_age(reading: Reading) -> None:
    numbers, worded = _found_in(reading)
    if not numbers and not worded:
        return
    start = description_start(reading.work)
    if start is not None:
        numbers = [f for f in numbers if f[0] >= start] or numbers
        worded = [f for f in worded if f[0] >= start] or worded
    # The first age said about the person; a number or decade beats an age word ("a young
    # man, about 25"), and of readings starting together the longest wins.
    _start, _length, (low, high), span = min(numbers or worded)
    low = max(0, low)
    reading.take("age", Range(min=low, max=high), span, f"age {low}-{high}")
