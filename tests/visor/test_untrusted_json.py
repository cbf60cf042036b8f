"""The one reader for untrusted JSON: every limit holds before parsing completes, every
refusal says why and where, and valid JSON within the limits reads as `json.loads` reads it."""

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from foundation.untrusted_json import JsonLimits, UntrustedJson, loads


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        # The two poisonous lines: RecursionError and ValueError from json.loads.
        (b"[" * 5000 + b"]" * 5000, "nested deeper than 32 levels at column 33"),
        (b'{"n": ' + b"9" * 5000 + b"}", "a number longer than 40 characters at column 7 (n)"),
        (b'{"a": [1, -1.' + b"5" * 400 + b"]}", "a number longer than 40 characters"),
        (b'{"a": 1e999}', "the number 1e999 is too large"),
        (b"[NaN]", "NaN is not a JSON number"),
        (b"[-Infinity]", "-Infinity is not a JSON number"),
        (b'"' + b"x" * 70_000 + b'"', "a string longer than 65536 characters at column 1"),
        (b"[" + b"0," * 10_000 + b"0]", "an array of more than 10000 items"),
        (b'{"a": 1, "a": 2}', "duplicate key 'a'"),
        (b'{"text": "white man \\ud800"}', "text: contains an unpaired surrogate"),
        (b'{"names": [{"surname": "\\udfff"}]}', "names[0].surname: contains an unpaired"),
        (b'{"\\ud800": 1}', "(key): contains an unpaired surrogate"),
        (b"\xff\xfe{}", "not valid UTF-8 at byte 0"),
        (b"\xef\xbb\xbf{}", "Unexpected UTF-8 BOM"),
        (b"", "Expecting value at column 1"),
        (b'{"a": "abc', "Unterminated string starting at column 7"),
        (b'{"a": "x\x01"}', "Invalid control character at column 9"),
        (b'{\n  "a": 1,\n  "b": }', "Expecting value at line 3, column 8"),
        (b"x" * 100, "longer than 64 bytes"),
    ],
)
def test_refusals_say_why_and_where(data: bytes, reason: str) -> None:
    limits = JsonLimits(max_bytes=64) if len(data) == 100 else JsonLimits()
    with pytest.raises(UntrustedJson) as refused:
        loads(data, limits)
    assert reason in str(refused.value)
    assert "at at" not in str(refused.value)


def test_limits_name_the_field_they_were_passed_in() -> None:
    deep = b'{"marks": [{"colours": ' + b"[" * 40 + b"]" * 40 + b"}]}"
    with pytest.raises(UntrustedJson, match=r"32 levels at column 53 \(marks\[0\]\.colours"):
        loads(deep)


def test_brackets_inside_strings_are_not_nesting() -> None:
    text = json.dumps({"a": "[" * 1000, "b": [[[["{{{{"]]]]})
    assert loads(text) == json.loads(text)


def test_a_lone_surrogate_spelled_out_as_text_is_only_text() -> None:
    assert loads(b'{"k": "\\\\ud800"}') == {"k": "\\ud800"}


def test_limits_are_inclusive() -> None:
    limits = JsonLimits(max_depth=3, max_string=5, max_number=4, max_items=3)
    assert loads(b'[[["12345", 1234, -1.5]]]', limits) == [[["12345", 1234, -1.5]]]
    for too_much in (b"[[[[]]]]", b'["123456"]', b"[12345]", b"[1, 2, 3, 4]"):
        with pytest.raises(UntrustedJson):
            loads(too_much, limits)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=30,
)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_valid_json_within_the_limits_reads_as_json_loads_reads_it(value: Any) -> None:
    text = json.dumps(value, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # hypothesis's text() includes lone surrogates
        with pytest.raises(UntrustedJson, match="unpaired surrogate"):
            loads(text)
        return
    for form in (text, text.encode("utf-8"), json.dumps(value)):
        assert loads(form) == json.loads(text)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=300).map(lambda t: t.encode("utf-8", "replace")))
def test_any_bytes_are_a_value_or_a_refusal_never_another_error(data: bytes) -> None:
    try:
        loads(data)
    except UntrustedJson as refused:
        assert str(refused)
