"""Distinguishing marks: what kind, where, and what it shows.

One mark per mark word; a clause holding several ("scar on left cheek and a tattoo on
neck") is cut at "and"/"with", and a part naming only a place ("tattoos on his neck and
arms") repeats the mark before it. A tattoo motif on a body part is a tattoo even without
the word ("skull and crossbones on his arm"). Capitalised "Mark" is a name, not a mark. The
same mark said twice counts once, and a description holds at most MAX_MARKS, as a
structured query does.
"""

import re
from functools import cache

from search.body_map import body_map, locate_code, mark_type_of_code
from search.parse.text import Reading
from search.query import MarkQuery
from search.vocabulary import normalise, tattoo_motifs

MAX_MARKS = 20  # the query schema's limit on marks

MARK_WORDS = {
    "tattoo": "tattoo",
    "tattoos": "tattoo",
    "tattooed": "tattoo",
    "inked": "tattoo",
    "ink": "tattoo",
    "scar": "scar",
    "scars": "scar",
    "scarred": "scar",
    "scarring": "scar",
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
    "mole": "mark",
    "moles": "mark",
    "mark": "mark",
    "marks": "mark",
    "marking": "mark",
    "blemish": "mark",
    "freckles": "mark",
    "pockmarked": "scar",
    "pock marked": "scar",
    "acne scars": "scar",
    "amputation": "amputation",
    "amputated": "amputation",
    "deformity": "deformity",
    "deformed": "deformity",
    "removed tattoo": "removed_tattoo",
    "lasered tattoo": "removed_tattoo",
    "faded tattoo": "removed_tattoo",
    "burn": "scar",
    "burns": "scar",
    "limp": "deformity",
    "broken nose": "deformity",
    "cauliflower ear": "deformity",
    "lazy eye": "deformity",
    "squint": "deformity",
}
_MISSING = re.compile(
    r"\b(?:missing|lost|has no|without)\s+"
    r"(?:a\s+|an\s+|his\s+|her\s+|the\s+|one\s+|two\s+|part of\s+(?:a\s+|his\s+)?)?"
    r"((?:\w+\s+)?(?:finger|fingers|thumb|thumbs|toe|toes|hand|ear|eye|leg|arm|tip))\b",
    re.IGNORECASE,
)
_LOCATION_WORDS = (
    r"(?:on|across|through|under|above|below|over|near|along|down|behind|in|inside|around"
    r"|between|at|by|next to|up)"
)
# Legacy codes, their prefix already spelled out as a word ("TAT L FARM" reads "tattoo L FARM").
_NCIC = re.compile(r"\b((?i:tattoo|scar|mark|mole|pierced|BM|MISS|DEF))\s+([LR]\s+)?([A-Z]{2,6})\b")


@cache
def _mark_pattern() -> re.Pattern[str]:
    kinds = "|".join(sorted((re.escape(k) for k in MARK_WORDS), key=len, reverse=True))
    return re.compile(rf"\b({kinds})\b", re.IGNORECASE)


# What stands before a mark's own words: "he had a snake", "with some writing".
_ARTICLES_BEFORE = re.compile(
    r"^.*\b(?:a|an|the|some|his|her|with|has|had|got|have)\s+", re.IGNORECASE
)


def _is_name(part: str, match: re.Match[str]) -> bool:
    """'Mark' capitalised is a forename unless a place or a look follows it."""
    said = match.group(1)
    if said.lower() not in ("mark", "marks") or not said[0].isupper() or said.isupper():
        return False
    return not re.match(r"\s+(?:on|of|across|above|below|under|near|by)\b", part[match.end() :])


def _sides_spelled(place: str) -> str:
    """Circulations write sides as L and R ("TAT L FOREARM")."""
    return re.sub(r"\b([LR])\b", lambda m: "left" if m.group(1) == "L" else "right", place)


