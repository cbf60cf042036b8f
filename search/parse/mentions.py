"""Whom a person word names: the person described, someone else, or it cannot say.

A description names several people: the one described and often a victim ("an 83-year-old
woman was threatened"), the witness ("I'm 14") or their family ("my son, he's twelve"). A
noun or pronoun is judged by the words around it, within its clause:

- someone else: what was done is done to it ("a woman was followed", "young man punched",
  "punched an Asian man", "had his phone taken"), it reported what happened ("female caller
  reports"), it belongs to the witness ("my dad"), or it is one of an either/or ("a man or a
  woman");
- the person described: named as such ("Susp: male", "trace a man", "the suspect, a man"),
  the agent of a passive ("by a man"), or followed or preceded by what describes a body ("a
  man in his 40s", "W/M, 30s", "he had short hair", "she is described as", "white guy");
- otherwise it cannot say.
"""

import re
from functools import cache
from typing import Literal

from search.parse.context import answers_about_someone_else, clause_bounds, words
from search.vocabulary import load, normalise, stem

Role = Literal["described", "other", "unknown"]

_DETERMINERS = frozenset(words()["determiners"])
_PASSIVE = (
    r"(?:(?:who\s+)?(?:was|were|is|are|had\s+been|has\s+been|have\s+been|got|being|been)\s+)?"
)
# What may stand between a noun and what is said of it: an age, "in her 70s", "with
# learning disabilities", "who had been drinking".
_REACH = 120  # characters: how far back the words about a person word are looked for
_IN_DECADE = r"in\s+(?:his|her|their)\s+(?:early\s+|mid\s+|late\s+)?[\w'-]+"
_APPOSITION = (
    rf"(?:\s*,\s*(?:aged\s+|all\s+|both\s+)?(?:\d{{1,2}}(?:\s+and\s+\d{{1,2}})?|{_IN_DECADE})\s*,?"
    rf"|\s*\(\d{{1,2}}\)|\s+aged\s+\d{{1,2}}|\s+{_IN_DECADE}"
    r"|\s+with\s+[\w\s-]{1,30}?(?=\s+(?:was|were)\b)|\s+(?:who|that)\s+had\s+been\s+\w+)?"
)


@cache
def trait_words() -> frozenset[str]:
    """Single words that describe a body: traits' words and the nouns they go with."""
    traits = load("traits")
    found: set[str] = set()

    def add(phrases: object) -> None:
        if isinstance(phrases, dict):
            for key, value in phrases.items():
                add(key)
                add(value)
        elif isinstance(phrases, list):
            for phrase in phrases:
                add(phrase)
        elif isinstance(phrases, str) and len(normalise(phrases).split()) == 1:
            found.add(normalise(phrases))  # single words only: "going grey" is no trait word

    add(traits["builds"]["synonyms"])
    add(traits["hair_colours"]["families"])
    add(traits["hair_lengths"]["synonyms"])
    add(traits["facial_hair"]["groups"])
    add(traits["ethnic_appearance"]["words"])
    found -= _DETERMINERS | set(words()["stopwords"]) | set(words()["other_owners"])
    found -= {"none", "crew", "bob", "collar", "shoulders", "regular", "pepper", "raven"}
    found |= set(
        [
            "hair",
            "haired",
            "beard",
            "bearded",
            "moustache",
            "stubble",
            "goatee",
            "tattoo",
            "tattoos",
            "tattooed",
            "scar",
            "scars",
            "scarred",
            "eyes",
            "accent",
            "build",
            "built",
            "complexion",
            "skin",
            "skinned",
            "height",
            "tall",
            "short",
            "looking",
            "appearance",
            "glasses",
            "piercing",
            "earring",
            "mole",
            "birthmark",
            "teeth",
        ]
    )
    return frozenset(found)


@cache
def _victim_stems() -> frozenset[str]:
    return frozenset(stem(w) for w in words()["victim_verbs"])


@cache
def _participles() -> frozenset[str]:
    return frozenset(words()["victim_verbs"])


def _is_victim_verb(word: str) -> bool:
    return stem(word.lower()) in _victim_stems()


