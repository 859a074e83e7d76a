"""broker paperwork: document templates, numbering counters, issued documents, requisites (issue 15)

Revision ID: c2a2b3d4e5f6
Revises: c3a2b3d4e5f6
Create Date: 2026-12-08 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import engine.types


# revision identifiers, used by Alembic.
revision = 'c2a2b3d4e5f6'
down_revision = 'c3a2b3d4e5f6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'broker_document_template',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('docx', sa.LargeBinary(), nullable=False),
        sa.Column('docx_name', sa.String(length=255), nullable=False),
        sa.Column('html', sa.Text(), nullable=False),
        sa.Column('note', sa.String(length=500), nullable=False),
        sa.Column('created_by', sa.String(length=80), nullable=False),
        sa.Column('created_at', engine.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_broker_document_template')),
        sa.UniqueConstraint('kind', 'version', name=op.f('uq_broker_document_template_kind')),
    )
    op.create_table(
        'broker_document_counter',
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('last', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('kind', 'year', name=op.f('pk_broker_document_counter')),
    )
    op.create_table(
        'broker_paperwork_setting',
        sa.Column('key', sa.String(length=40), nullable=False),
        sa.Column('value', sa.Text(), nullable=False),
        sa.Column('updated_by', sa.String(length=80), nullable=False),
        sa.Column('updated_at', engine.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_broker_paperwork_setting')),
    )
    op.create_table(
        'broker_document',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=40), nullable=False),
        sa.Column('document_date', sa.Date(), nullable=False),
        sa.Column('instance_id', sa.Integer(), nullable=False),
        sa.Column('template_id', sa.Integer(), nullable=False),
        sa.Column('docx_attachment_id', sa.Integer(), nullable=False),
        sa.Column('pdf_attachment_id', sa.Integer(), nullable=False),
        sa.Column('amount', sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('issued_by', sa.String(length=80), nullable=False),
        sa.Column('issued_at', engine.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['docx_attachment_id'], ['attachment.id'],
                                name=op.f('fk_broker_document_docx_attachment_id_attachment')),
        sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'],
                                name=op.f('fk_broker_document_instance_id_process_instance')),
        sa.ForeignKeyConstraint(['pdf_attachment_id'], ['attachment.id'],
                                name=op.f('fk_broker_document_pdf_attachment_id_attachment')),
        sa.ForeignKeyConstraint(['template_id'], ['broker_document_template.id'],
                                name=op.f('fk_broker_document_template_id_broker_document_template')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_broker_document')),
        sa.UniqueConstraint('kind', 'year', 'seq', name=op.f('uq_broker_document_kind')),
        sa.UniqueConstraint('number', name=op.f('uq_broker_document_number')),
    )
    with op.batch_alter_table('broker_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_broker_document_instance_id'), ['instance_id'], unique=False)


def downgrade():
    with op.batch_alter_table('broker_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_broker_document_instance_id'))
    op.drop_table('broker_document')
    op.drop_table('broker_paperwork_setting')
    op.drop_table('broker_document_counter')
    op.drop_table('broker_document_template')
