"""`visor import` semantics on every SQL backend: idempotence, versions, and bad input that is
refused with its reason while the rest of the bundle goes on and nothing stored is damaged."""

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Table, func, select

from register import store, tables
from register.model import to_document
from tests.conftest import (
    EXAMPLE_BUNDLE,
    export_documents,
    image_bytes,
    minimal_record,
    read_jsonl,
    run_import,
    write_bundle,
)
from visor.services import Services


def count(services: Services, table: Table) -> int:
    with services.engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(table)) or 0


def test_example_bundle_imports_and_reimport_changes_nothing(services: Services) -> None:
    summary, rejects = run_import(services, EXAMPLE_BUNDLE)
    assert (summary.created, summary.updated, rejects) == (3, 0, [])
    versions_before = count(services, tables.nominal_versions)
    outbox_before = count(services, tables.outbox)

    again, rejects = run_import(services, EXAMPLE_BUNDLE)
    assert (again.created, again.updated, again.unchanged, rejects) == (0, 0, 3, [])
    assert count(services, tables.nominals) == 3
    assert count(services, tables.nominal_versions) == versions_before
    assert count(services, tables.outbox) == outbox_before


def test_a_changed_record_gets_a_new_version_naming_the_changed_fields(
    services: Services, tmp_path: Path
) -> None:
    run_import(services, write_bundle(tmp_path / "a", [minimal_record("R1", height_cm=180)]))
    summary, _ = run_import(
        services,
        write_bundle(tmp_path / "b", [minimal_record("R1", height_cm=182, build="stocky")]),
    )
    assert summary.updated == 1
    with services.engine.connect() as connection:
        versions = store.history(connection, "R1")
        outbox = connection.execute(
            select(tables.outbox.c.reference, tables.outbox.c.version).order_by(tables.outbox.c.id)
        ).all()
    assert [(v.version, v.change) for v in versions] == [(1, "create"), (2, "update")]
    assert versions[1].changed_fields == ["build", "height_cm"]
    assert versions[1].document["height_cm"] == 182
    assert [tuple(row) for row in outbox] == [("R1", 1), ("R1", 2)]


def test_bad_lines_are_rejected_with_line_numbers_and_the_rest_imported(
    services: Services, tmp_path: Path
) -> None:
    bundle = write_bundle(
        tmp_path / "bundle",
        [
            minimal_record("GOOD1"),
            "{not json",
            {"reference": "NONAME", "sex": "M"},
            minimal_record("BADTYPE", height_cm="tall"),
            minimal_record("BADENUM", sex="Q"),
            minimal_record("BADDATE", dates_of_birth=["2023-02-30"]),
            minimal_record("../../etc/passwd"),
            "",
            minimal_record("GOOD2"),
        ],
    )
    summary, rejects = run_import(services, bundle)
    assert (summary.lines, summary.created, summary.rejected_lines) == (8, 2, 6)
    by_line = {reject["line"]: reject for reject in rejects}
    assert sorted(by_line) == [2, 3, 4, 5, 6, 7]
    assert "invalid JSON" in by_line[2]["reasons"][0]
    assert by_line[2]["record"] == "{not json"
    assert by_line[3]["reasons"] == ["(record): 'names' is a required property"]
    assert by_line[4]["reference"] == "BADTYPE"
    assert "is not of type 'integer'" in by_line[4]["reasons"][0]
    assert "is not one of" in by_line[5]["reasons"][0]
    assert "is not a 'date'" in by_line[6]["reasons"][0]
    assert "does not match" in by_line[7]["reasons"][0]
    with services.engine.connect() as connection:
        references = set(connection.scalars(select(tables.nominals.c.reference)))
    assert references == {"GOOD1", "GOOD2"}


def test_a_rejected_line_leaves_the_stored_record_untouched(
    services: Services, tmp_path: Path
) -> None:
    run_import(services, write_bundle(tmp_path / "a", [minimal_record("R1", height_cm=180)]))
    summary, rejects = run_import(
        services, write_bundle(tmp_path / "b", [minimal_record("R1", height_cm=999)])
    )
    assert summary.rejected_lines == 1 and rejects[0]["reference"] == "R1"
    with services.engine.connect() as connection:
        assert store.get_record(connection, "R1").height_cm == 180
        assert len(store.history(connection, "R1")) == 1


