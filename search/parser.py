"""Free text -> description query: what a witness said, read into the query's parts.

Rule-based on purpose: every reading can be shown to the user as "understood" with the words
it came from, and what was not understood is listed so that the user can correct it. Parts
given alongside the text win over parsed ones (`merge_parsed`).
"""

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from search.body_map import body_map
from search.query import DescriptionQuery, MarkQuery, Range
from search.vocabulary import (
    accents,
    builds,
    ethnic_appearance,
    eye_colours,
    facial_hair,
    hair_colours,
    hair_lengths,
    load,
)

MARK_WORDS = {
    "tattoo": "tattoo",
    "tattoos": "tattoo",
    "tattooed": "tattoo",
    "tat": "tattoo",
    "tats": "tattoo",
    "inked": "tattoo",
    "scar": "scar",
    "scars": "scar",
    "scarred": "scar",
    "birthmark": "birthmark",
    "birth mark": "birthmark",
    "port wine stain": "birthmark",
    "port-wine stain": "birthmark",
    "piercing": "piercing",
    "piercings": "piercing",
    "pierced": "piercing",
    "stud": "piercing",
    "earring": "piercing",
    "earrings": "piercing",
    "nose ring": "piercing",
    "mole": "mark",
    "mark": "mark",
    "marks": "mark",
    "amputation": "amputation",
    "amputated": "amputation",
    "deformity": "deformity",
    "deformed": "deformity",
    "removed tattoo": "removed_tattoo",
    "lasered tattoo": "removed_tattoo",
    "freckles": "mark",
    "burn": "scar",
    "missing finger": "amputation",
    "missing fingers": "amputation",
    "limp": "deformity",
    "broken nose": "deformity",
    "cauliflower ear": "deformity",
}
_LOCATION_WORDS = (
    r"(?:on|across|through|under|above|below|over|near|along|down|behind|in|inside|around"
    r"|between|at)"
)


@cache
def _words() -> dict[str, Any]:
    return load("descriptions")


@dataclass
class ParseResult:
    parts: dict[str, Any] = field(default_factory=dict)
    understood: list[str] = field(default_factory=list)
    not_understood: list[str] = field(default_factory=list)
    used: list[tuple[int, int]] = field(default_factory=list)  # character spans consumed

    def take(self, part: str, value: Any, span: tuple[int, int], text: str) -> None:
        if part in self.parts:
            return  # the first reading of a part wins
        self.parts[part] = value
        shown = value.model_dump(exclude_none=True) if hasattr(value, "model_dump") else value
        self.understood.append(f'{part}: {shown} (from "{text[span[0] : span[1]]}")')
        self.used.append(span)


def _number(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    value = _words()["numbers"].get(word.lower())
    return int(value) if value is not None else None


_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
}
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
}
# An age said in digits or words: "30", "thirty", "twenty-five".
_AGE_NUMBER = rf"(\d{{1,2}}|(?:{'|'.join(_TENS)})(?:[\s-](?:{'|'.join(_UNITS)}))?)"


def _age_number(said: str) -> int:
    if said.isdigit():
        return int(said)
    words = re.split(r"[\s-]+", said.lower())
    return _TENS[words[0]] + (_UNITS[words[1]] if len(words) > 1 else 0)


def _clause_before(text: str, position: int) -> str:
    """The words of the clause before `position` (clauses end at commas and semicolons)."""
    start = max(text.rfind(",", 0, position), text.rfind(";", 0, position)) + 1
    return text[start:position].lower()


def _about_someone_else(text: str, position: int) -> bool:
    """Whether words at `position` describe a victim rather than the person: a victim noun
    or an action just before them in the same clause ("approached a woman", "lured
    children 12-15", "offered a young girl a lift")."""
    before = re.findall(r"[a-z]+", _clause_before(text, position))
    if any(word in _words()["victim_nouns"] for word in before[-3:]):
        return True
    return bool(set(_words()["mo_words"]) & set(before))


