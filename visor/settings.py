"""Settings, read once from `VISOR_*` environment variables and passed in, never global.

Each is checked when the object is built, at start-up: a path that must be a folder is one,
a URL is a URL, a SQLite database's folder exists (it is never created on the strength of a
setting). `setting_problems` says each failure in one line naming the variable; the CLI
prints them and exits 2. Messages never repeat a URL, which may hold a password.
"""

import re
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import platformdirs
from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from imaging.pool import PoolLimits, default_workers

# A host name, an IPv4 address, a bracketed IPv6 address, or a wildcard for a domain's
# subdomains ("*.example.org"), as Starlette's TrustedHostMiddleware reads them.
_HOST_PATTERN = re.compile(r"^(\*|(\*\.)?[a-z0-9]([a-z0-9.-]*[a-z0-9])?|\[[0-9a-f:.]+\])$", re.I)


def _default_home() -> Path:
    return Path(platformdirs.user_data_dir("visor", appauthor=False))


def _folder_problem(folder: Path) -> str | None:
    """Why `folder` is not, and cannot become, a folder (its nearest existing ancestor is
    not one), or None."""
    try:
        for candidate in (folder, *folder.parents):
            if candidate.exists():
                if candidate.is_dir():
                    return None
                if candidate == folder:
                    return f"{folder} is not a folder"
                return f"{folder} cannot be a folder: {candidate} is a file"
    except OSError as error:
        return f"cannot check {folder}: {error.strerror or error}"
    return None


class Settings(BaseSettings):
    """Every setting has help text; `tests/test_docs.py` checks that the README lists it."""

    model_config = SettingsConfigDict(env_prefix="VISOR_", frozen=True, extra="ignore")

    home: Path = Field(
        default_factory=_default_home,
        description="Data folder: the SQLite register, the photo store and import reports. "
        "Default: the per-user data folder (e.g. ~/.local/share/visor).",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the register. Default: SQLite at VISOR_HOME/visor.db. "
        "For PostgreSQL: postgresql+psycopg://user:password@host/dbname.",
    )
    opensearch_url: str | None = Field(
        default=None,
        description="When set, searches use this OpenSearch cluster instead of the embedded "
        "memory backend, e.g. https://user:password@search.example:9200.",
    )
    opensearch_ca_certs: Path | None = Field(
        default=None,
        description="CA certificate (PEM) that signs the cluster's TLS certificate, when it "
        "is not in the system's store. Certificates are always verified for https.",
    )
    opensearch_index_prefix: str = Field(
        default="visor",
        pattern=r"^[a-z0-9][a-z0-9_-]{0,40}$",
        description="Prefix of visor's index, alias and templates, so that several "
        "deployments can share a cluster.",
    )
    opensearch_candidates: int = Field(
        default=300,
        ge=10,
        le=5000,
        description="Candidates OpenSearch returns per search for the scoring function to "
        "order (K). benchmarks/opensearch_search.py measures recall against K.",
    )
    search_fallback: bool = Field(
        default=False,
        description="When OpenSearch cannot be reached, answer from the embedded memory "
        "backend built from the register instead of failing with 'search unavailable'.",
    )
    import_batch_size: int = Field(
        default=500,
        ge=1,
        le=10_000,
        description="Nominals written per transaction by `visor import`.",
    )
    photo_workers: int | None = Field(
        default=None,
        ge=1,
        le=256,
        description="Worker processes that decode, hash and measure photos during an import. "
        "Default: one per core.",
    )
    photo_worker_memory_mb: int = Field(
        default=2048,
        ge=256,
        le=1_048_576,
        description="Address space each photo worker may use (RLIMIT_AS), its libraries "
        "included; a photo that needs more is rejected and the worker replaced.",
    )
    photo_seconds: float = Field(
        default=30.0,
        gt=0,
        le=3600,
        description="Wall-clock seconds a photo worker may spend on one photo; past that the "
        "photo is rejected and the worker replaced.",
    )
    trusted_hosts: Annotated[tuple[str, ...], NoDecode] = Field(
        default=("localhost", "127.0.0.1", "[::1]"),
        description="Host names `visor serve` answers to, comma-separated (`*.example.org` "
        "for every subdomain); a request naming any other Host is refused (400), so that a "
        "web page cannot reach the API through DNS rebinding.",
    )

    @property
    def photo_limits(self) -> PoolLimits:
        return PoolLimits(
            workers=self.photo_workers or default_workers(),
            memory_bytes=self.photo_worker_memory_mb * 1024 * 1024,
            seconds_per_job=self.photo_seconds,
        )

    @field_validator("database_url", "opensearch_url", "opensearch_ca_certs", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        return None if value == "" else value

    @field_validator("home")
    @classmethod
    def _home_is_a_folder(cls, value: Path) -> Path:
        home = value.expanduser()
        if problem := _folder_problem(home):
            raise ValueError(problem)
        return home

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            url = make_url(value)
        except (ArgumentError, ValueError):
            raise ValueError(
                "not a database URL (e.g. postgresql+psycopg://user:password@host/dbname)"
            ) from None
        backend = url.get_backend_name()
        if backend not in ("sqlite", "postgresql"):
            raise ValueError(f"{backend} is not supported: use sqlite or postgresql")
        if backend == "sqlite" and url.database and url.database != ":memory:":
            database = Path(url.database).expanduser()
            if not database.parent.is_dir():
                raise ValueError(f"the SQLite database's folder {database.parent} does not exist")
            if database.is_dir():
                raise ValueError(f"{database} is a folder, not a SQLite database file")
        return value

    @field_validator("opensearch_url")
    @classmethod
    def _opensearch_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        example = "e.g. https://user:password@search.example:9200"
        if any(c.isspace() or not c.isprintable() for c in value):
            raise ValueError(f"must be a URL without spaces or control characters ({example})")
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018  (reading it checks it)
        except ValueError:
            raise ValueError(f"not a valid URL ({example})") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"must be an http:// or https:// URL with a host ({example})")
        return value

    @field_validator("opensearch_ca_certs")
    @classmethod
    def _ca_certs_file(cls, value: Path | None) -> Path | None:
        if value is None:
            return None
        path = value.expanduser()
        if not path.is_file():
            raise ValueError(f"{path} is not a file" if path.exists() else f"{path} does not exist")
        return path

    @field_validator("trusted_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(host.strip() for host in value.split(",") if host.strip())
        return value

    @field_validator("trusted_hosts")
    @classmethod
    def _hosts(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("name at least one host (the default is localhost names)")
        for host in value:
            if not _HOST_PATTERN.match(host):
                raise ValueError(f"{host!r} is not a host name, an address or *.domain")
        return value

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.home / 'visor.db'}"

    @property
    def photo_store_dir(self) -> Path:
        return self.home / "photos"


def setting_problems(error: ValidationError) -> list[str]:
    """One line per failed setting, naming its variable."""
    return [
        f"VISOR_{'_'.join(str(part) for part in e['loc'][:1]).upper()}: "
        + e["msg"].removeprefix("Value error, ")
        for e in error.errors()
    ]
