"""The embedded search index follows the register through its outbox, on every backend."""

import threading
from collections.abc import Iterable
from pathlib import Path

from register import store
from search.document import SearchDocument
from search.query import DescriptionQuery
from search.register_index import RegisterIndex
from search.scoring import prepare
from search.vector_backend import VectorBackend
from tests.conftest import minimal_record, run_import, write_bundle
from visor.services import Services


def top(index: RegisterIndex, query: DescriptionQuery) -> list[str]:
    return [s.reference for s in index.backend.search(prepare(query), 5)]


def test_changes_in_the_register_reach_the_index_on_refresh(
    services: Services, tmp_path: Path
) -> None:
    run_import(services, write_bundle(tmp_path / "a", [minimal_record("R1", build="slim")]))
    index = RegisterIndex(services.engine)
    assert index.refresh() is False  # nothing new: no rebuild

    lines = [
        minimal_record("R1", build="slim"),
        minimal_record("R2", build="stocky", hair_colour="ginger"),
    ]
    run_import(services, write_bundle(tmp_path / "b", lines))
    query = DescriptionQuery(build="stocky", hair_colour="ginger")
    assert "R2" not in top(index, query)
    assert index.refresh() is True
    assert top(index, query)[0] == "R2"

    with services.engine.begin() as connection:
        store.set_status(connection, "R2", "archived", "officer", "deceased")
    assert index.refresh() is True
    assert "R2" not in top(index, query)  # archived: filtered out by default


def test_searches_in_flight_share_one_rebuild_after_a_change(
    services: Services, tmp_path: Path
) -> None:
    """A server's threads all see a change at once; one rebuilds, the others wait for it."""
    run_import(services, write_bundle(tmp_path / "a", [minimal_record("R1", build="slim")]))
    building = threading.Event()
    release = threading.Event()
    lock = threading.Lock()
    counts = {"builds": 0, "at_once": 0, "most_at_once": 0}

    def slow_build(documents: Iterable[SearchDocument]) -> VectorBackend:
        with lock:
            counts["builds"] += 1
            counts["at_once"] += 1
            counts["most_at_once"] = max(counts["most_at_once"], counts["at_once"])
            first_rebuild = counts["builds"] == 2
        try:
            if first_rebuild:
                building.set()
                release.wait(10)
            return VectorBackend(documents)
        finally:
            with lock:
                counts["at_once"] -= 1

    index = RegisterIndex(services.engine, build=slow_build)
    lines = [minimal_record("R1", build="slim"), minimal_record("R2", build="stocky")]
    run_import(services, write_bundle(tmp_path / "b", lines))
    results: list[bool] = []
    first = threading.Thread(target=lambda: results.append(index.refresh()))
    first.start()
    assert building.wait(10)
    second = threading.Thread(target=lambda: results.append(index.refresh()))
    second.start()
    second.join(0.5)  # time to start a rebuild of its own, were it not made to wait
    release.set()
    first.join(10)
    second.join(10)
    assert counts == {"builds": 2, "at_once": 0, "most_at_once": 1}
    assert sorted(results) == [False, True]
    assert top(index, DescriptionQuery(build="stocky"))[0] == "R2"