def _parse_sex(text: str, result: ParseResult) -> None:
    """The first word for a man or a woman that is about the person, not a victim."""
    words = {sex: list(nouns) for sex, nouns in _words()["person_nouns"].items()}
    words["M"] += ["he", "his", "himself"]
    words["F"] += ["she", "herself"]
    said = []
    for sex, options in words.items():
        for match in re.finditer(rf"\b({'|'.join(options)})\b", text, re.IGNORECASE):
            if not _about_someone_else(text, match.start()):
                said.append((match.start(), sex, match.span()))
    if said:
        _start, sex, span = min(said)
        result.take("sex", sex, span, text)


def _parse_age(text: str, result: ParseResult) -> None:
    decades = _words()["decades"]
    n = _AGE_NUMBER
    part = r"(early|mid|late)"
    decade = rf"(?:(\d)0'?s|({'|'.join(decades)}))"

    def decade_of(digit: str | None, word: str | None) -> int:
        return int(digit) * 10 if digit else int(decades[str(word)])

    patterns: list[tuple[str, Any]] = [
        # "mid to late thirties", "late 30s or early 40s", "early 20's"
        (
            rf"\b{part}[\s-]*(?:{decade})?(?:\s*(?:to|or|-)\s*{part}[\s-]*)?{decade}",
            lambda m: _decade_span(m, decade_of),
        ),
        (
            rf"\b(?:in\s+(?:his|her|their)\s+)?{decade}(?!\s*(?:cm|ft|feet|foot))",
            lambda m: (
                max(13, decade_of(m.group(1), m.group(2))),
                decade_of(m.group(1), m.group(2)) + 9,
            ),
        ),
        (
            rf"\b(?:aged\s+|age\s+)?{n}\s*(?:-|to|–|or)\s*{n}\s*(?:years?\s*old|yrs?|y/?o)?\b",
            lambda m: _ordered(_age_number(m.group(1)), _age_number(m.group(2))),
        ),
        (
            rf"\b(?:about|around|roughly|approximately|approx|maybe|circa|aged\s+about|"
            rf"age\s+about|c\.)\s*{n}\b",
            lambda m: (_age_number(m.group(1)) - 3, _age_number(m.group(1)) + 3),
        ),
        (
            rf"\b{n}\s*-?\s*ish\b",
            lambda m: (_age_number(m.group(1)) - 3, _age_number(m.group(1)) + 3),
        ),
        (
            rf"\b{n}[\s-]*odd\b",
            lambda m: (_age_number(m.group(1)), _age_number(m.group(1)) + 5),
        ),
        (
            rf"\b(?:aged|age|was|is|looked|looks)\s+{n}(?!\s*(?:ft|foot|feet|'|cm|m\b|inch))\b"
            rf"|\b{n}\s*(?:years?\s*old|yrs?\s*old|y/?o)\b",
            lambda m: (
                _age_number(m.group(1) or m.group(2)) - 2,
                _age_number(m.group(1) or m.group(2)) + 2,
            ),
        ),
    ]
    found: list[tuple[int, int, tuple[int, int], tuple[int, int]]] = []
    for pattern, reading in patterns:
        for match in re.finditer(pattern, text, re.IGNORECASE):
            if _about_someone_else(text, match.start()):
                continue
            bounds = reading(match)
            if bounds and 0 <= bounds[0] <= bounds[1] <= 120 and bounds[1] >= 10:
                span = match.span()
                found.append((span[0], span[0] - span[1], (max(0, bounds[0]), bounds[1]), span))
    for phrase, (low, high) in _words()["age_words"].items():
        for said in re.finditer(rf"\b{re.escape(phrase)}\b", text, re.IGNORECASE):
            if not _about_someone_else(text, said.start()):
                found.append((said.start(), -len(phrase), (low, high), said.span()))
    if found:
        # The first age said is the person's (later numbers are more often the victims');
        # of readings starting together, the longest ("aged 25-30", not "aged 25").
        _start, _length, (low, high), span = min(found)
        result.take("age", Range(min=low, max=high), span, text)


