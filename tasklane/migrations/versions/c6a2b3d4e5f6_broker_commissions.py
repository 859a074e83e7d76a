"""broker commissions (issue 15, step 12): the bank's approved amount and the receipts on the
deal, commission policies per product, the commission each completed deal earns

Revision ID: c6a2b3d4e5f6
Revises: c2a2b3d4e5f6
Create Date: 2026-12-02 10:00:00

"""
from alembic import op
import sqlalchemy as sa

import engine.types  # noqa: F401 - UTCDateTime columns by path


revision = 'c6a2b3d4e5f6'
down_revision = 'c2a2b3d4e5f6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('broker_deal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('approved_amount', sa.Numeric(precision=18, scale=2), nullable=True))
        batch_op.add_column(sa.Column('payment_received_at', engine.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('act_signed_at', engine.types.UTCDateTime(), nullable=True))
    op.create_table('broker_commission_policy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('rate_percent', sa.Numeric(precision=6, scale=3), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', engine.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['broker_product.id'], name=op.f('fk_broker_commission_policy_product_id_broker_product')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_broker_commission_policy'))
    )
    op.create_index(op.f('ix_broker_commission_policy_product_id'), 'broker_commission_policy', ['product_id'], unique=False)
    op.create_table('broker_commission',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('partner', sa.String(length=80), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('policy_id', sa.Integer(), nullable=True),
    sa.Column('rate_percent', sa.Numeric(precision=6, scale=3), nullable=False),
    sa.Column('base_amount', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('amount', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('earned_on', sa.Date(), nullable=False),
    sa.Column('earned_at', engine.types.UTCDateTime(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('paid_at', engine.types.UTCDateTime(), nullable=True),
    sa.Column('paid_by', sa.String(length=80), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['deal_id'], ['broker_deal.id'], name=op.f('fk_broker_commission_deal_id_broker_deal')),
    sa.ForeignKeyConstraint(['policy_id'], ['broker_commission_policy.id'], name=op.f('fk_broker_commission_policy_id_broker_commission_policy')),
    sa.ForeignKeyConstraint(['product_id'], ['broker_product.id'], name=op.f('fk_broker_commission_product_id_broker_product')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_broker_commission')),
    sa.UniqueConstraint('deal_id', name=op.f('uq_broker_commission_deal_id'))
    )
    op.create_index(op.f('ix_broker_commission_partner'), 'broker_commission', ['partner'], unique=False)
    op.create_index('ix_broker_commission_state', 'broker_commission', ['state'], unique=False)


def downgrade():
    op.drop_index('ix_broker_commission_state', table_name='broker_commission')
    op.drop_index(op.f('ix_broker_commission_partner'), table_name='broker_commission')
    op.drop_table('broker_commission')
    op.drop_index(op.f('ix_broker_commission_policy_product_id'), table_name='broker_commission_policy')
    op.drop_table('broker_commission_policy')
    with op.batch_alter_table('broker_deal', schema=None) as batch_op:
        batch_op.drop_column('act_signed_at')
        batch_op.drop_column('payment_received_at')
        batch_op.drop_column('approved_amount')
