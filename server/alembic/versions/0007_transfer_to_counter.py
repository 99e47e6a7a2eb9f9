"""a transfer to a chosen counter, with a note; how long an uncalled customer waited

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 23:20:00.000000

``ticket.transfer_counter_id``: the counter a transferred ticket waits for (only it calls the
ticket); ``ticket.transfer_note``: what the sending teller wrote for the next one.
``report_fact.waiting_ms``: a ticket never called, how long its customer waited (until they
left, or until now when read live); existing facts are rebuilt by the next refresh of their
days (``sira init`` rebuilds nothing: a null reads as "not judged", as before).
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
    with op.batch_alter_table("report_fact", schema=None) as batch_op:
        batch_op.add_column(sa.Column("waiting_ms", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("report_fact", schema=None) as batch_op:
        batch_op.drop_column("waiting_ms")
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_column("transfer_note")
        batch_op.drop_column("transfer_counter_id")
