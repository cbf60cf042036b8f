"""Age: which of the ages a description says is the person's.

Every age phrase (`age_phrases`) is a candidate unless it is about someone else
(`mentions.about_someone_else`: a victim, the witness, a relative, an age the person only
claimed, an answer to "how old are you?"). Of the rest, the first said about the person
wins, judged in this order:

1. an age said of the person described: of a noun naming them ("a man in his 40s", "W/M
   40s"), or after the words that open their description ("Suspect:", "He is described
   as");
2. an age said beside other readings of the body ("Thin. Short. Brown hair over his ears.
   Forties.");
3. any other age.

A number or decade beats an age word ("a young man, about 25"). A child's age (under 16)
is read only where it is said of the person described: in a witness's account it is far
more often the victim's, or the witness's own ("he's twelve", said of a son).
"""

import re

from search.parse.age_phrases import PATTERNS, PLAIN_AGE, PLAIN_PAIR, plain_pair_bounds
from search.parse.context import clause_after, description_start, sentence_bounds, words
from search.parse.mentions import about_someone_else, number_owner, role_of
from search.parse.numbers import number_value
from search.parse.text import Reading
from search.query import Range

# (tier, kind, start, -length, bounds, span): the smallest wins. Tiers: 0 said of the person
# described, 1 said among readings of the body, 2 anywhere else.
_Candidate = tuple[int, int, int, int, tuple[int, int], tuple[int, int]]
_NEAR = 40  # characters: a reading of the body this close says the description goes on


def _names_other_sex(text: str, end: int, sex: str | None) -> bool:
    if sex not in ("M", "F"):
        return False
    other = words()["person_nouns"]["F" if sex == "M" else "M"]
    after = re.findall(r"[a-z]+", clause_after(text, end))[:3]
    return any(word in other or word + "s" in other for word in after) or (
        sex == "M" and bool({"women", "girls", "ladies"} & set(after))
    )


def _body_spans(reading: Reading) -> list[tuple[int, int]]:
    """Where other readings of the body were found: not the name, the area or what was set
    aside."""
    skip = {reading.spans.get("name"), reading.spans.get("area"), *reading.aside}
    return [span for span in reading.used if span not in skip]


def _in_description(reading: Reading, start: int, end: int, opening: int | None) -> int | None:
    """0 where the age is said of the person described or after the description's opening
    words, 1 where it is said among other readings of the body, None where neither."""
    text = reading.work
    if opening is not None and start >= opening:
        return 0
    sex = reading.spans.get("sex")
    if sex and sentence_bounds(text, sex[0]) == sentence_bounds(text, start):
        return 0  # "The girl who threw the brick is white, aged 13 to 14"
    owner = number_owner(text, start, end)
    if owner is not None and role_of(text, *owner) == "described":
        return 0
    sentence = sentence_bounds(text, start)
    for s, e in _body_spans(reading):
        if sentence[0] <= s < sentence[1] or abs(s - end) <= _NEAR or abs(start - e) <= _NEAR:
            return 1
    return None


def _part_of_a_height(reading: Reading, at: int) -> bool:
    """ "1.80" is a height, not an age of 80; nor is "5'10"'s 10 an age."""
    height = reading.spans.get("height_cm")
    decimal = re.search(r"\d[.,]$", reading.work[max(0, at - 2) : at])
    return bool(decimal) or (height is not None and height[0] <= at < height[1])


def _candidate(
    reading: Reading, kind: int, bounds: tuple[int, int], span: tuple[int, int], at: int
) -> _Candidate | None:
    """A reading at text[span] (`at` where its number is), or None where it is no age of
    the person's."""
    text = reading.work
    low, high = bounds
    if not (high >= 10 and low <= high <= 110) or (high - low > 4 and low < 10):
        return None  # "5-10, 170 pounds" is a height and a weight
    if about_someone_else(text, at, span[1]) or _part_of_a_height(reading, at):
        return None
    if _names_other_sex(text, span[1], reading.parts.get("sex")):
        return None  # "a 24-year-old woman" when the person is a man
    described = _in_description(reading, at, span[1], description_start(text))
    if high < 16 and described != 0:
        return None
    tier = 2 if described is None else described
    # An age word counts a tier lower: "Young man, tall, ... maybe twenty-five" is 22-28.
    return (min(tier + kind, 2), kind, span[0], span[0] - span[1], bounds, span)


def _candidates(reading: Reading) -> list[_Candidate]:
    text = reading.work
    found: list[_Candidate | None] = []
    for pattern, bounds_of in PATTERNS:
        for match in re.finditer(pattern, text, re.IGNORECASE):
            if not match.group(0).strip() or (bounds := bounds_of(match)) is None:
                continue
            at = match.start(1) if match.group(1) else match.start()
            found.append(_candidate(reading, 0, bounds, match.span(), at))
    # An item of a list, or an answer, that is only an age ("Male, white, 45", "Sixty?",
    # "Thirty, forty.").
    for sentence in re.finditer(r"[^.;!?\n]+[?]?", text):
        said = re.sub(
            r"^\s*(?:[A-Za-z ]{1,14}:)?", lambda m: " " * len(m.group(0)), sentence.group(0)
        )
        if (pair := PLAIN_PAIR.match(said)) and (bounds := plain_pair_bounds(pair)):
            span = (sentence.start() + pair.start(1), sentence.start() + pair.end())
            found.append(_candidate(reading, 0, bounds, span, span[0]))
        position = sentence.start()
        for item in re.split(r"(,|\s-\s)", said):
            plain = PLAIN_AGE.match(item)
            value = number_value(plain.group(1)) if plain else None
            if plain and value is not None and 14 <= value <= 90:
                spread = 3 if plain.group(2) or plain.end(1) < len(item.rstrip()) else 2
                span = (position + plain.start(1), position + plain.end(1))
                found.append(
                    _candidate(reading, 0, (value - spread, value + spread), span, span[0])
                )
            position += len(item)
    for phrase, (low, high) in words()["age_words"].items():
        for word in re.finditer(rf"\b{re.escape(phrase)}\b", text, re.IGNORECASE):
            if re.match(r"[\s-]+(?:\w+\s+)?(?:hair|grey|gray|white)\b", text[word.end() :], re.I):
                continue  # "old man grey hair" colours the hair
            if re.match(
                r"[\s-]+(?:face|faced|looking face)\b", text[word.end() :], re.I
            ) or re.search(
                r"\bface\s+(?:looked|looks|was|is)\s+$",
                text[max(0, word.start() - 20) : word.start()],
                re.I,
            ):
                continue  # "a young face", "his face looked young": a look, not an age
            noun = re.search(r"\b\w+$", phrase)
            if (
                noun
                and noun.group(0) in _PERSON_WORDS
                and role_of(text, word.end() - len(noun.group(0)), word.end()) == "other"
            ):
                continue  # "young man punched", "talks like his grandad"
            found.append(_candidate(reading, 1, (low, high), word.span(), word.start()))
    return [f for f in found if f is not None]


_PERSON_WORDS = frozenset(words()["age_nouns"])


def read_age(reading: Reading) -> None:
    found = _candidates(reading)
    if not found:
        return
    _tier, _kind, _start, _length, (low, high), span = min(found)
    low = max(0, low)
    reading.take("age", Range(min=low, max=high), span, f"age {low}-{high}")
