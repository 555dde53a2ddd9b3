"""The whole of GB/T 4754-2017: industry codes of every level (中类, 小类), with level and parent.

Rows already stored (the 门类 and 大类) get their level and parent here; ``counterpart seed``
inserts the 中类 and 小类 that are missing.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 11:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("industry", schema=None) as batch_op:
        batch_op.alter_column(
            "code",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=2),
            type_=sqlmodel.sql.sqltypes.AutoString(length=4),
            existing_nullable=False,
        )
        batch_op.add_column(
            sa.Column(
                "level",
                sqlmodel.sql.sqltypes.AutoString(length=4),
                nullable=False,
                server_default="大类",
            )
        )
        batch_op.add_column(
            sa.Column("parent", sqlmodel.sql.sqltypes.AutoString(length=4), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_industry_level"), ["level"], unique=False)
        batch_op.create_index(batch_op.f("ix_industry_parent"), ["parent"], unique=False)
    industry = sa.table(
        "industry",
        sa.column("code", sa.String),
        sa.column("level", sa.String),
        sa.column("parent", sa.String),
        sa.column("section", sa.String),
    )
    op.execute(industry.update().where(industry.c.code == industry.c.section).values(level="门类"))
    op.execute(
        industry.update()
        .where(industry.c.code != industry.c.section)
        .values(level="大类", parent=industry.c.section)
    )
    with op.batch_alter_table("industry", schema=None) as batch_op:
        batch_op.alter_column("level", server_default=None)


def downgrade() -> None:
    op.execute("DELETE FROM industry WHERE length(code) > 2")
    with op.batch_alter_table("industry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_industry_parent"))
        batch_op.drop_index(batch_op.f("ix_industry_level"))
        batch_op.drop_column("parent")
        batch_op.drop_column("level")
        batch_op.alter_column(
            "code",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=4),
            type_=sqlmodel.sql.sqltypes.AutoString(length=2),
            existing_nullable=False,
        )