def test_a_reference_repeated_in_one_bundle_keeps_the_first(
    services: Services, tmp_path: Path
) -> None:
    lines = [minimal_record(f"R{i}") for i in range(5)]
    lines.append(minimal_record("R1", height_cm=150))  # same batch as nothing: batch_size is 3
    lines.append(minimal_record("R4", height_cm=160))
    summary, rejects = run_import(services, write_bundle(tmp_path / "b", lines))
    assert (summary.created, summary.rejected_lines) == (5, 2)
    assert [(r["line"], r["reference"]) for r in rejects] == [(6, "R1"), (7, "R4")]
    assert "already imported from line 2" in rejects[0]["reasons"][0]
    assert "already imported from line 5" in rejects[1]["reasons"][0]
    with services.engine.connect() as connection:
        assert store.get_record(connection, "R1").height_cm is None


def test_references_with_slashes_are_identifiers_not_paths(
    services: Services, tmp_path: Path
) -> None:
    reference = "MPS/2019/../0001"
    run_import(services, write_bundle(tmp_path / "b", [minimal_record(reference)]))
    exported = export_documents(services, tmp_path / "out")
    assert list(exported) == [reference]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["nominals.jsonl"]


def test_unsafe_or_missing_photos_reject_the_photo_not_the_nominal(
    services: Services, tmp_path: Path
) -> None:
    outside = tmp_path / "secret.jpg"
    outside.write_bytes(image_bytes())
    good = image_bytes()
    photos = [
        {"file": "photos/good.jpg", "kind": "face"},
        {"file": "../../etc/passwd", "kind": "face"},
        {"file": "/etc/passwd", "kind": "face"},
        {"file": "photos/link.jpg", "kind": "face"},
        {"file": "photos/missing.jpg", "kind": "face"},
        {"file": "photos/text.jpg", "kind": "face"},
        {"file": "photos/empty.jpg", "kind": "face"},
        {"file": "photos/good.jpg", "kind": "face", "sha256": "0" * 64},
        {"file": "photos/good.jpg", "kind": "mark", "mark_index": 0},
        {"file": "photos", "kind": "other"},
    ]
    bundle = write_bundle(
        tmp_path / "bundle",
        [minimal_record("R1", photos=photos)],
        photos={
            "photos/good.jpg": good,
            "photos/text.jpg": b"hello, I am text",
            "photos/empty.jpg": b"",
        },
    )
    os.symlink(outside, bundle / "photos" / "link.jpg")
    summary, rejects = run_import(services, bundle)
    assert (summary.created, summary.rejected_lines, summary.rejected_photos) == (1, 0, 9)
    reasons = {r["reasons"][0].split(": ", 1)[0]: r["reasons"][0] for r in rejects}
    assert "leaves the bundle folder ('..')" in reasons["photos[1] ../../etc/passwd"]
    assert "absolute path" in reasons["photos[2] /etc/passwd"]
    assert "symbolic link" in reasons["photos[3] photos/link.jpg"]
    assert "file not found" in reasons["photos[4] photos/missing.jpg"]
    assert "not a JPEG, PNG or WebP" in reasons["photos[5] photos/text.jpg"]
    assert "file is empty" in reasons["photos[6] photos/empty.jpg"]
    assert "sha256 mismatch" in reasons["photos[7] photos/good.jpg"]
    assert "mark_index 0 names no mark" in reasons["photos[8] photos/good.jpg"]
    assert "not a regular file" in reasons["photos[9] photos"]
    with services.engine.connect() as connection:
        record = store.get_record(connection, "R1")
    assert [(p.file, p.sha256) for p in record.photos] == [
        ("photos/good.jpg", hashlib.sha256(good).hexdigest())
    ]
    assert services.blob_store.path_for(hashlib.sha256(good).hexdigest()).read_bytes() == good


def test_a_photo_unreadable_on_reimport_keeps_the_stored_one(
    services: Services, tmp_path: Path
) -> None:
    record = minimal_record("R1", photos=[{"file": "photos/a.jpg", "kind": "face"}])
    bundle = write_bundle(tmp_path / "b", [record], photos={"photos/a.jpg": image_bytes()})
    run_import(services, bundle)
    (bundle / "photos" / "a.jpg").unlink()
    summary, rejects = run_import(services, bundle)
    assert summary.unchanged == 1 and summary.rejected_photos == 1
    assert "the photo already stored for this file is kept" in rejects[0]["reasons"]
    with services.engine.connect() as connection:
        assert len(store.get_record(connection, "R1").photos) == 1


