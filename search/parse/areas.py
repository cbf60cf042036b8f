"""Where it happened: a town the register knows (its own gazetteer: every town its nominals
have lived in, also by its first word, "Newcastle"), a postcode district ("LS6", "M14 5AB"),
a town with its district ("Glasgow G31", read as the district, which lies in the town), or a
place the words set as where it was:

- a circulation's or appeal's opening ("Stechford:", "All units, Blackpool:", "Castlefield,
  half-term:", "Control to Gateshead units", "OAKLAND (KTVU) —", "CSE op, Castle Vale.");
- the answer to "Where are you?" in a call ("Moston, by the park");
- a place after a street or a place word ("on Castle Boulevard, Lenton", "by the school,
  Bulwell");
- a place after a cue ("in the Moss Side area", "near Walsall town centre", "through
  Manningham", "along Delmar Avenue", "frequents the Bulwell area", "areas of Sunderland")
  or before a kind of place ("a Chester-le-Street supermarket", "Hunts Cross station").

A neighbourhood, street or landmark of one of the gazetteer's towns ("near Moss Side",
"Ordsall Lane", "Temple Meads") is that town (`search/parse/localities.py`), read after a town
or postcode district the gazetteer holds and before any other place. In a text written in
lower case ("the swings in dennistoun ... I am 8") a place needs no capital.

A town's name is no place where it names an accent or a voice ("Birmingham accent",
"talked like my grandad, Hull", "Proper Nottingham"), a road, a canal between two towns or
a police force ("Bristol Road South", "the Leeds and Liverpool Canal", "Leicestershire
Police"; "the Nottingham Canal towpath" is in Nottingham), or
someone else's whereabouts ("my dad's in Spain"), or a prison ("due out of HMP Leeds"). An
intelligence grading ("Grade C4") is no postcode district, nor a code whose letters open no
postcode area ("H2H Mill Lane S2", house-to-house, is S2); a two-character district after a
circulation's call or a "Loc:" label ("Any unit M6:", "Loc: L4.") is one. A town of the
gazetteer is preferred to any other place, since only such a town can match a record; a
place the police are based in ("Officers in Edinburgh") is the last resort; the first said
wins among equals. A street ("on Coventry Road") is no town, borough or postcode district:
unless a locality's (above), it is read only where no gazetteer is given, as the one place
said, and never beside a gazetteer, where the area is a place to match; so is a place he
went towards ("left on foot twds Kirkgate"); a street's name
before a kind of place names that place ("Mill Road station"). A form's label ("Height:
178cm") is no opening place.
"""

import re
from collections.abc import Iterable
from functools import cache, lru_cache

from search.parse.accents import ACCENT_WORDS
from search.parse.context import answers_about_someone_else, sentence_bounds, words
from search.parse.localities import find_locality, written_in_lower_case
from search.parse.mentions import trait_words
from search.parse.text import Reading
from search.vocabulary import ethnic_appearance, load, normalise