def _ordered(low: int, high: int) -> tuple[int, int] | None:
    return (low, high) if low < high else None


def _decade_span(match: re.Match[str], decade_of: Any) -> tuple[int, int]:
    first_part, first_digit, first_word, second_part, digit, word = match.groups()
    last = decade_of(digit, word)
    first = decade_of(first_digit, first_word) if (first_digit or first_word) else last
    low, _ = _decade_part(first_part, first)
    _, high = _decade_part(second_part or first_part, last)
    return low, high


def _decade_part(part: str, decade: int) -> tuple[int, int]:
    low = max(13, decade) if decade == 10 else decade
    return {
        "early": (low, decade + 4),
        "mid": (decade + 3, decade + 7),
        "late": (decade + 6, decade + 9),
    }[part.lower()]


def _parse_height(text: str, result: ParseResult, sex: str | None) -> None:
    n = r"(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven)"
    feet_inches = [
        rf"\b{n}\s*(?:ft|foot|feet|')\s*(?:and\s*)?{n}\s*(?:inches|inch|ins|in\b|\"|'')?",
        rf"\b{n}\s*(?:ft|foot|feet|')(?!\s*(?:\d|one|two|three|four|five|six|seven|eight|nine|ten|eleven))",
    ]
    for pattern in feet_inches:
        for match in re.finditer(pattern, text, re.IGNORECASE):
            if re.match(
                r"\s*(?:away|from|of|behind|in front|off|apart|back)\b", text[match.end() :]
            ):
                continue  # "stood 6 feet away" is a distance, not a height
            feet = _number(match.group(1))
            inches = _number(match.group(2)) if match.lastindex and match.lastindex >= 2 else 0
            if feet is None or inches is None or not 3 <= feet <= 7 or inches > 11:
                continue
            cm = round((feet * 12 + inches) * 2.54)
            result.take("height_cm", Range(min=cm - 3, max=cm + 3), match.span(), text)
            return
    for match in re.finditer(
        r"\b(1[.,]\d{1,2})\s*(?:m|metres?|meters?)\b|\b(1\d{2}|2[0-4]\d)\s*cm\b"
        r"|\b(1)\s*m\s*(\d{2})\b",
        text,
        re.IGNORECASE,
    ):
        if match.group(3):  # "1m80"
            cm = 100 + int(match.group(4))
        elif match.group(1):
            cm = round(float(match.group(1).replace(",", ".")) * 100)
        else:
            cm = int(match.group(2))
        if 120 <= cm <= 230:
            result.take("height_cm", Range(min=cm - 3, max=cm + 3), match.span(), text)
            return
    candidates = []
    for phrase, ranges in _words()["height_words"].items():
        for match in re.finditer(rf"\b{re.escape(phrase)}\b", text, re.IGNORECASE):
            after = text[match.end() : match.end() + 25].lower()
            if re.match(
                r"[\s-]*(?:\w+\s+)?(?:hair|cropped|beard|dread|back|ponytail|sleeve|tattoo|scar"
                r"|mark|build|frame|piercing|mole|knife|car|van|dog|bag|girl|boy|child)",
                after,
            ):
                continue  # "short hair" is not a height
            candidates.append((match.start(), -len(phrase), match, ranges))
    if candidates:
        # The first said wins; of phrases starting together, the longer ("very tall").
        _start, _length, match, ranges = min(candidates, key=lambda c: (c[0], c[1]))
        low, high = ranges.get(sex or "M", ranges["M"])
        result.take("height_cm", Range(min=low, max=high), match.span(), text)


def _before_word(text: str, noun: str, words: int = 3) -> list[re.Match[str]]:
    # Within one clause: "5ft 9, dark hair" says nothing of hair in "5ft 9". Anchored at a
    # word start, so a long run of punctuation cannot make the search quadratic.
    return list(
        re.finditer(rf"(?<![\w'-])((?:[\w'-]+\s+){{0,{words}}}){noun}\b", text, re.IGNORECASE)
    )