def test_the_same_photo_twice_is_stored_once(services: Services, tmp_path: Path) -> None:
    photo = [{"file": "photos/a.jpg", "kind": "face"}]
    bundle = write_bundle(
        tmp_path / "b",
        [minimal_record("R1", photos=photo), minimal_record("R2", photos=photo)],
        photos={"photos/a.jpg": image_bytes()},
    )
    run_import(services, bundle)
    assert count(services, tables.photo_blobs) == 1
    assert count(services, tables.photos) == 2
    root = services.blob_store.root
    originals = [p for p in root.rglob("*") if p.is_file() and "derived" not in p.parts]
    assert len(originals) == 1
    assert count(services, tables.photo_analyses) == 1


def test_import_writes_every_nif_field_into_its_columns(services: Services) -> None:
    run_import(services, EXAMPLE_BUNDLE)
    with services.engine.connect() as connection:
        surnames = sorted(connection.scalars(select(tables.names.c.surname)))
        mark = connection.execute(select(tables.marks).where(tables.marks.c.position == 0)).first()
        record = store.get_record(connection, "EX0001")
    assert surnames == ["Begum", "Rahman", "UNKNOWN", "Whitmore", "Whitmore", "Witmore"]
    assert mark is not None
    assert {mark.tattoo_subclass, mark.location} >= {"SNAKE", "inner left forearm"}
    original = json.loads((EXAMPLE_BUNDLE / "nominals.jsonl").read_text().splitlines()[0])
    assert to_document(record) == original


def test_archive_and_restore_are_versioned_changes(services: Services) -> None:
    run_import(services, EXAMPLE_BUNDLE)
    with services.engine.begin() as connection:
        store.set_status(connection, "EX0002", "archived", "officer-1", "moved abroad")
        store.set_status(connection, "EX0002", "live", "officer-2", "returned")
    with services.engine.connect() as connection:
        versions = store.history(connection, "EX0002")
        assert store.get_record(connection, "EX0002").status == "live"
    assert [(v.change, v.actor, v.reason) for v in versions] == [
        ("create", "test", None),
        ("archive", "officer-1", "moved abroad"),
        ("restore", "officer-2", "returned"),
    ]
    assert versions[1].document["status"] == "archived"


