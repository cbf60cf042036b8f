"""SIGKILL an import half-way, run it again: the register ends as one uninterrupted import."""

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from register import tables
from tests.cli_helpers import visor, visor_env
from tests.conftest import export_documents
from visor.services import build_services
from visor.settings import Settings
from visor.synthetic import write_bundle

SIZE = 3000


def nominal_count(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(tables.nominals)) or 0
    except Exception:  # tables may not exist yet
        return 0
    finally:
        engine.dispose()


@pytest.mark.slow
def test_killed_import_rerun_equals_an_uninterrupted_one(tmp_path: Path, database_url: str) -> None:
    bundle = write_bundle(tmp_path / "bundle", SIZE, seed=11, photo_fraction=0.03)
    env = visor_env(tmp_path / "home", database_url, VISOR_IMPORT_BATCH_SIZE="50")
    process = subprocess.Popen(
        [sys.executable, "-m", "visor.cli", "import", str(bundle)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 300
    while nominal_count(database_url) < SIZE // 3 and process.poll() is None:
        assert time.monotonic() < deadline, "import made no progress"
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    interrupted_at = nominal_count(database_url)
    assert 0 < interrupted_at < SIZE, "the kill must land half-way"

    rerun = visor("import", str(bundle), "--json", env=env, cwd=tmp_path)
    assert rerun.returncode == 0, rerun.stderr

    resumed = build_services(Settings(home=tmp_path / "home", database_url=database_url))
    clean = build_services(Settings(home=tmp_path / "clean"))  # uninterrupted, embedded
    try:
        from tests.conftest import run_import

        run_import(clean, bundle)
        assert export_documents(resumed, tmp_path / "a") == export_documents(clean, tmp_path / "b")
        for services in (resumed, clean):
            with services.engine.connect() as connection:
                versions = connection.scalar(
                    select(func.count()).select_from(tables.nominal_versions)
                )
                outbox = connection.scalar(select(func.count()).select_from(tables.outbox))
            assert (versions, outbox) == (SIZE, SIZE)
        photo_files = sorted(p.name for p in (tmp_path / "home" / "photos").rglob("*"))
        assert not [name for name in photo_files if name.startswith(".incoming-")]
    finally:
        resumed.close()
        clean.close()
