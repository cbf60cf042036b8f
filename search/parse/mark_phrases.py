"""One distinguishing mark from the words of a part of a clause: what kind it is, where it
is, what it shows.

A mark word says the kind ("tattoo", "scar", "earring", "limping"); a motif on a body part is
a tattoo even without one ("a snake on the side of his head"); a missing or misshapen body
part is an amputation or a deformity ("no little finger on one hand", "his nose is all
bent"). The place is the body phrase after a place word, cut where the words stop naming
the body ("on his chin like a birthmark" is the chin, and says a birthmark), or on the part
said first ("his forearm near the elbow"; "from his ear down to his jaw"; but "his arm near
the top" is the upper arm); some mark words carry their place ("an earring", "a broken
nose"). Capitalised "Mark" is a name and "Denton
Burn" a place, not marks.
"""

import re
from dataclasses import dataclass
from functools import cache

from search.body_map import body_map
from search.parse.context import words
from search.query import MarkQuery
from search.vocabulary import normalise, tattoo_motifs

MARK_WORDS = {
    "tattoo": "tattoo",
    "tattoos": "tattoo",
    "tattooed": "tattoo",
    "inked": "tattoo",
    "sleeved": "tattoo",
    "tatted": "tattoo",
    "full sleeve": "tattoo",
    "half sleeve": "tattoo",
    "sleeve tattoo": "tattoo",
    "sleeve tattoos": "tattoo",
    "ink": "tattoo",
    "scar": "scar",
    "scars": "scar",
    "scarred": "scar",
    "scarring": "scar",
    "acne scarring": "scar",
    "pockmarks": "scar",
    "pock marks": "scar",
    "pockmarked": "scar",
    "pock marked": "scar",
    "pock-marked": "scar",
    "pock-marks": "scar",
    "pitting": "scar",
    "acne pitting": "scar",
    "pitted": "scar",
    "acne marks": "scar",
    "pitted skin": "scar",
    "acne scars": "scar",
    "burn": "scar",
    "burns": "scar",
    "birthmark": "birthmark",
    "birth mark": "birthmark",
    "port wine stain": "birthmark",
    "port-wine stain": "birthmark",
    "piercing": "piercing",
    "piercings": "piercing",
    "pierced": "piercing",
    "stud": "piercing",
    "studs": "piercing",
    "earring": "piercing",
    "earrings": "piercing",
    "nose ring": "piercing",
    "nose stud": "piercing",
    "lip ring": "piercing",
    "eyebrow ring": "piercing",
    "septum ring": "piercing",
    "septum piercing": "piercing",
    "tongue stud": "piercing",
    "metal bar": "piercing",
    "flesh tunnels": "piercing",
    "stretched earlobes": "piercing",
    "stretched ears": "piercing",
    "stretched lobes": "piercing",
    "ear stretchers": "piercing",
    "mole": "mark",
    "moles": "mark",
    "mark": "mark",
    "marks": "mark",
    "marking": "mark",
    "blemish": "mark",
    "vitiligo": "mark",
    "patch of skin": "mark",
    "patches of skin": "mark",
    "skin patch": "mark",
    "discoloured skin": "mark",
    "bad skin": "mark",
    "scratches": "mark",
    "scratch": "mark",
    "stitched wound": "mark",
    "stitches": "mark",
    "bad teeth": "mark",
    "gold tooth": "mark",
    "gold teeth": "mark",
    "gold grill": "mark",
    "gold grills": "mark",
    "wart": "mark",
    "warts": "mark",
    "cyst": "mark",
    "skin graft": "scar",
    "glass eye": "amputation",
    "missing teeth": "mark",
    "front teeth missing": "mark",
    "amputation": "amputation",
    "amputated": "amputation",
    "prosthetic": "amputation",
    "deformity": "deformity",
    "deformed": "deformity",
    "removed tattoo": "removed_tattoo",
    "lasered tattoo": "removed_tattoo",
    "rubbed off": "removed_tattoo",
    "tattoo that's been rubbed off": "removed_tattoo",
    "tattoo that has been rubbed off": "removed_tattoo",
    "tattoo that's been removed": "removed_tattoo",
    "tattoo that has been removed": "removed_tattoo",
    "limp": "deformity",
    "limping": "deformity",
    "limps": "deformity",
    "limped": "deformity",
    "broken nose": "deformity",
    "cauliflower ear": "deformity",
    "lazy eye": "deformity",
    "lazy left eye": "deformity",
    "lazy right eye": "deformity",
    "squint": "deformity",
    "wandering eye": "deformity",
    "cross-eyed": "deformity",
    "cross eyed": "deformity",
    "cleft lip": "deformity",
    "hare lip": "deformity",
    "harelip": "deformity",
}
# Mark words that say where they are: "an earring" is in an ear.
_OWN_PLACE = {
    "earring": "ear",
    "earrings": "ear",
    "nose ring": "nose",
    "nose stud": "nose",
    "lip ring": "lip",
    "eyebrow ring": "eyebrow",
    "septum ring": "nose",
    "septum piercing": "nose",
    "tongue stud": "tongue",
    "flesh tunnels": "ear",
    "stretched earlobes": "ear",
    "stretched ears": "ear",
    "stretched lobes": "ear",
    "ear stretchers": "ear",
    "broken nose": "nose",
    "cauliflower ear": "ear",
    "lazy eye": "eye",
    "lazy left eye": "left eye",
    "lazy right eye": "right eye",
    "squint": "eye",
    "wandering eye": "eye",
    "cross-eyed": "eyes",
    "cross eyed": "eyes",
    "glass eye": "eye",
    "cleft lip": "lip",
    "hare lip": "lip",
    "harelip": "lip",
    "gold grill": "teeth",
    "gold grills": "teeth",
    "bad teeth": "teeth",
    "gold tooth": "tooth",
    "gold teeth": "teeth",
    "missing teeth": "teeth",
    "front teeth missing": "teeth",
}
LOCATION_WORDS = (
    r"(?:on|across|through|under|above|below|over|near|along|down|behind|in|inside|around"
    r"|between|at|by|next to|up|beside|alongside|all over|on top of|to)"
)
_PLACE_AFTER = re.compile(
    rf"\b{LOCATION_WORDS}\s+(?:all\s+)?(?:(?:his|her|their|the|a|one|of)\s+)*"
    r"(?:skin\s+(?:of|on)\s+(?:his|her|the)\s+)?(.+)$",  # "on the skin of the face"
    re.IGNORECASE,
)
# Where the words stop naming the body: "chin like a birthmark", "chest of a black cat",
# "knuckles I think", "back of his hand too".
_PLACE_ENDS = re.compile(
    r"\s+(?:like|which|that|where|when|i\s+think|too|as\s+well|you|but|so|because|cos|with"
    r"|showing|saying|reading|and|after|before|while|as|there|he|she|was|is|from)\b|\s+-\s|\s*\(|(?<!back)(?<!side)(?<!top)(?<!front)(?<!inside)(?<!bridge)"
    r"(?<!base)(?<!nape)(?<!palm)(?<!tip)(?<!bottom)(?<!middle)(?<!outside)(?<!length)(?<!knuckles)"
    r"(?<!back of)\s+of\s+(?:an?|some|the)\s",
    re.IGNORECASE,
)
_MISSING = (
    re.compile(
        r"\b(?:missing|lost|has\s+no|had\s+no|got\s+no|no|without)\s+"
        r"(?:a\s+|an\s+|his\s+|her\s+|the\s+|one\s+|two\s+|part\s+of\s+(?:a\s+|his\s+)?"
        r"|the\s+(?:tip|top|end)\s+of\s+(?:a\s+|one\s+|his\s+|her\s+)?)?"
        r"((?:little|index|middle|ring|small|big)\s+)?(finger|fingers|thumb|thumbs|toe|toes|hand|ear"
        r"|eye|leg|arm|tip)\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:only|just)\s+(?:has|had|got|have)\s+(?:one|two|three|four)\s+(fingers|toes)\b", re.I
    ),
    # "the top of one of his fingers is missing", "two fingers missing on his right hand",
    # "part of his ear is gone": the part named before the word that says it is missing.
    re.compile(
        r"\b(?:(?:top|tip|end|part|half|bit)\s+of\s+(?:one\s+of\s+)?(?:his\s+|her\s+|a\s+|the\s+)?)?"
        r"(?:(?:one|two|three|a|his|her)\s+)?((?:little|index|middle|ring|small|big)\s+)?"
        r"(fingers?|thumbs?|toes?|ear|eye|hand|leg|arm)"
        r"(?:\s+(?:on|of)\s+(?:his|her|the)\s+((?:(?:left|right)\s+)?(?:hand|foot)))?"
        r"\s+(?:(?:is|was|were|are)\s+)?"
        r"(?:missing|gone|cut\s+off|chopped\s+off|amputated)\b",
        re.IGNORECASE,
    ),
)
_MISSHAPEN = re.compile(
    r"\b((?:fingers?|toes?)\s+(?:on|of)\s+(?:his|her)\s+(?:(?:left|right)\s+)?(?:hand|foot))\s+"
    r"(?:are|is|were|was)\s+(?:\w+\s+)?(?:bent|crooked|twisted|deformed|misshapen)\b"
    r"|\b(nose|ear|ears|fingers?|hand|hands|leg|arm|knee|foot|jaw)\s+(?:is\s+|was\s+|are\s+)?"
    r"(?:all\s+|a\s+bit\s+|slightly\s+|permanently\s+|badly\s+)?(?:bent|crooked|broken|flattened"
    r"|squashed|misshapen|twisted|deformed)\b|\b(?:bent|crooked|squashed|misshapen|twisted"
    r"|permanently\s+bent)\s+(nose|ear|fingers?|hand|leg|arm|jaw)\b|\blimited\s+use\s+of\s+"
    r"(?:his|her|the)\s+((?:left|right)\s+)?(arm|hand|leg)\b",
    re.IGNORECASE,
)
_ARTICLES_BEFORE = re.compile(r"^.*\b(?:a|an|the|some|his|her|with|has|had|got|have)\s+", re.I)
_ADJECTIVES = frozenset(words()["mark_adjectives"])


