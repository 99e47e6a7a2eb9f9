"""a transfer to a chosen counter, with a note for the teller there

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 23:20:00.000000

``ticket.transfer_counter_id``: the counter a transferred ticket waits for (only it calls the
ticket); ``ticket.transfer_note``: what the sending teller wrote for the next one.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.add_column(sa.Column("transfer_counter_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("transfer_note", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_column("transfer_note")
        batch_op.drop_column("transfer_counter_id")
