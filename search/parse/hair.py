"""Hair colour and length, from the words said about the hair.

Where they are said: in a circulation's field ("Hair: drk brn, short"); before the hair or a
hairstyle ("short dark hair", "a grey buzz cut", "shoulder-length dreadlocks"); after it, in
its clause and in the list items that go on about it ("his hair was light brown down to his
collar", "Grey hair, long, to his shoulders.", "Shaved head, blondish."); of the head
("head's shaved", "no hair at all"). A hairstyle says a length only where no length word
does (a ponytail is long, "shoulder-length dreadlocks" shoulder length), and "shaved head"
says the register's bald only where no colour is said. A colour word said alone ("ginger",
"greying") is the hair's unless the beard was just spoken of ("a big grey beard. Well, dark,
maybe greying"). Hair said of someone else ("a girl with blonde plaits") is not read.
"""

import re
from dataclasses import dataclass

from search.parse.context import sentence_bounds, words
from search.parse.mentions import people_pattern, role_of
from search.parse.text import Reading
from search.vocabulary import facial_hair, hair_colours, hair_lengths

_STYLES = (
    r"ponytail|pony tail|dreadlocks|dreads|locs|braids|cornrows|plaits|plait|twists|curls"
    r"|afro|mohican|mohawk|quiff|fringe|buzz cut|buzzcut|crew cut|man bun|bun|bob|skin fade"
    r"|fade|skinhead|short back and sides|number one|grade one|haircut"
)
_HAIR = rf"(?:hair|haired|hairline|hairstyle|hair style|barnet|{_STYLES})"
# Words and what parts them are disjoint, so that a run of dashes cannot make this slow.
_BEFORE = re.compile(
    rf"(?<![\w'])((?:[\w']+(?:\s*,\s*|\s+|\s*-\s*)){{0,4}}?)({_HAIR})\b", re.IGNORECASE
)
_AFTER = re.compile(r"\b(?:hair|haired|head|barnet)\b(?:'s)?", re.IGNORECASE)
_LABEL = re.compile(r"\bhair\s*[:\-]\s*([^.;:\n]*?)(?=\s+[A-Za-z]+\s*:|[.;\n]|$)", re.IGNORECASE)
_HEAD = re.compile(
    r"\b(?:head(?:'s|\s+was|\s+is)?\s+(?:all\s+|completely\s+)?shaved|shaved\s+(?:[\w-]+\s+)?head"
    r"|shaven\s+head|shaved\s+hd)\b"
    r"|(?:\b(?:with|had|has|got)\s+|,\s*|^\s*)no\s+hair(?:\s+at\s+all)?(?=\s*(?:[,.;!?]|$|and\b))",
    re.IGNORECASE | re.MULTILINE,
)
_TEXTURE = frozenset(words()["hair_textures"])
_STANDALONE = re.compile(
    r"\b(blonde|blond|blondey|blondie|blondish|ginger|gingery|auburn|bald|balding|brunette"
    r"|redhead|receding|thinning on top|greying|graying|going grey)\b",
    re.IGNORECASE,
)
_FACIAL = re.compile(r"\b(?:beard|moustache|mustache|goatee|stubble|tash|tache|eyebrows?)\b", re.I)
_OTHER_TRAIT = re.compile(
    r"\b(?:beard|moustache|goatee|stubble|eyes?|tattoo|scar|accent|build|skin|skinned|face|nose)\b",
    re.IGNORECASE,
)
_AFTER_LEAD = re.compile(
    r"^\s*(?:(?:that|which|he|she|was|is|were|are|wears|wore|worn|kept|cut|dyed|goes|went|all"
    r"|quite|very|a|sort of|kind of|like|really|pretty|going)\s+)*",
    re.IGNORECASE,
)


_FIELD_LABEL = re.compile(
    r"\b(?:eyes?|hair|height|hgt|build|weight|wgt|race|sex|age)\s*:\s*$", re.I
)
_WINDOW = 160  # characters: how far a hair's words are looked for, so that work stays linear


@dataclass(frozen=True, order=True)
class _Said:
    strength: int  # 0 said of the hair, 1 implied by a style or the head, 2 a word alone
    position: int
    term: str
    span: tuple[int, int]


def _quotes_blanked(text: str) -> str:
    return re.sub(r"(?<![A-Za-z])'|'(?![A-Za-z])", " ", text)


def _terms(said: str) -> tuple[str | None, str | None]:
    return hair_colours().canonical(said), hair_lengths().canonical(said)


def _someone_elses(text: str, start: int) -> bool:
    """'The child is a white girl of about eight with blonde plaits': hair of someone else."""
    sentence_start, _ = sentence_bounds(text, start)
    sentence_start = max(sentence_start, start - _WINDOW)
    before = text[sentence_start:start]
    found = list(people_pattern().finditer(before))
    if not found:
        return False
    noun = found[-1]
    # "<noun> (of about eight) with <the hair>", the noun and "with" in one phrase
    if not re.fullmatch(
        r"(?:\s+(?!with\b)[\w-]+){0,4}\s+with\s+(?:[\w-]+[\s,]+){0,4}",
        before[noun.end() :],
        re.IGNORECASE,
    ):
        return False
    return role_of(text, sentence_start + noun.start(), sentence_start + noun.end()) == "other"


def _hair_word(word: str) -> bool:
    return word.lower() in _TEXTURE or any(_terms(word)) or word.lower() in _HAIR_WORDS


def _colour_word(word: str) -> bool:
    """A word that may stand in a list before the hair: a colour or a texture, not a length
    ("W/M 30ish, short, lt brn hair": that "short" is his height)."""
    return (
        word.lower() in _TEXTURE
        or hair_colours().canonical(word) is not None
        or word.lower() in _HAIR_WORDS
    )


