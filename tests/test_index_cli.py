"""`visor index ...` and searching through OpenSearch from the command line, end to end:
the answers through the cluster equal the embedded backend's."""

import json
from pathlib import Path

import pytest

from search.opensearch_connection import IndexNames
from tests.cli_helpers import visor, visor_env
from tests.imaging.photo_corpus import load, real_photos
from tests.search.test_photo_search import photo_bundle, query_file
from visor.synthetic import write_bundle

pytestmark = pytest.mark.opensearch

DEAD_URL = "http://127.0.0.1:9"  # the discard port: nothing listens


def test_index_commands_and_searches_through_the_cluster(
    tmp_path: Path, opensearch_url: str, opensearch_names: IndexNames
) -> None:
    embedded = visor_env(tmp_path / "home")
    clustered = visor_env(
        tmp_path / "home",
        VISOR_OPENSEARCH_URL=opensearch_url,
        VISOR_OPENSEARCH_INDEX_PREFIX=opensearch_names.prefix,
    )
    bundle = write_bundle(tmp_path / "bundle", 300, seed=3)
    assert visor("import", str(bundle), env=clustered, cwd=tmp_path).returncode == 0

    built = visor("index", "rebuild", "--json", env=clustered, cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    assert json.loads(built.stdout)["nominals"] == 300

    photos = photo_bundle(tmp_path / "photos")
    assert visor("import", str(photos), env=clustered, cwd=tmp_path).returncode == 0
    pending = json.loads(visor("index", "status", "--json", env=clustered, cwd=tmp_path).stdout)
    assert pending["pending_events"] > 0
    synced = visor("index", "sync", "--json", env=clustered, cwd=tmp_path)
    assert json.loads(synced.stdout)["events"] == pending["pending_events"]
    report = json.loads(visor("index", "status", "--json", env=clustered, cwd=tmp_path).stdout)
    assert report["pending_events"] == 0
    assert report["documents"] == report["nominals_in_register"]
    check = visor("index", "reconcile", "--dry-run", "--json", env=clustered, cwd=tmp_path)
    assert check.returncode == 0 and json.loads(check.stdout)["total"] == 0

    text = "white man about 30, stocky, tattoo of a snake on his left arm, offered a lift"
    answers = {
        name: visor(
            "search", "--text", text, "--json", "--as-of", "2026-01-01", env=env, cwd=tmp_path
        )
        for name, env in (("embedded", embedded), ("cluster", clustered))
    }
    assert answers["cluster"].returncode == 0, answers["cluster"].stderr
    cluster, alone = json.loads(answers["cluster"].stdout), json.loads(answers["embedded"].stdout)
    # The cluster scores only its K candidates (150 of these 300), so its tie counts are lower
    # bounds and say so; the ranking and the evidence are the embedded backend's.
    assert [without_tie_counts(c) for c in cluster["candidates"]] == [
        without_tie_counts(c) for c in alone["candidates"]
    ]
    for near, far in zip(cluster["candidates"], alone["candidates"], strict=True):
        assert near["as_high"] <= far["as_high"] and not near["as_high_exact"]
    # With K covering the register the whole answer is the same, counts and all.
    everyone = {**clustered, "VISOR_OPENSEARCH_CANDIDATES": "1000"}
    whole = visor(
        "search", "--text", text, "--json", "--as-of", "2026-01-01", env=everyone, cwd=tmp_path
    )
    assert json.loads(whole.stdout) == alone

    coffee = query_file(tmp_path, load(real_photos()["skimage/coffee.png"]).rotate(2))
    by_photo = {
        name: visor("search-photo", str(coffee), "--json", env=env, cwd=tmp_path)
        for name, env in (("embedded", embedded), ("cluster", clustered))
    }
    assert json.loads(by_photo["cluster"].stdout) == json.loads(by_photo["embedded"].stdout)
    assert [c["reference"] for c in json.loads(by_photo["cluster"].stdout)["candidates"]] == ["B"]


def without_tie_counts(candidate: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in candidate.items() if k not in ("as_high", "as_high_exact")}


def test_search_says_unavailable_or_falls_back_when_the_cluster_is_down(tmp_path: Path) -> None:
    down = visor_env(tmp_path / "home", VISOR_OPENSEARCH_URL=DEAD_URL)
    bundle = write_bundle(tmp_path / "bundle", 50, seed=3)
    assert visor("import", str(bundle), env=down, cwd=tmp_path).returncode == 0  # unaffected

    failed = visor("search", "--text", "stocky man", env=down, cwd=tmp_path)
    assert failed.returncode == 4
    assert "search unavailable" in failed.stderr

    fallback = {**down, "VISOR_SEARCH_FALLBACK": "true"}
    answered = visor("search", "--text", "stocky man", "--json", env=fallback, cwd=tmp_path)
    assert answered.returncode == 0
    assert len(json.loads(answered.stdout)["candidates"]) == 10

    index = visor("index", "sync", env=down, cwd=tmp_path)
    assert index.returncode == 4 and "search unavailable" in index.stderr


def test_index_commands_need_a_cluster(tmp_path: Path) -> None:
    result = visor("index", "status", env=visor_env(tmp_path / "home"), cwd=tmp_path)
    assert result.returncode == 2
    assert "VISOR_OPENSEARCH_URL" in result.stderr
