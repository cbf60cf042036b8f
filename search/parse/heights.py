"""Height and weight.

Height in every written form: 5ft 10in, 5'10", 5’10” (evened to 5'10" before this), 5 foot
10, five-foot-nine, 6ft, 178cm, 1.78m, 1m78, ranges ("between 5ft 8 and 5ft 10",
"5'8-5'10"), and words ("tall", "average height"), a number always beating a word said
beside it. Weight (15 stone, 15st 7lb, 200 lbs, 90kg) is no measure of build, but it is a
hint of one: it is read as a build only where no build is stated, and said to be a hint.
"""

import re

from search.parse.context import words
from search.parse.mentions import about_someone_else
from search.parse.numbers import NUMBER, number_value
from search.parse.text import Reading
from search.query import Range

_HEIGHT_SPREAD_CM = 3  # a stated height is read as +-3 cm: the witness's error is scoring's
_FEET = r"(?:ft|foot|feet|')"
_INCHES = r"(?:inches|inch|ins|in\b|\"|'')"
_FOOT_NUMBER = rf"({NUMBER})"
# 5ft 10in, 5'10", 5 foot 10, five-foot-nine, 6ft; the inches may be missing.
_FEET_INCHES = (
    rf"{_FOOT_NUMBER}\s*-?\s*{_FEET}\s*-?\s*(?:and\s+)?(?:({NUMBER})(?![\d.])\s*{_INCHES}?)?"
)
_FEET_RANGE = re.compile(
    rf"\b{_FEET_INCHES}\s*(?:-|to|or|and)\s*(?:{_FOOT_NUMBER}\s*-?\s*{_FEET}\s*-?\s*)?"
    rf"(?:({NUMBER})(?![\d.])\s*{_INCHES}?)",
    re.IGNORECASE,
)
_FEET_ONE = re.compile(rf"\b{_FEET_INCHES}", re.IGNORECASE)
_DOTTED_FEET = re.compile(r"\b([4-7])\.(1[01]|[0-9])\b(?=\s*(?:tall|ft|in\b|height|,|$))")
_METRIC = re.compile(
    r"\b(1[.,]\d{1,2})\s*(?:m|metres?|meters?|mtrs?)\b|\b(1\d{2}|2[0-4]\d)\s*(?:cm|centimetres?"
    r"|centimeters?|cms)\b|\b(1)\s*m\s*(\d{2})\b",
    re.IGNORECASE,
)
_DISTANCE_AFTER = re.compile(
    r"\s*(?:away|from|of|behind|in front|off|apart|back|long|wide|deep|high fence|fence|wall)\b"
)
_NOT_HEIGHT_AFTER = re.compile(
    r"[\s-]*(?:\w+\s+)?(?:hair|cropped|beard|dread|back|ponytail|sleeve|tattoo|scar|mark|build"
    r"|frame|piercing|mole|knife|car|van|dog|bag|girl|boy|child|walk|while|time|distance"
    r"|trip|way|drive|jacket|coat|skirt|shorts|sentence|fuse|temper|notice|term|stay|wait)",
    re.IGNORECASE,
)


def _cm(feet: int, inches: int) -> int:
    return round((feet * 12 + inches) * 2.54)


def _feet(said: str | None) -> int | None:
    value = number_value(said) if said else None
    return value if value is not None and 4 <= value <= 7 else None


def _inches(said: str | None) -> int | None:
    if said is None:
        return 0
    value = number_value(said)
    return value if value is not None and 0 <= value <= 11 else None


def _is_distance(text: str, end: int) -> bool:
    return bool(_DISTANCE_AFTER.match(text[end:]))


