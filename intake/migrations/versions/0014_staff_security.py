"""staff security: a session version per user (sign-out and password changes end every
session), failed sign-ins and the lock-out, when the password was set, the TOTP secret and
the last time step used; login_locked events

Revision ID: 0014_staff_security
Revises: 0012_easy_titles
Create Date: 2026-11-27 15:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0014_staff_security'
down_revision = '0012_easy_titles'
branch_labels = None
depends_on = None

BEFORE = ("submit", "route", "transfer", "transition", "extend", "escalate",
          "opinion_request", "opinion_answer", "opinion_waive", "session", "comment_period",
          "comment", "tracking_link", "publication", "withhold", "comment_publish",
          "comment_hide", "admin_change", "easy_title")
AFTER = (*BEFORE, "login_locked")


def _actions(actions) -> str:
    return 'action IN (' + ', '.join(f"'{a}'" for a in actions) + ')'


def upgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('session_version', sa.Integer(), nullable=False,
                                   server_default='1'))
        batch.add_column(sa.Column('failed_logins', sa.Integer(), nullable=False,
                                   server_default='0'))
        batch.add_column(sa.Column('locked_until', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('password_changed_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('totp_last_step', sa.BigInteger(), nullable=True))
    with op.batch_alter_table('users') as batch:
        batch.alter_column('session_version', server_default=None)
        batch.alter_column('failed_logins', server_default=None)
    with op.batch_alter_table('events') as batch:
        batch.drop_constraint(op.f('ck_events_action_known'), type_='check')
        batch.create_check_constraint(op.f('ck_events_action_known'), _actions(AFTER))


def downgrade() -> None:
    with op.batch_alter_table('events') as batch:
        batch.drop_constraint(op.f('ck_events_action_known'), type_='check')
        batch.create_check_constraint(op.f('ck_events_action_known'), _actions(BEFORE))
    with op.batch_alter_table('users') as batch:
        batch.drop_column('totp_last_step')
        batch.drop_column('totp_secret')
        batch.drop_column('password_changed_at')
        batch.drop_column('locked_until')
        batch.drop_column('failed_logins')
        batch.drop_column('session_version')
