"""deadlines that other tasks of the case pause (issue 15): human_task.paused_since and the
case_deadline ledger

Revision ID: c4a2b3d4e5f6
Revises: c1a2b3d4e5f6
Create Date: 2026-12-09 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4a2b3d4e5f6'
down_revision = 'c1a2b3d4e5f6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'case_deadline',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('instance_id', sa.Integer(), nullable=False),
        sa.Column('element_id', sa.String(length=255), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=False),
        sa.Column('base_due_at', sa.DateTime(), nullable=False),
        sa.Column('calendar', sa.String(length=40), nullable=True),
        sa.Column('paused_seconds', sa.Float(), nullable=False),
        sa.Column('paused_since', sa.DateTime(), nullable=True),
        sa.Column('pauses', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('instance_id', 'element_id'),
    )
    with op.batch_alter_table('case_deadline', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_deadline_instance_id'), ['instance_id'], unique=False)
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paused_since', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.drop_column('paused_since')
    with op.batch_alter_table('case_deadline', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_deadline_instance_id'))
    op.drop_table('case_deadline')