@dataclass
class Found:
    """A mark read from a part, and what kind of part said it."""

    mark: MarkQuery
    # "mark": a mark word; "motif": a motif alone; "place": a body place alone; "another": one
    # more of the kind said before ("a blue one on his hand")
    kind: str


@cache
def _mark_pattern() -> re.Pattern[str]:
    kinds = "|".join(sorted((re.escape(k) for k in MARK_WORDS), key=len, reverse=True))
    return re.compile(rf"\b({kinds})\b", re.IGNORECASE)


# "a question mark", "skid marks", "a tick mark": marks that are on no one's body.
_NOT_ON_A_BODY = re.compile(
    r"\b(?:question|exclamation|quotation|speech|punctuation|skid|tyre|tire|tide|high[\s-]water"
    r"|scuff|tick|check|pen|pencil|chalk|paint|water|coffee|grease|tread)\s*$",
    re.IGNORECASE,
)


def _a_name_in_capitals(said: str, after: str) -> bool:
    """'Cousin MARK FOSTER': "MARK" before a surname in capitals is a forename, where the
    word after it is no place word, body part or code ("MARK ON NECK", "MARK L CHK")."""
    following = re.match(r"\s+([A-Z][A-Z'-]+)\b", after)
    if not said.isupper() or said.lower() not in ("mark", "marks") or following is None:
        return False
    word = following.group(1)
    return not re.fullmatch(LOCATION_WORDS + r"|OF|AND|TO", word, re.IGNORECASE) and (
        body_map().locate(word).region is None
    )


