"""Evidence weights, in one place, each with its reason.

A contribution is a log2 likelihood ratio (Fellegi-Sunter): how much more likely the
witness's statement is if the candidate is the person than if the candidate is anyone in the
register. "m" is the chance a witness's statement agrees when it is the person (witnesses
err: ages are out by years, heights by inches, colours confused, left and right swapped);
"u" is the chance it agrees by luck, taken from the register's own statistics so that rare
values weigh more. Missing information on either side contributes nothing. Contributions are
bounded so that no single contradiction excludes a candidate: only hard filters exclude.
"""

from dataclasses import dataclass

from search.vocabulary import load


@dataclass(frozen=True)
class Levels:
    agree: float  # m: the statement agrees when it is the person
    partial: float  # m: a near miss (neighbouring colour, adjacent build)
    reason: str

    @property
    def disagree(self) -> float:
        return max(0.01, 1.0 - self.agree - self.partial)


def _witness(attribute: str) -> Levels:
    """The levels of `vocabularies/witness_error.json`, where the figures they rest on are."""
    entry = load("witness_error")[attribute]
    return Levels(entry["agree"], entry["partial"], entry["reason"])


SEX = _witness("sex")
ETHNIC_APPEARANCE = _witness("ethnic_appearance")
BUILD = _witness("build")
HAIR_COLOUR = _witness("hair_colour")
HAIR_LENGTH = _witness("hair_length")
FACIAL_HAIR = _witness("facial_hair")
EYE_COLOUR = _witness("eye_colour")
ACCENT = _witness("accent")

# The share of a trait's statements that are not about the person at all, whatever they
# look like (vocabularies/witness_error.json, `wholly_wrong`): such a statement names each
# term as often as the register's people have it.
WHOLLY_WRONG = float(load("witness_error")["wholly_wrong"]["share"])

AGE_IN_RANGE = float(load("witness_error")["age"]["in_range"])  # the stated range holds it
AGE_ERROR_YEARS = float(load("witness_error")["age"]["error_years"])  # spread outside it
HEIGHT_IN_BAND = float(load("witness_error")["height"]["in_range"])
HEIGHT_ERROR_CM = float(load("witness_error")["height"]["error_cm"])
OUTSIDE_FLOOR = 0.02  # a wild miss stays possible: the witness may simply be wrong

NAME_EXACT = 0.85  # the full name heard is one the nominal has used
NAME_SURNAME = 0.6
NAME_FORENAME_ONLY = 0.7  # a first name or nickname heard alone
NAME_PHONETIC = 0.3
NAME_ALIKE_CHANCE = 0.05  # share of a register whose names look or sound like a given one
NAME_NO_MATCH = 0.15  # a heard name matches none of the nominal's names or aliases

# Of marks a witness reports on the right person, the share the record does not show (new
# since, never recorded, or misremembered): "no such mark on record" costs log2(0.15/1.15).
MARK_UNRECORDED = 0.15
# How a described mark's look agrees with a recorded one (the "look" factor of a mark's
# agreement, beside its kind and place). Named motifs are compared first: the same words
# ("rosary beads" and "rosary") agree fully, the same family only in part (a cobra for a
# snake, a Celtic cross for rosary beads: witnesses name the family more reliably than the
# design), and a different motif not at all: it counts as no such mark. Without motifs on
# both sides only the words can agree, and an undescribed look is weak agreement.
LOOK_EXACT = 1.0
LOOK_SAME_FAMILY = 0.7
LOOK_OTHER_MOTIF = 0.0
LOOK_WORDS_SHARED = 0.5
LOOK_UNKNOWN = 0.25
MO_MAX_BITS = 8.0  # an MO that reads the same, word for word, as the recorded one
# Kept at 8 on a measurement (2026-12-02, foreign set's tune split, 381 queries, visor free
# text / structured recall@10): 5 bits 0.504 / 0.520, 8 bits 0.514 / 0.528, 11 bits 0.517 /
# 0.530. An MO that changed since the record costs the target no more than these bits, yet
# less weight on MO loses more queries than it saves; 11 gains one query, within noise.
# Where an offence is against where the nominal has lived (vocabularies/witness_error.json,
# `area`): the home postcode district, elsewhere in the home town, a town beside it and a
# town within reach of it (`search/geography.py`).
AREA_HOME_DISTRICT = float(load("witness_error")["area"]["home_district"])
AREA_HOME_TOWN = float(load("witness_error")["area"]["home_town"])
AREA_TOWN_BESIDE = float(load("witness_error")["area"]["town_beside"])
AREA_TOWN_WITHIN_REACH = float(load("witness_error")["area"]["town_within_reach"])

# Bounds on one attribute's contribution, in bits: evidence, not a verdict.
MIN_CONTRIBUTION = -6.0
MAX_CONTRIBUTION = 14.0
