"""Photo search over a register holding real photographs, on every SQL backend."""

import json
from pathlib import Path

from PIL import Image, ImageEnhance, ImageOps

from register import store
from register.photos import iter_photo_hashes
from search.photo_duplicates import near_duplicates
from search.photo_search import build_photo_index, hash_query_image, search_photo
from tests.cli_helpers import visor, visor_env
from tests.conftest import minimal_record, run_import, write_bundle
from tests.imaging.photo_corpus import encode, load, real_photos
from visor.services import Services

PHOTOS = {
    "A": "skimage/astronaut.png",
    "B": "skimage/coffee.png",
    "C": "sklearn/china.jpg",
    "D": "skimage/astronaut.png",  # the same picture filed on a second nominal
}


def photo_bundle(folder: Path) -> Path:
    lines, files = [], {}
    for reference, name in PHOTOS.items():
        file = f"photos/{reference}.png"
        files[file] = (
            real_photos()[name] if name.endswith(".png") else encode(load(real_photos()[name]))
        )
        lines.append(minimal_record(reference, photos=[{"file": file, "kind": "face"}]))
    return write_bundle(folder, lines, photos=files)


def query_file(folder: Path, image: Image.Image) -> Path:
    path = folder / f"query-{len(list(folder.glob('query-*')))}.jpg"
    path.write_bytes(encode(image, quality=60))
    return path


def test_a_transformed_copy_finds_its_nominal_first(services: Services, tmp_path: Path) -> None:
    run_import(services, photo_bundle(tmp_path / "bundle"))
    with services.engine.connect() as connection:
        index = build_photo_index(iter_photo_hashes(connection))
    coffee = load(real_photos()["skimage/coffee.png"])
    edited = ImageOps.expand(ImageEnhance.Brightness(ImageOps.mirror(coffee)).enhance(1.15), 20)
    candidates = search_photo(index, hash_query_image(query_file(tmp_path, edited)))
    assert [c.reference for c in candidates] == ["B"]
    assert candidates[0].kind == "face" and candidates[0].distance <= 26

    astronaut = load(real_photos()["skimage/astronaut.png"]).resize((300, 300))
    both = search_photo(index, hash_query_image(query_file(tmp_path, astronaut)))
    assert sorted(c.reference for c in both) == ["A", "D"]


def test_an_unrelated_photo_gets_no_candidates(services: Services, tmp_path: Path) -> None:
    run_import(services, photo_bundle(tmp_path / "bundle"))
    with services.engine.connect() as connection:
        index = build_photo_index(iter_photo_hashes(connection))
    for name in ("skimage/rocket.jpg", "sklearn/flower.jpg", "skimage/camera.png"):
        query = query_file(tmp_path, load(real_photos()[name]))
        assert search_photo(index, hash_query_image(query)) == [], name


def test_archived_nominals_are_left_out_unless_asked(services: Services, tmp_path: Path) -> None:
    run_import(services, photo_bundle(tmp_path / "bundle"))
    with services.engine.begin() as connection:
        store.set_status(connection, "B", "archived", "officer", "deceased")
    query = hash_query_image(query_file(tmp_path, load(real_photos()["skimage/coffee.png"])))
    with services.engine.connect() as connection:
        live_only = build_photo_index(iter_photo_hashes(connection))
        everything = build_photo_index(iter_photo_hashes(connection), include_archived=True)
    assert search_photo(live_only, query) == []
    assert [c.reference for c in search_photo(everything, query)] == ["B"]


def test_the_same_picture_on_two_nominals_is_a_near_duplicate(
    services: Services, tmp_path: Path
) -> None:
    run_import(services, photo_bundle(tmp_path / "bundle"))
    with services.engine.connect() as connection:
        index = build_photo_index(iter_photo_hashes(connection))
    duplicates = near_duplicates(index)
    assert [(d.first.reference, d.second.reference, d.distance) for d in duplicates] == [
        ("A", "D", 0)
    ]


