"""A small demo register for the web tests, built by `visor demo --no-serve` exactly as a
user would, and the nominals the tests work on (chosen from its bundle by what they hold)."""

import contextlib
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from visor.cli import main

SIZE, SEED = 120, 3
# The officer of each demo agency that manages nominals in the demo.
OFFICERS = {"MPS": "mps.officer", "GMP": "gmp.officer"}


@dataclass(frozen=True)
class DemoRegister:
    home: Path
    passwords: dict[str, str]
    documents: list[dict[str, Any]]

    def live(self, agency: str) -> list[dict[str, Any]]:
        return [
            d
            for d in self.documents
            if d.get("managing_agency") == agency and d.get("status", "live") == "live"
        ]

    def with_marked_face(self, agency: str) -> list[dict[str, Any]]:
        """Live nominals of `agency` with a mark and a face photo: the richest to search for."""
        return [
            d
            for d in self.live(agency)
            if d.get("marks") and any(p["kind"] == "face" for p in d.get("photos", []))
        ]

    def without_marks(self, agency: str) -> list[dict[str, Any]]:
        """Live nominals of `agency` with no mark: none of the searches above is for them."""
        return [d for d in self.live(agency) if not d.get("marks")]


def build_demo(home: Path) -> DemoRegister:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        arguments = ["demo", "--size", str(SIZE), "--seed", str(SEED), "--home", str(home)]
        code = main([*arguments, "--no-serve", "--json"])
    assert code == 0, out.getvalue()[-2000:]
    data = json.loads(out.getvalue())
    with (home / "bundle" / "nominals.jsonl").open(encoding="utf-8") as lines:
        documents = [json.loads(line) for line in lines]
    passwords = {user["username"]: user["password"] for user in data["users"]}
    return DemoRegister(home, passwords, documents)


def patterned_photo(seed: int = 1) -> bytes:
    """A JPEG no nominal holds: overlapping coloured ellipses, detailed enough for its
    perceptual hashes to tell it apart (a flat image hashes like any other flat image)."""
    image = Image.new("RGB", (400, 500), (200, 180, 160))
    draw = ImageDraw.Draw(image)
    for i in range(12):
        box = (i * 30, i * 35, i * 30 + 90, i * 35 + 60)
        draw.ellipse(box, fill=(i * 20 % 256, (255 - i * 20 * seed) % 256, (i * 53) % 256))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92)
    return out.getvalue()
