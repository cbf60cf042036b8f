"""The system of record: the nominal domain model, its SQL store (SQLAlchemy 2; SQLite by
default, PostgreSQL for shared deployments), Alembic migrations, NIF import and export,
per-change versions and the outbox that feeds the indexer.

It knows nothing of OpenSearch or HTTP.
"""
