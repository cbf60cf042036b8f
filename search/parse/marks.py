"""Distinguishing marks: what kind, where, and what it shows (one part of a clause at a time,
`mark_phrases`), put together sentence by sentence.

A sentence is cut into parts at commas and at "and"/"with"/"plus"/"also" where what follows
names another mark ("scar on left cheek and a tattoo on neck"), not between colours ("a
green, white and orange flag") or inside what a mark shows ("a knife with blood dripping").
Then, within the sentence:

- a place said alone refines the mark before it ("a skull on his face, ... on his cheek";
  "a mole on his hand, on his knuckles"), or after "and" repeats it elsewhere ("tattoos on
  his neck and arms");
- a mark word with nothing said of it is the mark beside it said again ("a snake on the side
  of his head, a tattoo"; "a mark on his hand, an old scar" is a scar);
- a motif alone says what the mark before it shows ("a tattoo over his eye, a bird"), or,
  before "and", joins the next ("a snake and a knife on his eyebrow");
- what the witness takes back is dropped ("an earring - no, a tattoo on his ear");
- "one" at another place is one more mark of the kind just said, in its sentence or the
  one before ("a rose on his neck and a blue one on his hand"; "... And a green one on his
  earlobe.");
- a mark not named ("something wrong with his ear") is a scar where its sentence says a
  wound ("like a cut"), a mark otherwise.

Marks of someone else ("The injured man has a tattoo on his neck") are not read. The same
mark said twice counts once, and a description holds at most MAX_MARKS, as a structured
query does. Legacy codes ("TAT L FARM") are read by their table.
"""

import re

from search.body_map import body_map, locate_code, mark_type_of_code
from search.parse.mark_phrases import (
    MARK_WORDS,
    NOT_NAMED,
    Found,
    is_bare,
    labelled,
    mark_word,
    own_words_start,
    read_part,
    shows_nothing,
)
from search.parse.mentions import role_of
from search.parse.text import Reading
from search.query import MarkQuery
from search.vocabulary import normalise

MAX_MARKS = 20  # the query schema's limit on marks

# Legacy codes, their prefix already spelled out as a word ("TAT L FARM" reads "tattoo L FARM").
_NCIC = re.compile(r"\b((?i:tattoo|scar|mark|mole|pierced|BM|MISS|DEF))\s+([LR]\s+)?([A-Z]{2,6})\b")
_COLOURS = (
    r"(?:red|green|blue|black|white|orange|yellow|purple|pink|grey|gray|gold|silver|brown"
    r"|navy|dark|light)"
)
_CUT = re.compile(
    r"(,|;|(?<!\d):(?!\d)|\s-\s|(?<=[a-z])/(?=[A-Za-z]))|\b(and|with|plus|also)\b", re.IGNORECASE
)
_ONE_OF_THEM = re.compile(r"\s*one(?:\s+of\s+them)?\s+(?:is|was|says|shows|of)\b", re.IGNORECASE)
_COLOUR_BEFORE = re.compile(rf"\b{_COLOURS}\s*$", re.IGNORECASE)
_COLOUR_AFTER = re.compile(rf"^\s*{_COLOURS}\b", re.IGNORECASE)
_TAKEN_BACK = re.compile(r"(?:\s-\s*|,\s*)no\s*,\s*|\bno,\s*actually\b", re.IGNORECASE)
_MAY_HOLD_A_MARK = re.compile(
    r"\b(?:on|across|over|under|above|below|behind|through|down|beside|by|of)\s+(?:all\s+)?(?:his|her|the)\b"
    r"|\b(?:missing|bent|crooked|fingers?|thumb|teeth|tooth)\b"
    r"|\b(?:wrong|odd|funny|weird|strange|not\s+right)\s+(?:with|about)\b"
    r"|\b(?:rings?|hoops?|bars?|bolts?|sleepers?|spikes?|plugs?|tunnels?|gauges?)\s+(?:through|in)\b",
    re.IGNORECASE,
)
_SPECIFIC = ("tattoo", "scar", "birthmark", "piercing", "amputation", "deformity", "removed_tattoo")


def _quotes_blanked(text: str) -> str:
    return re.sub(r"(?<![A-Za-z])'|'(?![A-Za-z])", " ", text)


def _key(mark: MarkQuery) -> tuple[object, ...]:
    location = body_map().locate(mark.location) if mark.location else None
    return (mark.type, location, normalise(mark.description or ""))


