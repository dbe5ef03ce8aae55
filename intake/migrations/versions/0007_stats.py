"""the office's figures: business days to each ruling, indexes for the dashboard and agenda

Revision ID: 0007_stats
Revises: 0006_admin
Create Date: 2026-11-27 11:00:00

``proposals.ruling_business_days`` is set when a ruling is recorded
(intake/workflow/operations.py); rows ruled before this revision are filled in here, in
batches, with the same calendar (workflows/calendar.py).
"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from workflows.calendar import JST, business_days_between

revision = '0007_stats'
down_revision = '0006_admin'
branch_labels = None
depends_on = None

BATCH = 1000

proposals = sa.table(
    'proposals',
    sa.column('id', sa.Integer),
    sa.column('submitted_at', sa.DateTime),
    sa.column('ruled_at', sa.DateTime),
    sa.column('ruling_business_days', sa.Integer),
)


def _japanese_date(stored: datetime):
    """Stored datetimes are naive UTC (intake/models/base.py UTCDateTime)."""
    return stored.replace(tzinfo=UTC).astimezone(JST).date()


def upgrade() -> None:
    with op.batch_alter_table('proposals') as batch:
        batch.add_column(sa.Column('ruling_business_days', sa.Integer(), nullable=True))
    op.create_index('ix_proposals_dept_ruling', 'proposals',
                    ['lead_department_id', 'ruling_decision', 'ruling_business_days'])
    op.create_index('ix_proposals_submitted_at', 'proposals', ['submitted_at'])
    op.create_index('ix_proposals_ruled_at', 'proposals', ['ruled_at'])
    op.create_index('ix_events_action_proposal_id', 'events', ['action', 'proposal_id'])
    backfill(op.get_bind())


def backfill(connection) -> None:
    """Every ruled row without a duration, a batch of ids at a time (keyset on id)."""
    last = 0
    while True:
        rows = connection.execute(
            sa.select(proposals.c.id, proposals.c.submitted_at, proposals.c.ruled_at)
            .where(proposals.c.id > last, proposals.c.ruled_at.is_not(None),
                   proposals.c.ruling_business_days.is_(None))
            .order_by(proposals.c.id).limit(BATCH)
        ).all()
        if not rows:
            return
        connection.execute(
            proposals.update().where(proposals.c.id == sa.bindparam('row_id'))
            .values(ruling_business_days=sa.bindparam('days')),
            [{'row_id': row.id,
              'days': business_days_between(_japanese_date(row.submitted_at),
                                            _japanese_date(row.ruled_at))}
             for row in rows],
        )
        last = rows[-1].id


def downgrade() -> None:
    op.drop_index('ix_events_action_proposal_id', table_name='events')
    op.drop_index('ix_proposals_ruled_at', table_name='proposals')
    op.drop_index('ix_proposals_submitted_at', table_name='proposals')
    op.drop_index('ix_proposals_dept_ruling', table_name='proposals')
    with op.batch_alter_table('proposals') as batch:
        batch.drop_column('ruling_business_days')
