"""orders have a status (placed, cancelled) and a version counter for corrections

Revision ID: e6f1a3b8c2d7
Revises: d4b7e2c91a05
Create Date: 2026-12-08 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import engine.types


# revision identifiers, used by Alembic.
revision = 'e6f1a3b8c2d7'
down_revision = 'd4b7e2c91a05'
branch_labels = None
depends_on = None


def upgrade():
    # Every order stored before this revision was placed and never corrected: the server
    # defaults fill the existing rows, then go, so from now on the application sets them
    # (model defaults). On SQLite the second step copies the table; batch mode keeps its indexes.
    with op.batch_alter_table('crm_order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=20), nullable=False, server_default='placed'))
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('updated_at', engine.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('updated_by', sa.String(length=80), nullable=True))
    with op.batch_alter_table('crm_order', schema=None) as batch_op:
        batch_op.alter_column('status', server_default=None)
        batch_op.alter_column('version', server_default=None)


def downgrade():
    with op.batch_alter_table('crm_order', schema=None) as batch_op:
        batch_op.drop_column('updated_by')
        batch_op.drop_column('updated_at')
        batch_op.drop_column('version')
        batch_op.drop_column('status')