def _parts(sentence: str, offset: int) -> list[tuple[str, tuple[int, int], str]]:
    """The parts of a sentence, each with its span and the word that cut it off ("and")."""
    pieces: list[tuple[str, tuple[int, int], str]] = []
    position, cut_by = 0, ","
    for cut in _CUT.finditer(sentence):
        word = (cut.group(2) or "").lower()
        if _COLOUR_BEFORE.search(sentence[: cut.start()]) and _COLOUR_AFTER.match(
            sentence[cut.end() :]
        ):
            continue  # "a green, white and orange flag"
        if word and not _names_another(sentence[cut.end() :], word):
            continue  # "a knife with blood dripping", "a snake and a knife on his eyebrow"
        if word == "and" and _shows_more(sentence[position : cut.start()], sentence[cut.end() :]):
            continue  # "a tattoo of a skull and crossbones on his hand": one mark
        pieces.append(
            (sentence[position : cut.start()], (offset + position, offset + cut.start()), cut_by)
        )
        position, cut_by = cut.end(), word or (":" if cut.group(1) == ":" else ",")
    pieces.append((sentence[position:], (offset + position, offset + len(sentence)), cut_by))
    return [p for p in pieces if p[0].strip()]


def _shows_more(before: str, rest: str) -> bool:
    """Whether "and" goes on with what a mark shows: the mark before it says what it shows
    but not yet where, and what follows is a motif with a place but no mark word."""
    upto = re.split(r"[,;]|\b(?:and|with|plus|also)\b", rest, maxsplit=1)[0]
    said, following = read_part(before), read_part(upto)
    return (
        said is not None
        and said.kind == "mark"
        and bool(said.mark.description)
        and not said.mark.location
        and mark_word(before) is not None
        and following is not None
        and following.kind == "mark"
        and mark_word(upto) is None
        and following.mark.type == "tattoo"
    )


def _names_another(rest: str, word: str) -> bool:
    upto = re.split(r"[,;]|\b(?:and|with|plus|also)\b", rest, maxsplit=1)[0]
    found = read_part(upto)
    if found is None:
        return False
    if word == "with" and mark_word(upto) is None and found.mark.type == "tattoo":
        return False  # "a bird with open wings on the left cheek": what the bird shows
    return found.kind in ("mark", "another") or (found.kind == "place" and word == "and")


def _compatible(bare: MarkQuery, other: MarkQuery) -> bool:
    return bare.type == other.type or "mark" in (bare.type, other.type) or other.type is None


def _merged(bare: MarkQuery, other: MarkQuery) -> MarkQuery:
    kind = other.type if other.type in _SPECIFIC else bare.type
    description = other.description or bare.description
    return other.model_copy(update={"type": kind, "description": description})


def _refines(place: str, mark: MarkQuery) -> bool:
    new = body_map().locate(place).region
    old = body_map().locate(mark.location).region if mark.location else None
    return old is None or (new is not None and old in body_map().ancestors(new))


def _resolve_it(place: str | None, sentence: str) -> str | None:
    """'bumpy marks on the back of it': "it" is the body part said before (the head)."""
    if not place or not re.search(r"\b(?:it|that)\b", place, re.IGNORECASE):
        return place
    named = body_map().regions.find(normalise(sentence))
    if not named:
        return place
    return re.sub(r"\b(?:it|that)\b", named[0].phrase, place, flags=re.IGNORECASE)