def _nearest(vocabulary: Any, lead: str) -> tuple[str | None, str]:
    """The term said nearest before a noun ("white cap brown hair" -> brown)."""
    found = vocabulary.index.find(lead.lower())
    return (found[-1].term, found[-1].phrase) if found else (None, "")


def _parse_hair_and_eyes(text: str, result: ParseResult) -> None:
    for match in _before_word(text, r"(?:hair|haired)"):
        lead = match.group(1)
        if colour := _nearest(hair_colours(), lead)[0]:
            result.take("hair_colour", colour, match.span(), text)
        if length := _nearest(hair_lengths(), lead)[0]:
            result.take("hair_length", length, match.span(), text)
    for match in re.finditer(
        r"\bhair\s+(?:was\s+|is\s+)?([\w\s-]{3,20}?)(?=[,;.]|$)", text, re.IGNORECASE
    ):
        if colour := hair_colours().canonical(match.group(1)):  # "hair black"
            result.take("hair_colour", colour, match.span(), text)
    strong = (
        r"\b(blonde|blond|ginger|auburn|bald|balding|brunette|redhead|skinhead|shaved head"
        r"|shaven head)\b"
    )
    if said := re.search(strong, text, re.IGNORECASE):
        if colour := hair_colours().canonical(said.group(1)):
            result.take("hair_colour", colour, said.span(), text)
        if length := hair_lengths().canonical(said.group(1)):
            result.take("hair_length", length, said.span(), text)
    for match in re.finditer(
        r"\b(ponytail|pony tail|dreadlocks|dreads|crew cut|buzz cut)\b", text, re.IGNORECASE
    ):
        if length := hair_lengths().canonical(match.group(1)):
            result.take("hair_length", length, match.span(), text)
    for match in _before_word(text, r"(?:eyes|eyed)", 2):  # "a black eye" is an injury
        if colour := _nearest(eye_colours(), match.group(1))[0]:
            result.take("eye_colour", colour, match.span(), text)
    for match in re.finditer(
        r"\beyes\s+(?:were\s+|are\s+)?([\w\s-]{3,15}?)(?=[,;.]|$)", text, re.IGNORECASE
    ):
        if colour := eye_colours().canonical(match.group(1)):
            result.take("eye_colour", colour, match.span(), text)
    for match in re.finditer(
        r"\b(clean[\s-]shaven|beard|bearded|stubble|stubbly|unshaven|moustache|mustache|tache|goatee)\b",
        text,
        re.IGNORECASE,
    ):
        if style := facial_hair().canonical(match.group(1)):
            result.take("facial_hair", style, match.span(), text)


def _parse_build(text: str, result: ParseResult) -> None:
    for match in builds().index.find(text.lower()):
        after = text[match.end : match.end + 20].lower()
        if re.match(
            r"\s*(?:tattoo|scar|mark|dog|van|car|knife|bag|jacket|coat|hoodie|earring|height"
            r"|daylight|beard|moustache|nose|ears?|hands?|feet|eyes|man|men|house|group)",
            after,
        ):
            continue  # "small tattoo", "big beard", "average height", "broad daylight"
        if builds().canonical(match.phrase):
            result.take("build", match.term, (match.start, match.end), text)
            return


def _parse_ethnicity(text: str, result: ParseResult) -> None:
    if match := re.search(r"\bIC\s?([0-69])\b", text, re.IGNORECASE):
        result.take("ethnic_appearance", f"IC{match.group(1)}", match.span(), text)
        return
    people = (
        r"(?:man|men|male|woman|female|guy|bloke|lad|lady|youth|person|skin|skinned|looking"
        r"|appearance|complexion|fella)"
    )
    # Offsets in the lower-cased text are offsets in the text: lower() keeps lengths here.
    for phrase in ethnic_appearance().index.find(text.lower()):
        after = text[phrase.end : phrase.end + 25].lower()
        before = _clause_before(text, phrase.start).strip()
        # "black male", "white british man"; or the word alone at the head of the
        # description ("White, about 30"), not "jacket was white, jeans blue".
        if re.match(rf"[\s-]*(?:\w+[\s-]+)?{people}\b", after) or (
            not before and re.match(r"\s*,", after) and phrase.start < 3
        ):
            result.take("ethnic_appearance", phrase.term, (phrase.start, phrase.end), text)
            return


