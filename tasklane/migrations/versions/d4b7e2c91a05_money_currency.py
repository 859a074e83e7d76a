"""money columns carry their currency: loan products' limits, referral amounts, commissions

Revision ID: d4b7e2c91a05
Revises: c3a7d2e91f40
Create Date: 2026-12-07 12:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4b7e2c91a05'
down_revision = 'c3a7d2e91f40'
branch_labels = None
depends_on = None

TABLES = ('lending_product', 'lending_referral', 'lending_referral_commission')


def upgrade():
    # Every amount stored before this revision was in dong (the only currency the code
    # knew then): the server default fills the existing rows, then goes, so from now on
    # the application names the currency of each row (a model default from the domain's
    # place). On SQLite the second step copies the table; batch mode keeps its indexes.
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('currency', sa.String(length=3), nullable=False, server_default='VND'))
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('currency', server_default=None)


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('currency')
