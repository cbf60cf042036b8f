"""A witness-error model of our own, independent of visor's: what a witness mentions, and
how each thing mentioned relates to the truth.

Every channel is written once, as a probability distribution over reports given the
truth; the generator samples from it and the oracle reads probabilities from it, so the
oracle's likelihood is exact for the data the generator makes.

Sources (checked with the project's search tool where marked [checked]; figures we could
not find stated are marked [judgement] with the reasoning):

- Meissner, Sporer & Schooler (2007), "Person descriptions as eyewitness evidence", and the
  archival studies it reviews (incl. van Koppen & Lochun 1997, 2,299 robbery descriptions):
  real witnesses give about 7-10 descriptors, mostly general ones (sex, race, age, height,
  build), rarely facial detail (eye colour, face shape); what they do give is mostly
  congruent with the culprit [checked: the review's summary]. van Koppen & Lochun's
  per-attribute mention and accuracy rates could not be found in the searchable corpus, so
  the mention rates below are set to follow that ordering (sex ~always, then race, age,
  height, build, hair, then facial hair, marks, eyes) [judgement].
- Clifford et al. (2018, R. Soc. Open Sci.), 3,968 passport photos aged 7-70: average error
  of age estimates about 8 years; young faces judged older, old faces judged younger
  [checked]. Earlier small studies claimed +-3-4 years; larger ones +-6-8 [checked, via a
  review quoted in the corpus]. Voelkle et al. (2012): older faces harder to age [checked].
- Height: estimates regress towards the witness's own height (Flin & Shepherd 1986;
  Lindsay et al. 2008). The regression slope and error SD could not be found stated in the
  corpus [not found]; we use slope 0.2 and SD 6 cm (about 2.4 in, in line with the common
  finding of errors of 2-3 inches) [judgement]. Threat makes a person look bigger
  (Fessler, Holbrook & Snyder 2012, "Weapons make the man (larger)") [checked: a summary],
  so victims add +2 cm [judgement on size].
- Left/right: about 15% of adults report left-right confusion and 8.4% err on an objective
  test (van der Ham et al. 2021) [checked]; a witness facing the person must also mirror,
  so we flip the side of a mark 10% of the time and omit it 25% [judgement].
- Hair colour: light brown / dark blond and black / dark brown are the classic confusions;
  colour is among the less reliable descriptors [judgement; no figure found].
- Wholly wrong statements: each mentioned attribute is, with probability LAPSE = 0.08,
  reported as if of a different person drawn from the register (a transposition or plain
  error) [judgement: Meissner et al. report descriptions as "mostly congruent"; 8% keeps
  a heavy tail without swamping the signal].
- Mutable appearance: facial hair, hair length and build change between the register's
  record and the incident; we resample facial hair 30%, hair length 20% of the time
  [judgement].
- Behavioural consistency across an offender's crimes is real but moderate (crime linkage
  literature, e.g. Woodhams, Hollin & Bull 2007) [judgement on the size: the same MO
  pattern 65% of the time, each detail of it kept 60%].
- Journey to crime: most offences are close to home (distance decay) [judgement on the
  size: home town 72%, a neighbouring town 13%, anywhere 15%].
- Names: heard names are misheard or misspelt (Sean/Shaun) and offenders give false names
  [judgement: heard right 75%, misheard 15%, false 10%].
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable
from functools import cache
from typing import Any

from visor.synthetic import vocabulary

Dist = dict[str, float]

STYLES = ("shorthand", "lay", "victim", "radio")
LAPSE = 0.08

# Probability that a witness of each style mentions each attribute at all [judgement,
# ordered after Meissner et al. 2007: general attributes first, facial detail rarely].
MENTION: dict[str, dict[str, float]] = {
    "shorthand": {
        "sex": 1.0,
        "ethnic": 0.95,
        "age": 0.95,
        "height": 0.85,
        "build": 0.75,
        "head": 0.7,
        "facial": 0.45,
        "eyes": 0.1,
        "accent": 0.25,
        "marks": 1.0,
        "mo": 0.6,
        "area": 0.85,
    },
    "lay": {
        "sex": 0.98,
        "ethnic": 0.8,
        "age": 0.8,
        "height": 0.65,
        "build": 0.6,
        "head": 0.6,
        "facial": 0.35,
        "eyes": 0.05,
        "accent": 0.35,
        "marks": 0.8,
        "mo": 0.8,
        "area": 0.6,
    },
    "victim": {
        "sex": 1.0,
        "ethnic": 0.8,
        "age": 0.85,
        "height": 0.7,
        "build": 0.65,
        "head": 0.65,
        "facial": 0.5,
        "eyes": 0.2,
        "accent": 0.5,
        "marks": 1.2,
        "mo": 0.95,
        "area": 0.5,
    },
    "radio": {
        "sex": 1.0,
        "ethnic": 0.95,
        "age": 0.9,
        "height": 0.8,
        "build": 0.65,
        "head": 0.6,
        "facial": 0.35,
        "eyes": 0.03,
        "accent": 0.15,
        "marks": 0.8,
        "mo": 0.5,
        "area": 0.95,
    },
}
NAME_MENTION = 0.6  # in non-"medium" queries only
MOTIF_MENTION = 0.7  # a reported tattoo's motif, in non-"medium" queries only


def normalised(d: dict[str, float]) -> Dist:
    total = sum(d.values())
    return {k: v / total for k, v in d.items() if v > 0}


def mix(parts: Iterable[tuple[float, Dist]]) -> Dist:
    out: dict[str, float] = defaultdict(float)
    for weight, dist in parts:
        for k, v in dist.items():
            out[k] += weight * v
    return dict(out)


def compose(first: Dist, then: dict[str, Dist]) -> Dist:
    """Perceive a category by `first`, then word it by `then[category]`."""
    return mix((p, then[c]) for c, p in first.items())


# --- sex ------------------------------------------------------------------------------------

SEX_FLIP = 0.01  # [judgement: sex is the most reliable descriptor in every archival study]


def sex_channel(sex: str) -> Dist:
    if sex in ("M", "F"):
        other = "F" if sex == "M" else "M"
        return {sex: 1 - SEX_FLIP, other: SEX_FLIP}
    return {"M": 0.5, "F": 0.5}


# --- ethnic appearance ------------------------------------------------------------------------

# Perceived identity code given the recorded one [judgement: race is highly reliable for
# IC1/IC3, less for IC2/IC6, whom witnesses confuse with each other and with IC1/IC4].
ETHNIC_CONFUSION: dict[str, Dist] = {
    "IC1": {"IC1": 0.93, "IC2": 0.06, "IC6": 0.01},
    "IC2": {"IC1": 0.35, "IC2": 0.45, "IC6": 0.15, "IC4": 0.05},
    "IC3": {"IC3": 0.95, "IC4": 0.03, "IC6": 0.02},
    "IC4": {"IC4": 0.82, "IC6": 0.10, "IC3": 0.05, "IC5": 0.03},
    "IC5": {"IC5": 0.88, "IC4": 0.10, "IC1": 0.02},
    "IC6": {"IC6": 0.55, "IC4": 0.20, "IC2": 0.20, "IC1": 0.05},
    "IC9": {"IC1": 0.70, "IC2": 0.05, "IC3": 0.09, "IC4": 0.09, "IC5": 0.02, "IC6": 0.05},
}
ETHNIC_CONFUSION["IC0"] = ETHNIC_CONFUSION["IC9"]


def ethnic_channel(code: str) -> Dist:
    return ETHNIC_CONFUSION.get(code, ETHNIC_CONFUSION["IC9"])


# --- age and height: Gaussian perception, reported in bins -------------------------------------

AGE_PIVOT = 35.0  # estimates are pulled towards a typical adult age (Clifford et al. 2018)
AGE_PULL = 0.15  # [judgement: a 60-year-old is reported ~56, a 20-year-old ~22]


def age_mean(age: float) -> float:
    return age + AGE_PULL * (AGE_PIVOT - age)


def age_sd(age: float) -> float:
    # 7.6 years at 38, 5.4 at 20, 10.2 at 60: older faces are harder (Voelkle et al. 2012);
    # about 8 years overall (Clifford et al. 2018).
    return 3.0 + 0.12 * age


AGE_FORMATS: dict[str, Dist] = {
    "shorthand": {"range5": 0.5, "about": 0.2, "exact": 0.3},
    "lay": {"about": 0.35, "decade": 0.3, "thirds": 0.25, "range5": 0.1},
    "victim": {"about": 0.4, "decade": 0.3, "thirds": 0.2, "exact": 0.1},
    "radio": {"exact": 0.4, "range5": 0.5, "about": 0.1},
}


def age_report(fmt: str, perceived: float) -> tuple[float, float, int, int]:
    """(lo, hi) of the perceived ages giving this report, and the structured (min, max)."""
    p = perceived
    if fmt == "about":
        x = 5 * round(p / 5)
        return x - 2.5, x + 2.5, x - 3, x + 3
    if fmt == "exact":
        x = round(p)
        return x - 0.5, x + 0.5, x - 2, x + 2
    if fmt == "range5":
        lo = 5 * math.floor(p / 5)
        return lo, lo + 5, lo, lo + 5
    if fmt == "decade":
        d = 10 * math.floor(p / 10)
        return d, d + 10, d, d + 9
    if fmt == "thirds":
        d = 10 * math.floor(p / 10)
        k = p - d
        if k < 3.5:
            return d, d + 3.5, d, d + 4
        if k < 6.5:
            return d + 3.5, d + 6.5, d + 3, d + 7
        return d + 6.5, d + 10, d + 6, d + 9
    raise ValueError(fmt)


HEIGHT_PULL = 0.2  # towards the witness's own height (Flin & Shepherd 1986) [judgement]
HEIGHT_SD = 6.0  # cm [judgement]
HEIGHT_BIAS = {"shorthand": 0.0, "lay": 0.0, "victim": 2.0, "radio": 0.0}  # cm, threat
# Witnesses' own heights: half men, half women; UK adult means and SDs (Health Survey for
# England: men ~175-177 cm, women ~162-164 cm, SD ~7) [judgement on rounding].
WITNESS_HEIGHTS = ((0.5, 176.0, 7.0), (0.5, 162.5, 6.5))


def height_components(height: float, style: str) -> list[tuple[float, float, float]]:
    """The perceived height as a mixture of Gaussians: (weight, mean, sd)."""
    out = []
    for weight, mu, sd in WITNESS_HEIGHTS:
        mean = height + HEIGHT_PULL * (mu - height) + HEIGHT_BIAS[style]
        out.append((weight, mean, math.hypot(HEIGHT_SD, HEIGHT_PULL * sd)))
    return out


HEIGHT_FORMATS: dict[str, Dist] = {
    "shorthand": {"inch": 0.45, "range2in": 0.35, "cm5": 0.2},
    "lay": {"inch": 0.3, "two_inch": 0.35, "word": 0.35},
    "victim": {"inch": 0.25, "two_inch": 0.35, "word": 0.4},
    "radio": {"inch": 0.6, "range2in": 0.3, "cm5": 0.1},
}
INCH = 2.54
# "tall" / "short" thresholds on the perceived height, by the sex the witness reports.
HEIGHT_WORDS = {"M": (168.0, 183.0), "F": (157.0, 170.0)}


def height_report(fmt: str, perceived: float, sex: str) -> tuple[float, float, str, dict[str, int]]:
    """(lo, hi) of perceived heights giving this report, a key, and the structured range."""
    p = perceived
    if fmt == "inch":
        n = round(p / INCH)
        c = n * INCH
        return c - INCH / 2, c + INCH / 2, f"in{n}", {"min": round(c - 3), "max": round(c + 3)}
    if fmt == "two_inch":
        n = 2 * round(p / (2 * INCH))
        c = n * INCH
        return c - INCH, c + INCH, f"in{n}", {"min": round(c - 4), "max": round(c + 4)}
    if fmt == "range2in":
        n = 2 * math.floor(p / (2 * INCH))
        lo, hi = n * INCH, (n + 2) * INCH
        return lo, hi, f"in{n}-{n + 2}", {"min": round(lo), "max": round(hi)}
    if fmt == "cm5":
        c = 5 * round(p / 5)
        return c - 2.5, c + 2.5, f"cm{c}", {"min": c - 3, "max": c + 3}
    if fmt == "word":
        short, tall = HEIGHT_WORDS.get(sex, HEIGHT_WORDS["M"])
        if p < short:
            return -math.inf, short, "short", {"max": round(short)}
        if p >= tall:
            return tall, math.inf, "tall", {"min": round(tall)}
        return short, tall, "average", {"min": round(short) + 2, "max": round(tall) - 3}
    raise ValueError(fmt)


def phi(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


# --- build ----------------------------------------------------------------------------------

BUILDS = ("thin", "slim", "medium", "athletic", "muscular", "stocky", "heavy", "obese")
# Perceived build given the recorded one: clothing hides shape, fat and muscle are
# confused, and weight changes over time [judgement].
BUILD_CONFUSION: dict[str, Dist] = {
    "thin": {"thin": 0.55, "slim": 0.37, "medium": 0.07, "athletic": 0.01},
    "slim": {
        "thin": 0.15,
        "slim": 0.50,
        "medium": 0.25,
        "athletic": 0.07,
        "muscular": 0.01,
        "stocky": 0.02,
    },
    "medium": {
        "slim": 0.12,
        "medium": 0.50,
        "athletic": 0.10,
        "muscular": 0.03,
        "stocky": 0.15,
        "heavy": 0.10,
    },
    "athletic": {"slim": 0.08, "medium": 0.22, "athletic": 0.40, "muscular": 0.20, "stocky": 0.10},
    "muscular": {"medium": 0.08, "athletic": 0.25, "muscular": 0.42, "stocky": 0.20, "heavy": 0.05},
    "stocky": {"medium": 0.15, "athletic": 0.05, "muscular": 0.10, "stocky": 0.45, "heavy": 0.25},
    "heavy": {"medium": 0.06, "stocky": 0.24, "heavy": 0.50, "obese": 0.20},
    "obese": {"stocky": 0.05, "heavy": 0.40, "obese": 0.55},
}
# The words a witness uses for a perceived build; "big" is ambiguous on purpose.
BUILD_WORDS: dict[str, Dist] = {
    "thin": {"thin": 0.4, "skinny": 0.4, "scrawny": 0.2},
    "slim": {"slim": 0.7, "slender": 0.15, "slight": 0.15},
    "medium": {"medium build": 0.4, "average build": 0.45, "normal build": 0.15},
    "athletic": {"athletic": 0.6, "sporty": 0.2, "fit": 0.2},
    "muscular": {"muscular": 0.4, "well built": 0.35, "broad": 0.1, "big": 0.15},
    "stocky": {"stocky": 0.6, "thickset": 0.15, "solid": 0.1, "big": 0.15},
    "heavy": {"heavy": 0.15, "overweight": 0.25, "chubby": 0.25, "fat": 0.2, "big": 0.15},
    "obese": {"very fat": 0.4, "obese": 0.3, "huge": 0.15, "big": 0.15},
}


@cache
def build_channel(build: str) -> Dist:
    return compose(BUILD_CONFUSION.get(build, BUILD_CONFUSION["medium"]), BUILD_WORDS)


# --- hair -------------------------------------------------------------------------------------

COLOURS = (
    "black",
    "dark brown",
    "brown",
    "light brown",
    "auburn",
    "ginger",
    "blonde",
    "grey",
    "white",
)
COLOUR_CONFUSION: dict[str, Dist] = {
    "black": {"black": 0.70, "dark brown": 0.25, "brown": 0.05},
    "dark brown": {"black": 0.25, "dark brown": 0.45, "brown": 0.25, "light brown": 0.05},
    "brown": {
        "black": 0.05,
        "dark brown": 0.25,
        "brown": 0.45,
        "light brown": 0.20,
        "auburn": 0.05,
    },
    "light brown": {
        "dark brown": 0.05,
        "brown": 0.25,
        "light brown": 0.35,
        "blonde": 0.30,
        "ginger": 0.05,
    },
    "auburn": {"dark brown": 0.10, "brown": 0.25, "auburn": 0.35, "ginger": 0.30},
    "ginger": {"light brown": 0.10, "auburn": 0.20, "ginger": 0.65, "blonde": 0.05},
    "blonde": {"light brown": 0.25, "ginger": 0.05, "blonde": 0.65, "white": 0.05},
    "grey": {"dark brown": 0.05, "brown": 0.05, "grey": 0.70, "white": 0.20},
    "white": {"blonde": 0.05, "grey": 0.40, "white": 0.55},
}
COLOUR_WORDS: dict[str, Dist] = {
    "black": {"black": 0.8, "jet black": 0.2},
    "dark brown": {"dark brown": 0.6, "dark": 0.4},
    "brown": {"brown": 0.8, "mousy": 0.2},
    "light brown": {"light brown": 0.5, "sandy": 0.25, "dirty blonde": 0.25},
    "auburn": {"auburn": 0.6, "reddish brown": 0.4},
    "ginger": {"ginger": 0.7, "red": 0.3},
    "blonde": {"blonde": 0.7, "fair": 0.3},
    "grey": {"grey": 0.6, "greying": 0.25, "salt and pepper": 0.15},
    "white": {"white": 1.0},
}
LENGTHS = ("shaved", "short", "collar length", "shoulder length", "long")
LENGTH_POPULATION: Dist = normalised(
    {"shaved": 18, "short": 45, "collar length": 14, "shoulder length": 10, "long": 8}
)
LENGTH_STALE = 0.2
LENGTH_CONFUSION: dict[str, Dist] = {
    "shaved": {"shaved": 0.70, "short": 0.30},
    "short": {"shaved": 0.10, "short": 0.75, "collar length": 0.15},
    "collar length": {"short": 0.30, "collar length": 0.50, "shoulder length": 0.20},
    "shoulder length": {"collar length": 0.25, "shoulder length": 0.55, "long": 0.20},
    "long": {"shoulder length": 0.30, "long": 0.70},
}
LENGTH_WORDS: dict[str, Dist] = {
    "shaved": {"shaved": 0.5, "cropped": 0.5},
    "short": {"short": 1.0},
    "collar length": {"collar length": 0.5, "longish": 0.3, "medium length": 0.2},
    "shoulder length": {"shoulder length": 1.0},
    "long": {"long": 0.7, "ponytail": 0.3},
}
COLOUR_SAID, LENGTH_SAID = 0.9, 0.6  # given hair is described at all


@cache
def head_channel(colour: str, length: str | None) -> Dist:
    """Report keys: "BALD", "SHAVED", or "colourword|lengthword" (either may be empty)."""
    if colour == "bald" or colour not in COLOURS:
        if colour == "bald":
            return {"BALD": 0.75, "SHAVED": 0.25}
        colour = "brown"
    current = mix([(1 - LENGTH_STALE, {length or "short": 1.0}), (LENGTH_STALE, LENGTH_POPULATION)])
    colour_words = compose(COLOUR_CONFUSION[colour], COLOUR_WORDS)
    out: dict[str, float] = defaultdict(float)
    both = 1 - (1 - COLOUR_SAID) * (1 - LENGTH_SAID)
    for cur, pc in current.items():
        if cur == "shaved":
            out["BALD"] += pc * 0.15
            out["SHAVED"] += pc * 0.5
            rest = pc * 0.35
        else:
            rest = pc
        length_words = compose(LENGTH_CONFUSION[cur], LENGTH_WORDS)
        for cw, p1 in [
            *((w, COLOUR_SAID * p) for w, p in colour_words.items()),
            ("", 1 - COLOUR_SAID),
        ]:
            for lw, p2 in [
                *((w, LENGTH_SAID * p) for w, p in length_words.items()),
                ("", 1 - LENGTH_SAID),
            ]:
                if cw or lw:
                    out[f"{cw}|{lw}"] += rest * p1 * p2 / both
    return dict(out)


# --- facial hair ------------------------------------------------------------------------------

FACIAL = ("none", "stubble", "moustache", "goatee", "full beard")
FACIAL_POPULATION: Dist = {
    "none": 0.50,
    "stubble": 0.20,
    "moustache": 0.05,
    "goatee": 0.08,
    "full beard": 0.17,
}
FACIAL_STALE = 0.3
FACIAL_CONFUSION: dict[str, Dist] = {
    "none": {"none": 0.85, "stubble": 0.15},
    "stubble": {"none": 0.20, "stubble": 0.55, "goatee": 0.10, "full beard": 0.15},
    "moustache": {"stubble": 0.05, "moustache": 0.60, "goatee": 0.25, "full beard": 0.10},
    "goatee": {"stubble": 0.10, "moustache": 0.15, "goatee": 0.50, "full beard": 0.25},
    "full beard": {"stubble": 0.15, "goatee": 0.10, "full beard": 0.75},
}
FACIAL_WORDS: dict[str, Dist] = {
    "none": {"clean shaven": 1.0},
    "stubble": {"stubble": 0.7, "unshaven": 0.3},
    "moustache": {"moustache": 0.7, "tache": 0.3},
    "goatee": {"goatee": 1.0},
    "full beard": {"beard": 0.6, "full beard": 0.2, "bearded": 0.2},
}
FACIAL_ABSENCE_SAID = 0.4  # "clean shaven" is said less often than a beard is [judgement]


@cache
def facial_channel(facial: str | None, style: str) -> Dist:
    """Report words, or "" for not mentioned (which is record-dependent here)."""
    if facial is None:  # women and unknown sex: no field; they have none
        current: Dist = {"none": 1.0}
    else:
        current = mix([(1 - FACIAL_STALE, {facial: 1.0}), (FACIAL_STALE, FACIAL_POPULATION)])
    perceived = compose(current, FACIAL_CONFUSION)
    m = MENTION[style]["facial"]
    out: dict[str, float] = defaultdict(float)
    for cat, p in perceived.items():
        said = m * (FACIAL_ABSENCE_SAID if cat == "none" else 1.0)
        out[""] += p * (1 - said)
        for w, q in FACIAL_WORDS[cat].items():
            out[w] += p * said * q
    return dict(out)


# --- eyes -------------------------------------------------------------------------------------

EYE_CONFUSION: dict[str, Dist] = {
    "blue": {"blue": 0.70, "grey": 0.15, "green": 0.10, "hazel": 0.05},
    "grey": {"blue": 0.45, "grey": 0.40, "green": 0.15},
    "green": {"blue": 0.15, "grey": 0.15, "green": 0.45, "hazel": 0.25},
    "hazel": {"green": 0.30, "hazel": 0.35, "brown": 0.35},
    "brown": {"hazel": 0.10, "brown": 0.70, "dark brown": 0.20},
    "dark brown": {"hazel": 0.05, "brown": 0.50, "dark brown": 0.45},
}
EYE_WORDS: dict[str, Dist] = {
    "blue": {"blue": 1.0},
    "grey": {"grey": 1.0},
    "green": {"green": 1.0},
    "hazel": {"hazel": 1.0},
    "brown": {"brown": 1.0},
    "dark brown": {"dark brown": 0.5, "dark": 0.5},
}


@cache
def eye_channel(eyes: str) -> Dist:
    return compose(EYE_CONFUSION.get(eyes, EYE_CONFUSION["brown"]), EYE_WORDS)


# --- accent -----------------------------------------------------------------------------------

# Our own grouping of the register's accent strings into regions.
ACCENT_REGION: dict[str, str] = {
    "South London": "london",
    "East London": "london",
    "Cockney": "london",
    "London": "london",
    "Mancunian": "manchester",
    "Manchester": "manchester",
    "Salford": "manchester",
    "Scouse": "liverpool",
    "Liverpudlian": "liverpool",
    "Brummie": "birmingham",
    "Birmingham": "birmingham",
    "Yorkshire": "yorkshire",
    "Leeds": "yorkshire",
    "Bradford": "yorkshire",
    "Sheffield": "yorkshire",
    "Hull": "yorkshire",
    "Geordie": "tyneside",
    "Tyneside": "tyneside",
    "Mackem": "wearside",
    "North East": "wearside",
    "Bristolian": "westcountry",
    "West Country": "westcountry",
    "Devon": "westcountry",
    "Welsh": "wales",
    "Cardiff": "wales",
    "Swansea": "wales",
    "East Midlands": "eastmidlands",
    "Nottingham": "eastmidlands",
    "Leicester": "eastmidlands",
    "Hampshire": "south",
    "southern English": "south",
    "Norfolk": "eastanglia",
    "East Anglian": "eastanglia",
    "Glaswegian": "scotland",
    "Scottish": "scotland",
}
REGION_WORDS: dict[str, Dist] = {
    "london": {"London": 0.5, "Cockney": 0.3, "South London": 0.1, "East London": 0.1},
    "manchester": {"Manc": 0.4, "Manchester": 0.4, "Mancunian": 0.2},
    "liverpool": {"Scouse": 0.8, "Liverpool": 0.2},
    "birmingham": {"Brummie": 0.8, "Birmingham": 0.2},
    "yorkshire": {"Yorkshire": 0.8, "Leeds": 0.1, "Sheffield": 0.1},
    "tyneside": {"Geordie": 0.9, "Newcastle": 0.1},
    "wearside": {"Mackem": 0.5, "North East": 0.5},
    "westcountry": {"West Country": 0.7, "Bristol": 0.3},
    "wales": {"Welsh": 0.9, "Valleys": 0.1},
    "eastmidlands": {"East Midlands": 0.5, "Nottingham": 0.3, "Leicester": 0.2},
    "south": {"southern": 1.0},
    "eastanglia": {"Norfolk": 0.6, "East Anglian": 0.4},
    "scotland": {"Scottish": 0.7, "Glaswegian": 0.3},
}
# Regions a listener confuses (lay people place accents badly beyond the broad region)
# [judgement: Geordie/Mackem, Manc/Scouse, Brummie/Black Country-East Midlands...].
REGION_CONFUSED: dict[str, tuple[str, ...]] = {
    "london": ("south",),
    "manchester": ("liverpool", "yorkshire"),
    "liverpool": ("manchester",),
    "birmingham": ("eastmidlands",),
    "yorkshire": ("manchester", "eastmidlands"),
    "tyneside": ("wearside",),
    "wearside": ("tyneside",),
    "westcountry": ("south",),
    "wales": ("westcountry",),
    "eastmidlands": ("birmingham", "yorkshire"),
    "south": ("london",),
    "eastanglia": ("london",),
    "scotland": ("tyneside",),
}
NORTHERN = {"manchester", "liverpool", "yorkshire", "tyneside", "wearside"}
ACCENT_RIGHT, ACCENT_BROAD, ACCENT_WRONG = 0.6, 0.2, 0.2


@cache
def accent_channel(region: str) -> Dist:
    parts: list[tuple[float, Dist]] = [(ACCENT_RIGHT, REGION_WORDS[region])]
    if region in NORTHERN:
        parts.append((ACCENT_BROAD, {"northern": 1.0}))
    else:
        parts.append((ACCENT_BROAD, REGION_WORDS[region]))
    confused = REGION_CONFUSED[region]
    parts += [(ACCENT_WRONG / len(confused), REGION_WORDS[r]) for r in confused]
    return mix(parts)


def accent_truth(record: dict[str, Any]) -> Dist:
    """The person's accent region: the record's, or (none recorded) one of the area's."""
    if record.get("accent") in ACCENT_REGION:
        return {ACCENT_REGION[record["accent"]]: 1.0}
    town = home(record)[0]
    accents = next(a["accents"] for a in vocabulary()["areas"] if a["town"] == town)
    return mix((1 / len(accents), {ACCENT_REGION[a]: 1.0}) for a in accents)


