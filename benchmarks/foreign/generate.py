"""Draw targets from a synthetic register, describe each through the noise model
(`noise.py`), and write every description three ways: the witness's observation (what the
oracle reads), a structured query in visor's schema, and free text in one of four styles.

    python -m benchmarks.foreign.generate     # rewrites benchmarks/foreign/queries.jsonl
"""

import datetime as dt
import json
import random
from functools import cache
from pathlib import Path
from typing import Any

from benchmarks.foreign import noise as n
from visor.synthetic import NominalGenerator

REGISTER_SEED = 5151
REGISTER_SIZE = 20_000
QUERY_SEED = 6161
QUERY_COUNT = 800
AS_OF = dt.date(2026, 1, 1)
OUT = Path(__file__).resolve().parent / "queries.jsonl"

Record = dict[str, Any]
Obs = dict[str, Any]


@cache
def register() -> list[Record]:
    return list(NominalGenerator(seed=REGISTER_SEED, as_of=AS_OF).nominals(REGISTER_SIZE))


def age_of(record: Record, as_of: dt.date = AS_OF) -> float:
    born = dt.date.fromisoformat(record["dates_of_birth"][0])
    return (as_of - born).days / 365.25


def mark_place(mark: dict[str, Any]) -> str:
    return n.place_of_location().get(mark["location"], "chest")


# --- the witness ------------------------------------------------------------------------------


def observe(rng: random.Random, target: Record, style: str, medium: bool) -> Obs:
    """What the witness reports, as channel outputs (see noise.py)."""
    people = register()
    said = n.MENTION[style]
    obs: Obs = {}

    def source() -> Record:
        # A wholly wrong statement: the attribute is reported as if of someone else.
        return rng.choice(people) if rng.random() < n.LAPSE else target

    if rng.random() < said["sex"]:
        obs["sex"] = n.sample(rng, n.sex_channel(source()["sex"]))
    if rng.random() < said["ethnic"]:
        obs["ethnic"] = n.sample(rng, n.ethnic_channel(source()["ethnic_appearance"]))
    if rng.random() < said["age"]:
        a = age_of(source())
        perceived = rng.gauss(n.age_mean(a), n.age_sd(a))
        fmt = n.sample(rng, n.AGE_FORMATS[style])
        lo, hi, amin, amax = n.age_report(fmt, max(16.0, perceived))
        obs["age"] = {"format": fmt, "lo": lo, "hi": hi, "min": max(16, amin), "max": amax}
    if rng.random() < said["height"]:
        comps = n.height_components(source()["height_cm"], style)
        _, mean, sd = rng.choices(comps, weights=[c[0] for c in comps])[0]
        perceived = rng.gauss(mean, sd)
        fmt = n.sample(rng, n.HEIGHT_FORMATS[style])
        lo, hi, key, rng_cm = n.height_report(fmt, perceived, obs.get("sex", "M"))
        obs["height"] = {"format": fmt, "lo": lo, "hi": hi, "key": key, "cm": rng_cm}
    if rng.random() < said["build"]:
        obs["build"] = n.sample(rng, n.build_channel(source().get("build", "medium")))
    if rng.random() < said["head"]:
        s = source()
        obs["head"] = n.sample(rng, n.head_channel(s["hair_colour"], s.get("hair_length")))
    obs["facial"] = n.sample(rng, n.facial_channel(source().get("facial_hair"), style))
    if rng.random() < said["eyes"]:
        obs["eyes"] = n.sample(rng, n.eye_channel(source()["eye_colour"]))
    if rng.random() < said["accent"]:
        region = n.sample(rng, n.accent_truth(source()))
        obs["accent"] = n.sample(rng, n.accent_channel(region))
    obs["marks"] = observe_marks(rng, target, style, medium)
    if not medium and rng.random() < n.NAME_MENTION:
        obs["name"] = observe_name(rng, target)
    if rng.random() < said["mo"]:
        obs["mo"] = observe_mo(rng, target)
    if rng.random() < said["area"]:
        town, district = n.home(target)
        place = n.sample(rng, n.area_channel(town, district))
        t, d = place.split("|")
        obs["area"] = {"as": n.sample(rng, n.AREA_AS[style]), "town": t, "district": d}
    return obs


