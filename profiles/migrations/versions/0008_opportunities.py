"""Cooperation opportunities (合作机会)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 13:59:46.231272
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "opportunity",
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("type", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("city", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
        sa.Column("industry_codes", sa.JSON(), nullable=False),
        sa.Column("industry_keywords", sa.JSON(), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("mode", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True),
        sa.Column("quantity", sa.Float(), nullable=True),
        sa.Column("unit", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("closes_on", sa.Date(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("buyer_type", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True),
        sa.Column("contact", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["city"],
            ["city.adcode"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("type", "title", "city", name="uq_opportunity_type_title_city"),
    )
    with op.batch_alter_table("opportunity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_opportunity_archived"), ["archived"], unique=False)
        batch_op.create_index(batch_op.f("ix_opportunity_city"), ["city"], unique=False)
        batch_op.create_index(batch_op.f("ix_opportunity_closes_on"), ["closes_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_opportunity_is_demo"), ["is_demo"], unique=False)
        batch_op.create_index(batch_op.f("ix_opportunity_owner"), ["owner"], unique=False)
        batch_op.create_index(batch_op.f("ix_opportunity_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_opportunity_type"), ["type"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("opportunity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_opportunity_type"))
        batch_op.drop_index(batch_op.f("ix_opportunity_status"))
        batch_op.drop_index(batch_op.f("ix_opportunity_owner"))
        batch_op.drop_index(batch_op.f("ix_opportunity_is_demo"))
        batch_op.drop_index(batch_op.f("ix_opportunity_closes_on"))
        batch_op.drop_index(batch_op.f("ix_opportunity_city"))
        batch_op.drop_index(batch_op.f("ix_opportunity_archived"))

    op.drop_table("opportunity")