def mark_word(part: str) -> re.Match[str] | None:
    """The first mark word of `part` that is a mark word ("Mark" the name, "Denton Burn"
    the place, a question mark are not)."""
    for match in _mark_pattern().finditer(part):
        said = match.group(1)
        if said.lower() in ("mark", "marks") and (
            _NOT_ON_A_BODY.search(part[: match.start()])
            or _a_name_in_capitals(said, part[match.end() :])
        ):
            continue
        if said[0].isupper() and not said.isupper():
            before = part[: match.start()].rstrip()
            if said.lower() in ("mark", "marks") and not re.match(
                r"\s+(?:on|of|across|above|below|under|near|by)\b", part[match.end() :]
            ):
                continue  # "Mark is white": a forename
            if before and before[-1].isalpha() and re.search(r"[A-Z][a-z]+$", before):
                continue  # "Denton Burn": a place
        return match
    return None


def _sides_spelled(place: str) -> str:
    """Circulations write sides as L and R ("TAT L FOREARM")."""
    return re.sub(r"\b([LR])\b", lambda m: "left" if m.group(1) == "L" else "right", place)


# "his left arm near the top" is the top of his left arm; "his forearm near the elbow" is
# his forearm: a mark is on the part said first, the second only says whereabouts on it.
_NEAR_THE_TOP = re.compile(
    r"^(.+?)\s+(?:near|towards|at|by)\s+the\s+top\b(?:\s+of\s+it)?", re.IGNORECASE
)
_NEAR_ANOTHER = re.compile(
    r"\s+(?:near|towards|close\s+to|just\s+(?:above|below|under))\s+(?:the|his|her)\s", re.I
)


def trimmed_place(place: str) -> str:
    """The body phrase at the start of `place`, without what follows it."""
    if top := _NEAR_THE_TOP.match(place):
        # "the inside of his left arm near the top": the top of the arm, whichever face
        part = re.sub(r"^(?:the\s+)?(?:inside|outside|back|front)\s+of\s+", "", top.group(1))
        place = f"top of {part}"
    elif (near := _NEAR_ANOTHER.search(place)) and body_map().locate(place[: near.start()]).region:
        place = place[: near.start()]
    if end := _PLACE_ENDS.search(place):
        place = place[: end.start()]
    return re.sub(r"\s+of$", "", place.strip(" ,'\""))  # "knuckles of that hand"