_DISTRICT_AFTER = re.compile(r"\s*,?\s+(?!IC\d\b)([A-Z]{1,2}\d{1,2}[A-Z]?)(?:\s+\d[A-Z]{2})?\b")
_POSTCODE = re.compile(r"\b(?!IC\d\b)([A-Z]{1,2}\d{1,2}[A-Z]?)(?:\s+\d[A-Z]{2})?\b")
_WORD = r"[A-Z][a-z']+(?:-(?:le|on|upon|under|in|by|the|[A-Z][a-z']+))*(?![A-Za-z'-])"
_PLACE = rf"((?:{_WORD})(?:\s(?:upon\s|under\s)?{_WORD}){{0,3}})"
_CAPITALS = r"([A-Z]{3,}(?:[\s-][A-Z]{2,})?)"  # a dateline's "OAKLAND", "NEWRY"
_STREETS = (
    r"(?:Road|Rd|Street|St|Lane|Ln|Avenue|Ave|Way|Drive|Close|Crescent|Boulevard|Grove|Gardens"
    r"|Terrace|High Road|High Street)"
)
_KINDS = (
    r"(?:area|areas|town centre|city centre|centre|estate|district|station|shopping centre"
    r"|leisure centre|retail park|park|precinct|high street|supermarket|off-licence|shop|pub"
    r"|bar|club|nightclub|takeaway|cafe|market|library|hospital|school|skate park|bus station"
    r"|interchange|metro|flats)"
)
# The words of a street's or a kind of place's name ("High Street", "Retail Park"): no surname.
PLACE_KIND_WORDS = frozenset(
    w for kind in re.findall(r"[a-z][a-z' -]*", (_STREETS + _KINDS).lower()) for w in kind.split()
)
_CUED = re.compile(
    rf"\b(?:(?i:in|near|around|round|outside|at|off|towards|into|through|along|on|across|from"
    rf"|frequents?|frequenting|frequented)\s+(?:(?i:the)\s+)?|(?i:by\s+the)\s+"
    rf"|(?i:this\s+is|this\s+was)\s+"
    rf"|(?i:canal|cut|towpath|river|station|park|shops?|stop|bridge|school|flats|church|pub|club"
    rf"|precinct|garages?|marina|lane|alley)\s+(?i:by)\s+)"
    rf"(?:(?i:north|south|east|west|central)\s+)?{_PLACE}(?:\s+(?i:{_KINDS}))?"
    r"(?!\s+(?i:train|bus|coach|service|line|flight|ferry)\b)"
)
_FORCE = re.compile(rf"{_PLACE}\s+(?:Police|RCMP|Constabulary|Garda|Gardaí|Sheriff)\b")
_AREAS_OF = re.compile(rf"\b(?i:areas?|parts?|outskirts|suburbs)\s+of\s+{_PLACE}")
_BEFORE_A_KIND = re.compile(rf"(?:^|\b(?i:a|an|the)\s+){_PLACE}\s+(?i:{_KINDS})\b", re.MULTILINE)
_AFTER_A_PLACE = re.compile(
    rf"\b(?i:in|at|by|near|on|outside|behind|off)\s+(?:(?i:the)\s+)?[\w' ]{{1,30}}?,\s+{_PLACE}"
    r"\s*(?=[,.;:]|$)"
)
_LEADING = (
    re.compile(rf"^\s*(?:[A-Za-z ]{{0,20}},\s*)?{_PLACE}\s*:"),  # "All units, Blackpool:"
    re.compile(rf"^\s*{_PLACE}\s*,\s*[\w\s'-]{{0,20}}:"),  # "Castlefield, half-term:"
    re.compile(
        rf"^\s*(?:[A-Za-z]+\s?){{1,2}},\s*{_PLACE}\s*\."
    ),  # "CSE op, Castle Vale.", "BTP, Temple Meads."
    re.compile(rf"^\s*{_PLACE}\s*\.\s"),  # "Swinton. Mum found..."
    re.compile(
        rf"^\s*(?:{_CAPITALS}|{_PLACE})\s*(?:,\s*[A-Z][\w.]*\s*)?(?:\([^)]{{1,20}}\)\s*)?-\s"
    ),
    re.compile(rf"\b(?i:control to|all|any)\s+(?:(?i:the)\s+)?{_PLACE}\s+(?i:units?|officers)\b"),
    # "Any unit Hull:", "Control to all patrols Norwich:"
    re.compile(
        rf"^\s*(?i:(?:control\s+to\s+)?(?:all|any)\s+(?:units?|patrols|officers|stations))"
        rf"\s*,?\s*{_PLACE}\s*(?:[A-Z]{{1,2}}\d{{1,2}}[A-Z]?\s*)?[:,]"
    ),
)
# A sentence that is only a place: "...out at their work. Easterhouse. Stocky wee man..."
_ALONE = re.compile(rf"(?:(?<=[.!?]\s)|^){_PLACE}\s*\.(?=\s|$)", re.MULTILINE)
_WHERE_ASKED = re.compile(
    r"\bwhere\s+(?:are|is|were|was|did)\b[^?]*\?\s*(?:[A-Za-z ]{1,14}:)?\s*", re.I
)
_ACCENT_AFTER = re.compile(r"[\s,]*(?:accent|lad,?\s+by\s+his\s+voice|voice)\b", re.IGNORECASE)
# A word of speech shortly before ("talked like my grandad, Hull"), or how the witness knows
# after ("He's from Salford, you can tell by how he talks").
_SPOKEN_BEFORE = re.compile(
    r"\b(?:talks?|talked|talking|sounds?|sounded|spoke|speaks|voice)\b(?!\s+(?:to|about|with|on)\b)"
    r"[^.!?]{0,50}$",
    re.IGNORECASE,
)
_KNOWN_BY_VOICE = re.compile(
    r"^[^.!?]{0,40}\b(?:by\s+(?:how|the\s+way)\s+(?:he|she|they)\s+(?:talks?|talked|speaks?|sounds?)"
    r"|by\s+(?:his|her|their)\s+(?:voice|accent))\b",
    re.IGNORECASE,
)
_INTENSIFIED = re.compile(r"\b(?:proper|dead|pure|broad|strong|thick|real)\s+$", re.IGNORECASE)
_STREET_AFTER = re.compile(rf"(?:'s)?\s+{_STREETS}\b")
# A canal named for one town runs through it ("the Nottingham Canal towpath"); one named for
# two runs between them ("the Leeds and Liverpool Canal").
_NOT_A_TOWN_AFTER = re.compile(
    rf"(?:'s)?\s+(?:{_STREETS}|Police|police|Constabulary|and\s+[A-Z]\w+\s+Canal)\b"
    r"|\s+and\s+[A-Z]\w+\s+Canal\b"
)
# A prison named for its town ("due out of HMP Leeds") is where someone is held.
_A_PRISON_BEFORE = re.compile(r"\b(?:HMP|HMYOI|HMP/YOI|YOI|HM\s+Prison)\s+$")
_NEXT_TO_AN_ACCENT = re.compile(
    r"\b(?:yorkshire|scouse|geordie|brummie|cockney|manc|mancunian|welsh|scottish|irish"
    r"|west country|east midlands|northern|southern|lancashire|cornish)\s*,\s*$",
    re.IGNORECASE,
)
_ELSEWHERE = re.compile(
    r"(?<!by )(?<!at )(?<!to )(?<!near )(?<!round )\b(?:my|his|her|their|your)\s+(?:\w+\s+)?"
    r"(?:dad|mum|mother|father|brother|sister|nan|gran|grandad|granddad|uncle|auntie|aunt"
    r"|cousin|son|daughter|friend|mate)(?:'s|\s+is|\s+was|\s+lives)?"
    r"\s+(?:\w+\s+)?(?:in|from|at)\s+$|\b(?:uncle|auntie|grandad|granddad|grandma|nan)\s+is\s+from\s+$"
    # where the witness comes from: "I'm from Hull originally but this was in Sheffield"
    r"|\b(?:i'm|i\s+am|we're|we\s+are|i|we)\s+(?:(?:originally|actually|orginally)\s+)?"
    r"(?:(?:come|came|moved(?:\s+here)?)\s+)?from\s+$",
    re.IGNORECASE,
)
_IN_A_PLACE = re.compile(rf"\s+(?:in|,)\s+{_PLACE}")
_BASED = re.compile(
    r"\b(?:officers|police|detectives|gardaí|gardai|rcmp|constables?)\s+in\s+$", re.I
)
# Pronouns, speaker labels and days: never places.
_NOT_PLACES = frozenset(words()["not_places"])


