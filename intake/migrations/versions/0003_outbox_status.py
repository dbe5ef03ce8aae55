"""outbox status: one of pending, sending, sent, failed (OutboxStatus)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 10:00:00.000000
"""
from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # batch mode: SQLite adds a CHECK constraint by copying the table
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_check_constraint(
            op.f('ck_outbox_outbox_status'),
            "status IN ('pending', 'sending', 'sent', 'failed')",
        )


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_outbox_outbox_status'), type_='check')
