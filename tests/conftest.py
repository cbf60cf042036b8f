"""Fixtures shared by the suite: a register on each SQL backend, and bundle builders.

PostgreSQL tests use the server named by VISOR_TEST_POSTGRES_URL (an admin URL), or else
start one from the installed Debian package for the session; each test gets a database of
its own. In CI (CI=true) a missing server is a failure, never a skip.
"""

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from search.opensearch_connection import IndexNames, connect
from tests.opensearch_server import java_available, running_opensearch
from tests.postgres_server import find_postgres_bin, running_postgres
from visor.services import Services, build_services
from visor.settings import Settings

EXAMPLE_BUNDLE = Path(__file__).resolve().parents[1] / "docs" / "example"
POSTGRES_ENV = "VISOR_TEST_POSTGRES_URL"
# A key for tests only (never a deployment's): every signing key is derived from it.
TEST_SECRET_KEY = "test-only-secret-key-0123456789abcdefghijklmnop"
# OWASP's floor for Argon2id: sign-ins in tests cost ~20 ms rather than ~200 ms.
FAST_ARGON2 = {"argon2_memory_kib": 19 * 1024, "argon2_time_cost": 2, "argon2_parallelism": 1}
OPENSEARCH_ENV = "VISOR_TEST_OPENSEARCH_URL"


@pytest.fixture(autouse=True, scope="session")
def _test_signing_key() -> Iterator[None]:
    """Every Settings a test builds (module and session fixtures too) signs with the test key
    and hashes passwords fast."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("VISOR_SECRET_KEY", TEST_SECRET_KEY)
        for name, value in FAST_ARGON2.items():
            patch.setenv(f"VISOR_{name.upper()}", str(value))
        # Most tests are about other things than the purpose rule; the security tests
        # (tests/register/test_security_cli.py, tests/api/test_auth.py) unset this.
        patch.setenv("VISOR_REQUIRE_PURPOSE", "false")
        yield


def _unavailable(message: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{message}; in CI this is a failure, not a skip", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    """VISOR_TEST_POSTGRES_URL if given, else a server this session starts and stops."""
    url = os.environ.get(POSTGRES_ENV)
    if url:
        yield url
        return
    bin_dir = find_postgres_bin()
    if bin_dir is None:
        _unavailable(
            f"PostgreSQL is not installed (apt-get install postgresql) and {POSTGRES_ENV} is unset"
        )
        return
    with running_postgres(bin_dir) as started:
        yield started


@pytest.fixture(scope="session")
def opensearch_url() -> Iterator[str]:
    """VISOR_TEST_OPENSEARCH_URL if given, else a real node this session starts and stops."""
    url = os.environ.get(OPENSEARCH_ENV)
    if url:
        yield url
        return
    if not java_available():
        _unavailable(f"no JDK with Maven to run an OpenSearch node and {OPENSEARCH_ENV} is unset")
        return
    with running_opensearch() as started:
        yield started


@pytest.fixture
def opensearch_names(opensearch_url: str) -> Iterator[IndexNames]:
    """A prefix of this test's own, so tests never see each other's indices."""
    names = IndexNames(f"test-{uuid.uuid4().hex[:10]}")
    yield names
    client = connect(opensearch_url)
    client.indices.delete(index=f"{names.prefix}-*", ignore_unavailable=True)
    client.indices.delete_index_template(name=f"{names.alias}-template", ignore=[404])
    client.close()


@pytest.fixture
def postgres_url(postgres_admin_url: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    admin_url = make_url(postgres_admin_url)
    name = f"visor_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # the server is missing or refuses us: say so plainly
        admin.dispose()
        _unavailable(f"cannot create a PostgreSQL test database: {error}")
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'register.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(home=tmp_path / "home", database_url=database_url)


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    built = build_services(settings)
    yield built
    built.close()


def minimal_record(reference: str, **fields: Any) -> dict[str, Any]:
    return {"reference": reference, "names": [{"surname": "Smith"}], "sex": "M", **fields}


def write_bundle(folder: Path, lines: list[Any], photos: dict[str, bytes] | None = None) -> Path:
    """A bundle folder; `lines` may hold dicts (written as JSON) or raw str/bytes lines."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "nominals.jsonl").open("wb") as out:
        for line in lines:
            if isinstance(line, dict):
                line = json.dumps(line)
            out.write((line.encode() if isinstance(line, str) else line) + b"\n")
    for name, content in (photos or {}).items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return folder


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def image_bytes(colour: tuple[int, int, int] = (200, 120, 80), format: str = "JPEG") -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (32, 40), colour).save(out, format=format)
    return out.getvalue()


def run_import(
    services: Services,
    bundle: Path,
    rejects_path: Path | None = None,
    photo_limits: Any = None,
) -> tuple[Any, list[dict[str, Any]]]:
    """Import a bundle folder as `visor import` does; returns (summary, rejects)."""
    from register.nif_import import DEFAULT_PHOTO_LIMITS, BundleImporter, RejectWriter, open_bundle
    from visor.security import operator_auditor

    rejects_path = rejects_path or bundle.parent / f"{bundle.name}-rejects.jsonl"
    nominals = open_bundle(bundle)
    with rejects_path.open("w", encoding="utf-8") as out, nominals.open("rb") as stream:
        importer = BundleImporter(
            services.engine,
            services.blob_store,
            RejectWriter(out),
            actor="test",
            batch_size=3,
            auditor=operator_auditor(services.settings),
            photo_limits=photo_limits or DEFAULT_PHOTO_LIMITS,
        )
        summary = importer.run(stream, bundle, str(bundle))
    return summary, read_jsonl(rejects_path)


def export_documents(services: Services, out: Path) -> dict[str, dict[str, Any]]:
    from register.nif_export import export_bundle

    export_bundle(services.engine, services.blob_store, out)
    return {doc["reference"]: doc for doc in read_jsonl(out / "nominals.jsonl")}
