"""A forename inside an online handle: 'Ethan_NG6', 'freddie_w_l24', 'carl.j.mcr', 'priyaaa.x'.

An account of an online approach often gives the person only as a handle, and a handle is
often a forename with something after it. The lead of a handle is read as a forename when
it looks like one in the ways handles are made: a known forename ('freddie_w_l24') or a
word followed by an initial ('alfie_m_nrw', 'priyaaa.x'). 'football_fan99', 'cool.kid.23'
and a capitalised word ('Drifter_PLY') are handles of no name; an e-mail address,
a web address, and the witness's or their child's own account ('my son's username') are
not the person's.
"""

import re
from collections.abc import Callable

# A token of letters, then one or more pieces after a dot or underscore, or digits:
# a whole token, in quotes or not, never part of an e-mail or web address.
_HANDLE = re.compile(
    r"(?<![\w.@/])@?(?P<lead>[A-Za-z]{2,})(?P<rest>(?:[._][A-Za-z0-9]+|\d+)+)(?![\w@]|\.\w)"
)
_OWN_ACCOUNT = re.compile(
    r"\b(?:my|our|your|[a-z]+'s)\s+(?:own\s+)?(?:account|username|user\s*name|profile|handle"
    r"|page|gamertag|tag|name)\s*(?:is|was|:)?\s*['\"]?$",
    re.IGNORECASE,
)
# A handle is set off as one: in quotes, after an @, or after a word that gives one.
_GIVEN_AS_HANDLE = re.compile(
    r"(?:['\"@]|\b(?:user|account|username|user\s*name|profile|handle|gamertag|called|named"
    r"|by|from|as|added|messaged)\s*:?\s*)$",
    re.IGNORECASE,
)
_NOT_HANDLES = frozenset(["www", "http", "https", "com", "co", "uk", "org", "net"])


def _squeezed(word: str) -> str:
    """'priyaaa' is Priya: a letter typed three times or more is one letter."""
    return re.sub(r"(\w)\1{2,}", r"\1", word)


def handle_forenames(
    text: str, is_forename: Callable[[str], bool], is_word: Callable[[str], bool]
) -> list[tuple[int, str, tuple[int, int]]]:
    """Forenames read from handles in `text`, with where each stands. `is_forename` says
    whether a word (normalised) is a known forename, `is_word` whether it is a word of the
    description or a place, never a name."""
    found = []
    for match in _HANDLE.finditer(text):
        lead = _squeezed(match["lead"])
        said = lead.lower()
        if len(said) < 3 or said in _NOT_HANDLES or is_word(said):
            continue
        if _OWN_ACCOUNT.search(text[max(0, match.start() - 40) : match.start()]):
            continue
        at = "@" if match[0].startswith("@") else ""
        if not _GIVEN_AS_HANDLE.search(text[max(0, match.start() - 12) : match.start()] + at):
            continue
        pieces = [p for p in re.split(r"[._]", match["rest"]) if p]
        separated = match["rest"][0] in "._"  # "Room101" is no handle of a name
        initial = separated and len(pieces[0]) == 1 and pieces[0].isalpha()
        if is_forename(said) or initial:
            found.append((match.start(), said.title(), match.span()))
    return found
