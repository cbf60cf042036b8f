"""What no reader claimed: listed back to the user as not understood, clause by clause."""

import re

from search.parse.context import words
from search.parse.text import Reading


def leftovers(reading: Reading) -> list[str]:
    text = reading.text.work
    covered = [False] * len(text)
    for start, end in [*reading.used, *reading.aside]:
        for i in range(max(0, start), min(len(text), end)):
            covered[i] = True
    stop = set(words()["stopwords"])
    kept = "".join(" " if c else ch for ch, c in zip(text, covered, strict=True))
    left = []
    for piece in re.split(r"[,;.!?\n]", kept):
        said = [w for w in re.findall(r"[\w'-]+", piece) if w.lower() not in stop]
        if said:
            left.append(" ".join(said))
    return left
