"""Degraded modes, mid-workload: the register's PostgreSQL stopped as abruptly as a crash and
started again while a writer keeps editing; the photo store unable to take a file (its disk
full, simulated with RLIMIT_FSIZE in a process of its own); the search cluster cut off
under a running API and outbox follower. Each time: a clear error to the
caller, nothing acknowledged lost, nothing half-written, and recovery without a restart of
the caller once the fault clears."""

import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

import tests
from api.app import create_app
from foundation.errors import BackendUnavailable, StaleVersion
from indexer.lifecycle import ensure_templates
from indexer.sync import rebuild, reconcile
from register import changes, store
from register.audit import verify_register
from register.database import snapshot, translated_errors
from register.indexing import outbox_position
from register.model import NominalRecord
from search.opensearch_connection import IndexNames, connect
from search.opensearch_index import current_index, read_position
from tests.api.sign_in import sign_in
from tests.cli_helpers import visor_env
from tests.conftest import minimal_record, run_import
from tests.postgres_server import find_postgres_bin, postgres_server
from tests.tcp_proxy import CuttableProxy
from visor.security import chain_signer, operator_auditor
from visor.services import Services, build_services
from visor.settings import Settings
from visor.synthetic import write_bundle

ROOT = Path(tests.__file__).resolve().parents[1]  # the repository, where `-m tests...` runs


