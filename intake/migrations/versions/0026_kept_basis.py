"""the dashboard's kept counts note what they were counted under (which states of each
workflow run the clock), so the worker recounts them when a city changes its workflows

Revision ID: 0026_kept_basis
Revises: 0025_unconfirmed_supports
Create Date: 2026-11-28 09:45:00

Left empty: the first worker pass counts afresh and writes the row.
"""
import sqlalchemy as sa
from alembic import op

revision = '0026_kept_basis'
down_revision = '0025_unconfirmed_supports'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'kept_basis',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_kept_basis')),
    )


def downgrade() -> None:
    op.drop_table('kept_basis')
