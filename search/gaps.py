"""Why a candidate is not higher: its evidence set against the top candidate's, attribute by
attribute, largest shortfall first. The same `Score`s the answer gives, so nothing here
scores anything again."""

from collections import defaultdict
from dataclasses import dataclass

from search.scoring import Score


@dataclass(frozen=True)
class Gap:
    attribute: str
    top_found: str
    found: str
    shortfall: float  # bits the top candidate earned here that this one did not


def _by_attribute(score: Score) -> dict[str, tuple[float, list[str]]]:
    # Several marks are asked as several pieces of evidence of one attribute: summed.
    totals: dict[str, float] = defaultdict(float)
    found: dict[str, list[str]] = defaultdict(list)
    for evidence in score.explanation:
        totals[evidence.attribute] += evidence.contribution
        found[evidence.attribute].append(evidence.found)
    return {a: (totals[a], found[a]) for a in totals}


def why_lower(top: Score, candidate: Score) -> list[Gap]:
    """The attributes where `top` earned more than `candidate`, biggest shortfall first."""
    ours, theirs = _by_attribute(candidate), _by_attribute(top)
    gaps = []
    for attribute, (top_bits, top_found) in theirs.items():
        bits, found = ours.get(attribute, (0.0, ["nothing recorded"]))
        if top_bits - bits > 0.005:
            gaps.append(
                Gap(attribute, "; ".join(top_found), "; ".join(found), round(top_bits - bits, 2))
            )
    return sorted(gaps, key=lambda g: -g.shortfall)


def as_high_words(candidate: Score) -> str:
    """'no other nominal scores as high', '4 nominals score as high or higher', 'at least
    300 ...' (where the backend saw only its candidate window)."""
    count = candidate.as_high or 1
    if count == 1:
        return "no other nominal scores as high"
    said = f"{count}" if candidate.as_high_exact else f"at least {count}"
    return f"{said} nominals score as high or higher"


def score_words(score: float) -> str:
    """A score read out by its definition (search/service.SCORES_MEAN): how much likelier
    the description is if this nominal is the person than for one drawn at random."""
    if abs(score) < 0.05:
        return "no evidence either way"
    ratio = 2 ** abs(score)
    shown = f"{ratio:,.0f}" if ratio >= 10 else f"{ratio:.1f}"
    if score > 0:
        return f"the description is about {shown} times likelier if this is the person"
    return f"the description is about {shown} times less likely if this is the person"
