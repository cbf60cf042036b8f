"""The vocabularies in `vocabularies/*.json`, loaded once: term groups (colours, facial hair,
accents, identity codes), ordered scales (build, hair length), tattoo motifs and nicknames.

Matching is on whole words of lower-cased text, longest phrase first, so "dark brown" is
not read as "brown" and "red" does not match inside "shredded".
"""

import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import snowballstemmer


@cache
def load(name: str) -> dict[str, Any]:
    text = resources.files("search").joinpath(f"vocabularies/{name}.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def normalise(text: str) -> str:
    """Lower case, apostrophes kept, other punctuation turned to spaces, spaces collapsed."""
    return " ".join(re.sub(r"[^\w']+", " ", text.lower().replace("’", "'")).split())


@dataclass(frozen=True)
class PhraseMatch:
    term: str  # the canonical term the phrase belongs to
    phrase: str
    start: int  # character offsets in the normalised text
    end: int


class PhraseIndex:
    """Finds the phrases of many terms in text: longest first, never overlapping."""

    def __init__(self, phrases: dict[str, list[str]]) -> None:
        pairs = sorted(
            ((normalise(p), term) for term, ps in phrases.items() for p in [term, *ps]),
            key=lambda pair: -len(pair[0]),
        )
        self._term_of = {phrase: term for phrase, term in reversed(pairs)}
        # Words of a phrase may be joined by spaces or hyphens in the text searched
        # ("olive-skinned", "well built"); the match is mapped back through its normal form.
        alternatives = "|".join(
            r"[\s-]+".join(re.escape(word) for word in phrase.split())
            for phrase, _ in pairs
            if phrase
        )
        self._pattern = re.compile(rf"(?<![\w'])(?:{alternatives})(?![\w'])")

    def find(self, normalised_text: str) -> list[PhraseMatch]:
        return [
            PhraseMatch(
                self._term_of[" ".join(re.split(r"[\s-]+", m.group(0)))],
                m.group(0),
                m.start(),
                m.end(),
            )
            for m in self._pattern.finditer(normalised_text)
        ]

    def first(self, text: str) -> str | None:
        matches = self.find(normalise(text))
        return matches[0].term if matches else None


class TermGroups:
    """Terms with synonyms and the pairs a witness could confuse (partial agreement)."""

    def __init__(self, groups: dict[str, list[str]], neighbours: list[list[str]]) -> None:
        self.index = PhraseIndex(groups)
        self.terms = list(groups)
        self._neighbours = {frozenset(pair) for pair in neighbours}
        self._near = {
            term: [t for t in self.terms if t != term and frozenset((t, term)) in self._neighbours]
            for term in self.terms
        }

    def canonical(self, text: str | None) -> str | None:
        return self.index.first(text) if text else None

    def similarity(self, a: str, b: str) -> float:
        if a == b:
            return 1.0
        return 0.5 if frozenset((a, b)) in self._neighbours else 0.0

    def neighbours(self, term: str) -> list[str]:
        return self._near.get(term, [])


class Scale:
    """Ordered terms (thin ... obese): one step apart is partial agreement."""

    def __init__(self, order: list[str], synonyms: dict[str, list[str]]) -> None:
        self.order = order
        self.index = PhraseIndex(synonyms)

    def canonical(self, text: str | None) -> str | None:
        return self.index.first(text) if text else None

    @property
    def terms(self) -> list[str]:
        return self.order

    def similarity(self, a: str, b: str) -> float:
        steps = abs(self.order.index(a) - self.order.index(b))
        return {0: 1.0, 1: 0.5}.get(steps, 0.0)

    def neighbours(self, term: str) -> list[str]:
        i = self.order.index(term)
        return [t for t in self.order[max(0, i - 1) : i + 2] if t != term]


@cache
def sexes() -> TermGroups:
    return TermGroups({"M": [], "F": []}, [])


@cache
def hair_colours() -> TermGroups:
    data = load("traits")["hair_colours"]
    return TermGroups(data["families"], data["neighbours"])


@cache
def eye_colours() -> TermGroups:
    data = load("traits")["eye_colours"]
    return TermGroups(data["families"], data["neighbours"])


@cache
def facial_hair() -> TermGroups:
    data = load("traits")["facial_hair"]
    return TermGroups(data["groups"], data["neighbours"])


@cache
def ethnic_appearance() -> TermGroups:
    data = load("traits")["ethnic_appearance"]
    return TermGroups(data["words"], data["neighbours"])


@cache
def accents() -> TermGroups:
    data = load("traits")["accents"]
    return TermGroups(data["groups"], data["neighbours"])


@cache
def builds() -> Scale:
    data = load("traits")["builds"]
    return Scale(data["scale"], data["synonyms"])


@cache
def hair_lengths() -> Scale:
    data = load("traits")["hair_lengths"]
    return Scale(data["scale"], data["synonyms"])


@cache
def sex_words() -> PhraseIndex:
    return PhraseIndex(load("traits")["sex"])


@cache
def tattoo_motifs() -> PhraseIndex:
    return PhraseIndex({m: v["synonyms"] for m, v in load("tattoo_motifs")["motifs"].items()})


def motif_synonyms() -> list[list[str]]:
    """Each motif's words, the motif's own name first (the search index's synonym list)."""
    return [
        list(dict.fromkeys([motif, *value["synonyms"]]))
        for motif, value in load("tattoo_motifs")["motifs"].items()
    ]


def motifs_in(text: str | None) -> set[str]:
    return {m.term for m in tattoo_motifs().find(normalise(text))} if text else set()


_TOKEN = re.compile(r"[a-z][a-z']+")
MO_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "after",
        "before",
        "near",
        "his",
        "her",
        "their",
        "them",
        "him",
        "he",
        "she",
        "it",
        "is",
        "was",
        "are",
        "were",
        "be",
        "been",
        "has",
        "had",
        "have",
        "who",
        "which",
        "that",
        "this",
        "into",
        "over",
        "as",
        "up",
        "out",
        "about",
        "then",
    ]
)


