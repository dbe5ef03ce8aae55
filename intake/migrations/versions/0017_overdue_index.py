"""the office's figures count overdue proposals off an index

Revision ID: 0017_overdue_index
Revises: 0016_erasable_reasons
Create Date: 2026-11-27 18:30:00
"""
from alembic import op

revision = '0017_overdue_index'
down_revision = '0016_erasable_reasons'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_proposals_overdue', 'proposals',
                    ['kind', 'state', 'due_on', 'lead_department_id'])


def downgrade() -> None:
    op.drop_index('ix_proposals_overdue', table_name='proposals')