# --- area -------------------------------------------------------------------------------------

TOWN_GROUPS = (
    ("Manchester", "Salford", "Liverpool"),
    ("Leeds", "Bradford", "Sheffield", "Hull"),
    ("Newcastle upon Tyne", "Sunderland"),
    ("Birmingham", "Nottingham", "Leicester"),
    ("Cardiff", "Swansea"),
    ("Bristol", "Plymouth"),
    ("London", "Southampton", "Norwich"),
    ("Glasgow",),
)
AREA_HOME, AREA_NEAR, AREA_ANY = 0.72, 0.13, 0.15
HOME_DISTRICT = 0.6


def home(record: dict[str, Any]) -> tuple[str, str]:
    address = record["addresses"][0]
    return address["town"], address.get("postcode", "").split(" ")[0]


@cache
def towns() -> dict[str, tuple[str, ...]]:
    return {a["town"]: tuple(a["districts"]) for a in vocabulary()["areas"]}


def neighbours(town: str) -> tuple[str, ...]:
    group = next(g for g in TOWN_GROUPS if town in g)
    return tuple(t for t in group if t != town)


def area_channel(town: str, district: str) -> Dist:
    """Incident place keys "town|district"."""
    all_towns = towns()
    out: dict[str, float] = defaultdict(float)
    near = neighbours(town)
    anywhere = AREA_ANY + (0 if near else AREA_NEAR)
    ds = all_towns[town]
    for d in ds:
        p = HOME_DISTRICT if d == district else (1 - HOME_DISTRICT) / (len(ds) - 1)
        out[f"{town}|{d}"] += AREA_HOME * p
    for t in near:
        for d in all_towns[t]:
            out[f"{t}|{d}"] += AREA_NEAR / len(near) / len(all_towns[t])
    for t, tds in all_towns.items():
        for d in tds:
            out[f"{t}|{d}"] += anywhere / len(all_towns) / len(tds)
    return dict(out)


