"""Photos through the API on SQLite and PostgreSQL: who may add and see them (every role x
agency relation), the upload through the real imaging pipeline with its quality verdict,
downloads with an explicit type, nosniff and an attachment name, the audit entry of each
access, and hostile uploads and ids (oversize streamed, not an image, an executable, path
traversal) refused without storing anything."""

import hashlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from register import store
from tests.api.attachment_world import (
    LOCAL,
    PURPOSE,
    RELATIONS,
    ROLES,
    World,
    build_world,
    expected_change,
    expected_read,
)
from tests.conftest import image_bytes
from visor.settings import Settings

JPEG = "image/jpeg"


@pytest.fixture
def world(settings: Settings, tmp_path: Path) -> Iterator[World]:
    yield from build_world(settings, tmp_path)


def _upload(
    client: TestClient, headers: dict[str, str], body: bytes, **params: str
) -> httpx.Response:
    answer: httpx.Response = client.post(
        "/api/v1/nominals/R1/photos",
        content=body,
        headers={**headers, "Content-Type": JPEG},
        params=params,
    )
    return answer


def test_who_may_add_and_see_photos(world: World) -> None:
    seen: dict[tuple[str, str], tuple[int, int]] = {}
    with TestClient(create_app(world.settings), base_url=LOCAL) as client:
        for index, (role, relation) in enumerate((r, rel) for r in ROLES for rel in RELATIONS):
            headers = world.headers(client, role, relation)
            photo = image_bytes((index * 9 % 256, 40, 200 - index))
            added = client.post(
                "/api/v1/nominals/R1/photos",
                content=photo,
                headers={**headers, "Content-Type": JPEG},
                params={"kind": "mark", "mark_index": "0"},
            )
            sha256 = hashlib.sha256(photo).hexdigest()
            if added.status_code == 201:
                assert added.json()["id"] == sha256
            viewed = client.get(f"/api/v1/photos/{sha256}", headers=headers, params=PURPOSE)
            # A photo that was refused is not held: 404 for whoever may read.
            seen[(role, relation)] = (added.status_code, viewed.status_code)
    wrong = {
        key: got
        for key, got in seen.items()
        if got[0] != expected_change(*key)
        or got[1] != (expected_read(*key) if got[0] == 201 else (404, 403)[key[0] == "auditor"])
    }
    assert wrong == {}
    added = sum(1 for got in seen.values() if got[0] == 201)
    assert added == 4  # officer and supervisor, of the managing and of the partner agency
    with world.services.engine.connect() as connection:
        assert len(store.get_record(connection, "R1").photos) == 1 + added
    refusals = world.entries(action="upload_photo")
    assert len(refusals) == len(seen) - added and {e.outcome for e in refusals} == {"refused"}


def test_upload_answers_the_verdict_and_downloads_are_typed_and_audited(world: World) -> None:
    photo = image_bytes((120, 120, 120))
    with TestClient(create_app(world.settings), base_url=LOCAL) as client:
        officer = world.headers(client, "officer")
        added = _upload(client, officer, photo, kind="face", taken_on="2026-03-01")
        assert added.status_code == 201, added.text
        answer = added.json()
        sha256 = hashlib.sha256(photo).hexdigest()
        assert answer["id"] == sha256 and answer["references"] == ["R1"]
        assert answer["media_type"] == JPEG and answer["kind"] == "face"
        assert (answer["width"], answer["height"]) == (32, 40)
        # A flat grey 32x40 square: too small and no face in it, which the verdict says.
        codes = {flag["code"] for flag in answer["quality_flags"]}
        assert {"low_resolution", "no_face"} <= codes

        again = _upload(client, officer, photo)
        assert again.status_code == 409  # R1 holds it already
        future = _upload(client, officer, image_bytes((1, 2, 3)), taken_on="2999-01-01")
        assert future.status_code == 422 and "taken_on: 2999-01-01 is in the future" in future.text

        viewer = world.headers(client, "viewer", "unrelated")
        original = client.get(answer["original"], headers=viewer, params=PURPOSE)
        assert original.status_code == 200 and original.content == photo
        assert original.headers["content-type"] == JPEG
        assert original.headers["x-content-type-options"] == "nosniff"
        disposition = original.headers["content-disposition"]
        assert disposition == f'attachment; filename="photo-{sha256[:16]}.jpg"'
        thumbnail = client.get(answer["thumbnail"], headers=viewer, params=PURPOSE)
        assert thumbnail.status_code == 200 and thumbnail.content.startswith(b"\xff\xd8\xff")
        assert thumbnail.headers["content-type"] == JPEG
        assert thumbnail.headers["content-disposition"].startswith("attachment; filename=")
        assert thumbnail.headers["x-content-type-options"] == "nosniff"
        unstated = client.get(answer["original"], headers=viewer)
        assert unstated.status_code == 422 and "purpose" in unstated.json()["detail"]

    with world.services.engine.connect() as connection:
        record = store.get_record(connection, "R1")
    added_photo = record.photos[-1]
    assert added_photo.sha256 == sha256 and str(added_photo.taken_on) == "2026-03-01"
    assert added_photo.file == f"photos/sha256/{sha256}.jpg"
    change = world.entries(reference="R1", action="nominal.update")[-1]
    assert change.actor == "officer.managing" and change.details["photo"] == sha256
    assert change.details["changed_fields"] == ["photos"]
    views = world.entries(action="photo.view", user="viewer.unrelated")
    assert [(e.details["part"], e.purpose, e.references) for e in views] == [
        ("original", "case 1", ["R1"]),
        ("thumbnail", "case 1", ["R1"]),
    ]


