"""files deployed with a version, lane roles and pins (issue 14)

Revision ID: f1b2c3d4e5a6
Revises: e6a1f3c82b47
Create Date: 2026-12-07 18:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f1b2c3d4e5a6'
down_revision = 'e6a1f3c82b47'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'version_file',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('content', sa.Text(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['version_id'], ['process_version.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('version_id', 'name'),
    )
    with op.batch_alter_table('version_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_version_file_version_id'), ['version_id'], unique=False)
    with op.batch_alter_table('process_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lane_roles', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('pins', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('process_version', schema=None) as batch_op:
        batch_op.drop_column('pins')
        batch_op.drop_column('lane_roles')
    with op.batch_alter_table('version_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_version_file_version_id'))
    op.drop_table('version_file')
