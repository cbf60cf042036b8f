"""Modus operandi: what the person did, where, to whom, how. Only clauses that say so (an
action word of `descriptions.json`'s `mo_words`, matched by stem: "offering" ~ "offered")
are read as MO, less any words another reader took; words that no reader claims are
reported as not understood, never scored as MO."""

import re
from functools import cache

from search.parse.context import words
from search.parse.text import Reading
from search.vocabulary import stem


@cache
def _action_stems() -> frozenset[str]:
    return frozenset(stem(w) for w in words()["mo_words"])


def read_modus_operandi(reading: Reading) -> None:
    text = reading.text.work
    chosen: list[str] = []
    for clause in re.finditer(r"[^,;.!?\n]+", text):
        start, end = clause.span()
        kept = "".join(
            " " if reading.consumed(i) else character
            for i, character in enumerate(text[start:end], start)
        )
        said = re.findall(r"[a-z']+", kept.lower())
        if any(stem(w) in _action_stems() for w in said):
            noise = set(words()["not_mo_words"])  # "police are appealing after..."
            phrase = " ".join(w for w in kept.split() if w.lower().strip(",.'") not in noise)
            if phrase:
                chosen.append(phrase)
                reading.used.append((start, end))
    if chosen:
        mo = "; ".join(chosen)
        reading.parts["modus_operandi"] = mo
        reading.understood.append(f'what was done: "{mo}"')
