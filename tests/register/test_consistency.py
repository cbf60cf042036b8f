"""The register's consistency check (register/consistency.py) and `visor check`: a whole
register passes; each kind of half-written record is found and named."""

import json
from pathlib import Path

from sqlalchemy import create_engine, delete, select, update

from register import tables
from register.consistency import check_register
from register.database import snapshot
from tests.cli_helpers import visor, visor_env
from tests.conftest import image_bytes, minimal_record, run_import, write_bundle
from visor.services import Services


def _import(services: Services, tmp_path: Path) -> None:
    records = [
        minimal_record("K1", photos=[{"file": "photos/k1.png", "kind": "face"}]),
        minimal_record("K2", names=[{"surname": "Jones"}, {"surname": "Brown", "kind": "alias"}]),
    ]
    bundle = write_bundle(tmp_path / "bundle", records, {"photos/k1.png": image_bytes()})
    summary, rejects = run_import(services, bundle)
    assert (summary.created, rejects) == (2, [])


def _problems(services: Services) -> list[str]:
    with snapshot(services.engine) as connection:
        report = check_register(connection, services.blob_store, services.document_store)
    assert report.problem_count == len(report.problems)
    return report.problems


def test_a_whole_register_passes(services: Services, tmp_path: Path) -> None:
    _import(services, tmp_path)
    with snapshot(services.engine) as connection:
        report = check_register(connection, services.blob_store, services.document_store)
    assert report.consistent, report.problems
    assert (report.nominals, report.versions, report.photos) == (2, 2, 1)


def test_each_half_written_record_is_named(services: Services, tmp_path: Path) -> None:
    _import(services, tmp_path)
    k2 = select(tables.nominals.c.id).where(tables.nominals.c.reference == "K2")
    with services.engine.begin() as connection:
        # A nominal without one of its children, and without its outbox row.
        connection.execute(
            delete(tables.names).where(
                tables.names.c.nominal_id == k2.scalar_subquery(), tables.names.c.position == 1
            )
        )
        connection.execute(delete(tables.outbox).where(tables.outbox.c.reference == "K2"))
        # A nominal whose version moved without a version row.
        connection.execute(
            update(tables.nominals).where(tables.nominals.c.reference == "K1").values(version=2)
        )
        sha256 = str(connection.scalar(select(tables.photos.c.sha256)))
    services.blob_store.path_for(sha256).unlink()  # a photo row without its file
    problems = _problems(services)
    assert "K2: the stored record is not its newest version's" in problems
    assert "K2 version 1: no outbox row (the index misses it)" in problems
    assert "K1: at version 2 but its history holds 1 version(s), 1..1" in problems
    assert any(p.startswith(f"K1: photo {sha256}: the file is missing") for p in problems)
    assert len(problems) == 4


def test_visor_check_says_whole_or_names_the_problem(tmp_path: Path) -> None:
    env = visor_env(tmp_path / "home")
    bundle = write_bundle(tmp_path / "bundle", [minimal_record("K1")])
    assert visor("import", str(bundle), env=env, cwd=tmp_path).returncode == 0
    whole = visor("check", env=env, cwd=tmp_path)
    assert whole.returncode == 0, whole.stderr
    assert "1 nominals, 1 versions, 0 photos, 0 documents: whole" in whole.stdout
    assert "audit trail: 2 entries, intact" in whole.stdout
    engine = create_engine(f"sqlite:///{tmp_path / 'home' / 'visor.db'}")
    with engine.begin() as connection:
        connection.execute(delete(tables.outbox))
    engine.dispose()
    broken = visor("check", "--json", env=env, cwd=tmp_path)
    assert broken.returncode == 1
    answer = json.loads(broken.stdout)
    assert answer["problems"] == ["K1 version 1: no outbox row (the index misses it)"]
    assert (answer["consistent"], answer["audit_chain_intact"]) == (False, True)
