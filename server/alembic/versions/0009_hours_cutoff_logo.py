"""opening hours, closed dates, service cut-off and branch logo

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 05:30:00.000000

``branch.opening_hours`` (null: not set) and ``branch.closed_dates``: when kiosks issue
tickets. ``service.cutoff_min``: minutes before closing after which kiosks stop issuing for
that service. ``branch.logo`` names the current logo (its sha256); ``branch_logo`` holds the
checked, re-encoded PNG.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import server.models.types

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("branch", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("opening_hours", server.models.types.JSONType, nullable=True)
        )
        batch_op.add_column(
            sa.Column("closed_dates", server.models.types.JSONType, nullable=True)
        )
        batch_op.add_column(
            sa.Column("logo", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
    op.execute("UPDATE branch SET closed_dates = '[]'")
    with op.batch_alter_table("service", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cutoff_min", sa.Integer(), nullable=True))
    op.create_table(
        "branch_logo",
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("updated_at", server.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["branch_id"], ["branch.id"]),
        sa.PrimaryKeyConstraint("branch_id"),
    )


def downgrade() -> None:
    op.drop_table("branch_logo")
    with op.batch_alter_table("service", schema=None) as batch_op:
        batch_op.drop_column("cutoff_min")
    with op.batch_alter_table("branch", schema=None) as batch_op:
        batch_op.drop_column("logo")
        batch_op.drop_column("closed_dates")
        batch_op.drop_column("opening_hours")