# "a scar running from his ear down to his jaw": it starts where it is said to start.
_FROM_TO = re.compile(
    r"\bfrom\s+(?:his|her|the)\s+(.+?)\s+(?:(?:right\s+|all\s+the\s+way\s+)?(?:down|up|across"
    r"|round|over|along|back)\s+)?to\s+(?:his|her|the)\b",
    re.IGNORECASE,
)


def with_its_preposition(where: re.Match[str], place: str) -> str:
    """ "above his eye" is the eyebrow, "between his eyes" the nose: the place word kept
    where it moves the region the body part alone names."""
    said_with = f"{where.group(0).split()[0]} {place}"
    if body_map().locate(said_with).region not in (None, body_map().locate(place).region):
        return said_with
    return place


def _place_in(after: str) -> str | None:
    if (start := _FROM_TO.search(after)) and body_map().locate(start.group(1)).region:
        return start.group(1)
    if where := _PLACE_AFTER.search(after):
        place = with_its_preposition(where, trimmed_place(where.group(1)))
        if body_map().locate(_sides_spelled(place)).region is not None or re.match(
            r"(?:it|that|them)\b", place, re.IGNORECASE
        ):
            return place
        return place if not re.fullmatch(r"(?:him|her|them|there)\b.*", place, re.I) else None
    if re.match(r"\s*(?:of|saying|reading|showing)\b", after, re.IGNORECASE):
        return None  # "a tattoo of a skull": what it shows, not where
    if body_map().locate(trimmed_place(_sides_spelled(after))).region is not None:
        return trimmed_place(_sides_spelled(after))  # "tattoo L forearm", "scar right cheek"
    return None


def _described(words: str | None) -> str | None:
    said = (words or "").strip(" ,'\"")
    return said or None


# "his neck was covered in tattoos", "arms full of ink": the body part said before the mark.
_COVERED = re.compile(
    r"^(.*?)\s+(?:(?:is|was|are|were)\s+)?(?:all\s+)?(?:covered|full|plastered|done|filled)"
    r"\s+(?:in|with|of)\s+(?:\w+\s+)?$",
    re.IGNORECASE,
)
# "his knuckles were tattooed", "his face is pock-marked": the body part is what is marked.
_BODY_IS = re.compile(
    r"^(.*?)\s+(?:is|was|are|were)\s+(?:all\s+|heavily\s+|badly\s+|very\s+|quite\s+|fully\s+)?$",
    re.IGNORECASE,
)
# "lots of tattoos", "a few scars", "two tattoos", "some kind of tattoo": how many or how
# sure, not what they show.
_QUANTITY = re.compile(
    r"^(?:lots\s+of|loads\s+of|(?:a\s+)?lot\s+of|plenty\s+of|(?:a\s+)?few|(?:a\s+)?couple\s+of"
    r"|several|many|(?:some\s+)?(?:kind|sort|type)\s+of"
    r"|numerous|multiple|various|some|two|three|four|a\s+number\s+of|more)\b\s*",
    re.IGNORECASE,
)
# "a tattoo on his wrist of a rose": what it shows, said after where it is.
_SHOWING_AFTER = re.compile(
    r"\b(?:of|saying|reading|showing|(?:that|which)\s+(?:says|said|reads|read|shows|showed"
    r"|looks?\s+like|looked\s+like))\s+(?:a\s+|an\s+|the\s+|some\s+)?(.+)$",
    re.IGNORECASE,
)
# "His left arm had a big tattoo": the body part said as the one that has the mark.
_BODY_HAS = re.compile(
    r"^(?:.*\b)?(?:his|her|their)\s+((?:(?:left|right)\s+)?\w+(?:\s+of\s+\w+)?)\s+"
    r"(?:has|had|'s)\s+(?:got\s+)?",
    re.IGNORECASE,
)


# Words before a mark word that belong to other readings, in a circulation written without
# commas ("M IC1 30-35 5'9 slim bld shaved hd TATS neck"): an age, a height, a trait's noun.
_OTHER_READINGS = (
    r"\S*\d[-'\"/]\S*|\b\d+\s*(?:ft|cm|yrs?|years)|\b(?:build|built|hair|eyes|accent"
    r"|male|female|years\s+old|beard|stubble|moustache|(?:shaved|shaven|bald)\s+head"
    r"|shaved(?!\s+head)|bald(?!\s+head)|dreads|dreadlocks|braids|plaits|ponytail|curls|afro"
    r"|IC\d)"
)
# Where what a mark word's own words say of it begins, reading back from it: after an
# article or a verb of having ("a skull tattoo", "has LOVE tattooed"), a subject and its verb
# ("he is heavily tatted"), a word that says how much or how ("heavily", "like"), or another
# reading's words.
_BEFORE_STARTS = re.compile(
    r"^.*(?:\b(?:a|an|the|some|his|her|with|has|had|got|have|like|heavily|lightly|fully|very|all"
    r"|quite|really|is|was|are|were|he|she|they|i|you|he's|she's)|" + _OTHER_READINGS + r")\s+",
    re.IGNORECASE,
)
_OTHER_READINGS_BEFORE = re.compile(rf"^.*(?:{_OTHER_READINGS})\s+", re.IGNORECASE)