AREA_AS: dict[str, Dist] = {  # how the place is said: town, district, or both
    "shorthand": {"district": 0.4, "both": 0.4, "town": 0.2},
    "lay": {"town": 0.8, "both": 0.2},
    "victim": {"town": 0.9, "both": 0.1},
    "radio": {"district": 0.3, "both": 0.5, "town": 0.2},
}


# --- marks ------------------------------------------------------------------------------------

# Our own anatomy of the register's mark places: (side, fine part, coarse part).
PLACE_PARTS: dict[str, tuple[str, str, str]] = {
    "left forearm": ("L", "forearm", "arm"),
    "right forearm": ("R", "forearm", "arm"),
    "left upper arm": ("L", "upper arm", "arm"),
    "right upper arm": ("R", "upper arm", "arm"),
    "left hand": ("L", "hand", "hand"),
    "right hand": ("R", "hand", "hand"),
    "left wrist": ("L", "wrist", "arm"),
    "right wrist": ("R", "wrist", "arm"),
    "neck": ("", "neck", "neck"),
    "chest": ("", "chest", "body"),
    "back": ("", "back", "body"),
    "left leg": ("L", "leg", "leg"),
    "right leg": ("R", "leg", "leg"),
    "face": ("", "face", "face"),
    "right eyebrow": ("R", "eyebrow", "face"),
    "left eyebrow": ("L", "eyebrow", "face"),
    "head": ("", "head", "head"),
    "left ear": ("L", "ear", "head"),
    "right ear": ("R", "ear", "head"),
    "nose": ("", "nose", "face"),
    "lip": ("", "lip", "face"),
    "abdomen": ("", "stomach", "body"),
}
PART_NEIGHBOURS: dict[str, tuple[str, ...]] = {
    "forearm": ("wrist", "upper arm"),
    "wrist": ("forearm", "hand"),
    "upper arm": ("forearm",),
    "hand": ("wrist",),
    "eyebrow": ("face",),
    "nose": ("face",),
    "lip": ("face",),
    "chest": ("stomach",),
    "stomach": ("chest",),
    "neck": ("head",),
    "ear": ("head",),
}
FINE_SAID, PART_RIGHT = 0.65, 0.88
SIDE_RIGHT, SIDE_FLIP, SIDE_OMIT = 0.65, 0.10, 0.25
# How visible each part is to a witness of a clothed person [judgement].
VISIBILITY: dict[str, float] = {
    "face": 0.85,
    "eyebrow": 0.6,
    "nose": 0.7,
    "lip": 0.6,
    "neck": 0.65,
    "head": 0.45,
    "ear": 0.45,
    "hand": 0.55,
    "wrist": 0.4,
    "forearm": 0.4,
    "upper arm": 0.2,
    "leg": 0.08,
    "chest": 0.1,
    "back": 0.04,
    "stomach": 0.04,
}
TYPE_SALIENCE: dict[str, float] = {
    "tattoo": 1.0,
    "scar": 0.8,
    "piercing": 0.5,
    "mark": 0.5,
    "birthmark": 0.6,
    "removed_tattoo": 0.4,
    "amputation": 0.6,
    "deformity": 0.7,
    "other": 0.5,
}
TYPE_CONFUSION: dict[str, Dist] = {
    "tattoo": {"tattoo": 0.97, "scar": 0.03},
    "scar": {"scar": 0.85, "mark": 0.10, "tattoo": 0.05},
    "removed_tattoo": {"tattoo": 0.5, "mark": 0.3, "scar": 0.2},
    "birthmark": {"birthmark": 0.5, "mark": 0.5},
    "mark": {"mark": 0.7, "birthmark": 0.2, "scar": 0.1},
    "piercing": {"piercing": 1.0},
    "amputation": {"amputation": 0.8, "deformity": 0.2},
    "deformity": {"deformity": 0.8, "scar": 0.2},
    "other": {"mark": 1.0},
}
SPURIOUS_MARK = 0.04  # a mark the person does not have (transposed from someone else)


