"""The embedded backend at scale: `score()`'s totals for every nominal at once, with numpy.

Every attribute's contribution is computed for all nominals from arrays built once: term
indices for the categorical traits (each query turns the vocabulary into a table of weights
through its declaration in `comparisons.py`), dates of birth and heights, a flat table of
marks, postings for MO words and for towns, and name levels worked out once per distinct
name. The few nominals whose vector total is within a hair of the K-th best are then scored
by `score()` itself, which gives the final order and the explanation. A conformance test
holds this backend's answers to `MemoryBackend`'s, the exhaustive oracle.
"""

import copy
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
from search.statistics import (
    RegisterStatistics,
    StatisticsCounts,
    combined_counts,
    count_documents,
    finish_statistics,
)
from search.vocabulary import normalise

MARGIN = 0.01  # vector totals and score() agree to rounding; re-score anything this close
_RANK = {"none": 0, "alike": 1, "forename": 2, "surname": 3, "full": 4}
_MARK_TYPES: tuple[str, ...] = get_args(MarkType)


class _MotifsFull(Exception):
    """More distinct motifs than a 64-bit mask holds (counting any no nominal has any more)."""

    def __init__(self) -> None:
        super().__init__("motif bitmasks are 64-bit: the register has 63 or more motifs")


_FILTER_FIELDS = ("status", "mappa_category", "mappa_level", "managing_agency", "wanted_missing")


def _resized(array: np.ndarray, size: int, fill: object) -> np.ndarray:
    """A new array of `size`: `array`'s values, cut short or padded with `fill`."""
    padding = np.full(max(0, size - len(array)), fill, dtype=array.dtype)
    return np.concatenate([array[:size], padding])


