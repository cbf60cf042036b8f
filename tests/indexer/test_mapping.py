"""Every field of the nominal mapping against a real node: each one indexed from a full
record is searchable as intended (keywords, nested marks and names, analyzers, numbers,
dates, photo chunks), the strict mapping refuses what it does not know, and the stored
search document comes back whole."""

from collections.abc import Iterator
from typing import Any

import pytest
from opensearchpy import OpenSearch

from imaging.hashes import to_unsigned
from indexer.bulk import IndexingFailed, write_actions
from indexer.mapping import index_body
from indexer.opensearch_source import index_source
from register.indexing import IndexableNominal
from register.model import from_document
from register.photos import PhotoHashRow
from search.document import document_from_json, search_document
from search.names import sound_key
from search.opensearch_connection import connect
from search.photo_index import chunk_terms

pytestmark = pytest.mark.opensearch

RECORD: dict[str, Any] = {
    "reference": "FULL1",
    "status": "live",
    "mappa_category": 2,
    "mappa_level": 1,
    "managing_agency": "WYP",
    "names": [
        {"forename": "David John", "middle_names": "Paul", "surname": "Smith", "kind": "primary"},
        {"forename": "Dai", "surname": "Jones-Smith", "kind": "alias"},
    ],
    "dates_of_birth": ["1990-05-17", "1991-05-17"],
    "sex": "M",
    "ethnic_appearance": "IC1",
    "height_cm": 180,
    "build": "stocky",
    "hair_colour": "ginger",
    "hair_length": "short",
    "facial_hair": "beard",
    "eye_colour": "blue",
    "accent": "Geordie",
    "behavioural_traits": ["Polite and plausible, offers help"],
    "marks": [
        {
            "type": "tattoo",
            "location": "left forearm",
            "description": "coiled snake with a dagger",
            "tattoo_class": "ANIMAL",
        },
        {"type": "scar", "location": "chin", "description": "small vertical scar"},
    ],
    "modus_operandi": [{"text": "Offered lifts to girls waiting near parks"}],
    "addresses": [{"town": "Leeds", "postcode": "LS6 2AB"}],
    "wanted_missing": True,
}
PHOTO = PhotoHashRow(
    "FULL1",
    "live",
    "a" * 64,
    "face",
    40.0,
    0x1234_5678_9ABC_DEF0,
    0x0FED_CBA9_8765_4321,
    0xFFFF_0000_FFFF_0000,
    0x0000_FFFF_0000_FFFF,
)


@pytest.fixture(scope="module")
def indexed(opensearch_url: str) -> Iterator[tuple[OpenSearch, str]]:
    client = connect(opensearch_url)
    index = "test-mapping-fields"
    client.indices.delete(index=index, ignore_unavailable=True)
    client.indices.create(index=index, body=index_body())
    nominal = IndexableNominal(from_document(RECORD), 3, (PHOTO,))
    client.index(index=index, id="FULL1", body=index_source(nominal), refresh="true")
    other = IndexableNominal(
        from_document({"reference": "BARE", "names": [{"surname": "Other"}], "sex": "F"}), 1, ()
    )
    client.index(index=index, id="BARE", body=index_source(other), refresh="true")
    yield client, index
    client.indices.delete(index=index)
    client.close()


def _leaf_fields(properties: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, str | None]]:
    """(field path, nested path or None) of every searchable field, subfields included."""
    for name, spec in properties.items():
        path = f"{prefix}{name}"
        if spec.get("enabled") is False:
            continue
        if "properties" in spec:
            for leaf, _ in _leaf_fields(spec["properties"], f"{path}."):
                yield leaf, path if spec.get("type") == "nested" else None
            continue
        yield path, None
        for sub in spec.get("fields", {}):
            yield f"{path}.{sub}", None


def _find(client: OpenSearch, index: str, query: dict[str, Any]) -> list[str]:
    found = client.search(index=index, body={"query": query, "_source": False})
    return sorted(hit["_id"] for hit in found["hits"]["hits"])


def _nested_path(field: str) -> str | None:
    head = field.split(".")[0]
    return head if head in ("names", "marks", "photos") else None


