"""Brokerage events (对接会): events, participants, meeting requests, meetings

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 14:06:55.613534
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "brokerage_event",
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("city", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
        sa.Column("venue", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("start", sa.Time(), nullable=False),
        sa.Column("slot_minutes", sa.Integer(), nullable=False),
        sa.Column("slots", sa.Integer(), nullable=False),
        sa.Column("breaks", sa.JSON(), nullable=False),
        sa.Column("tables", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("published_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("schedule_report", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["city"],
            ["city.adcode"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("brokerage_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_brokerage_event_city"), ["city"], unique=False)
        batch_op.create_index(batch_op.f("ix_brokerage_event_owner"), ["owner"], unique=False)
        batch_op.create_index(batch_op.f("ix_brokerage_event_status"), ["status"], unique=False)

    op.create_table(
        "event_participant",
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("ref", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("unavailable", sa.JSON(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("city", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=True),
        sa.Column("principal", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("registered_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["brokerage_event.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id", "kind", "ref", name="uq_participant_profile"),
    )
    with op.batch_alter_table("event_participant", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_event_participant_event_id"), ["event_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_event_participant_principal"), ["principal"], unique=False
        )

    op.create_table(
        "meeting",
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("first_id", sa.Integer(), nullable=False),
        sa.Column("second_id", sa.Integer(), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("table_no", sa.Integer(), nullable=False),
        sa.Column("mutual", sa.Boolean(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["brokerage_event.id"],
        ),
        sa.ForeignKeyConstraint(
            ["first_id"],
            ["event_participant.id"],
        ),
        sa.ForeignKeyConstraint(
            ["second_id"],
            ["event_participant.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id", "first_id", "second_id", name="uq_meeting"),
    )
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_meeting_first_id"), ["first_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_meeting_second_id"), ["second_id"], unique=False)

    op.create_table(
        "meeting_request",
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("requested_id", sa.Integer(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("requester_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("proposed", sa.Boolean(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["brokerage_event.id"],
        ),
        sa.ForeignKeyConstraint(
            ["requested_id"],
            ["event_participant.id"],
        ),
        sa.ForeignKeyConstraint(
            ["requester_id"],
            ["event_participant.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("requester_id", "requested_id", name="uq_request_pair"),
    )
    with op.batch_alter_table("meeting_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_request_event_id"), ["event_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_meeting_request_requested_id"), ["requested_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_meeting_request_requester_id"), ["requester_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("meeting_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_request_requester_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_request_requested_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_request_event_id"))

    op.drop_table("meeting_request")
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_second_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_first_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_event_id"))

    op.drop_table("meeting")
    with op.batch_alter_table("event_participant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_participant_principal"))
        batch_op.drop_index(batch_op.f("ix_event_participant_event_id"))

    op.drop_table("event_participant")
    with op.batch_alter_table("brokerage_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_brokerage_event_status"))
        batch_op.drop_index(batch_op.f("ix_brokerage_event_owner"))
        batch_op.drop_index(batch_op.f("ix_brokerage_event_city"))

    op.drop_table("brokerage_event")
