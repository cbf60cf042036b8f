from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from register.database import migrate
from register.tables import metadata
from visor.services import Services


def test_migrations_create_exactly_the_tables_the_code_expects(services: Services) -> None:
    with services.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []


def test_migrating_twice_is_harmless(services: Services) -> None:
    migrate(services.engine)
    migrate(services.engine)
