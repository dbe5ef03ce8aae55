"""easy Japanese: the readings of departments', themes' and districts' names, stored

Revision ID: 0024_name_readings
Revises: 0023_kept_figures
Create Date: 2026-11-28 02:30:00

``name_readings`` holds the easy-Japanese name (``name_easy``, else ``name_ja``) with
readings in the ruby notation of :mod:`intake.i18n.reading_markup`, suggested by the
analyser when the name is written (:mod:`intake.easy_names`), so that the easy-Japanese
pages show it without loading the analyser.  Existing rows get theirs here.
"""
import sqlalchemy as sa
from alembic import op

revision = '0024_name_readings'
down_revision = '0023_kept_figures'
branch_labels = None
depends_on = None

TABLES = ('departments', 'categories', 'districts')


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('name_readings', sa.Text(), nullable=True))
    connection = op.get_bind()
    rows = {table: connection.execute(sa.text(
        f"SELECT id, name_ja, name_easy FROM {table}")).all() for table in TABLES}
    if not any(rows.values()):
        return
    from intake.i18n import reading_markup  # the analyser: only when there are names

    for table, found in rows.items():
        for row_id, name_ja, name_easy in found:
            connection.execute(
                sa.text(f"UPDATE {table} SET name_readings = :n WHERE id = :id"),
                {"n": reading_markup.suggest(name_easy or name_ja), "id": row_id})


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column('name_readings')