def mark_mention(mark_type: str, place: str, style: str) -> float:
    part = PLACE_PARTS[place][1]
    return min(0.95, VISIBILITY[part] * TYPE_SALIENCE.get(mark_type, 0.5) * MENTION[style]["marks"])


@cache
def location_channel(place: str) -> Dist:
    """Keys "side|part" (side "" when not said)."""
    side, fine, coarse = PLACE_PARTS[place]
    sides: Dist = (
        {side: SIDE_RIGHT, ("R" if side == "L" else "L"): SIDE_FLIP, "": SIDE_OMIT}
        if side
        else {"": 1.0}
    )
    nbrs = PART_NEIGHBOURS.get(fine, ())
    fines: Dist = (
        {fine: PART_RIGHT, **{n: (1 - PART_RIGHT) / len(nbrs) for n in nbrs}}
        if nbrs
        else {fine: 1.0}
    )
    parts = mix([(FINE_SAID, fines), (1 - FINE_SAID, {coarse: 1.0})])
    return {f"{s}|{p}": ps * pp for s, ps in sides.items() for p, pp in parts.items()}


@cache
def place_of_location() -> dict[str, str]:
    return {v: p["location"] for p in vocabulary()["mark_locations"] for v in p["variants"]}


# Our reading of each tattoo description: (what a witness would name, generic kind).
TATTOO_DEPICTS: dict[str, tuple[str, str]] = {
    "coiled snake": ("snake", "snake"),
    "cobra with hood spread": ("cobra", "snake"),
    "serpent wrapped around a dagger": ("snake", "snake"),
    "snake and skull": ("snake", "snake"),
    "green and red dragon": ("dragon", "dragon"),
    "Chinese-style dragon": ("dragon", "dragon"),
    "Welsh dragon": ("Welsh dragon", "dragon"),
    "dragon breathing fire": ("dragon", "dragon"),
    "eagle with wings spread": ("eagle", "bird"),
    "eagle head": ("eagle", "bird"),
    "swallow in flight": ("swallow", "bird"),
    "pair of swallows": ("swallows", "bird"),
    "spider web": ("spider web", "spider"),
    "spider in a web": ("spider", "spider"),
    "black widow spider": ("spider", "spider"),
    "lion head": ("lion", "big cat"),
    "roaring lion": ("lion", "big cat"),
    "tiger face": ("tiger", "big cat"),
    "panther": ("panther", "big cat"),
    "skull": ("skull", "skull"),
    "grinning skull with crossbones": ("skull and crossbones", "skull"),
    "skull wearing a crown": ("skull", "skull"),
    "sugar skull": ("skull", "skull"),
    "woman's face": ("woman's face", "face"),
    "portrait of a child": ("child's face", "face"),
    "clown face": ("clown", "face"),
    "grim reaper": ("grim reaper", "skull"),
    "red rose": ("rose", "flower"),
    "rose with thorns": ("rose", "flower"),
    "bunch of roses": ("roses", "flower"),
    "lotus flower": ("lotus", "flower"),
    "rose and dagger": ("rose", "flower"),
    "cannabis leaf": ("cannabis leaf", "leaf"),
    "maple leaf": ("maple leaf", "leaf"),
    "ivy vine": ("ivy", "leaf"),
    "Union Jack": ("Union Jack", "flag"),
    "St George cross": ("St George flag", "flag"),
    "Irish tricolour": ("Irish flag", "flag"),
    "Jamaican flag": ("Jamaican flag", "flag"),
    "Polish flag": ("Polish flag", "flag"),
    "dagger through a heart": ("dagger and heart", "dagger"),
    "crossed swords": ("swords", "dagger"),
    "pistol": ("gun", "gun"),
    "dagger dripping blood": ("dagger", "dagger"),
    "anchor": ("anchor", "anchor"),
    "ship's wheel": ("ship's wheel", "anchor"),
    "anchor with rope": ("anchor", "anchor"),
    "Celtic cross": ("Celtic cross", "cross"),
    "crucifix": ("crucifix", "cross"),
    "praying hands": ("praying hands", "cross"),
    "rosary beads": ("rosary", "cross"),
    "five-pointed star": ("star", "star"),
    "nautical star": ("star", "star"),
    "row of stars": ("stars", "star"),
    "tribal band": ("tribal band", "pattern"),
    "tribal pattern": ("tribal", "pattern"),
    "barbed wire band": ("barbed wire", "pattern"),
    "Celtic knot band": ("Celtic knot", "pattern"),
    "the word MUM in a scroll": ("MUM", "writing"),
    "the name KAYLEIGH": ("KAYLEIGH", "writing"),
    "LOVE and HATE across the knuckles": ("LOVE HATE", "writing"),
    "dates in Roman numerals": ("Roman numerals", "writing"),
    "the word LOYALTY": ("LOYALTY", "writing"),
    "initials JB": ("initials", "writing"),
    "ACAB": ("ACAB", "writing"),
}
GENERIC_WORDS: dict[str, str] = {  # how a witness says the generic kind
    "snake": "a snake",
    "dragon": "a dragon",
    "bird": "a bird",
    "spider": "a spider",
    "big cat": "a big cat",
    "skull": "a skull",
    "face": "a face",
    "flower": "a flower",
    "leaf": "a leaf",
    "flag": "a flag",
    "dagger": "a knife or sword",
    "gun": "a gun",
    "anchor": "something nautical",
    "cross": "a religious thing",
    "star": "stars",
    "pattern": "a pattern",
    "writing": "writing",
}
MOTIF_SPECIFIC, MOTIF_GENERIC, MOTIF_WRONG = 0.55, 0.30, 0.15


