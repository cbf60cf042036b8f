"""The HTTP API: health, search by description and by photo, and clear errors, on the
embedded backend and through a real OpenSearch node (whose templates it applies at start)."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from indexer.sync import rebuild
from search.opensearch_connection import IndexNames, connect
from tests.api.sign_in import sign_in
from tests.conftest import run_import
from tests.imaging.photo_corpus import encode, load, real_photos
from tests.search.test_photo_search import photo_bundle
from visor.services import build_services
from visor.settings import Settings
from visor.synthetic import write_bundle

QUERY = {"text": "stocky man with a snake tattoo on his left arm", "as_of": "2026-01-01"}
LOCAL = "http://localhost"  # the API refuses Host names outside VISOR_TRUSTED_HOSTS


def _register(settings: Settings, tmp_path: Path) -> None:
    services = build_services(settings)
    run_import(services, write_bundle(tmp_path / "bundle", 200, seed=2))
    run_import(services, photo_bundle(tmp_path / "photos"))
    services.close()


def test_search_on_the_embedded_backend(settings: Settings, tmp_path: Path) -> None:
    _register(settings, tmp_path)
    with TestClient(create_app(settings), base_url=LOCAL) as client:
        health = client.get("/api/v1/health").json()  # open to all: no sign-in
        assert client.post("/api/v1/search", json=QUERY).status_code == 401
        sign_in(client, settings)
        assert health == {"status": "ok", "register": "ok", "search": "memory"}
        answer = client.post("/api/v1/search", json=QUERY, params={"top": 5}).json()
        assert len(answer["candidates"]) == 5
        assert answer["candidates"][0]["explanation"]

        bad = client.post("/api/v1/search", json={"age": {"min": 50, "max": 20}})
        assert bad.status_code == 422 and "age" in bad.json()["detail"]

        photo = encode(load(real_photos()["skimage/coffee.png"]).rotate(2))
        found = client.post("/api/v1/search/photo", content=photo).json()
        assert [c["reference"] for c in found] == ["B"]
        refused = client.post("/api/v1/search/photo", content=b"not a photo")
        assert refused.status_code == 422


BAD_BODIES = [
    (b'{"text": "white man \\ud800"}', "body: text: contains an unpaired surrogate"),
    (b"[" * 5000 + b"]" * 5000, "body: invalid JSON: nested deeper than 32 levels"),
    (b'{"age": {"min": ' + b"9" * 5000 + b"}}", "a number longer than 40 characters"),
    (bytes(range(256)), "body: not valid UTF-8 at byte 128"),
    (b'{"sex": "M", "sex": "F"}', "body: invalid JSON: duplicate key 'sex'"),
    (b"", "body: invalid JSON: Expecting value at column 1"),
    (b'{"eye_colour": "purple"}', "'purple' is not a known eye colour; known: blue"),
    (b'{"build": "xxxxx"}', "'xxxxx' is not a known build"),
    (b'{"as_of": "0001-01-01", "sex": "M"}', "as_of: 0001-01-01 is before 1900-01-01"),
    (b"[]", "(query): [] is not of type 'object'"),
]


def test_bad_bodies_are_refused_with_422_and_a_reason(settings: Settings, tmp_path: Path) -> None:
    services = build_services(settings)
    run_import(services, write_bundle(tmp_path / "bundle", 20, seed=2))
    services.close()
    with TestClient(create_app(settings), base_url=LOCAL) as client:
        sign_in(client, settings)
        for body, reason in BAD_BODIES:
            answer = client.post("/api/v1/search", content=body)
            assert answer.status_code == 422, (body[:40], answer.text)
            assert reason in answer.json()["detail"]
        future = client.post("/api/v1/search", json={"sex": "M"}, params={"as_of": "9999-12-31"})
        assert future.status_code == 422
        assert "as_of: 9999-12-31 is in the future" in future.json()["detail"]
        too_big = client.post("/api/v1/search", content=b" " * (1024 * 1024 + 1))
        assert too_big.status_code == 413 and "larger than 1 MiB" in too_big.json()["detail"]
        schema = client.get("/openapi.json").json()["paths"]["/api/v1/search"]["post"]
        assert schema["requestBody"]["content"]["application/json"]["schema"]["title"] == (
            "Description query v1"
        )


def test_user_text_in_answers_is_escaped_and_keeps_its_value(settings: Settings) -> None:
    query_id = "Q\x1b[2J\u009b\u202e"
    with TestClient(create_app(settings), base_url=LOCAL) as client:
        sign_in(client, settings)
        answer = client.post("/api/v1/search", json={"query_id": query_id, "sex": "M"})
    assert answer.status_code == 200
    assert answer.json()["query_id"] == query_id
    assert not {"\x1b", "\u009b", "\u202e"} & set(answer.text)


def test_a_foreign_host_header_is_refused(settings: Settings) -> None:
    # DNS rebinding: a page on evil.example whose name now resolves to 127.0.0.1.
    with TestClient(create_app(settings), base_url=LOCAL) as client:
        assert client.get("/api/v1/health").status_code == 200
        for host in ("127.0.0.1:8000", "[::1]:8000"):
            assert client.get("/api/v1/health", headers={"host": host}).status_code == 200
        refused = client.get("/api/v1/health", headers={"host": "evil.example"})
        assert refused.status_code == 400
    trusting = settings.model_copy(update={"trusted_hosts": ("visor.example", "*.police.example")})
    with TestClient(create_app(trusting), base_url="http://visor.example") as client:
        assert client.get("/api/v1/health").status_code == 200
        inner = client.get("/api/v1/health", headers={"host": "api.police.example"})
        assert inner.status_code == 200
        assert client.get("/api/v1/health", headers={"host": "localhost"}).status_code == 400


@pytest.mark.opensearch
def test_through_opensearch_and_when_it_is_down(
    tmp_path: Path,
    opensearch_url: str,
    opensearch_names: IndexNames,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = Settings(
        home=tmp_path / "home",
        opensearch_url=opensearch_url,
        opensearch_index_prefix=opensearch_names.prefix,
    )
    _register(settings, tmp_path)
    with TestClient(
        create_app(settings), base_url=LOCAL
    ) as client:  # applies the templates at start-up
        cluster = connect(opensearch_url)
        assert cluster.indices.exists_index_template(name=f"{opensearch_names.alias}-template")
        services = build_services(settings)
        rebuild(cluster, services.engine, opensearch_names)
        services.close()
        sign_in(client, settings)
        assert client.get("/api/v1/health").json()["search"] == "opensearch"
        answer = client.post("/api/v1/search", json=QUERY, params={"top": 5}).json()
        assert len(answer["candidates"]) == 5

    down = Settings(home=tmp_path / "home", opensearch_url="http://127.0.0.1:9")
    with TestClient(
        create_app(down), base_url=LOCAL
    ) as client:  # starts although the cluster is down
        assert client.get("/api/v1/health").json()["search"] == "opensearch unreachable"
        sign_in(client, down, "investigator2")
        refused = client.post("/api/v1/search", json=QUERY)
        assert refused.status_code == 503
        assert "search unavailable" in refused.json()["detail"]
        # and the operator's log says why, beside the route
        logged = [r.getMessage() for r in caplog.records if r.name == "api.errors"]
        assert any("/api/v1/search answered 503: search unavailable" in m for m in logged)


from api.app import create_app  # noqa: E402  (kept last: the app module is what is tested)
