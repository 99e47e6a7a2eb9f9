"""ticket_quote: the wait each customer was told, at issue and at each re-quote

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 09:00:00.000000

Tickets issued before it have their issue quote in ``ticket.quoted_wait_s`` only; the
accuracy report reads re-quotes from here.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

from server.models.types import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ticket_quote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("wait_s", sa.Integer(), nullable=False),
        sa.Column("low_s", sa.Integer(), nullable=True),
        sa.Column("high_s", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=True),
        sa.Column("rough", sa.Boolean(), nullable=False),
        sa.Column("fallback", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["ticket.id"], name=op.f("fk_ticket_quote_ticket_id_ticket")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_quote")),
    )
    op.create_index("ix_ticket_quote_ticket", "ticket_quote", ["ticket_id", "at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_ticket_quote_ticket", table_name="ticket_quote")
    op.drop_table("ticket_quote")
