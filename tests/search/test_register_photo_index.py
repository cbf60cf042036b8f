"""The embedded photo index is built once and built again only when the register changes,
on every SQL backend."""

from pathlib import Path

from register import store
from search.photo_search import hash_query_image, search_photo
from search.register_photo_index import RegisterPhotoIndex
from tests.conftest import minimal_record, run_import, write_bundle
from tests.imaging.photo_corpus import encode, load, real_photos
from tests.search.test_photo_search import photo_bundle, query_file
from visor.services import Services


def test_built_once_and_again_only_after_a_change(services: Services, tmp_path: Path) -> None:
    run_import(services, photo_bundle(tmp_path / "bundle"))
    photos = RegisterPhotoIndex(services.engine)
    first = photos.index(include_archived=False)
    assert photos.index(include_archived=False) is first  # nothing changed: the same index
    assert len(first) == 4

    rocket = {"photos/E.jpg": encode(load(real_photos()["skimage/rocket.jpg"]))}
    added = [minimal_record("E", photos=[{"file": "photos/E.jpg", "kind": "face"}])]
    run_import(services, write_bundle(tmp_path / "more", added, photos=rocket))
    second = photos.index(include_archived=False)
    assert second is not first and len(second) == 5
    query = query_file(tmp_path, load(real_photos()["skimage/rocket.jpg"]).rotate(2))
    assert [c.reference for c in search_photo(second, hash_query_image(query))] == ["E"]

    with services.engine.begin() as connection:
        store.set_status(connection, "E", "archived", "test", "moved abroad")
    live = photos.index(include_archived=False)
    assert [c.reference for c in search_photo(live, hash_query_image(query))] == []
    everyone = photos.index(include_archived=True)
    assert [c.reference for c in search_photo(everyone, hash_query_image(query))] == ["E"]
    assert photos.index(include_archived=True) is everyone
