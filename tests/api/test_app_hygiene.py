"""The app factory's hygiene: every error as problem+json from one table, security headers on
every answer, request bodies refused while they stream (through a real server on a socket),
and interactive docs that fetch nothing from another host."""

import re
import socket
from collections.abc import Iterator
from html.parser import HTMLParser

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.errors import PROBLEM_JSON, TABLE
from foundation.errors import StaleVersion
from tests.api.served import serving
from tests.api.sign_in import sign_in
from visor.settings import Settings

LOCAL = "http://localhost"
PROBLEM_FIELDS = {"type", "title", "status", "detail", "instance"}


def _problem(answer: httpx.Response, status: int) -> dict[str, object]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == PROBLEM_JSON
    body: dict[str, object] = answer.json()
    assert set(body) >= PROBLEM_FIELDS and body["status"] == status
    return body


def test_the_error_table_orders_specific_kinds_first() -> None:
    kinds = [kind for kind, _ in TABLE]
    for index, kind in enumerate(kinds):
        for later in kinds[index + 1 :]:
            assert not issubclass(later, kind), f"{later.__name__} is shadowed by {kind.__name__}"
    assert next(k.status for t, k in TABLE if issubclass(StaleVersion, t)) == 412


def test_errors_are_problem_json_and_headers_are_on_every_answer(settings: Settings) -> None:
    with TestClient(create_app(settings), base_url=LOCAL) as client:
        unknown = _problem(client.get("/api/v1/no-such-route"), 404)
        assert unknown["instance"] == "/api/v1/no-such-route"
        _problem(client.delete("/api/v1/health"), 405)
        unauthenticated = client.post("/api/v1/search", json={"sex": "M"})
        _problem(unauthenticated, 401)
        assert unauthenticated.headers["www-authenticate"] == "Bearer"
        sign_in(client, settings)
        invalid = _problem(client.post("/api/v1/search", params={"top": "many"}, json={}), 422)
        assert "top" in str(invalid["detail"])
        wrong_type = client.post(
            "/api/v1/search", content=b"sex=M", headers={"content-type": "text/plain"}
        )
        assert "JSON" in str(_problem(wrong_type, 415)["detail"])
        for answer in (client.get("/api/v1/health"), client.get("/api/v1/nowhere")):
            headers = answer.headers
            assert headers["x-content-type-options"] == "nosniff"
            assert headers["x-frame-options"] == "DENY"
            assert headers["referrer-policy"] == "no-referrer"
            assert "frame-ancestors 'none'" in headers["content-security-policy"]
            assert headers["cache-control"] == "no-store"  # this client sends its token
            assert "strict-transport-security" not in headers
        refused_host = client.get("/api/v1/health", headers={"host": "evil.example"})
        assert refused_host.status_code == 400
        assert refused_host.headers["x-content-type-options"] == "nosniff"
    with TestClient(create_app(settings), base_url="https://localhost") as tls:
        assert "max-age=" in tls.get("/api/v1/health").headers["strict-transport-security"]


class _Sources(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value for name, value in attrs if name in ("src", "href") and value]


def test_the_docs_are_served_from_the_package(settings: Settings) -> None:
    with TestClient(create_app(settings), base_url=LOCAL) as client:
        page = client.get("/docs")
        assert page.status_code == 200
        sources = _Sources()
        sources.feed(page.text)
        assert sources.urls and all(url.startswith("/docs/") for url in sources.urls)
        assert not re.search(r"https?://", page.text)
        policy = page.headers["content-security-policy"]
        assert "script-src 'self';" in policy and "unsafe-eval" not in policy
        for url in sources.urls:
            asset = client.get(url)
            assert asset.status_code == 200 and len(asset.content) > 20, url
        assert "validatorUrl: null" in client.get("/docs/start.js").text
        assert client.get("/docs/../pyproject.toml").status_code == 404
        assert client.get("/docs/VERSION").status_code == 404
        assert client.get("/redoc").status_code == 404


@pytest.fixture
def served(settings: Settings) -> Iterator[str]:
    with serving(settings) as url:
        yield url


CHUNK = 64 * 1024
GIB = 1024 * 1024 * 1024


def _endless_post(client: httpx.Client, path: str) -> tuple[httpx.Response | None, int]:
    """POST a chunked body of up to 1 GiB; the answer (None if the server closed the
    connection first, as good) and how many bytes were taken."""
    sent = 0

    def endless() -> Iterator[bytes]:
        nonlocal sent
        while sent < GIB:
            sent += CHUNK
            yield b" " * CHUNK

    try:
        answer = client.post(path, content=endless(), headers={"content-type": "application/json"})
    except (httpx.WriteError, httpx.RemoteProtocolError, httpx.ReadError):
        answer = None
    return answer, sent


def test_a_chunked_body_far_above_the_cap_is_refused_early(served: str, settings: Settings) -> None:
    with httpx.Client(base_url=served, timeout=60) as client:
        refused, taken = _endless_post(client, "/api/v1/search")  # not signed in: 401
        if refused is not None:
            _problem(refused, 401)
        # Refused before the body was read: the connection closes rather than reading on.
        assert taken < 64 * 1024 * 1024, f"{taken} bytes were taken before the refusal"
        sign_in(client, settings)  # type: ignore[arg-type]
        answer, taken = _endless_post(client, "/api/v1/search")
        if answer is not None:
            _problem(answer, 413)
        # The query's cap is 1 MiB; the socket's buffers let a few MiB more through.
        assert taken < 64 * 1024 * 1024, f"{taken} bytes were taken before the refusal"


def test_a_declared_length_above_the_cap_is_refused_before_the_body(served: str) -> None:
    port = int(served.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(
            b"POST /api/v1/search/photo HTTP/1.1\r\nHost: localhost\r\n"
            b"Content-Length: 1000000000000\r\n\r\n"
        )
        head = connection.recv(4096).decode("latin-1")  # no byte of body was sent
    assert head.startswith("HTTP/1.1 413"), head
    assert PROBLEM_JSON in head
