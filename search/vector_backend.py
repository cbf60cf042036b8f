"""The embedded backend at scale: `score()`'s totals for every nominal at once, with numpy.

Every attribute's contribution is computed for all nominals from arrays built once: term
indices for the categorical traits (each query turns the vocabulary into a table of weights
through the scoring module's own `level_bits`), dates of birth and heights, a flat table of
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
from search import weights as w
from search.body_map import Location, body_map
from search.document import NameDocument, SearchDocument
from search.names import name_level
from search.scoring import (
    TYPE_KIN,
    PreparedMark,
    PreparedQuery,
    Score,
    Vocabulary,
    area_district,
    level_bits,
    mark_chance,
    mo_said_mass,
    name_contribution,
    score,
    with_ties,
)
from search.statistics import RegisterStatistics, compute_statistics
from search.vocabulary import (
    accents,
    builds,
    ethnic_appearance,
    eye_colours,
    facial_hair,
    hair_colours,
    hair_lengths,
    normalise,
    sexes,
)

MARGIN = 0.01  # vector totals and score() agree to rounding; re-score anything this close
_RANK = {"none": 0, "alike": 1, "forename": 2, "surname": 3, "full": 4}
_MARK_TYPES: tuple[str, ...] = get_args(MarkType)


def _bits(numerator: np.ndarray, denominator: np.ndarray | float) -> np.ndarray:
    value = np.log2(np.maximum(numerator, 1e-9) / np.maximum(denominator, 1e-9))
    bounded: np.ndarray = np.round(np.clip(value, w.MIN_CONTRIBUTION, w.MAX_CONTRIBUTION), 3)
    return bounded


class VectorBackend:
    def __init__(self, documents: Iterable[SearchDocument]) -> None:
        self.documents = list(documents)
        self.statistics: RegisterStatistics = compute_statistics(self.documents)
        docs = self.documents
        count = len(docs)
        self._order_by_reference = np.argsort(
            np.argsort(np.array([d.reference for d in docs], dtype=object), kind="stable")
        )
        self._terms: dict[str, tuple[Vocabulary, np.ndarray]] = {}
        for attribute, vocabulary in (
            ("sex", sexes()),
            ("ethnic_appearance", ethnic_appearance()),
            ("build", builds()),
            ("hair_colour", hair_colours()),
            ("hair_length", hair_lengths()),
            ("facial_hair", facial_hair()),
            ("eye_colour", eye_colours()),
            ("accent", accents()),
        ):
            position = {term: i for i, term in enumerate(vocabulary.terms)}
            self._terms[attribute] = (
                vocabulary,
                np.array(
                    [position.get(getattr(d, attribute) or "", -1) for d in docs], dtype=np.int64
                ),
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
        self._status = np.array([d.status for d in docs], dtype=object)
        self._mappa = np.array([d.mappa_category or 0 for d in docs], dtype=np.int64)
        self._agency = np.array([d.managing_agency or "" for d in docs], dtype=object)
        self._wanted = np.array([d.wanted_missing for d in docs])
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
        filters = prepared.query.filters
        mask = np.ones(self._count, dtype=bool)
        if filters.status != "any":
            mask &= self._status == filters.status
        if filters.mappa_category:
            mask &= np.isin(self._mappa, list(filters.mappa_category))
        if filters.managing_agency:
            mask &= np.isin(self._agency, list(filters.managing_agency))
        if filters.wanted_missing is not None:
            mask &= self._wanted == filters.wanted_missing
        return mask

    def totals(self, prepared: PreparedQuery) -> np.ndarray:
        """Every nominal's score() total, to rounding (exposed for the conformance test)."""
        return self._totals(prepared)

    def _totals(self, prepared: PreparedQuery) -> np.ndarray:
        q, stats = prepared.query, self.statistics
        total = np.zeros(self._count)
        asked = {
            "sex": q.sex if q.sex in ("M", "F") else None,
            "ethnic_appearance": q.ethnic_appearance
            if q.ethnic_appearance not in (None, "IC0", "IC9")
            else None,
            "build": prepared.build,
            "hair_colour": prepared.hair_colour,
            "hair_length": prepared.hair_length,
            "facial_hair": prepared.facial_hair,
            "eye_colour": prepared.eye_colour,
            "accent": prepared.accent,
        }
        levels = {
            "sex": w.SEX,
            "ethnic_appearance": w.ETHNIC_APPEARANCE,
            "build": w.BUILD,
            "hair_colour": w.HAIR_COLOUR,
            "hair_length": w.HAIR_LENGTH,
            "facial_hair": w.FACIAL_HAIR,
            "eye_colour": w.EYE_COLOUR,
            "accent": w.ACCENT,
        }
        for attribute, value in asked.items():
            vocabulary, index = self._terms[attribute]
            if value is None or value not in vocabulary.terms:
                continue
            table = np.array(
                [
                    level_bits(attribute, value, term, levels[attribute], vocabulary, stats)
                    for term in vocabulary.terms
                ]
                + [0.0]
            )  # index -1: nothing recorded, no evidence
            total += table[index]
        if q.age:
            total += self._age(prepared)
        if q.height_cm:
            low = q.height_cm.min if q.height_cm.min is not None else 50
            high = q.height_cm.max if q.height_cm.max is not None else 250
            miss = np.maximum(0, np.maximum(low - self._height, self._height - high))
            likelihood = w.HEIGHT_IN_BAND * np.exp(-(miss**2) / (2 * w.HEIGHT_ERROR_CM**2))
            expected = stats.expected_height_likelihood(
                low, high, w.HEIGHT_IN_BAND, w.HEIGHT_ERROR_CM
            )
            part = _bits(likelihood + w.OUTSIDE_FLOOR, expected + w.OUTSIDE_FLOOR)
            total += np.where(np.isnan(self._height), 0.0, part)
        if q.name:
            total += self._names(q.name)
        for mark in prepared.marks:
            total += self._mark(mark)
        if prepared.mo_tokens:
            total += self._modus_operandi(prepared)
        if prepared.area:
            matched = set(self._places.get(prepared.area, []))
            matched |= set(self._places.get(area_district(prepared.area), []))
            if matched:
                share = stats.shares.get("town", {}).get(prepared.area, 0.05)
                bonus = float(_bits(np.array(w.AREA_MATCH), max(share, 0.01)))
                total[list(matched)] += bonus
        return np.round(total, 3)

    def _age(self, prepared: PreparedQuery) -> np.ndarray:
        q, stats = prepared.query, self.statistics
        assert q.age is not None
        low = q.age.min if q.age.min is not None else 0
        high = q.age.max if q.age.max is not None else 120
        day = prepared.as_of
        age = (
            day.year
            - self._birth_year
            - ((day.month * 100 + day.day) < self._birth_month_day).astype(np.int64)
        )
        miss = np.maximum(0, np.maximum(low - age, age - high))
        likelihood = w.AGE_IN_RANGE * np.exp(-(miss**2) / (2 * w.AGE_ERROR_YEARS**2))
        best = np.full(self._count, -1.0)
        np.maximum.at(best, self._birth_doc, likelihood)
        expected = stats.expected_age_likelihood(low, high, day, w.AGE_IN_RANGE, w.AGE_ERROR_YEARS)
        part = _bits(best + w.OUTSIDE_FLOOR, expected + w.OUTSIDE_FLOOR)
        return np.where(best >= 0, part, 0.0)

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
        values = np.array(
            [
                name_contribution(heard, levels[c], self._distinct_names[c], stats)
                if levels[c] != "none"
                else name_contribution(heard, "none", None, stats)
                for c in chosen
            ]
        )
        part = np.full(self._count, name_contribution(heard, "none", None, stats))
        part[docs] = values
        return part

    def _mark(self, prepared: PreparedMark) -> np.ndarray:
        asked = prepared.asked
        stats = self.statistics
        if asked.type in (None, "mark", "other"):
            kind = np.ones(len(self._mark_type))
        else:
            table = np.array(
                [
                    1.0 if t == asked.type else TYPE_KIN.get(frozenset((asked.type, t)), 0.0)
                    for t in _MARK_TYPES
                ]
            )
            kind = table[self._mark_type]
        if prepared.location is not None:
            places = np.array(
                [body_map().similarity(prepared.location, loc) for loc in self._locations] or [0.0]
            )
            place = places[self._mark_place] if len(self._mark_place) else np.ones(0)
        else:
            place = np.ones(len(self._mark_type))
        look = np.ones(len(self._mark_type))
        if asked.description:
            shared = np.zeros(len(self._mark_type), dtype=bool)
            query_words = [self._word_ids[t] for t in prepared.words if t in self._word_ids]
            if query_words and len(self._word_id):
                shared[self._word_mark[np.isin(self._word_id, query_words)]] = True
            text_look = np.where(shared, w.LOOK_WORDS_SHARED, w.LOOK_UNKNOWN)
            if prepared.motifs:
                query_mask = 0
                for motif in prepared.motifs:
                    if motif in self._motif_ids:
                        query_mask |= 1 << self._motif_ids[motif]
                overlap = (self._mark_motifs & query_mask) != 0
                motif_look = np.where(
                    overlap,
                    np.where(shared, w.LOOK_EXACT, w.LOOK_SAME_FAMILY),
                    w.LOOK_OTHER_MOTIF,
                )
                look = np.where(self._mark_has_motifs, motif_look, text_look)
            else:
                look = text_look
        agreement = kind * place * look
        best = np.zeros(self._count)
        if len(agreement):
            np.maximum.at(best, self._mark_doc, agreement)
        chance = stats.remember(("mark", prepared), lambda: mark_chance(prepared, stats))
        unrecorded = w.MARK_UNRECORDED * chance
        return _bits(unrecorded + best, unrecorded + chance)

    def _modus_operandi(self, prepared: PreparedQuery) -> np.ndarray:
        idf = self.statistics.idf
        contained = np.zeros(self._count)
        for token, asked_count in prepared.mo_tokens.items():
            if token in self._mo_postings:
                docs, _counts = self._mo_postings[token]
                contained[docs] += (asked_count * idf(token)) ** 2
        said = mo_said_mass(prepared, self.statistics)
        share = contained / said if said else contained * 0.0
        return np.where(self._has_mo, np.round(w.MO_MAX_BITS * share, 3), 0.0)
