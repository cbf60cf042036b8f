"""The embedded search index follows the register through its outbox, on every backend."""

import dataclasses
import random
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Connection, delete, select

from benchmarks.devset import AS_OF, conformance_queries
from register import store, tables
from register.database import open_register
from register.model import NominalRecord, Status, from_document
from register.store import Incoming, write_records
from search.document import SearchDocument, search_document
from search.query import DescriptionQuery
from search.register_index import RegisterIndex
from search.scoring import prepare
from search.service import run_search
from search.statistics import RegisterStatistics
from search.vector_backend import VectorBackend
from tests.conftest import minimal_record, run_import, write_bundle
from visor.services import Services
from visor.synthetic import NominalGenerator


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


def test_searches_in_flight_share_one_refresh_after_a_change(
    services: Services, tmp_path: Path
) -> None:
    """A server's threads all see a change at once; one applies it, the others wait for it."""
    run_import(services, write_bundle(tmp_path / "a", [minimal_record("R1", build="slim")]))
    applying = threading.Event()
    release = threading.Event()
    lock = threading.Lock()
    counts = {"changes": 0, "at_once": 0, "most_at_once": 0}

    class SlowBackend(VectorBackend):
        def changed(
            self, documents: Iterable[SearchDocument], removed: Iterable[str] = ()
        ) -> VectorBackend:
            with lock:
                counts["changes"] += 1
                counts["at_once"] += 1
                counts["most_at_once"] = max(counts["most_at_once"], counts["at_once"])
            try:
                applying.set()
                release.wait(10)
                return super().changed(documents, removed)
            finally:
                with lock:
                    counts["at_once"] -= 1

    index = RegisterIndex(services.engine, build=SlowBackend)
    lines = [minimal_record("R1", build="slim"), minimal_record("R2", build="stocky")]
    run_import(services, write_bundle(tmp_path / "b", lines))
    results: list[bool] = []
    first = threading.Thread(target=lambda: results.append(index.refresh()))
    first.start()
    assert applying.wait(10)
    second = threading.Thread(target=lambda: results.append(index.refresh()))
    second.start()
    second.join(0.5)  # time to start applying it too, were it not made to wait
    assert index.backend.documents[-1].reference == "R1"  # searches meanwhile: the old one
    release.set()
    first.join(10)
    second.join(10)
    assert counts == {"changes": 1, "at_once": 0, "most_at_once": 1}
    assert sorted(results) == [False, True]
    assert top(index, DescriptionQuery(build="stocky"))[0] == "R2"


def heights(index: RegisterIndex) -> dict[str, int | None]:
    return {d.reference: d.height_cm for d in index.backend.documents}


def _height_record(reference: str, height: int) -> NominalRecord:
    return from_document(minimal_record(reference, height_cm=height))


@pytest.mark.postgres
def test_a_change_committed_out_of_id_order_reaches_the_index(postgres_url: str) -> None:
    # PostgreSQL hands out outbox ids at insert: T1 takes the lower id and commits after T2.
    # A refresh between the two commits sees T2's id, the highest, but not T1's change.
    engine = open_register(postgres_url)
    try:
        with engine.begin() as connection:
            write_records(
                connection,
                [Incoming(_height_record("X", 170)), Incoming(_height_record("Y", 180))],
                "t",
            )
        index = RegisterIndex(engine)
        slow = engine.connect()
        t1 = slow.begin()
        write_records(slow, [Incoming(_height_record("X", 199))], "slow")
        with engine.begin() as connection:
            write_records(connection, [Incoming(_height_record("Y", 141))], "fast")
        assert index.refresh() is True
        assert heights(index) == {"X": 170, "Y": 141}  # T1 has not committed
        t1.commit()
        slow.close()
        assert index.refresh() is True
        assert heights(index) == {"X": 199, "Y": 141}
        assert index.refresh() is False
    finally:
        engine.dispose()


def _same_statistics(ours: RegisterStatistics, fresh: RegisterStatistics) -> None:
    for field in dataclasses.fields(RegisterStatistics):
        if field.name in ("_expected", "_names"):  # caches, filled by searches
            continue
        mine, theirs = getattr(ours, field.name), getattr(fresh, field.name)
        if isinstance(theirs, np.ndarray):
            assert np.array_equal(mine, theirs), field.name
        else:
            assert mine == theirs, field.name


def _same_answers(ours: VectorBackend, queries: list[dict[str, Any]]) -> None:
    fresh = VectorBackend(ours.documents)
    _same_statistics(ours.statistics, fresh.statistics)
    assert sorted(d.reference for d in ours.documents) == sorted(
        d.reference for d in fresh.documents
    )
    for query in queries:
        mine = run_search(query, ours, 10, AS_OF)
        theirs = run_search(query, fresh, 10, AS_OF)
        assert mine.model_dump() == theirs.model_dump(), query


@pytest.fixture(scope="module")
def generated() -> list[dict[str, Any]]:
    return list(NominalGenerator(21).nominals(400))


