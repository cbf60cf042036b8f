"""Import then export reproduces every field given (key and list order aside)."""

import json
from pathlib import Path
from typing import Any

import pytest

from foundation.errors import InvalidInput
from register.nif_export import export_bundle
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
from visor.synthetic import write_bundle as write_synthetic_bundle


def without_computed_sha(document: dict[str, Any]) -> dict[str, Any]:
    # The register adds the verified sha256 of each photo; nothing else may differ.
    photos = [{k: v for k, v in p.items() if k != "sha256"} for p in document.get("photos", [])]
    return {**document, **({"photos": photos} if photos else {})}


def test_example_bundle_round_trips_exactly(services: Services, tmp_path: Path) -> None:
    run_import(services, EXAMPLE_BUNDLE)
    exported = export_documents(services, tmp_path / "out")
    original = {d["reference"]: d for d in read_jsonl(EXAMPLE_BUNDLE / "nominals.jsonl")}
    assert exported == original
    photo = tmp_path / "out" / "photos" / "EX0001-face.jpg"
    assert photo.read_bytes() == (EXAMPLE_BUNDLE / "photos" / "EX0001-face.jpg").read_bytes()


def test_synthetic_bundle_round_trips_and_reimports_unchanged(
    services: Services, tmp_path: Path
) -> None:
    bundle = write_synthetic_bundle(tmp_path / "bundle", 150, seed=5, photo_fraction=0.3)
    summary, rejects = run_import(services, bundle)
    assert rejects == [] and summary.created == 150
    exported = export_documents(services, tmp_path / "out")
    original = read_jsonl(bundle / "nominals.jsonl")
    assert {d["reference"]: d for d in original} == {
        ref: without_computed_sha(doc) for ref, doc in exported.items()
    }
    again, _ = run_import(services, tmp_path / "out")
    assert (again.unchanged, again.created, again.updated) == (150, 0, 0)


def test_given_empty_lists_and_defaults_come_back_and_absent_ones_do_not(
    services: Services, tmp_path: Path
) -> None:
    given = minimal_record(
        "R1",
        marks=[],
        status="live",
        wanted_missing=False,
        names=[{"surname": "A", "kind": "primary"}, {"surname": "B"}],
        addresses=[{"from": "2020-01-01", "to": "2021-02-03"}],
    )
    bare = minimal_record("R2")
    run_import(services, write_bundle(tmp_path / "b", [given, bare]))
    exported = export_documents(services, tmp_path / "out")
    assert exported == {"R1": given, "R2": bare}


def test_same_file_name_with_different_pictures_is_exported_under_its_hash(
    services: Services, tmp_path: Path
) -> None:
    photo = [{"file": "photos/face.jpg", "kind": "face"}]
    first = image_bytes((10, 10, 10))
    second = image_bytes((250, 250, 250), format="PNG")
    run_import(
        services,
        write_bundle(
            tmp_path / "a", [minimal_record("A", photos=photo)], photos={"photos/face.jpg": first}
        ),
    )
    run_import(
        services,
        write_bundle(
            tmp_path / "b", [minimal_record("B", photos=photo)], photos={"photos/face.jpg": second}
        ),
    )
    exported = export_documents(services, tmp_path / "out")
    files = {ref: doc["photos"][0]["file"] for ref, doc in exported.items()}
    assert files["A"] == "photos/face.jpg"
    assert files["B"].startswith("photos/sha256/") and files["B"].endswith(".png")
    assert (tmp_path / "out" / files["A"]).read_bytes() == first
    assert (tmp_path / "out" / files["B"]).read_bytes() == second


def test_export_refuses_a_folder_that_is_not_empty(services: Services, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(InvalidInput, match="not empty"):
        export_bundle(services.engine, services.blob_store, out)
    assert (out / "keep.txt").read_text() == "mine"


def test_exported_lines_are_valid_nif(services: Services, tmp_path: Path) -> None:
    from register.validation import parse_line

    run_import(services, EXAMPLE_BUNDLE)
    export_bundle(services.engine, services.blob_store, tmp_path / "out")
    for line in (tmp_path / "out" / "nominals.jsonl").read_bytes().splitlines():
        assert parse_line(line).reasons == [], json.loads(line)["reference"]


def test_photo_names_that_clash_on_export_are_moved_aside_not_overwritten(
    services: Services, tmp_path: Path
) -> None:
    pictures = {
        name: image_bytes((i * 40, 100, 200))
        for i, name in enumerate(
            ["photos/a.jpg", "photos/./a.jpg", "photos/a.jpg/b.jpg", ".nominals.jsonl.partial"]
        )
    }
    for i, (name, content) in enumerate(pictures.items()):
        bundle = write_bundle(
            tmp_path / f"b{i}",
            [minimal_record(f"R{i}", photos=[{"file": name, "kind": "face"}])],
            photos={name.replace("a.jpg/b.jpg", "b.jpg"): content},
        )
        if name == "photos/a.jpg/b.jpg":  # a folder named a.jpg in this bundle
            (bundle / "photos" / "a.jpg").mkdir()
            (bundle / "photos" / "b.jpg").rename(bundle / "photos" / "a.jpg" / "b.jpg")
        summary, rejects = run_import(services, bundle)
        assert rejects == [] and summary.created == 1
    exported = export_documents(services, tmp_path / "out")
    assert len(exported) == 4
    for i, content in enumerate(pictures.values()):
        file = exported[f"R{i}"]["photos"][0]["file"]
        assert (tmp_path / "out" / file).read_bytes() == content, file
    assert exported["R0"]["photos"][0]["file"] == "photos/a.jpg"
    # Importing the export again finds every picture; only the moved names change.
    again, rejects = run_import(services, tmp_path / "out")
    assert rejects == [] and (again.unchanged, again.updated) == (1, 3)
