"""a department's queue reads its proposals newest first off an index

Revision ID: 0021_queue_index
Revises: 0020_reference_stamp
Create Date: 2026-11-27 22:40:00
"""
from alembic import op

revision = '0021_queue_index'
down_revision = '0020_reference_stamp'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_proposals_dept_id', 'proposals', ['lead_department_id', 'id'])


def downgrade() -> None:
    op.drop_index('ix_proposals_dept_id', table_name='proposals')
