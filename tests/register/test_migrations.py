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


def test_the_attachments_migration_goes_down_and_up_again(services: Services) -> None:
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import inspect

    from register.database import MIGRATIONS_DIR

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))

    def tables_and_columns() -> tuple[set[str], set[str]]:
        found = inspect(services.engine)
        columns = {c["name"] for c in found.get_columns("partnership_requests")}
        return set(found.get_table_names()), columns

    with services.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0004")
    names, columns = tables_and_columns()
    assert not {"documents", "activity_entries"} & names
    assert "requesting_agency" not in columns
    migrate(services.engine)
    names, columns = tables_and_columns()
    assert {"documents", "activity_entries"} <= names and "requesting_agency" in columns
    with services.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), metadata) == []
