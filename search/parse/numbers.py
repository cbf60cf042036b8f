"""Numbers as people write them: digits, words ("thirty-five", "five foot nine"), ranges."""

import re

_UNITS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fourty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_SMALL = "|".join(sorted(_UNITS, key=len, reverse=True))
# A number said in digits or words: "30", "thirty", "twenty-five", "twenty five", "seven".
NUMBER = rf"(?:\d{{1,3}}|(?:{'|'.join(_TENS)})(?:[\s-]+(?:{_SMALL}))?|{_SMALL})"


def number_value(said: str) -> int | None:
    said = said.strip().lower()
    if said.isdigit():
        return int(said)
    parts = re.split(r"[\s-]+", said)
    if parts[0] in _TENS and len(parts) <= 2:
        rest = _UNITS.get(parts[1], 10) if len(parts) > 1 else 0
        return _TENS[parts[0]] + rest if rest < 10 else None
    return _UNITS.get(parts[0]) if len(parts) == 1 else None
