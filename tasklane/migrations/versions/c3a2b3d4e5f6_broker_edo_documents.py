"""broker ЭДО: the documents sent for signature and the development adapter's record (issue 15)

Revision ID: c3a2b3d4e5f6
Revises: c4a2b3d4e5f6
Create Date: 2026-12-07 19:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import engine.types  # noqa: F401 - autogenerate renders UTCDateTime columns by path


# revision identifiers, used by Alembic.
revision = 'c3a2b3d4e5f6'
down_revision = 'c4a2b3d4e5f6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('edo_dev_message',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=120), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('counterparty_inn', sa.String(length=12), nullable=False),
    sa.Column('counterparty_kpp', sa.String(length=9), nullable=True),
    sa.Column('counterparty_name', sa.String(length=255), nullable=True),
    sa.Column('sent_by', sa.String(length=80), nullable=False),
    sa.Column('sent_at', engine.types.UTCDateTime(), nullable=False),
    sa.Column('delivered_at', engine.types.UTCDateTime(), nullable=True),
    sa.Column('signed_at', engine.types.UTCDateTime(), nullable=True),
    sa.Column('rejected_at', engine.types.UTCDateTime(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['sha256'], ['attachment_blob.sha256'], name=op.f('fk_edo_dev_message_sha256_attachment_blob')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_edo_dev_message')),
    sa.UniqueConstraint('key', name=op.f('uq_edo_dev_message_key'))
    )
    op.create_table('edo_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('correlation', sa.JSON(), nullable=True),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=120), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('counterparty_inn', sa.String(length=12), nullable=False),
    sa.Column('counterparty_kpp', sa.String(length=9), nullable=True),
    sa.Column('counterparty_name', sa.String(length=255), nullable=True),
    sa.Column('adapter', sa.String(length=100), nullable=False),
    sa.Column('sent_id', sa.String(length=255), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('state_at', engine.types.UTCDateTime(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('requested_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', engine.types.UTCDateTime(), nullable=False),
    sa.Column('sent_at', engine.types.UTCDateTime(), nullable=True),
    sa.Column('reported_at', engine.types.UTCDateTime(), nullable=True),
    sa.Column('report_attempts', sa.Integer(), nullable=False),
    sa.Column('report_after', engine.types.UTCDateTime(), nullable=True),
    sa.Column('report_error', sa.Text(), nullable=True),
    sa.Column('signed_attachment_id', sa.Integer(), nullable=True),
    sa.Column('signature_attachment_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], name=op.f('fk_edo_document_instance_id_process_instance')),
    sa.ForeignKeyConstraint(['sha256'], ['attachment_blob.sha256'], name=op.f('fk_edo_document_sha256_attachment_blob')),
    sa.ForeignKeyConstraint(['signature_attachment_id'], ['attachment.id'], name=op.f('fk_edo_document_signature_attachment_id_attachment')),
    sa.ForeignKeyConstraint(['signed_attachment_id'], ['attachment.id'], name=op.f('fk_edo_document_signed_attachment_id_attachment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_edo_document'))
    )
    with op.batch_alter_table('edo_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_edo_document_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index('ix_edo_document_state', ['state', 'reported_at'], unique=False)


def downgrade():
    with op.batch_alter_table('edo_document', schema=None) as batch_op:
        batch_op.drop_index('ix_edo_document_state')
        batch_op.drop_index(batch_op.f('ix_edo_document_instance_id'))
    op.drop_table('edo_document')
    op.drop_table('edo_dev_message')