class VectorBackend:
    """Built once from documents; `changed()` then gives the backend for the register after
    some records change, replacing only their rows. Nothing is modified in place once built:
    a search still holding this backend sees it whole."""

    def __init__(
        self, documents: Iterable[SearchDocument], statistics: RegisterStatistics | None = None
    ) -> None:
        """`statistics`: the register's, when `documents` are only some of its nominals (a
        distributed backend's candidates); by default those of `documents`, kept exact
        through `changed()`."""
        self._given_statistics = statistics
        self.documents: list[SearchDocument] = []
        self._slot_of: dict[str, int] = {}
        self._counts = StatisticsCounts()
        self._order_by_reference = np.zeros(0, dtype=np.int64)
        # Per trait, each nominal's term as its index in the vocabulary (-1: none, or a
        # value that is no evidence).
        self._terms: dict[str, np.ndarray] = {
            trait.attribute: np.zeros(0, dtype=np.int64) for trait in TRAITS
        }
        self._birth_doc = np.zeros(0, dtype=np.int64)
        self._birth_year = np.zeros(0, dtype=np.int64)
        self._birth_month_day = np.zeros(0, dtype=np.int64)
        self._height = np.zeros(0, dtype=np.float64)
        self._mark_doc = np.zeros(0, dtype=np.int64)
        self._mark_type = np.zeros(0, dtype=np.int64)
        self._locations: list[Location] = []
        self._location_ids: dict[Location, int] = {}
        self._mark_place = np.zeros(0, dtype=np.int64)
        self._motif_ids: dict[str, int] = {}
        self._mark_motifs = np.zeros(0, dtype=np.int64)
        self._word_ids: dict[str, int] = {}
        self._word_mark = np.zeros(0, dtype=np.int64)
        self._word_id = np.zeros(0, dtype=np.int64)
        self._name_doc = np.zeros(0, dtype=np.int64)
        self._name_position = np.zeros(0, dtype=np.int64)
        self._distinct_names: list[NameDocument] = []
        self._name_ids: dict[NameDocument, int] = {}
        self._name_which = np.zeros(0, dtype=np.int64)
        self._mo_postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._has_mo = np.zeros(0, dtype=bool)
        self._places: dict[str, list[int]] = {}
        self._filter_columns = {field: np.zeros(0, dtype=object) for field in _FILTER_FIELDS}
        self._change(list(documents), set())

    def changed(
        self, documents: Iterable[SearchDocument], removed: Iterable[str] = ()
    ) -> "VectorBackend":
        """This backend with `documents` put in (each replacing the one of its reference, if
        any) and the `removed` references taken out: the same answers and statistics as a
        backend built afresh from the result. This one is left as it was."""
        new = copy.copy(self)
        put = list(documents)
        try:
            new._change(put, set(removed))
        except _MotifsFull:
            # Motifs of marks since replaced still hold bits: build afresh without them.
            return VectorBackend(new._after(put, set(removed)))
        return new

    def _after(self, put: list[SearchDocument], removed: set[str]) -> list[SearchDocument]:
        kept = {d.reference: d for d in self.documents if d.reference not in removed}
        kept.update((d.reference, d) for d in put)
        return list(kept.values())

    def _change(self, put: list[SearchDocument], removed: set[str]) -> None:
        """Move documents into their slots, then rebuild the rows of every slot whose
        document changed. Every container is replaced, never modified: `changed()` works on
        a shallow copy whose containers are still the original's."""
        before = self.documents
        documents, slot_of = list(before), dict(self._slot_of)
        leaving: list[SearchDocument] = []
        dirty: set[int] = set()
        for reference in removed - {d.reference for d in put}:
            slot = slot_of.pop(reference, None)
            if slot is None:
                continue
            leaving.append(documents[slot])
            last = documents.pop()  # the last document fills the hole, so slots stay dense
            if slot < len(documents):
                documents[slot] = last
                slot_of[last.reference] = slot
                dirty.add(slot)
        references_moved = bool(leaving)
        for document in put:
            slot = slot_of.get(document.reference)
            if slot is None:
                slot = len(documents)
                documents.append(document)
                slot_of[document.reference] = slot
                references_moved = True
            else:
                leaving.append(documents[slot])
                documents[slot] = document
            dirty.add(slot)
        count = len(documents)
        slots = np.array(sorted(s for s in dirty if s < count), dtype=np.int64)
        arriving = [documents[s] for s in slots]
        # Rows of slots that changed and of slots past the new end go; arriving ones come.
        departed = [before[s] for s in slots if s < len(before)] + before[count:]

        self._marks(slots, arriving, count)
        self.documents, self._slot_of = documents, slot_of
        if self._given_statistics is not None:
            # Some of a register's nominals, scored with its statistics (a distributed
            # backend's candidates, on every search): their own counts would go unused.
            self.statistics: RegisterStatistics = self._given_statistics
        else:
            # Added before taken away: a reference put twice leaves its first document behind.
            counts = combined_counts(self._counts, count_documents(put), 1)
            self._counts = combined_counts(counts, count_documents(leaving), -1)
            self.statistics = finish_statistics(self._counts)
        if references_moved:
            self._order_by_reference = np.argsort(
                np.argsort(np.array([d.reference for d in documents], dtype=object), kind="stable")
            )
        self._count = count
        self._per_nominal(slots, arriving, count)
        self._births(slots, arriving, count)
        self._names_rows(slots, arriving, count)
        self._postings(slots, arriving, departed, count)

    @staticmethod
    def _kept(doc: np.ndarray, slots: np.ndarray, count: int) -> np.ndarray:
        """Which rows stay: those of nominals whose slot neither changed nor went."""
        keep: np.ndarray = (doc < count) & ~np.isin(doc, slots)
        return keep

    def _per_nominal(self, slots: np.ndarray, docs: list[SearchDocument], count: int) -> None:
        terms = {}
        for trait in TRAITS:
            position = {term: i for i, term in enumerate(trait.vocabulary().terms)}
            column = _resized(self._terms[trait.attribute], count, -1)
            column[slots] = [position.get(getattr(d, trait.attribute) or "", -1) for d in docs]
            terms[trait.attribute] = column
        self._terms = terms
        self._height = _resized(self._height, count, np.nan)
        self._height[slots] = [d.height_cm if d.height_cm is not None else np.nan for d in docs]
        self._has_mo = _resized(self._has_mo, count, False)
        self._has_mo[slots] = [bool(d.modus_operandi) for d in docs]
        columns = {}
        for field, column in self._filter_columns.items():
            column = _resized(column, count, None)
            values = np.empty(len(docs), dtype=object)
            values[:] = [getattr(d, field) for d in docs]
            column[slots] = values
            columns[field] = column
        self._filter_columns = columns

    def _births(self, slots: np.ndarray, docs: list[SearchDocument], count: int) -> None:
        keep = self._kept(self._birth_doc, slots, count)
        births = [(int(s), b) for s, d in zip(slots, docs, strict=True) for b in d.dates_of_birth]
        self._birth_doc = np.concatenate(
            [self._birth_doc[keep], np.array([s for s, _ in births], dtype=np.int64)]
        )
        self._birth_year = np.concatenate(
            [self._birth_year[keep], np.array([b.year for _, b in births], dtype=np.int64)]
        )
        self._birth_month_day = np.concatenate(
            [
                self._birth_month_day[keep],
                np.array([b.month * 100 + b.day for _, b in births], dtype=np.int64),
            ]
        )

    def _marks(self, slots: np.ndarray, docs: list[SearchDocument], count: int) -> None:
        marks = [(int(s), m) for s, d in zip(slots, docs, strict=True) for m in d.marks]
        motif_ids = dict(self._motif_ids)
        masks = []
        for _, mark in marks:
            mask = 0
            for motif in mark.motifs:
                mask |= 1 << motif_ids.setdefault(motif, len(motif_ids))
            masks.append(mask)
        if len(motif_ids) >= 63:
            raise _MotifsFull
        self._motif_ids = motif_ids
        keep = self._kept(self._mark_doc, slots, count)
        kept = int(np.count_nonzero(keep))
        self._mark_doc = np.concatenate(
            [self._mark_doc[keep], np.array([s for s, _ in marks], dtype=np.int64)]
        )
        self._mark_type = np.concatenate(
            [
                self._mark_type[keep],
                np.array([_MARK_TYPES.index(m.type) for _, m in marks], dtype=np.int64),
            ]
        )
        locations, location_ids = list(self._locations), dict(self._location_ids)
        for _, mark in marks:
            if mark.location not in location_ids:
                location_ids[mark.location] = len(locations)
                locations.append(mark.location)
        self._locations, self._location_ids = locations, location_ids
        self._mark_place = np.concatenate(
            [
                self._mark_place[keep],
                np.array([location_ids[m.location] for _, m in marks], dtype=np.int64),
            ]
        )
        self._mark_motifs = np.concatenate(
            [self._mark_motifs[keep], np.array(masks, dtype=np.int64)]
        )
        self._mark_has_motifs = self._mark_motifs != 0
        # Words point at mark rows: renumber those kept, then add the arriving marks' words.
        renumbered = np.cumsum(keep) - 1
        word_kept = keep[self._word_mark]
        word_ids = dict(self._word_ids)
        word_marks, words = [], []
        for index, (_, mark) in enumerate(marks, start=kept):
            for word in set(mark.description.split()):
                word_marks.append(index)
                words.append(word_ids.setdefault(word, len(word_ids)))
        self._word_ids = word_ids
        self._word_mark = np.concatenate(
            [renumbered[self._word_mark[word_kept]], np.array(word_marks, dtype=np.int64)]
        )
        self._word_id = np.concatenate([self._word_id[word_kept], np.array(words, dtype=np.int64)])

    def _names_rows(self, slots: np.ndarray, docs: list[SearchDocument], count: int) -> None:
        entries = [
            (int(s), p, n) for s, d in zip(slots, docs, strict=True) for p, n in enumerate(d.names)
        ]
        keep = self._kept(self._name_doc, slots, count)
        distinct, ids = self._distinct_names, self._name_ids
        if any(name not in ids for _, _, name in entries):
            distinct, ids = list(distinct), dict(ids)
            for _, _, name in entries:
                if name not in ids:
                    ids[name] = len(distinct)
                    distinct.append(name)
        self._distinct_names, self._name_ids = distinct, ids
        self._name_doc = np.concatenate(
            [self._name_doc[keep], np.array([e[0] for e in entries], dtype=np.int64)]
        )
        self._name_position = np.concatenate(
            [self._name_position[keep], np.array([e[1] for e in entries], dtype=np.int64)]
        )
        self._name_which = np.concatenate(
            [self._name_which[keep], np.array([ids[e[2]] for e in entries], dtype=np.int64)]
        )

    def _postings(
        self,
        slots: np.ndarray,
        docs: list[SearchDocument],
        departed: list[SearchDocument],
        count: int,
    ) -> None:
        """MO words and places: only the entries of words and places these documents have
        or had change."""
        arriving_words: dict[str, list[tuple[int, int]]] = defaultdict(list)
        arriving_places: dict[str, list[int]] = defaultdict(list)
        for slot, d in zip(slots.tolist(), docs, strict=True):
            for token, number in d.mo_counts.items():
                arriving_words[token].append((slot, number))
            for place in d.towns | d.postcode_districts:
                arriving_places[place].append(slot)
        touched_words = set(arriving_words).union(*(d.mo_counts for d in departed))
        touched_places = set(arriving_places).union(
            *(d.towns | d.postcode_districts for d in departed)
        )
        gone = set(slots.tolist())
        postings = dict(self._mo_postings)
        for token in touched_words:
            entries = arriving_words.get(token, [])
            new_docs = np.array([e[0] for e in entries], dtype=np.int64)
            new_counts = np.array([e[1] for e in entries], dtype=np.float64)
            if token in postings:
                old_docs, old_counts = postings[token]
                keep = self._kept(old_docs, slots, count)
                new_docs = np.concatenate([old_docs[keep], new_docs])
                new_counts = np.concatenate([old_counts[keep], new_counts])
            if len(new_docs):
                postings[token] = (new_docs, new_counts)
            else:
                postings.pop(token, None)
        self._mo_postings = postings
        places = dict(self._places)
        for place in touched_places:
            lived = [i for i in places.get(place, []) if i < count and i not in gone]
            lived += arriving_places.get(place, [])
            if lived:
                places[place] = lived
            else:
                places.pop(place, None)
        self._places = places

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
