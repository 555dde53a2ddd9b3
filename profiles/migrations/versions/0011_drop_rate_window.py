"""Drop rate_window: rate limits are counted by the ``limits`` library (memory or Redis)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 14:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_table("rate_window")


def downgrade() -> None:
    op.create_table(
        "rate_window",
        sa.Column("bucket", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("window", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("bucket", "window"),
    )
