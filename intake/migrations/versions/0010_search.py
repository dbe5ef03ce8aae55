"""search: bigram indexes of the original text (staff) and of the public copy

Revision ID: 0010_search
Revises: 0009_comments_status
Create Date: 2026-12-01 10:00:00

Two indexes (intake/search/index.py): ``search_original`` over what proposers wrote and
``search_public`` over the public copies (``published_texts``).  SQLite: contentless FTS5
tables whose rowid is the proposal id, every character not a space a token character.
PostgreSQL: a table per index with the folded text and a ``tsvector`` of its terms under
a GIN index.  Existing rows are indexed here, in batches (keyset on the id), with the
same folding as the application (a later change of the folding rebuilds them).
"""
import sqlalchemy as sa
from alembic import op

from intake.search.index import Entry, document, write

revision = '0010_search'
down_revision = '0009_comments_status'
branch_labels = None
depends_on = None

BATCH = 2000
# Every Unicode category but separators (Z*): a token is whatever lies between spaces.
FTS5 = ("fts5(terms, content='', columnsize=0, "
        "tokenize=\"unicode61 remove_diacritics 0 categories 'L* M* N* P* S* C*'\")")

proposals = sa.table(
    'proposals', sa.column('id', sa.Integer), sa.column('title', sa.String),
    sa.column('problem', sa.Text), sa.column('proposal_text', sa.Text),
)
published_texts = sa.table(
    'published_texts', sa.column('proposal_id', sa.Integer), sa.column('title', sa.Text),
    sa.column('problem', sa.Text), sa.column('proposal_text', sa.Text),
)


def upgrade() -> None:
    connection = op.get_bind()
    for name in ('search_original', 'search_public'):
        if connection.dialect.name == 'sqlite':
            op.execute(f'CREATE VIRTUAL TABLE {name} USING {FTS5}')
        else:
            op.execute(f'CREATE TABLE {name} ('
                       'proposal_id INTEGER PRIMARY KEY '
                       'REFERENCES proposals (id) ON DELETE CASCADE, '
                       'folded TEXT NOT NULL, terms TSVECTOR NOT NULL)')
            op.execute(f'CREATE INDEX ix_{name}_terms ON {name} USING gin (terms)')
    backfill(connection, proposals, proposals.c.id, 'search_original')
    backfill(connection, published_texts, published_texts.c.proposal_id, 'search_public')


def backfill(connection, source, key, index: str) -> None:
    last = 0
    while True:
        rows = connection.execute(
            sa.select(key, source.c.title, source.c.problem, source.c.proposal_text)
            .where(key > last).order_by(key).limit(BATCH)
        ).all()
        if not rows:
            return
        write(connection, index, [
            Entry(row[0], None, document({'title': row.title, 'problem': row.problem,
                                          'proposal': row.proposal_text}))
            for row in rows
        ])
        last = rows[-1][0]


def downgrade() -> None:
    for name in ('search_public', 'search_original'):
        op.execute(f'DROP TABLE {name}')