def _in_sentence(
    sentence: str, offset: int, said_before: MarkQuery | None = None
) -> list[tuple[MarkQuery, tuple[int, int]]]:
    """The marks of one sentence, put together as the module's docstring says;
    `said_before` is the last mark of the sentence before, of which "And a green one on his
    earlobe." says one more."""
    taken_back = list(_TAKEN_BACK.finditer(sentence))
    if taken_back:  # "He said he had an earring - no, a tattoo on his ear."
        cut = taken_back[-1].end()
        sentence, offset = sentence[cut:], offset + cut
    marks: list[tuple[MarkQuery, tuple[int, int]]] = []
    waiting: list[str] = []  # motifs said before "and" a mark: "a snake and a knife"
    pending: str | None = None  # a place said before any mark
    headings: list[int] = []  # marks said in general before the ones they list
    listed_at: str | None = None  # where a heading says the marks it lists are
    for part, span, cut_by in _parts(sentence, offset):
        found = read_part(part)
        previous_mark = marks[-1][0] if marks else None
        if found is None and cut_by == ":" and previous_mark and is_bare(previous_mark):
            # "Tattoo: 'Jade' on left wrist": what a label's words show, where they say
            found = labelled(part, previous_mark)
        if found is None:
            continue
        span = (span[0] + own_words_start(part), span[1])
        mark = found.mark.model_copy(
            update={"location": _resolve_it(found.mark.location, sentence)}
        )
        previous = marks[-1][0] if marks else None
        if found.kind == "another":
            kind_of = previous or said_before
            if kind_of is not None and kind_of.type is not None:
                marks.append((MarkQuery(type=kind_of.type, **_place_and_words(found.mark)), span))
            continue
        if (
            found.kind == "mark"
            and previous is not None
            and not previous.description
            and (cut_by == ":" or _ONE_OF_THEM.match(part))
            and _compatible(previous, mark)
        ):
            # "tattoos on the face: a knife under the eye, and a spider on the cheek", "many
            # tattoos on the face; one is a bird on the left cheek": the marks listed, not
            # the heading too.
            headings.append(len(marks) - 1)
            listed_at = previous.location
        if found.kind == "mark" and listed_at and not mark.location:
            mark = mark.model_copy(update={"location": listed_at})
        if found.kind == "place" and mark.location:
            if previous is None:
                pending = mark.location  # "On his neck there was like a smudge, like a tattoo..."
            elif cut_by == "and" and not _refines(mark.location, previous):
                # "a web on his eyebrow and something on his lip, like a dragon": a mark of
                # the same kind elsewhere, which need not show the same
                elsewhere: dict[str, str | None] = {"location": mark.location}
                if re.match(r"\s*(?:something|a\s+thing)\b", part, re.IGNORECASE):
                    elsewhere["description"] = None
                marks.append((previous.model_copy(update=elsewhere), span))
            elif previous is not None and _refines(mark.location, previous):
                marks[-1] = (previous.model_copy(update={"location": mark.location}), marks[-1][1])
            continue
        if found.kind == "motif" and previous is None and pending:
            # "On his face, on the cheek, there is a small star drawn": a motif where a
            # place was said first is a tattoo there.
            found = Found(mark.model_copy(update={"location": pending}), "mark")
            mark = found.mark
        if found.kind == "motif":
            if previous is not None and shows_nothing(previous.description):
                # "a small tattoo above his eye, like a star": what the small tattoo shows
                shown = " ".join(filter(None, (previous.description, mark.description)))
                marks[-1] = (previous.model_copy(update={"description": shown}), marks[-1][1])
            else:
                waiting.append(mark.description or "")
            continue
        if pending and not mark.location:
            mark = mark.model_copy(update={"location": pending})
        pending = None
        if waiting and mark.description:
            mark = mark.model_copy(
                update={"description": " and ".join([*waiting, mark.description])}
            )
            waiting = []
        marks.append((mark, span))
    kept = _bare_ones_merged([m for i, m in enumerate(marks) if i not in headings])
    return [(_named_by(mark, sentence), span) for mark, span in kept]


# What a wound leaves: "something wrong with his ear, like a cut" is a scar.
_WOUND = re.compile(
    r"\b(?:cut|cuts|split|slash|slashed|gash|wound|healed|stitches|stitched|bitten|burnt"
    r"|burned|sliced)\b",
    re.IGNORECASE,
)


def _named_by(mark: MarkQuery, sentence: str) -> MarkQuery:
    """A mark not named ("something wrong with his ear") is a scar where its sentence says
    a wound ("like a cut"), and a mark otherwise."""
    if mark.description != NOT_NAMED:
        return mark
    kind = "scar" if _WOUND.search(sentence) else "mark"
    return mark.model_copy(update={"type": kind})


def _place_and_words(mark: MarkQuery) -> dict[str, str | None]:
    return {"location": mark.location, "description": mark.description}


def _bare_ones_merged(
    marks: list[tuple[MarkQuery, tuple[int, int]]],
) -> list[tuple[MarkQuery, tuple[int, int]]]:
    """A mark word said again of the mark beside it ("a rose on his ear, a tattoo") is one
    mark, of the more precise kind."""
    kept = list(marks)
    index = 0
    while index < len(kept):
        mark = kept[index][0]
        if is_bare(mark) and len(kept) > 1:
            neighbours = [i for i in (index - 1, index + 1) if 0 <= i < len(kept)]
            others = [
                i for i in neighbours if not is_bare(kept[i][0]) and _compatible(mark, kept[i][0])
            ]
            if others:
                other = others[0]
                spans = (kept[other][1], kept[index][1])
                both = (min(s for s, _ in spans), max(e for _, e in spans))
                kept[other] = (_merged(mark, kept[other][0]), both)
                del kept[index]
                continue
        index += 1
    return kept


