import pytest

from search.body_map import (
    ADJACENT,
    FULL,
    SIDE_SWAPPED,
    Location,
    body_map,
    locate_code,
    mark_type_of_code,
)


@pytest.mark.parametrize(
    ("text", "region", "side"),
    [
        ("left arm", "arm", "left"),
        ("inner left forearm", "forearm", "left"),
        ("left forearm, inner", "forearm", "left"),
        ("L. forearm (inner)", "forearm", "left"),
        ("back of left hand", "hand", "left"),
        ("knuckles of both hands", "knuckles", "both"),
        ("left side of neck", "neck", "left"),
        ("between right thumb and forefinger", "fingers", "right"),
        ("through right eyebrow", "eyebrow", "right"),
        ("under left eye", "eye", "left"),
        ("upper back", "back", None),
        ("right bicep", "upper arm", "right"),
        ("scalp", "head", None),
        ("top of his arm", "upper arm", None),
        ("between his eyes", "nose", None),
        ("the top of his nose between the eyes", "nose", None),
        ("back of her left hand", "hand", "left"),
        ("above his left eye", "eyebrow", "left"),
        ("above L eye", "eyebrow", "left"),
        ("somewhere", None, None),
    ],
)
def test_free_text_locations_are_read(text: str, region: str | None, side: str | None) -> None:
    assert body_map().locate(text) == Location(region, side)


@pytest.mark.parametrize(
    ("asked", "recorded", "expected"),
    [
        ("left arm", "inner left forearm", FULL),
        ("arm", "right forearm", FULL),
        ("left arm", "right forearm", SIDE_SWAPPED),
        ("left arm", "left hand", ADJACENT),
        ("left forearm", "left upper arm", ADJACENT),
        ("left arm", "neck", 0.0),
        ("face", "right cheek", FULL),
        ("hand", "somewhere odd", FULL),
    ],
)
def test_locations_agree_fully_partly_or_not(asked: str, recorded: str, expected: float) -> None:
    b = body_map()
    assert b.similarity(b.locate(asked), b.locate(recorded)) == expected


@pytest.mark.parametrize(
    ("code", "location", "mark_type"),
    [
        ("TAT L FARM", Location("forearm", "left"), "tattoo"),
        ("SC R CHK", Location("cheek", "right"), "scar"),
        ("SC L FT", Location("foot", "left"), "scar"),
        ("TAT L FOOT", Location("foot", "left"), "tattoo"),
        ("sc  r eye", Location("eye", "right"), "scar"),
        ("TAT SPACESHIP", None, "tattoo"),
    ],
)
def test_legacy_ncic_codes_map_despite_inconsistent_suffixes(
    code: str, location: Location | None, mark_type: str
) -> None:
    assert locate_code(code) == location
    assert mark_type_of_code(code) == mark_type
