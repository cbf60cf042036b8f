"""Request bodies streamed to a temporary file, refused as soon as they pass their cap: an
upload is never held whole in memory, and an oversize one costs at most its cap on disk."""

import tempfile
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError

from foundation.errors import InvalidInput

Model = TypeVar("Model", bound=BaseModel)


def check_content_type(request: Request, accepted: Iterable[str], what: str) -> None:
    """Refuse a body declared as something this route does not take (a form, JSON). What the
    body really is is decided by its content, never by this header."""
    declared = request.headers.get("content-type", "").split(";")[0].strip().lower()
    accepted = tuple(accepted)
    if not any(
        declared == kind or (kind.endswith("/*") and declared.startswith(kind[:-1]))
        for kind in accepted
    ):
        raise InvalidInput(
            f"{what}: send it as the request body with Content-Type {' or '.join(accepted)}"
            f" (got {declared or 'none'})"
        )


@asynccontextmanager
async def streamed_body(request: Request, limit: int, what: str) -> AsyncIterator[Path]:
    """The body in a temporary file (removed afterwards)."""
    with tempfile.TemporaryDirectory(prefix="visor-upload-") as folder:
        path = Path(folder) / "body"
        size = 0
        with path.open("wb") as out:
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise InvalidInput(f"{what} is larger than {limit // (1024 * 1024)} MiB")
                out.write(chunk)
        if size == 0:
            raise InvalidInput(f"{what}: the request body is empty")
        yield path


async def capped_body(request: Request, limit: int, what: str) -> bytes:
    """A small body (a JSON document), read in memory but refused past `limit` bytes."""
    content = bytearray()
    async for chunk in request.stream():
        content += chunk
        if len(content) > limit:
            raise InvalidInput(f"{what} is larger than {limit // 1024} KiB")
    return bytes(content)


async def read_model(request: Request, model: type[Model], limit: int, what: str) -> Model:
    """A small JSON body as `model`, refused past `limit` bytes or with the first problem."""
    body = await capped_body(request, limit, what)
    try:
        return model.model_validate_json(body)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        raise InvalidInput(f"{where}: {first['msg']}") from None


def json_body(model: type[BaseModel]) -> dict[str, object]:
    """The OpenAPI declaration of a body read by `read_model`."""
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": model.model_json_schema()}},
        }
    }
