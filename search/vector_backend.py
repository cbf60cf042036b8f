"""The embedded backend at scale: `score()`'s totals for every nominal at once, with numpy.

Every attribute's contribution is computed for all nominals from arrays built once: term
indices for the categorical traits (each query turns the vocabulary into a table of weights
through its declaration in `comparisons.py`), dates of birth and heights, a flat table of
marks, postings for MO words and for towns, and name levels worked out once per distinct
name. The few nominals whose vector total is within a hair of the K-th best are then scored
by `score()` itself, which gives the final order and the explanation. A conformance test
holds this backend's answers to `MemoryBackend`'s, the exhaustive oracle.
"""

from collections import defaultdict
from collections.abc import Iterable
from typing import get_args

import numpy as np

from register.model import MarkType
from search.body_map import Location, body_map
from search.comparisons import (
    AGE,
    HEIGHT,
    TRAITS,
    PreparedMark,
    TraitComparison,
    area_levels,
    filter_values,
    kind_factor,
    look_factor,
    look_levels,
    mark_chance,
    mark_weight,
    mo_said_mass,
    mo_weight,
    mo_word_mass,
    name_contribution,
)
from search.document import NameDocument, SearchDocument
from search.evidence import age_at
from search.names import name_level
from search.scoring import PreparedQuery, Score, score, with_ties
from search.statistics import RegisterStatistics, compute_statistics
from search.vocabulary import normalise

MARGIN = 0.01  # vector totals and score() agree to rounding; re-score anything this close
_RANK = {"none": 0, "alike": 1, "forename": 2, "surname": 3, "full": 4}
_MARK_TYPES: tuple[str, ...] = get_args(MarkType)