def _acted_on_by(word: str) -> bool:
    """Whether `word` is a verb of what is done to a victim ("punched", "approaching"): a
    past form, or an -ing or -s form of one, so that "knife" is no "knifed"."""
    word = word.lower()
    return word in _participles() or (word.endswith(("ing", "s")) and _is_victim_verb(word))


@cache
def _reporter() -> re.Pattern[str]:
    said = "|".join(re.escape(w) for w in words()["reporter_words"])
    return re.compile(
        rf"^{_APPOSITION}\s*(?:\(|,)?\s*(?:has\s+|have\s+|had\s+|who\s+)?(?:{said})\b",
        re.IGNORECASE,
    )


@cache
def _cue_before() -> re.Pattern[str]:
    cues = "|".join(re.escape(w) for w in sorted(words()["described_cues"], key=len, reverse=True))
    return re.compile(rf"\b(?:{cues})\b((?:[\s:,]+[\w/'-]+){{0,5}})[\s:,]*$", re.IGNORECASE)


_BETWEEN_CUE = frozenset(words()["cue_fillers"])


def _cued(text: str, sentence_start: int, start: int) -> bool:
    """Whether a cue naming the person described stands just before `start`, with only
    describing words between ("Susp: male", "trace a black man", "described as a white")."""
    cue = _cue_before().search(text[sentence_start:start])
    if cue is None:
        return False
    between = _tokens(cue.group(1))
    return all(w in _BETWEEN_CUE or w in trait_words() or w[:1].isdigit() for w in between)


_VICTIM_AFTER = re.compile(
    rf"^{_APPOSITION}\s*,?\s*{_PASSIVE}(?:then\s+|also\s+|repeatedly\s+|allegedly\s+)?([a-z]+)\b",
    re.IGNORECASE,
)
_PASSIVE_AFTER = re.compile(
    rf"^{_APPOSITION}\s*,?\s*(?:who\s+)?(?:was|were|had\s+been|has\s+been|got|being|been)\b",
    re.IGNORECASE,
)
_APPOSED_TO_VICTIM = re.compile(
    r"\b(?:victim|victims|complainant|injured party)\s*,\s*(?:[\w'-]+\s+){0,4}$", re.IGNORECASE
)
_HAD_TAKEN = re.compile(
    rf"^{_APPOSITION}\s*,?\s*(?:have\s+|has\s+)?(?:had|has|got)\s+(?:his|her|their)\s+\w+(?:\s+\w+)?\s+(?:taken|stolen|snatched"
    r"|grabbed|pulled|touched)\b",
    re.IGNORECASE,
)
# "a man or a woman", "male/female"; not the items of a slash list ("male/white/30s").
_ALTERNATIVE = re.compile(
    r"^\s*or\s*(?:a\s+|an\s+)?[a-z]+\b"
    r"|^\s*/\s*(?:a\s+|an\s+)?(?:male|female|man|woman|boy|girl|lad|lady|guy|m|f)\b"
)


