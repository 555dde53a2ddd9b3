"""Development zones and open platforms; 共建园区 pairings between two zones

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 13:56:33.278261
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

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TYPE pairingkind ADD VALUE IF NOT EXISTS 'zone_zone'")
    op.create_table(
        "zone",
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("city", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
        sa.Column("also_cities", sa.JSON(), nullable=False),
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True),
        sa.Column("approved_year", sa.Integer(), nullable=True),
        sa.Column("industry_codes", sa.JSON(), nullable=False),
        sa.Column("industry_keywords", sa.JSON(), nullable=False),
        sa.Column("land_available_mu", sa.Float(), nullable=True),
        sa.Column("policies", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
        sa.Column("contact", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("confidence", CONFIDENCE, nullable=True),
        sa.Column("notes", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["city"], ["city.adcode"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", "city", name="uq_zone_name_city"),
    )
    with op.batch_alter_table("zone", schema=None) as batch_op:
        for column in ("archived", "city", "kind", "name", "owner"):
            batch_op.create_index(batch_op.f(f"ix_zone_{column}"), [column], unique=False)
    with op.batch_alter_table("pairing", schema=None) as batch_op:
        batch_op.add_column(sa.Column("base_zone_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("partner_zone_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_pairing_base_zone_id"), ["base_zone_id"])
        batch_op.create_index(batch_op.f("ix_pairing_partner_zone_id"), ["partner_zone_id"])
        batch_op.create_foreign_key(
            "fk_pairing_base_zone_id_zone", "zone", ["base_zone_id"], ["id"]
        )
        batch_op.create_foreign_key(
            "fk_pairing_partner_zone_id_zone", "zone", ["partner_zone_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("pairing", schema=None) as batch_op:
        batch_op.drop_constraint("fk_pairing_partner_zone_id_zone", type_="foreignkey")
        batch_op.drop_constraint("fk_pairing_base_zone_id_zone", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_pairing_partner_zone_id"))
        batch_op.drop_index(batch_op.f("ix_pairing_base_zone_id"))
        batch_op.drop_column("partner_zone_id")
        batch_op.drop_column("base_zone_id")
    with op.batch_alter_table("zone", schema=None) as batch_op:
        for column in ("owner", "name", "kind", "city", "archived"):
            batch_op.drop_index(batch_op.f(f"ix_zone_{column}"))
    op.drop_table("zone")