@cache
def _brands() -> frozenset[str]:
    data = load("not_evidence")
    found = {normalise(p) for phrases in data["kinds"].values() for p in phrases}
    return frozenset(found | {normalise(p) for p in data["not_names"]})


@lru_cache(maxsize=8)
def _gazetteer_pattern(places: frozenset[str]) -> re.Pattern[str]:
    short = {p.split()[0] for p in places if len(p.split()) > 1}  # "newcastle"
    alternatives = "|".join(re.escape(p) for p in sorted(places | short, key=len, reverse=True))
    return re.compile(rf"(?<![\w'])(?:{alternatives})(?![\w])")


def _full_name(said: str, places: frozenset[str]) -> str:
    key = normalise(said)
    if key in places:
        return said
    return next((p.title() for p in sorted(places) if p.split()[0] == key), said)


def _as_a_place(text: str, start: int, end: int, street_ok: bool = False) -> bool:
    """Whether the town named at text[start:end] is said as the place where it happened.
    With `street_ok`, a street named for it counts ("Ordsall Lane" for Ordsall): a road
    named for a town leads to that town from elsewhere ("Coventry Road" in Birmingham), one
    named for a neighbourhood mostly runs through it."""
    if (after := _NOT_A_TOWN_AFTER.match(text, end)) and not (
        street_ok and _STREET_AFTER.match(after.group(0))
    ):
        return False  # "Bristol Road South", "Leeds and Liverpool Canal", "Notts Police"
    if re.match(r"\s+Canal\b", text[end:]) and re.search(
        r"\band\s+$", text[max(0, start - 5) : start]
    ):
        return False  # the Liverpool of "the Leeds and Liverpool Canal"
    if _A_PRISON_BEFORE.search(text[max(0, start - 12) : start]):
        return False  # "HMP Leeds"
    if _ACCENT_AFTER.match(text, end) or _INTENSIFIED.search(text[max(0, start - 8) : start]):
        return False  # "Birmingham accent", "Proper Nottingham"
    sentence_start, sentence_end = sentence_bounds(text, start)
    if _SPOKEN_BEFORE.search(text[sentence_start:start]) or _KNOWN_BY_VOICE.match(
        text[end:sentence_end]
    ):
        return False  # "talked like my grandad, Hull", "you can tell by how he talks"
    if _NEXT_TO_AN_ACCENT.search(text[max(sentence_start, start - 24) : start]):
        return False  # "Yorkshire, Leeds I'd say"
    return not _ELSEWHERE.search(text[max(0, start - 40) : start])


