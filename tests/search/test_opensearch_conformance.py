"""The OpenSearch backend against the memory backend on the same register: the same
statistics, the same top 10 for the development query set (>= 99% of queries, the figure
is printed) from the two-stage candidate query, a first stage that keeps the exact top 10
in a window far narrower than the default one, and the same photo matches. Against a real
node."""

import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from opensearchpy import OpenSearch
from PIL import ImageOps

from benchmarks.devset import AS_OF, conformance_queries
from imaging.decode import decode_photo
from imaging.hashes import compute_hashes
from indexer.lifecycle import ensure_templates
from indexer.sync import rebuild
from register.database import snapshot
from register.photos import iter_photo_hashes
from register.store import iter_records
from search.memory_backend import CandidateBackend
from search.opensearch_backend import OpenSearchBackend
from search.opensearch_connection import IndexNames, connect
from search.opensearch_index import current_index
from search.opensearch_photos import search_photo_opensearch
from search.opensearch_query import FIRST_STAGE_WINDOW
from search.opensearch_statistics import load_statistics
from search.parse import merge_parsed
from search.photo_search import build_photo_index, search_photo
from search.query import parse_query_document
from search.register_index import RegisterIndex
from search.scoring import Score, prepare
from search.service import run_search
from tests.conftest import run_import
from visor.services import Services, build_services
from visor.settings import Settings
from visor.synthetic import write_bundle

pytestmark = pytest.mark.opensearch

SIZE = 3000


@dataclass
class Deployment:
    services: Services
    client: OpenSearch
    names: IndexNames
    memory: CandidateBackend
    opensearch: OpenSearchBackend
    bundle: Path


@pytest.fixture(scope="module")
def deployment(
    opensearch_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployment]:
    root = tmp_path_factory.mktemp("conformance")
    services = build_services(Settings(home=root / "home"))
    bundle = write_bundle(root / "bundle", SIZE, seed=11, photo_fraction=0.01, as_of=AS_OF)
    _summary, rejects = run_import(services, bundle)
    assert not rejects
    names = IndexNames(f"conformance-{random.randrange(1 << 30):x}")
    client = connect(opensearch_url)
    ensure_templates(client, names)
    rebuild(client, services.engine, names)
    memory = RegisterIndex(services.engine).backend
    yield Deployment(services, client, names, memory, OpenSearchBackend(client, names), bundle)
    client.indices.delete(index=f"{names.prefix}-*", ignore_unavailable=True)
    client.close()
    services.close()


def test_statistics_gathered_by_aggregations_equal_the_memory_backends(
    deployment: Deployment,
) -> None:
    gathered = load_statistics(
        deployment.client, current_index(deployment.client, deployment.names)
    )
    expected = deployment.memory.statistics
    assert gathered.count == expected.count == SIZE
    for field in (
        "shares",
        "surnames",
        "forenames",
        "mark_types",
        "motifs",
        "regions",
        "mo_document_frequency",
    ):
        assert getattr(gathered, field) == getattr(expected, field), field
    assert gathered.birth_days.tolist() == expected.birth_days.tolist()
    assert gathered.heights.tolist() == expected.heights.tolist()


@pytest.fixture(scope="module")
def expected(deployment: Deployment) -> list[tuple[dict[str, Any], list[Score]]]:
    """The development queries with the memory backend's (exhaustive, exact) top 10."""
    with snapshot(deployment.services.engine) as connection:
        records = [
            r.model_dump(mode="json", by_alias=True, exclude_none=True)
            for r in iter_records(connection)
        ]
    return [
        (document, run_search(document, deployment.memory, 10, AS_OF).candidates)
        for document in conformance_queries(records, 250, seed=5)
    ]


def test_top_ten_equals_the_memory_backends(
    deployment: Deployment, expected: list[tuple[dict[str, Any], list[Score]]]
) -> None:
    differ = []
    two_stage = 0
    for document, exact in expected:
        found = run_search(document, deployment.opensearch, 10, AS_OF).candidates
        if [(s.reference, s.score) for s in found] != [(s.reference, s.score) for s in exact]:
            differ.append(document)
        two_stage += len(_first_stage(deployment, document, FIRST_STAGE_WINDOW)) == (
            FIRST_STAGE_WINDOW
        )
    agreement = 1 - len(differ) / len(expected)
    print(
        f"\nOpenSearch top 10 == memory top 10 for {agreement:.2%} of {len(expected)} queries"
        f" ({two_stage} through the two stages, the rest through the single one)"
    )
    assert agreement >= 0.99, differ[:3]
    # The register is big enough that the two-stage path is the one held to the memory
    # backend, not the single-stage fallback (taken with a filter that leaves few).
    assert two_stage >= 0.9 * len(expected)


# A tenth of the default window, on a register 1/33 of the benchmark's smaller one: its
# recall of the exact top 10 guards the first stage's ranking (measured 0.996 on these 505
# queries; a window of 60 keeps 0.979, of 150 0.999).
NARROW_WINDOW = 100


def _first_stage(deployment: Deployment, document: dict[str, Any], window: int) -> list[str]:
    merged, _ = merge_parsed(
        parse_query_document(document), deployment.opensearch.statistics.shares.get("town", {})
    )
    return deployment.opensearch.first_stage(prepare(merged, AS_OF), window)


def test_a_narrow_first_stage_keeps_the_exact_top_ten(
    deployment: Deployment, expected: list[tuple[dict[str, Any], list[Score]]]
) -> None:
    recall = 0.0
    for document, exact in expected:
        truth = {s.reference for s in exact}
        kept = set(_first_stage(deployment, document, NARROW_WINDOW))
        recall += len(truth & kept) / max(len(truth), 1)
    recall /= len(expected)
    print(f"\nfirst stage, window {NARROW_WINDOW}: recall of the exact top 10 {recall:.4f}")
    assert recall >= 0.99


def test_a_mappa_level_filter_answers_as_the_memory_backend(deployment: Deployment) -> None:
    with snapshot(deployment.services.engine) as connection:
        levels = {r.reference: r.mappa_level for r in iter_records(connection)}
    for query in (
        {"sex": "M", "build": "stocky", "filters": {"mappa_level": [3]}},
        {"text": "tall woman", "filters": {"status": "any", "mappa_level": [1, 2]}},
    ):
        expected = run_search(query, deployment.memory, 20, AS_OF).candidates
        found = run_search(query, deployment.opensearch, 20, AS_OF).candidates
        assert found, query
        assert [(s.reference, s.score) for s in found] == [(s.reference, s.score) for s in expected]
        allowed = set(query["filters"]["mappa_level"])  # type: ignore[index]
        assert {levels[s.reference] for s in found} <= allowed


def test_photo_search_returns_the_same_matches(deployment: Deployment) -> None:
    with snapshot(deployment.services.engine) as connection:
        rows = list(iter_photo_hashes(connection))
    assert len(rows) >= 10
    index = build_photo_index(rows)
    alias = deployment.names.alias
    photos = sorted((deployment.bundle / "photos").iterdir())
    matched = 0
    for path in photos:
        image = decode_photo(path).image
        # The photo itself, and a smaller, recompressed and mirrored copy (a new distance).
        for query in (image, ImageOps.mirror(image.resize((image.width // 2, image.height // 2)))):
            hashes = compute_hashes(query)
            expected = search_photo(index, hashes, top=50)
            found = search_photo_opensearch(deployment.client, alias, hashes, top=50)
            assert found == expected, path.name
            matched += bool(expected)
    # Blank or uniform pictures are not indexed; every other photo finds its nominal.
    assert matched >= len(photos)
