"""Name evidence: a name heard against every name a nominal has used (aliases, nicknames,
birth and married names), tolerant of nicknames (Bill ~ William, from the curated `nicknames`
dataset), spelling (edit distance, rapidfuzz), sound (Metaphone, jellyfish) and partial street
forms ("Smithy", "Jonno")."""

from dataclasses import dataclass
from functools import cache

import jellyfish
from nicknames import NickNamer
from rapidfuzz.distance import JaroWinkler

from search.document import NameDocument
from search.vocabulary import load, normalise


@cache
def _nick_namer() -> NickNamer:
    return NickNamer()


@cache
def _name_family(name: str) -> frozenset[str]:
    """The name, its nicknames, and the names it is a nickname of."""
    namer = _nick_namer()
    family = {name} | namer.nicknames_of(name) | namer.canonicals_of(name)
    for canonical in namer.canonicals_of(name):
        family |= namer.nicknames_of(canonical)
    return frozenset(family)


@cache
def _written_forenames() -> dict[str, frozenset[str]]:
    """The common forenames of `vocabularies/forenames.json`, by the sex mostly given them."""
    data = load("forenames")
    return {sex: frozenset(data[sex]) for sex in ("male", "female", "either")}


def written_forename(name: str) -> bool:
    """Whether `name` (normalised) is one of the common forenames of the written list."""
    return any(name in names for names in _written_forenames().values())


def is_known_forename(name: str) -> bool:
    """Whether `name` (normalised) is a forename or a nickname that the `nicknames` dataset
    knows, or one of the common forenames of `vocabularies/forenames.json` (Kyle, Liam,
    Imran: the dataset is American and lacks many British ones)."""
    if written_forename(name):
        return True
    namer = _nick_namer()
    return bool(namer.nicknames_of(name) or namer.canonicals_of(name))


def forename_sex(name: str) -> str | None:
    """ "M" or "F" where the common forenames list gives `name` (normalised) mostly to men
    or to women; None for a name given to both, or not in the list."""
    written = _written_forenames()
    if name in written["either"]:
        return None
    return "M" if name in written["male"] else "F" if name in written["female"] else None


def forenames_agree(heard: str, recorded: str) -> bool:
    return heard == recorded or recorded in _name_family(heard)


@cache
def _sound(name: str) -> str:
    return jellyfish.metaphone(name) if name else ""


def spelled_alike(heard: str, recorded: str) -> bool:
    if not heard or not recorded:
        return False
    if (
        len(heard) >= 4
        and len(recorded) >= 4
        and (heard.startswith(recorded[:4]) or recorded.startswith(heard[:4]))
    ):
        return True  # "smithy" for Smith, "jonno" for Jonathan
    if JaroWinkler.similarity(heard, recorded) >= 0.9:
        return True
    # Metaphone alone is loose on short names (Dave and Taff are both "TF").
    return heard[0] == recorded[0] and len(heard) >= 4 and _sound(heard) == _sound(recorded)


@dataclass(frozen=True)
class NameMatch:
    level: str  # "full", "surname", "forename", "alike", "none"
    matched: NameDocument | None


def best_name_match(heard: str, names: tuple[NameDocument, ...]) -> NameMatch:
    tokens = normalise(heard).split()
    if not tokens:
        return NameMatch("none", None)
    best = NameMatch("none", None)
    rank = {"none": 0, "alike": 1, "forename": 2, "surname": 3, "full": 4}
    for name in names:
        level = name_level(tokens, name)
        if rank[level] > rank[best.level]:
            best = NameMatch(level, name)
    return best


def name_level(tokens: list[str], name: NameDocument) -> str:
    """How a heard name (as words) agrees with one recorded name: full, surname, forename,
    alike or none."""
    surname_words = name.surname.split()
    heard = " ".join(tokens)
    if name.forename and heard == name.forename:
        return "forename"  # a nickname of several words: "Big Man", "Mad Dog"
    if len(tokens) >= 2:
        # Surname first, as on a charge sheet: "Smith David".
        if (
            tokens[0] in surname_words
            and name.forename
            and forenames_agree(tokens[-1], name.forename.split()[0])
        ):
            return "full"
        first, last = tokens[0], tokens[-1]
        surname_exact = last in surname_words or " ".join(tokens[1:]) == name.surname
        forename_ok = bool(name.forename) and forenames_agree(first, name.forename.split()[0])
        if surname_exact and forename_ok:
            return "full"
        if surname_exact:
            return "surname"
        if forename_ok and any(spelled_alike(last, s) for s in surname_words):
            return "alike"
        return "none"
    token = tokens[0]
    forename = name.forename.split()[0] if name.forename else ""
    if forename and token == forename:
        return "forename"
    if token in surname_words:
        return "surname"
    # A forename heard alone that is only another form of the recorded one (Mark for
    # Marcus, Luke for Lucas, Jack for John) is a name alike, not the same name: the
    # nickname lists join names many people bear separately (Ian, Ivan and Jack all list
    # under John), so such a form tells as little as a near spelling does.
    if forename and forenames_agree(token, forename):
        return "alike"
    if spelled_alike(token, forename) or any(spelled_alike(token, s) for s in surname_words):
        return "alike"
    return "none"


def sound_key(word: str) -> str:
    """Metaphone, prefixed with the first letter: the names module only calls two names
    alike by sound when they also start alike (Dave and Taff are both "TF")."""
    return f"{word[0]}:{jellyfish.metaphone(word)}" if word else ""
