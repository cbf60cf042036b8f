"""The one reader for JSON that comes from outside: import lines, query files, API bodies.

`json.loads` alone trusts its input: it recurses once per level of nesting (5,000 `[` raise
`RecursionError`), hands Python's `int` any number of digits (5,000 digits raise
`ValueError`), keeps the last of two equal keys, accepts `NaN` and `Infinity`, and turns a
`\\ud800` escape into a lone surrogate that no UTF-8 output can carry. So nesting, string
length and container size are checked before parsing, by cheap counts and, where those
cannot prove the text within limits, one pass over its tokens without recursion; the parser
then runs with hooks that see each number's text before Python converts it and that refuse
duplicate keys and non-finite numbers; the value is then checked for lone surrogates.

Every refusal is `UntrustedJson`, an `InvalidInput`, whose message says what was wrong and
where: the column (and line, for text of many lines) or the field.
"""

import json
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from foundation.errors import InvalidInput


@dataclass(frozen=True)
class JsonLimits:
    """Far above anything a NIF record or a query needs (the schemas cap real fields at a
    few thousand characters and nesting at four levels), far below what hurts."""

    max_bytes: int = 4 * 1024 * 1024
    max_depth: int = 32
    max_string: int = 65_536  # characters, after escapes are decoded
    max_number: int = 40  # characters of one number, sign and exponent included
    max_items: int = 10_000  # members of one array or object


DEFAULT_LIMITS = JsonLimits()


class UntrustedJson(InvalidInput):
    """The text is not JSON we will read; `reason` says why, `str()` also says where."""

    def __init__(self, reason: str, where: str = "") -> None:
        super().__init__(f"{reason} {where}".strip())
        self.reason = reason
        self.where = where