def _said_before(before: str) -> str:
    return _BEFORE_STARTS.sub("", before).strip()


def own_words_start(part: str) -> int:
    """Where a part's mark begins, past the words of other readings said before it without
    a comma ("IC1 male 25 yrs dragon tattoo R forearm": "dragon")."""
    match = mark_word(part)
    other = _OTHER_READINGS_BEFORE.match(part[: match.start()]) if match else None
    return other.end() if other else 0


def _only_a_place(words: str) -> bool:
    """Whether words said before a mark word name a body part and no motif ("neck", not
    "skull", which is both)."""
    return bool(words) and (
        body_map().locate(words).region is not None and not tattoo_motifs().find(normalise(words))
    )


_ACNE = re.compile(r"\b(?:acne|spots|pimples|pock)\b", re.IGNORECASE)


def read_mark_word(kind: str, part: str, match: re.Match[str]) -> MarkQuery:
    """One mark from the words around its mark word: what it shows and where it is."""
    before = part[: match.start()]
    after = part[match.end() :]
    said = match.group(1).lower()
    if said.endswith("ed"):
        # "all scarred up", "tatted up": no place ("tattooed up his arm" is one)
        after = re.sub(r"^\s+up\b(?!\s+(?:his|her|the|one|both|its|their)\b)", "", after)
    if kind == "mark" and _ACNE.search(part):
        kind = "scar"  # "marks on his face from acne": what acne leaves is scarring
    if covered := _COVERED.match(before) or _BODY_IS.match(before):
        place = _ARTICLES_BEFORE.sub("", covered.group(1)).strip(" ,'\"")
        if body_map().locate(_sides_spelled(place)).region is not None and not _place_in(after):
            with_ = re.match(r"\s*(?:with|in)\s+(?:a\s+|an\s+|the\s+)?(.+)", after)
            return MarkQuery(
                type=kind, location=place, description=with_.group(1) if with_ else None
            )
    description: str | None = _QUANTITY.sub("", _said_before(before))
    shown: str | None = None  # what the words after it say it shows ("of a skull")
    if of := re.match(
        r"\s*(?:of|saying|reading|that says|which says|showing|like)\s+"
        r"(?:a\s+|an\s+|the\s+|some\s+)?(.+?)(?=\s+" + LOCATION_WORDS + r"\b|$)",
        after,
        re.IGNORECASE,
    ):
        shown = of.group(1)
        description = f"{description} {shown}".strip()
    location: str | None = _place_in(after)
    if location is None and (has := _BODY_HAS.match(before)) and _only_a_place(has.group(1)):
        location = has.group(1)
    named_before = _QUANTITY.sub("", _said_before(before))
    if shown and location is None and _only_a_place(named_before):
        location, description = named_before, shown  # "a neck tattoo of a rose"
    if not description and (aside := re.search(r"\(\s*(?:an?\s+|the\s+)?([^()]+?)\s*\)", after)):
        description = aside.group(1)  # "TAT R hand (star)": what it shows, in brackets
    if location is not None and not description and (shows := _SHOWING_AFTER.search(after)):
        motif = trimmed_place(shows.group(1))
        if tattoo_motifs().find(normalise(motif)) and not body_map().locate(motif).region:
            description = motif
    if (
        location is None
        and kind == "piercing"
        and (pierced := re.search(r"pierced\s+(\w+)", part, re.I))
    ):
        location = pierced.group(1)
    elif location is None and body_map().locate(before).region is not None and kind != "tattoo":
        location = _said_before(before) or before.strip()  # "a lip piercing": the lip
    if said in _OWN_PLACE and (location is None or body_map().locate(location).region is None):
        side = body_map().locate(location).side if location else None  # "on the left side"
        location = f"{side} {_OWN_PLACE[said]}" if side else _OWN_PLACE[said]
    like = re.search(r"\blike\s+(?:a|an)\s+([a-z ]+)$", after, re.IGNORECASE)
    other = mark_word(like.group(1)) if location and like else None
    if other and kind == "mark":  # "a purple mark on his chin like a birthmark"
        kind = MARK_WORDS[other.group(1).lower()]
    if description and body_map().locate(description).region and not shown:
        if location is None:
            location, description = description, None
        elif not tattoo_motifs().find(normalise(description)):
            description = None  # "left arm tattoo on the forearm": a place, said twice
    return MarkQuery(type=kind, location=location, description=_described(description))


