"""reference stamp: one row that changes with every change to themes, districts,
departments, routing rules or staff, so each process can cache them (intake.reference)

Revision ID: 0020_reference_stamp
Revises: 0019_attachments
Create Date: 2026-11-27 19:50:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0020_reference_stamp'
down_revision = '0019_attachments'
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        'reference_stamp',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('stamp', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reference_stamp')),
    )
    op.bulk_insert(table, [{'id': 1, 'stamp': 'initial'}])


def downgrade() -> None:
    op.drop_table('reference_stamp')
