"""value histograms with running counts for the percentiles of reports by moment, and the
key they were built for

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 16:50:00.000000

Nothing is filled here: the grading fingerprint now includes the histogram version, so each
branch's summarised days are read live until its next refresh (day close) rebuilds them.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("report_state", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("hist_key", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True)
        )
    op.create_table(
        "report_hist",
        sa.Column("branch_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("series", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("bucket", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.Column("cum", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("branch_id", "series", "bucket", "business_date"),
    )
    with op.batch_alter_table("report_hist", schema=None) as batch_op:
        batch_op.create_index("ix_report_hist_day", ["branch_id", "business_date"], unique=False)
    op.create_table(
        "report_hist_pair",
        sa.Column("branch_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("series", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("bucket", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("branch_id", "series", "bucket"),
    )


def downgrade() -> None:
    with op.batch_alter_table("report_state", schema=None) as batch_op:
        batch_op.drop_column("hist_key")
    op.drop_table("report_hist_pair")
    with op.batch_alter_table("report_hist", schema=None) as batch_op:
        batch_op.drop_index("ix_report_hist_day")
    op.drop_table("report_hist")