_HANDLED = re.compile(
    r"\b(?:pulled|pulling|pulls|took|taking|takes|holding|held|holds|waved|waving|brandished"
    r"|brandishing|carrying|carried|produced|producing|wielding|wielded|pointing|pointed|grabbed"
    r"|threw|throwing|swung|swinging|drew|drawing)\s+(?:out\s+)?(?:\w+\s+)?$"
)
_ACTED_ON = re.compile(r"\b(?:me|us|him|them|my\s+\w+|our\s+\w+)\s*$", re.IGNORECASE)


_HAIR_ON_THE_HEAD = re.compile(
    r"(?:with\s+)?(?:(?:a|his|her)\s+)?(?:(?:shaved|shaven|bald|skin)\s+head(?:ed)?"
    r"|head\s+(?:shaved|shaven)(?:\s+\w+)?)"  # "head shaved short"
)


def motif_alone(part: str) -> MarkQuery | None:
    """A tattoo motif said with no mark word: 'skull and crossbones on his arm' (a tattoo on a
    body part), or 'a bird, an eagle' (what a mark said beside it shows)."""
    if _HAIR_ON_THE_HEAD.fullmatch(normalise(part)):
        return None  # "shaved head, skull tattoo on his calf": the hair, not a motif
    where = _PLACE_AFTER.search(part)
    before = part[: where.start()] if where else part
    motifs = tattoo_motifs().find(normalise(before))
    if not motifs or re.search(
        r"\b(?:my|your|our)\s+(?:\w+\s+)?$", normalise(before)[: motifs[0].start]
    ):
        return None  # "grabbed my sleeve": no motif of his
    if _HANDLED.search(normalise(before)[: motifs[0].start]):
        return None  # "pulled a knife out of her sleeve": a weapon, not a tattoo
    if where and _ACTED_ON.search(part[: where.start()]):
        return None  # "a knife ... punched me in the mouth": the place is the victim's
    # What it shows starts at the article before its first motif, and runs on past later
    # articles ("one is a bird with open wings", "a knife with blood").
    first = re.search(r"\W+".join(map(re.escape, motifs[0].phrase.split())), before, re.I)
    cut = first.start() if first else len(before)
    described = (_ARTICLES_BEFORE.sub("", before[:cut]) + before[cut:]).strip(" ,'\"")
    place = with_its_preposition(where, trimmed_place(where.group(1))) if where else None
    if place and body_map().locate(place).region is None:
        place = None
    return MarkQuery(type="tattoo", location=place, description=described or None)


def missing_part(part: str) -> MarkQuery | None:
    """'no little finger on one hand', 'missing the tip of one finger': an amputation."""
    for pattern in _MISSING:
        if missing := pattern.search(part):
            rest = part[missing.end() :]
            place = _place_in(rest) or (
                trimmed_place(_sides_spelled(rest))
                if body_map().locate(_sides_spelled(rest)).region
                else None
            )
            named = next(g for g in reversed(missing.groups()) if g)
            return MarkQuery(
                type="amputation", location=place or named, description=missing.group(0)
            )
    return None


def misshapen_part(part: str) -> MarkQuery | None:
    """'his nose is all bent', 'limited use of his right arm': a deformity."""
    if shape := _MISSHAPEN.search(part):
        place = " ".join(g for g in shape.groups() if g)
        return MarkQuery(type="deformity", location=place, description=shape.group(0))
    return None


def place_alone(part: str) -> str | None:
    """The body place a part names and nothing else ("on his cheek", "arms", "one through his
    eyebrow"), if it names only that."""
    said = re.sub(
        # "there is something dark on the back of the hand, maybe a tattoo": a mark not yet
        # named, at a place.
        r"^\s*(?:(?:there\s+(?:is|was|were)\s+)?(?:something|a\s+thing)(?:\s+\w+)?\s+)?"
        r"(?:mostly\s+|mainly\s+|especially\s+|just\s+|only\s+)?"  # "mostly on his arms"
        r"(?:one\s+|another\s+(?:one\s+)?)?(?:"
        + LOCATION_WORDS
        + r"\s+)?(?:(?:his|her|their|the|a|both|each|of)\s+)*",
        "",
        part,
        flags=re.IGNORECASE,
    )
    said = trimmed_place(_sides_spelled(said))
    if not said or body_map().locate(said).region is None:
        return None
    rest = body_map().regions.find(normalise(said))
    covered = {w for m in rest for w in m.phrase.split()}
    sides = {w for m in body_map().sides.find(normalise(said)) for w in m.phrase.split()}
    extra = (
        set(normalise(said).split())
        - covered
        - sides
        - {"of", "the", "his", "her", "side", "back", "top", "front", "upper", "lower"}
        - {"bottom", "inside", "outside", "inner", "outer", "middle", "tip", "base"}
    )
    return said if not extra else None