EXECUTABLE = b"MZ\x90\x00\x03" + b"\x00" * 60 + b"PE\x00\x00" + b"\x00" * 200
POLYGLOT = image_bytes() + b"<script>alert(1)</script>"


@pytest.mark.parametrize(
    ("body", "content_type", "status", "reason"),
    [
        (EXECUTABLE, JPEG, 422, "not a JPEG, PNG or WebP image (checked by content)"),
        (b"%PDF-1.7\n", "application/octet-stream", 422, "not a JPEG, PNG or WebP image"),
        (POLYGLOT, "image/png", 422, "polyglot"),
        (image_bytes()[:200], JPEG, 422, "corrupt or truncated"),
        (image_bytes(), "multipart/form-data; boundary=x", 415, "Content-Type application/"),
        (b"", JPEG, 422, "the request body is empty"),
    ],
)
def test_hostile_uploads_are_refused_with_their_reason_and_store_nothing(
    world: World, body: bytes, content_type: str, status: int, reason: str
) -> None:
    with world.services.engine.connect() as connection:
        before = store.find_existing(connection, ["R1"])["R1"].version
    with TestClient(create_app(world.settings), base_url=LOCAL) as client:
        answer = client.post(
            "/api/v1/nominals/R1/photos",
            content=body,
            headers={**world.headers(client, "officer"), "Content-Type": content_type},
        )
    assert answer.status_code == status, answer.text
    assert reason in answer.json()["detail"]
    with world.services.engine.connect() as connection:
        assert store.find_existing(connection, ["R1"])["R1"].version == before
    assert not world.services.blob_store.path_for(hashlib.sha256(body).hexdigest()).exists()


def test_an_oversize_upload_is_refused_while_streaming(world: World) -> None:
    def chunks() -> Iterator[bytes]:
        yield image_bytes()
        for _ in range(80):  # 80 MiB offered; the cap is 50
            yield b"\x00" * (1024 * 1024)

    with TestClient(create_app(world.settings), base_url=LOCAL) as client:
        answer = client.post(
            "/api/v1/nominals/R1/photos",
            content=chunks(),
            headers={**world.headers(client, "officer"), "Content-Type": JPEG},
        )
    assert answer.status_code == 413 and "larger than 50 MiB" in answer.json()["detail"]
    with world.services.engine.connect() as connection:
        assert len(store.get_record(connection, "R1").photos) == 1


TRAVERSALS = [
    "..%2F..%2F..%2Fetc%2Fpasswd",
    "%2e%2e%2f%2e%2e%2fregister.sqlite3",
    "..",
    "derived",
    "0" * 63,
    "A" * 64,
    "../" + "0" * 61,
    "%00" + "0" * 61,
    "0" * 64,  # well formed, but no nominal holds it
]


def test_photo_ids_never_reach_outside_the_store(world: World) -> None:
    with TestClient(create_app(world.settings), base_url=LOCAL) as client:
        viewer = world.headers(client, "viewer")
        for photo_id in TRAVERSALS:
            for part in ("", "/original", "/thumbnail"):
                answer = client.get(
                    f"/api/v1/photos/{photo_id}{part}", headers=viewer, params=PURPOSE
                )
                assert answer.status_code == 404, (photo_id, part, answer.text)
                assert "root:" not in answer.text
    assert world.entries(action="photo.view") == []