def _tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9][a-z0-9'/-]*", text.lower())


def is_victim(text: str, start: int, end: int) -> bool:
    """Whether something is done to the person at text[start:end], or they reported it."""
    clause_start, _ = clause_bounds(text, start)
    ends = [i for c in ".?!\n" if (i := text.find(c, end)) != -1]
    after = text[end : min([*ends, end + 80])]
    if _HAD_TAKEN.match(after) or _reporter().match(after):
        return True  # "a man had his phone taken", "female caller reports"
    if (victim := _VICTIM_AFTER.match(after)) and victim.group(1).lower() in _participles():
        following = after[victim.end() :]
        # "a woman was followed" and "young man punched" are passives; "a man followed her"
        # and "a man exposed himself to" are what he did.
        if _PASSIVE_AFTER.match(after) or re.match(
            r"\s*(?:[,;:]|$|(?:by|and|in|on|at|from|near|outside|inside|with|after|while|when"
            r"|through|to|into|for|behind|as|then|twice|again|repeatedly|earlier|today"
            r"|yesterday|last|this)\b)",
            following,
            re.IGNORECASE,
        ):
            return True  # "young man punched, phone taken"; not "man, offered girls a lift"
    clause_start = max(clause_start, text.rfind(" - ", 0, start) + 3)
    before = _tokens(text[clause_start:start])
    if re.search(
        r"\b(?:assault|attack|robbery|mugging|murder)\s+(?:on|of)\s+(?:an?\s+|the\s+)?(?:[\w-]+\s+)?$",
        text[clause_start:start],
        re.IGNORECASE,
    ):
        return True  # "an assault on a man (55)"
    # The object of what was done: "punched an Asian man", "approached a young woman".
    for word in reversed(before[-4:]):
        if _acted_on_by(word):
            return True
        if word in _DETERMINERS or word in trait_words() or word.isdigit() or "-" in word:
            continue
        if word in ("old", "young", "elderly", "older", "vulnerable", "lone", "teenage"):
            continue
        break
    return False


def _describes_after(text: str, end: int) -> bool:
    after = text[end : end + 70].lower()
    if re.match(
        r"\s*(?:[,:(/]|-\s)?\s*(?:\d{1,2}\s*(?:s\b|'s|yrs|years|y/o|ish|-ish|\b)|ic\s?\d|approx"
        r"|(?:about|around|like|maybe|roughly|probably)\s+(?:\d|twenty|thirty|forty|fifty|sixty|seventy)|aged|age\s*[:\d]|early|mid|late|in\s+(?:his|her|their)\s+(?:early\s+|mid"
        r"\s+|late\s+)?(?:\d0|teens|twenties|thirties|forties|fifties|sixties|seventies)"
        r"|of\s+(?:about|around|\w+\s+(?:build|appearance|height|descent|origin))"
        r"|(?:who\s+)?(?:is|was)\s+(?:described|believed|thought|aged|about|around|approx"
        r"|approximately|in\s+(?:his|her|their))|described\s+as)",
        after,
    ):
        return True
    verb = re.match(
        r"\s*(?:,\s*)?(?:who\s+|that\s+)?(?:'s\s+got|has\s+got|had\s+got|is|was|'s|were|looked"
        r"|looks|seemed|had|has|got|with|wore|wears)\s+(?:(?:very|quite|really|a|an|bit|fairly"
        r"|about|around|possibly|probably|maybe|like|also|some|his|her|long|short|dark|light"
        r"|big|small|little|thick|full|bushy|curly|straight|scruffy|neat|proper|dead|well)\s+)*"
        r"([a-z-]+)",
        after,
    )
    if verb and (verb.group(1) in trait_words() or verb.group(1).isdigit()):
        return True
    listed = re.match(r"\s*,\s*([a-z-]+)", after)
    return bool(listed and listed.group(1) in trait_words() - {"hair", "eyes", "looking"})


def _describes_before(text: str, start: int) -> bool:
    """A trait word just before the noun: "black man", "skinny old guy" (an age word alone,
    "an old lady", does not say whom)."""
    clause_start, _ = clause_bounds(text, start)
    before = [w for w in _tokens(text[clause_start:start])[-3:] if w not in _AGE_ADJECTIVES]
    if before[-1:] in (["year"], ["years"], ["yr"], ["year-old"]):
        return False  # "a 14-year-old girl": an age says nothing of whom
    return bool(before) and before[-1] in trait_words()


_AGE_ADJECTIVES = frozenset(["old", "older", "young", "younger", "elderly", "oldish"])


def role_of(text: str, start: int, end: int) -> Role:
    """Whom the person word at text[start:end] names (see the module's docstring)."""
    clause_start, _ = clause_bounds(text, start)
    # Within its sentence, and no further back than a long clause: work stays linear.
    sentence_start = max(max(text.rfind(c, 0, start) for c in ".?!\n") + 1, start - _REACH)
    before = _tokens(text[max(clause_start, start - _REACH) : start])
    if _APPOSED_TO_VICTIM.search(text[sentence_start:start]):
        return "other"  # "the victim, a 19-year-old woman"
    if before[-1:] and before[-1] in set(words()["other_owners"]) | {"mum's", "dad's"}:
        return "other"  # "my dad", "her son"
    said = text[start:end].lower()
    if before[-1:] == ["his"] and said in words()["other_people"]:
        return "other"  # "talks like his grandad"
    if re.match(r"'s\b", text[end : end + 2]) or _ALTERNATIVE.match(text[end : end + 20].lower()):
        return "other"  # "the woman's daughter"; "a man or a woman"
    if re.search(
        r"\b(?:man|woman|male|female)\s*(?:\bor\s+(?:a\s+)?|/\s*)$",
        text[max(0, start - 16) : start],
    ):
        return "other"
    if said in ("his", "her", "their"):
        if re.match(r"\s+(?:description|descr|desc|described)\b", text[end : end + 14], re.I):
            return "other"  # "her description: white, 40s" is hers of him
        if re.match(
            r"\s+(?:\w+\s+)?\d{1,2}[\s-]*(?:years?|yrs?|y/o)\b", text[end : end + 30], re.I
        ):
            return "other"  # "her 14 y/o daughter"
    if before[-1:] == ["by"] or before[-2:-1] == ["by"]:
        return "described"  # "approached by a man"
    if is_victim(text, start, end):
        return "other"
    recent = before[-5:]
    if any(
        word in words()["victim_nouns"] and {"is", "was", "were"} & set(recent[i + 1 :])
        for i, word in enumerate(recent)
    ):
        return "other"  # "the child is a white girl"
    if _cued(text, sentence_start, start):
        return "described"
    if _describes_after(text, end) or _describes_before(text, start):
        return "described"
    return "unknown"


@cache
def people_pattern() -> re.Pattern[str]:
    """Any noun naming a person: the described, a victim, a relative."""
    vocabulary = words()
    nouns = {n for ns in vocabulary["person_nouns"].values() for n in ns}
    nouns |= {n for ns in vocabulary["young_nouns"].values() for n in ns}
    nouns |= set(vocabulary["victim_nouns"]) | set(vocabulary["other_people"])
    nouns |= {"men", "women", "ladies", "males", "females", "lads", "blokes", "guys"}
    nouns -= {"me", "i", "myself", "teens", "teen"}  # "in his late teens" is an age
    alternatives = "|".join(re.escape(n) for n in sorted(nouns, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE)


_WITNESS = re.compile(
    r"\b(?:i\s+am|i'm|im|i\s+was|i\s+turned|we're|we\s+are|we\s+were|my|our|your|me\s+and)"
    r"\s+(?:only\s+|just\s+|nearly\s+|now\s+|aged\s+)?$",
    re.IGNORECASE,
)
# What the person said of themselves: "he told her he was 17", "saying he was 16",
# "claimed to be 19" (not "she says he was black", a witness's report).
_CLAIMED = re.compile(
    r"\b(he|she|they)\s+(?:said|says|told\s+\w+|tells\s+\w+|claimed|claims|lied|reckoned"
    r"|made\s+out)\s+(?:that\s+)?\1\s*(?:was|is|were|'s|'d\s+be)\s+(?:only\s+|just\s+)?$"
    r"|\b(?:(?:who|and|but|then)\s+(?:said|says|told\s+\w+|claimed|lied)|saying|telling\s+\w+"
    r"|claiming|pretending|pretended|profile\s+said|profile\s+says)"
    r"\s+(?:that\s+)?(?:he|she|they)\s*(?:was|is|were|'s|'d\s+be)\s+(?:only\s+|just\s+)?$"
    r"|\bclaim(?:ed|ing|s)?\s+to\s+be\s+(?:only\s+|just\s+)?$",
    re.IGNORECASE,
)
_OWNER_AFTER = re.compile(r"^[\s-]*(?:years?|yrs?|y/o)?[\s-]*(?:old)?[\s-]+(?=\S)", re.IGNORECASE)


def number_owner(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The person noun an age or height at text[start:end] is said of, when one stands
    beside it: after ("a 14-year-old girl", "18 y/o male") or before ("a man aged 62",
    "female, 20", "a man (55)", "a man of about 45", "a woman in her 70s")."""
    people = people_pattern()
    if lead := _OWNER_AFTER.match(text[end : end + 40]):
        at = end + lead.end()
        skipped = re.match(r"[a-z'-]+\s+", text[at:], re.IGNORECASE)  # "a 14-year-old white girl"
        for position in (at, at + skipped.end()) if skipped else (at,):
            if (noun := people.match(text, position)) is not None:
                return noun.span()
    clause_start = max(text.rfind(c, 0, start) for c in ".;?!:\n") + 1
    before = text[max(clause_start, start - 40) : start]
    if tail := re.search(
        r"(?:\s*,\s*(?:all\s+|both\s+|each\s+)?(?:aged\s+)?|\s*\(\s*|\s+aged\s+|\s+age\s+|\s+"
        r"|\s+of\s+(?:about|around)?\s*)?(?:(?:,\s*)?(?:all\s+|both\s+)?in\s+(?:his|her|their)\s+"
        r"(?:early\s+|mid\s+|late\s+)?)?$",
        before,
        re.IGNORECASE,
    ):
        found = list(people.finditer(before[: tail.start()]))
        if found and found[-1].end() == tail.start():
            offset = start - len(before)
            return found[-1].start() + offset, found[-1].end() + offset
    return None


# An age set beside whoever it belongs to ("Lily, 15,", "Amy (14)"), then what was done to them.
_APPOSED_BEFORE = re.compile(r"[\w'],\s*(?:aged\s+)?$|[\w']\s*\(\s*$", re.IGNORECASE)
_DONE_AFTER_APPOSITION = re.compile(
    r"\s*[),]?\s*(?:who\s+)?(?:was|were|is|had\s+been|has\s+been|got|being)\s+"
    r"(?:(?:then|later|allegedly|repeatedly|first|also|sexually|indecently)\s+)?([a-z]+)",
    re.IGNORECASE,
)


def about_someone_else(text: str, start: int, end: int) -> bool:
    """Whether the words at text[start:end] (an age, a height, a weight, an appearance) are
    about somebody other than the person described: the witness ("I am 19", "my 13 year
    old"), a victim ("a girl aged 14", "an 83-year-old woman was threatened", "lured
    children 12-15"), a relative ("my dad is 6 foot"), an age the person only claimed ("he
    told her he was 17"), or an answer to a question about someone else."""
    vocabulary = words()
    clause_start, _ = clause_bounds(text, start)
    before = _tokens(text[clause_start:start])
    if before[-1:] == ["by"] or before[-2:-1] == ["by"]:
        return False  # the agent of a passive ("approached by a man in his 30s")
    if _WITNESS.search(text[max(0, start - 16) : start]) or _CLAIMED.search(
        text[max(0, start - 40) : start]
    ):
        return True
    if answers_about_someone_else(text, start):
        return True
    if re.match(
        r"\s*\)?\s*,\s*(?:said|says|told|tells|reported|described|added)\b", text[end : end + 14]
    ):
        return True  # "Sarah, 24, said the man who followed her..."
    done = _DONE_AFTER_APPOSITION.match(text, end)
    if done and _APPOSED_BEFORE.search(text[max(0, start - 8) : start]) and _acted_on_by(done[1]):
        return True  # "Lily, 15, was approached by a man in his 30s", "Amy (14) was followed"
    aged = re.match(
        r"[\w'-]+?[\s-]*(?:years?|yrs?|y/o)[\s-]*(?:old)?\b", text[start : start + 24], re.I
    )
    if aged and is_victim(text, start, start + aged.end()):
        return True  # "a 68-year-old was befriended"
    if (owner := number_owner(text, start, end)) is not None:
        noun = text[owner[0] : owner[1]].lower()
        if noun in vocabulary["victim_nouns"] or noun in vocabulary["other_people"]:
            return True  # "a girl aged 14", "a 14-year-old girl", "my dad is 6 foot"
        return role_of(text, *owner) == "other"  # "an 83-year-old woman was threatened"
    others = set(vocabulary["victim_nouns"]) | set(vocabulary["other_people"])
    if any(word in others for word in before[-3:]):
        return True  # "children 12-15", "girls, 13-14"
    # "lured children 12-15", "punched a 52-year-old": the object of what was done.
    return any(_acted_on_by(word) for word in before[-2:])
