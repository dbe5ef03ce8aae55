"""search: on PostgreSQL the index vectors also hold each text's trigrams

Revision ID: 0027_search_trigrams
Revises: 0026_kept_basis
Create Date: 2026-11-28 14:00:00

A three-character word such as 壇の花 was looked up by its two pairs, each common (in
4–6 % of the generated texts) but never adjacent: 20,000 candidates at 1,000,000
proposals, each row read for ``strpos``, 0.13–0.8 s.  The vectors now also hold every
three-character window of each run and such a word is looked up by its trigrams
(intake/search/index.py, query.py).  Here the rows' vectors are rewritten from their
folded text with the application's own ``stored_terms``, in batches (keyset on the id),
the GIN indexes dropped before and made again after (one sort instead of a million
updates of each).  The ``terms`` column's statistics keep 300 × 10 most common terms
(the default 100 × 10 would leave the planner guessing about common trigrams, and
``known_to_the_planner`` would send a common word to the lookup meant for rare ones);
rows up to 4080 bytes stay in the table's page instead of TOAST (a candidate's row is one
page read).  SQLite's FTS5 phrase is exact already: nothing to do.
"""
import sqlalchemy as sa
from alembic import op

from intake.search.index import quote_lexeme, stored_terms, terms

revision = '0027_search_trigrams'
down_revision = '0026_kept_basis'
branch_labels = None
depends_on = None

BATCH = 5000
TABLES = ('search_original', 'search_public')


def upgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        return
    rebuild(lambda folded: stored_terms('postgresql', folded), statistics=300,
            options='SET (toast_tuple_target = 4080)')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        return
    # 0010's vectors: the distinct bigrams and each run's last character.
    rebuild(lambda folded: ' '.join(map(quote_lexeme, dict.fromkeys(terms(folded)))),
            statistics=-1, options='RESET (toast_tuple_target)')


def rebuild(vector, statistics: int, options: str) -> None:
    connection = op.get_bind()
    op.execute("SET LOCAL maintenance_work_mem = '256MB'")  # the GIN indexes' sort
    for name in TABLES:
        op.execute(f'DROP INDEX ix_{name}_terms')
        op.execute(f'ALTER TABLE {name} {options}')
        op.execute(f'ALTER TABLE {name} ALTER COLUMN terms SET STATISTICS {statistics}')
        last = 0
        while True:
            rows = connection.execute(sa.text(
                f'SELECT proposal_id, folded FROM {name} WHERE proposal_id > :last '
                'ORDER BY proposal_id LIMIT :batch'), {'last': last, 'batch': BATCH}).all()
            if not rows:
                break
            connection.execute(sa.text(
                f'UPDATE {name} SET terms = CAST(v.terms AS tsvector) '
                'FROM unnest(CAST(:ids AS integer[]), CAST(:terms AS text[])) '
                'AS v(id, terms) WHERE proposal_id = v.id'),
                {'ids': [row[0] for row in rows], 'terms': [vector(row[1]) for row in rows]})
            last = rows[-1][0]
        op.execute(f'CREATE INDEX ix_{name}_terms ON {name} USING gin (terms)')
        op.execute(f'ANALYZE {name}')
