"""Accent: the regions of `traits.json`'s accent groups, where the words say how the person
spoke.

Read, in this order: the words before or after "accent" ("a strong Brummie accent",
"accent: Scouse", "his accent as 'foreign'"); a "local" accent, as the area's; the sentence
of a word of speech ("talked like my grandad, Hull", "He's from Salford, you can tell by how
he talks", "Salford lad, by his voice", "a fluent Spanish speaker"); an accent word said of
the person ("He was Manc", "Dead Scouse", "Pure Glasgow", "proper gert lush Bristol"); an
accent word alone in its list item ("Brummie.", "South London, he's not from round here").
A guess the witness takes back ("Polish, maybe? No, actually...") is not read.
"""

import re

from search.parse.context import sentence_bounds
from search.parse.text import Reading
from search.vocabulary import accents

# "accent", and the words for one: "a Scottish twang", "a Geordie lilt", "an Irish brogue",
# "a Salford voice".
_ACCENT = r"(?:accents?|twang|lilt|burr|brogue|drawl|voice)"
_BEFORE = re.compile(rf"(?<![\w'-])((?:[\w'-]+\s+){{0,3}}){_ACCENT}\b", re.IGNORECASE)
_AFTER = re.compile(
    rf"\b{_ACCENT}\s*(?:was\s+|is\s+|as\s+|:\s*|-\s*)?['\"]?((?:[\w'-]+\s*){{1,3}})", re.IGNORECASE
)
_LOCAL = re.compile(r"\blocal\s+accent\b|\b(?:sounded|talked|talks|spoke|sounds)\s+local\b", re.I)
_SPEECH = re.compile(
    r"\b(?:spoke|speaks|speaking|sounded|sounds|sounding|talked|talks|talking|voice|speaker"
    r"|said\s+it\s+like)\b(?!\s+(?:to|about|on)\b)",
    re.IGNORECASE,
)
_INTENSIFIED = re.compile(
    r"\b(?:proper|broad|strong|thick|dead|pure|real|really|well)\s+((?:[\w'-]+\s*){1,3})", re.I
)
# Accent words said of the person ("he was Manc", "He's Welsh") or alone in a list item.
_ADJECTIVES = (
    r"scouse|scouser|geordie|brummie|brummy|cockney|mancunian|manc|glaswegian|welsh|irish"
    r"|scottish|scots|yorkshire|west country|east anglian|mackem|janner|northern|southern|posh"
    r"|eastern european|polish|jamaican|american|well[\s-]spoken|londoner|london|south london"
    r"|east london|north london|northern irish|cornish|bristolian|liverpudlian|norfolk|notts"
    r"|yorkshireman|black country|foreign"
)
# Accent words that name no town: said alone they are an accent, not a place.
ACCENT_WORDS = frozenset(w.replace("[\\s-]", " ") for w in _ADJECTIVES.split("|")) - {
    "london",
    "norfolk",
}
_PREDICATE = re.compile(
    rf"\b(?:he|she|they|(?:the|this|a)\s+(?:man|woman|male|female|suspect|bloke|guy|lad|lady))"
    rf"(?:'s|\s+was|\s+is|\s+were|\s+sounded|\s+sounds)\s+(?:(?:quite|very|definitely"
    rf"|obviously|clearly|proper|dead)\s+)?({_ADJECTIVES})\b",
    re.IGNORECASE,
)
_ALONE = re.compile(
    rf"^\s*(?:(?:proper|dead|pure|very|definitely|obviously)\s+)?({_ADJECTIVES})\b", re.I
)
_TAKEN_BACK = re.compile(
    r"^\W*(?:maybe|perhaps|possibly)?\W*(?:\?\s*no\b|-\s*no\b|no,\s*actually)", re.I
)


# Where the speech is how the witness knows, the accent word stands before it.
_BY_THE_VOICE = re.compile(
    r"\b(?:by|from)\s+(?:how|the\s+way)\s+(?:he|she|they)\s+$|\bby\s+(?:his|her|their)\s+$",
    re.IGNORECASE,
)


def _said_of_speech(text: str) -> list[tuple[str, tuple[int, int]]]:
    """Accent words after a word of speech in its sentence ("talked like my grandad, Hull",
    "looked a bit Spanish but talked Geordie"), or before it where the speech is how the
    witness knows ("He's from Salford, you can tell by how he talks")."""
    found = []
    for speech in _SPEECH.finditer(text):
        start, end = sentence_bounds(text, speech.start())
        following = text[end : end + 60]
        if following.lstrip(" .").startswith(
            "("
        ):  # "'He talked like Uncle Steve' (... Sunderland)"
            end += following.find(")") + 1 if ")" in following else 0
        if speech.group(0).lower() == "speaker":  # "a fluent Spanish speaker"
            start = max(start, speech.start() - 24)
        elif not _BY_THE_VOICE.search(text[max(start, speech.start() - 24) : speech.start()]):
            start = speech.start()
        for phrase in accents().index.find(text[start:end].lower()):
            found.append((phrase.term, (start + phrase.start, start + phrase.end)))
    return found


def read_accent(reading: Reading) -> None:
    text = reading.work
    for match in _BEFORE.finditer(text):
        if group := accents().canonical(match.group(1)):
            reading.take("accent", group, match.span(), f"accent: {group}")
            return
    for match in _AFTER.finditer(text):
        if group := accents().canonical(match.group(1).replace("'", " ")):
            reading.take("accent", group, match.span(), f"accent: {group}")
            return
    if local := _LOCAL.search(text):
        area = reading.parts.get("area")
        if area and (group := accents().canonical(area)):
            reading.take("accent", group, local.span(), f"accent: {group} (local to {area})")
            return
    spoken = _said_of_speech(text)
    if spoken:
        group, span = min(spoken, key=lambda found: found[1])
        reading.take("accent", group, span, f"accent: {group}")
        return
    candidates = []
    for pattern in (_PREDICATE, _INTENSIFIED):
        for match in pattern.finditer(text):
            if group := accents().canonical(match.group(1)):
                candidates.append((match.start(), group, match.span()))
    position = 0
    for clause in re.split(r"([,;.!?\n]|\s-\s)", text):
        said = _ALONE.match(clause)
        group = accents().canonical(said.group(1)) if said and len(clause.split()) <= 4 else None
        if said and group and not _TAKEN_BACK.match(text[position + len(clause) :]):
            candidates.append(
                (
                    position + said.start(1),
                    group,
                    (position + said.start(1), position + said.end(1)),
                )
            )
        position += len(clause)
    if candidates:
        _start, group, span = min(candidates)
        reading.take("accent", group, span, f"accent: {group}")
