"""Custody photos of different people taken in one suite, made from real photographs: each
suite is one backdrop (a real texture, or a painted wall) with one height chart drawn on it,
identical for everyone photographed there; each person is a real face from Labeled Faces in
the Wild (tests/imaging/photo_corpus.py) pasted where the camera puts heads, with the small
shifts in position and lighting one sitting differs from the next by. Two such photos share
everything but the person: the hard case for a copy detector."""

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance

from tests.imaging.photo_corpus import encode, face_photos, load, real_photos

WIDTH, HEIGHT = 240, 300
FACE_SIDE = 150
# Tuned on the first two suites and the even-numbered faces; the other two suites and the
# odd-numbered faces are held out (benchmarks/photo_verification.py reports both).
TUNE_SUITES = ("brick", "painted wall")
HELD_OUT_SUITES = ("gravel", "grass")


@dataclass(frozen=True)
class SuitePhoto:
    suite: str
    person: str
    data: bytes  # JPEG, as a custody system would store it


@cache
def _backdrop(suite: str) -> Image.Image:
    if suite == "painted wall":
        ramp = np.linspace(150, 190, WIDTH)[None, :] + np.linspace(0, 20, HEIGHT)[:, None]
        wall = Image.fromarray(np.stack([ramp, ramp * 0.97, ramp * 0.92], -1).astype(np.uint8))
    else:
        texture = load(real_photos()[f"skimage/{suite}.png"])
        wall = texture.resize((WIDTH, HEIGHT), Image.Resampling.BICUBIC)
        # A wall is duller than the close-up texture it is made from.
        wall = Image.blend(wall, Image.new("RGB", wall.size, (170, 170, 165)), 0.4)
    draw = ImageDraw.Draw(wall)
    for y in range(20, HEIGHT, 25):  # the height chart on either side of the sitter
        for x0 in (8, WIDTH - 28):
            draw.line((x0, y, x0 + (20 if y % 50 == 20 else 12), y), fill=(40, 40, 40), width=2)
    return wall


def suite_photo(suite: str, person: str, rng: random.Random) -> SuitePhoto:
    image = _backdrop(suite).copy()
    face = load(face_photos()[person]).resize((FACE_SIDE, FACE_SIDE), Image.Resampling.BICUBIC)
    left = (WIDTH - FACE_SIDE) // 2 + rng.randint(-6, 6)
    top = 50 + rng.randint(-6, 6)
    shirt = tuple(rng.randint(20, 200) for _ in range(3))
    ImageDraw.Draw(image).rectangle(
        (left - 25, top + FACE_SIDE, left + FACE_SIDE + 25, HEIGHT), fill=shirt
    )
    image.paste(face, (left, top))
    image = ImageEnhance.Brightness(image).enhance(rng.uniform(0.92, 1.08))
    return SuitePhoto(suite, person, encode(image, quality=85))


def suite_photos(held_out: bool, seed: int = 11) -> list[SuitePhoto]:
    """Every person of the split photographed once in every suite of the split."""
    faces = sorted(n for n in face_photos() if "/face-" in n)
    people = faces[1::2] if held_out else faces[0::2]
    rng = random.Random(seed + held_out)
    return [
        suite_photo(suite, person, rng)
        for suite in (HELD_OUT_SUITES if held_out else TUNE_SUITES)
        for person in people
    ]


def same_suite_pairs(photos: list[SuitePhoto]) -> Iterator[tuple[SuitePhoto, SuitePhoto]]:
    """Every pair of different people photographed in the same suite."""
    for a, b in itertools.combinations(photos, 2):
        if a.suite == b.suite and a.person != b.person:
            yield a, b
