"""Precision and recall of every photo flag on the evaluation set (audit_corpus.py): each
sample measured as import would measure it, judged by the audit's own rules."""

import random
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from audits.duplicates import HashColumns, near_pairs
from audits.photo_rules import FACE_CODES, PHOTO_QUALITY_CODES, PhotoMeasurements, photo_flags
from audits.policy import threshold
from imaging.analysis import PhotoAnalysis
from imaging.decode import decode_bytes
from imaging.hashes import compute_hashes
from tests.audits.audit_corpus import Sample, measure, samples, scene_photos
from tests.imaging.photo_corpus import TRANSFORMS, encode, face_photos, load, quadrants

CODES = PHOTO_QUALITY_CODES + FACE_CODES


@dataclass
class Tally:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    judged: int = 0

    @property
    def precision(self) -> float:
        flagged = self.true_positives + self.false_positives
        return self.true_positives / flagged if flagged else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_positives + self.false_negatives
        return self.true_positives / wanted if wanted else 1.0


@dataclass
class Judged:
    sample: Sample
    analysis: PhotoAnalysis
    raised: frozenset[str]


def judge(chosen: list[Sample] | None = None) -> list[Judged]:
    judged = []
    for sample in samples() if chosen is None else chosen:
        analysis = measure(sample)
        raised = photo_flags(PhotoMeasurements.from_analysis(analysis), sample.kind)
        judged.append(Judged(sample, analysis, frozenset(f.code for f in raised)))
    return judged


def tally(judged: list[Judged], groups: set[str] | None = None) -> dict[str, Tally]:
    """Per flag, over the samples (of these groups) on which it is judged."""
    tallies = {code: Tally() for code in CODES}
    for item in judged:
        if groups is not None and item.sample.group not in groups:
            continue
        for code in CODES:
            if code in item.sample.ignored:
                continue
            if item.sample.kind != "face" and code in FACE_CODES:
                continue
            t = tallies[code]
            t.judged += 1
            expected, raised = code in item.sample.expected, code in item.raised
            t.true_positives += expected and raised
            t.false_positives += raised and not expected
            t.false_negatives += expected and not raised
    return tallies


def flagged_share(judged: list[Judged], code: str, groups: set[str]) -> float:
    chosen = [j for j in judged if j.sample.group in groups]
    return sum(code in j.raised for j in chosen) / len(chosen)


@dataclass(frozen=True)
class DuplicateResult:
    copies: int
    copies_found: int
    distinct_pairs: int
    distinct_paired: int


def duplicate_evaluation(seed: int = 5) -> DuplicateResult:
    """Each real photo (and its quadrants) on one nominal and a transformed copy of it on
    another: how many copies the audit pairs; and every pair of distinct pictures (real
    photos, quadrants, 200 LFW crops) on nominals of their own: how many it pairs wrongly."""
    rng = random.Random(seed)
    pictures = {name: encode(image) for name, image in scene_photos().items()}
    pictures |= quadrants(pictures)
    pictures |= face_photos()
    hashes = {name: compute_hashes(decode_bytes(data).image) for name, data in pictures.items()}
    copies = []
    for name, data in list(pictures.items())[:76]:
        original = load(data)
        for transform_name, transform in TRANSFORMS.items():
            if transform_name == "rotate +-3deg":
                continue  # a rotated copy is a new photograph for this purpose
            copies.append(
                (name, compute_hashes(decode_bytes(encode(transform(original, rng))).image))
            )
    radius = int(threshold("duplicate", "combined_distance_at_most"))
    names = list(hashes)
    every = [hashes[n] for n in names] + [h for _n, h in copies]
    owners = list(range(len(names))) + [len(names) + i for i in range(len(copies))]
    columns = HashColumns(
        np.array([h.phash for h in every], dtype=np.uint64),
        np.array([h.dhash for h in every], dtype=np.uint64),
        np.array([h.phash_mirror for h in every], dtype=np.uint64),
        np.array([h.dhash_mirror for h in every], dtype=np.uint64),
        np.array(owners, dtype=np.int64),
    )
    source = {len(names) + i: names.index(n) for i, (n, _h) in enumerate(copies)}
    found: set[int] = set()
    wrong = 0
    for i, j, _distance in near_pairs(columns, radius):
        if j in source and source[j] == i:
            found.add(j)
        elif i < len(names) and j < len(names) and names[i].split("#")[0] != names[j].split("#")[0]:
            wrong += 1
    pairs = sum(
        1
        for a in range(len(names))
        for b in range(a + 1, len(names))
        if names[a].split("#")[0] != names[b].split("#")[0]
    )
    return DuplicateResult(len(copies), len(found), pairs, wrong)


def by_group(judged: list[Judged]) -> dict[str, list[Judged]]:
    groups: dict[str, list[Judged]] = defaultdict(list)
    for item in judged:
        groups[item.sample.group].append(item)
    return groups
