import json

import pytest

from register.validation import MAX_LINE_BYTES, parse_line
from tests.conftest import minimal_record


def line(**fields: object) -> bytes:
    return json.dumps(minimal_record("R1", **fields)).encode()


@pytest.mark.parametrize(
    ("raw", "expected_reasons"),
    [
        (b'{"reference": "R1", ', ["invalid JSON"]),
        (b"[1, 2]", ["a line must hold a JSON object, not list"]),
        (b'"just a string"', ["a line must hold a JSON object, not str"]),
        (b"\xff\xfe{}", ["not valid UTF-8 at byte 0"]),
        (b'{"names": [{"surname": "X"}], "sex": "M"}', ["'reference' is a required property"]),
        (
            b'{"reference": "R1", "sex": "M"}',
            ["'names' is a required property"],
        ),
        (line(height_cm="tall"), ["height_cm: 'tall' is not of type 'integer'"]),
        (line(sex="Q"), ["sex: 'Q' is not one of"]),
        (line(ethnic_appearance="IC7"), ["ethnic_appearance: 'IC7' is not one of"]),
        (line(dates_of_birth=["2023-02-30"]), ["dates_of_birth[0]: '2023-02-30' is not a 'date'"]),
        (line(dates_of_birth=["20230228"]), ["dates_of_birth[0]: '20230228' is not a 'date'"]),
        (line(height_cm=900), ["height_cm: 900 is greater than the maximum of 250"]),
        (line(colour_of_car="red"), ["Additional properties are not allowed ('colour_of_car'"]),
        (
            line(marks=[{"type": "tatoo", "location": "arm"}]),
            ["marks[0].type: 'tatoo' is not one of"],
        ),
        (
            json.dumps(minimal_record("../../etc/passwd")).encode(),
            ["reference: '../../etc/passwd' does not match"],
        ),
        (json.dumps(minimal_record("R1\n")).encode(), ["reference: must not end with a newline"]),
        (
            b'{"reference": "R1", "reference": "R2", "names": [{"surname": "X"}], "sex": "M"}',
            ["invalid JSON: duplicate key 'reference'"],
        ),
        (
            json.dumps(minimal_record("R1", accent="a\u0000b")).encode(),
            ["accent: contains a NUL character"],
        ),
        (
            b'{"reference": "R1", "names": [{"surname": "\\ud800"}], "sex": "M"}',
            ["names[0].surname: contains an unpaired surrogate"],
        ),
    ],
)
def test_bad_lines_are_refused_with_their_reasons(raw: bytes, expected_reasons: list[str]) -> None:
    result = parse_line(raw)
    assert result.record is None
    for expected in expected_reasons:
        assert any(expected in reason for reason in result.reasons), result.reasons


def test_every_reason_is_listed_not_just_the_first() -> None:
    raw = line(sex="Q", height_cm="tall", dates_of_birth=["2023-02-30"], names=[])
    result = parse_line(raw)
    assert len(result.reasons) == 4
    assert result.reference == "R1"


def test_an_overlong_line_is_refused_without_parsing() -> None:
    result = parse_line(b"x" * (MAX_LINE_BYTES + 1))
    assert result.reasons == [f"line is longer than {MAX_LINE_BYTES} bytes"]


def test_a_valid_line_keeps_free_text_exactly_and_adds_no_defaults() -> None:
    document = minimal_record(
        "MPS/2019/000123",
        accent="  Sarf Lundun, innit?! ",
        marks=[{"type": "tattoo", "location": "L. forearm (inner)", "description": "SNAKE  "}],
    )
    result = parse_line(json.dumps(document).encode())
    assert result.reasons == []
    assert result.record is not None
    assert result.record.accent == "  Sarf Lundun, innit?! "
    assert "status" not in result.record.model_fields_set
    assert "kind" not in result.record.names[0].model_fields_set


def test_non_latin_scripts_and_emoji_are_valid_text() -> None:
    document = minimal_record("R1", names=[{"forename": "Дмитрий", "surname": "王"}], accent="🙂")
    result = parse_line(json.dumps(document, ensure_ascii=False).encode())
    assert result.reasons == []