@cache
def motif_channel(description: str) -> Dist:
    """Words for a tattoo's motif; "" when no motif is said (given a tattoo is reported)."""
    specific, generic = TATTOO_DEPICTS.get(description, ("", "pattern"))
    words = mix(
        [
            (MOTIF_SPECIFIC, {specific or GENERIC_WORDS[generic]: 1.0}),
            (MOTIF_GENERIC, {GENERIC_WORDS[generic]: 1.0}),
            (MOTIF_WRONG, {w: 1 / len(GENERIC_WORDS) for w in GENERIC_WORDS.values()}),
        ]
    )
    return {"": 1 - MOTIF_MENTION, **{w: MOTIF_MENTION * p for w, p in words.items()}}


def mark_report_prob(mark: dict[str, Any], report: dict[str, str], medium: bool) -> float:
    """P(this report | the witness noticed this mark)."""
    true_type = mark["type"]
    p = TYPE_CONFUSION.get(true_type, TYPE_CONFUSION["other"]).get(report["type"], 0.0)
    if p == 0:
        return 0.0
    place = place_of_location().get(mark["location"], "chest")
    p *= location_channel(place).get(report["where"], 0.0)
    if report["type"] == "tattoo" and not medium:
        if true_type == "tattoo":
            p *= motif_channel(mark.get("description", "")).get(report["motif"], 0.0)
        else:
            p *= 1.0 if report["motif"] == "" else 0.0
    return p


