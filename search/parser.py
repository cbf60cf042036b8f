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


def _victim_before(text: str, start: int) -> bool:
    before = re.findall(r"[a-z]+", text[max(0, start - 30) : start].lower())[-3:]
    return any(word in _words()["victim_nouns"] for word in before)


def _parse_sex(text: str, result: ParseResult) -> None:
    nouns = _words()["person_nouns"]
    for sex, words in nouns.items():
        pattern = rf"\b({'|'.join(words)})\b"
        if match := re.search(pattern, text, re.IGNORECASE):
            result.take("sex", sex, match.span(), text)
            return
    pronouns = {"M": r"\b(he|him|his|himself)\b", "F": r"\b(she|hers|herself)\b"}
    found = {sex: re.search(p, text, re.IGNORECASE) for sex, p in pronouns.items()}
    if found["M"] and not found["F"]:
        result.take("sex", "M", found["M"].span(), text)
    elif found["F"] and not found["M"]:
        result.take("sex", "F", found["F"].span(), text)


def _parse_age(text: str, result: ParseResult) -> None:
    decades = _words()["decades"]
    number = r"(\d{1,2})"
    patterns: list[tuple[str, Any]] = [
        (
            rf"\b(early|mid|late)[\s-]*(?:{number}0s|({'|'.join(decades)}))",
            lambda m: _decade_part(
                m.group(1), int(m.group(2)) * 10 if m.group(2) else decades[m.group(3)]
            ),
        ),
        (
            rf"\b(?:in\s+(?:his|her|their)\s+)?{number}0s\b",
            lambda m: (int(m.group(1)) * 10, int(m.group(1)) * 10 + 9),
        ),
        (
            rf"\bin\s+(?:his|her|their)\s+({'|'.join(decades)})\b",
            lambda m: (max(13, decades[m.group(1)]), decades[m.group(1)] + 9),
        ),
        (
            rf"\b{number}\s*(?:-|to|–|or)\s*{number}\s*(?:years?\s*old|yrs?|y/?o)?\b",
            lambda m: (
                (int(m.group(1)), int(m.group(2))) if int(m.group(1)) < int(m.group(2)) else None
            ),
        ),
        (
            rf"\b(?:about|around|roughly|approximately|approx|maybe|circa|aged\s+about|age\s+about|c\.)\s*{number}\b",
            lambda m: (int(m.group(1)) - 3, int(m.group(1)) + 3),
        ),
        (rf"\b{number}\s*-?\s*ish\b", lambda m: (int(m.group(1)) - 3, int(m.group(1)) + 3)),
        (
            rf"\b(?:aged|age)\s+{number}\b|\b{number}\s*(?:years?\s*old|yrs?\s*old|y/?o)\b",
            lambda m: (int(m.group(1) or m.group(2)) - 2, int(m.group(1) or m.group(2)) + 2),
        ),
    ]
    found: list[tuple[int, tuple[int, int], tuple[int, int]]] = []
    for pattern, reading in patterns:
        for match in re.finditer(pattern, text, re.IGNORECASE):
            if _victim_before(text, match.start()) or _in_mo_clause(text, match.start()):
                continue
            bounds = reading(match)
            if bounds and 0 <= bounds[0] <= bounds[1] <= 120 and bounds[1] >= 10:
                found.append((match.start(), (max(0, bounds[0]), bounds[1]), match.span()))
    for phrase, (low, high) in _words()["age_words"].items():
        if said := re.search(rf"\b{re.escape(phrase)}\b", text, re.IGNORECASE):
            found.append((said.start(), (low, high), said.span()))
    if found:
        # The first age said is the person's; later numbers are more often the victims'.
        _start, (low, high), span = min(found, key=lambda f: f[0])
        result.take("age", Range(min=low, max=high), span, text)