class Writer(threading.Thread):
    """Appends a tag per edit to one nominal, as the CLI would (errors translated); keeps
    going through failures, as a user retrying would."""

    def __init__(self, services: Services) -> None:
        super().__init__(daemon=True)
        self.services = services
        self.stop = threading.Event()
        self.acknowledged: list[str] = []  # the commit returned
        self.in_doubt: list[str] = []  # the commit was under way when the server went
        self.errors: list[BaseException] = []

    def run(self) -> None:
        auditor = operator_auditor(self.services.settings)
        number = 0
        while not self.stop.is_set():
            number += 1
            tag = f"t{number}"
            committing = False
            try:
                with translated_errors():
                    with snapshot(self.services.engine) as connection:
                        current = store.get_record(connection, "D1")
                        version = store.find_existing(connection, ["D1"])["D1"].version
                    edited = current.model_copy(
                        update={"behavioural_traits": [*current.behavioural_traits, tag]}
                    )
                    committing = True
                    with self.services.engine.begin() as connection:
                        changes.replace(connection, auditor, edited, version)
                self.acknowledged.append(tag)
            except StaleVersion:
                continue
            except BaseException as error:
                self.errors.append(error)
                if committing:
                    self.in_doubt.append(tag)
                self.stop.wait(0.05)

    def wait_for(self, acknowledged: int = 0, errors: int = 0, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while len(self.acknowledged) < acknowledged or len(self.errors) < errors:
            assert time.monotonic() < deadline, (len(self.acknowledged), self.errors[-3:])
            time.sleep(0.02)


@pytest.mark.postgres
@pytest.mark.slow
def test_postgresql_stopped_and_started_mid_workload(tmp_path: Path) -> None:
    bin_dir = find_postgres_bin()
    if bin_dir is None:
        pytest.fail("PostgreSQL is not installed (apt-get install postgresql)")
    with postgres_server(bin_dir, durable=True) as server:
        admin = create_engine(server.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("CREATE DATABASE visor"))
        admin.dispose()
        url = server.url.rsplit("/", 1)[0] + "/visor"
        services = build_services(Settings(home=tmp_path / "home", database_url=url))
        try:
            with services.engine.begin() as connection:
                changes.create(
                    connection,
                    operator_auditor(services.settings),
                    NominalRecord.model_validate(minimal_record("D1")),
                )
            writer = Writer(services)
            writer.start()
            writer.wait_for(acknowledged=10)
            server.stop("immediate")  # as abrupt as a crash: no checkpoint, no goodbye
            writer.wait_for(errors=3)
            acknowledged_before_restart = len(writer.acknowledged)
            server.start()
            writer.wait_for(acknowledged=acknowledged_before_restart + 10)
            writer.stop.set()
            writer.join()

            # A clear error while it was down, and nothing else.
            assert writer.errors
            assert all(isinstance(error, BackendUnavailable) for error in writer.errors)
            assert all("cannot reach the register database" in str(e) for e in writer.errors)
            with snapshot(services.engine) as connection:
                record = store.get_record(connection, "D1")
                history = store.history(connection, "D1")
                report = verify_register(connection, chain_signer(services.settings))
        finally:
            services.close()
    traits = record.behavioural_traits
    # Nothing acknowledged is lost; a commit in doubt either happened whole or not at all.
    assert set(writer.acknowledged) <= set(traits)
    assert set(traits) <= set(writer.acknowledged) | set(writer.in_doubt)
    assert len(traits) == len(set(traits))
    assert [entry.version for entry in history] == list(range(1, len(traits) + 2))
    assert report.intact, report.problem
    print(
        f"\nPostgreSQL stopped mid-workload: {len(writer.errors)} BackendUnavailable while "
        f"down, {len(writer.acknowledged)} writes acknowledged and kept, "
        f"{len(writer.in_doubt)} in doubt ({len(set(writer.in_doubt) & set(traits))} of them "
        "committed)"
    )


_FULL_STORE = """
import resource, signal, sys
from pathlib import Path
from imaging.blobstore import BlobStore
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[3]), int(sys.argv[3])))
try:
    BlobStore(Path(sys.argv[1])).put_file(Path(sys.argv[2]))
except Exception as error:
    print(f"{type(error).__name__}: {error}")
    sys.exit(3)
print("stored")
"""


def test_a_full_photo_store_gives_a_clear_error_and_no_half_written_blob(tmp_path: Path) -> None:
    from PIL import Image

    photo = tmp_path / "big.png"
    Image.effect_noise((400, 400), 64).convert("RGB").save(photo)  # ~500 KB, incompressible
    store_root = tmp_path / "store"
    limit = photo.stat().st_size // 2
    completed = subprocess.run(
        [sys.executable, "-c", _FULL_STORE, str(store_root), str(photo), str(limit)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 3, completed.stdout + completed.stderr
    assert completed.stdout.startswith("PhotoStoreFull: the photo store cannot take")
    # No blob under its name, and no temporary file left behind.
    assert [p for p in store_root.rglob("*") if p.is_file()] == []
    # Room again: the same call stores it whole.
    again = subprocess.run(
        [sys.executable, "-c", _FULL_STORE, str(store_root), str(photo), str(10**9)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert again.stdout.strip() == "stored", again.stdout + again.stderr
    (stored,) = [p for p in store_root.rglob("*") if p.is_file()]
    assert stored.read_bytes() == photo.read_bytes()


_IMPORT_WITH_FILE_LIMIT = """
import resource, signal, sys
from visor.cli import main
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # inherited by the photo workers
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[1]), int(sys.argv[1])))
sys.exit(main(sys.argv[2:]))
"""


@pytest.mark.postgres
def test_an_import_into_a_full_photo_store_refuses_the_photos_and_keeps_the_records(
    tmp_path: Path, postgres_url: str
) -> None:
    """PostgreSQL, so that only the photo store's files meet the limit (a SQLite register
    is a file too)."""
    from PIL import Image

    from tests.cli_helpers import visor_env
    from tests.conftest import write_bundle

    photos = {}
    for index in range(2):
        noise = Image.effect_noise((500, 500), 64 + index).convert("RGB")
        out = tmp_path / f"p{index}.png"
        noise.save(out)
        photos[f"photos/p{index}.png"] = out.read_bytes()
    lines = [
        minimal_record(f"F{index}", photos=[{"file": f"photos/p{index}.png", "kind": "face"}])
        for index in range(2)
    ]
    bundle = write_bundle(tmp_path / "bundle", lines, photos)
    env = visor_env(tmp_path / "home", postgres_url)
    limit = min(len(content) for content in photos.values()) // 2
    full = subprocess.run(
        [sys.executable, "-c", _IMPORT_WITH_FILE_LIMIT, str(limit), "import", str(bundle)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert full.returncode == 1, full.stderr  # finished, with rejects
    rejects = (tmp_path / "rejects.jsonl").read_text()
    assert rejects.count("the photo store cannot take") == 2, rejects
    store_files = [p for p in (tmp_path / "home" / "photos").rglob("*") if p.is_file()]
    assert not [p for p in store_files if p.name.startswith(".incoming-")]
    services = build_services(Settings(home=tmp_path / "home", database_url=postgres_url))
    try:
        with snapshot(services.engine) as connection:
            kept = [store.get_record(connection, f"F{index}") for index in range(2)]
        assert [record.photos for record in kept] == [[], []]  # the records, without photos
        # Room again: the same import adds the photos.
        again = subprocess.run(
            [sys.executable, "-m", "visor.cli", "import", str(bundle)],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert again.returncode == 0, again.stderr
        with snapshot(services.engine) as connection:
            for index in range(2):
                (photo,) = store.get_record(connection, f"F{index}").photos
                stored = services.blob_store.path_for(photo.sha256 or "").read_bytes()
                assert stored == photos[f"photos/p{index}.png"]
    finally:
        services.close()


@pytest.mark.opensearch
@pytest.mark.slow
def test_opensearch_down_mid_workload_through_the_api(
    tmp_path: Path, opensearch_url: str, opensearch_names: IndexNames
) -> None:
    """The search cluster goes away under a running API and its outbox follower: searches
    answer 503 problem+json saying why, edits still commit and wait in the outbox, and when
    the cluster returns both catch up by themselves, with neither restarted."""
    names = opensearch_names
    parts = urlsplit(opensearch_url)
    with CuttableProxy(parts.hostname or "127.0.0.1", parts.port or 9200) as proxy:
        settings = Settings(
            home=tmp_path / "home",
            opensearch_url=proxy.url,
            opensearch_index_prefix=names.prefix,
        )
        services = build_services(settings)
        run_import(services, write_bundle(tmp_path / "bundle", 50, seed=3))
        cluster = connect(opensearch_url)
        ensure_templates(cluster, names)
        rebuild(cluster, services.engine, names)
        follower = subprocess.Popen(
            [sys.executable, "-m", "visor.cli", "index", "sync", "--follow", "--interval", "0.2"],
            env=visor_env(
                settings.home,
                settings.database_url,
                VISOR_OPENSEARCH_URL=proxy.url,
                VISOR_OPENSEARCH_INDEX_PREFIX=names.prefix,
            ),
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            with TestClient(create_app(settings), base_url="http://localhost") as client:
                sign_in(client, settings)
                assert client.post("/api/v1/search", json=DOWN_QUERY).status_code == 200

                proxy.cut()
                refused = client.post("/api/v1/search", json=DOWN_QUERY)
                assert refused.status_code == 503, refused.text
                assert refused.headers["content-type"].startswith("application/problem+json")
                assert (
                    "search unavailable: OpenSearch cannot be reached" in refused.json()["detail"]
                )
                created = client.post("/api/v1/nominals", json=DOWN_RECORD)
                assert created.status_code == 201, created.text
                with snapshot(services.engine) as connection:
                    queued = outbox_position(connection)
                index = current_index(cluster, names)
                assert read_position(cluster, names, index) < queued  # waiting in the outbox

                proxy.restore()
                deadline = time.monotonic() + 60
                while read_position(cluster, names, index) < queued:
                    assert follower.poll() is None, "the follower rides out the outage"
                    assert time.monotonic() < deadline, "the follower never caught up"
                    time.sleep(0.2)
                cluster.indices.refresh(index=index)
                found = client.post("/api/v1/search", json=DOWN_QUERY, params={"top": 100})
                assert found.status_code == 200, found.text
                references = [c["reference"] for c in found.json()["candidates"]]
                assert DOWN_RECORD["reference"] in references
        finally:
            follower.terminate()
            follower.wait(timeout=30)
        assert reconcile(cluster, services.engine, names, repair=False).total == 0
        services.close()


# A description only the record created during the outage fits well.
DOWN_RECORD = minimal_record(
    "OUTAGE1",
    build="stocky",
    hair_colour="ginger",
    marks=[{"type": "tattoo", "location": "left forearm", "description": "a scorpion"}],
)
DOWN_QUERY = {"text": "stocky ginger man, scorpion tattoo on his left forearm"}
