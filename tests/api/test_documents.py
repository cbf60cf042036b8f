"""Documents through the API on SQLite and PostgreSQL: who may attach them and who may see
them (documents are restricted by default), the download's type, nosniff and name, the audit
entry of each access, and hostile uploads refused with their reason, storing nothing."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.app import create_app
from register import tables
from tests.api.attachment_world import (
    LOCAL,
    PURPOSE,
    RELATIONS,
    ROLES,
    World,
    build_world,
    expected_change,
    expected_restricted_read,
)
from tests.document_samples import WINDOWS_EXE, docx, pdf, zip_bomb_docx
from visor.settings import Settings

META = {
    "kind": "risk_assessment",
    "title": "OASys review",
    "author": "J. Smith",
    "document_date": "2026-05-01",
}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def world(settings: Settings, tmp_path: Path) -> Iterator[World]:
    yield from build_world(settings, tmp_path)


def _count(world: World) -> int:
    with world.services.engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(tables.documents)) or 0


def test_who_may_attach_and_see_documents(world: World) -> None:
    seen: dict[tuple[str, str], tuple[int, ...]] = {}
    with TestClient(create_app(world.settings), base_url=LOCAL) as client:
        officer = world.headers(client, "officer")
        first = client.post(
            "/api/v1/nominals/R1/documents",
            content=pdf(),
            params=META,
            headers={**officer, "Content-Type": "application/pdf"},
        )
        assert first.status_code == 201, first.text
        number = first.json()["id"]
        for role in ROLES:
            for relation in RELATIONS:
                headers = world.headers(client, role, relation)
                added = client.post(
                    "/api/v1/nominals/R1/documents",
                    content=f"visit note by {role} of {relation}".encode(),
                    params=META,
                    headers={**headers, "Content-Type": "text/plain"},
                ).status_code
                listed = client.get(
                    "/api/v1/nominals/R1/documents", headers=headers, params=PURPOSE
                ).status_code
                meta = client.get(
                    f"/api/v1/documents/{number}", headers=headers, params=PURPOSE
                ).status_code
                content = client.get(
                    f"/api/v1/documents/{number}/content", headers=headers, params=PURPOSE
                )
                assert content.status_code != 200 or content.content == pdf()
                seen[(role, relation)] = (added, listed, meta, content.status_code)
    wrong = {
        key: got
        for key, got in seen.items()
        if got != (expected_change(*key), *[expected_restricted_read(*key)] * 3)
    }
    assert wrong == {}
    assert _count(world) == 1 + 4
    # Refused sight of a document leaves nothing of it in the answer.
    with TestClient(create_app(world.settings), base_url=LOCAL) as client:
        viewer = world.headers(client, "viewer", "managing")
        refused = client.get(f"/api/v1/documents/{number}", headers=viewer, params=PURPOSE)
        assert refused.status_code == 403 and "OASys" not in refused.text
        assert "restricted to officer, supervisor" in refused.json()["detail"]


def test_documents_are_typed_by_content_downloaded_as_attachments_and_audited(
    world: World,
) -> None:
    with TestClient(create_app(world.settings), base_url=LOCAL) as client:
        officer = world.headers(client, "officer", "partner")
        # Declared as a PDF, named nothing: it is a DOCX, and it is kept as one.
        added = client.post(
            "/api/v1/nominals/R1/documents",
            content=docx(),
            params={**META, "kind": "mappa_minutes", "title": "  MAPPA level 2 meeting  "},
            headers={**officer, "Content-Type": "application/pdf"},
        )
        assert added.status_code == 201, added.text
        answer = added.json()
        assert (answer["format"], answer["media_type"]) == ("docx", DOCX)
        assert answer["title"] == "MAPPA level 2 meeting" and answer["agency"] == "LDN-PROB"
        supervisor = world.headers(client, "supervisor", "unrelated")
        listed = client.get("/api/v1/nominals/R1/documents", headers=supervisor, params=PURPOSE)
        assert [d["id"] for d in listed.json()] == [answer["id"]]
        download = client.get(answer["content"], headers=supervisor, params=PURPOSE)
        assert download.status_code == 200 and download.content == docx()
        assert download.headers["content-type"] == DOCX
        assert download.headers["x-content-type-options"] == "nosniff"
        assert download.headers["content-disposition"] == (
            f'attachment; filename="document-{answer["id"]}.docx"'
        )
        unstated = client.get(answer["content"], headers=supervisor)
        assert unstated.status_code == 422 and "purpose" in unstated.json()["detail"]
        for bad in ("abc", "-1", "..%2F..%2Fregister.sqlite3", "1.5", "99999", str(2**63)):
            got = client.get(f"/api/v1/documents/{bad}/content", headers=supervisor, params=PURPOSE)
            assert got.status_code in (404, 422), (bad, got.status_code)
    added_entry = world.entries(action="document.add")[-1]
    assert added_entry.actor == "officer.partner" and added_entry.references == ["R1"]
    assert added_entry.details["format"] == "docx"
    reads = world.entries(user="supervisor.unrelated", reference="R1")
    assert [(e.action, e.purpose) for e in reads] == [
        ("document.list", "case 1"),
        ("document.download", "case 1"),
    ]


def test_documents_can_be_left_unrestricted(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VISOR_RESTRICTED_FIELDS", "addresses,warning_markers")
    settings = Settings(
        home=world.settings.home, database_url=world.settings.database_url, require_purpose=True
    )
    with TestClient(create_app(settings), base_url=LOCAL) as client:
        viewer = world.headers(client, "viewer", "unrelated")
        listed = client.get("/api/v1/nominals/R1/documents", headers=viewer, params=PURPOSE)
        assert listed.status_code == 200 and listed.json() == []


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (WINDOWS_EXE, "a Windows executable (PE), not a document"),
        (pdf(b"<< /S /JavaScript /JS (app.alert(1)) >>"), "active content (JavaScript"),
        (docx(extra={"word/vbaProject.bin": b"x"}), "a DOCX with macros"),
        (zip_bomb_docx(), "a zip bomb"),
        (b"\x00\x01\x02", "not plain text: a NUL"),
    ],
    ids=["exe-as-pdf", "pdf-javascript", "docx-macro", "docx-zip-bomb", "binary"],
)
def test_hostile_documents_are_refused_and_nothing_is_kept(
    world: World, body: bytes, reason: str
) -> None:
    with TestClient(create_app(world.settings), base_url=LOCAL) as client:
        answer = client.post(
            "/api/v1/nominals/R1/documents",
            content=body,
            params={**META, "title": "risk-assessment.pdf"},
            headers={**world.headers(client, "officer"), "Content-Type": "application/pdf"},
        )
    assert answer.status_code == 422 and reason in answer.json()["detail"], answer.text
    assert _count(world) == 0
    stored = world.services.document_store.root
    assert not stored.exists() or not any(p.is_file() for p in stored.rglob("*"))
    assert world.entries(action="document.add") == []


def test_bad_metadata_and_oversize_uploads_are_refused(world: World) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(25):
            yield b"a" * (1024 * 1024)

    with TestClient(create_app(world.settings), base_url=LOCAL) as client:
        officer = {**world.headers(client, "officer"), "Content-Type": "text/plain"}
        url = "/api/v1/nominals/R1/documents"
        big = client.post(url, content=chunks(), params=META, headers=officer)
        assert big.status_code == 413 and "larger than 20 MiB" in big.json()["detail"]
        future = client.post(
            url, content=b"x", params={**META, "document_date": "2999-01-01"}, headers=officer
        )
        assert future.status_code == 422 and "in the future" in future.json()["detail"]
        blank = client.post(url, content=b"x", params={**META, "title": "   "}, headers=officer)
        assert blank.status_code == 422 and "title" in blank.json()["detail"]
        kind = client.post(url, content=b"x", params={**META, "kind": "diary"}, headers=officer)
        assert kind.status_code == 422
        form = client.post(
            url, data={"a": "b"}, params=META, headers={"Authorization": officer["Authorization"]}
        )
        assert form.status_code == 415 and "Content-Type" in form.json()["detail"]
        nobody = client.post(
            "/api/v1/nominals/NOPE/documents", content=b"x", params=META, headers=officer
        )
        assert nobody.status_code == 404
    assert _count(world) == 0


def test_every_attachment_body_is_declared_in_the_openapi_schema(world: World) -> None:
    with TestClient(create_app(world.settings), base_url=LOCAL) as client:
        paths = client.get("/openapi.json").json()["paths"]
    binary = {"type": "string", "format": "binary"}
    photo = paths["/api/v1/nominals/{reference}/photos"]["post"]["requestBody"]["content"]
    assert photo["image/jpeg"]["schema"] == binary and "application/octet-stream" in photo
    document = paths["/api/v1/nominals/{reference}/documents"]["post"]["requestBody"]["content"]
    assert document["application/pdf"]["schema"] == binary and DOCX in document
    for path, field in [
        ("/api/v1/nominals/{reference}/activity", "occurred_on"),
        ("/api/v1/nominals/{reference}/transfer-requests", "to_agency"),
        ("/api/v1/nominals/{reference}/partnership-requests", "reason"),
    ]:
        schema = paths[path]["post"]["requestBody"]["content"]["application/json"]["schema"]
        assert field in schema["properties"], path
    original = paths["/api/v1/photos/{photo_id}/original"]["get"]["responses"]["200"]["content"]
    assert original["image/png"]["schema"] == binary
    assert "post" in paths["/api/v1/audit/exports"]
