"""business calendars: working hours an admin changed, and days made working or not

Revision ID: b2ca1e0da7e5
Revises: a5f1c0de5e55
Create Date: 2026-12-07 10:55:00.000000

"""
from alembic import op
import sqlalchemy as sa

import engine.types


# revision identifiers, used by Alembic.
revision = 'b2ca1e0da7e5'
down_revision = 'a5f1c0de5e55'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('business_calendar',
    sa.Column('name', sa.String(length=20), nullable=False),
    sa.Column('work_start', sa.Time(), nullable=False),
    sa.Column('work_end', sa.Time(), nullable=False),
    sa.Column('updated_by', sa.String(length=80), nullable=False),
    sa.Column('updated_at', engine.types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_business_calendar'))
    )
    op.create_table('calendar_exception',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('calendar', sa.String(length=20), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('working', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('set_by', sa.String(length=80), nullable=False),
    sa.Column('set_at', engine.types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_exception')),
    sa.UniqueConstraint('calendar', 'day', name=op.f('uq_calendar_exception_calendar'))
    )


def downgrade():
    op.drop_table('calendar_exception')
    op.drop_table('business_calendar')