def _may_be_place(said: str) -> bool:
    parts = normalise(said).split()
    if not parts or parts[0] in _NOT_PLACES or normalise(said) in _brands():
        return False  # "at Tesco", "in Year 8", "on Instagram"
    if len(parts) == 1 and (ethnic_appearance().canonical(parts[0]) or parts[0] in ACCENT_WORDS):
        return False  # "in White", "the Welsh flag", "sounded Geordie"
    vocabulary = words()
    people = {n for ns in vocabulary["person_nouns"].values() for n in ns}
    return parts[0] not in people and parts[0] not in _NUMBERS


_NUMBERS = frozenset(words()["number_words"])


def _is_street(said: str) -> bool:
    return bool(re.search(rf"\s{_STREETS}(?:\s(?:North|South|East|West))?$", said))


@cache
def _known_words() -> frozenset[str]:
    """Words of the description that are no place said alone ("Forties.", "Skinny.")."""
    vocabulary = words()
    known = set(trait_words()) | set(vocabulary["stopwords"]) | set(ACCENT_WORDS) | _NUMBERS
    known |= set(vocabulary["decades"]) | {w for p in vocabulary["age_words"] for w in p.split()}
    known |= {w for p in vocabulary["height_words"] for w in p.split()}
    known |= {"proper", "dead", "pure", "at", "in", "on", "by", "stubbly", "yes", "no", "cheers"}
    return frozenset(known)