# "and a green one on his earlobe", "a small one by his nose": one more mark of the kind
# just said, at another place, with what is said of it ("green", "small").
_ANOTHER_ONE = re.compile(
    r"^\s*(?:and\s+|also\s+|plus\s+)?(?:(?:(?:a|an|another)\s+)((?:[\w-]+\s+){0,3}?)one"
    r"|another|one\s+more|one\s+other)\s+(?=" + LOCATION_WORDS + r"\b)",
    re.IGNORECASE,
)


def another_one(part: str) -> Found | None:
    """ "a blue one on his hand": a mark of the kind said before, at the place it names, with
    the words said of it; its kind is filled in from the mark before (`marks`)."""
    if (one := _ANOTHER_ONE.match(part)) is None:
        return None
    said = (one.group(1) or "").strip()
    if said and (mark_word(said) or tattoo_motifs().find(normalise(said))):
        return None  # "a tattoo one", "a skull one": said of its own
    place = place_alone(part[one.end() :])
    if place is None:
        return None
    described = None if not said or said.lower() == "other" else said
    return Found(MarkQuery(location=place, description=described), "another")


def labelled(part: str, label: MarkQuery) -> Found | None:
    """After a label that names a kind of mark and nothing else ("Tattoo:", "Scars:"), words
    at a body place are a mark of that kind showing them ("'Jade' on left wrist")."""
    if (where := _PLACE_AFTER.search(part)) is None:
        return None
    place = with_its_preposition(where, trimmed_place(_sides_spelled(where.group(1))))
    shown = part[: where.start()].strip(" ,'\"")
    if body_map().locate(place).region is None or not shown or len(shown.split()) > 4:
        return None
    return Found(MarkQuery(type=label.type, location=place, description=shown), "mark")


def shows_nothing(description: str | None) -> bool:
    """Whether what is said of a mark is only adjectives ("old", "small"), no motif."""
    words = normalise(description or "").split()
    return not tattoo_motifs().find(" ".join(words)) and all(w in _ADJECTIVES for w in words)


def is_bare(mark: MarkQuery) -> bool:
    """A mark word with nothing said of it but an adjective ("an old scar", "tattooed")."""
    return not mark.location and shows_nothing(mark.description)


_TEETH = re.compile(
    r"\b(?:gaps?\s+(?:between|in)\s+(?:his|her|the)?\s*(?:two\s+)?(?:front\s+)?teeth"
    r"|(?:(?:two|one|a)\s+)?(?:missing|gold|bad|broken|chipped|rotten|crooked|black|no)\s+"
    r"(?:(?:a|one|two|three|some|his|her|a\s+couple\s+of|a\s+few|a\s+couple\s+of\s+his"
    r"|a\s+few\s+of\s+his|one\s+of\s+his|two\s+of\s+his)\s+)?"
    r"(?:front\s+|top\s+|bottom\s+|side\s+)?(?:teeth|tooth)"
    r"|(?:front\s+)?(?:teeth|tooth)\s+(?:is\s+|are\s+)?missing)\b",
    re.IGNORECASE,
)
# "On his neck there was a smudge...", "On the wrist a tattoo of a gun", "On the inside of
# the wrist a black spider": the place said before the mark, as interpreters and
# witnesses translating word for word put it.
_PLACE_FIRST = re.compile(
    rf"^\s*{LOCATION_WORDS}\s+(?:his|her|the|one|each|both)\s+(.+?)\s+(?=(?:there|he|she|you"
    r"|was|is|were|had|has|a|an|some|two|three|several|many)\b)",
    re.IGNORECASE,
)


def read_part(part: str) -> Found | None:
    """The mark a part of a clause names, if any."""
    found = _read_part(part)
    first = _PLACE_FIRST.match(part)
    place = trimmed_place(first.group(1)) if first else ""
    if first is None or body_map().locate(place).region is None:
        return found
    if found is not None and found.kind == "mark" and not found.mark.location:
        found.mark = found.mark.model_copy(update={"location": place})
    elif (found is None or found.kind != "mark") and (
        (motif := motif_alone(part[first.end() :])) is not None and not motif.location
    ):
        return Found(motif.model_copy(update={"location": place}), "mark")
    return found


