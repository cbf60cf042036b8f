"""Sex: from the nouns and pronouns that name the person described, not the victim.

A circulation's code ("IC1 M", "W/M", "Sex: F") says it outright. Otherwise each person word
is judged by `mentions.role_of`: in "she was approached by a man" the man is the one
described and "she" someone else. The first word naming the person described wins; failing
that, the first noun that names no one else; failing that, the pronouns, when they all
point one way or clearly most do. "Boy" and "girl" count only where they name the person
described ("the girl who threw the brick is white"), since they more often name a victim.
"""

import re

from search.parse.context import clause_bounds, words
from search.parse.mentions import people_pattern, role_of
from search.parse.text import Reading

_SHOWN = {"M": "a man", "F": "a woman"}
# Circulation shorthand: "IC1 M", "M IC3", "M, 30s", "Sex: F" (W/M is spelled out before this).
_CODED = re.compile(
    r"\bIC\s?\d\s*(M|F)\b|(?:^|[\s:(;])(M|F)\s*[,/]?\s*(?=IC\s?\d|\d{2}(?:s|\b))"
    r"|\b(?i:sex)\s*[:\-]?\s*(M|F)\b(?!\s*/\s*[MF]\b)"
)
_WORDED = re.compile(r"\bsex\s*[:\-]?\s*(male|female)\b", re.IGNORECASE)
# Counted when nothing else says: "her" is left out, as it is a victim's as often as not.
_PRONOUNS = {
    "M": re.compile(r"\b(?:he|he's|hes|he'd|his|him|himself)\b", re.IGNORECASE),
    "F": re.compile(r"\b(?:she|she's|she'd|herself)\b", re.IGNORECASE),
}
# A pronoun that is the subject of what describes a body: "He had short hair", "she's white".
_SUBJECT = {
    "M": r"\b(?:he's|he|hes|his|him)\b",
    "F": r"\b(?:she's|she|her)\b",
    "": r"\b(?:they|they're|their|them)\b",  # "in their 40s": the sex is not said
}


# "a man or a woman", "couldn't tell if it was male or female": the sex is not said, and the
# words are the witness's doubt, no MO ("a man or a woman tried the car doors").
_EITHER_SEX = re.compile(
    r"(?:\b(?:i\s+)?(?:couldn't|could\s+not|can't|cannot|didn't|did\s+not|don't|do\s+not)\s+"
    r"(?:tell|see|say|know)|\bnot\s+sure|\bunsure)?\s*(?:\b(?:if|whether)\s+)?"
    r"(?:\b(?:it\s+was|they\s+were|it's|(?:it\s+)?(?:could|might|may)\s+(?:have\s+been|be))\s+)?\b(?:either\s+)?(?:(?:a|an)\s+)?"
    r"(?:(?:man|male|bloke|guy|lad|boy)\s+or\s+(?:a\s+)?(?:woman|female|lady|girl)"
    r"|(?:woman|female|lady|girl)\s+or\s+(?:a\s+)?(?:man|male|bloke|guy|lad|boy))\b",
    re.IGNORECASE,
)


def read_sex(reading: Reading) -> None:
    text = reading.work
    for either in _EITHER_SEX.finditer(text):
        span = (either.start() + len(either[0]) - len(either[0].lstrip()), either.end())
        reading.used.append(span)
        reading.understood.append(f'sex: not said (from "{reading.text.quote(span)}")')
    if coded := _CODED.search(text):
        group = next(i for i in (1, 2, 3) if coded.group(i))
        sex = coded.group(group)
        reading.take("sex", sex, coded.span(group), f"sex: {_SHOWN[sex]}")
        return
    if worded := _WORDED.search(text):
        sex = "M" if worded.group(1).lower() == "male" else "F"
        reading.take("sex", sex, worded.span(1), f"sex: {_SHOWN[sex]}")
        return
    described, unknown = _judged_nouns(text)
    pronoun = _described_pronoun(text)
    if described or pronoun:
        _start, sex, span = min([*described, *([pronoun] if pronoun else [])])
        if sex:
            reading.take("sex", sex, span, f"sex: {_SHOWN[sex]}")
        return
    if reading.parts.get("facial_hair") not in (None, "none"):
        reading.take("sex", "M", reading.spans["facial_hair"], "sex: a man (from the beard)")
        return
    if unknown:
        _start, sex, span = min(unknown)
        reading.take("sex", sex, span, f"sex: {_SHOWN[sex]}")
        return
    # Appeal boilerplate ("do not approach him") still says whom it is about.
    said = {sex: list(p.finditer(reading.text.work)) for sex, p in _PRONOUNS.items()}
    counts = {sex: len(found) for sex, found in said.items()}
    most, least = max(counts.values()), min(counts.values())
    if most and (not least or most >= 2 * least + 2):
        sex = "M" if counts["M"] > counts["F"] else "F"
        reading.take("sex", sex, said[sex][0].span(), f"sex: {_SHOWN[sex]} (from pronouns)")


_Found = list[tuple[int, str, tuple[int, int]]]