@pytest.fixture(scope="module")
def queries(generated: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return conformance_queries(generated, 12, seed=5)


def _document(record: dict[str, Any], reference: str) -> SearchDocument:
    return search_document(from_document({**record, "reference": reference}))


def test_changes_applied_in_place_equal_a_fresh_build(
    generated: list[dict[str, Any]], queries: list[dict[str, Any]]
) -> None:
    """Creates, edits, status changes and removals, a few at a time and in any mix (a
    reference put twice, removed and put back), then the same answers as a fresh build."""
    rng = random.Random(7)
    references = [f"N{i}" for i in range(120)]
    backend = VectorBackend(_document(generated[i], r) for i, r in enumerate(references))
    present = set(references)
    for _ in range(40):
        put: list[SearchDocument] = []
        removed: list[str] = []
        for _ in range(rng.randint(1, 6)):
            choice = rng.random()
            reference = rng.choice(sorted(present)) if present else "N0"
            if choice < 0.25 or not present:
                reference = f"N{rng.randrange(400)}"  # new, or back after a removal
                put.append(_document(rng.choice(generated), reference))
            elif choice < 0.55:
                put.append(_document(rng.choice(generated), reference))
            elif choice < 0.75:
                document = next(d for d in backend.documents if d.reference == reference)
                status = "archived" if document.status == "live" else "live"
                put.append(dataclasses.replace(document, status=status))
            else:
                removed.append(reference)
        backend = backend.changed(put, removed)
        present = {d.reference for d in backend.documents}
        _same_answers(backend, queries[::4])
    _same_answers(backend, queries)


def _outbox_delete(connection: Connection, reference: str) -> None:
    """A nominal taken out of the register (as a restore from an older backup would), with
    the outbox row that tells the indexes."""
    n = tables.nominals
    nominal_id, version = connection.execute(
        select(n.c.id, n.c.version).where(n.c.reference == reference)
    ).one()
    connection.execute(
        delete(tables.nominal_versions).where(tables.nominal_versions.c.nominal_id == nominal_id)
    )
    connection.execute(delete(n).where(n.c.id == nominal_id))
    store.write_outbox(connection, [(nominal_id, reference, version + 1)], "delete", store.now())


def test_refreshes_in_place_equal_a_fresh_build_of_the_register(
    services: Services, generated: list[dict[str, Any]], queries: list[dict[str, Any]]
) -> None:
    engine = services.engine
    rng = random.Random(11)
    with engine.begin() as connection:
        write_records(
            connection,
            [
                Incoming(from_document({**g, "reference": f"N{i}"}))
                for i, g in enumerate(generated[:60])
            ],
            "t",
        )
    builds = []

    def counted(documents: Iterable[SearchDocument]) -> VectorBackend:
        builds.append(1)
        return VectorBackend(documents)

    index = RegisterIndex(engine, build=counted)
    present = {f"N{i}" for i in range(60)}
    created = 60
    for _ in range(8):
        with engine.begin() as connection:
            for _ in range(rng.randint(1, 5)):
                choice, reference = rng.random(), rng.choice(sorted(present))
                if choice < 0.3:
                    reference = f"N{created}"
                    created += 1
                    present.add(reference)
                    record = {**rng.choice(generated), "reference": reference}
                    write_records(connection, [Incoming(from_document(record))], "t")
                elif choice < 0.6:
                    record = {**rng.choice(generated), "reference": reference}
                    write_records(connection, [Incoming(from_document(record))], "t")
                elif choice < 0.85:
                    status = store.get_record(connection, reference).status
                    other: Status = "archived" if status == "live" else "live"
                    store.set_status(connection, reference, other, "officer", "a reason")
                else:
                    _outbox_delete(connection, reference)
                    present.discard(reference)
        assert index.refresh() is True
        assert {d.reference for d in index.backend.documents} == present
        fresh = RegisterIndex(engine).backend
        _same_statistics(index.statistics, fresh.statistics)
        for query in queries[::3]:
            mine = run_search(query, index.backend, 10, AS_OF).model_dump()
            assert mine == run_search(query, fresh, 10, AS_OF).model_dump(), query
    assert len(builds) == 1  # every change applied in place
    assert index.refresh() is False


@pytest.mark.postgres
def test_a_rolled_back_id_holds_nothing_back(postgres_url: str) -> None:
    # The cursor waits below the missing id (it might still commit), but changes past it are
    # applied as they come, each once.
    engine = open_register(postgres_url)
    try:
        with engine.begin() as connection:
            write_records(connection, [Incoming(_height_record("X", 170))], "t")
        index = RegisterIndex(engine)
        with engine.connect() as slow:
            t1 = slow.begin()
            write_records(slow, [Incoming(_height_record("X", 199))], "slow")
            with engine.begin() as connection:
                write_records(connection, [Incoming(_height_record("Y", 141))], "fast")
            t1.rollback()
        assert index.refresh() is True
        assert index.refresh() is False
        with engine.begin() as connection:
            write_records(connection, [Incoming(_height_record("Y", 150))], "later")
        assert index.refresh() is True
        assert heights(index) == {"X": 170, "Y": 150}
        assert index.position == 1  # below the id rolled back, until GAP_GRACE has passed
        assert index.refresh() is False
    finally:
        engine.dispose()


def test_motifs_past_the_bitmask_build_afresh(
    generated: list[dict[str, Any]], queries: list[dict[str, Any]]
) -> None:
    """Motif bits of marks since replaced are not reused in place: when they would overflow
    the 64-bit mask, the change builds a fresh backend, with the same answers."""
    documents = [_document(g, f"N{i}") for i, g in enumerate(generated[:50])]
    marked = next(i for i, d in enumerate(documents) if d.marks)

    def with_motifs(document: SearchDocument, prefix: str) -> SearchDocument:
        mark = dataclasses.replace(
            document.marks[0], motifs=frozenset(f"{prefix}{n}" for n in range(40))
        )
        return dataclasses.replace(document, marks=(mark,))

    documents[marked] = with_motifs(documents[marked], "old")
    backend = VectorBackend(documents)
    changed = backend.changed([with_motifs(documents[marked], "new")])
    assert len(changed._motif_ids) < len(backend._motif_ids) + 40  # built afresh
    _same_answers(changed, queries)
