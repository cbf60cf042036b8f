"""Service wiring: what the CLI and the API build from one `Settings`."""

from dataclasses import dataclass

from sqlalchemy import Engine

from foundation.errors import InvalidInput
from imaging.blobstore import BlobStore
from register.database import open_register
from visor.settings import Settings


@dataclass(frozen=True)
class Services:
    settings: Settings
    engine: Engine
    blob_store: BlobStore
    document_store: BlobStore

    def close(self) -> None:
        self.engine.dispose()


def build_services(settings: Settings) -> Services:
    try:
        settings.home.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InvalidInput(
            f"VISOR_HOME: cannot create {settings.home}: {error.strerror or error}"
        ) from error
    return Services(
        settings=settings,
        engine=open_register(settings.effective_database_url),
        blob_store=BlobStore(settings.photo_store_dir),
        document_store=BlobStore(settings.document_store_dir),
    )
