"""Eye colour and facial hair.

Eyes: a circulation's field ("Eyes: BLU"), the words before ("striking green eyes") and
after them, in their clause and the list items that go on about them ("light eyes, blue",
"his eyes are grey like a wolf", "His eyes were pale, greyish"). "A black eye" is an injury,
not a colour. Facial hair: the first of `traits.json`'s facial-hair words said.
"""

import re

from search.parse.context import sentence_bounds
from search.parse.text import Reading
from search.vocabulary import eye_colours, facial_hair

_LABEL = re.compile(r"\beyes?\s*[:\-]\s*([^.;:\n]*?)(?=\s+[A-Za-z]+\s*:|[.;\n]|$)", re.IGNORECASE)
_BEFORE = re.compile(r"(?<![\w'-])((?:[\w'-]+\s+){0,2})(?:eyes|eyed)\b", re.IGNORECASE)
_AFTER = re.compile(r"\beyes\b\s*(?:were|are|was|is|,)?", re.IGNORECASE)
_AFTER_LEAD = re.compile(
    r"^\s*(?:(?:very|really|quite|like|a|sort of|kind of|bright|striking|piercing)\s+)*", re.I
)
_WINDOW = 60


def _quotes_blanked(text: str) -> str:
    return re.sub(r"(?<![A-Za-z])'|'(?![A-Za-z])", " ", text)


def read_eyes(reading: Reading) -> None:
    text = _quotes_blanked(reading.work)
    for label in _LABEL.finditer(text):
        if term := eye_colours().canonical(label.group(1)):
            reading.take("eye_colour", term, label.span(), f"eye colour: {term}")
            return
    for match in _BEFORE.finditer(text):  # "a black eye" is an injury: "eyes" only
        if re.search(
            r"\b(?:hair|height|hgt|build|race|sex)\s*:\s*$",
            text[max(0, match.start() - 12) : match.start()],
            re.I,
        ):
            continue  # "Hair: BLK Eyes": the black is the hair's
        found = eye_colours().index.find(match.group(1).lower())
        if found:
            term = found[-1].term
            reading.take("eye_colour", term, match.span(), f"eye colour: {term}")
            return
    for match in _AFTER.finditer(text):
        _, end = sentence_bounds(text, match.end())
        for item in re.split(r",|\s-\s", text[match.end() : min(end, match.end() + _WINDOW)])[:3]:
            lead = _AFTER_LEAD.match(item)
            said = item[lead.end() :] if lead else item
            if term := eye_colours().canonical(" ".join(said.split()[:3])):
                reading.take("eye_colour", term, match.span(), f"eye colour: {term}")
                return


def read_facial_hair(reading: Reading) -> None:
    """The first facial-hair words said; words in brackets after them say what they meant
    ("a grey beard (two to three days' growth)" is stubble)."""
    text = _quotes_blanked(reading.work.lower())
    for found in facial_hair().index.find(text):
        term, end = found.term, found.end
        bracket = re.match(r"\s*\(([^)]{1,60})\)", text[found.end :])
        meant = facial_hair().canonical(bracket.group(1)) if bracket else None
        if bracket and meant:
            term, end = meant, found.end + bracket.end()
        if reading.take("facial_hair", term, (found.start, end), f"facial hair: {term}"):
            return