def _numeric_heights(text: str) -> list[tuple[int, int, tuple[int, int]]]:
    """Every height stated in numbers, as (low, high, span)."""
    found = []
    ranges = []
    for match in _FEET_RANGE.finditer(text):
        if match.group(2) is None and match.group(3) is None:
            continue  # "five-foot-nine" is one height, not five foot to nine
        feet, inches = _feet(match.group(1)), _inches(match.group(2))
        feet_to = _feet(match.group(3)) if match.group(3) else feet
        inches_to = _inches(match.group(4))
        if feet is None or inches is None or feet_to is None or inches_to is None:
            continue
        low, high = _cm(feet, inches), _cm(feet_to, inches_to)
        if low < high <= low + 25 and not _is_distance(text, match.end()):
            found.append((low, high, match.span()))
            ranges.append(match.span())
    for match in _FEET_ONE.finditer(text):
        if any(s <= match.start() < e for s, e in ranges):
            continue
        feet, inches = _feet(match.group(1)), _inches(match.group(2))
        if feet is None or inches is None or _is_distance(text, match.end()):
            continue
        if not about_someone_else(text, match.start(), match.end()):  # not "I'm 5ft 2"
            cm = _cm(feet, inches)
            found.append((cm - _HEIGHT_SPREAD_CM, cm + _HEIGHT_SPREAD_CM, match.span()))
    for match in _DOTTED_FEET.finditer(text):
        cm = _cm(int(match.group(1)), int(match.group(2)))
        found.append((cm - _HEIGHT_SPREAD_CM, cm + _HEIGHT_SPREAD_CM, match.span()))
    for match in _METRIC.finditer(text):
        if match.group(3):  # "1m80"
            cm = 100 + int(match.group(4))
        elif match.group(1):
            cm = round(float(match.group(1).replace(",", ".")) * 100)
        else:
            cm = int(match.group(2))
        if 120 <= cm <= 230 and not about_someone_else(text, match.start(), match.end()):
            found.append((cm - _HEIGHT_SPREAD_CM, cm + _HEIGHT_SPREAD_CM, match.span()))
    return found


def _worded_height(text: str, sex: str | None) -> tuple[int, int, tuple[int, int]] | None:
    candidates = []
    for phrase, ranges in words()["height_words"].items():
        for match in re.finditer(rf"\b{re.escape(phrase)}\b", text, re.IGNORECASE):
            if _NOT_HEIGHT_AFTER.match(text[match.end() : match.end() + 25]):
                continue  # "short hair", "a short walk"
            low, high = ranges.get(sex or "M", ranges["M"])
            candidates.append((match.start(), -len(phrase), low, high, match.span()))
    if not candidates:
        return None
    # The first said wins; of phrases starting together, the longer ("very tall").
    _start, _length, low, high, span = min(candidates)
    return low, high, span


def read_height(reading: Reading) -> None:
    text = reading.work
    sex = reading.parts.get("sex")
    numbers = _numeric_heights(text)
    # The first height said in numbers; a number beats a word said beside it ("tall, 6ft 2").
    found = min(numbers, key=lambda f: f[2]) if numbers else _worded_height(text, sex)
    if found:
        low, high, span = found
        reading.take("height_cm", Range(min=low, max=high), span, f"height {low}-{high} cm")


_WEIGHT = re.compile(
    rf"\b({NUMBER})\s*(?:st|stone|stones)\b(?:\s*(?:and\s*)?(\d{{1,2}})\s*(?:lb|lbs|pounds)?\b)?"
    rf"|\b(\d{{2,3}})\s*(?:lb|lbs|pounds)\b|\b(\d{{2,3}})\s*(?:kg|kgs|kilos|kilograms)\b",
    re.IGNORECASE,
)
# Body-mass index bands to the build scale: the weight is a hint, not a measure of build.
_BUILD_BY_BMI = ((18.5, "thin"), (21.0, "slim"), (25.0, "medium"), (29.0, "stocky"))


def read_weight_as_build(reading: Reading) -> None:
    text = reading.work
    for match in _WEIGHT.finditer(text):
        if match.group(1):
            stones = number_value(match.group(1)) or 0
            kg = (stones * 14 + int(match.group(2) or 0)) * 0.4536
        elif match.group(3):
            kg = int(match.group(3)) * 0.4536
        else:
            kg = float(match.group(4))
        if not 35 <= kg <= 250 or about_someone_else(text, match.start(), match.end()):
            continue
        height = reading.parts.get("height_cm")
        default_cm = 165 if reading.parts.get("sex") == "F" else 177
        cm = (height.min + height.max) / 2 if height and height.min and height.max else default_cm
        bmi = kg / (cm / 100) ** 2
        build = next((b for limit, b in _BUILD_BY_BMI if bmi < limit), "heavy")
        reading.take(
            "build", build, match.span(), f"build: {build} (a hint from a weight of {kg:.0f} kg)"
        )
        return
