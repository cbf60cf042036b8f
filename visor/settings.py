"""Settings, read once from `VISOR_*` environment variables and passed in, never global."""

from pathlib import Path

import platformdirs
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_home() -> Path:
    return Path(platformdirs.user_data_dir("visor", appauthor=False))


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

    @field_validator("home")
    @classmethod
    def _expand_home(cls, value: Path) -> Path:
        return value.expanduser()

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.home / 'visor.db'}"

    @property
    def photo_store_dir(self) -> Path:
        return self.home / "photos"
