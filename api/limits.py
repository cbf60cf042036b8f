"""Request bodies are counted as they arrive and refused (413) as soon as they pass their
cap, never read whole first: a 1 GiB chunked upload costs the server no more than the cap.

Two layers: `BodyCap`, an ASGI middleware, holds every request to the largest body any route
takes (a Content-Length above it is refused before a byte is read); `read_body` holds one
route to its own, smaller cap. `json_content` refuses a body declared as something else.
"""

from pathlib import Path
from typing import Any, BinaryIO

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import kind_of, problem_response
from foundation.errors import InvalidInput, TooLarge, UnsupportedMediaType

MIB = 1024 * 1024
# The largest body any route reads (a photo); each route's own cap is at most this.
MAX_REQUEST_BYTES = 50 * MIB


def _size(limit: int) -> str:
    return f"{limit // MIB} MiB" if limit % MIB == 0 else f"{limit} bytes"


def declared_length(headers: Any) -> int | None:
    value = headers.get("content-length")
    if value is None:
        return None
    if not value.isdigit():
        raise InvalidInput("Content-Length: not a number of bytes")
    return int(value)


async def read_body(request: Request, limit: int, what: str) -> bytes:
    """The request body, refused as soon as it passes `limit` bytes (never held whole)."""
    declared = declared_length(request.headers)
    if declared is not None and declared > limit:
        raise TooLarge(f"{what} is larger than {_size(limit)}")
    content = bytearray()
    async for chunk in request.stream():
        content += chunk
        if len(content) > limit:
            raise TooLarge(f"{what} is larger than {_size(limit)}")
    return bytes(content)


COPY_CHUNK = MIB


def copy_capped(upload: BinaryIO, to: Path, limit: int, what: str) -> int:
    """A form's uploaded file copied to `to` a chunk at a time, refused as soon as it passes
    `limit` bytes (the web pages' photos and documents); its size."""
    size = 0
    with to.open("wb") as out:
        while chunk := upload.read(COPY_CHUNK):
            size += len(chunk)
            if size > limit:
                raise TooLarge(f"{what} is larger than {_size(limit)}")
            out.write(chunk)
    return size


def json_content(request: Request) -> None:
    """A body sent as JSON, or with no type at all (a script's raw body); anything else is
    refused rather than guessed at."""
    declared = request.headers.get("content-type")
    if declared is None:
        return
    media = declared.split(";", 1)[0].strip().lower()
    if media != "application/json" and not media.endswith("+json"):
        raise UnsupportedMediaType(
            f"the body must be JSON (Content-Type: application/json), not {media or 'empty'!r}"
        )


class BodyCap:
    """Every request body counted as it arrives: past `limit` the request is answered 413
    and the rest is never read."""

    def __init__(self, app: ASGIApp, limit: int = MAX_REQUEST_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        refusal: Exception | None = None
        declared = None
        try:
            declared = declared_length(request.headers)
            if declared is not None and declared > self.limit:
                raise TooLarge(f"the request body is larger than {_size(self.limit)}")
        except InvalidInput as error:
            refusal = error
        if refusal is not None:
            answer = problem_response(request, kind_of(refusal), str(refusal))
            await answer(scope, receive, send)
            return

        received = 0
        overflowed = False
        # Whether a body was announced that has not all arrived yet.
        unread = bool(declared) or "transfer-encoding" in request.headers

        async def counted() -> Message:
            nonlocal received, overflowed, unread
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                unread = unread and message.get("more_body", False)
                if received > self.limit:
                    overflowed = True
                    raise TooLarge(f"the request body is larger than {_size(self.limit)}")
            return message

        started = False

        async def answered(message: Message) -> None:
            # A reader that turned the overflow into an answer of its own (FastAPI's form
            # and JSON readers say 400) is overruled: the answer is 413, whoever read.
            nonlocal started
            if overflowed and not started:
                started = True
                too_large = TooLarge(f"the request body is larger than {_size(self.limit)}")
                answer = problem_response(request, kind_of(too_large), str(too_large))
                await answer(scope, receive, send)
                return
            if overflowed:
                return
            if message["type"] == "http.response.start" and unread:
                # Answered before the body was read (a refusal: no token, no purpose...):
                # the server would otherwise read and discard the rest, however long, to
                # keep the connection; closing it stops the upload.
                MutableHeaders(scope=message)["Connection"] = "close"
            await send(message)

        await self.app(scope, counted, answered)
