"""erasable event reasons: the chain hashes a salted digest of each reason; the
personal_data_purged event that records an erasure

Revision ID: 0016_erasable_reasons
Revises: 0015_audit_anchors
Create Date: 2026-11-27 18:10:00

Events written before this revision keep hashing their reason as is (both new
columns NULL): rewriting them would rewrite the history the chain protects.
"""
import sqlalchemy as sa
from alembic import op

revision = '0016_erasable_reasons'
down_revision = '0015_audit_anchors'
branch_labels = None
depends_on = None

BEFORE = ("submit", "route", "transfer", "transition", "extend", "escalate",
          "opinion_request", "opinion_answer", "opinion_waive", "session", "comment_period",
          "comment", "tracking_link", "publication", "withhold", "comment_publish",
          "comment_hide", "admin_change", "easy_title", "login_locked")
AFTER = (*BEFORE, "personal_data_purged")


def _actions(actions) -> str:
    return 'action IN (' + ', '.join(f"'{a}'" for a in actions) + ')'


def upgrade() -> None:
    with op.batch_alter_table('events') as batch:
        batch.add_column(sa.Column('reason_salt', sa.String(length=32), nullable=True))
        batch.add_column(sa.Column('reason_digest', sa.String(length=64), nullable=True))
        batch.drop_constraint(op.f('ck_events_action_known'), type_='check')
        batch.create_check_constraint(op.f('ck_events_action_known'), _actions(AFTER))


def downgrade() -> None:
    with op.batch_alter_table('events') as batch:
        batch.drop_constraint(op.f('ck_events_action_known'), type_='check')
        batch.create_check_constraint(op.f('ck_events_action_known'), _actions(BEFORE))
        batch.drop_column('reason_digest')
        batch.drop_column('reason_salt')