# "a ring through the top of his nose", "hoops in both ears": jewellery through the body is
# a piercing (a ring on a finger, a bar in his hand are not).
_THROUGH = re.compile(
    r"\b(rings?|hoops?|bars?|bolts?|sleepers?|spikes?|plugs?|tunnels?|gauges?)\s+(?=(?:through|in)\s+(?:the\s+\w+\s+of\s+)?"
    r"(?:his|her|one|each|both|the)\b)",
    re.IGNORECASE,
)
# "something written on his neck", "words drawn across his knuckles": writing on the skin.
_WRITTEN = re.compile(
    r"\b(?:something|some\s+words|a\s+word|words|a\s+name|names|numbers)\s+(?:\w+\s+)?"
    r"(?:written|drawn|inked|scribbled)\s+(?=" + LOCATION_WORDS + r"\b)",
    re.IGNORECASE,
)
_LIMBS = frozenset({"hand", "arm", "leg", "foot"})
# "Had LOYALTY on his knuckles", "LOVE and HATE across his fingers": a word in capitals on
# the body is written there, a tattoo.
_CAPITALS_ON = re.compile(
    r"\b([A-Z]{3,}(?:\s+(?:and|&)?\s*[A-Z]{3,})?)\s+(?:(?i:tattooed|inked|written)\s+)?"
    r"(?=(?i:on|across|along|over)\s+(?i:his|her|the|both)\b)"
)


# "something wrong with his ear", "summat funny about his lip": a mark not named, at a place.
_WRONG_WITH = re.compile(
    r"\b(?:something|summat|a\s+bit|there's\s+something)\s+(?:\w+\s+)?(?:wrong|odd|funny|weird"
    r"|strange|not\s+right|up)\s+(?:with|about)\s+(?:his|her|the)\s+(.+)$",
    re.IGNORECASE,
)
NOT_NAMED = "something wrong"  # the description of such a mark, until its sentence names it


def _something_wrong(part: str) -> Found | None:
    if (wrong := _WRONG_WITH.search(part)) is None:
        return None
    place = trimmed_place(_sides_spelled(wrong.group(1)))
    if body_map().locate(place).region is None:
        return None
    return Found(MarkQuery(type="mark", location=place, description=NOT_NAMED), "mark")


def _jewellery_or_writing(part: str) -> Found | None:
    if (capitals := _CAPITALS_ON.search(part)) is not None and mark_word(part) is None:
        place = _place_in(part[capitals.end() :])
        if place and body_map().locate(place).region is not None:
            return Found(MarkQuery(type="tattoo", location=place, description=capitals[1]), "mark")
    for pattern, kind in ((_THROUGH, "piercing"), (_WRITTEN, "tattoo")):
        if (said := pattern.search(part)) is None or mark_word(part) is not None:
            continue
        place = _place_in(part[said.end() :])
        region = body_map().locate(place).region if place else None
        if region is None or (kind == "piercing" and _LIMBS & set(body_map().ancestors(region))):
            continue
        described = said.group(0).strip() if kind == "tattoo" else said.group(1)
        return Found(MarkQuery(type=kind, location=place, description=described), "mark")
    return None


def _held(mark: MarkQuery, said: str) -> bool:
    """ "a metal bar in his hand", "studs on his hands": something held or worn on a limb,
    no piercing, unless it is said to be one ("a pierced finger", "a piercing in his hand")."""
    if mark.type != "piercing" or not mark.location or said.lower().startswith("pierc"):
        return False
    region = body_map().locate(mark.location).region
    return region is not None and bool(_LIMBS & {region, *body_map().ancestors(region)})


def _somewhere_else(mark: MarkQuery) -> bool:
    """A mark said of a place that is no part of the person described: "marks on the road",
    "scratches on the door", "a mark on my arm" (the witness's)."""
    place = mark.location or ""
    if re.match(r"(?:my|our|your)\b", place, re.IGNORECASE):
        return True
    if mark.type != "mark" or not place:
        return False
    where = body_map().locate(_sides_spelled(place))
    return (
        where.region is None
        and where.side is None
        and not re.match(r"(?:it|that|them|skin|him|her)\b", place, re.IGNORECASE)
    )


def _read_part(part: str) -> Found | None:
    if (teeth := _TEETH.search(part)) is not None:
        return Found(MarkQuery(type="mark", location="teeth", description=teeth.group(0)), "mark")
    if (missing := missing_part(part)) is not None:
        return Found(missing, "mark")
    if (misshapen := misshapen_part(part)) is not None:
        return Found(misshapen, "mark")
    if (match := mark_word(part)) is not None:
        mark = read_mark_word(MARK_WORDS[match.group(1).lower()], part, match)
        if _held(mark, match.group(1)):
            return None
        return None if _somewhere_else(mark) else Found(mark, "mark")
    if (worn := _jewellery_or_writing(part)) is not None:
        return worn
    if (wrong := _something_wrong(part)) is not None:
        return wrong
    if (motif := motif_alone(part)) is not None:
        return Found(motif, "mark" if motif.location else "motif")
    if (another := another_one(part)) is not None:
        return another
    if (place := place_alone(part)) is not None:
        return Found(MarkQuery(location=place), "place")
    return None
