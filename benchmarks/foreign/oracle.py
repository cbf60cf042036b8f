"""The Bayes-optimal ranker for the foreign set: log P(observation | record) under the noise
model of `noise.py`, for every record of the register, vectorised with numpy.

Factors that do not depend on the record (which attributes a witness of a style mentions,
the format of an age or height, the order marks are listed in, how a place is said) are
left out: they shift every record's log-likelihood by the same amount, so the ranking is
the exact posterior ranking under a uniform prior over the register.
"""

import itertools
import math
from collections.abc import Callable, Hashable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.special import ndtr

from benchmarks.foreign import noise as n
from benchmarks.foreign.generate import age_of, mark_place

Array = NDArray[np.float64]
MAX_MARKS = 4


class _Categorical:
    """A record attribute with few distinct values: P(report | value) is computed once per
    distinct value and gathered."""

    def __init__(self, keys: Sequence[Hashable]) -> None:
        index: dict[Hashable, int] = {}
        self.inverse = np.array([index.setdefault(k, len(index)) for k in keys])
        self.values = list(index)
        self.counts = np.bincount(self.inverse, minlength=len(self.values)).astype(float)

    def likelihood(self, prob: Callable[[Any], float], lapse: float) -> Array:
        table = np.array([prob(v) for v in self.values])
        mean = float(table @ self.counts / self.counts.sum())
        out: Array = (1 - lapse) * table[self.inverse] + lapse * mean
        return out