def _read_mark(kind: str, body: str, match: re.Match[str]) -> MarkQuery:
    """One mark from the words around its mark word: what it shows and where it is."""
    before = body[: match.start()]
    after = body[match.end() :]
    description_words = _ARTICLES_BEFORE.sub("", before).strip()
    if of := re.match(
        r"\s*(?:of|saying|reading|that says|which says|with|showing|like)\s+"
        r"(?:a\s+|an\s+|the\s+|some\s+)?(.+?)(?=\s+" + _LOCATION_WORDS + r"\b|$)",
        after,
        re.IGNORECASE,
    ):
        description_words = (description_words + " " + of.group(1)).strip()
    location = None
    if where := re.search(
        rf"\b{_LOCATION_WORDS}\s+(?:his|her|their|the|a|one|each)?\s*(.+)$",
        after,
        re.IGNORECASE,
    ):
        location = where.group(1).strip()
    elif body_map().locate(_sides_spelled(after)).region is not None:
        location = _sides_spelled(after).strip()  # "tattoo L forearm", "scar right cheek"
    elif kind == "piercing" and (part := re.search(r"pierced\s+(\w+)", body, re.IGNORECASE)):
        location = part.group(1)
    elif body_map().locate(before).region is not None and kind != "tattoo":
        location = before.strip()
    if (
        location
        and body_map().locate(location).region is None
        and re.fullmatch(r"(?:him|her|them|it|there)\b.*", location, re.IGNORECASE)
    ):
        location = None  # "a tattoo on him"
    description = description_words or None
    if description and body_map().locate(description).region:
        if location is None:
            location, description = description, None
        elif not tattoo_motifs().find(normalise(description)):
            description = None  # "left arm tattoo on the forearm": a place, said twice
    return MarkQuery(type=kind, location=location, description=description)


def _motif_on_body(part: str) -> MarkQuery | None:
    """'skull and crossbones on his arm': a motif on a body part is a tattoo."""
    where = re.search(rf"\b{_LOCATION_WORDS}\s+(?:his|her|their|the)\s+(.+)$", part, re.IGNORECASE)
    if where is None or body_map().locate(where.group(1)).region is None:
        return None
    motif = tattoo_motifs().find(normalise(part[: where.start()]))
    if not motif:
        return None
    described = _ARTICLES_BEFORE.sub("", part[: where.start()]).strip()
    return MarkQuery(type="tattoo", location=where.group(1).strip(), description=described)


def _key(mark: MarkQuery) -> tuple[object, ...]:
    location = body_map().locate(mark.location) if mark.location else None
    return (mark.type, location, normalise(mark.description or ""))


def _mark_in(part: str, previous: MarkQuery | None) -> MarkQuery | None:
    """The mark a part of a clause names, if any; `previous` is the mark before it in the
    clause, which a part naming only a place repeats."""
    if missing := _MISSING.search(part):
        mark = MarkQuery(type="amputation", location=missing.group(1), description=missing.group(0))
        rest = part[missing.end() :]
        if where := re.search(rf"\b{_LOCATION_WORDS}\s+(?:his|her|the)?\s*(.+)$", rest):
            mark = mark.model_copy(update={"location": where.group(1).strip()})
        return mark
    match = _mark_pattern().search(part)
    if match and not _is_name(part, match):
        return _read_mark(MARK_WORDS[match.group(1).lower()], part, match)
    if (motif := _motif_on_body(part)) is not None:
        return motif
    if previous is not None and body_map().locate(part).region is not None:
        place = re.sub(r"^\s*(?:on\s+)?(?:(?:his|her|their|the|a|both)\s+)?", "", part)
        return previous.model_copy(update={"location": place.strip()})
    return None


def read_marks(reading: Reading) -> None:
    text = reading.work
    marks: list[MarkQuery] = []
    seen: set[tuple[object, ...]] = set()

    def keep(mark: MarkQuery, span: tuple[int, int], said: str) -> None:
        if _key(mark) in seen or len(marks) >= MAX_MARKS:
            return
        seen.add(_key(mark))
        marks.append(mark)
        shown = ", ".join(f"{k} {v}" for k, v in mark.model_dump(exclude_none=True).items())
        reading.understood.append(f'mark: {shown} (from "{said}")')
        reading.used.append(span)

    for code in _NCIC.finditer(text):
        kind = mark_type_of_code(code.group(1)) or MARK_WORDS.get(code.group(1).lower(), "mark")
        coded = locate_code(" ".join(g.strip() for g in code.groups()[1:] if g))
        if coded is not None:
            keep(
                MarkQuery(type=kind, location=coded.describe()),
                code.span(),
                reading.text.quote(code.span()),
            )
    for clause in re.finditer(r"[^,;.!?\n]+", text):
        if any(start <= clause.start() < end for start, end in reading.used):
            continue
        previous: MarkQuery | None = None
        offset = clause.start()
        # The cut words are kept (a capturing split), so that offsets stay exact.
        for part in re.split(r"(\b(?:and|with|plus|also)\b)", clause.group(0)):
            span = (offset, offset + len(part))
            offset += len(part)
            if not part.strip() or re.fullmatch(r"and|with|plus|also", part):
                continue
            found = _mark_in(part, previous)
            if found is not None:
                previous = found
                keep(found, span, " ".join(part.split()))
    if marks:
        reading.parts["marks"] = marks
