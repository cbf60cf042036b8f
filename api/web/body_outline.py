"""A body outline, front and back, with marks drawn on it: SVG made here from the body
map's own regions (search/body_map.py), so that a region added to the map and not drawn
fails tests/web/test_body_outline.py rather than silently vanishing from the page.

Each drawn region is an ellipse in a 120 x 260 figure. Sided regions give the offset of
the person's LEFT side from the midline as seen from the front (the viewer's right); the
back view mirrors it. A region with no shape of its own (arm, leg, torso) is drawn as its
sub-regions together."""

from collections.abc import Iterable
from dataclasses import dataclass
from html import escape
from typing import Literal

from search.body_map import Location, body_map

View = Literal["front", "back"]
FRONT: tuple[View] = ("front",)
BACK: tuple[View] = ("back",)
BOTH: tuple[View, View] = ("front", "back")
MIDLINE, WIDTH, HEIGHT = 60.0, 120, 260


@dataclass(frozen=True)
class Shape:
    views: tuple[View, ...]
    dx: float  # offset of the left side from the midline (0 for a region on the midline)
    y: float
    rx: float
    ry: float


SHAPES: dict[str, Shape] = {
    "head": Shape(BOTH, 0, 22, 14, 18),
    "face": Shape(FRONT, 0, 25, 10, 13),
    "forehead": Shape(FRONT, 0, 13, 9, 4),
    "eyebrow": Shape(FRONT, 5, 17, 3.5, 1.5),
    "eye": Shape(FRONT, 5, 21, 3, 2),
    "cheek": Shape(FRONT, 7, 28, 3, 4),
    "nose": Shape(FRONT, 0, 25, 2, 4),
    "mouth": Shape(FRONT, 0, 33, 5, 2),
    "chin": Shape(FRONT, 0, 38, 5, 2.5),
    "ear": Shape(BOTH, 15, 23, 2.5, 5),
    "neck": Shape(BOTH, 3.5, 46, 3.5, 5),
    "throat": Shape(FRONT, 0, 47, 2.5, 3.5),
    "chest": Shape(FRONT, 9, 66, 9, 10),
    "abdomen": Shape(FRONT, 8, 100, 8, 16),
    "back": Shape(BACK, 9, 88, 9, 30),
    "buttock": Shape(BACK, 8, 128, 8, 8),
    "groin": Shape(FRONT, 0, 129, 6, 5),
    "shoulder": Shape(BOTH, 22, 57, 7, 6),
    "upper arm": Shape(BOTH, 27, 76, 5, 13),
    "elbow": Shape(BOTH, 29, 93, 4, 4),
    "forearm": Shape(BOTH, 31, 109, 4.5, 12),
    "wrist": Shape(BOTH, 32, 124, 3.5, 2.5),
    "hand": Shape(BOTH, 33, 133, 5, 6),
    "palm": Shape(FRONT, 33, 132, 3.5, 4),
    "knuckles": Shape(BACK, 33, 137, 4, 1.5),
    "fingers": Shape(BOTH, 33, 143, 4, 4),
    "thigh": Shape(BOTH, 9, 160, 8, 18),
    "knee": Shape(BOTH, 9, 184, 6, 5),
    "calf": Shape(BOTH, 9, 210, 6, 16),
    "ankle": Shape(BOTH, 9, 232, 4, 3),
    "foot": Shape(BOTH, 10, 244, 6, 5),
}


@dataclass(frozen=True)
class Placed:
    """A mark to draw: where, how it is shown (a CSS class) and what it says on hover."""

    location: Location
    kind: Literal["asked", "matched", "recorded"]
    label: str


def region_shapes(region: str) -> list[Shape]:
    """The shapes that draw a region: its own, or its sub-regions' together."""
    if region in SHAPES:
        return [SHAPES[region]]
    children = [name for name, parent in body_map().parent.items() if parent == region]
    return [shape for child in children for shape in region_shapes(child)]


def undrawn_regions() -> list[str]:
    return [name for name in body_map().parent if not region_shapes(name)]


def _centres(shape: Shape, view: View, side: str | None) -> list[float]:
    if shape.dx == 0:
        return [MIDLINE]
    mirror = 1 if view == "front" else -1
    left, right = MIDLINE + mirror * shape.dx, MIDLINE - mirror * shape.dx
    if side == "left":
        return [left]
    if side == "right":
        return [right]
    return [left, right]  # both, or a side not said: either could be meant


def _ellipses(shape: Shape, view: View, side: str | None, css: str, title: str = "") -> str:
    if view not in shape.views:
        return ""
    inner = f"<title>{escape(title)}</title>" if title else ""
    return "".join(
        f'<ellipse class="{css}" cx="{x:g}" cy="{shape.y:g}" rx="{shape.rx:g}" '
        f'ry="{shape.ry:g}">{inner}</ellipse>'
        for x in _centres(shape, view, side)
    )


def _figure(view: View, marks: Iterable[Placed], offset: int) -> str:
    parts = [f'<g transform="translate({offset} 0)">']
    parts += [_ellipses(shape, view, None, "body") for shape in SHAPES.values()]
    for mark in marks:
        if mark.location.region is None:
            continue
        for shape in region_shapes(mark.location.region):
            parts.append(
                _ellipses(shape, view, mark.location.side, f"mark {mark.kind}", mark.label)
            )
    # The viewer's left is the person's right from the front, their left from the back.
    near, far = ("R", "L") if view == "front" else ("L", "R")
    parts.append(f'<text class="side" x="4" y="70">{near}</text>')
    parts.append(f'<text class="side" x="{WIDTH - 10}" y="70">{far}</text>')
    parts.append(f'<text class="view" x="{MIDLINE:g}" y="{HEIGHT - 2}">{view}</text>')
    parts.append("</g>")
    return "".join(parts)


def outline_svg(marks: list[Placed], label: str) -> str:
    """Front and back side by side; `label` says in words what the picture shows."""
    figures = _figure("front", marks, 0) + _figure("back", marks, WIDTH + 10)
    return (
        f'<svg class="body-outline" viewBox="0 0 {2 * WIDTH + 10} {HEIGHT + 6}" '
        f'role="img" aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">'
        f"{figures}</svg>"
    )


def locate(text: str | None) -> Location:
    return body_map().locate(text)
