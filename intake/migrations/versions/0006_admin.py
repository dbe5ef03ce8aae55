"""administration: planned absences, API token labels and last use, admin_change events

Revision ID: 0006_admin
Revises: 0005
Create Date: 2026-12-01 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0006_admin'
down_revision = '0005'
branch_labels = None
depends_on = None

BEFORE = ("submit", "route", "transfer", "transition", "extend", "escalate",
          "opinion_request", "opinion_answer", "opinion_waive", "session", "comment_period",
          "comment", "tracking_link", "publication", "withhold", "comment_publish",
          "comment_hide")
AFTER = (*BEFORE, "admin_change")


def _actions(actions) -> str:
    return 'action IN (' + ', '.join(f"'{a}'" for a in actions) + ')'


def upgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('absent_from', sa.Date(), nullable=True))
        batch.add_column(sa.Column('absent_to', sa.Date(), nullable=True))
        batch.create_check_constraint(
            op.f('ck_users_absence_is_a_range'),
            'absent_to IS NULL OR (absent_from IS NOT NULL AND absent_from <= absent_to)')
    with op.batch_alter_table('api_tokens') as batch:
        batch.add_column(sa.Column('label', sa.String(length=100), nullable=False,
                                   server_default=''))
        batch.add_column(sa.Column('last_used_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('api_tokens') as batch:
        batch.alter_column('label', server_default=None)
    with op.batch_alter_table('events') as batch:
        batch.drop_constraint(op.f('ck_events_action_known'), type_='check')
        batch.create_check_constraint(op.f('ck_events_action_known'), _actions(AFTER))


def downgrade() -> None:
    with op.batch_alter_table('events') as batch:
        batch.drop_constraint(op.f('ck_events_action_known'), type_='check')
        batch.create_check_constraint(op.f('ck_events_action_known'), _actions(BEFORE))
    with op.batch_alter_table('api_tokens') as batch:
        batch.drop_column('last_used_at')
        batch.drop_column('label')
    with op.batch_alter_table('users') as batch:
        batch.drop_constraint(op.f('ck_users_absence_is_a_range'), type_='check')
        batch.drop_column('absent_to')
        batch.drop_column('absent_from')
