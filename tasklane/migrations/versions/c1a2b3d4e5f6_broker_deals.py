"""broker deals (issue 15): credit products, their checklists and client questions, deals
and their documents

Revision ID: c1a2b3d4e5f6
Revises: f1b2c3d4e5a6
Create Date: 2026-12-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa

import engine.types  # noqa: F401 - UTCDateTime columns by path


revision = 'c1a2b3d4e5f6'
down_revision = 'f1b2c3d4e5a6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('broker_product',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name_ru', sa.String(length=200), nullable=False),
    sa.Column('name_vi', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', engine.types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_broker_product')),
    sa.UniqueConstraint('code', name=op.f('uq_broker_product_code'))
    )
    op.create_table('broker_checklist_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('title_ru', sa.String(length=200), nullable=False),
    sa.Column('title_vi', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['broker_product.id'], name=op.f('fk_broker_checklist_item_product_id_broker_product')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_broker_checklist_item')),
    sa.UniqueConstraint('product_id', 'code', name=op.f('uq_broker_checklist_item_product_id'))
    )
    op.create_index(op.f('ix_broker_checklist_item_product_id'), 'broker_checklist_item', ['product_id'], unique=False)
    op.create_table('broker_client_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('text_ru', sa.String(length=500), nullable=False),
    sa.Column('text_vi', sa.String(length=500), nullable=False),
    sa.Column('text_en', sa.String(length=500), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['broker_product.id'], name=op.f('fk_broker_client_question_product_id_broker_product')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_broker_client_question')),
    sa.UniqueConstraint('product_id', 'code', name=op.f('uq_broker_client_question_product_id'))
    )
    op.create_index(op.f('ix_broker_client_question_product_id'), 'broker_client_question', ['product_id'], unique=False)
    op.create_table('broker_deal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partner', sa.String(length=80), nullable=False),
    sa.Column('company_name', sa.String(length=300), nullable=False),
    sa.Column('inn', sa.String(length=12), nullable=False),
    sa.Column('ogrn', sa.String(length=15), nullable=True),
    sa.Column('contact_name', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('amount', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('term_months', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('answered_questions', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('precheck', sa.JSON(), nullable=True),
    sa.Column('facts', sa.JSON(), nullable=False),
    sa.Column('analysis_due_at', engine.types.UTCDateTime(), nullable=True),
    sa.Column('range_from', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('range_to', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('close_reason', sa.Text(), nullable=True),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('created_at', engine.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', engine.types.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], name=op.f('fk_broker_deal_instance_id_process_instance')),
    sa.ForeignKeyConstraint(['product_id'], ['broker_product.id'], name=op.f('fk_broker_deal_product_id_broker_product')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_broker_deal'))
    )
    op.create_index(op.f('ix_broker_deal_instance_id'), 'broker_deal', ['instance_id'], unique=False)
    op.create_index(op.f('ix_broker_deal_inn'), 'broker_deal', ['inn'], unique=False)
    op.create_index(op.f('ix_broker_deal_partner'), 'broker_deal', ['partner'], unique=False)
    op.create_index(op.f('ix_broker_deal_product_id'), 'broker_deal', ['product_id'], unique=False)
    op.create_index('ix_broker_deal_state_step', 'broker_deal', ['state', 'step'], unique=False)
    op.create_table('broker_deal_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('attachment_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', engine.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['attachment_id'], ['attachment.id'], name=op.f('fk_broker_deal_document_attachment_id_attachment')),
    sa.ForeignKeyConstraint(['deal_id'], ['broker_deal.id'], name=op.f('fk_broker_deal_document_deal_id_broker_deal')),
    sa.ForeignKeyConstraint(['item_id'], ['broker_checklist_item.id'], name=op.f('fk_broker_deal_document_item_id_broker_checklist_item')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_broker_deal_document')),
    sa.UniqueConstraint('attachment_id', name=op.f('uq_broker_deal_document_attachment_id'))
    )
    op.create_index(op.f('ix_broker_deal_document_deal_id'), 'broker_deal_document', ['deal_id'], unique=False)


def downgrade():
    op.drop_table('broker_deal_document')
    op.drop_table('broker_deal')
    op.drop_table('broker_client_question')
    op.drop_table('broker_checklist_item')
    op.drop_table('broker_product')
