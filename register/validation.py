"""Check one NIF line against the contract and say every reason it fails.

The compiled validator (fastjsonschema) is the fast path for the common, valid line; only a
failing line is run through jsonschema, which lists every error rather than the first.
"""

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import fastjsonschema
import jsonschema
from pydantic import ValidationError

from foundation.untrusted_json import JsonLimits, UntrustedJson, loads
from register.model import NominalRecord, from_document
from register.plausibility import implausible

MAX_LINE_BYTES = 4 * 1024 * 1024
LINE_LIMITS = JsonLimits(max_bytes=MAX_LINE_BYTES)


@dataclass(frozen=True)
class LineResult:
    """A parsed line: the record, or why there is none (`reference` is kept where readable)."""

    record: NominalRecord | None
    reasons: list[str]
    reference: str | None = None


@cache
def nif_schema() -> dict[str, Any]:
    text = resources.files("register").joinpath("schema/nif.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _fast_validator() -> Any:
    # use_default=False: the validator must not write schema defaults into the record.
    return fastjsonschema.compile(nif_schema(), use_default=False)


@cache
def _full_validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        nif_schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def _json_path(parts: Any) -> str:
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "(record)"


def _nul_characters(value: Any, path: list[str | int]) -> Iterator[str]:
    """NUL cannot be stored in PostgreSQL text. (The reader has refused lone surrogates.)"""
    if isinstance(value, str):
        if "\x00" in value:
            yield f"{_json_path(path)}: contains a NUL character"
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _nul_characters(key, [*path, "(key)"])
            yield from _nul_characters(item, [*path, key])
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nul_characters(item, [*path, index])


_SIZES = {
    "maxItems": ("is too long", "items", "at most"),
    "minItems": ("is too short", "items", "at least"),
    "maxLength": ("is too long", "characters", "at most"),
    "minLength": ("is too short", "characters", "at least"),
}


def schema_message(error: jsonschema.ValidationError) -> str:
    """jsonschema's message without a dump of the value: its messages begin with the
    value's repr, which for 21 marks or 5,001 characters buries the reason."""
    if error.validator in _SIZES and isinstance(error.instance, str | list):
        verdict, unit, bound = _SIZES[str(error.validator)]
        return f"{verdict} ({len(error.instance)} {unit}, {bound} {error.validator_value})"
    shown = repr(error.instance)
    if len(shown) > 80:
        return error.message.replace(shown, shown[:60] + "...", 1)
    return error.message


def schema_reasons(document: Any) -> list[str]:
    """Every way `document` breaks the NIF schema, as 'path: message' lines."""
    errors = sorted(_full_validator().iter_errors(document), key=lambda e: list(e.path))
    return [f"{_json_path(error.path)}: {schema_message(error)}" for error in errors]


def parse_line(raw: bytes, today: dt.date | None = None) -> LineResult:
    """Decode, parse and validate one line of `nominals.jsonl` (dates as of `today`)."""
    if len(raw) > MAX_LINE_BYTES:
        return LineResult(None, [f"line is longer than {MAX_LINE_BYTES} bytes"])
    try:
        document = loads(raw, LINE_LIMITS)
    except UntrustedJson as error:
        return LineResult(None, [str(error)])
    if not isinstance(document, dict):
        return LineResult(None, [f"a line must hold a JSON object, not {type(document).__name__}"])
    # In JSON text read from UTF-8 a NUL can only arrive as an escape: most lines skip the walk.
    return check_document(document, today, may_hold_nul=b"\\u0000" in raw)


def check_document(
    document: dict[str, Any], today: dt.date | None = None, may_hold_nul: bool = True
) -> LineResult:
    """Validate one NIF object already parsed from untrusted JSON (an import line, an API
    body, a record with an item added): the schema, the model and plausibility."""
    reference = document.get("reference")
    reference = reference if isinstance(reference, str) else None
    reasons = list(_nul_characters(document, [])) if may_hold_nul else []
    if reference is not None and reference.endswith("\n"):
        # The schema's pattern ends in `$`, which Python's re lets match before a final newline.
        reasons.append("reference: must not end with a newline")
    try:
        _fast_validator()(document)
    except fastjsonschema.JsonSchemaException:
        reasons += schema_reasons(document) or ["does not match the NIF schema"]
    if reasons:
        return LineResult(None, reasons, reference)
    try:
        record = from_document(document)
    except ValidationError as error:
        return LineResult(
            None,
            [f"{_json_path(e['loc'])}: {e['msg']}" for e in error.errors()],
            reference,
        )
    reasons = implausible(record, today or dt.date.today())
    return LineResult(None if reasons else record, reasons, reference)
