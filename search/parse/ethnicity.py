"""Ethnic appearance, read into the identity codes of `traits.json`.

A colour word says something about the person only beside what it colours: "black male",
"of Asian appearance" and "described as white," are appearance; "black jacket", "white
van", "hair: black", "his hair was black" and "dark, black or navy" (a car's colours) are
not. Words said together are one appearance, named by the last ("a light-skinned Asian
man" is IC4, "black Caribbean" IC3). Where the witness names two ("white or a light-skinned
black man") or one that no code fits ("mixed race", "First Nations"), nothing is read.
"""

import re

from search.parse.context import clause_after, clause_before, clause_bounds, sentence_bounds, words
from search.parse.mentions import about_someone_else
from search.parse.text import Reading
from search.vocabulary import PhraseMatch, ethnic_appearance

_PEOPLE = (
    r"(?:man|men|male|males|woman|female|guy|bloke|lad|lady|youth|person|skin|skinned"
    r"|looking|appearance|complexion|fella|fellah|gent|geezer|suspect|offender|boy|girl"
    r"|teenager|kid|origin|descent|heritage|features|chap|individual|fellow|feller|lass|dude)"
)
# Race codes of North American circulations ("Race: W").
_RACE = re.compile(r"\brace\s*[:\-]\s*(W|B|A|H)\b", re.IGNORECASE)
_RACE_CODES = {"W": "IC1", "B": "IC3", "A": "IC4", "H": "IC2"}
# Appearances no single code fits: the witness's words are kept, no code is read.
_NO_CODE = re.compile(
    r"\b(?:mixed(?:[\s-]+race)?|dual heritage|bi-?racial|first nations|aboriginal|indigenous"
    r"|pacific islander|maori|dark[\s-]skinned|medium complexion)\b",
    re.IGNORECASE,
)
_NOT_APPEARANCE_AFTER = re.compile(
    r"[\s-]*(?:\w+[\s-]+)?(?:jacket|coat|hoodie|hoody|top|shirt|t-shirt|tshirt|jeans|trousers"
    r"|trainers|shoes|boots|cap|hat|beanie|van|car|bmw|audi|ford|vauxhall|mercedes|transit"
    r"|bag|backpack|dog|hair|beard|moustache|goatee|stubble|eyes?|gloves|mask|scarf|tracksuit"
    r"|bike|bicycle|motorbike|scooter|vehicle|paint|door|house|fence|flag|cross|tattoo|lettering"
    r"|writing|shorts|skirt|dress|jumper|fleece|gilet|puffer|helmet|balaclava|trackies|ponytail"
    r"|dreadlocks|dreads|braids|plaits|curls|fade|bun|afro|cat|panther|rose|star|dragon)\b",
    re.IGNORECASE,
)
# Colours of things, not of people: beside one, "black" is a colour too ("dark, black or navy").
_THING_COLOURS = re.compile(
    r"\b(?:navy|blue|red|green|silver|grey|gray|yellow|orange|purple|pink|maroon|beige|cream"
    r"|gold|burgundy|khaki)\b",
    re.IGNORECASE,
)
_TRAIT_BEFORE = re.compile(
    r"\b(?:hair|haired|eyes|beard|moustache|stubble|goatee)\b\s*(?:[:\-]|was|is|were|are|colour)?\s*$",
    re.IGNORECASE,
)
_SPEECH_BEFORE = re.compile(
    r"\b(?:accent|spoke|speaks|sounded|sounds|talked|talks|voice)\b[^.;!?]*$", re.IGNORECASE
)
_HEDGES = frozenset(
    ["i", "think", "maybe", "perhaps", "possibly", "probably", "like", "or", "reckon", "guess"]
)
_VERBS = frozenset(
    ["is", "was", "are", "were", "as", "looked", "looks", "appeared", "seemed", "be", "says"]
)
_FOLLOWERS = frozenset(["and", "with", "but", "or", "who", "in", "of", "aged", "about", "around"])


# Items of a list written with dashes or slashes ("Male - white - 20s", "male/white/30s")
# stand apart as if between commas.
_ITEM_BREAK = re.compile(r"\s+-\s+|\s*/\s*")


def _quotes_blanked(text: str) -> str:
    """Quotation marks as spaces, apostrophes inside words kept: "'white, late 30s" reads
    white. One character for one, so offsets hold."""
    return re.sub(r"(?<![a-z])'|'(?![a-z])", " ", text)


_TWO_CODES = re.compile(r"IC\s?([0-69])\s*(?:/|\bor\b|-)\s*(?:IC\s?)?(?!\1)[0-69]\b", re.IGNORECASE)