def _parse_accent(text: str, result: ParseResult) -> None:
    for match in _before_word(text, r"accent", 2):
        if group := accents().canonical(match.group(1)):
            result.take("accent", group, match.span(), text)
            return
    if spoken := re.search(
        r"\b(scouse|scouser|geordie|brummie|cockney|mancunian|glaswegian|welsh|irish|scottish)\b(?!\s+(?:flag|cross))",
        text,
        re.IGNORECASE,
    ):
        result.take("accent", accents().canonical(spoken.group(1)), spoken.span(), text)


def _read_mark(kind: str, body: str, match: re.Match[str]) -> MarkQuery:
    """One mark from the words around its mark word: what it shows and where it is."""
    before = body[: match.start()]
    after = body[match.end() :]
    description_words = re.sub(
        r"^.*\b(?:a|an|the|some|his|her|with|has|had|got)\s+", "", before, flags=re.IGNORECASE
    ).strip()
    if of := re.match(
        r"\s*(?:of|saying|reading|with)\s+(?:a\s+|an\s+|the\s+)?(.+?)(?=\s+"
        + _LOCATION_WORDS
        + r"\b|$)",
        after,
        re.IGNORECASE,
    ):
        description_words = (description_words + " " + of.group(1)).strip()
    location = None
    if where := re.search(
        rf"\b{_LOCATION_WORDS}\s+(?:his|her|their|the|a)?\s*(.+)$", after, re.IGNORECASE
    ):
        location = where.group(1).strip()
    elif kind == "piercing" and (part := re.search(r"pierced\s+(\w+)", body, re.IGNORECASE)):
        location = part.group(1)
    elif body_map().locate(before).region is not None and kind != "tattoo":
        location = before.strip()
    description = description_words or None
    if description and location is None and body_map().locate(description).region:
        location, description = description, None
    return MarkQuery(type=kind, location=location, description=description)


def _parse_marks(text: str, result: ParseResult) -> None:
    """Marks, one per mark word; a clause holding several ("scar on left cheek and a tattoo
    on neck") is cut at "and"/"with" so that each keeps its own place, and a part naming
    only a place ("tattoos on his neck and arms") repeats the mark before it."""
    kinds = "|".join(sorted((re.escape(k) for k in MARK_WORDS), key=len, reverse=True))
    marks: list[MarkQuery] = []
    for clause in re.finditer(r"[^,;.]+", text):
        previous: MarkQuery | None = None
        for part in re.split(r"\b(?:and|with|plus|also)\b", clause.group(0)):
            if not part.strip():
                continue
            match = re.search(rf"\b({kinds})\b", part, re.IGNORECASE)
            if match:
                previous = _read_mark(MARK_WORDS[match.group(1).lower()], part, match)
            elif previous is not None and body_map().locate(part).region is not None:
                place = re.sub(r"^\s*(?:on\s+)?(?:(?:his|her|their|the|a|both)\s+)?", "", part)
                place = place.strip()
                previous = previous.model_copy(update={"location": place})
            else:
                continue
            marks.append(previous)
            shown = ", ".join(f"{k}={v}" for k, v in previous.model_dump(exclude_none=True).items())
            result.understood.append(f'mark: {shown} (from "{part.strip()}")')
            result.used.append((clause.start(), clause.end()))
    if marks:
        result.parts["marks"] = marks


