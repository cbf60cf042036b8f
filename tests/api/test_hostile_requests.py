"""Hostile requests to the nominal routes, on SQLite and PostgreSQL: oversize bodies, wrong
content types, malformed JSON, NUL, lone surrogates, bidirectional overrides, references
that try to climb out of their path. Each is a clear 4xx problem+json (never a 5xx), and
the stored record is as it was: nothing lost, nothing damaged."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from tests.api.sign_in import sign_in
from tests.conftest import minimal_record
from visor.settings import Settings

LOCAL = "http://localhost"
URL = "/api/v1/nominals"
JSON = {"content-type": "application/json"}

# (what, method, path, body bytes, headers, status, words the detail must hold)
HOSTILE: list[tuple[str, str, str, bytes, dict[str, str], int, str]] = [
    ("oversize record", "PUT", "/R1", b" " * (4 * 1024 * 1024 + 1), JSON, 413, "larger than"),
    ("oversize item", "POST", "/R1/marks", b" " * (64 * 1024 + 1), JSON, 413, "larger than"),
    ("oversize reason", "POST", "/R1/archive", b" " * 5000, JSON, 413, "larger than"),
    (
        "form body",
        "PUT",
        "/R1",
        b"reference=R1",
        {"content-type": "application/x-www-form-urlencoded"},
        415,
        "JSON",
    ),
    ("xml", "POST", "", b"<nominal/>", {"content-type": "application/xml"}, 415, "JSON"),
    ("text", "POST", "/R1/marks", b"a scar", {"content-type": "text/plain"}, 415, "JSON"),
    (
        "multipart",
        "POST",
        "/R1/archive",
        b"--x--",
        {"content-type": "multipart/form-data; boundary=x"},
        415,
        "JSON",
    ),
    ("malformed", "PUT", "/R1", b'{"reference": "R1",', JSON, 422, "invalid JSON"),
    ("not an object", "PUT", "/R1", b"[1, 2]", JSON, 422, "JSON object"),
    ("empty", "POST", "", b"", JSON, 422, "invalid JSON"),
    ("deep", "PUT", "/R1", b"[" * 5000 + b"]" * 5000, JSON, 422, "nested deeper"),
    (
        "duplicate key",
        "PUT",
        "/R1",
        b'{"reference": "R1", "reference": "R2"}',
        JSON,
        422,
        "duplicate key",
    ),
    ("not UTF-8", "PUT", "/R1", b'{"reference": "\xff\xfe"}', JSON, 422, "UTF-8"),
    (
        "lone surrogate",
        "PUT",
        "/R1",
        b'{"reference": "R1", "names": [{"surname": "\\ud800"}], "sex": "M"}',
        JSON,
        422,
        "surrogate",
    ),
    (
        "NUL",
        "PUT",
        "/R1",
        b'{"reference": "R1", "names": [{"surname": "A\\u0000B"}], "sex": "M"}',
        JSON,
        422,
        "NUL",
    ),
    (
        "NUL in an item",
        "POST",
        "/R1/mo",
        b'{"text": "poses as\\u0000 a meter reader"}',
        JSON,
        422,
        "NUL",
    ),
    (
        "surrogate in a reason",
        "POST",
        "/R1/archive",
        b'{"reason": "\\udfff"}',
        JSON,
        422,
        "surrogate",
    ),
    ("NUL in a reason", "POST", "/R1/archive", b'{"reason": "a\\u0000b"}', JSON, 422, "NUL"),
    (
        "NaN",
        "POST",
        "/R1/marks",
        b'{"type": "scar", "location": "arm", "x": NaN}',
        JSON,
        422,
        "NaN",
    ),
    (
        "long number",
        "PUT",
        "/R1",
        b'{"height_cm": ' + b"9" * 5000 + b"}",
        JSON,
        422,
        "number longer",
    ),
]


def _stored(client: TestClient) -> tuple[Any, str]:
    answer = client.get(f"{URL}/R1")
    return answer.json(), answer.headers["etag"]


@pytest.fixture
def client(settings: Settings) -> Any:
    with TestClient(create_app(settings), base_url=LOCAL) as client:
        sign_in(client, settings)
        record = minimal_record("R1", addresses=[{"town": "Leeds"}])
        assert client.post(URL, json=record).status_code == 201
        yield client


def test_hostile_bodies_are_refused_clearly_and_change_nothing(client: TestClient) -> None:
    before = _stored(client)
    wrong = {}
    for what, method, path, body, headers, status, words in HOSTILE:
        answer = client.request(
            method, URL + path, content=body, headers={**headers, "If-Match": '"1"'}
        )
        problem = answer.json() if answer.headers.get("content-type", "").endswith("json") else {}
        if (
            answer.status_code != status
            or answer.headers["content-type"] != "application/problem+json"
            or words not in problem.get("detail", "")
        ):
            wrong[what] = (answer.status_code, answer.text[:200])
    assert wrong == {}
    assert _stored(client) == before


def test_unicode_that_is_valid_is_kept_and_shown_inert(client: TestClient) -> None:
    document, version = _stored(client)
    tricky = "Smith\u202e\u2066evil\u2069 \u0627\u0644\u0639 \U0001f600 e\u0301"
    answer = client.put(
        f"{URL}/R1",
        json={**document, "names": [{"surname": tricky}]},
        headers={"If-Match": version},
    )
    assert answer.status_code == 200, answer.text
    # The bidirectional overrides travel as escapes (a terminal or page shows them inert);
    # the value read back is exactly what was sent.
    assert "\u202e" not in answer.text and "\\u202e" in answer.text
    assert client.get(f"{URL}/R1").json()["names"] == [{"surname": tricky}]


@pytest.mark.parametrize(
    "path",
    [
        # A client resolves a plain "A/../R1" itself (the server then sees R1, rightly);
        # escaped, the dots reach the server, which must refuse them.
        "A%2F..%2FR1",
        "..%2FR1",
        "R1%2F..",
        "A%2F%2FR1",
        ".%2FR1",
        "%2e%2e%2fR1",
        "R1%00",
        "R1%0A",
        "R1%E2%80%AE",
        "R1%ED%A0%80",
        "x" * 65,
        "-R1",
        "R1\\..",
    ],
)
def test_references_that_leave_their_path_are_refused(client: TestClient, path: str) -> None:
    for method, suffix, body in (("GET", "", None), ("PUT", "", {}), ("POST", "/marks", {})):
        answer = client.request(
            method, f"{URL}/{path}{suffix}", json=body, headers={"If-Match": '"1"'}
        )
        assert 400 <= answer.status_code < 500, (method, path, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
    assert client.get(f"{URL}/R1").headers["etag"] == '"1"'