def read_ethnicity(reading: Reading) -> None:
    text = reading.work
    if match := re.search(r"\bIC\s?([0-69])\b", text, re.IGNORECASE):
        code = f"IC{match.group(1)}"
        if two := _TWO_CODES.match(text, match.start()):
            # "IC1/IC2", "IC1 or 2": two codes given, neither is read.
            reading.used.append(two.span())
            reading.understood.append(f'ethnic appearance: two codes given, none read ("{two[0]}")')
            return
        reading.take("ethnic_appearance", code, match.span(), f"ethnic appearance: {code}")
        return
    if match := _RACE.search(text):
        code = _RACE_CODES[match.group(1).upper()]
        reading.take("ethnic_appearance", code, match.span(), f"ethnic appearance: {code}")
        return
    lowered = _quotes_blanked(text.lower())  # lower() keeps lengths here, so offsets carry over
    whole = _quotes_blanked(reading.text.work.lower())
    found = ethnic_appearance().index.find(lowered)
    for group in _together(lowered, found):
        phrase = group[-1]  # the last word names the appearance: "light-skinned Asian"
        first = group[0]
        clause_start, _ = clause_bounds(whole, first.start)
        if any(clause_start <= start < first.start for start, _end in reading.aside):
            continue  # "jacket was white": the clause is about a garment
        if about_someone_else(whole, first.start, phrase.end) or _before_victim(whole, phrase):
            continue  # "punched an Asian man", "a white girl of about eight"
        if not _is_appearance(whole, first, phrase):
            continue
        if _uncertain(whole, group, found):
            return  # "white or a light-skinned black man", "light-skinned, mixed maybe?"
        said = " ".join(p.phrase for p in group)
        reading.take(
            "ethnic_appearance",
            phrase.term,
            (first.start, phrase.end),
            f"ethnic appearance: {phrase.term} ({said})",
        )
        return


def _together(text: str, found: list[PhraseMatch]) -> list[list[PhraseMatch]]:
    """Appearance words said together ("light-skinned Asian", "black Caribbean")."""
    groups: list[list[PhraseMatch]] = []
    for phrase in found:
        if groups and re.fullmatch(r"[\s-]*", text[groups[-1][-1].end : phrase.start]):
            groups[-1].append(phrase)
        else:
            groups.append([phrase])
    return groups


def _uncertain(text: str, group: list[PhraseMatch], found: list[PhraseMatch]) -> bool:
    """Whether the witness names two appearances, or one no code fits, for the person."""
    sentence = sentence_bounds(text, group[0].start)
    clause = clause_bounds(text, group[0].start)
    for no_code in _NO_CODE.finditer(text, sentence[0], sentence[1]):
        if no_code.start() < group[0].start or clause[0] <= no_code.start() < clause[1]:
            return True  # "mixed-race lad, or black"; not "Asian lad, ... could've been mixed"
    others = [
        p
        for p in found
        if p not in group and sentence[0] <= p.start < sentence[1] and p.term != group[-1].term
    ]
    return any(
        re.search(r"\bor\b|/", text[min(p.end, group[0].end) : max(p.start, group[0].start)])
        for p in others
    )


def _before_victim(text: str, phrase: PhraseMatch) -> bool:
    _, end = clause_bounds(text, phrase.end)
    following = re.findall(r"[a-z]+", text[phrase.end : min(end, phrase.end + 25)])[:2]
    return any(word in words()["victim_nouns"] for word in following)


def _is_appearance(text: str, first: PhraseMatch, phrase: PhraseMatch) -> bool:
    """`text` is the lower-cased description with nothing set aside, so that "jacket was
    white" still shows its jacket."""
    after = text[phrase.end : phrase.end + 30]
    if _NOT_APPEARANCE_AFTER.match(after):
        return False
    if _TRAIT_BEFORE.search(text[max(0, first.start - 24) : first.start]):
        return False  # "Hair: black", "his hair was black"
    if _SPEECH_BEFORE.search(text[max(0, first.start - 40) : first.start]):
        return False  # "spoke with an accent, possibly Eastern European"
    clause_start = max(text.rfind(c, 0, first.start) for c in ".;!?\n") + 1
    window_start = max(clause_start, first.start - 12)
    for colour in _THING_COLOURS.finditer(text[window_start : phrase.end + 12]):
        if not re.match(
            r"[\s-]*(?:hair|haired|beard|eyes|stubble)", text[window_start + colour.end() :]
        ):
            return False  # "a people carrier, dark, black or navy"; not "white, grey hair"
    if re.match(rf"[\s/-]*(?:[\w-]+[\s/-]+)?{_PEOPLE}\b", after):
        return True  # "black male", "white british man", "asian-looking"
    before = re.findall(r"[a-z][a-z']*", _ITEM_BREAK.split(clause_before(text, first.start))[-1])
    rest = [
        w
        for w in re.findall(r"[a-z][a-z']*", _ITEM_BREAK.split(clause_after(text, phrase.end))[0])
        if w not in _HEDGES and ethnic_appearance().canonical(w) is None
    ]  # "Indian or Pakistani", "Chinese or maybe Korean": one appearance, said twice
    # After the last "is"/"was"/"described as", only lead-ins ("Cox is described as white,",
    # "she says he was black,"); with no verb, the whole clause ("Male, white, 45").
    verbs = [i for i, word in enumerate(before) if word in _VERBS]
    lead = before[verbs[-1] + 1 :] if verbs else before
    alone = not rest or rest[0] in _FOLLOWERS
    return alone and all(word in words()["appearance_lead_ins"] for word in lead)
