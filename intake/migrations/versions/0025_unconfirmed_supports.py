"""supports: an index of the unconfirmed ones by age, for the worker that forgets them once
their confirmation link has expired (intake.supports.expiry)

Revision ID: 0025_unconfirmed_supports
Revises: 0024_name_readings
Create Date: 2026-11-28 09:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0025_unconfirmed_supports'
down_revision = '0024_name_readings'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_supports_unconfirmed', 'supports', ['created_at'],
                    sqlite_where=sa.text('confirmed_at IS NULL'),
                    postgresql_where=sa.text('confirmed_at IS NULL'))


def downgrade() -> None:
    op.drop_index('ix_supports_unconfirmed', table_name='supports')
