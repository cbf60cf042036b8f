"""Synthetic nominals, reproducible from a seed: for the demo, tests and benchmarks.

Every record is schema-valid NIF. Nothing here is about a real person; vocabulary is in
`data/synthetic.json`.
"""

import datetime as dt
import io
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

DEFAULT_AS_OF = dt.date(2026, 1, 1)

_SKIN = {
    "IC1": (236, 200, 176),
    "IC2": (220, 180, 150),
    "IC3": (120, 80, 60),
    "IC4": (180, 130, 95),
    "IC5": (230, 195, 160),
    "IC6": (200, 160, 125),
    "IC9": (200, 170, 140),
}
_HAIR = {
    "black": (25, 20, 20),
    "dark brown": (60, 40, 30),
    "brown": (100, 70, 45),
    "light brown": (150, 110, 70),
    "auburn": (140, 60, 30),
    "ginger": (200, 100, 40),
    "blonde": (225, 195, 120),
    "grey": (160, 160, 160),
    "white": (235, 235, 235),
    "bald": (0, 0, 0),
}


@cache
def vocabulary() -> dict[str, Any]:
    text = resources.files("visor").joinpath("data/synthetic.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


@dataclass
class _Person:
    sex: str
    forename: str
    surname: str


class NominalGenerator:
    """Yields NIF dicts; the same seed gives the same register."""

    def __init__(self, seed: int = 1, as_of: dt.date = DEFAULT_AS_OF) -> None:
        self.rng = random.Random(seed)
        self.as_of = as_of
        self.v = vocabulary()

    def nominals(self, count: int) -> Iterator[dict[str, Any]]:
        for index in range(count):
            yield self.nominal(index, count)

    def nominal(self, index: int, count: int) -> dict[str, Any]:
        rng, v = self.rng, self.v
        sex = rng.choices(["M", "F", "U"], weights=[93, 6, 1])[0]
        area = rng.choice(v["areas"])
        ic = _weighted(rng, v["ethnic_appearance"])
        person = _Person(
            sex,
            rng.choice(v["forenames_female"] if sex == "F" else v["forenames_male"]),
            rng.choice(v["surnames"]),
        )
        category = rng.choices([1, 2, 3], weights=[60, 35, 5])[0]
        record: dict[str, Any] = {
            "reference": f"SYN{index + 1:07d}",
            "status": "archived" if rng.random() < 0.08 else "live",
            "mappa_category": category,
            "mappa_level": rng.choices([1, 2, 3], weights=[70, 25, 5])[0],
            "managing_agency": area["police"] if category == 1 else area["probation"],
            "partner_agencies": sorted(
                {area["probation"] if category == 1 else area["police"], area["prison"]}
            ),
            "names": self._names(person),
            "dates_of_birth": self._dates_of_birth(),
            "sex": sex,
            "ethnic_appearance": ic,
        }
        if rng.random() < 0.7:
            record["self_defined_ethnicity"] = rng.choice(v["self_defined_for_ic"][ic])
        mean_height = 164 if sex == "F" else 177
        record["height_cm"] = max(140, min(210, round(rng.gauss(mean_height, 7))))
        record["build"] = _weighted(rng, v["builds"])
        record["hair_colour"] = _weighted(rng, v["hair_colours"])
        if record["hair_colour"] != "bald":
            record["hair_length"] = _weighted(rng, v["hair_lengths"])
        if sex == "M":
            record["facial_hair"] = _weighted(rng, v["facial_hair"])
        record["eye_colour"] = _weighted(rng, v["eye_colours"])
        if rng.random() < 0.8:
            record["accent"] = rng.choice(area["accents"])
        if rng.random() < 0.5:
            record["behavioural_traits"] = rng.sample(v["behavioural_traits"], rng.randint(1, 2))
        record["marks"] = self._marks()
        record["modus_operandi"] = self._modus_operandi()
        record["offences"] = self._offences()
        record["addresses"] = self._addresses(area)
        markers = [m for m, weight in v["warning_markers"].items() if rng.random() < weight / 100]
        if markers:
            record["warning_markers"] = markers
        if rng.random() < 0.02:
            record["wanted_missing"] = True
        record["last_reviewed"] = (self.as_of - dt.timedelta(days=rng.randint(5, 720))).isoformat()
        if count > 1 and rng.random() < 0.15:
            other = rng.randrange(count)
            if other != index:
                record["associates"] = [
                    {
                        "reference": f"SYN{other + 1:07d}",
                        "relationship": rng.choice(v["relationships"]),
                    }
                ]
        return record

    def _names(self, person: _Person) -> list[dict[str, str]]:
        rng, v = self.rng, self.v
        primary: dict[str, str] = {
            "forename": person.forename,
            "surname": person.surname,
            "kind": "primary",
        }
        if rng.random() < 0.4:
            pool = v["forenames_female"] if person.sex == "F" else v["forenames_male"]
            primary["middle_names"] = rng.choice(pool)
        names = [primary]
        nicknames = v["nicknames"].get(person.forename)
        if nicknames and rng.random() < 0.4:
            names.append(
                {"forename": rng.choice(nicknames), "surname": person.surname, "kind": "nickname"}
            )
        if rng.random() < 0.15:
            names.append(
                {
                    "forename": rng.choice(v["street_names"]),
                    "surname": person.surname,
                    "kind": "nickname",
                }
            )
        if rng.random() < 0.25:
            alias_surname = (
                rng.choice(v["surnames"]) if rng.random() < 0.6 else _misspell(rng, person.surname)
            )
            names.append({"forename": person.forename, "surname": alias_surname, "kind": "alias"})
        if person.sex == "F" and rng.random() < 0.3:
            names.append(
                {"forename": person.forename, "surname": rng.choice(v["surnames"]), "kind": "birth"}
            )
        return names

    def _dates_of_birth(self) -> list[str]:
        rng = self.rng
        age_days = int(365.25 * min(80.0, max(18.0, rng.gauss(38, 11))))
        born = self.as_of - dt.timedelta(days=age_days + rng.randint(0, 364))
        dates = [born.isoformat()]
        if rng.random() < 0.1:
            dates.append((born - dt.timedelta(days=365 * rng.choice([1, 2, -1]))).isoformat())
        return dates

    def _marks(self) -> list[dict[str, Any]]:
        rng, v = self.rng, self.v
        marks: list[dict[str, Any]] = []
        for _ in range(rng.choices([0, 1, 2, 3, 4], weights=[25, 30, 25, 12, 8])[0]):
            place = rng.choice(v["mark_locations"])
            location = rng.choice(place["variants"])
            roll = rng.random()
            if roll < 0.6:
                tattoo = rng.choice(v["tattoos"])
                mark: dict[str, Any] = {
                    "type": "tattoo",
                    "location": location,
                    "description": rng.choice(tattoo["descriptions"]),
                }
                if rng.random() < 0.5:
                    mark["colours"] = [rng.choice(v["tattoo_colours"])]
                if rng.random() < 0.4:
                    mark["tattoo_class"] = tattoo["class"]
                    mark["tattoo_subclass"] = tattoo["subclass"]
                prefix = "TAT"
            elif roll < 0.85:
                mark = {
                    "type": "scar",
                    "location": location,
                    "description": rng.choice(v["scar_descriptions"]).format(n=rng.randint(1, 15)),
                }
                prefix = "SC"
            else:
                other = rng.choice(v["other_marks"])
                mark = {
                    "type": other["type"],
                    "location": location,
                    "description": rng.choice(other["descriptions"]).format(n=rng.randint(1, 8)),
                }
                prefix = "MK"
            if rng.random() < 0.3:
                mark["location_code"] = f"{prefix} {place['code']}"
            marks.append(mark)
        return marks

    def _modus_operandi(self) -> list[dict[str, str]]:
        rng, v = self.rng, self.v
        entries = []
        for _ in range(rng.choices([1, 2], weights=[75, 25])[0]):
            slots = {key: rng.choice(values) for key, values in v["mo_slots"].items()}
            text = " ".join(rng.choice(v["mo_templates"]).format(**slots).split())
            recorded = self.as_of - dt.timedelta(days=rng.randint(30, 3000))
            entries.append({"text": text, "recorded_on": recorded.isoformat()})
        return entries

    def _offences(self) -> list[dict[str, str]]:
        rng, v = self.rng, self.v
        offences = []
        for _ in range(rng.choices([1, 2, 3], weights=[60, 30, 10])[0]):
            description, outcome = rng.choice(v["offences"])
            when = self.as_of - dt.timedelta(days=rng.randint(200, 6000))
            offences.append(
                {
                    "description": description,
                    "date": when.isoformat(),
                    "court_outcome": outcome.format(
                        m=rng.choice([6, 12, 18, 24, 36]), y=rng.randint(2, 12)
                    ),
                }
            )
        return offences

    def _addresses(self, area: dict[str, Any]) -> list[dict[str, str]]:
        rng, v = self.rng, self.v
        district = rng.choice(area["districts"])
        start = self.as_of - dt.timedelta(days=rng.randint(30, 2000))
        current = {
            "text": f"{rng.randint(1, 240)} {rng.choice(v['streets'])}",
            "town": area["town"],
            "postcode": f"{district} {rng.randint(1, 9)}{_letter(rng)}{_letter(rng)}",
            "from": start.isoformat(),
        }
        if rng.random() < 0.3:
            previous = {
                "text": f"Flat {rng.randint(1, 30)}, {rng.randint(1, 120)} "
                f"{rng.choice(v['streets'])}",
                "town": area["town"],
                "to": start.isoformat(),
            }
            return [current, previous]
        return [current]


def _letter(rng: random.Random) -> str:
    # Letters used in the inward part of UK postcodes.
    return rng.choice("ABDEFGHJLNPQRSTUWXYZ")


def _misspell(rng: random.Random, name: str) -> str:
    if len(name) < 4:
        return name + "e"
    i = rng.randrange(1, len(name) - 1)
    return name[:i] + name[i + 1 :] if rng.random() < 0.5 else name[:i] + name[i] + name[i:]


# Custody suites the demo's photos were taken in: everyone photographed in one suite stands
# against the same wall, as in a real suite, so that photo search meets photos that share
# everything but the person.
SUITES = 12
PHOTO_WIDTH, PHOTO_HEIGHT = 240, 300


@cache
def _suite_wall(suite: int) -> np.ndarray:
    """One suite's wall (float RGB): its paint, its stains and its height chart."""
    rng = random.Random(f"suite {suite}")
    rows, columns = rng.randint(4, 10), rng.randint(3, 8)
    stains = np.array([[rng.uniform(-30, 30) for _ in range(columns)] for _ in range(rows)])
    cell_h, cell_w = PHOTO_HEIGHT // rows + 1, PHOTO_WIDTH // columns + 1
    shift_y, shift_x = rng.randrange(cell_h), rng.randrange(cell_w)
    grey = np.kron(stains, np.ones((cell_h, cell_w)))
    grey = np.roll(grey, (shift_y, shift_x), (0, 1))[:PHOTO_HEIGHT, :PHOTO_WIDTH]
    lightness = rng.uniform(120, 210)
    paint = np.array([lightness + rng.uniform(-15, 15) for _ in range(3)])
    wall = np.clip(paint[None, None, :] + grey[:, :, None], 0, 255)
    chart = Image.fromarray(wall.astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(chart)
    if rng.random() < 0.5:  # a height chart on either side of the sitter
        ink = rng.choice([(30, 30, 30), (60, 40, 120), (20, 70, 40)])
        for y in range(rng.randint(10, 30), PHOTO_HEIGHT, rng.choice([20, 25, 30])):
            for x in (rng.randint(4, 12), PHOTO_WIDTH - 30):
                draw.line((x, y, x + rng.choice([10, 14, 18]), y), fill=ink, width=2)
    return np.asarray(chart, dtype=np.float32)


def face_image(record: dict[str, Any], rng: random.Random) -> bytes:
    """A drawn stand-in for a custody photo (JPEG bytes): skin, hair and eyes follow the
    record; the wall is one of SUITES suites' (the same for everyone photographed there);
    the sitter's position and size, the lighting and the clothes vary from photo to photo."""
    width, height = PHOTO_WIDTH, PHOTO_HEIGHT
    # Lit unevenly from a random side, brighter or dimmer from one sitting to the next.
    angle = rng.uniform(0, 6.3)
    light = np.linspace(-0.5, 0.5, width)[None, :] * np.cos(angle) + np.linspace(-0.5, 0.5, height)[
        :, None
    ] * np.sin(angle)
    gain = rng.uniform(0.85, 1.15) * (1 + rng.uniform(0.1, 0.3) * light)
    wall = _suite_wall(rng.randrange(SUITES)) * gain[:, :, None]
    image = Image.fromarray(np.clip(wall, 0, 255).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(image)
    skin = _SKIN.get(record.get("ethnic_appearance", "IC9"), _SKIN["IC9"])
    hair = _HAIR.get(record.get("hair_colour", "brown"), _HAIR["brown"])
    cx, cy = width // 2 + rng.randint(-30, 30), 140 + rng.randint(-25, 25)
    face_w, face_h = rng.randint(55, 85), rng.randint(75, 110)
    shirt = tuple(rng.randint(10, 230) for _ in range(3))
    draw.rectangle(
        (cx - rng.randint(70, 110), cy + face_h - 10, cx + rng.randint(70, 110), height), fill=shirt
    )
    if record.get("hair_colour") != "bald":
        top = cy - face_h - rng.randint(0, 25)
        draw.ellipse((cx - face_w - 8, top, cx + face_w + 8, cy + rng.randint(-20, 40)), fill=hair)
    draw.ellipse((cx - face_w, cy - face_h, cx + face_w, cy + face_h), fill=skin)
    # What makes one face unlike another at a closer look than its shape: moles, freckles,
    # creases. Without them two drawn faces differ less than two people do.
    for _ in range(rng.randint(12, 30)):
        x = cx + rng.uniform(-0.75, 0.75) * face_w
        y = cy + rng.uniform(-0.75, 0.75) * face_h
        size = rng.uniform(1, 3)
        tone = tuple(max(0, c - rng.randint(25, 70)) for c in skin)
        draw.ellipse((x - size, y - size, x + size, y + size), fill=tone)
    eye_y, eye_gap = cy - rng.randint(15, 28), rng.randint(20, 34)
    for side in (-1, 1):
        ex = cx + side * eye_gap
        draw.ellipse((ex - 9, eye_y - 5, ex + 9, eye_y + 5), fill=(250, 250, 250))
        draw.ellipse((ex - 4, eye_y - 4, ex + 4, eye_y + 4), fill=(50, 40, 30))
        brow = eye_y - rng.randint(10, 16)
        draw.line((ex - 11, brow + rng.randint(-3, 3), ex + 11, brow), fill=hair, width=3)
    draw.line((cx, eye_y + 10, cx - rng.randint(2, 7), cy + 18), fill=(90, 60, 50), width=2)
    mouth, half = cy + rng.randint(35, 50), rng.randint(14, 26)
    draw.line(
        (cx - half, mouth + rng.randint(-3, 3), cx + half, mouth), fill=(120, 50, 50), width=3
    )
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def write_bundle(
    folder: Path,
    count: int,
    seed: int = 1,
    photo_fraction: float = 0.0,
    as_of: dt.date = DEFAULT_AS_OF,
) -> Path:
    """Write a NIF bundle of `count` synthetic nominals; a share of them get a face photo."""
    generator = NominalGenerator(seed, as_of)
    photo_rng = random.Random(seed + 1)
    (folder / "photos").mkdir(parents=True, exist_ok=True)
    with (folder / "nominals.jsonl").open("w", encoding="utf-8") as out:
        for record in generator.nominals(count):
            if photo_fraction and photo_rng.random() < photo_fraction:
                file = f"photos/{record['reference']}-face.jpg"
                (folder / file).write_bytes(face_image(record, photo_rng))
                taken = as_of - dt.timedelta(days=photo_rng.randint(10, 2500))
                record["photos"] = [{"file": file, "kind": "face", "taken_on": taken.isoformat()}]
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return folder