def test_every_field_is_filled_and_searchable(indexed: tuple[OpenSearch, str]) -> None:
    client, index = indexed
    fields = list(_leaf_fields(index_body()["mappings"]["properties"]))
    assert len(fields) > 40
    for field, _ in fields:
        query: dict[str, Any] = {"exists": {"field": field}}
        if path := _nested_path(field):
            query = {"nested": {"path": path, "query": query}}
        assert "FULL1" in _find(client, index, query), field


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"term": {"status": "live"}}, ["BARE", "FULL1"]),
        ({"term": {"build": "stocky"}}, ["FULL1"]),
        ({"term": {"ethnic_appearance": "IC1"}}, ["FULL1"]),
        ({"terms": {"mappa_category": [2, 3]}}, ["FULL1"]),
        ({"terms": {"mappa_level": [1]}}, ["FULL1"]),
        ({"term": {"managing_agency": "WYP"}}, ["FULL1"]),
        ({"term": {"wanted_missing": True}}, ["FULL1"]),
        ({"range": {"height_cm": {"gte": 175, "lte": 185}}}, ["FULL1"]),
        ({"range": {"dates_of_birth": {"gt": "1991-01-01", "lte": "1991-12-31"}}}, ["FULL1"]),
        ({"term": {"towns": "leeds"}}, ["FULL1"]),
        ({"term": {"postcode_districts": "LS6"}}, ["FULL1"]),
        ({"term": {"mo_terms": "lift"}}, ["FULL1"]),  # as score() reads it: "lifts" stemmed
        ({"match": {"modus_operandi": "offering a lift"}}, ["FULL1"]),  # English stemming
        ({"match": {"behavioural_traits": "violent"}}, []),
        ({"match": {"behavioural_traits": "offering help"}}, ["FULL1"]),
        ({"term": {"surnames": "jones smith"}}, ["FULL1"]),
        ({"term": {"motifs": "snake"}}, ["FULL1"]),
        ({"term": {"mark_types": "scar"}}, ["FULL1"]),
    ],
)
def test_top_level_fields(
    indexed: tuple[OpenSearch, str], query: dict[str, Any], expected: list[str]
) -> None:
    client, index = indexed
    assert _find(client, index, query) == expected


@pytest.mark.parametrize(
    ("path", "query", "expected"),
    [
        ("names", {"term": {"names.forename_first": "david"}}, ["FULL1"]),
        ("names", {"term": {"names.surname_words": "jones"}}, ["FULL1"]),
        ("names", {"term": {"names.surname.edge": "smit"}}, ["FULL1"]),  # edge n-grams
        ("names", {"term": {"names.forename_first.edge": "davi"}}, ["FULL1"]),
        ("names", {"term": {"names.surname_sound": sound_key("smyth")}}, ["FULL1"]),
        ("names", {"term": {"names.forename_sound": sound_key("daved")}}, ["FULL1"]),
        ("names", {"fuzzy": {"names.surname_words": {"value": "smiht"}}}, ["FULL1"]),
        (
            "names",  # one name's forename with another name's surname is not a name
            {
                "bool": {
                    "filter": [
                        {"term": {"names.forename_first": "dai"}},
                        {"term": {"names.surname": "smith"}},
                    ]
                }
            },
            [],
        ),
        ("marks", {"term": {"marks.region_path": "arm"}}, ["FULL1"]),  # forearm is in the arm
        (
            "marks",
            {
                "bool": {
                    "filter": [
                        {"term": {"marks.region": "forearm"}},
                        {"term": {"marks.side": "left"}},
                    ]
                }
            },
            ["FULL1"],
        ),
        ("marks", {"match": {"marks.description": "serpent"}}, ["FULL1"]),  # synonyms
        ("marks", {"term": {"marks.tattoo_class": "ANIMAL"}}, ["FULL1"]),
        (
            "marks",
            {
                "bool": {
                    "filter": [
                        {"term": {"marks.type": "scar"}},
                        {"term": {"marks.motifs": "snake"}},
                    ]
                }
            },
            [],
        ),
        (
            "photos",
            {"term": {"photos.chunks": chunk_terms(PHOTO.phash, PHOTO.dhash)[3]}},
            ["FULL1"],
        ),
        ("photos", {"term": {"photos.sha256": "a" * 64}}, ["FULL1"]),
    ],
)
def test_nested_fields(
    indexed: tuple[OpenSearch, str], path: str, query: dict[str, Any], expected: list[str]
) -> None:
    client, index = indexed
    assert _find(client, index, {"nested": {"path": path, "query": query}}) == expected


def test_the_search_document_comes_back_whole(indexed: tuple[OpenSearch, str]) -> None:
    client, index = indexed
    stored = client.get(index=index, id="FULL1")["_source"]
    assert document_from_json(stored["search_document"]) == search_document(from_document(RECORD))
    assert [to_unsigned(stored["photos"][0][k]) for k in ("phash", "dhash")] == [
        PHOTO.phash,
        PHOTO.dhash,
    ]


def test_the_mapping_is_strict(indexed: tuple[OpenSearch, str]) -> None:
    client, index = indexed
    action = {"_index": index, "_id": "X", "_source": {"reference": "X", "nickname": "Dodgy"}}
    with pytest.raises(IndexingFailed, match="strict_dynamic_mapping_exception"):
        write_actions(client, [action])