def _plain_place(said: str) -> bool:
    return not any(w in _known_words() for w in normalise(said).split())


_DISTRICT_CUE_BEFORE = re.compile(
    r"\b(?i:in|near|around|round|of|postcode|district)\s+(?:(?i:the)\s+)?$"
)
_DISTRICT_LABEL = re.compile(r"\b(?i:loc|location|locn)\s*:\s*$")
_CIRCULATION_TO = re.compile(
    r"\s*(?i:(?:control\s+to\s+)?(?:all|any)\s+(?:units?|patrols|officers|stations))\s*,?\s*"
)
_GRADED = re.compile(r"\b(?i:grade|graded|grading|graded\s+as)\s*:?\s*$")
_PLACE_BEFORE_DISTRICT = re.compile(rf"{_PLACE}\s*(?:,\s*|\(\s*|\s+)$")


@cache
def _postcode_areas() -> frozenset[str]:
    return frozenset(load("postcode_areas")["areas"])


def _a_postcode_area(district: str) -> bool:
    """Whether a code shaped like a district opens with a postcode area's letters: "LS6"
    does, "H2H" (house-to-house) and "Q3" do not."""
    letters = re.match(r"[A-Z]+", district)
    return letters is not None and letters.group(0) in _postcode_areas()


def _said_as_district(text: str, postcode: re.Match[str]) -> bool:
    """Whether a code shaped like a postcode district is said as one. A letter and a digit
    ("B2", "C3") is as often an intelligence grading or a form's field as a district, so it
    is one only said as a place: after "in" or a place ("Walton L4", "Anfield (L4)"), before
    "area", or ending a clause after a comma ("by the retail park, M8.")."""
    district = postcode.group(1)
    if not _a_postcode_area(district):
        return False
    if len(district) > 2 or postcode.group(0) != district:
        return True  # "LS6", "M14 5AB"
    before = text[max(0, postcode.start() - 40) : postcode.start()]
    after = text[postcode.end() :]
    if _GRADED.search(before):
        return False  # "Grade C4", "Graded B2": an intelligence grading
    if _DISTRICT_LABEL.search(before) or _CIRCULATION_TO.fullmatch(text[: postcode.start()]):
        return True  # "Loc: L4.", "Any unit M6:"
    if re.match(r"\s+(?i:area|district)\b", after) or _DISTRICT_CUE_BEFORE.search(before):
        return True
    if place := _PLACE_BEFORE_DISTRICT.search(before):
        said = place.group(1)
        return _may_be_place(said) and _plain_place(said)
    return bool(re.search(r",\s*$", before) and re.match(r"\s*(?:[.:;)]|$)", after))


