"""report rollups: per-ticket facts, sums per day x hour x service x counter x teller and
per day (with the day's exact wait percentiles), recovery actions per day, and each
branch's rollup state

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 14:41:18.920340
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import server.models.types

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('report_action',
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('business_date', sa.Date(), nullable=False),
    sa.Column('action', sa.String(), nullable=True),
    sa.Column('n', sa.BigInteger(), nullable=False)
    )
    with op.batch_alter_table('report_action', schema=None) as batch_op:
        batch_op.create_index('ix_report_action_day', ['branch_id', 'business_date'], unique=False)

    op.create_table('report_day',
    sa.Column('branch_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('business_date', sa.Date(), nullable=False),
    sa.Column('wait_p50_ms', sa.BigInteger(), nullable=True),
    sa.Column('wait_p90_ms', sa.BigInteger(), nullable=True),
    sa.Column('tickets', sa.BigInteger(), nullable=False),
    sa.Column('served', sa.BigInteger(), nullable=False),
    sa.Column('no_show', sa.BigInteger(), nullable=False),
    sa.Column('wait_n', sa.BigInteger(), nullable=False),
    sa.Column('wait_ms', sa.BigInteger(), nullable=False),
    sa.Column('service_n', sa.BigInteger(), nullable=False),
    sa.Column('service_ms', sa.BigInteger(), nullable=False),
    sa.Column('fb_n', sa.BigInteger(), nullable=False),
    sa.Column('fb_sum', sa.BigInteger(), nullable=False),
    sa.Column('judged', sa.BigInteger(), nullable=False),
    sa.Column('missed', sa.BigInteger(), nullable=False),
    sa.Column('m_kiosk_n', sa.BigInteger(), nullable=False),
    sa.Column('m_kiosk_missed', sa.BigInteger(), nullable=False),
    sa.Column('m_kiosk_expected', sa.BigInteger(), nullable=False),
    sa.Column('m_kiosk_exclusive', sa.BigInteger(), nullable=False),
    sa.Column('m_kiosk_vsum', sa.BigInteger(), nullable=False),
    sa.Column('m_kiosk_served', sa.BigInteger(), nullable=False),
    sa.Column('m_kiosk_no_show', sa.BigInteger(), nullable=False),
    sa.Column('m_kiosk_wait_n', sa.BigInteger(), nullable=False),
    sa.Column('m_kiosk_wait_ms', sa.BigInteger(), nullable=False),
    sa.Column('m_kiosk_service_n', sa.BigInteger(), nullable=False),
    sa.Column('m_kiosk_service_ms', sa.BigInteger(), nullable=False),
    sa.Column('m_kiosk_fb_n', sa.BigInteger(), nullable=False),
    sa.Column('m_kiosk_fb_sum', sa.BigInteger(), nullable=False),
    sa.Column('m_wait_n', sa.BigInteger(), nullable=False),
    sa.Column('m_wait_missed', sa.BigInteger(), nullable=False),
    sa.Column('m_wait_expected', sa.BigInteger(), nullable=False),
    sa.Column('m_wait_exclusive', sa.BigInteger(), nullable=False),
    sa.Column('m_wait_vsum', sa.BigInteger(), nullable=False),
    sa.Column('m_wait_served', sa.BigInteger(), nullable=False),
    sa.Column('m_wait_no_show', sa.BigInteger(), nullable=False),
    sa.Column('m_wait_wait_n', sa.BigInteger(), nullable=False),
    sa.Column('m_wait_wait_ms', sa.BigInteger(), nullable=False),
    sa.Column('m_wait_service_n', sa.BigInteger(), nullable=False),
    sa.Column('m_wait_service_ms', sa.BigInteger(), nullable=False),
    sa.Column('m_wait_fb_n', sa.BigInteger(), nullable=False),
    sa.Column('m_wait_fb_sum', sa.BigInteger(), nullable=False),
    sa.Column('m_walk_n', sa.BigInteger(), nullable=False),
    sa.Column('m_walk_missed', sa.BigInteger(), nullable=False),
    sa.Column('m_walk_expected', sa.BigInteger(), nullable=False),
    sa.Column('m_walk_exclusive', sa.BigInteger(), nullable=False),
    sa.Column('m_walk_vsum', sa.BigInteger(), nullable=False),
    sa.Column('m_walk_served', sa.BigInteger(), nullable=False),
    sa.Column('m_walk_no_show', sa.BigInteger(), nullable=False),
    sa.Column('m_walk_wait_n', sa.BigInteger(), nullable=False),
    sa.Column('m_walk_wait_ms', sa.BigInteger(), nullable=False),
    sa.Column('m_walk_service_n', sa.BigInteger(), nullable=False),
    sa.Column('m_walk_service_ms', sa.BigInteger(), nullable=False),
    sa.Column('m_walk_fb_n', sa.BigInteger(), nullable=False),
    sa.Column('m_walk_fb_sum', sa.BigInteger(), nullable=False),
    sa.Column('m_service_n', sa.BigInteger(), nullable=False),
    sa.Column('m_service_missed', sa.BigInteger(), nullable=False),
    sa.Column('m_service_expected', sa.BigInteger(), nullable=False),
    sa.Column('m_service_exclusive', sa.BigInteger(), nullable=False),
    sa.Column('m_service_vsum', sa.BigInteger(), nullable=False),
    sa.Column('m_service_served', sa.BigInteger(), nullable=False),
    sa.Column('m_service_no_show', sa.BigInteger(), nullable=False),
    sa.Column('m_service_wait_n', sa.BigInteger(), nullable=False),
    sa.Column('m_service_wait_ms', sa.BigInteger(), nullable=False),
    sa.Column('m_service_service_n', sa.BigInteger(), nullable=False),
    sa.Column('m_service_service_ms', sa.BigInteger(), nullable=False),
    sa.Column('m_service_fb_n', sa.BigInteger(), nullable=False),
    sa.Column('m_service_fb_sum', sa.BigInteger(), nullable=False),
    sa.Column('m_feedback_n', sa.BigInteger(), nullable=False),
    sa.Column('m_feedback_missed', sa.BigInteger(), nullable=False),
    sa.Column('m_feedback_expected', sa.BigInteger(), nullable=False),
    sa.Column('m_feedback_exclusive', sa.BigInteger(), nullable=False),
    sa.Column('m_feedback_vsum', sa.BigInteger(), nullable=False),
    sa.Column('m_feedback_served', sa.BigInteger(), nullable=False),
    sa.Column('m_feedback_no_show', sa.BigInteger(), nullable=False),
    sa.Column('m_feedback_wait_n', sa.BigInteger(), nullable=False),
    sa.Column('m_feedback_wait_ms', sa.BigInteger(), nullable=False),
    sa.Column('m_feedback_service_n', sa.BigInteger(), nullable=False),
    sa.Column('m_feedback_service_ms', sa.BigInteger(), nullable=False),
    sa.Column('m_feedback_fb_n', sa.BigInteger(), nullable=False),
    sa.Column('m_feedback_fb_sum', sa.BigInteger(), nullable=False),
    sa.Column('sat0_n', sa.BigInteger(), nullable=False),
    sa.Column('sat0_fb_n', sa.BigInteger(), nullable=False),
    sa.Column('sat0_fb_sum', sa.BigInteger(), nullable=False),
    sa.Column('sat1_n', sa.BigInteger(), nullable=False),
    sa.Column('sat1_fb_n', sa.BigInteger(), nullable=False),
    sa.Column('sat1_fb_sum', sa.BigInteger(), nullable=False),
    sa.Column('sat2_n', sa.BigInteger(), nullable=False),
    sa.Column('sat2_fb_n', sa.BigInteger(), nullable=False),
    sa.Column('sat2_fb_sum', sa.BigInteger(), nullable=False),
    sa.Column('sat3_n', sa.BigInteger(), nullable=False),
    sa.Column('sat3_fb_n', sa.BigInteger(), nullable=False),
    sa.Column('sat3_fb_sum', sa.BigInteger(), nullable=False),
    sa.Column('sat4_n', sa.BigInteger(), nullable=False),
    sa.Column('sat4_fb_n', sa.BigInteger(), nullable=False),
    sa.Column('sat4_fb_sum', sa.BigInteger(), nullable=False),
    sa.Column('sat5_n', sa.BigInteger(), nullable=False),
    sa.Column('sat5_fb_n', sa.BigInteger(), nullable=False),
    sa.Column('sat5_fb_sum', sa.BigInteger(), nullable=False),
    sa.Column('sat6_n', sa.BigInteger(), nullable=False),
    sa.Column('sat6_fb_n', sa.BigInteger(), nullable=False),
    sa.Column('sat6_fb_sum', sa.BigInteger(), nullable=False),
    sa.Column('est_n', sa.BigInteger(), nullable=False),
    sa.Column('est_abs_ms', sa.BigInteger(), nullable=False),
    sa.Column('est_err_ms', sa.BigInteger(), nullable=False),
    sa.Column('est_within', sa.BigInteger(), nullable=False),
    sa.Column('rec_recovered', sa.BigInteger(), nullable=False),
    sa.Column('rec_fb_n1', sa.BigInteger(), nullable=False),
    sa.Column('rec_fb_sum1', sa.BigInteger(), nullable=False),
    sa.Column('rec_fb_n0', sa.BigInteger(), nullable=False),
    sa.Column('rec_fb_sum0', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('branch_id', 'business_date', name=op.f('pk_report_day'))
    )
    op.create_table('report_fact',
    sa.Column('ticket_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('business_date', sa.Date(), nullable=False),
    sa.Column('hour', sa.SmallInteger(), nullable=False),
    sa.Column('weekday', sa.SmallInteger(), nullable=False),
    sa.Column('svc', sa.String(length=4), nullable=False),
    sa.Column('final_svc', sa.String(length=4), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('counter_id', sa.Integer(), nullable=True),
    sa.Column('teller_id', sa.Integer(), nullable=True),
    sa.Column('quoted_s', sa.Integer(), nullable=False),
    sa.Column('vmask', sa.SmallInteger(), nullable=False),
    sa.Column('kiosk_s', sa.Integer(), nullable=True),
    sa.Column('wait_ms', sa.BigInteger(), nullable=True),
    sa.Column('walk_ms', sa.BigInteger(), nullable=True),
    sa.Column('service_ms', sa.BigInteger(), nullable=True),
    sa.Column('feedback', sa.SmallInteger(), nullable=True),
    sa.Column('recovered', sa.SmallInteger(), nullable=False),
    sa.Column('finished_at', server.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('busy_ms', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('ticket_id', name=op.f('pk_report_fact'))
    )
    with op.batch_alter_table('report_fact', schema=None) as batch_op:
        batch_op.create_index('ix_report_fact_counter', ['branch_id', 'counter_id', 'wait_ms', 'business_date'], unique=False)
        batch_op.create_index('ix_report_fact_day', ['branch_id', 'business_date', 'wait_ms'], unique=False)
        batch_op.create_index('ix_report_fact_feedback', ['branch_id', 'feedback', 'business_date', 'final_svc'], unique=False)
        batch_op.create_index('ix_report_fact_finished', ['branch_id', 'finished_at', 'business_date', 'teller_id', 'final_svc', 'status', 'busy_ms', 'service_ms'], unique=False)
        batch_op.create_index('ix_report_fact_hour', ['branch_id', 'hour', 'wait_ms', 'business_date'], unique=False)
        batch_op.create_index('ix_report_fact_kiosk', ['branch_id', 'kiosk_s', 'business_date', 'svc'], unique=False)
        batch_op.create_index('ix_report_fact_service', ['branch_id', 'service_ms', 'business_date', 'final_svc'], unique=False)
        batch_op.create_index('ix_report_fact_svc', ['branch_id', 'svc', 'wait_ms', 'business_date'], unique=False)
        batch_op.create_index('ix_report_fact_teller', ['branch_id', 'teller_id', 'wait_ms', 'business_date'], unique=False)
        batch_op.create_index('ix_report_fact_wait', ['branch_id', 'wait_ms', 'business_date', 'vmask', 'svc', 'final_svc'], unique=False)
        batch_op.create_index('ix_report_fact_walk', ['branch_id', 'walk_ms', 'business_date', 'final_svc'], unique=False)

    op.create_table('report_rollup',
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('business_date', sa.Date(), nullable=False),
    sa.Column('hour', sa.SmallInteger(), nullable=False),
    sa.Column('weekday', sa.SmallInteger(), nullable=False),
    sa.Column('svc', sa.String(length=4), nullable=False),
    sa.Column('counter_id', sa.Integer(), nullable=True),
    sa.Column('teller_id', sa.Integer(), nullable=True),
    sa.Column('tickets', sa.BigInteger(), nullable=False),
    sa.Column('served', sa.BigInteger(), nullable=False),
    sa.Column('no_show', sa.BigInteger(), nullable=False),
    sa.Column('wait_n', sa.BigInteger(), nullable=False),
    sa.Column('wait_ms', sa.BigInteger(), nullable=False),
    sa.Column('service_n', sa.BigInteger(), nullable=False),
    sa.Column('service_ms', sa.BigInteger(), nullable=False),
    sa.Column('fb_n', sa.BigInteger(), nullable=False),
    sa.Column('fb_sum', sa.BigInteger(), nullable=False),
    sa.Column('judged', sa.BigInteger(), nullable=False),
    sa.Column('missed', sa.BigInteger(), nullable=False),
    sa.Column('m_kiosk_n', sa.BigInteger(), nullable=False),
    sa.Column('m_kiosk_missed', sa.BigInteger(), nullable=False),
    sa.Column('m_kiosk_expected', sa.BigInteger(), nullable=False),
    sa.Column('m_kiosk_exclusive', sa.BigInteger(), nullable=False),
    sa.Column('m_kiosk_vsum', sa.BigInteger(), nullable=False),
    sa.Column('m_kiosk_served', sa.BigInteger(), nullable=False),
    sa.Column('m_kiosk_no_show', sa.BigInteger(), nullable=False),
    sa.Column('m_kiosk_wait_n', sa.BigInteger(), nullable=False),
    sa.Column('m_kiosk_wait_ms', sa.BigInteger(), nullable=False),
    sa.Column('m_kiosk_service_n', sa.BigInteger(), nullable=False),
    sa.Column('m_kiosk_service_ms', sa.BigInteger(), nullable=False),
    sa.Column('m_kiosk_fb_n', sa.BigInteger(), nullable=False),
    sa.Column('m_kiosk_fb_sum', sa.BigInteger(), nullable=False),
    sa.Column('m_wait_n', sa.BigInteger(), nullable=False),
    sa.Column('m_wait_missed', sa.BigInteger(), nullable=False),
    sa.Column('m_wait_expected', sa.BigInteger(), nullable=False),
    sa.Column('m_wait_exclusive', sa.BigInteger(), nullable=False),
    sa.Column('m_wait_vsum', sa.BigInteger(), nullable=False),
    sa.Column('m_wait_served', sa.BigInteger(), nullable=False),
    sa.Column('m_wait_no_show', sa.BigInteger(), nullable=False),
    sa.Column('m_wait_wait_n', sa.BigInteger(), nullable=False),
    sa.Column('m_wait_wait_ms', sa.BigInteger(), nullable=False),
    sa.Column('m_wait_service_n', sa.BigInteger(), nullable=False),
    sa.Column('m_wait_service_ms', sa.BigInteger(), nullable=False),
    sa.Column('m_wait_fb_n', sa.BigInteger(), nullable=False),
    sa.Column('m_wait_fb_sum', sa.BigInteger(), nullable=False),
    sa.Column('m_walk_n', sa.BigInteger(), nullable=False),
    sa.Column('m_walk_missed', sa.BigInteger(), nullable=False),
    sa.Column('m_walk_expected', sa.BigInteger(), nullable=False),
    sa.Column('m_walk_exclusive', sa.BigInteger(), nullable=False),
    sa.Column('m_walk_vsum', sa.BigInteger(), nullable=False),
    sa.Column('m_walk_served', sa.BigInteger(), nullable=False),
    sa.Column('m_walk_no_show', sa.BigInteger(), nullable=False),
    sa.Column('m_walk_wait_n', sa.BigInteger(), nullable=False),
    sa.Column('m_walk_wait_ms', sa.BigInteger(), nullable=False),
    sa.Column('m_walk_service_n', sa.BigInteger(), nullable=False),
    sa.Column('m_walk_service_ms', sa.BigInteger(), nullable=False),
    sa.Column('m_walk_fb_n', sa.BigInteger(), nullable=False),
    sa.Column('m_walk_fb_sum', sa.BigInteger(), nullable=False),
    sa.Column('m_service_n', sa.BigInteger(), nullable=False),
    sa.Column('m_service_missed', sa.BigInteger(), nullable=False),
    sa.Column('m_service_expected', sa.BigInteger(), nullable=False),
    sa.Column('m_service_exclusive', sa.BigInteger(), nullable=False),
    sa.Column('m_service_vsum', sa.BigInteger(), nullable=False),
    sa.Column('m_service_served', sa.BigInteger(), nullable=False),
    sa.Column('m_service_no_show', sa.BigInteger(), nullable=False),
    sa.Column('m_service_wait_n', sa.BigInteger(), nullable=False),
    sa.Column('m_service_wait_ms', sa.BigInteger(), nullable=False),
    sa.Column('m_service_service_n', sa.BigInteger(), nullable=False),
    sa.Column('m_service_service_ms', sa.BigInteger(), nullable=False),
    sa.Column('m_service_fb_n', sa.BigInteger(), nullable=False),
    sa.Column('m_service_fb_sum', sa.BigInteger(), nullable=False),
    sa.Column('m_feedback_n', sa.BigInteger(), nullable=False),
    sa.Column('m_feedback_missed', sa.BigInteger(), nullable=False),
    sa.Column('m_feedback_expected', sa.BigInteger(), nullable=False),
    sa.Column('m_feedback_exclusive', sa.BigInteger(), nullable=False),
    sa.Column('m_feedback_vsum', sa.BigInteger(), nullable=False),
    sa.Column('m_feedback_served', sa.BigInteger(), nullable=False),
    sa.Column('m_feedback_no_show', sa.BigInteger(), nullable=False),
    sa.Column('m_feedback_wait_n', sa.BigInteger(), nullable=False),
    sa.Column('m_feedback_wait_ms', sa.BigInteger(), nullable=False),
    sa.Column('m_feedback_service_n', sa.BigInteger(), nullable=False),
    sa.Column('m_feedback_service_ms', sa.BigInteger(), nullable=False),
    sa.Column('m_feedback_fb_n', sa.BigInteger(), nullable=False),
    sa.Column('m_feedback_fb_sum', sa.BigInteger(), nullable=False),
    sa.Column('sat0_n', sa.BigInteger(), nullable=False),
    sa.Column('sat0_fb_n', sa.BigInteger(), nullable=False),
    sa.Column('sat0_fb_sum', sa.BigInteger(), nullable=False),
    sa.Column('sat1_n', sa.BigInteger(), nullable=False),
    sa.Column('sat1_fb_n', sa.BigInteger(), nullable=False),
    sa.Column('sat1_fb_sum', sa.BigInteger(), nullable=False),
    sa.Column('sat2_n', sa.BigInteger(), nullable=False),
    sa.Column('sat2_fb_n', sa.BigInteger(), nullable=False),
    sa.Column('sat2_fb_sum', sa.BigInteger(), nullable=False),
    sa.Column('sat3_n', sa.BigInteger(), nullable=False),
    sa.Column('sat3_fb_n', sa.BigInteger(), nullable=False),
    sa.Column('sat3_fb_sum', sa.BigInteger(), nullable=False),
    sa.Column('sat4_n', sa.BigInteger(), nullable=False),
    sa.Column('sat4_fb_n', sa.BigInteger(), nullable=False),
    sa.Column('sat4_fb_sum', sa.BigInteger(), nullable=False),
    sa.Column('sat5_n', sa.BigInteger(), nullable=False),
    sa.Column('sat5_fb_n', sa.BigInteger(), nullable=False),
    sa.Column('sat5_fb_sum', sa.BigInteger(), nullable=False),
    sa.Column('sat6_n', sa.BigInteger(), nullable=False),
    sa.Column('sat6_fb_n', sa.BigInteger(), nullable=False),
    sa.Column('sat6_fb_sum', sa.BigInteger(), nullable=False),
    sa.Column('est_n', sa.BigInteger(), nullable=False),
    sa.Column('est_abs_ms', sa.BigInteger(), nullable=False),
    sa.Column('est_err_ms', sa.BigInteger(), nullable=False),
    sa.Column('est_within', sa.BigInteger(), nullable=False),
    sa.Column('rec_recovered', sa.BigInteger(), nullable=False),
    sa.Column('rec_fb_n1', sa.BigInteger(), nullable=False),
    sa.Column('rec_fb_sum1', sa.BigInteger(), nullable=False),
    sa.Column('rec_fb_n0', sa.BigInteger(), nullable=False),
    sa.Column('rec_fb_sum0', sa.BigInteger(), nullable=False)
    )
    with op.batch_alter_table('report_rollup', schema=None) as batch_op:
        batch_op.create_index('ix_report_rollup_day', ['branch_id', 'business_date'], unique=False)

    op.create_table('report_state',
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('timezone', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('grading', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('built_through', sa.Date(), nullable=False),
    sa.Column('checked_seq', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['branch_id'], ['branch.id'], name=op.f('fk_report_state_branch_id_branch')),
    sa.PrimaryKeyConstraint('branch_id', name=op.f('pk_report_state'))
    )


def downgrade() -> None:
    op.drop_table('report_state')
    with op.batch_alter_table('report_rollup', schema=None) as batch_op:
        batch_op.drop_index('ix_report_rollup_day')

    op.drop_table('report_rollup')
    with op.batch_alter_table('report_fact', schema=None) as batch_op:
        batch_op.drop_index('ix_report_fact_walk')
        batch_op.drop_index('ix_report_fact_wait')
        batch_op.drop_index('ix_report_fact_teller')
        batch_op.drop_index('ix_report_fact_svc')
        batch_op.drop_index('ix_report_fact_service')
        batch_op.drop_index('ix_report_fact_kiosk')
        batch_op.drop_index('ix_report_fact_hour')
        batch_op.drop_index('ix_report_fact_finished')
        batch_op.drop_index('ix_report_fact_feedback')
        batch_op.drop_index('ix_report_fact_day')
        batch_op.drop_index('ix_report_fact_counter')

    op.drop_table('report_fact')
    op.drop_table('report_day')
    with op.batch_alter_table('report_action', schema=None) as batch_op:
        batch_op.drop_index('ix_report_action_day')

    op.drop_table('report_action')
