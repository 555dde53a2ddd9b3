"""Real site investments (reference data for the site ranker)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 10:59:57.163646
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

# the enum type exists since 0001 (city.profile_confidence): PostgreSQL must not create it again
CONFIDENCE = sa.Enum("high", "medium", "low", name="confidence").with_variant(
    postgresql.ENUM("high", "medium", "low", name="confidence", create_type=False), "postgresql"
)


revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "site_investment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("hq_city_text", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("hq_city", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=True),
        sa.Column("site_city", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
        sa.Column("site_county", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
        sa.Column("industry_words", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("industry_codes", sa.JSON(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("amount_100m", sa.Float(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("source_title", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("confidence", CONFIDENCE, nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
        sa.Column("natural_key", sqlmodel.sql.sqltypes.AutoString(length=2500), nullable=False),
        sa.ForeignKeyConstraint(
            ["hq_city"],
            ["city.adcode"],
        ),
        sa.ForeignKeyConstraint(
            ["site_city"],
            ["city.adcode"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("natural_key"),
    )
    with op.batch_alter_table("site_investment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_site_investment_enterprise"), ["enterprise"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_site_investment_site_city"), ["site_city"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("site_investment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_site_investment_site_city"))
        batch_op.drop_index(batch_op.f("ix_site_investment_enterprise"))

    op.drop_table("site_investment")
