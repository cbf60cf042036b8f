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
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from imaging.pool import PoolLimits, default_workers
from register.model import NominalRecord
from register.permissions import ATTACHED_FIELDS, DEFAULT_RESTRICTED
from register.principals import Role

DEMO_MARKER = ".visor-demo"
DEMO_KEY_FILE = ".visor-demo-key"
MIN_SECRET_KEY_LENGTH = 32
# Placeholders people copy from examples: never a key.
KNOWN_DEFAULT_KEYS = frozenset(
    {"changeme", "change-me", "change_me", "secret", "secret-key", "visor", "development"}
)

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
        default=150,
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
    audit_photo_max_age_months: int = Field(
        default=12,
        ge=1,
        le=600,
        description="`visor audit`: a nominal's newest face photo older than this many months "
        "is flagged stale.",
    )
    audit_review_weeks_level_3: int = Field(
        default=8,
        ge=1,
        le=520,
        description="`visor audit compliance`: longest gap in weeks between MAPPA reviews of a "
        "level 3 nominal.",
    )
    audit_review_weeks_level_2: int = Field(
        default=16,
        ge=1,
        le=520,
        description="`visor audit compliance`: longest gap in weeks between MAPPA reviews of a "
        "level 2 nominal.",
    )
    audit_review_weeks_level_1: int | None = Field(
        default=None,
        ge=1,
        le=520,
        description="`visor audit compliance`: longest gap in weeks between reviews of a level "
        "1 nominal; unset, level 1 reviews are not audited (agencies set their own).",
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

    secret_key: SecretStr | None = Field(
        default=None,
        description="The secret every signing key is derived from (session tokens, CSRF "
        "tokens, the audit chain's head and checkpoints): at least 32 random characters, e.g. "
        "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`. Required outside the "
        "demo by every command that reads or writes the register and by `visor serve`.",
    )
    operator: str | None = Field(
        default=None,
        max_length=200,
        description="Name the CLI acts and is audited as (the register's local operator). "
        "Default: operator:<login name>.",
    )
    operator_agency: str | None = Field(
        default=None,
        max_length=32,
        description="Agency code recorded in the audit trail for the CLI's operator.",
    )
    require_purpose: bool | None = Field(
        default=None,
        description="Whether searches and views must state a purpose (`purpose` in the API, "
        "`--purpose` in the CLI). Default: required, except in the demo register.",
    )
    token_minutes: int = Field(
        default=15, ge=1, le=60, description="Lifetime of a signed access token, in minutes."
    )
    session_idle_minutes: int = Field(
        default=30, ge=1, le=24 * 60, description="A session unused this long ends (minutes)."
    )
    session_max_hours: int = Field(
        default=8, ge=1, le=7 * 24, description="A session's absolute lifetime, in hours."
    )
    lockout_threshold: int = Field(
        default=5, ge=1, le=100, description="Consecutive failed sign-ins that lock an account."
    )
    lockout_minutes: int = Field(
        default=15,
        ge=0,
        le=7 * 24 * 60,
        description="How long a lock lasts, in minutes; 0 means until an administrator runs "
        "`visor users unlock`.",
    )
    argon2_memory_kib: int = Field(
        default=64 * 1024,
        ge=19 * 1024,
        le=4 * 1024 * 1024,
        description="Argon2id memory per password hash, KiB (default 65536: RFC 9106's second "
        "recommendation; at least OWASP's 19456).",
    )
    argon2_time_cost: int = Field(
        default=3, ge=2, le=20, description="Argon2id passes over the memory (default 3)."
    )
    argon2_parallelism: int = Field(
        default=4, ge=1, le=16, description="Argon2id lanes (default 4)."
    )
    audit_checkpoint_every: int = Field(
        default=1000,
        ge=1,
        le=1_000_000,
        description="A signed checkpoint of the audit chain every this many entries.",
    )
    restricted_fields: Annotated[tuple[str, ...], NoDecode] = Field(
        default=DEFAULT_RESTRICTED,
        description="Fields of a nominal only VISOR_RESTRICTED_FIELD_ROLES see, comma-separated "
        "(left out of views, exports and search answers, and never matched in a search for "
        "anyone else); besides the NIF fields, `documents` (its attached documents) and "
        "`intelligence` (the intelligence entries of its activity log).",
    )
    audit_national_agencies: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(),
        description="Agencies (codes, comma-separated) whose auditors are granted the "
        "national view: the audit reports of every agency through the API and the web pages. "
        "Other auditors read their own agency's.",
    )
    restricted_field_roles: Annotated[tuple[str, ...], NoDecode] = Field(
        default=("officer", "supervisor"),
        description="Roles that see the restricted fields, comma-separated.",
    )

    @property
    def photo_limits(self) -> PoolLimits:
        return PoolLimits(
            workers=self.photo_workers or default_workers(),
            memory_bytes=self.photo_worker_memory_mb * 1024 * 1024,
            seconds_per_job=self.photo_seconds,
        )

    @field_validator(
        "database_url",
        "opensearch_url",
        "opensearch_ca_certs",
        "audit_review_weeks_level_1",
        mode="before",
    )
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

    @field_validator("secret_key", mode="before")
    @classmethod
    def _empty_key_is_unset(cls, value: Any) -> Any:
        return None if value == "" else value

    @field_validator("secret_key")
    @classmethod
    def _strong_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        key = value.get_secret_value()
        if key.strip().lower() in KNOWN_DEFAULT_KEYS:
            raise ValueError("is a well-known placeholder, not a secret: generate one")
        if len(key) < MIN_SECRET_KEY_LENGTH:
            raise ValueError(f"must be at least {MIN_SECRET_KEY_LENGTH} characters")
        if len(set(key)) < 8:
            raise ValueError("is not random enough (fewer than 8 different characters)")
        return value

    @field_validator(
        "restricted_fields", "restricted_field_roles", "audit_national_agencies", mode="before"
    )
    @classmethod
    def _split_names(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(name.strip() for name in value.split(",") if name.strip())
        return value

    @field_validator("restricted_fields")
    @classmethod
    def _restrictable(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for name in value:
            if name in ATTACHED_FIELDS:
                continue
            if name not in NominalRecord.model_fields or name in ("reference", "names", "sex"):
                raise ValueError(f"{name!r} is not a field that can be restricted")
        return value

    @field_validator("restricted_field_roles")
    @classmethod
    def _known_roles(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        known = {role.value for role in Role}
        for name in value:
            if name not in known:
                raise ValueError(f"{name!r} is not a role; known: {', '.join(sorted(known))}")
        return value

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

    @property
    def document_store_dir(self) -> Path:
        """Documents attached to nominals, kept by SHA-256 like the photos."""
        return self.home / "documents"

    @property
    def is_demo(self) -> bool:
        """A register `visor demo` made (its home holds the demo's marker)."""
        return (self.home / DEMO_MARKER).is_file()

    @property
    def purpose_required(self) -> bool:
        return self.require_purpose if self.require_purpose is not None else not self.is_demo


def setting_problems(error: ValidationError) -> list[str]:
    """One line per failed setting, naming its variable."""
    return [
        f"VISOR_{'_'.join(str(part) for part in e['loc'][:1]).upper()}: "
        + e["msg"].removeprefix("Value error, ")
        for e in error.errors()
    ]
