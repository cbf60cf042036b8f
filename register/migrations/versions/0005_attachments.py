"""attachments: documents and the activity log of a nominal; who asked for a request

The activity log is append-only like the audit trail: triggers refuse UPDATE and DELETE on
it (the function that raises on PostgreSQL is 0004's).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 04:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = "activity_entries"


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nominal_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("document_date", sa.Date(), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=200), nullable=False),
        sa.Column("agency", sa.String(length=32), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["nominal_id"], ["nominals.id"], name=op.f("fk_documents_nominal_id_nominals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
    )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_documents_nominal_id"), ["nominal_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_documents_sha256"), ["sha256"], unique=False)

    op.create_table(
        "activity_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nominal_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("agency", sa.String(length=32), nullable=True),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["nominal_id"], ["nominals.id"], name=op.f("fk_activity_entries_nominal_id_nominals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_entries")),
    )
    op.create_index(
        "ix_activity_entries_nominal_date",
        "activity_entries",
        ["nominal_id", "occurred_on", "id"],
        unique=False,
    )
    with op.batch_alter_table("partnership_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("requesting_agency", sa.String(length=32), nullable=True))

    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE TRIGGER {APPEND_ONLY}_append_only BEFORE UPDATE OR DELETE ON {APPEND_ONLY} "
            "FOR EACH ROW EXECUTE FUNCTION visor_refuse_audit_change()"
        )
        op.execute(
            f"CREATE TRIGGER {APPEND_ONLY}_no_truncate BEFORE TRUNCATE ON {APPEND_ONLY} "
            "FOR EACH STATEMENT EXECUTE FUNCTION visor_refuse_audit_change()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {APPEND_ONLY}_no_{verb.lower()} BEFORE {verb} ON {APPEND_ONLY} "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY} is append-only: {verb} refused'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {APPEND_ONLY}_append_only ON {APPEND_ONLY}")
        op.execute(f"DROP TRIGGER IF EXISTS {APPEND_ONLY}_no_truncate ON {APPEND_ONLY}")
    else:
        op.execute(f"DROP TRIGGER IF EXISTS {APPEND_ONLY}_no_update")
        op.execute(f"DROP TRIGGER IF EXISTS {APPEND_ONLY}_no_delete")
    with op.batch_alter_table("partnership_requests", schema=None) as batch_op:
        batch_op.drop_column("requesting_agency")
    op.drop_index("ix_activity_entries_nominal_date", table_name="activity_entries")
    op.drop_table("activity_entries")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_documents_sha256"))
        batch_op.drop_index(batch_op.f("ix_documents_nominal_id"))
    op.drop_table("documents")