@cache
def _stemmer() -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """The English (Porter2) stem of a lower-case word: "babysitting" and "babysit" are one."""
    return str(_stemmer().stemWord(word))


@cache
def _base_forms() -> dict[str, str]:
    forms: dict[str, str] = load("word_forms")["forms"]
    return forms


def base_form(word: str) -> str:
    """A lower-case word's base form where the stemmer cannot find it: an irregular plural
    or past tense ("women" is "woman", "knew" is "know"; `vocabularies/word_forms.json`)."""
    return _base_forms().get(word, word)


def _stemmed(text: str) -> tuple[list[str], list[str]]:
    """Every word's stem (of its base form), and the stems of the words that carry meaning
    (stop words and short words dropped), from one pass over the text."""
    words = _TOKEN.findall(text.lower())
    stems = [stem(base_form(t)) for t in words]
    meaningful = [
        s for t, s in zip(words, stems, strict=True) if t not in MO_STOPWORDS and len(t) > 2
    ]
    return stems, meaningful


@cache
def _mo_phrases() -> tuple[re.Pattern[str], dict[str, list[str]]]:
    """Witness phrases for what was done (`mo_phrases.json`), as stem sequences, and the
    register's words each stands for."""
    meaning: dict[str, list[str]] = {}
    for register_words, phrases in load("mo_phrases")["terms"].items():
        for phrase in phrases:
            meaning.setdefault(" ".join(_stemmed(phrase)[0]), _stemmed(register_words)[1])
    alternatives = "|".join(re.escape(p) for p in sorted(meaning, key=len, reverse=True) if p)
    return re.compile(rf"(?<!\S)(?:{alternatives})(?!\S)"), meaning


def mo_tokens(text: str) -> list[str]:
    """The stems of the words of an MO text that carry meaning: stop words and short words
    dropped, so that "offered a lift" and "offers lifts" share "offer" and "lift"; a
    witness's phrase for what was done ("flashed at") adds the register's words for it
    ("exposes himself")."""
    pattern, meaning = _mo_phrases()
    stems, said = _stemmed(text)
    meant = [w for m in pattern.finditer(" ".join(stems)) for w in meaning[m.group(0)]]
    return said + [w for w in dict.fromkeys(meant) if w not in said]  # each added word once
