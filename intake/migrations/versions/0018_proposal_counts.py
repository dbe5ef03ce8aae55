"""proposals per department × state, kept as they change (intake/office/counts.py)

Revision ID: 0018_proposal_counts
Revises: 0017_overdue_index
Create Date: 2026-11-27 18:45:00

The table starts from one count of the proposals already there.
"""
import sqlalchemy as sa
from alembic import op

revision = '0018_proposal_counts'
down_revision = '0017_overdue_index'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'proposal_counts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('lead_department_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('state', sa.String(length=40), nullable=False),
        sa.Column('delta', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['lead_department_id'], ['departments.id'],
                                name=op.f('fk_proposal_counts_lead_department_id_departments')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_counts')),
    )
    op.execute(
        "INSERT INTO proposal_counts (lead_department_id, kind, state, delta) "
        "SELECT lead_department_id, kind, state, COUNT(*) FROM proposals "
        "GROUP BY lead_department_id, kind, state")


def downgrade() -> None:
    op.drop_table('proposal_counts')