# --- names ------------------------------------------------------------------------------------

NAME_RIGHT, NAME_MISHEARD, NAME_FALSE = 0.75, 0.15, 0.10
NAME_KIND: Dist = {"forename": 0.7, "surname": 0.15, "full": 0.15}


def forename_forms(record: dict[str, Any]) -> Dist:
    weights: dict[str, float] = defaultdict(float)
    for n in record["names"]:
        if n["kind"] == "primary":
            weights[n["forename"]] += 5
            if n.get("middle_names"):
                weights[n["middle_names"]] += 0.5
        elif n["kind"] == "nickname":
            weights[n["forename"]] += 3
    return normalised(weights)


def surname_forms(record: dict[str, Any]) -> Dist:
    weights: dict[str, float] = defaultdict(float)
    for n in record["names"]:
        weights[n["surname"]] += 3 if n["kind"] == "primary" else 1
    return normalised(weights)


@cache
def lexicon(kind: str, sex: str = "") -> tuple[str, ...]:
    """Names a name can be misheard as (sex ""), or a false name is drawn from (by the
    person's sex: a man giving a false name gives a man's name)."""
    v = vocabulary()
    if kind == "forename":
        nick = {x for xs in v["nicknames"].values() for x in xs}
        male = set(v["forenames_male"]) | nick | set(v["street_names"])
        female = set(v["forenames_female"]) | set(v["street_names"])
        chosen = {"M": male, "F": female}.get(sex, male | female)
        return tuple(sorted(chosen))
    return tuple(sorted(set(v["surnames"])))