def _in_mo_clause(text: str, position: int) -> bool:
    """Whether the clause around `position` tells what the person did: numbers there
    ("lured children 12-15") are about the victims, not the person."""
    start = max(text.rfind(",", 0, position), text.rfind(";", 0, position)) + 1
    ends = [i for i in (text.find(",", position), text.find(";", position)) if i != -1]
    clause = text[start : min(ends) if ends else len(text)].lower()
    return bool(set(_words()["mo_words"]) & set(re.findall(r"[a-z]+", clause)))


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
        rf"\b{n}\s*(?:ft|foot|feet|')\s*(?:and\s*)?{n}\s*(?:in|inch|inches|\"|'')?",
        rf"\b{n}\s*(?:ft|foot|feet|')(?!\s*(?:\d|one|two|three|four|five|six|seven|eight|nine|ten|eleven))",
    ]
    for pattern in feet_inches:
        for match in re.finditer(pattern, text, re.IGNORECASE):
            feet = _number(match.group(1))
            inches = _number(match.group(2)) if match.lastindex and match.lastindex >= 2 else 0
            if feet is None or inches is None or not 3 <= feet <= 7 or inches > 11:
                continue
            cm = round((feet * 12 + inches) * 2.54)
            result.take("height_cm", Range(min=cm - 3, max=cm + 3), match.span(), text)
            return
    for match in re.finditer(
        r"\b(1[.,]\d{1,2})\s*(?:m|metres?|meters?)\b|\b(1\d{2}|2[0-4]\d)\s*cm\b",
        text,
        re.IGNORECASE,
    ):
        cm = (
            round(float(match.group(1).replace(",", ".")) * 100)
            if match.group(1)
            else int(match.group(2))
        )
        if 120 <= cm <= 230:
            result.take("height_cm", Range(min=cm - 3, max=cm + 3), match.span(), text)
            return
    candidates = []
    for phrase, ranges in _words()["height_words"].items():
        for match in re.finditer(rf"\b{re.escape(phrase)}\b", text, re.IGNORECASE):
            after = text[match.end() : match.end() + 25].lower()
            if re.match(
                r"[\s-]*(?:\w+\s+)?(?:hair|cropped|beard|dread|back|ponytail|sleeve)", after
            ):
                continue  # "short hair" is not a height
            candidates.append((match.start(), -len(phrase), match, ranges))
    if candidates:
        # The first said wins; of phrases starting together, the longer ("very tall").
        _start, _length, match, ranges = min(candidates, key=lambda c: (c[0], c[1]))
        low, high = ranges.get(sex or "M", ranges["M"])
        result.take("height_cm", Range(min=low, max=high), match.span(), text)


def _before_word(text: str, noun: str, words: int = 3) -> list[re.Match[str]]:
    # Within one clause: "5ft 9, dark hair" says nothing of hair in "5ft 9".
    return list(re.finditer(rf"((?:[\w'-]+\s+){{0,{words}}}){noun}\b", text, re.IGNORECASE))


def _parse_hair_and_eyes(text: str, result: ParseResult) -> None:
    for match in _before_word(text, r"(?:hair|haired)"):
        lead = match.group(1)
        if colour := hair_colours().canonical(lead):
            result.take("hair_colour", colour, match.span(), text)
        if length := hair_lengths().canonical(lead):
            result.take("hair_length", length, match.span(), text)
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
    for match in _before_word(text, r"eyes?", 2):
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
            r"\s*(?:tattoo|scar|mark|dog|van|car|knife|bag|jacket|coat|hoodie|earring)", after
        ):
            continue
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
        if re.match(rf"[\s,-]*(?:\w+[\s,-]+)?{people}\b", after) or re.match(r"\s*,", after):
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


def _parse_marks(text: str, result: ParseResult) -> None:
    kinds = "|".join(sorted((re.escape(k) for k in MARK_WORDS), key=len, reverse=True))
    marks: list[MarkQuery] = []
    clauses = list(re.finditer(r"[^,;.]+", text))
    for clause in clauses:
        body = clause.group(0)
        for match in re.finditer(rf"\b({kinds})\b", body, re.IGNORECASE):
            kind = MARK_WORDS[match.group(1).lower()]
            before = body[: match.start()]
            after = body[match.end() :]
            description_words = re.sub(
                r"^.*\b(?:a|an|the|some|his|her|with|has|had|got)\s+",
                "",
                before,
                flags=re.IGNORECASE,
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
                rf"\b{_LOCATION_WORDS}\s+(?:his|her|their|the|a)?\s*(.+)$",
                after,
                re.IGNORECASE,
            ):
                location = where.group(1).strip()
            elif kind == "piercing" and (
                part := re.search(r"pierced\s+(\w+)", body, re.IGNORECASE)
            ):
                location = part.group(1)
            elif body_map().locate(before).region is not None and kind != "tattoo":
                location = before.strip()
            description = description_words or None
            if description and location is None and body_map().locate(description).region:
                location, description = description, None
            marks.append(MarkQuery(type=kind, location=location, description=description))
            span = (clause.start(), clause.end())
            result.used.append(span)
            shown = ", ".join(
                f"{k}={v}" for k, v in marks[-1].model_dump(exclude_none=True).items()
            )
            result.understood.append(f'mark: {shown} (from "{body.strip()}")')
            break
    if marks:
        result.parts["marks"] = marks


def _parse_name(text: str, result: ParseResult) -> None:
    capitalised = r"([A-Z][\w'-]+(?:\s+[A-Z][\w'-]+){0,2})"
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
    if match := re.search(r"\b([A-Z]{1,2}\d[A-Z\d]?)(?:\s+\d[A-Z]{2})?\b", text):
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