class VectorBackend:
    def __init__(
        self, documents: Iterable[SearchDocument], statistics: RegisterStatistics | None = None
    ) -> None:
        """`statistics`: the register's, when `documents` are only some of its nominals (a
        distributed backend's candidates); by default those of `documents`."""
        self.documents = list(documents)
        self.statistics: RegisterStatistics = (
            statistics if statistics is not None else compute_statistics(self.documents)
        )
        docs = self.documents
        count = len(docs)
        self._order_by_reference = np.argsort(
            np.argsort(np.array([d.reference for d in docs], dtype=object), kind="stable")
        )
        # Per trait, each nominal's term as its index in the vocabulary (-1: none, or a
        # value that is no evidence).
        self._terms: dict[str, np.ndarray] = {}
        for trait in TRAITS:
            position = {term: i for i, term in enumerate(trait.vocabulary().terms)}
            self._terms[trait.attribute] = np.array(
                [position.get(getattr(d, trait.attribute) or "", -1) for d in docs],
                dtype=np.int64,
            )
        births = [(i, b) for i, d in enumerate(docs) for b in d.dates_of_birth]
        self._birth_doc = np.array([i for i, _ in births], dtype=np.int64)
        self._birth_year = np.array([b.year for _, b in births], dtype=np.int64)
        self._birth_month_day = np.array([b.month * 100 + b.day for _, b in births], dtype=np.int64)
        self._height = np.array(
            [d.height_cm if d.height_cm is not None else np.nan for d in docs], dtype=np.float64
        )
        self._build_marks()
        self._build_names()
        self._mo_postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for i, d in enumerate(docs):
            for token, number in d.mo_counts.items():
                postings[token].append((i, number))
        for token, entries in postings.items():
            self._mo_postings[token] = (
                np.array([e[0] for e in entries], dtype=np.int64),
                np.array([e[1] for e in entries], dtype=np.float64),
            )
        self._has_mo = np.array([bool(d.modus_operandi) for d in docs])
        self._places: dict[str, list[int]] = defaultdict(list)
        for i, d in enumerate(docs):
            for place in d.towns | d.postcode_districts:
                self._places[place].append(i)
        self._filter_columns = {
            field: np.array([getattr(d, field) for d in docs], dtype=object)
            for field in (
                "status",
                "mappa_category",
                "mappa_level",
                "managing_agency",
                "wanted_missing",
            )
        }
        self._count = count

    def _build_marks(self) -> None:
        marks = [(i, m) for i, d in enumerate(self.documents) for m in d.marks]
        self._mark_doc = np.array([i for i, _ in marks], dtype=np.int64)
        self._mark_type = np.array([_MARK_TYPES.index(m.type) for _, m in marks], dtype=np.int64)
        self._locations: list[Location] = sorted(
            {m.location for _, m in marks}, key=lambda loc: (loc.region or "", loc.side or "")
        )
        place = {loc: i for i, loc in enumerate(self._locations)}
        self._mark_place = np.array([place[m.location] for _, m in marks], dtype=np.int64)
        self._motif_ids: dict[str, int] = {}
        masks = []
        for _, mark in marks:
            mask = 0
            for motif in mark.motifs:
                mask |= 1 << self._motif_ids.setdefault(motif, len(self._motif_ids))
            masks.append(mask)
        assert len(self._motif_ids) < 63, "motif bitmasks are 64-bit"
        self._mark_motifs = np.array(masks, dtype=np.int64)
        self._mark_has_motifs = self._mark_motifs != 0
        self._word_ids: dict[str, int] = {}
        word_marks, word_ids = [], []
        for index, (_, mark) in enumerate(marks):
            for word in set(mark.description.split()):
                word_marks.append(index)
                word_ids.append(self._word_ids.setdefault(word, len(self._word_ids)))
        self._word_mark = np.array(word_marks, dtype=np.int64)
        self._word_id = np.array(word_ids, dtype=np.int64)

    def _build_names(self) -> None:
        entries = [(i, p, n) for i, d in enumerate(self.documents) for p, n in enumerate(d.names)]
        self._name_doc = np.array([e[0] for e in entries], dtype=np.int64)
        self._name_position = np.array([e[1] for e in entries], dtype=np.int64)
        self._distinct_names: list[NameDocument] = list(dict.fromkeys(e[2] for e in entries))
        which = {name: i for i, name in enumerate(self._distinct_names)}
        self._name_which = np.array([which[e[2]] for e in entries], dtype=np.int64)

    def search(self, prepared: PreparedQuery, top: int) -> list[Score]:
        mask = self._filter(prepared)
        if not mask.any():
            return []
        totals = self._totals(prepared)
        candidates = np.flatnonzero(mask)
        order = candidates[np.lexsort((self._order_by_reference[candidates], -totals[candidates]))]
        threshold = totals[order[min(top, len(order)) - 1]] - MARGIN
        shortlist = [int(i) for i in order[: top * 20] if totals[i] >= threshold]
        scored = [score(prepared, self.documents[i], self.statistics) for i in shortlist]
        scored.sort(key=lambda s: (-s.score, s.reference))
        kept = totals[candidates]
        return with_ties(scored[:top], lambda value: int(np.count_nonzero(kept >= value)))

    def _filter(self, prepared: PreparedQuery) -> np.ndarray:
        mask = np.ones(self._count, dtype=bool)
        for field, allowed in filter_values(prepared.query).items():
            mask &= np.isin(self._filter_columns[field], np.array(list(allowed), dtype=object))
        return mask

    def totals(self, prepared: PreparedQuery) -> np.ndarray:
        """Every nominal's score() total, to rounding (exposed for the conformance test)."""
        return self._totals(prepared)

    def _totals(self, prepared: PreparedQuery) -> np.ndarray:
        q, stats = prepared.query, self.statistics
        total = np.zeros(self._count)
        for trait in TRAITS:
            if (asked := prepared.traits.get(trait.attribute)) is not None:
                total += self._trait(trait, asked)
        if q.age:
            total += self._age(prepared)
        if q.height_cm:
            low, high = HEIGHT.bounds(q.height_cm)
            expected = HEIGHT.by_anyone(low, high, stats, prepared.as_of)
            part = HEIGHT.weight(HEIGHT.miss(self._height, low, high), expected)
            total += np.where(np.isnan(self._height), 0.0, part)
        if q.name:
            total += self._names(q.name)
        for mark in prepared.marks:
            total += self._mark(mark)
        if prepared.mo_tokens:
            total += self._modus_operandi(prepared)
        if prepared.area:
            part = np.zeros(self._count)
            # The last level first, so that a nominal keeps the first level that holds.
            for level in reversed(area_levels(prepared.area, stats)):
                lived = sorted({i for place in level.places for i in self._places.get(place, [])})
                part[lived] = level.weight
            total += part
        return np.round(total, 3)

    def _trait(self, trait: TraitComparison, asked: str) -> np.ndarray:
        weights = trait.weights(asked, self.statistics)
        # The last entry is index -1: nothing recorded, no evidence.
        table = np.array([*weights.values(), 0.0])
        part: np.ndarray = table[self._terms[trait.attribute]]
        return part

    def _age(self, prepared: PreparedQuery) -> np.ndarray:
        q, stats = prepared.query, self.statistics
        assert q.age is not None
        low, high = AGE.bounds(q.age)
        ages = age_at(self._birth_year, self._birth_month_day, prepared.as_of)
        # Per nominal, the date of birth nearest the range counts.
        nearest = np.full(self._count, np.inf)
        np.minimum.at(nearest, self._birth_doc, AGE.miss(ages, low, high))
        expected = AGE.by_anyone(low, high, stats, prepared.as_of)
        part = AGE.weight(np.where(np.isinf(nearest), 0.0, nearest), expected)
        return np.where(np.isinf(nearest), 0.0, part)

    def _names(self, heard: str) -> np.ndarray:
        tokens = normalise(heard).split()
        stats = self.statistics
        if not tokens:
            return np.full(self._count, name_contribution(heard, "none", None, stats))
        levels = [name_level(tokens, name) for name in self._distinct_names]
        rank = np.array([_RANK[level] for level in levels], dtype=np.int64)[self._name_which]
        # Per nominal, its best-ranked name, the first of equals (as best_name_match does).
        order = np.lexsort((self._name_position, -rank, self._name_doc))
        docs, first = np.unique(self._name_doc[order], return_index=True)
        chosen = self._name_which[order[first]]
        nothing = name_contribution(heard, "none", None, stats)
        # Most names are nothing like the one heard: weigh only those that are, once each.
        alike = {
            c: name_contribution(heard, levels[c], self._distinct_names[c], stats)
            for c in set(chosen.tolist())
            if levels[c] != "none"
        }
        part = np.full(self._count, nothing)
        part[docs] = [alike.get(c, nothing) for c in chosen.tolist()]
        return part

    def _mark(self, prepared: PreparedMark) -> np.ndarray:
        asked = prepared.asked
        stats = self.statistics
        kinds = np.array([kind_factor(asked.type, t) for t in _MARK_TYPES])
        kind = kinds[self._mark_type]
        if prepared.location is not None:
            places = np.array(
                [body_map().similarity(prepared.location, loc) for loc in self._locations] or [0.0]
            )
            place = places[self._mark_place] if len(self._mark_place) else np.ones(0)
        else:
            place = np.ones(len(self._mark_type))
        shared = np.zeros(len(self._mark_type), dtype=bool)
        query_words = [self._word_ids[t] for t in prepared.words if t in self._word_ids]
        if query_words and len(self._word_id):
            shared[self._word_mark[np.isin(self._word_id, query_words)]] = True
        query_mask = 0
        for motif in prepared.motifs:
            if motif in self._motif_ids:
                query_mask |= 1 << self._motif_ids[motif]
        look = look_factor(
            look_levels(bool(asked.description), bool(prepared.motifs)),
            has_motifs=self._mark_has_motifs,
            overlap=(self._mark_motifs & query_mask) != 0,
            shared=shared,
        )
        agreement = kind * place * look
        best = np.zeros(self._count)
        if len(agreement):
            np.maximum.at(best, self._mark_doc, agreement)
        chance = stats.remember(("mark", prepared), lambda: mark_chance(prepared, stats))
        part: np.ndarray = mark_weight(best, chance)
        return part

    def _modus_operandi(self, prepared: PreparedQuery) -> np.ndarray:
        idf = self.statistics.idf
        contained = np.zeros(self._count)
        for token, asked_count in prepared.mo_tokens.items():
            if token in self._mo_postings:
                docs, _counts = self._mo_postings[token]
                contained[docs] += mo_word_mass(asked_count, idf(token))
        share = mo_weight(contained, mo_said_mass(prepared.mo_tokens, self.statistics))
        return np.where(self._has_mo, np.round(share, 3), 0.0)
