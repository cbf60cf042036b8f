"""Build: the words of `traits.json`'s build scale, where they describe a body.

A word that only ever names a body ("stocky", "skinny", "muscly") is a build unless a noun
it qualifies follows ("thin face", "chunky chain"). A word that names sizes of anything
("big", "heavy", "normal", "broad") is a build only beside a body: before "build", "frame"
or a person ("a big lad", "medium sort of size"), or said of the person and standing alone
("he was big and wide", "Heavy, short grey hair"); not "a heavy parcel", "a big bushy one",
"he talks normal", "Norfolk, very broad". A body word beats a size word said before it ("this
big lad ... really muscly").
"""

import re

from search.parse.context import words
from search.parse.text import Reading
from search.vocabulary import builds

# Words that name sizes of anything, not only of bodies.
_SIZE_WORDS = frozenset(words()["size_words"])
_ONLY_BEFORE_A_BODY = frozenset(["broad", "lean", "slight", "toned"])
# Of those, the ones that alone after "was" or in a description's list still say a body (a
# broad one is an accent as often), unless a noun follows ("a slight limp").
_SAID_OF_A_BODY_ALONE = frozenset(["lean", "slight", "toned"])
_PREDICATED = re.compile(
    r"(?:\b(?:was|is|were|are|and|quite|very|fairly|rather)|[,;:]|\d['\"]?)\s*$", re.IGNORECASE
)
_BODY_AFTER = re.compile(
    r"[\s-]+(?:build|built|frame|figure|framed|set|size|sized|looking|type|(?:sort|kind) of"
    r" (?:size|build)|all over|shouldered|shoulders)\b",
    re.IGNORECASE,
)
_NOUN_AFTER = re.compile(
    r"[\s-]*(?:\w+[\s-]+)?(?:tattoo|scar|mark|mole|birthmark|dog|van|car|knife|bag|jacket|coat"
    r"|hoodie|earring|height|daylight|beard|moustache|nose|ears?|hands?|feet|eyes|house|group"
    r"|smile|grin|voice|teeth|tooth|lips|head|gap|boots|trainers|glasses|ring|chain|watch|cut"
    r"|bruise|sister|brother|kids?|children|school|shop|one|number|deal|problem|issue|time"
    r"|amount|sentence|fuse|temper|money|lettering|writing|letters|word|hair|fringe|quiff|bun"
    r"|face|chin|neck|parcel|box|people|thing|accent|lorry|bike|coat|bottle|stick|brush)\b",
    re.IGNORECASE,
)
_STANDS_ALONE = re.compile(
    r"\s*(?:[,.;!?'\"\n)]|$|\s(?:and|but|with|or|too|as well|like|for)\b)", re.IGNORECASE
)
_NEGATED = re.compile(r"\b(?:not|isn't|wasn't|never|nor)\s+(?:\w+\s+)?$", re.IGNORECASE)
_SAID_OF_SPEECH = re.compile(
    r"\b(?:talks?|talked|talking|sounds?|sounded|spoke|speaks|accent)\s+(?:\w+\s+)?$", re.I
)


def _quotes_blanked(text: str) -> str:
    return re.sub(r"(?<![a-z])'|'(?![a-z])", " ", text)


def _people_after() -> re.Pattern[str]:
    nouns = [n for ns in words()["person_nouns"].values() for n in ns] + ["man", "lad", "chap"]
    nouns += [n for ns in words()["young_nouns"].values() for n in ns]
    return re.compile(rf"[\s-]+(?:[\w-]+\s+)?(?:{'|'.join(sorted(set(nouns)))})\b", re.IGNORECASE)


def _is_build(reading: Reading, text: str, start: int, end: int) -> bool:
    said = text[start:end].lower()
    after = text[end : end + 30]
    name = reading.spans.get("name")
    if name and name[0] <= start < name[1]:
        return False  # "someone called Big Man"
    if _NEGATED.search(text[max(0, start - 16) : start]):
        return False  # "a normal sort of size, not fat"
    if _BODY_AFTER.match(after) or _BODY_AFTER.search(f" {said}"):
        return True  # "slim build shaved head": the phrase itself names the body
    if said.split()[-1] not in _SIZE_WORDS:
        # "stocky", not "thin face"; a list item ends at a dash ("stocky - grey hair")
        return bool(re.match(r"\s+-\s", after)) or not _NOUN_AFTER.match(after)
    if said in _ONLY_BEFORE_A_BODY:
        # "Norfolk, very broad"; but "He was 5ft 8 and slight.", "41 yrs, 6'0, slight."
        return (
            said in _SAID_OF_A_BODY_ALONE
            and bool(_PREDICATED.search(text[:start]))
            and bool(_STANDS_ALONE.match(after))
        )
    if _people_after().match(after):
        return True  # "a big lad"
    if _SAID_OF_SPEECH.search(text[max(0, start - 20) : start]):
        return False  # "he talks normal"
    return bool(_STANDS_ALONE.match(after))  # "he was big and wide", "Heavy, short grey hair"


def read_build(reading: Reading) -> None:
    text = _quotes_blanked(reading.work.lower())
    found = [m for m in builds().index.find(text) if _is_build(reading, text, m.start, m.end)]
    body = [m for m in found if m.phrase.split()[-1] not in _SIZE_WORDS]
    for match in body or found:
        if reading.take("build", match.term, (match.start, match.end), f"build: {match.term}"):
            return