class Oracle:
    def __init__(self, records: list[dict[str, Any]]) -> None:
        self.n = len(records)
        self.sexes = np.array([r["sex"] for r in records])
        self.refs = [r["reference"] for r in records]
        self.sex = _Categorical([r["sex"] for r in records])
        self.ethnic = _Categorical([r["ethnic_appearance"] for r in records])
        self.age = np.array([age_of(r) for r in records])
        self.height = np.array([float(r["height_cm"]) for r in records])
        self.build = _Categorical([r.get("build", "medium") for r in records])
        self.head = _Categorical([(r["hair_colour"], r.get("hair_length")) for r in records])
        self.facial = _Categorical([r.get("facial_hair") for r in records])
        self.eyes = _Categorical([r["eye_colour"] for r in records])
        self.accent = _Categorical([tuple(sorted(n.accent_truth(r).items())) for r in records])
        self.home = _Categorical([n.home(r) for r in records])
        # Marks: each record's marks as slots pointing into a table of distinct marks.
        mark_index: dict[tuple[str, str, str], int] = {}
        self.slots = np.full((self.n, MAX_MARKS), -1)
        for i, r in enumerate(records):
            for k, m in enumerate(r.get("marks", [])[:MAX_MARKS]):
                key = (m["type"], m["location"], m.get("description", ""))
                self.slots[i, k] = mark_index.setdefault(key, len(mark_index))
        self.marks = [{"type": t, "location": loc, "description": d} for t, loc, d in mark_index]
        counts = np.bincount(self.slots[self.slots >= 0], minlength=len(self.marks))
        self.mark_weights = counts / counts.sum()
        # Names: (record, form, weight) triples per kind.
        self.names = {
            kind: self._name_triples(records, fn)
            for kind, fn in (("forename", n.forename_forms), ("surname", n.surname_forms))
        }
        # MO: (record, distinct entry, weight) triples.
        entry_index: dict[tuple[int, tuple[tuple[str, str], ...]], int] = {}
        rows, cols, weights = [], [], []
        for i, r in enumerate(records):
            entries = [p for m in r["modus_operandi"] if (p := n.parse_mo(m["text"]))]
            for t, values in entries:
                entry = (t, tuple(sorted(values.items())))
                rows.append(i)
                cols.append(entry_index.setdefault(entry, len(entry_index)))
                weights.append(1 / len(entries))
        self.mo_entries = list(entry_index)
        self.mo_rows, self.mo_cols = np.array(rows), np.array(cols)
        self.mo_weights = np.array(weights)

    def _name_triples(
        self, records: list[dict[str, Any]], forms: Callable[[dict[str, Any]], n.Dist]
    ) -> tuple[list[str], NDArray[np.int64], NDArray[np.int64], Array]:
        index: dict[str, int] = {}
        rows, cols, weights = [], [], []
        for i, r in enumerate(records):
            for form, w in forms(r).items():
                rows.append(i)
                cols.append(index.setdefault(form, len(index)))
                weights.append(w)
        return list(index), np.array(rows), np.array(cols), np.array(weights)

    # --- one query ---------------------------------------------------------------------------

    def loglik(self, obs: dict[str, Any], style: str, medium: bool) -> Array:
        total = np.zeros(self.n)
        for factor in self.factors(obs, style, medium).values():
            with np.errstate(divide="ignore"):
                total += np.log(factor)
        return total

    def factors(self, obs: dict[str, Any], style: str, medium: bool) -> dict[str, Array]:
        w = n.LAPSE
        out: dict[str, Array] = {}
        if "sex" in obs:
            out["sex"] = self.sex.likelihood(lambda v: n.sex_channel(v).get(obs["sex"], 0), w)
        if "ethnic" in obs:
            out["ethnic"] = self.ethnic.likelihood(
                lambda v: n.ethnic_channel(v).get(obs["ethnic"], 0), w
            )
        if "age" in obs:
            lo, hi = obs["age"]["lo"], obs["age"]["hi"]
            if lo < 16 <= hi:  # the generator clamps perceived ages at 16
                lo = -math.inf
            mu = self.age + n.AGE_PULL * (n.AGE_PIVOT - self.age)  # as n.age_mean
            sd = 3.0 + 0.12 * self.age  # as n.age_sd
            p = ndtr((hi - mu) / sd) - ndtr((lo - mu) / sd)
            out["age"] = (1 - w) * p + w * p.mean()
        if "height" in obs:
            lo, hi = obs["height"]["lo"], obs["height"]["hi"]
            ph: Array = np.zeros(self.n)
            for weight, mu_w, sd_w in n.WITNESS_HEIGHTS:
                mean = self.height + n.HEIGHT_PULL * (mu_w - self.height) + n.HEIGHT_BIAS[style]
                spread = math.hypot(n.HEIGHT_SD, n.HEIGHT_PULL * sd_w)
                ph = ph + weight * (ndtr((hi - mean) / spread) - ndtr((lo - mean) / spread))
            out["height"] = (1 - w) * ph + w * ph.mean()
        if "build" in obs:
            out["build"] = self.build.likelihood(
                lambda v: n.build_channel(v).get(obs["build"], 0), w
            )
        if "head" in obs:
            out["head"] = self.head.likelihood(
                lambda v: n.head_channel(v[0], v[1]).get(obs["head"], 0), w
            )
        out["facial"] = self.facial.likelihood(
            lambda v: n.facial_channel(v, style).get(obs.get("facial", ""), 0), w
        )
        if "eyes" in obs:
            out["eyes"] = self.eyes.likelihood(lambda v: n.eye_channel(v).get(obs["eyes"], 0), w)
        if "accent" in obs:
            out["accent"] = self.accent.likelihood(
                lambda v: sum(p * n.accent_channel(r).get(obs["accent"], 0) for r, p in v), w
            )
        out["marks"] = self.marks_likelihood(obs["marks"], style, medium)
        if "name" in obs:
            out["name"] = self.name_likelihood(obs["name"])
        if "mo" in obs:
            out["mo"] = self.mo_likelihood(obs["mo"])
        if "area" in obs:
            out["area"] = self.area_likelihood(obs["area"])
        return out

    def marks_likelihood(self, reported: list[dict[str, str]], style: str, medium: bool) -> Array:
        valid = self.slots >= 0
        safe = np.where(valid, self.slots, 0)
        mention = np.array([n.mark_mention(m["type"], mark_place(m), style) for m in self.marks])
        m = np.where(valid, mention[safe], 0.0)  # (N, 4)
        base = np.prod(1 - m, axis=1)
        ratios = []
        spurious = []
        for rep in reported:
            q = np.array([n.mark_report_prob(mk, rep, medium) for mk in self.marks])
            ratios.append(np.where(valid, m * q[safe] / (1 - m), 0.0))
            spurious.append(float(q @ self.mark_weights))
        k = len(reported)

        def matched(js: Sequence[int]) -> Array:
            """Sum over injective maps of reported marks js onto the record's slots."""
            total = np.zeros(self.n) if js else np.ones(self.n)
            for perm in itertools.permutations(range(MAX_MARKS), len(js)):
                term = np.ones(self.n)
                for j, slot in zip(js, perm, strict=True):
                    term = term * ratios[j][:, slot]
                total += term
            return total

        everything = list(range(k))
        out = (1 - n.SPURIOUS_MARK) * matched(everything)
        for j in everything:
            others = [x for x in everything if x != j]
            out = out + n.SPURIOUS_MARK * spurious[j] * matched(others)
        result: Array = base * out
        return result

    def name_likelihood(self, name: dict[str, Any]) -> Array:
        kinds = {"forename": ["forename"], "surname": ["surname"], "full": ["forename", "surname"]}[
            name["kind"]
        ]
        p = np.full(self.n, n.NAME_KIND[name["kind"]])
        for kind, token in zip(kinds, name["tokens"], strict=True):
            forms, rows, cols, weights = self.names[kind]
            per_form = np.array(
                [
                    n.NAME_RIGHT * (f == token)
                    + n.NAME_MISHEARD * (token in n.misheard(f, kind)) / len(n.misheard(f, kind))
                    for f in forms
                ]
            )
            false = np.zeros(self.n)
            for sex in np.unique(self.sexes):
                lex = n.lexicon(kind, str(sex))
                false[self.sexes == sex] = n.NAME_FALSE * (token in lex) / len(lex)
            p = p * (np.bincount(rows, weights=weights * per_form[cols], minlength=self.n) + false)
        return p

    def mo_likelihood(self, mo: dict[str, Any]) -> Array:
        template, slots = mo["template"], mo["slots"]
        no_entry = n.mo_prob([], template, slots)
        per_entry = np.array(
            [
                n.mo_prob([(t, dict(values))], template, slots) - no_entry
                for t, values in self.mo_entries
            ]
        )
        # mo_prob over a record's entries is linear in the entries' shares.
        out: Array = no_entry + np.bincount(  # type: ignore[assignment]
            self.mo_rows, weights=self.mo_weights * per_entry[self.mo_cols], minlength=self.n
        )
        return out

    def area_likelihood(self, area: dict[str, str]) -> Array:
        town, district = area["town"], area["district"]

        def prob(home: tuple[str, str]) -> float:
            channel = n.area_channel(*home)
            if area["as"] == "town":
                return sum(p for key, p in channel.items() if key.split("|")[0] == town)
            return channel.get(f"{town}|{district}", 0.0)

        return self.home.likelihood(prob, 0.0)


def rank(scores: Array, target: int) -> int:
    """The target's rank (0 = first), ties shared evenly."""
    s = scores[target]
    greater = int(np.sum(scores > s))
    ties = int(np.sum(scores == s)) - 1
    return greater + ties // 2


def top(scores: Array, k: int = 10) -> list[int]:
    order = np.argsort(-scores, kind="stable")[:k]
    return [int(i) for i in order]
