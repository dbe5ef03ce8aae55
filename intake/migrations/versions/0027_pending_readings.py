"""published_texts: a partial index of the titles whose readings are pending, for the
worker that suggests them (intake.privacy.pending_readings)

Revision ID: 0027_pending_readings
Revises: 0026_kept_basis
Create Date: 2026-11-28 14:00:00

Publishing a title now leaves ``title_easy`` NULL and the worker suggests the readings,
so a web worker never loads the analyser's dictionary.  Rows published before 0012 that
never had readings are pending too: the worker's first passes give them theirs.
"""
import sqlalchemy as sa
from alembic import op

revision = '0027_pending_readings'
down_revision = '0026_kept_basis'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_published_texts_pending_readings', 'published_texts',
                    ['proposal_id'],
                    sqlite_where=sa.text('title_easy IS NULL'),
                    postgresql_where=sa.text('title_easy IS NULL'))


def downgrade() -> None:
    op.drop_index('ix_published_texts_pending_readings', table_name='published_texts')