def report_mark(rng: random.Random, mark: dict[str, Any], medium: bool) -> dict[str, str]:
    kind = n.sample(rng, n.TYPE_CONFUSION.get(mark["type"], n.TYPE_CONFUSION["other"]))
    where = n.sample(rng, n.location_channel(mark_place(mark)))
    motif = ""
    if kind == "tattoo" and not medium and mark["type"] == "tattoo":
        motif = n.sample(rng, n.motif_channel(mark.get("description", "")))
    return {"type": kind, "where": where, "motif": motif}


def observe_marks(rng: random.Random, target: Record, style: str, medium: bool) -> list[Any]:
    reported = [
        report_mark(rng, m, medium)
        for m in target.get("marks", [])
        if rng.random() < n.mark_mention(m["type"], mark_place(m), style)
    ]
    if rng.random() < n.SPURIOUS_MARK:
        everyone = [m for r in register() for m in r.get("marks", [])]
        reported.append(report_mark(rng, rng.choice(everyone), medium))
    rng.shuffle(reported)
    return reported


def observe_name(rng: random.Random, target: Record) -> dict[str, Any]:
    kind = n.sample(rng, n.NAME_KIND)
    tokens = []
    if kind in ("forename", "full"):
        form = n.sample(rng, n.forename_forms(target))
        tokens.append(n.sample(rng, n.heard_channel(form, "forename", target["sex"])))
    if kind in ("surname", "full"):
        form = n.sample(rng, n.surname_forms(target))
        tokens.append(n.sample(rng, n.heard_channel(form, "surname", target["sex"])))
    return {"kind": kind, "tokens": tokens}


def observe_mo(rng: random.Random, target: Record) -> dict[str, Any]:
    entries = [p for m in target["modus_operandi"] if (p := n.parse_mo(m["text"]))]
    templates = n.mo_templates()
    if entries and rng.random() < n.MO_SAME:
        template, values = rng.choice(entries)
        values = {
            s: v if rng.random() < n.MO_SLOT_KEPT else rng.choice(n.slot_values(s))
            for s, v in values.items()
        }
    else:
        template = rng.randrange(len(templates))
        values = {s: rng.choice(n.slot_values(s)) for s in templates[template][1]}
    slots = {s: (v if rng.random() < n.slot_said(s, v) else None) for s, v in values.items()}
    return {"template": template, "slots": slots}


# --- words ------------------------------------------------------------------------------------

ETHNIC_LAY = {
    "IC1": ["white"],
    "IC2": ["Mediterranean-looking", "olive-skinned"],
    "IC3": ["black"],
    "IC4": ["Asian", "Indian or Pakistani looking"],
    "IC5": ["Chinese-looking", "East Asian"],
    "IC6": ["Middle Eastern", "Arab-looking"],
}
DECADES = {
    1: "teens",
    2: "twenties",
    3: "thirties",
    4: "forties",
    5: "fifties",
    6: "sixties",
    7: "seventies",
    8: "eighties",
}
NUMBER_WORDS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
]
VICTIM_WORDS = {
    "girls aged 12-15": "a girl of about thirteen",
    "boys aged 10-14": "a boy of about twelve",
    "teenage girls": "teenage girls",
    "young women": "young women",
    "elderly women": "an elderly woman",
    "children": "kids",
    "vulnerable adults": "vulnerable adults",
    "lone women": "women on their own",
    "schoolchildren": "schoolkids",
    "young men": "young lads",
}
PLACE_WORDS = {
    "bus stops": "the bus stop",
    "a park": "the park",
    "a school": "the school gates",
    "a shopping centre": "the shopping centre",
    "a railway station": "the train station",
    "a leisure centre": "the leisure centre",
    "a play area": "the kids' play area",
    "a fast-food restaurant": "the burger place",
    "a nightclub": "the nightclub",
    "a skate park": "the skate park",
    "a canal towpath": "the canal towpath",
    "a supermarket car park": "the supermarket car park",
}
TIME_WORDS = {
    "after school": "after school",
    "late at night": "late at night",
    "in the early evening": "early evening",
    "at weekends": "at the weekend",
    "in the early hours": "in the early hours",
    "during school holidays": "in the school holidays",
    "": "",
}
MO_WORDS = [
    "pulled up near {place} {time} and offered {victim} a lift in his {car}, "
    "saying he knew their mum",
    "got chatting to {victim} on {app} for weeks, then set up a meet at {place}",
    "followed {victim} from {place} {time} and jumped them from behind in an alley",
    "exposed himself to {victim} from a {car} parked up near {place}",
    "made out he was a {pretext} to get inside the homes of {victim}",
    "hung round {place} {time} handing {victim} fags, drink and weed and asking them back "
    "to a flat",
    "gets violent with his partner when he's had a drink and threatened her with a knife",
    "pulled a knife on {victim} by {place} {time} and punched them for their phones",
    "was secretly taking photos of {victim} on his phone at {place}",
    "offered to walk {victim} home, drunk, as they came out of {place} {time}",
    "posed as a modelling scout on {app} to get {victim} to a rented room",
    "does paid babysitting through friends of friends to get at kids",
    "got knocked back at {place} {time} and then went for the door staff and passers-by",
    "keeps turning up at his ex's work and texting her threats",
]


