"""service cycle map (standards, overrides) and kiosk first-touch timing

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 13:49:14.003129
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import server.models.types

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('service_cycle',
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('moments', sa.JSON(), nullable=True),
    sa.Column('standards', sa.JSON(), nullable=True),
    sa.Column('overrides', sa.JSON(), nullable=True),
    sa.Column('updated_at', server.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['branch_id'], ['branch.id'], name=op.f('fk_service_cycle_branch_id_branch')),
    sa.PrimaryKeyConstraint('branch_id', name=op.f('pk_service_cycle'))
    )
    op.create_table('ticket_touch',
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('touch_s', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], name=op.f('fk_ticket_touch_ticket_id_ticket')),
    sa.PrimaryKeyConstraint('ticket_id', name=op.f('pk_ticket_touch'))
    )


def downgrade() -> None:
    op.drop_table('ticket_touch')
    op.drop_table('service_cycle')