def read_area(reading: Reading, places: frozenset[str]) -> None:
    text = reading.work
    name = reading.spans.get("name")

    def free(start: int) -> bool:
        return not (name and name[0] <= start < name[1])

    lowered = normalise_keeping_length(text)
    # Places are written with a capital: "Reading" is a town, "reading" a verb; in a text
    # written in lower case ("by the swings in dennistoun") case tells nothing.
    any_case = written_in_lower_case(text)
    if places:
        for match in _gazetteer_pattern(places).finditer(lowered):
            start, end = match.span()
            capital = any_case or text[start].isupper()
            if capital and free(start) and _as_a_place(text, start, end):
                if (after := _DISTRICT_AFTER.match(text, end)) and _a_postcode_area(after[1]):
                    # "Glasgow G31": the district says more, and lies in the town.
                    said = after.group(1)
                    reading.take("area", said, (start, after.end()), f"area: {said}")
                    return
                town = _full_name(text[start:end], places)
                reading.take("area", town, (start, end), f"area: {town}")
                return
    if postcode := next((m for m in _POSTCODE.finditer(text) if _said_as_district(text, m)), None):
        district = postcode.group(1)
        reading.take("area", district, postcode.span(), f"area: postcode district {district}")
        return
    # A neighbourhood, street or landmark of one of the gazetteer's towns is that town.
    if locality := find_locality(
        text,
        lowered,
        places,
        lambda start, end: (
            free(start)
            and _as_a_place(text, start, end, street_ok=True)
            and not answers_about_someone_else(text, start)
        ),
    ):
        town = locality.town.title()
        reading.take("area", town, locality.span, f"area: {town} ({locality.said})")
        return
    # (tier, start, place, span): 0 an opening, 1 an answer or a place after a place, 2 a cued
    # place, 3 where the police are based, 4 the force's name, 5 a street.
    found: list[tuple[int, int, str, tuple[int, int]]] = []
    for pattern in _LEADING:
        if lead := pattern.search(text):
            group = next(i for i in range(1, (lead.lastindex or 1) + 1) if lead.group(i))
            said = lead.group(group)
            said = said.title() if said.isupper() else said
            if (
                _may_be_place(said)
                and _plain_place(said)  # "Height: 178cm" is a form's label, not a place
                and _as_a_place(text, lead.start(group), lead.end(group))
            ):
                found.append((0, lead.start(group), said, lead.span(group)))
    for asked in _WHERE_ASKED.finditer(text):
        answer = re.match(rf"{_PLACE}(?=\s*[,.;]|\s+(?i:{_KINDS})\b)", text[asked.end() :])
        if answer and _may_be_place(answer.group(1)):
            start = asked.end() + answer.start(1)
            found.append((1, start, answer.group(1), (start, asked.end() + answer.end(1))))
    patterns = (
        (1, _AFTER_A_PLACE),
        (1, _ALONE),
        (2, _CUED),
        (2, _AREAS_OF),
        (2, _BEFORE_A_KIND),
        (4, _FORCE),
    )
    for tier, pattern in patterns:
        for match in pattern.finditer(text):
            said, start = match.group(1), match.start(1)
            if not (_may_be_place(said) and free(start) and _as_a_place(text, start, match.end(1))):
                continue
            if answers_about_someone_else(text, start) or (
                pattern is _ALONE and not _plain_place(said)
            ):
                continue
            if _IN_A_PLACE.match(text, match.end()):
                continue  # "Outside Maccies in Sneinton": the place it is in says more
            if high := re.fullmatch(r"(.+?)\s+High\s+(?:Road|Street|St|Rd)", said):
                said = high.group(1)  # "Tottenham High Road" is Tottenham's
                match_span = (start, start + len(said))
            else:
                match_span = match.span(1)
            said = re.sub(r"^(?:At|In|On|The|By|Near|Outside|From)\s+", "", said)
            based = _BASED.search(text[max(0, match.start() - 16) : start])
            heading = re.match(r"(?i:towards|into)\b", text[match.start() :])
            # A street is no town, borough or postcode district, and where he went is not where
            # it happened: these only where nothing else is said, and never where the register's
            # gazetteer is given, since the area is then a place to match and neither can be.
            # A street's name before a kind of place names that place ("Parson Street station").
            street = _is_street(said) and match.end(1) == match.end()
            if (street or heading) and places:
                continue  # "twds Kirkgate": beside a gazetteer, only a place to match will do
            last_resort = street or bool(heading)
            found.append((5 if last_resort else 3 if based else tier, start, said, match_span))
    if found:
        _tier, _start, said, span = min(found)
        reading.take("area", said, span, f"area: {said}")


def normalise_keeping_length(text: str) -> str:
    """Lower case with punctuation other than apostrophes as spaces: one character for one,
    so offsets in it are offsets in `text`."""
    return "".join(c if c.isalnum() or c == "'" else " " for c in text.lower())


def is_appearance_word(word: str) -> bool:
    return ethnic_appearance().canonical(word) is not None


def gazetteer(towns: Iterable[str]) -> frozenset[str]:
    """The register's towns in the form `read_area` searches: normalised words."""
    return frozenset(normalise(t) for t in towns if t.strip())