def slot_words(slot: str, value: str | None) -> str:
    if value is None:
        return {
            "victim": "someone",
            "place": "there",
            "time": "",
            "car": "car",
            "app": "social media",
            "pretext": "workman",
        }[slot]
    table = {"victim": VICTIM_WORDS, "place": PLACE_WORDS, "time": TIME_WORDS}.get(slot)
    return table[value] if table else value


def mo_text(mo: dict[str, Any], sex: str | None = None) -> str:
    template = MO_WORDS[mo["template"]]
    words = {s: slot_words(s, v) for s, v in mo["slots"].items()}
    text = " ".join(template.format(**words).replace(" ,", ",").split())
    if sex == "F":
        text = text.replace("himself", "herself").replace(" his ", " her ")
        text = text.replace("he's", "she's").replace("he was", "she was")
    return text


def pron(obs: Obs) -> tuple[str, str]:
    return ("she", "her") if obs.get("sex") == "F" else ("he", "his")


def age_words(rng: random.Random, age: dict[str, Any], style: str) -> str:
    fmt, lo, hi = age["format"], age["lo"], age["hi"]
    if fmt == "about":
        x = round(lo + 2.5)
        return rng.choice([f"about {x}", f"around {x}", f"{x}-ish", f"maybe {x}"])
    if fmt == "exact":
        x = round(lo + 0.5)
        return f"approx {x} yrs" if style in ("shorthand", "radio") else f"{x}"
    if fmt == "range5":
        a, b = round(lo), round(hi)
        return f"{a}-{b} yrs" if style in ("shorthand", "radio") else f"{a} to {b}"
    d = int(lo // 10)
    decade = DECADES.get(d, "eighties")
    if fmt == "decade":
        return rng.choice([f"in {{his}} {decade}", f"{decade}"]) if d > 1 else "in {his} teens"
    third = "early" if lo % 10 == 0 else ("late" if hi % 10 == 0 else "mid")
    return f"{third} {decade}" if d > 1 else f"{third} teens"


def feet(inches: int) -> tuple[int, int]:
    return inches // 12, inches % 12


def height_words(rng: random.Random, h: dict[str, Any], style: str) -> str:
    fmt, key = h["format"], h["key"]
    if fmt in ("inch", "two_inch"):
        f, i = feet(int(key[2:]))
        if style in ("shorthand", "radio"):
            return f"{f}'{i}" if i else f"{f}ft"
        about = "about " if fmt == "two_inch" else ""
        if i == 0:
            return about + rng.choice([f"{f}ft", f"{NUMBER_WORDS[f]} foot"])
        return about + rng.choice([f"{f}ft {i}", f"{NUMBER_WORDS[f]} foot {NUMBER_WORDS[i]}"])
    if fmt == "range2in":
        a, b = (int(x) for x in key[2:].split("-"))
        fa, ia = feet(a)
        fb, ib = feet(b)
        return f"{fa}'{ia}-{fb}'{ib}"
    if fmt == "cm5":
        return f"approx {key[2:]}cm"
    return {
        "short": rng.choice(["short", "on the short side", "not very tall"]),
        "tall": rng.choice(["tall", "quite tall", "tall"]),
        "average": rng.choice(["average height", "medium height"]),
    }[key]


def hair_words(head: str, style: str) -> str:
    if head == "BALD":
        return "bald"
    if head == "SHAVED":
        return "shaved head" if style != "shorthand" else "head shaved"
    colour, length = head.split("|")
    if style == "shorthand":
        colour = {"brown": "brn", "dark brown": "dk brn", "black": "blk"}.get(colour, colour)
    words = " ".join(w for w in (length, colour) if w)
    return f"{words} hair"


SIDE_WORDS = {"L": "left", "R": "right", "": ""}
PART_WORDS = {"body": "body", "upper arm": "upper arm", "stomach": "stomach"}


def where_words(where: str, poss: str, style: str) -> str:
    side, part = where.split("|")
    if style in ("shorthand", "radio"):
        return f"{side} {part}" if side else part
    s = SIDE_WORDS[side]
    return f"{poss} {s + ' ' if s else ''}{PART_WORDS.get(part, part)}"


MARK_WORDS = {
    "tattoo": "tattoo",
    "scar": "scar",
    "mark": "mark",
    "birthmark": "birthmark",
    "piercing": "piercing",
    "amputation": "missing finger",
    "deformity": "deformity",
    "removed_tattoo": "faded tattoo",
    "other": "mark",
}


def mark_words(mark: dict[str, str], poss: str, style: str) -> str:
    where = where_words(mark["where"], poss, style)
    kind = MARK_WORDS[mark["type"]]
    if style == "shorthand":
        kind = {"tattoo": "TAT", "scar": "SCAR"}.get(mark["type"], kind)
        return f"{kind} {where}" + (f" - {mark['motif']}" if mark["motif"] else "")
    if style == "radio":
        kind = {"tattoo": "TAT"}.get(mark["type"], kind)
        return f"{kind} {where}" + (f" ({mark['motif']})" if mark["motif"] else "")
    motif = f" of {mark['motif']}" if mark["motif"] else ""
    return f"a {kind}{motif} on {where}"


def structured_location(where: str) -> str:
    side, part = where.split("|")
    return f"{SIDE_WORDS[side]} {part}".strip()


def name_text(name: dict[str, Any]) -> str:
    return " ".join(name["tokens"])


def area_text(area: dict[str, str]) -> str:
    if area["as"] == "district":
        return area["district"]
    if area["as"] == "both":
        return f"{area['town']} {area['district']}"
    return area["town"]


def structured(obs: Obs, qid: str) -> dict[str, Any]:
    q: dict[str, Any] = {"query_id": qid, "as_of": AS_OF.isoformat(), "filters": {"status": "any"}}
    if "sex" in obs:
        q["sex"] = obs["sex"]
    if "ethnic" in obs:
        q["ethnic_appearance"] = obs["ethnic"]
    if "age" in obs:
        q["age"] = {"min": obs["age"]["min"], "max": obs["age"]["max"]}
    if "height" in obs:
        q["height_cm"] = obs["height"]["cm"]
    if "build" in obs:
        q["build"] = obs["build"]
    head = obs.get("head")
    if head == "BALD":
        q["hair_colour"] = "bald"
    elif head == "SHAVED":
        q["hair_length"] = "shaved"
    elif head:
        colour, length = head.split("|")
        if colour:
            q["hair_colour"] = colour
        if length:
            q["hair_length"] = length
    if obs.get("facial"):
        q["facial_hair"] = obs["facial"]
    if "eyes" in obs:
        q["eye_colour"] = obs["eyes"]
    if "accent" in obs:
        q["accent"] = obs["accent"]
    if obs["marks"]:
        q["marks"] = [
            {
                "type": m["type"],
                "location": structured_location(m["where"]),
                **({"description": m["motif"]} if m["motif"] else {}),
            }
            for m in obs["marks"]
        ]
    if "name" in obs:
        q["name"] = name_text(obs["name"])
    if "mo" in obs:
        q["modus_operandi"] = mo_text(obs["mo"], obs.get("sex"))
    if "area" in obs:
        a = obs["area"]
        q["area"] = a["town"] if a["as"] == "town" else a["district"]
    return q


def _clothes(rng: random.Random) -> str:
    top = rng.choice(
        [
            "grey hoodie",
            "black puffer jacket",
            "navy tracksuit top",
            "dark parka",
            "white T-shirt",
            "hi-vis vest",
            "green bomber jacket",
        ]
    )
    bottom = rng.choice(["jeans", "black joggers", "grey trackies", "work trousers"])
    return f"{top}, {bottom}"


def text_shorthand(rng: random.Random, obs: Obs) -> str:
    head = []
    if "ethnic" in obs:
        head.append(obs["ethnic"])
    head.append({"M": "M", "F": "F"}.get(obs.get("sex", ""), "person"))
    bits = [" ".join(head)]
    if "age" in obs:
        bits.append(age_words(rng, obs["age"], "shorthand"))
    if "height" in obs:
        bits.append(height_words(rng, obs["height"], "shorthand"))
    if "build" in obs:
        bits.append(f"{obs['build']} bld")
    if "head" in obs:
        bits.append(hair_words(obs["head"], "shorthand"))
    if obs.get("facial"):
        bits.append(obs["facial"])
    if "eyes" in obs:
        bits.append(f"{obs['eyes']} eyes")
    if "accent" in obs:
        bits.append(f"{obs['accent']} accent")
    text = "Susp: " + ", ".join(bits) + "."
    for m in obs["marks"]:
        text += " " + mark_words(m, "", "shorthand") + "."
    if "name" in obs:
        text += f" Name given: {name_text(obs['name']).upper()}."
    if "mo" in obs:
        text += f" MO: {mo_text(obs['mo'], obs.get('sex'))}."
    if "area" in obs:
        text += f" Loc: {area_text(obs['area'])}."
    return text.replace("{his}", pron(obs)[1])


def text_radio(rng: random.Random, obs: Obs) -> str:
    where = f" {area_text(obs['area'])}" if "area" in obs else ""
    opening = rng.choice(["All units", "Any unit", "Control to all patrols"]) + where + ": "
    if "mo" in obs:
        who = {"M": "male", "F": "female"}.get(obs.get("sex", ""), "person")
        opening += f"circulation re {who} who {mo_text(obs['mo'], obs.get('sex'))}. "
    else:
        opening += "circulation, suspect now outstanding. "
    person = {"M": "male", "F": "female"}.get(obs.get("sex", ""), "person")
    bits = [f"{obs['ethnic']} {person}" if "ethnic" in obs else person]
    if "age" in obs:
        bits.append(age_words(rng, obs["age"], "radio"))
    if "height" in obs:
        bits.append(height_words(rng, obs["height"], "radio"))
    if "build" in obs:
        bits.append(obs["build"])
    if "head" in obs:
        bits.append(hair_words(obs["head"], "radio"))
    if obs.get("facial"):
        bits.append(obs["facial"])
    if "eyes" in obs:
        bits.append(f"{obs['eyes']} eyes")
    bits += [mark_words(m, "", "radio") for m in obs["marks"]]
    text = opening + "Descr " + ", ".join(bits) + "."
    if "accent" in obs:
        text += f" {obs['accent']} accent."
    if "name" in obs:
        text += f" May answer to {name_text(obs['name']).upper()}."
    text += f" Wearing {_clothes(rng)}. Last seen on foot, do not approach alone."
    return text.replace("{his}", pron(obs)[1])


def _person_lay(rng: random.Random, obs: Obs, style: str) -> list[str]:
    """Sentences about the person in plain words."""
    he, his = pron(obs)
    noun = {
        "M": rng.choice(["man", "bloke", "fella", "guy"]),
        "F": rng.choice(["woman", "lady"]),
    }.get(obs.get("sex", ""), "person")
    first = f"{he.capitalize()} was a"
    if "ethnic" in obs:
        eth = rng.choice(ETHNIC_LAY[obs["ethnic"]])
        first += f"n {eth}" if eth[0].lower() in "aeiou" else f" {eth}"
    first += f" {noun}"
    if "age" in obs:
        first += ", " + age_words(rng, obs["age"], style)
    sentences = [first + "."] if {"sex", "ethnic", "age"} & set(obs) else []
    body = []
    if "height" in obs:
        body.append(height_words(rng, obs["height"], style))
    if "build" in obs:
        body.append(obs["build"])
    if body:
        sentences.append(f"{he.capitalize()} was " + " and ".join(body) + ".")
    look = []
    if "head" in obs:
        look.append(hair_words(obs["head"], style))
    if obs.get("facial"):
        f = obs["facial"]
        look.append(
            {
                "bearded": "a beard",
                "clean shaven": "a clean-shaven face",
                "tache": "a tache",
                "unshaven": "an unshaven face",
            }.get(f, f"a {f}" if f not in ("stubble",) else "stubble")
        )
    if "eyes" in obs:
        look.append(f"{obs['eyes']} eyes")
    if look:
        sentences.append(f"{he.capitalize()} had " + ", ".join(look) + ".")
    for m in obs["marks"]:
        sentences.append(
            rng.choice(
                [
                    f"I noticed {mark_words(m, his, style)}.",
                    f"There was {mark_words(m, his, style)}.",
                ]
            )
        )
    if "accent" in obs:
        sentences.append(
            rng.choice(
                [
                    f"{he.capitalize()} had a {obs['accent']} accent.",
                    f"{he.capitalize()} sounded {obs['accent']}.",
                ]
            )
        )
    return [s.replace("{his}", his) for s in sentences]


def text_lay(rng: random.Random, obs: Obs) -> str:
    he, _ = pron(obs)
    out = [
        rng.choice(
            [
                "I was across the road when I saw it.",
                "I only saw it for a minute.",
                "I was walking the dog when this happened.",
            ]
        )
    ]
    if "mo" in obs:
        out.append(f"This person {mo_text(obs['mo'], obs.get('sex'))}.")
    out += _person_lay(rng, obs, "lay")
    if "name" in obs:
        out.append(
            f"Someone shouted '{name_text(obs['name'])}' at {'her' if he == 'she' else 'him'}."
        )
    out.append(f"{he.capitalize()} had on a {_clothes(rng)}.")
    if "area" in obs:
        out.append(f"This was in {area_text(obs['area'])}.")
    return " ".join(out)


def text_victim(rng: random.Random, obs: Obs) -> str:
    he, _ = pron(obs)
    out = []
    if "area" in obs:
        out.append(f"It happened in {area_text(obs['area'])}.")
    if "mo" in obs:
        out.append(
            f"The {'woman' if he == 'she' else 'man'} {mo_text(obs['mo'], obs.get('sex'))}, "
            "and that is what happened to me."
        )
    else:
        out.append("I was on my own when they came up to me.")
    out += _person_lay(rng, obs, "victim")
    if "name" in obs:
        out.append(
            f"{he.capitalize()} told me {'her' if he == 'she' else 'his'} name was "
            f"{name_text(obs['name'])}."
        )
    out.append("I was really scared and I just wanted to get away.")
    return " ".join(out)


RENDER = {"shorthand": text_shorthand, "lay": text_lay, "victim": text_victim, "radio": text_radio}


def generate(seed: int = QUERY_SEED, count: int = QUERY_COUNT) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    people = register()
    targets = rng.sample(range(len(people)), count)
    out = []
    for i, t in enumerate(targets):
        style = n.STYLES[i % len(n.STYLES)]
        medium = (i // len(n.STYLES)) % 2 == 0
        qid = f"foreign-{i + 1:04d}"
        obs = observe(rng, people[t], style, medium)
        text = RENDER[style](rng, obs)
        out.append(
            {
                "id": qid,
                "style": style,
                "medium": medium,
                "target": people[t]["reference"],
                "text": text,
                "structured": structured(obs, qid),
                "observation": obs,
            }
        )
    return out


def main() -> None:
    rows = generate()
    with OUT.open("w", encoding="utf-8") as f:
        f.write(
            json.dumps(
                {
                    "register_seed": REGISTER_SEED,
                    "register_size": REGISTER_SIZE,
                    "query_seed": QUERY_SEED,
                    "as_of": AS_OF.isoformat(),
                    "header": True,
                }
            )
            + "\n"
        )
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} queries to {OUT}")


if __name__ == "__main__":
    main()
