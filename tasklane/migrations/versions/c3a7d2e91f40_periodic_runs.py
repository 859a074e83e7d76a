"""periodic jobs: one row per occurrence, keyed by job and scheduled time

Revision ID: c3a7d2e91f40
Revises: b2ca1e0da7e5
Create Date: 2026-12-07 11:10:00.000000

"""
from alembic import op
import sqlalchemy as sa

import engine.types


# revision identifiers, used by Alembic.
revision = 'c3a7d2e91f40'
down_revision = 'b2ca1e0da7e5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('periodic_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job', sa.String(length=100), nullable=False),
    sa.Column('scheduled_at', engine.types.UTCDateTime(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('started_at', engine.types.UTCDateTime(), nullable=True),
    sa.Column('finished_at', engine.types.UTCDateTime(), nullable=True),
    sa.Column('outcome', sa.String(length=500), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_at', engine.types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_periodic_run')),
    sa.UniqueConstraint('job', 'scheduled_at', name=op.f('uq_periodic_run_job'))
    )
    with op.batch_alter_table('periodic_run', schema=None) as batch_op:
        batch_op.create_index('ix_periodic_run_state', ['state'], unique=False)


def downgrade():
    with op.batch_alter_table('periodic_run', schema=None) as batch_op:
        batch_op.drop_index('ix_periodic_run_state')
    op.drop_table('periodic_run')
