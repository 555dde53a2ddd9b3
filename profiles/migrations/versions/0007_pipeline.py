"""The pipeline: entries (a pair of parties and its stage), their changes, and interests (意向)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 14:00:08.470880
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "pipeline_entry",
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pair_key", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("a_kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("a_id", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("b_kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("b_id", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("a_city", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=True),
        sa.Column("b_city", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=True),
        sa.Column("base_city", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=True),
        sa.Column("partner_city", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=True),
        sa.Column("a_owner", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("b_owner", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("stage", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("stage_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("amount_100m", sa.Float(), nullable=True),
        sa.Column("landed_on", sa.Date(), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=True),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("opened_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("pair_key"),
    )
    with op.batch_alter_table("pipeline_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pipeline_entry_a_city"), ["a_city"], unique=False)
        batch_op.create_index(batch_op.f("ix_pipeline_entry_a_owner"), ["a_owner"], unique=False)
        batch_op.create_index(batch_op.f("ix_pipeline_entry_b_city"), ["b_city"], unique=False)
        batch_op.create_index(batch_op.f("ix_pipeline_entry_b_owner"), ["b_owner"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_pipeline_entry_base_city"), ["base_city"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_pipeline_entry_opened_by"), ["opened_by"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_pipeline_entry_partner_city"), ["partner_city"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_pipeline_entry_stage"), ["stage"], unique=False)
        batch_op.create_index(batch_op.f("ix_pipeline_entry_stage_at"), ["stage_at"], unique=False)

    op.create_table(
        "interest",
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("party_kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("party_id", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("target_kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("target_id", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("party_contact", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("target_contact", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=True),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("responded_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("responded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["pipeline_entry.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("interest", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_interest_created_by"), ["created_by"], unique=False)
        batch_op.create_index(batch_op.f("ix_interest_entry_id"), ["entry_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_interest_status"), ["status"], unique=False)

    op.create_table(
        "pipeline_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("from_stage", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True),
        sa.Column("to_stage", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("principal", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("amount_100m", sa.Float(), nullable=True),
        sa.Column("landed_on", sa.Date(), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=True),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["pipeline_entry.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("pipeline_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pipeline_change_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_pipeline_change_entry_id"), ["entry_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pipeline_change_to_stage"), ["to_stage"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("pipeline_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pipeline_change_to_stage"))
        batch_op.drop_index(batch_op.f("ix_pipeline_change_entry_id"))
        batch_op.drop_index(batch_op.f("ix_pipeline_change_at"))

    op.drop_table("pipeline_change")
    with op.batch_alter_table("interest", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interest_status"))
        batch_op.drop_index(batch_op.f("ix_interest_entry_id"))
        batch_op.drop_index(batch_op.f("ix_interest_created_by"))

    op.drop_table("interest")
    with op.batch_alter_table("pipeline_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pipeline_entry_stage_at"))
        batch_op.drop_index(batch_op.f("ix_pipeline_entry_stage"))
        batch_op.drop_index(batch_op.f("ix_pipeline_entry_partner_city"))
        batch_op.drop_index(batch_op.f("ix_pipeline_entry_opened_by"))
        batch_op.drop_index(batch_op.f("ix_pipeline_entry_base_city"))
        batch_op.drop_index(batch_op.f("ix_pipeline_entry_b_owner"))
        batch_op.drop_index(batch_op.f("ix_pipeline_entry_b_city"))
        batch_op.drop_index(batch_op.f("ix_pipeline_entry_a_owner"))
        batch_op.drop_index(batch_op.f("ix_pipeline_entry_a_city"))

    op.drop_table("pipeline_entry")
