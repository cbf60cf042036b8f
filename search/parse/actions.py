"""Modus operandi: what the person did, where, to whom, how. Only clauses that say so are
read as MO, less any words another reader took:

- a labelled field ("MO: ...", "Circumstances: ...", "Offence: ...") to the end of its
  sentence;
- a sentence whose subject is the person and whose verb is no verb of looks ("This person
  keeps turning up at...", "The man made out he was...", "... re male who got knocked back
  at the shops and then went for the door staff"), from the verb on;
- any other clause with an action word of `descriptions.json`'s `mo_words`, matched by stem
  ("offering" ~ "offered"), unless its only action words are the weak ones (said, told,
  got, gave: "She told me", "when stopped") or the clause is the witness's own doing ("I
  was walking the dog when this happened").

Words that no reader claims are reported as not understood, never scored as MO."""

import re
from functools import cache

from search.parse.context import words
from search.parse.text import Reading
from search.vocabulary import stem

_LABELLED = re.compile(
    r"\b(?:MO|M\.O\.?|(?i:modus operandi|circumstances|offence|offense))\s*[:\-]\s*([^.;!?\n]+)"
)
_PERSON = (
    r"(?:this|the|a|that)\s+(?:person|man|male|woman|female|suspect|offender|bloke|guy|fella"
    r"|lad|lady|individual)|he|she"
)
# Verbs that say what someone looks or sounds like, not what they did.
_LOOKS = (
    r"was|is|were|had|has|have|looked|looks|sounded|sounds|seemed|seems|appeared|appears"
    r"|wore|wears|stood|stands|spoke|speaks|talked|talks|got\s+(?:a|an)|'s|'d"
    r"|told|tells|said|says|gave|gives|called|calls|answers|answered|goes\s+by"
)
_SUBJECT = re.compile(
    rf"(?:^|(?<=[.!?:]\s)|(?<=\n))(?i:{_PERSON})\s+(?!(?i:{_LOOKS}|or)\b)([a-z][^.;!?\n]*)",
    re.MULTILINE,
)
_WHO = re.compile(
    rf"\b(?i:male|female|man|woman|person|suspect|offender)\s+(?i:who)\s+(?!(?i:{_LOOKS})\b)"
    r"([a-z][^.;!?\n]*)"
)
# The witness's own doing, unless the clause also speaks of the person or an agent.
_OWN = re.compile(r"^\s*(?:i|we|i'd|i'm|we'd|we're)\b", re.IGNORECASE)
# "when he grabbed me", "I was followed by a man"; not "I noticed him".
_OTHER = re.compile(r"\b(?:he|she|they|by)\b", re.I)


@cache
def _action_stems() -> frozenset[str]:
    return frozenset(stem(w) for w in words()["mo_words"])


@cache
def _weak_stems() -> frozenset[str]:
    return frozenset(stem(w) for w in words()["weak_mo_words"])


def _kept(reading: Reading, start: int, end: int) -> str:
    text = reading.text.work
    return "".join(
        " " if reading.consumed(i) else character
        for i, character in enumerate(text[start:end], start)
    )


def _phrase(kept: str) -> str:
    noise = set(words()["not_mo_words"])  # "police are appealing after..."
    return " ".join(w for w in kept.split() if w.lower().strip(",.'") not in noise)


def _framed(reading: Reading) -> list[tuple[int, int]]:
    """The spans that say they are what the person did: a labelled field, a sentence with
    the person as its subject and an action for its verb."""
    text = reading.work
    spans = []
    for labelled in _LABELLED.finditer(text):
        reading.used.append((labelled.start(), labelled.start(1)))  # the label itself
        spans.append(labelled.span(1))
    for pattern in (_SUBJECT, _WHO):
        spans += [m.span(1) for m in pattern.finditer(text)]
    return spans


def _acts(said: list[str]) -> bool:
    stems = {stem(w) for w in said}
    strong = stems & _action_stems() - _weak_stems()
    return bool(strong)


def read_modus_operandi(reading: Reading) -> None:
    text = reading.text.work
    chosen: list[str] = []
    for start, end in _framed(reading):
        if phrase := _phrase(_kept(reading, start, end)):
            chosen.append(phrase)
            reading.used.append((start, end))
    for clause in re.finditer(r"[^,;.!?\n]+", text):
        start, end = clause.span()
        kept = _kept(reading, start, end)
        if _OWN.match(kept) and not _OTHER.search(kept):
            continue  # "I was walking the dog when this happened"
        if _acts(re.findall(r"[a-z']+", kept.lower())) and (phrase := _phrase(kept)):
            chosen.append(phrase)
            reading.used.append((start, end))
    if chosen:
        mo = "; ".join(chosen)
        reading.parts["modus_operandi"] = mo
        reading.understood.append(f'what was done: "{mo}"')
