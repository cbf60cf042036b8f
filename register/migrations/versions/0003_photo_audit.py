"""photo audit metrics: least directional sharpness, shadow and highlight levels

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 00:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = ("sharpness_least_direction", "shadow_level", "highlight_level")


def upgrade() -> None:
    # Nullable: rows measured before this migration have none until the photo is re-imported.
    with op.batch_alter_table("photo_analyses", schema=None) as batch_op:
        for name in _COLUMNS:
            batch_op.add_column(sa.Column(name, sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("photo_analyses", schema=None) as batch_op:
        for name in reversed(_COLUMNS):
            batch_op.drop_column(name)
