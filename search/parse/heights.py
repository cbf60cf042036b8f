"""Height and weight.

Height in every written form: 5ft 10in, 5'10", 5’10” and 5”8 (evened before this), 5 foot
10, 5 ft. 9 in., 5 feet, 11 inches, five-foot-nine, 6ft, 178cm, 1.78m, 1m78, US "5-10, 170
lbs", a circulation's "Hgt: 510", "1 metre 80", "one metre eighty", ranges ("between 5ft 8
and 5ft 10", "5'8-5'10", "1.70-1.75m", "1.55 or 1.60"), metric heights without a unit
("1.80", "About 175", "180-ish"); against the witness's own ("taller than me, I'm 5'5");
and in words ("tall", "not very tall", "a wee man"). A number beats a comparison, which
beats a word.

Weight (15 stone, 15st 7lb, 200 lbs, 90kg) is no measure of build, but it is a hint of
one: it is read as a build only where no build is stated, and said to be a hint.
"""

import re
from collections.abc import Sequence

from search.parse.context import sentence_bounds, words
from search.parse.mentions import about_someone_else
from search.parse.numbers import NUMBER, number_value
from search.parse.text import Reading
from search.query import Range

_HEIGHT_SPREAD_CM = 3  # a stated height is read as +-3 cm: the witness's error is scoring's
_FEET = r"(?:ft\.?|foot|feet|')"
_INCHES = r"(?:inches|inch|ins|in\b\.?|\"|'')"
_FOOT_NUMBER = rf"({NUMBER})"
_NO_MORE_DIGITS = r"(?!\d|\.\d)"
# 5ft 10in, 5'10", 5 foot 10, five-foot-nine, 6ft, 5 feet, 11 inches; the inches may be missing.
_FEET_INCHES = (
    rf"{_FOOT_NUMBER}\s*-?\s*{_FEET}(?:\s*[-,]?\s*(?:and\s+)?"
    rf"({NUMBER}){_NO_MORE_DIGITS}[\s-]*{_INCHES}?)?"
)
_FEET_RANGE = re.compile(
    rf"\b{_FEET_INCHES}\s*(?:-|to|or|and)\s*(?:{_FOOT_NUMBER}\s*-?\s*{_FEET}\s*[-,]?\s*)?"
    rf"(?:({NUMBER}){_NO_MORE_DIGITS}[\s-]*{_INCHES}?)",
    re.IGNORECASE,
)
_FEET_ONE = re.compile(rf"\b{_FEET_INCHES}", re.IGNORECASE)
_DOTTED_FEET = re.compile(r"\b([4-7])\.(1[01]|[0-9])\b(?=\s*(?:tall|ft|in\b|height|,|$))")
_QUOTED_FEET = re.compile(r"\b([4-7])\"\s*(1[01]|[0-9])\b")  # 5”8, a double prime for feet
# The labels a form or circulation writes before a height.
_HEIGHT_LABEL = r"(?:height|hgt|ht)"
# US shorthand beside a weight ("5-10, 170 lbs") and a circulation's "Hgt: 510".
_US_FEET = re.compile(
    r"\b([4-7])-(1[01]|[0-9])\b(?=,?\s*\d{2,3}\s*(?:lbs?|pounds)?\b)"
    rf"|\b{_HEIGHT_LABEL}\s*[:\-]?\s*([4-7])([01][0-9])\b",
    re.IGNORECASE,
)
_METRIC = re.compile(
    r"\b(1[.,]\d{1,2})\s*(?:m|metres?|meters?|mtrs?)\b|\b(1\d{2}|2[0-4]\d)\s*(?:cm|centimetres?"
    r"|centimeters?|cms)\b|\b(1)\s*m\s*(\d{2})\b",
    re.IGNORECASE,
)
# Metric ranges and heights written without a unit, as intelligence logs and foreign witnesses
# write them: "1.70-1.75m", "1.55 or 1.60", "170 to 175 cm", a bare "1.80" and, after a word
# that makes it an estimate of height, "About 175" or "180-ish".
_METRES = r"(?:m\b|metres?\b|meters?\b|mtrs?\b)"
_CENTIMETRES = r"(?:cm|centimetres?|centimeters?|cms)\b"
_METRIC_RANGE = re.compile(
    rf"\b([12][.,]\d{{1,2}})\s*{_METRES}?\s*(?:-|to|or|and|/)\s*([12][.,]\d{{1,2}})(?!\d)"
    rf"|\b(1\d{{2}}|2[0-2]\d)\s*(?:{_CENTIMETRES})?\s*(?:-|to|or|and|/)\s*(1\d{{2}}|2[0-2]\d)"
    rf"\s*{_CENTIMETRES}",
    re.IGNORECASE,
)
_BARE_METRES = re.compile(r"(?<![\d.,£$€:/])\b([12][.,]\d{1,2})(?![\d:/]|[.,]\d)")
_BARE_CENTIMETRES = re.compile(
    rf"(?:\b(?:{_HEIGHT_LABEL}|about|around|approx\.?|approximately|roughly|circa|c\.|was|is|be"
    r"|measures?|measured|measuring|stands?|stood|maybe|perhaps|possibly|probably|like|say)"
    r"\s*[:\-]?\s*(?:(?:about|around|approx\.?|approximately|roughly|maybe|like)\s+)?"
    r"|(?:^|,)\s*)(1[4-9]\d|20\d)\b(?!\s*-?\s*ish)(?=\s*(?:[,.;)]|tall\b|$))"
    r"|\b(1[4-9]\d|20\d)\s*-?\s*ish\b"
    # After a height label the number is a height whatever follows it ("Height 175 slim").
    rf"|\b{_HEIGHT_LABEL}\s*[:\-]?\s*(1[4-9]\d|20\d)\b(?![.,]?\d)",
    re.IGNORECASE | re.MULTILINE,
)
# "1 metre 80", "one metre eighty", "a metre seventy-five": the metre, then its centimetres.
_METRE_AND = re.compile(
    rf"\b(?:1|one|a)\s*(?:m|metres?|meters?|mtrs?)\.?\s*(?:and\s+)?({NUMBER})(?!\d|[.,]\d)"
    rf"(?:\s*{_CENTIMETRES})?",
    re.IGNORECASE,
)
# What a number without a unit measures when it is no height: a time, a price, a weight.
_NOT_METRES_AFTER = re.compile(
    r"\s*(?:am\b|pm\b|a\.m|p\.m|hrs?\b|hours?\b|h\b|o'clock|kg|kilos?|k\b|miles?|mi\b|km|%"
    r"|lbs?\b|pounds?\b|st\b|stone|quid|mph|yards?|ft|feet|foot|in\b|inch|litres?|pints?"
    r"|million|mins?\b|minutes?|high\b|wide\b|long\b|deep\b)",
    re.IGNORECASE,
)
_TIME_BEFORE = re.compile(
    r"\b(?:at|until|till|til|from|after|before|since|by|weighs?|weighed|weighing"
    r"|weight|wt|costs?|paid|price)\s+(?:about\s+|around\s+|roughly\s+|approx\.?\s+)?$",
    re.IGNORECASE,
)
_DISTANCE_AFTER = re.compile(
    r"\s*(?:away|from|of|behind|in front|off|apart|back|long|wide|deep|high fence|fence|wall)\b"
)
_NOT_HEIGHT_AFTER = re.compile(
    r"[\s-]*(?:[\w-]+\s+){0,2}(?:hair|cropped|beard|dread|back|ponytail|sleeve|tattoo|scar|mark"
    r"|build|frame|piercing|mole|knife|car|van|dog|bag|girl|boy|child|walk|while|time|distance"
    r"|trip|way|drive|jacket|coat|skirt|shorts|sentence|fuse|temper|notice|term|stay|wait"
    r"|goatee|moustache|stubble|fringe|back and sides|folding|one|bit|sister|brother|kids?)",
    re.IGNORECASE,
)
# "Ginger hair, short." and "black hair short": the word is the hair's length.
_HAIR_BEFORE = re.compile(
    r"\b(?:hair|haired|head)\b[\s,]*(?:(?:shaved|off|really|very|quite|cut|cropped|kept|was|is"
    r"|and|a|bit|fairly|pretty|worn)[\s,]+)*$",
    re.IGNORECASE,
)
_COMPARED = re.compile(
    r"\b(?:(a\s+bit|a\s+little|slightly|bit|much|way|a\s+lot)\s+)?(taller|shorter|bigger|smaller)"
    r"\s+than\b|\b(?:about\s+|around\s+|roughly\s+)?(?:as\s+tall\s+as|(?:the\s+)?same\s+height\s+as"
    r"|(?:like\s+|about\s+)?(?:my|her|his)\s+height)\b",
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


def _all_heights(text: str) -> list[tuple[int, int, tuple[int, int]]]:
    """Every height stated in numbers, whoever's, as (low, high, span)."""
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
            found.append((low - _HEIGHT_SPREAD_CM, high + _HEIGHT_SPREAD_CM, match.span()))
            ranges.append(match.span())
    for match in _FEET_ONE.finditer(text):
        if any(s <= match.start() < e for s, e in ranges):
            continue
        feet, inches = _feet(match.group(1)), _inches(match.group(2))
        if feet is None or inches is None or _is_distance(text, match.end()):
            continue
        cm = _cm(feet, inches)
        found.append((cm - _HEIGHT_SPREAD_CM, cm + _HEIGHT_SPREAD_CM, match.span()))
    for pattern in (_DOTTED_FEET, _QUOTED_FEET):
        for match in pattern.finditer(text):
            cm = _cm(int(match.group(1)), int(match.group(2)))
            found.append((cm - _HEIGHT_SPREAD_CM, cm + _HEIGHT_SPREAD_CM, match.span()))
    for match in _US_FEET.finditer(text):
        feet_said, inches_said = match.group(1, 2) if match.group(1) else match.group(3, 4)
        if int(inches_said) <= 11:
            cm = _cm(int(feet_said), int(inches_said))
            found.append((cm - _HEIGHT_SPREAD_CM, cm + _HEIGHT_SPREAD_CM, match.span()))
    found += _metric_heights(text)
    for match in _METRIC.finditer(text):
        if any(s <= match.start() < e for _low, _high, (s, e) in found):
            continue  # the upper bound of "1.70-1.75m", read as a range above
        if match.group(3):  # "1m80"
            cm = 100 + int(match.group(4))
        elif match.group(1):
            cm = round(float(match.group(1).replace(",", ".")) * 100)
        else:
            cm = int(match.group(2))
        if 120 <= cm <= 230:
            found.append((cm - _HEIGHT_SPREAD_CM, cm + _HEIGHT_SPREAD_CM, match.span()))
    return found


def _centimetres(said: str) -> int:
    """ "1.80" or "1,80" in metres, "180" in centimetres."""
    metres = said.replace(",", ".")
    return round(float(metres) * 100) if "." in metres else int(said)


def _unit_free(text: str, start: int, end: int) -> bool:
    """Whether a number without its unit at text[start:end] may be a height: not a time
    ("at 1.45"), a price, a weight or a distance."""
    return not (
        _NOT_METRES_AFTER.match(text, end)
        or _TIME_BEFORE.search(text[max(0, start - 24) : start])
        or _is_distance(text, end)
    )


def _metric_heights(text: str) -> list[tuple[int, int, tuple[int, int]]]:
    """Metric ranges and heights said without a unit (see `_METRIC_RANGE`)."""
    found = []
    for match in _METRIC_RANGE.finditer(text):
        low_said, high_said = match.group(1, 2) if match.group(1) else match.group(3, 4)
        low, high = _centimetres(low_said), _centimetres(high_said)
        if 120 <= low < high <= min(low + 25, 230) and _unit_free(text, *match.span()):
            found.append((low - _HEIGHT_SPREAD_CM, high + _HEIGHT_SPREAD_CM, match.span()))
    for match in _METRE_AND.finditer(text):
        centimetres = number_value(match.group(1))
        if centimetres is not None and 30 <= centimetres <= 99 and _unit_free(text, *match.span()):
            cm = 100 + centimetres
            found.append((cm - _HEIGHT_SPREAD_CM, cm + _HEIGHT_SPREAD_CM, match.span()))
    for pattern in (_BARE_METRES, _BARE_CENTIMETRES):
        for match in pattern.finditer(text):
            group = next(g for g in range(1, (match.re.groups or 0) + 1) if match.group(g))
            if any(s <= match.start(group) < e for _low, _high, (s, e) in found):
                continue
            if _METRIC.match(text, match.start(group)):
                continue  # "1.78m", "178cm": read with their unit
            cm = _centimetres(match.group(group))
            if 140 <= cm <= 215 and _unit_free(text, match.start(group), match.end(group)):
                found.append((cm - _HEIGHT_SPREAD_CM, cm + _HEIGHT_SPREAD_CM, match.span(group)))
    return found


_Height = tuple[int | None, int | None, tuple[int, int]]


def _compared(text: str, heights: Sequence[_Height]) -> list[_Height]:
    """Heights said against someone else's: "taller than me, I'm 5'5" is at least 168 cm,
    "a bit taller than me and I'm 5 foot 2" 160-167, "like my height and I'm nearly 5
    foot" 149-155."""
    found = []
    for comparison in _COMPARED.finditer(text):
        sentence = sentence_bounds(text, comparison.start())
        # The height compared with is said after the comparison, in its sentence or the next.
        after = [h for h in heights if comparison.end() <= h[2][0] <= sentence[1] + 40]
        if not after:
            continue
        low, high, span = min(after, key=lambda h: h[2])
        if low is None or high is None:
            continue
        middle = (low + high) // 2
        slightly = bool(comparison.group(1)) and not re.match(
            r"much|way|a\s+lot", comparison.group(1), re.IGNORECASE
        )
        direction = (comparison.group(2) or "").lower()
        bounds: tuple[int | None, int | None]
        if direction in ("taller", "bigger"):
            bounds = (middle + 3, middle + 10 if slightly else None)
        elif direction in ("shorter", "smaller"):
            bounds = (middle - 10 if slightly else None, middle - 3)
        else:
            bounds = (middle - _HEIGHT_SPREAD_CM, middle + _HEIGHT_SPREAD_CM)
        found.append((*bounds, (comparison.start(), span[1])))
    return found


def _worded_height(text: str, sex: str | None) -> tuple[int, int, tuple[int, int]] | None:
    candidates = []
    vocabulary = words()
    for phrase, ranges in vocabulary["height_words"].items():
        for match in re.finditer(rf"\b{re.escape(phrase)}\b", text, re.IGNORECASE):
            if _NOT_HEIGHT_AFTER.match(text[match.end() : match.end() + 30]):
                continue  # "short hair", "a short walk"
            sentence_start, _ = sentence_bounds(text, match.start())
            hair = _HAIR_BEFORE.search(
                text[max(sentence_start, match.start() - 40) : match.start()]
            )
            if hair and not re.match(r"\s+(?:himself|herself)\b", text[match.end() :]):
                continue  # "Ginger hair, short.", not "dark hair, quite short himself"
            low, high = ranges.get(sex or "M", ranges["M"])
            candidates.append((match.start(), -len(phrase), low, high, match.span()))
    people = "|".join(n for ns in vocabulary["person_nouns"].values() for n in ns)
    small = "|".join(vocabulary["short_person_words"])
    for match in re.finditer(rf"\b(?:{small})\s+(?:[\w-]+\s+)?(?:{people})\b", text, re.IGNORECASE):
        low, high = vocabulary["height_words"]["short"].get(sex or "M")
        candidates.append((match.start(), -len(match.group(0)), low, high, match.span()))
    if not candidates:
        return None
    # The first said wins; of phrases starting together, the longer ("very tall").
    _start, _length, low, high, span = min(candidates)
    return low, high, span


def read_height(reading: Reading) -> None:
    text = reading.work
    sex = reading.parts.get("sex")
    heights = _all_heights(text)
    theirs = [h for h in heights if not about_someone_else(text, h[2][0], h[2][1])]
    theirs = [h for h in theirs if not _is_reference(text, h[2][0])]
    # The first height said in numbers; a number beats a word said beside it ("tall, 6ft 2").
    worded = _worded_height(text, sex)
    low: int | None
    high: int | None
    if theirs:
        low, high, span = min(theirs, key=lambda f: f[2])
    elif compared := _compared(text, heights):
        low, high, span = compared[0]
        if worded:  # "really small, like shorter than me and I'm 5ft 2"
            low = max(b for b in (low, worded[0]) if b is not None)
            high = min(b for b in (high, worded[1]) if b is not None)
            if low is not None and high is not None and low > high:
                low, high, span = compared[0]
    elif worded:
        low, high, span = worded
    else:
        return
    shown = f"height {low if low is not None else ''}-{high if high is not None else ''} cm"
    reading.take("height_cm", Range(min=low, max=high), span, shown)


def _is_reference(text: str, start: int) -> bool:
    """'shorter than the 5'11 on his profile': the height compared with, not his."""
    before = text[max(0, start - 30) : start]
    return bool(
        re.search(
            r"\b(?:taller|shorter|bigger|smaller)\s+than\s+(?:the\s+|his\s+|her\s+)?$", before, re.I
        )
    )


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