def test_search_photo_cli_answers_one_json_line_per_image_in_order(tmp_path: Path) -> None:
    env = visor_env(tmp_path / "home")
    assert (
        visor("import", str(photo_bundle(tmp_path / "bundle")), env=env, cwd=tmp_path).returncode
        == 0
    )
    coffee = query_file(tmp_path, load(real_photos()["skimage/coffee.png"]).rotate(2))
    rocket = query_file(tmp_path, load(real_photos()["skimage/rocket.jpg"]))
    text = tmp_path / "notes.jpg"
    text.write_text("not a photo")
    result = visor(
        "search-photo",
        str(coffee),
        str(rocket),
        str(text),
        "--top",
        "5",
        "--json",
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 2  # one image could not be searched
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["image"] for a in answers] == [str(coffee), str(rocket), str(text)]
    assert [c["reference"] for c in answers[0]["candidates"]] == ["B"]
    found = answers[0]["candidates"][0]
    assert set(found) == {
        "reference",
        "distance",
        "photo_sha256",
        "kind",
        "likeness",
        "agreeing_points",
        "confidence",
    }
    assert found["likeness"] == "copy" and found["confidence"] > 0.99
    assert answers[1]["candidates"] == []
    assert "not a JPEG, PNG or WebP" in answers[2]["error"]


def test_blank_photos_are_not_indexed_and_match_nothing(services: Services, tmp_path: Path) -> None:
    blank = encode(Image.new("RGB", (200, 250), (0, 0, 0)))
    grey = encode(Image.new("RGB", (300, 200), (128, 128, 128)))
    lines = [
        minimal_record("X1", photos=[{"file": "photos/blank.jpg", "kind": "face"}]),
        minimal_record("X2", photos=[{"file": "photos/grey.jpg", "kind": "face"}]),
    ]
    run_import(
        services,
        write_bundle(
            tmp_path / "b", lines, photos={"photos/blank.jpg": blank, "photos/grey.jpg": grey}
        ),
    )
    with services.engine.connect() as connection:
        index = build_photo_index(iter_photo_hashes(connection))
    assert len(index) == 0 and near_duplicates(index) == []
    query = query_file(tmp_path, Image.new("RGB", (100, 100), (5, 5, 5)))
    assert search_photo(index, hash_query_image(query)) == []


def test_one_picture_twice_on_a_nominal_is_one_duplicate_pair(
    services: Services, tmp_path: Path
) -> None:
    picture = real_photos()["skimage/astronaut.png"]
    twice = [{"file": "photos/a.png", "kind": "face"}, {"file": "photos/a.png", "kind": "other"}]
    lines = [
        minimal_record("A", photos=twice),
        minimal_record("B", photos=[{"file": "photos/a.png", "kind": "face"}]),
    ]
    run_import(services, write_bundle(tmp_path / "b", lines, photos={"photos/a.png": picture}))
    with services.engine.connect() as connection:
        index = build_photo_index(iter_photo_hashes(connection))
    pairs = near_duplicates(index)
    assert [(p.first.reference, p.second.reference, p.distance) for p in pairs] == [("A", "B", 0)]


def test_the_same_content_as_face_and_other_in_one_batch_keeps_its_faces(
    services: Services, tmp_path: Path
) -> None:
    from sqlalchemy import select

    from register import tables

    picture = real_photos()["skimage/astronaut.png"]
    lines = [
        minimal_record("A", photos=[{"file": "photos/a.png", "kind": "face"}]),
        minimal_record("B", photos=[{"file": "photos/a.png", "kind": "other"}]),
    ]
    run_import(services, write_bundle(tmp_path / "b", lines, photos={"photos/a.png": picture}))
    with services.engine.connect() as connection:
        assert connection.scalar(select(tables.photo_analyses.c.face_count)) == 1


def test_hashes_of_an_older_analysis_version_are_left_out(
    services: Services, tmp_path: Path
) -> None:
    from sqlalchemy import update

    from register import tables

    run_import(services, photo_bundle(tmp_path / "bundle"))
    with services.engine.begin() as connection:
        connection.execute(update(tables.photo_analyses).values(analysis_version=0))
    with services.engine.connect() as connection:
        assert list(iter_photo_hashes(connection)) == []


def test_hashes_of_an_older_version_with_todays_hashes_are_searched(
    services: Services, tmp_path: Path
) -> None:
    # Version 3 changed face finding only: photos analysed at 2 stay searchable.
    from sqlalchemy import update

    from imaging.analysis import HASHES_SINCE_VERSION
    from register import tables

    run_import(services, photo_bundle(tmp_path / "bundle"))
    with services.engine.connect() as connection:
        current = list(iter_photo_hashes(connection))
    with services.engine.begin() as connection:
        update_older = update(tables.photo_analyses).values(analysis_version=HASHES_SINCE_VERSION)
        connection.execute(update_older)
    with services.engine.connect() as connection:
        assert current and list(iter_photo_hashes(connection)) == current
