"""search: on PostgreSQL the index vectors also hold each text's trigrams

Revision ID: 0028_search_trigrams
Revises: 0027_pending_readings
Create Date: 2026-11-28 14:00:00

A three-character word such as 壇の花 was looked up by its two pairs, each common (in
4–6 % of the generated texts) but never adjacent: 20,000 candidates at 1,000,000
proposals, each row read for ``strpos``, 0.13–0.8 s.  The vectors now also hold every
three-character window of each run and such a word is looked up by its trigrams
(intake/search/index.py, query.py).  Here each table is built anew beside the old one
from the folded texts, their vectors made by the application's own ``stored_terms`` in
batches (keyset on the id), then swapped in, its key, foreign key and GIN index made
after the load (one sort each).  Rewriting the rows in place instead left every old
version behind: the table tripled (1.5 → 4.9 GB at 1,000,000), and a common word's
count, a bitmap too large to keep per row, read the dead pages too (花壇: 0.4 s instead of
50 ms).  The ``terms`` column's statistics keep 300 × 10 most common terms (the default
100 × 10 would leave the planner guessing about common trigrams, and
``known_to_the_planner`` would send a common word to the lookup meant for rare ones);
rows up to 4080 bytes stay in the table's page instead of TOAST (a candidate's row is one
page read).  SQLite's FTS5 phrase is exact already: nothing to do.
"""
import sqlalchemy as sa
from alembic import op

from intake.search.index import quote_lexeme, stored_terms, terms

revision = '0028_search_trigrams'
down_revision = '0027_pending_readings'
branch_labels = None
depends_on = None

BATCH = 5000
TABLES = ('search_original', 'search_public')


def upgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        return
    rebuild(lambda folded: stored_terms('postgresql', folded), statistics=300,
            options=' WITH (toast_tuple_target = 4080)')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        return
    # 0010's vectors: the distinct bigrams and each run's last character.
    rebuild(lambda folded: ' '.join(map(quote_lexeme, dict.fromkeys(terms(folded)))),
            statistics=-1, options='')


def rebuild(vector, statistics: int, options: str) -> None:
    """Each index table copied into a new one with ``vector(folded)`` as its terms, and
    put in the old one's place under the same names."""
    connection = op.get_bind()
    op.execute("SET LOCAL maintenance_work_mem = '256MB'")  # the indexes' sorts
    for name in TABLES:
        new = f'{name}_rebuilt'
        op.execute(f'CREATE TABLE {new} (proposal_id INTEGER NOT NULL, '
                   f'folded TEXT NOT NULL, terms TSVECTOR NOT NULL){options}')
        op.execute(f'ALTER TABLE {new} ALTER COLUMN terms SET STATISTICS {statistics}')
        last = 0
        while True:
            rows = connection.execute(sa.text(
                f'SELECT proposal_id, folded FROM {name} WHERE proposal_id > :last '
                'ORDER BY proposal_id LIMIT :batch'), {'last': last, 'batch': BATCH}).all()
            if not rows:
                break
            connection.execute(sa.text(
                f'INSERT INTO {new} (proposal_id, folded, terms) '
                'SELECT old.proposal_id, old.folded, CAST(v.terms AS tsvector) '
                f'FROM unnest(CAST(:ids AS integer[]), CAST(:terms AS text[])) '
                f'WITH ORDINALITY AS v(id, terms, n) JOIN {name} AS old '
                'ON old.proposal_id = v.id ORDER BY v.n'),
                {'ids': [row[0] for row in rows], 'terms': [vector(row[1]) for row in rows]})
            last = rows[-1][0]
        op.execute(f'DROP TABLE {name}')
        op.execute(f'ALTER TABLE {new} RENAME TO {name}')
        op.execute(f'ALTER TABLE {name} ADD CONSTRAINT {name}_pkey PRIMARY KEY (proposal_id)')
        op.execute(f'ALTER TABLE {name} ADD CONSTRAINT {name}_proposal_id_fkey '
                   'FOREIGN KEY (proposal_id) REFERENCES proposals (id) ON DELETE CASCADE')
        op.execute(f'CREATE INDEX ix_{name}_terms ON {name} USING gin (terms)')
        op.execute(f'ANALYZE {name}')
