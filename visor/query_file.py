"""`visor search --query-file`: one JSON query (which may span lines) or JSON Lines of
queries, from a file or from standard input (`-`), read with the untrusted-JSON reader.

A query that cannot be read is answered with its error, like one that cannot be answered,
and the rest go on; a file that cannot be read at all, or holds no query, is a usage error.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from foundation.errors import InvalidInput
from foundation.untrusted_json import JsonLimits, UntrustedJson, loads
from search.query import QUERY_LIMITS

MAX_QUERY_FILE_BYTES = 16 * 1024 * 1024
_WHOLE_FILE = JsonLimits(max_bytes=MAX_QUERY_FILE_BYTES)


@dataclass(frozen=True)
class QueryInput:
    """One query as read: its document, or why it could not be read (`error`)."""

    label: str  # where it was read: "line N" in JSON Lines, "" otherwise
    document: Any = None
    error: str | None = None


def _read(name: str, stdin: IO[bytes]) -> bytes:
    try:
        if name == "-":
            content = stdin.read(MAX_QUERY_FILE_BYTES + 1)
        else:
            with Path(name).open("rb") as source:
                content = source.read(MAX_QUERY_FILE_BYTES + 1)
    except OSError as error:
        raise InvalidInput(f"cannot read query file {name}: {error.strerror or error}") from error
    if len(content) > MAX_QUERY_FILE_BYTES:
        raise InvalidInput(
            f"query file {name} is larger than {MAX_QUERY_FILE_BYTES // (1024 * 1024)} MiB"
        )
    return content


def read_queries(name: str, stdin: IO[bytes]) -> list[QueryInput]:
    """Every query in the file `name` (`-`: standard input), in order."""
    content = _read(name, stdin)
    source = "standard input" if name == "-" else name
    try:
        content.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidInput(
            f"query file {source} is not UTF-8 text (invalid byte at {error.start})"
        ) from error
    lines = [(n, line) for n, line in enumerate(content.splitlines(), start=1) if line.strip()]
    if not lines:
        raise InvalidInput(f"query file {source} holds no queries (it is empty)")
    try:
        return [QueryInput("", loads(content, _WHOLE_FILE))]
    except UntrustedJson as whole_error:
        first = lines[0][1]
        try:
            loads(first, QUERY_LIMITS)
        except UntrustedJson:
            # Not JSON Lines: one query spread over lines, or a broken one; say where.
            if len(lines) > 1:
                raise InvalidInput(f"query file {source}: {whole_error}") from whole_error
    return [_line(number, line) for number, line in lines]


def _line(number: int, line: bytes) -> QueryInput:
    label = f"line {number}"
    try:
        return QueryInput(label, loads(line, QUERY_LIMITS))
    except UntrustedJson as error:
        return QueryInput(label, error=str(error))