def _parse_name(text: str, result: ParseResult) -> None:
    capitalised = r"([A-Z][a-z]*(?:['-][A-Za-z]+)*(?:\s+[A-Z][a-z]*(?:['-][A-Za-z]+)*){0,2})"
    cue = (
        r"(?:called himself|called herself|calls himself|calls herself|called|named|known as"
        r"|goes by|answers to|name (?:is|was)"
        r"|nickname(?:d)?)"
    )
    pattern = rf"{cue}\s+[\"'‘“]?{capitalised}"
    if match := re.search(pattern, text):
        result.take("name", match.group(1), match.span(), text)
        return
    if match := re.search(r"[\"“‘']([A-Z][\w'-]+(?:\s+[A-Z][\w'-]+){0,2})[\"”’']", text):
        result.take("name", match.group(1), match.span(), text)


def _parse_area(text: str, result: ParseResult) -> None:
    if match := re.search(r"\b(?!IC\d\b)([A-Z]{1,2}\d[A-Z\d]?)(?:\s+\d[A-Z]{2})?\b", text):
        result.take("area", match.group(1), match.span(), text)
        return
    place = r"((?:[A-Z][a-z]+)(?:[\s-](?:upon|on|under|le|[A-Z][a-z]+)){0,3})"
    for match in re.finditer(rf"\b(?:in|near|around|outside|at|from)\s+(?:the\s+)?{place}", text):
        if match.group(1).lower() not in {"he", "she", "his", "her"}:
            result.take("area", match.group(1), match.span(), text)
            return


def _parse_modus_operandi(text: str, result: ParseResult) -> None:
    mo_words = set(_words()["mo_words"])
    clauses = [c for c in re.split(r"[,;.]|\band\b|\bthen\b", text) if c.strip()]
    chosen = [c.strip() for c in clauses if mo_words & set(re.findall(r"[a-z]+", c.lower()))]
    if chosen:
        mo = ", ".join(chosen)
        result.parts["modus_operandi"] = mo
        result.understood.append(f'modus_operandi: "{mo}"')
        for clause in chosen:
            start = text.find(clause)
            result.used.append((start, start + len(clause)))


def _leftovers(text: str, result: ParseResult) -> list[str]:
    covered = [False] * len(text)
    for start, end in result.used:
        for i in range(max(0, start), min(len(text), end)):
            covered[i] = True
    stop = set(_words()["stopwords"])
    pieces = re.split(
        r"[,;.]", "".join(" " if c else ch for ch, c in zip(text, covered, strict=True))
    )
    left = []
    for piece in pieces:
        words = [w for w in re.findall(r"[\w'-]+", piece) if w.lower() not in stop]
        if words:
            left.append(" ".join(words))
    return left


def parse_text(text: str) -> ParseResult:
    """Read a free description into query parts, saying what was and was not understood."""
    result = ParseResult()
    _parse_sex(text, result)
    _parse_age(text, result)
    _parse_marks(text, result)
    _parse_height(text, result, result.parts.get("sex"))
    _parse_hair_and_eyes(text, result)
    _parse_build(text, result)
    _parse_ethnicity(text, result)
    _parse_accent(text, result)
    _parse_name(text, result)
    _parse_area(text, result)
    _parse_modus_operandi(text, result)
    result.not_understood = _leftovers(text, result)
    if "modus_operandi" not in result.parts and result.not_understood:
        # What nothing else could read may still be what the person did: match it as
        # text against recorded MOs (soft evidence), and say so.
        rest = ", ".join(result.not_understood)
        if len(rest.split()) >= 2:
            result.parts["modus_operandi"] = rest
            result.understood.append(f'modus_operandi: "{rest}" (words not otherwise read)')
    return result


def merge_parsed(query: DescriptionQuery) -> tuple[DescriptionQuery, list[str], list[str]]:
    """The query with its text parsed in; parts given explicitly win over parsed ones."""
    if not query.text:
        return query, [], []
    parsed = parse_text(query.text)
    given = {k for k in query.model_fields_set if getattr(query, k) not in (None, [])}
    update = {k: v for k, v in parsed.parts.items() if k not in given}
    return query.model_copy(update=update), parsed.understood, parsed.not_understood
