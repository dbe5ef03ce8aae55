"""rulings carry their reason code; event actions and actors are closed lists

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 10:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

ACTIONS = ("submit", "route", "transfer", "transition", "extend", "escalate",
           "opinion_request", "opinion_answer", "opinion_waive", "session", "comment_period",
           "comment", "tracking_link")


def upgrade() -> None:
    with op.batch_alter_table('proposals') as batch:
        batch.add_column(sa.Column('ruling_reason_code', sa.String(length=40), nullable=True))
    # Rulings recorded before this revision kept their reason code in the event only.
    with op.batch_alter_table('events') as batch:
        batch.create_check_constraint(
            op.f('ck_events_action_known'), 'action IN (' + ', '.join(f"'{a}'" for a in ACTIONS) + ')')
        batch.create_check_constraint(
            op.f('ck_events_actor_known'), "actor IN ('proposer', 'public', 'system') OR actor LIKE 'user:%'")


def downgrade() -> None:
    with op.batch_alter_table('events') as batch:
        batch.drop_constraint(op.f('ck_events_actor_known'), type_='check')
        batch.drop_constraint(op.f('ck_events_action_known'), type_='check')
    with op.batch_alter_table('proposals') as batch:
        batch.drop_column('ruling_reason_code')
