"""process names and task instructions per language (issue 13)

Revision ID: e6a1f3c82b47
Revises: e6f1a3b8c2d7
Create Date: 2026-12-07 16:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

from engine import texts
from engine.xml_safety import parse


# revision identifiers, used by Alembic.
revision = 'e6a1f3c82b47'
down_revision = 'e6f1a3b8c2d7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('process_definition', schema=None) as batch_op:
        batch_op.add_column(sa.Column('titles', sa.JSON(), nullable=True))
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('instructions_texts', sa.JSON(), nullable=True))
    # Each process's names per language, read from its latest version as a deploy reads
    # them; open tasks keep their one text (the fallback) until their case moves on.
    bind = op.get_bind()
    definition = sa.table('process_definition', sa.column('id'), sa.column('key'), sa.column('name'),
                          sa.column('latest_version'), sa.column('titles', sa.JSON()))
    version = sa.table('process_version', sa.column('definition_id'), sa.column('version'),
                       sa.column('bpmn_xml'))
    rows = bind.execute(sa.select(definition.c.id, definition.c.key, definition.c.name, version.c.bpmn_xml)
                        .select_from(definition.join(version, sa.and_(
                            version.c.definition_id == definition.c.id,
                            version.c.version == definition.c.latest_version)))).all()
    for ident, key, name, xml in rows:
        document = texts.read(parse(xml, max_bytes=texts.MAX_XML_BYTES))
        bind.execute(definition.update().where(definition.c.id == ident)
                     .values(titles=document.titles(key, name)))


def downgrade():
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.drop_column('instructions_texts')
    with op.batch_alter_table('process_definition', schema=None) as batch_op:
        batch_op.drop_column('titles')
