"""How people say an age, and the range each way of saying it means: decades ("in his 30s
or 40s", "late 50s early 60s", "thirty-something"), ranges ("between 30 and 40", "25-30
yrs", "Thirty, forty.", "could be thirty, could be fifty"), estimates ("about 35", "like
50", "45ish", "30-odd", "forty I'd say", "Sixty?", "nearly 50"), stated ages ("32-year-old",
"aged 32", "Age: 32", "(32)") and a bare number in a list ("Male, white, 45").

Each reading is the range the words mean; the witness's error around it is the scoring's
business, not the parser's. Whose age it is, is `ages`'s business.
"""

import re
from collections.abc import Callable

from search.parse.numbers import NUMBER, number_value

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
    r"(?!\s*(?:cm|ft|feet|foot|'(?=\s*\d)|\"|inch|in\b|st\b|stone|lb|kg|kilo|m\b|metre|mph|pm|am\b|%|:"
    r"|\.\d|/\d|minutes?|mins?|hours?|hrs?|seconds?|secs?|yards?|miles?|pounds?|quid|times"
    r"|o'clock|days?|weeks?|months?|people|of them|percent))"
)
_ABOUT = (
    r"(?:about|around|roughly|approximately|maybe|circa|c\.|perhaps|possibly|probably"
    r"|something like|say|near enough|looked|looks|looking|could be|would say|like"
    r"|i'd say|id say|at a guess|guessing|estimated at|put him at|put her at|some|more or less"
    r"|in the region of|give or take)"
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
    if number_value(match.string[match.start(1) : match.end(2)]) is not None:
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


def _adult_years(match: re.Match[str]) -> tuple[int, int] | None:
    value = number_value(match.group(1))
    return (value - 2, value + 2) if value is not None and value >= 16 else None


def _nearly(match: re.Match[str]) -> tuple[int, int] | None:
    value = number_value(match.group(1))
    return (value - 3, value - 1) if value is not None else None


def _decade_something(match: re.Match[str]) -> tuple[int, int] | None:
    value = number_value(match.group(1))
    return (value, value + 9) if value is not None and value % 10 == 0 else None


_HEDGE_AFTER = (
    r"(?:maybe|i'd say|id say|i think|i reckon|or so|at a guess|tops|or thereabouts|perhaps"
    r"|i suppose|i guess|i'd guess|i'd imagine|i expect|if (?:he|she) was a day|give or take)"
)
Bounds = Callable[[re.Match[str]], tuple[int, int] | None]
PATTERNS: list[tuple[str, Bounds]] = [
    (_DECADE_RANGE, _decades),
    (rf"\b({NUMBER})[\s-]*something\b", _decade_something),
    (
        rf"\b(?:between|aged|age|from)?\s*({NUMBER})\s*(?:-|to|or|and|/)\s*({NUMBER})"
        rf"(?:\s*(?:years?(?:\s*old)?|yrs?))?\b{_NOT_AGE_AFTER}",
        _pair,
    ),
    (rf"\bcould be ({NUMBER}),?\s*(?:or\s+)?could be ({NUMBER})\b{_NOT_AGE_AFTER}", _pair),
    (rf"\b({NUMBER})\s*-?\s*odd\b", _odd),
    (rf"\b({NUMBER})\s*(?:\+|plus)(?!\s*\d)", _odd),
    (rf"\b({NUMBER})\s*-?\s*ish\b", _around(3)),
    (rf"\b(?:nearly|almost|just under|not quite)\s+({NUMBER})\b{_NOT_AGE_AFTER}", _nearly),
    (rf"\b{_ABOUT}\s+(?:aged\s+|age\s+)?({NUMBER})\b{_NOT_AGE_AFTER}", _around(3)),
    (rf"\b({NUMBER})\s*,?\s+{_HEDGE_AFTER}\b", _around(3)),
    (rf"\bage\s*[:\-]\s*(?:approx\w*\s+|about\s+)?({NUMBER})\b{_NOT_AGE_AFTER}", _around(2)),
    (
        rf"\b(?:aged|age|was|is|he's|she's|he is|she is)\s+(?:now\s+)?"
        rf"(?:about\s+|around\s+|approximately\s+)?({NUMBER})\b{_NOT_AGE_AFTER}",
        _around(2),
    ),
    (rf"\b({NUMBER})[\s-]*(?:years?|yrs?)[\s-]*(?:old|of age)\b", _around(2)),
    (rf"\b({NUMBER})[\s-]*years?[\s-]*old\b", _around(2)),
    (r"\((\d{2})\)", _around(1)),  # "John Smith (35)"
    # Police shorthand puts the age straight after the sex or the appearance code, with no
    # comma: "IC1 male 35", "W/M 35 blk hair", "Susp IC3 M 28yrs". The bare letters only in
    # capitals, so that "m" (metres) stays out.
    (
        rf"\b(?:IC\s?[1-9]|(?-i:[WBAN]\s?/\s?[MF]|[MF]\s?/\s?[WBAN]|M|F)|male|female)"
        rf"\s+({NUMBER})(?:\s*(?:yrs?|years?|y/?o))?\b(?!\s*(?:-|to|or|/)\s*\w){_NOT_AGE_AFTER}",
        _adult_years,  # not the first of a range ("M IC1 30-35"): the range pattern reads it
    ),
    # As a statement put through an interpreter words it: "a man of 40 years", "he had 35 years";
    # not "had 10 years in prison".
    (
        rf"\b(?:of|had|has|having)\s+({NUMBER})\s+years\b"
        r"(?!\s+(?:ago|later|before|since|in|for|inside|of\s+(?!age)|behind|on|at|with))",
        _adult_years,
    ),
]
_ESTIMATE = rf"(?:{_DECADE_RANGE}|{NUMBER})"
# A list item or answer that is only an age, or two ("45", "Sixty?", "Thirty, forty.",
# "Late thirties, forty", "Twenty-five maybe").
PLAIN_AGE = re.compile(
    rf"^\s*(?:(?:about|approx\w*|maybe|possibly|probably|like|erm|um|er|oh|must\s+be"
    rf"|(?:he|she|they)'d\s+be|would\s+be|i'd\s+say|i'd\s+guess|say)\s+)*({NUMBER})"
    rf"\s*(?:{_HEDGE_AFTER})?\s*(\??)\s*$",
    re.IGNORECASE,
)
PLAIN_PAIR = re.compile(
    rf"^\s*(?:(?:about|maybe|possibly|probably|like|erm|um)\s+)*({_ESTIMATE}),\s*(?:maybe\s+|or\s+)?"
    rf"({NUMBER})\s*(?:{_HEDGE_AFTER})?\s*\??\s*$",
    re.IGNORECASE,
)


def plain_pair_bounds(match: re.Match[str]) -> tuple[int, int] | None:
    """'Thirty, forty' is 30-40; 'Late thirties, forty' 37-40."""
    first = match.group(1)
    decade = re.fullmatch(_DECADE_RANGE, first, re.IGNORECASE)
    low = _decades(decade)[0] if decade else number_value(first)
    high = number_value(match.group(match.lastindex or 1))
    if low is None or high is None or not low < high <= low + 25:
        return None
    return low, high