def _judged_nouns(text: str) -> tuple[_Found, _Found]:
    """Person nouns naming the person described, and those naming no one in particular."""
    described: _Found = []
    unknown: _Found = []
    others: set[str] = set()  # nouns once naming someone else: "the woman" later is her too
    vocabulary = words()
    nouns = [(sex, n, False) for sex, ns in vocabulary["person_nouns"].items() for n in ns]
    nouns += [(sex, n, True) for sex, ns in vocabulary["young_nouns"].items() for n in ns]
    found = []
    for sex, noun, young in nouns:
        for match in re.finditer(rf"\b{re.escape(noun)}\b", text, re.IGNORECASE):
            found.append((match.start(), sex, match.span(), young, noun.lower()))
    # "A Mr Hughes is believed to...": a title names whoever the words after the name are about.
    for title in re.finditer(r"\b(Mr|Mrs|Ms|Miss)\.?\s+([A-Z][\w'-]+)(?:\s+[A-Z][\w'-]+)?", text):
        if title.group(2).lower() in vocabulary["stopwords"] + ["he", "she", "the"]:
            continue  # "told Miss. He was white"
        sex = "M" if title.group(1) == "Mr" else "F"
        found.append((title.start(), sex, title.span(), True, title.group(1).lower()))
    for start, sex, span, young, noun in sorted(found):
        role = role_of(text, *span)
        if young and role == "described" and re.match(r"\s*,\s*\d{1,2}\s*,", text[span[1] :]):
            role = "other"  # "Girl, 15, met a man...": a circulation's victim
        if young and role == "described" and _done_to(text, start):
            role = "other"  # "handing a girl of about thirteen fags": the girl is done to
        definite = re.search(
            r"\b(?:the|that|this)\s+(?:\w+\s+)?$", text[max(0, start - 20) : start], re.I
        )
        if role == "other":
            others.add(noun)
        elif role == "described":
            described.append((start, sex, span))
        elif noun in others and definite:
            continue  # "an 83-year-old woman was threatened... The woman was walking home"
        elif not young and not noun.endswith(("men", "males", "females", "ladies")):
            unknown.append((start, sex, span))
    return described, unknown


# What comes just before a boy or girl who is done to: "handing a girl", "the homes of a
# girl", "exposed himself to two girls", "followed a young boy".
_DONE_TO = re.compile(
    r"\b(?:\w+ing|\w+ed|to|of|at|with|for|towards|on|from|by|gave|gives|give|told|tells"
    r"|showed|shows|offers?|asks?|took|takes|follows|grabs|touches|met|meets|got)\s+"
    r"(?:(?:a|an|the|two|three|some|young|little|teenage)\s+)*$",
    re.IGNORECASE,
)


def _done_to(text: str, start: int) -> bool:
    return bool(_DONE_TO.search(text[max(0, start - 40) : start]))


def _described_pronoun(text: str) -> tuple[int, str, tuple[int, int]] | None:
    found = []
    for sex, pattern in _SUBJECT.items():
        for match in re.finditer(pattern, text, re.IGNORECASE):
            # "a woman in her 70s", "her brother Callum (he's 19)": the noun says whose
            if _owned_by_noun(text, match.start()) or text[: match.start()].rstrip().endswith("("):
                continue
            role = role_of(text, *match.span())
            hair_to = _HAIR_TO.search(text[max(0, match.start() - 9) : match.start()]) and re.match(
                r"\s+(?:shoulders|collar|ears|neck|chin)\b", text[match.end() :]
            )  # "hair down to his shoulders"
            if role == "described" or (
                role == "unknown"
                and (_POSSESSED.match(text, match.end()) or _marked(text, match.start()) or hair_to)
            ):
                found.append((match.start(), sex, match.span()))
    return min(found) if found else None


_POSSESSED = re.compile(
    r"\s+(?:\w+\s+)?(?:hair|eyes|beard|moustache|accent|build|name)\b",
    re.IGNORECASE,
)
_HAIR_TO = re.compile(r"(?:down\s+to|to|over|past)\s+$", re.IGNORECASE)


def _marked(text: str, start: int) -> bool:
    """'a tattoo of a rose on her ankle': whose body a mark is on (not where the mark is
    someone else's: "The injured woman has a rose tattoo on her wrist")."""
    clause_start, _ = clause_bounds(text, start)
    if not re.search(
        r"\b(?:tattoo|tattoos|tattooed|scar|scars|birthmark|piercing|pierced|mole)\b.*"
        r"\b(?:on|across|above|below|under|behind|over|down)\s+$",
        text[clause_start:start],
        re.IGNORECASE,
    ):
        return False
    nouns = list(people_pattern().finditer(text, clause_start, start))
    return not nouns or role_of(text, *nouns[-1].span()) != "other"


def _owned_by_noun(text: str, start: int) -> bool:
    clause_start, _ = clause_bounds(text, start)
    if not re.search(r"\bin\s+$", text[max(0, start - 4) : start], re.IGNORECASE):
        return False
    nouns = "|".join(n for ns in words()["person_nouns"].values() for n in ns)
    return bool(re.search(rf"\b(?:{nouns})\b", text[clause_start:start], re.IGNORECASE))