# A string (escapes and all, possessive so an unterminated one cannot backtrack), a
# structural character, a bare scalar (number or literal), or a quote that opens a string
# which never closes. Whitespace between tokens is skipped.
_TOKEN = re.compile(r'"[^"\\]*+(?:\\.[^"\\]*+)*+"|[\[\]{},:]|[^\s\[\]{},:"]++|"', re.S)
_STRING = re.compile(r'"[^"\\]*+(?:\\.[^"\\]*+)*+"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]++")
# Lone surrogates arrive as \u escapes in JSON text, or raw in a str built by Python; text
# with neither skips the walk over every string of the value.
_SUSPECT = re.compile(r"\\u[dD][89a-fA-F]|[\ud800-\udfff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _where(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"at column {column}" if line == 1 else f"at line {line}, column {column}"


@dataclass
class _Level:
    opener: str  # "[" or "{"
    items: int = 0  # commas seen so far: the index of the current member
    key: str | None = None  # the raw token of the current member's key, for objects


def _path(stack: list[_Level]) -> str:
    path = ""
    for level in stack:
        if level.opener == "[":
            path += f"[{level.items}]"
        elif level.key is not None:
            key = _decoded(level.key)
            path += f".{key}" if path else key
    return path


def _decoded(token: str) -> str:
    try:
        value = json.loads(token)
    except ValueError:
        return token
    return str(value)


def _plainly_within(text: str, limits: JsonLimits) -> bool:
    """True when cheap bounds (C-speed counts) prove that no string, container or nesting
    can pass its limit, as for nearly every real line: the token scan then need not run.
    (Numbers are bounded by the parser's hooks, which see each number's text first.)"""
    if len(text) > limits.max_string or text.count(",") >= limits.max_items:
        return False
    if text.count("[") + text.count("{") <= limits.max_depth:
        return True
    depth = deepest = 0
    for bracket in _NOT_BRACKET.sub("", _STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest <= limits.max_depth


def _scan(text: str, limits: JsonLimits) -> None:
    """Refuse text past a limit, saying where, before any parsing; syntax is left to the
    parser. One pass over the tokens, with a stack of open containers: no recursion."""
    stack: list[_Level] = []
    last_string = ""

    def refuse(reason: str, offset: int) -> UntrustedJson:
        field = _path(stack)
        where = _where(text, offset) + (f" ({field})" if field else "")
        return UntrustedJson(f"invalid JSON: {reason}", where)

    for match in _TOKEN.finditer(text):
        token = match.group()
        first = token[0]
        if first == '"':
            if len(token) == 1:
                return  # never closed: the parser says where
            if len(token) - 2 > limits.max_string and len(_decoded(token)) > limits.max_string:
                raise refuse(f"a string longer than {limits.max_string} characters", match.start())
            last_string = token
        elif first in "[{":
            if len(stack) >= limits.max_depth:
                raise refuse(f"nested deeper than {limits.max_depth} levels", match.start())
            stack.append(_Level(first))
        elif first in "]}":
            if stack:
                stack.pop()
        elif first == ",":
            if stack:
                stack[-1].items += 1
                if stack[-1].items >= limits.max_items:
                    kind = "an array" if stack[-1].opener == "[" else "an object"
                    raise refuse(f"{kind} of more than {limits.max_items} items", match.start())
        elif first == ":":
            if stack:
                stack[-1].key = last_string
        elif len(token) > limits.max_number and first in "-0123456789":
            raise refuse(f"a number longer than {limits.max_number} characters", match.start())


class _Refused(ValueError):
    """Raised by a parser hook; carries the reason out of `json.loads`."""


class _LongNumber(_Refused):
    """A number past the limit, refused before Python converts it; `_scan` says where."""


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json.loads would silently keep the last of two equal keys; a smuggled second
    # "reference" must be refused, not guessed at.
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _Refused(f"duplicate key {key!r}")
        result[key] = value
    return result


def _constant(name: str) -> Any:
    raise _Refused(f"{name} is not a JSON number")


def _number_hooks(limits: JsonLimits) -> tuple[Callable[[str], int], Callable[[str], float]]:
    def parse_int(token: str) -> int:
        if len(token) > limits.max_number:
            raise _LongNumber(f"a number longer than {limits.max_number} characters")
        return int(token)

    def parse_float(token: str) -> float:
        if len(token) > limits.max_number:
            raise _LongNumber(f"a number longer than {limits.max_number} characters")
        return _float(token)

    return parse_int, parse_float


def _float(token: str) -> float:
    value = float(token)
    if not math.isfinite(value):
        raise _Refused(f"the number {token} is too large")
    return value


def _surrogates(value: Any, path: str) -> Iterator[str]:
    """The fields of `value` holding a lone surrogate (depth is already bounded)."""
    if isinstance(value, str):
        if _SURROGATE.search(value):
            yield path or "(value)"
    elif isinstance(value, dict):
        for key, item in value.items():
            field = f"{path}.{key}" if path else key
            if _SURROGATE.search(key):
                field = f"{path}.(key)" if path else "(key)"
                yield field
            yield from _surrogates(item, field)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _surrogates(item, f"{path}[{index}]")


def loads(data: bytes | str, limits: JsonLimits = DEFAULT_LIMITS) -> Any:
    """The JSON value in `data`, or `UntrustedJson` saying why not and where."""
    size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "surrogatepass"))
    if size > limits.max_bytes:
        raise UntrustedJson(f"longer than {limits.max_bytes} bytes")
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise UntrustedJson(f"not valid UTF-8 at byte {error.start}") from error
    else:
        text = data
    if not _plainly_within(text, limits):
        _scan(text, limits)
    parse_int, parse_float = _number_hooks(limits)
    try:
        value = json.loads(
            text,
            object_pairs_hook=_pairs,
            parse_constant=_constant,
            parse_int=parse_int,
            parse_float=parse_float,
        )
    except _LongNumber as error:
        _scan(text, limits)  # raises, saying where the number is
        raise UntrustedJson(f"invalid JSON: {error}") from error
    except _Refused as error:
        raise UntrustedJson(f"invalid JSON: {error}") from error
    except json.JSONDecodeError as error:
        # Some of json's messages end in "at" ("Unterminated string starting at"): the
        # position completes them instead of following a second "at".
        message = error.msg.removesuffix(" at")
        raise UntrustedJson(f"invalid JSON: {message}", _where(text, error.pos)) from error
    except ValueError as error:  # a parser hook's own refusal, e.g. Python's int limit
        raise UntrustedJson(f"invalid JSON: {error}") from error
    if ("\\u" in text or not isinstance(data, bytes)) and _SUSPECT.search(text):
        fields = list(_surrogates(value, ""))
        if fields:
            raise UntrustedJson(
                f"{', '.join(fields)}: contains an unpaired surrogate (invalid Unicode)"
            )
    return value