def sound_key(name: str) -> str:
    """A crude key of how a name sounds: our own, not visor's."""
    s = name.lower()
    for a, b in (
        ("ph", "f"),
        ("ck", "k"),
        ("c", "k"),
        ("q", "k"),
        ("z", "s"),
        ("y", "i"),
        ("ee", "i"),
        ("ie", "i"),
        ("ey", "i"),
        ("h", ""),
        ("w", ""),
    ):
        s = s.replace(a, b)
    s = re.sub(r"(.)\1+", r"\1", s)
    return s[0] + re.sub(r"[aeiou]", "", s[1:]) if s else s


def spelling_variant(name: str) -> str:
    """The one misspelling a name gets when no similar name exists: our rule."""
    for a, b in (
        ("ie", "y"),
        ("y", "ie"),
        ("ph", "f"),
        ("ck", "k"),
        ("ll", "l"),
        ("tt", "t"),
        ("ss", "s"),
        ("nn", "n"),
    ):
        if a in name[1:]:
            return name[0] + name[1:].replace(a, b, 1)
    return name + "e" if name[-1] not in "e" else name[:-1]


@cache
def misheard(name: str, kind: str) -> tuple[str, ...]:
    """The names `name` may be misheard as (a fixed, uniform set)."""
    key = sound_key(name)
    similar = tuple(
        n
        for n in lexicon(kind)
        if n != name
        and (sound_key(n) == key or (n[0] == name[0] and _one_edit(n.lower(), name.lower())))
    )
    return similar or (spelling_variant(name),)