_HOLDER = re.compile(
    r"\b(man|woman|victim|girl|boy|lady|lad|child|male|female|girlfriend|boyfriend|wife|husband"
    r"|partner|mate|friend|brother|sister|mother|father|mum|dad|son|daughter)\s+(?:\w+\s+)?"
    r"(?:has|had|have|'s\s+got"
    r"|suffered|sustained|was\s+left\s+with|with)\b",
    re.IGNORECASE,
)


# "He left her with a scar on her face", "gave me a black eye": a mark he made on someone.
_GIVEN = re.compile(
    r"\b(?:left|leaving|gave|giving|caused|causing|inflicted|inflicting)\s+(?:her|him|me|us|them"
    r"|the\s+(?:victim|girl|boy|woman|man|lad))\b",
    re.IGNORECASE,
)


_HE_AGAIN = re.compile(r"(?:[,;]\s*|\b(?:and|but)\s+)(?:he|she)\b", re.IGNORECASE)


def _someone_elses(text: str, start: int, end: int) -> bool:
    """Whether a mark said in text[start:end] is on someone other than the person described
    ("The injured man has a distinctive tattoo on his neck", "The victim suffered bite
    marks", "He left her with a scar")."""
    sentence_start = max(text.rfind(c, 0, start) for c in ".!?\n") + 1
    if any("," not in text[g.end() : end] for g in _GIVEN.finditer(text, sentence_start, end)):
        return True
    holders = list(_HOLDER.finditer(text, sentence_start, end))
    if not holders:
        return False
    noun = holders[-1]
    if _HE_AGAIN.search(text, noun.end(), end):
        return False  # "My daughter has a scar on her arm, he has a tattoo": his, after "he"
    return noun.group(1).lower() == "victim" or role_of(text, *noun.span(1)) == "other"


def read_marks(reading: Reading) -> None:
    text = _quotes_blanked(reading.work)
    marks: list[MarkQuery] = []
    seen: set[tuple[object, ...]] = set()

    def keep(mark: MarkQuery, span: tuple[int, int]) -> None:
        if _key(mark) in seen or len(marks) >= MAX_MARKS:
            return
        seen.add(_key(mark))
        marks.append(mark)
        shown = ", ".join(f"{k} {v}" for k, v in mark.model_dump(exclude_none=True).items())
        reading.understood.append(f'mark: {shown} (from "{reading.text.quote(span)}")')
        reading.used.append(span)

    coded_spans = []
    for code in _NCIC.finditer(text):
        kind = mark_type_of_code(code.group(1)) or MARK_WORDS.get(code.group(1).lower(), "mark")
        coded = locate_code(" ".join(g.strip() for g in code.groups()[1:] if g))
        if coded is not None:
            keep(MarkQuery(type=kind, location=coded.describe()), code.span())
            coded_spans.append(code.span())
    said_before: MarkQuery | None = None  # the last mark of the sentence before
    for sentence in re.finditer(r"[^.!?\n]+", text):
        if not mark_word(sentence.group(0)) and not _MAY_HOLD_A_MARK.search(sentence.group(0)):
            said_before = None
            continue
        in_sentence = _in_sentence(sentence.group(0), sentence.start(), said_before)
        said_before = in_sentence[-1][0] if in_sentence else None
        for mark, span in in_sentence:
            if any(s <= span[0] < e or span[0] <= s < span[1] for s, e in coded_spans) or any(
                s <= span[0] < e for s, e in reading.aside
            ):
                # "SMT: SC R CHK": read by its code already; appeal boilerplate. A garment
                # inside the mark's words is blanked already ("a cross tattoo on his chest
                # when he takes his t-shirt off").
                continue
            if _someone_elses(text, span[0], span[1]) or mark.type is None:
                continue
            keep(mark, span)
    # A mark word with nothing said of it, where a mark of its kind is read ("Which side's
    # the scar?"), is that mark again.
    marks = [
        m
        for m in marks
        if not is_bare(m)
        or not any(o is not m and not is_bare(o) and _compatible(m, o) for o in marks)
    ]
    if marks:
        reading.parts["marks"] = marks
