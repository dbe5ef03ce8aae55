"""a liaison's overdue proposals in due-date order, per running state, off an index

Revision ID: 0022_dept_overdue_index
Revises: 0021_queue_index
Create Date: 2026-11-27 23:40:00
"""
from alembic import op

revision = '0022_dept_overdue_index'
down_revision = '0021_queue_index'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_proposals_dept_overdue', 'proposals',
                    ['lead_department_id', 'kind', 'state', 'due_on'])


def downgrade() -> None:
    op.drop_index('ix_proposals_dept_overdue', table_name='proposals')
