"""The embedded search index follows the register through its outbox, on every backend."""

from pathlib import Path

from register import store
from search.query import DescriptionQuery
from search.register_index import RegisterIndex
from search.scoring import prepare
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