def _one_edit(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def heard_channel(form: str, kind: str, sex: str) -> Dist:
    lex = lexicon(kind, sex)
    nbrs = misheard(form, kind)
    return mix(
        [
            (NAME_RIGHT, {form: 1.0}),
            (NAME_MISHEARD, {n: 1 / len(nbrs) for n in nbrs}),
            (NAME_FALSE, {n: 1 / len(lex) for n in lex}),
        ]
    )


# --- modus operandi ---------------------------------------------------------------------------

MO_SAME = 0.65
MO_SLOT_KEPT = 0.6
MO_SLOT_SAID = 0.8
MO_TIME_SAID = 0.5


@cache
def mo_templates() -> tuple[tuple[str, tuple[str, ...], re.Pattern[str]], ...]:
    """(template, its slots, a regex reading a record's MO text back into slots)."""
    v = vocabulary()
    out = []
    for t in v["mo_templates"]:
        slots = tuple(re.findall(r"\{(\w+)\}", t))
        tokens: list[str] = []
        for piece in re.split(r"(\{\w+\})", t):
            m = re.fullmatch(r"\{(\w+)\}", piece)
            if m:
                values = sorted(v["mo_slots"][m.group(1)], key=len, reverse=True)
                tokens.append("(" + "|".join(re.escape(x) for x in values) + ")")
            else:
                tokens += [re.escape(word) for word in piece.split()]
        pattern = r"\s*".join(tokens)
        out.append((t, slots, re.compile(pattern + "$")))
    return tuple(out)


def parse_mo(text: str) -> tuple[int, dict[str, str]] | None:
    for i, (_, slots, rx) in enumerate(mo_templates()):
        m = rx.match(text)
        if m:
            return i, dict(zip(slots, m.groups(), strict=True))
    return None


def slot_values(slot: str) -> list[str]:
    values: list[str] = vocabulary()["mo_slots"][slot]
    return values


def slot_said(slot: str, value: str) -> float:
    if slot == "time":
        return 0.0 if value == "" else MO_TIME_SAID
    return MO_SLOT_SAID


def mo_slot_prob(slot: str, reported: str | None, dist: Dist) -> float:
    """P(report of one slot) given the incident's slot value distribution `dist`;
    `reported` None when the witness did not say it."""
    if reported is None:
        return sum(p * (1 - slot_said(slot, v)) for v, p in dist.items())
    return dist.get(reported, 0.0) * slot_said(slot, reported)


def mo_prob(
    record_mo: list[tuple[int, dict[str, str]]], template: int, reported: dict[str, str | None]
) -> float:
    """P(incident template and reported slots | the record's MO entries)."""
    n_templates = len(mo_templates())
    slots = mo_templates()[template][1]

    def uniform(slot: str) -> Dist:
        vs = slot_values(slot)
        return {v: 1 / len(vs) for v in vs}

    random_branch = (1 - MO_SAME) / n_templates
    for s in slots:
        random_branch *= mo_slot_prob(s, reported.get(s), uniform(s))
    same = 0.0
    for t, values in record_mo:
        if t != template:
            continue
        p = 1.0
        for s in slots:
            u = uniform(s)
            dist = mix([(MO_SLOT_KEPT, {values[s]: 1.0}), (1 - MO_SLOT_KEPT, u)])
            p *= mo_slot_prob(s, reported.get(s), dist)
        same += p / len(record_mo)
    return MO_SAME * same + random_branch


def sample(rng: Any, dist: Dist) -> str:
    keys = list(dist)
    return str(rng.choices(keys, weights=[dist[k] for k in keys])[0])