def test_bundle_copied_elsewhere_still_finds_its_photos(services: Services, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(EXAMPLE_BUNDLE, copy)
    summary, rejects = run_import(services, copy)
    assert rejects == [] and summary.created == 3
    assert read_jsonl(copy / "nominals.jsonl")[0]["photos"][0]["file"] == "photos/EX0001-face.jpg"


def test_a_reference_repeated_within_one_batch_keeps_the_first(
    services: Services, tmp_path: Path
) -> None:
    lines = [minimal_record("A", height_cm=170), minimal_record("A", height_cm=190)]
    summary, rejects = run_import(services, write_bundle(tmp_path / "b", lines))
    assert (summary.created, summary.rejected_lines) == (1, 1)
    assert rejects[0]["line"] == 2 and "line 1" in rejects[0]["reasons"][0]
    with services.engine.connect() as connection:
        assert store.get_record(connection, "A").height_cm == 170


def test_reimport_without_status_does_not_undo_an_archive(
    services: Services, tmp_path: Path
) -> None:
    bundle = write_bundle(tmp_path / "b", [minimal_record("R1", height_cm=170)])
    run_import(services, bundle)
    with services.engine.begin() as connection:
        store.set_status(connection, "R1", "archived", "officer", "deceased")
    summary, _ = run_import(services, bundle)
    assert summary.unchanged == 1
    with services.engine.connect() as connection:
        assert store.get_record(connection, "R1").status == "archived"
        assert len(store.history(connection, "R1")) == 2
    # A source that states the status is believed.
    run_import(
        services, write_bundle(tmp_path / "c", [minimal_record("R1", status="live", height_cm=170)])
    )
    with services.engine.connect() as connection:
        assert store.get_record(connection, "R1").status == "live"


def test_a_kept_photo_takes_the_new_lines_fields_and_a_bad_mark_index_is_not_kept(
    services: Services, tmp_path: Path
) -> None:
    marks = [{"type": "scar", "location": "chin"}, {"type": "tattoo", "location": "neck"}]
    photos = [
        {"file": "photos/a.jpg", "kind": "mark", "mark_index": 1},
        {"file": "photos/a.jpg", "kind": "face", "taken_on": "2024-01-01"},
    ]
    bundle = write_bundle(
        tmp_path / "b",
        [minimal_record("R1", marks=marks, photos=photos)],
        photos={"photos/a.jpg": image_bytes()},
    )
    run_import(services, bundle)
    (bundle / "photos" / "a.jpg").unlink()
    (bundle / "nominals.jsonl").write_text(
        json.dumps(minimal_record("R1", marks=marks[:1], photos=photos)) + "\n"
    )
    summary, rejects = run_import(services, bundle)
    assert summary.rejected_photos == 2
    assert "mark_index 1 names no mark" in rejects[0]["reasons"][0]
    assert "the photo already stored for this file is kept" in rejects[1]["reasons"]
    with services.engine.connect() as connection:
        kept = store.get_record(connection, "R1").photos
    assert [(p.kind, p.mark_index, str(p.taken_on)) for p in kept] == [("face", None, "2024-01-01")]


def test_a_database_failure_mid_import_stops_it_and_keeps_what_was_committed(
    services: Services, tmp_path: Path
) -> None:
    from sqlalchemy import event
    from sqlalchemy.exc import OperationalError

    from foundation.errors import BackendUnavailable

    lines = [minimal_record(f"R{i}") for i in range(9)]
    bundle = write_bundle(tmp_path / "b", lines)
    inserts = 0

    def fail_on_third_batch(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        nonlocal inserts
        if statement.startswith("INSERT INTO nominals "):
            inserts += 1
            if inserts == 3:  # the database goes away under the third batch
                raise OperationalError(statement, {}, Exception("server closed the connection"))

    event.listen(services.engine, "before_cursor_execute", fail_on_third_batch)
    try:
        with pytest.raises(BackendUnavailable, match="server closed the connection"):
            run_import(services, bundle)
    finally:
        event.remove(services.engine, "before_cursor_execute", fail_on_third_batch)
    assert count(services, tables.nominals) == 6  # two whole batches of three
    summary, rejects = run_import(services, bundle)
    assert (summary.created, summary.unchanged, rejects) == (3, 6, [])


def test_a_photo_that_will_not_decode_is_rejected_and_nothing_of_it_kept(
    services: Services, tmp_path: Path
) -> None:
    whole = image_bytes()
    truncated = whole[: len(whole) // 2]
    bundle = write_bundle(
        tmp_path / "b",
        [
            minimal_record(
                "R1",
                photos=[
                    {"file": "photos/cut.jpg", "kind": "face"},
                    {"file": "photos/ok.jpg", "kind": "face"},
                ],
            )
        ],
        photos={"photos/cut.jpg": truncated, "photos/ok.jpg": whole},
    )
    summary, rejects = run_import(services, bundle)
    assert (summary.created, summary.rejected_photos) == (1, 1)
    assert "corrupt or truncated" in rejects[0]["reasons"][0]
    assert not services.blob_store.path_for(hashlib.sha256(truncated).hexdigest()).exists()
    assert count(services, tables.photo_analyses) == 1
    sha = hashlib.sha256(whole).hexdigest()
    for name in ("working.jpg", "thumbnail.jpg"):
        derived = services.blob_store.derivative_path(sha, name)
        assert derived.read_bytes()[:3] == b"\xff\xd8\xff"


def test_a_poisonous_line_rejects_itself_and_every_valid_line_is_imported(
    services: Services, tmp_path: Path
) -> None:
    # batch_size is 3: each poisonous line shares its batch with valid lines before and after.
    lines: list[Any] = [
        minimal_record("V1"),
        minimal_record("V2"),
        "[" * 5000 + "]" * 5000,  # RecursionError in json.loads
        '{"reference": "BIG", "height_cm": ' + "9" * 5000 + "}",  # ValueError in int()
        minimal_record("V3"),
        b'{"reference": "SUR", "names": [{"surname": "\\ud800"}], "sex": "M"}',
        '{"reference": "UNT", "names": [{"surname": "Smith',
        minimal_record("V4"),
    ]
    summary, rejects = run_import(services, write_bundle(tmp_path / "b", lines))
    assert (summary.lines, summary.created, summary.rejected_lines) == (8, 4, 4)
    reasons = {reject["line"]: reject["reasons"] for reject in rejects}
    assert reasons[3] == [f"invalid JSON: nested deeper than 32 levels at column 33 ({'[0]' * 32})"]
    assert reasons[4] == [
        "invalid JSON: a number longer than 40 characters at column 35 (height_cm)"
    ]
    assert reasons[6] == ["names[0].surname: contains an unpaired surrogate (invalid Unicode)"]
    assert reasons[7] == ["invalid JSON: Unterminated string starting at column 44"]
    with services.engine.connect() as connection:
        stored = set(connection.scalars(select(tables.nominals.c.reference)))
    assert stored == {"V1", "V2", "V3", "V4"}


def test_an_error_one_line_raises_never_costs_the_lines_around_it(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from register import nif_import
    from register.store import write_records
    from register.validation import parse_line

    real_parse, real_write = parse_line, write_records

    def parse(raw: bytes) -> object:
        if b"CRASH-READ" in raw:
            raise RuntimeError("a bug that only this line reaches")
        return real_parse(raw)

    def write(connection: object, incoming: list[store.Incoming], **kwargs: object) -> object:
        if any(i.record.reference == "CRASH-WRITE" for i in incoming):
            raise ValueError("a bug in writing this record")
        return real_write(connection, incoming, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(nif_import, "parse_line", parse)
    monkeypatch.setattr(nif_import, "write_records", write)
    lines = [
        minimal_record("A1"),
        minimal_record("CRASH-READ"),
        minimal_record("A2"),
        minimal_record("A3"),
        minimal_record("CRASH-WRITE"),
        minimal_record("A4"),
    ]
    summary, rejects = run_import(services, write_bundle(tmp_path / "b", lines))
    assert (summary.created, summary.rejected_lines) == (4, 2)
    assert [(r["line"], r["reasons"]) for r in rejects] == [
        (2, ["could not be imported: RuntimeError: a bug that only this line reaches"]),
        (5, ["the register refused the record: ValueError('a bug in writing this record')"]),
    ]
    with services.engine.connect() as connection:
        stored = set(connection.scalars(select(tables.nominals.c.reference)))
    assert stored == {"A1", "A2", "A3", "A4"}


def test_dates_that_cannot_be_true_are_rejected_with_their_reasons(
    services: Services, tmp_path: Path
) -> None:
    import datetime as dt

    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    photo = {"file": "photos/a.jpg", "kind": "face", "taken_on": tomorrow}
    lines = [
        minimal_record("OLD", dates_of_birth=["0001-01-01"]),
        minimal_record("FAR", dates_of_birth=["9999-12-31"]),
        minimal_record("SOON", dates_of_birth=["1980-05-01", tomorrow]),
        minimal_record("SNAP", photos=[photo]),
        minimal_record("OK", dates_of_birth=["1900-01-01", dt.date.today().isoformat()]),
    ]
    bundle = write_bundle(tmp_path / "b", lines, photos={"photos/a.jpg": image_bytes()})
    summary, rejects = run_import(services, bundle)
    assert (summary.created, summary.rejected_lines) == (1, 4)
    reasons = {r["reference"]: r["reasons"] for r in rejects}
    assert reasons["OLD"] == ["dates_of_birth[0]: 0001-01-01 is before 1900-01-01"]
    assert reasons["FAR"][0].startswith("dates_of_birth[0]: 9999-12-31 is in the future")
    assert reasons["SOON"][0].startswith(f"dates_of_birth[1]: {tomorrow} is in the future")
    assert reasons["SNAP"][0].startswith(f"photos[0].taken_on: {tomorrow} is in the future")


def test_a_nominals_file_that_is_a_symbolic_link_is_refused(tmp_path: Path) -> None:
    from foundation.errors import InvalidInput
    from register.nif_import import open_bundle

    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n")
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "nominals.jsonl").symlink_to(secret)
    with pytest.raises(InvalidInput, match="is a symbolic link: refused"):
        open_bundle(bundle)


def test_the_reject_file_keeps_one_entry_a_line_whatever_the_line_held(
    services: Services, tmp_path: Path
) -> None:
    line = '{"reference": "R1", "sex": "M", "note": "a\u2028b\x85c\x1b[2J"}'
    summary, _ = run_import(services, write_bundle(tmp_path / "b", [line]), tmp_path / "r.jsonl")
    text = (tmp_path / "r.jsonl").read_text("utf-8")
    assert summary.rejected_lines == 1 and len(text.splitlines()) == 1
    assert "\x1b" not in text and json.loads(text)["record"] == line
