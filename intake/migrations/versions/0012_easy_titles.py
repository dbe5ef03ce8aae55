"""easy Japanese: published titles with reviewed readings, and the easy_title event

Revision ID: 0012_easy_titles
Revises: 0011_supports
Create Date: 2026-12-01 10:00:00

``published_texts.title_easy`` holds the public title with readings in the ruby
notation of :mod:`intake.i18n.reading_markup`; rows published before have none (the
pages read the title through the analyser until it is next published or corrected).
"""
import sqlalchemy as sa
from alembic import op

revision = '0012_easy_titles'
down_revision = '0011_supports'
branch_labels = None
depends_on = None

BEFORE = ("submit", "route", "transfer", "transition", "extend", "escalate",
          "opinion_request", "opinion_answer", "opinion_waive", "session", "comment_period",
          "comment", "tracking_link", "publication", "withhold", "comment_publish",
          "comment_hide", "admin_change")
AFTER = (*BEFORE, "easy_title")


def _actions(actions) -> str:
    return 'action IN (' + ', '.join(f"'{a}'" for a in actions) + ')'


def upgrade() -> None:
    with op.batch_alter_table('published_texts') as batch:
        batch.add_column(sa.Column('title_easy', sa.Text(), nullable=True))
    with op.batch_alter_table('events') as batch:
        batch.drop_constraint(op.f('ck_events_action_known'), type_='check')
        batch.create_check_constraint(op.f('ck_events_action_known'), _actions(AFTER))


def downgrade() -> None:
    with op.batch_alter_table('events') as batch:
        batch.drop_constraint(op.f('ck_events_action_known'), type_='check')
        batch.create_check_constraint(op.f('ck_events_action_known'), _actions(BEFORE))
    with op.batch_alter_table('published_texts') as batch:
        batch.drop_column('title_easy')
