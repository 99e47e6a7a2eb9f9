"""est_within_target in the report sums: quotes within max(2 min, 20 % of the actual wait)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 07:10:00.000000

Existing rows get 0; the grading fingerprint now names the measures' version, so each
branch's summarised days are read live until their next rebuild (day close) fills it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

TABLES = ("report_rollup", "report_day")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("est_within_target", sa.BigInteger(), nullable=False, server_default="0")
            )
            batch_op.alter_column("est_within_target", server_default=None)


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("est_within_target")
