"""Hypothesis strategies for the fuzz suite: JSON and bytes as an adversary would send them.

Each strategy mixes well-formed input (so that the valid path is exercised beside the
hostile one) with the shapes that have broken readers before: nesting thousands deep,
numbers of thousands of digits, lone surrogates, duplicate keys, NaN, a BOM, NUL, raw
control characters, invalid UTF-8, truncation, and plain noise.
"""

import json
from typing import Any

from hypothesis import strategies as st

from search.query import EVIDENCE_FIELDS

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
json_values: st.SearchStrategy[Any] = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def hostile_json(draw: st.DrawFn, fields: list[str]) -> bytes:
    """One line of adversarial JSON text; `fields` are names the reader expects."""
    field = draw(st.sampled_from(fields)).encode()

    def member(value: bytes) -> bytes:
        return b'{"' + field + b'": ' + value + b"}"

    depth = draw(st.integers(min_value=1, max_value=6000))
    digits = draw(st.integers(min_value=1, max_value=6000))
    shapes = [
        b"[" * depth + b"]" * depth,
        b"[" * depth,
        b'{"a":' * depth + b"1" + b"}" * depth,
        member(b"9" * digits),
        member(b"-0." + b"1" * digits + b"e-" + b"9" * digits),
        member(b'"x \\ud800 y"'),
        member(b'"\\udfff\\ud800"'),
        b'{"' + field + b'": 1, "' + field + b'": 2}',
        member(b"NaN"),
        member(b"[Infinity, -Infinity]"),
        member(b"1e99999"),
        b"\xef\xbb\xbf" + member(b'"x"'),
        member(b'"a\\u0000b"'),
        member(b'"a\x01\x1b[31m"'),
        member(b'"\xff\xfe\xc0\x80"'),
        member(b'"' + b"x" * draw(st.integers(0, 70_000)) + b'"'),
        b"[" + b"0," * draw(st.integers(0, 10_500)) + b"0]",
        b'{"' + field + b'": "unterminated',
        b"{" + field + b": 1}",
    ]
    shape = draw(st.sampled_from(shapes))
    if draw(st.booleans()):
        shape = shape[: draw(st.integers(min_value=0, max_value=len(shape)))]
    return shape


def noise() -> st.SearchStrategy[bytes]:
    return st.binary(max_size=200) | st.text(max_size=200).map(
        lambda t: t.encode("utf-8", "surrogatepass")
    )


def mutated(document: dict[str, Any]) -> st.SearchStrategy[bytes]:
    """`document` with one field set to any JSON value, dropped, or its text cut short."""

    @st.composite
    def build(draw: st.DrawFn) -> bytes:
        copy = dict(document)
        key = draw(st.sampled_from(sorted(copy)) | st.text(max_size=12))
        action = draw(st.sampled_from(["set", "drop", "cut"]))
        if action == "set":
            copy[key] = draw(json_values)
        elif action == "drop":
            copy.pop(key, None)
        text = json.dumps(copy, ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")
        if action == "cut":
            text = text[: draw(st.integers(min_value=0, max_value=len(text)))]
        return text

    return build()


QUERY_FIELDS = ["text", "as_of", "query_id", "filters", *EVIDENCE_FIELDS]


def query_documents(good: dict[str, Any]) -> st.SearchStrategy[bytes]:
    """Query documents as a caller might send them: `good` itself, hostile JSON over the
    query's fields, `good` mutated, random parts, or noise."""
    return st.one_of(
        st.just(json.dumps(good).encode()),
        hostile_json(QUERY_FIELDS),
        mutated(good),
        st.dictionaries(st.sampled_from(QUERY_FIELDS), json_values, max_size=4).map(
            lambda d: json.dumps(d).encode()
        ),
        noise(),
    )
