"""Frameworks: one-way cooperation ties (helper → assisted), and two more schemes.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 10:48:14.506533
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW_SCHEMES = ("northeast_east", "paired_assistance")
SCHEMES = (
    "counterpart_cooperation",
    "east_west",
    "counterpart_support",
    "designated_assistance",
    "intra_province",
    *NEW_SCHEMES,
)


def _existing_enum(name: str, *values: str) -> sa.Enum:
    """An enum type that an earlier migration created (PostgreSQL must not create it again)."""
    return sa.Enum(*values, name=name).with_variant(
        postgresql.ENUM(*values, name=name, create_type=False), "postgresql"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for value in NEW_SCHEMES:
            op.execute(f"ALTER TYPE scheme ADD VALUE IF NOT EXISTS '{value}'")
    level = sa.Enum("province", "region", "city", name="tielevel")
    op.create_table(
        "framework",
        sa.Column("scheme", _existing_enum("scheme", *SCHEMES), nullable=False),
        sa.Column("programme", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("round", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("helper", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("helper_level", level, nullable=False),
        sa.Column("helper_adcode", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=True),
        sa.Column("helper_cities", sa.JSON(), nullable=False),
        sa.Column("assisted", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("assisted_level", level, nullable=False),
        sa.Column("assisted_adcode", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=True),
        sa.Column("assisted_cities", sa.JSON(), nullable=False),
        sa.Column("since", sa.Integer(), nullable=True),
        sa.Column("until", sa.Integer(), nullable=True),
        sa.Column("document", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=True),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column(
            "confidence", _existing_enum("confidence", "high", "medium", "low"), nullable=False
        ),
        sa.Column("notes", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("natural_key", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("natural_key"),
    )
    with op.batch_alter_table("city", schema=None) as batch_op:
        batch_op.add_column(sa.Column("profile_year", sa.Integer(), nullable=True))
    with op.batch_alter_table("framework", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_framework_scheme"), ["scheme"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("framework", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_framework_scheme"))
    op.drop_table("framework")
    # a plain ALTER (SQLite ≥ 3.35 and PostgreSQL): a batch copy of ``city`` would trip the
    # foreign keys that point at it
    op.execute("ALTER TABLE city DROP COLUMN profile_year")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TYPE IF EXISTS tielevel")
