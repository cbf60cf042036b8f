"""Where a mark is: a region of the hierarchical body map and a side.

A witness's "left arm" fully matches a record's "inner left forearm" (the forearm is in the
arm), partly matches "right forearm" (side swapped: witnesses confuse left and right, above
all when facing someone) or "left hand" (adjacent), each far less than the right place, and
does not match "neck". Legacy NCIC SMT codes (`TAT L FARM`, `SC R CHK`) are read through a
mapping table, since their suffixes were never used consistently.
"""

import re
from dataclasses import dataclass
from functools import cache

from search.vocabulary import PhraseIndex, load, normalise

# How far a place said agrees with the place recorded: vocabularies/witness_error.json
# (`mark_location`), where the figures they rest on are.
_PLACE = load("witness_error")["mark_location"]
FULL = float(_PLACE["same_place"])
SIDE_SWAPPED = float(_PLACE["side_swapped"])
ADJACENT = float(_PLACE["adjacent"])
ADJACENT_SIDE_SWAPPED = float(_PLACE["adjacent_side_swapped"])
_DETERMINERS = re.compile(r"\b(?:his|her|their|its|the)\s+")
COARSER_RECORD, COARSE_FLOOR = 0.6, 0.3


@dataclass(frozen=True)
class Location:
    region: str | None
    side: str | None  # "left", "right", "both" or None when not said

    def describe(self) -> str:
        return " ".join(part for part in (self.side, self.region) if part) or "unknown"


class BodyMap:
    def __init__(self, data: dict[str, object]) -> None:
        regions: dict[str, dict[str, object]] = data["regions"]  # type: ignore[assignment]
        self.parent = {name: r["parent"] for name, r in regions.items()}
        self.adjacent: dict[str, set[str]] = {name: set() for name in regions}
        for name, region in regions.items():
            for other in region.get("adjacent", []):  # type: ignore[attr-defined]
                self.adjacent[name].add(other)
                self.adjacent[other].add(name)
        self.regions = PhraseIndex({n: list(r["synonyms"]) for n, r in regions.items()})  # type: ignore[call-overload]
        self.sides = PhraseIndex(data["sides"])  # type: ignore[arg-type]

    def ancestors(self, region: str) -> list[str]:
        chain = [region]
        while (parent := self.parent.get(chain[-1])) is not None:
            chain.append(str(parent))
        return chain

    def locate(self, text: str | None) -> Location:
        """The region and side a free-text location names. Of several regions the last
        wins ("back of left hand" is the hand); the side is the one said nearest before
        it, or any said at all."""
        if not text:
            return Location(None, None)
        words = _DETERMINERS.sub("", normalise(text))  # "top of his arm" is the top of arm
        found = self.regions.find(words)
        # The last region named, unless an earlier one lies inside it ("knuckles of the
        # hand" is the knuckles).
        chosen_region = found[-1] if found else None
        for match in found[:-1]:
            if chosen_region and chosen_region.term in self.ancestors(match.term)[1:]:
                chosen_region = match
        region = chosen_region.term if chosen_region else None
        sides = self.sides.find(words)
        if region is None:
            return Location(None, sides[-1].term if sides else None)
        assert chosen_region is not None
        before = [s for s in sides if s.start < chosen_region.start]
        chosen = before[-1] if before else (sides[0] if sides else None)
        return Location(region, chosen.term if chosen else None)

    def similarity(self, asked: Location, recorded: Location) -> float:
        """1 same or containing region, same or unknown side; partial for adjacent regions
        or a swapped side; 0 for unrelated regions. Unknown regions are no evidence (1)."""
        if asked.region is None or recorded.region is None:
            return FULL
        adjacent = False
        if asked.region in self.ancestors(recorded.region):
            place = FULL  # "arm" said of a forearm: the witness is right, only coarser
        elif recorded.region in self.ancestors(asked.region):
            # The record is coarser than the witness ("head" recorded, "ear" said): it
            # agrees only as much as it is coarse, a step up the map at a time.
            steps = self.ancestors(asked.region).index(recorded.region)
            place = max(COARSE_FLOOR, COARSER_RECORD**steps)
        elif self._near(asked.region, recorded.region):
            # A neighbouring region on the other side has a figure of its own.
            adjacent = True
            place = ADJACENT
        else:
            return 0.0
        swapped = (
            asked.side in ("left", "right")
            and recorded.side in ("left", "right")
            and asked.side != recorded.side
        )
        if not swapped:
            return place
        return ADJACENT_SIDE_SWAPPED if adjacent else place * SIDE_SWAPPED

    def _near(self, a: str, b: str) -> bool:
        if self.parent.get(a) is not None and self.parent.get(a) == self.parent.get(b):
            return True  # siblings: forearm and upper arm
        return any(
            b in self.adjacent[x] or x in self.adjacent.get(b, set()) for x in self.ancestors(a)
        ) or any(a in self.adjacent[x] for x in self.ancestors(b))


@cache
def body_map() -> BodyMap:
    return BodyMap(load("body_map"))


@cache
def _ncic() -> dict[str, object]:
    return load("ncic_locations")


def locate_code(code: str | None) -> Location | None:
    """The location a legacy NCIC SMT code names (`TAT L FARM` -> left forearm), if known."""
    if not code:
        return None
    words = " ".join(code.upper().split())
    prefixes: dict[str, str] = _ncic()["prefixes"]  # type: ignore[assignment]
    head, _, rest = words.partition(" ")
    suffix = rest if head in prefixes else words
    codes: dict[str, list[str | None]] = _ncic()["codes"]  # type: ignore[assignment]
    if suffix not in codes:
        return None
    region, side = codes[suffix]
    return Location(region, side)


def mark_type_of_code(code: str | None) -> str | None:
    """The mark type a legacy code's prefix names (`TAT` -> tattoo), if any."""
    if not code:
        return None
    prefixes: dict[str, str] = _ncic()["prefixes"]  # type: ignore[assignment]
    return prefixes.get(code.upper().split(" ", 1)[0])