_HAIR_WORDS = frozenset(["length", "coloured", "colored", "shoulder", "collar", "ear", "styled"])


def _own_lead(lead: str) -> str:
    """The words before a hair noun that are about the hair: "dark, scruffy collar-length"
    (all of it), not "white, early 20s," or "black, skinny, short" (only "short")."""
    parts = lead.split(",")
    kept = parts[-1]
    for part in reversed(parts[:-1]):
        words_here = re.findall(r"[\w']+", part)
        first_kept = re.findall(r"[\w']+", kept)
        if not first_kept or not (_hair_word(first_kept[0]) or any(_terms(kept))):
            break
        run = 0  # the colours that end this part: "with dark brown, short hair"
        while run < len(words_here) and _colour_word(words_here[-1 - run]):
            run += 1
        if not run:
            break
        kept = " ".join(words_here[-run:]) + "," + kept
        if run < len(words_here):
            break
    return kept


def _after_the_hair(text: str, noun_end: int) -> list[tuple[str, int]]:
    """The words after a hair noun that go on about it: the rest of its clause, then list
    items while they still name a colour or length ("Grey hair, long, to his shoulders.")."""
    _, sentence_end = sentence_bounds(text, noun_end)
    sentence_end = min(sentence_end, noun_end + _WINDOW)
    pieces = []
    position = noun_end
    for index, item in enumerate(re.split(r"(,|\s-\s|\band\b)", text[noun_end:sentence_end])):
        if item in (",", " - ", "and") or not item.strip():
            position += len(item)
            continue
        if _OTHER_TRAIT.search(item) or (index and len(item.split()) > 6):
            break
        if facial_hair().index.find(item.lower()) or re.search(r"\b(?:himself|herself)\b", item):
            break  # "Dark hair, clean shaven"; "dark hair, quite short himself"
        lead = _AFTER_LEAD.match(item)
        said = item[lead.end() :] if lead else item
        colour, length = _terms(said)
        if index and not (colour or length):
            if set(said.lower().split()) <= _TEXTURE:
                position += len(item)
                continue  # "his hair was grey, straight, down to his shoulders"
            break
        pieces.append((said, position + (lead.end() if lead else 0)))
        position += len(item)
    return pieces


def _readings(reading: Reading) -> tuple[list[_Said], list[_Said]]:
    text = _quotes_blanked(reading.work)
    colours: list[_Said] = []
    lengths: list[_Said] = []

    def add(said: str, span: tuple[int, int], strength: int, colour: bool = True) -> None:
        term_colour, term_length = _terms(said)
        if not (term_colour or term_length) or _someone_elses(text, span[0]):
            return
        if term_colour and colour:
            colours.append(_Said(strength, span[0], term_colour, span))
        if term_length:
            lengths.append(_Said(strength, span[0], term_length, span))

    for label in _LABEL.finditer(text):
        add(label.group(1), label.span(), 0)
    for match in _BEFORE.finditer(text):
        noun = match.group(2)
        lead = _own_lead(match.group(1))
        lead_start = match.start(2) - len(lead)
        if _FIELD_LABEL.search(text[max(0, lead_start - 12) : lead_start]):
            lead = ""  # "Eyes: brown Hair: black": the brown is the eyes'
        match_span = (match.start(2) - len(lead), match.end())
        found = hair_colours().index.find(lead.lower())
        found_length = hair_lengths().index.find(lead.lower())
        style = hair_lengths().canonical(noun)
        if not (found or found_length or style) or _someone_elses(text, match.start(2)):
            continue  # nothing said, or "a woman with long black hair" who is the victim
        found = [c for c in found if c.term != "bald"] or found  # "a black receding hairline"
        if found:
            colours.append(_Said(0, match_span[0], found[-1].term, match_span))
        if found_length:
            lengths.append(_Said(0, match_span[0], found_length[-1].term, match_span))
        elif style is not None:
            lengths.append(_Said(1, match.start(2), style, match.span(2)))
    for noun in _AFTER.finditer(text):
        for said, start in _after_the_hair(text, noun.end()):
            add(said, (start, start + len(said.rstrip())), 0)
    for head in _HEAD.finditer(text):
        lengths.append(_Said(0, head.start(), "shaved", head.span()))
        named = hair_colours().index.find(head.group(0).lower())
        coloured = [c for c in named if c.term != "bald"]  # "shaved blonde head"
        if coloured:
            colours.append(_Said(0, head.start(), coloured[0].term, head.span()))
        colours.append(_Said(1, head.start(), "bald", head.span()))
    for alone in _STANDALONE.finditer(text):
        if re.match(r"\s+(?:beard|moustache|goatee|stubble|tash)", text[alone.end() :], re.I):
            continue  # "ginger beard" colours the beard
        sentence_start, _ = sentence_bounds(text, alone.start())
        previous_start, _ = sentence_bounds(text, max(0, sentence_start - 2))
        spoken = list(_FACIAL.finditer(text, previous_start, alone.start()))
        hair = list(_AFTER.finditer(text, previous_start, alone.start()))
        if spoken and (not hair or hair[-1].start() < spoken[-1].start()):
            continue  # "a big grey beard. Well, dark, maybe greying"
        add(alone.group(1), alone.span(), 2)
    return colours, lengths


def read_hair(reading: Reading) -> None:
    colours, lengths = _readings(reading)
    if colours:
        said = min(colours)
        reading.take("hair_colour", said.term, said.span, f"hair colour: {said.term}")
    if lengths:
        said = min(lengths)
        reading.take("hair_length", said.term, said.span, f"hair length: {said.term}")
