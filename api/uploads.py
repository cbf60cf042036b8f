"""Request bodies streamed to a temporary file, refused (413) as soon as they pass their cap:
an upload is never held whole in memory, and an oversize one costs at most its cap on disk.
Small JSON bodies are read by api/limits.py and api/nominals.py's readers."""

import tempfile
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Request

from api.limits import declared_length
from foundation.errors import InvalidInput, TooLarge, UnsupportedMediaType


def check_content_type(request: Request, accepted: Iterable[str], what: str) -> None:
    """Refuse a body declared as something this route does not take (a form, JSON); one
    declared as nothing is raw bytes (a script's). What the body really is is decided by its
    content, never by this header."""
    declared = request.headers.get("content-type", "").split(";")[0].strip().lower()
    accepted = tuple(accepted)
    if declared and not any(
        declared == kind or (kind.endswith("/*") and declared.startswith(kind[:-1]))
        for kind in accepted
    ):
        raise UnsupportedMediaType(
            f"{what}: send it as the request body with Content-Type {' or '.join(accepted)}"
            f" (got {declared or 'none'})"
        )


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MiB"


@asynccontextmanager
async def streamed_body(request: Request, limit: int, what: str) -> AsyncIterator[Path]:
    """The body in a temporary file (removed afterwards)."""
    declared = declared_length(request.headers)
    if declared is not None and declared > limit:
        raise TooLarge(f"{what} is larger than {_size(limit)}")
    with tempfile.TemporaryDirectory(prefix="visor-upload-") as folder:
        path = Path(folder) / "body"
        size = 0
        with path.open("wb") as out:
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise TooLarge(f"{what} is larger than {_size(limit)}")
                out.write(chunk)
        if size == 0:
            raise InvalidInput(f"{what}: the request body is empty")
        yield path


def json_body(model: type[object]) -> dict[str, object]:
    """The OpenAPI declaration of a JSON body read as `model` (a pydantic model)."""
    schema = model.model_json_schema()  # type: ignore[attr-defined]
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}
