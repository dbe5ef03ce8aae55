"""attachments: photos and documents with a proposal, private until published

Revision ID: 0019_attachments
Revises: 0018_proposal_counts
Create Date: 2026-11-27 19:00:00

``attachments`` holds one row per clean file (the bytes live in the instance folder under
content-addressed names, intake/attachments/storage.py); the audit log learns two actions,
``attachment_publish`` and ``attachment_withhold``.
"""
import sqlalchemy as sa
from alembic import op

revision = '0019_attachments'
down_revision = '0018_proposal_counts'
branch_labels = None
depends_on = None

BEFORE = ("submit", "route", "transfer", "transition", "extend", "escalate",
          "opinion_request", "opinion_answer", "opinion_waive", "session", "comment_period",
          "comment", "tracking_link", "publication", "withhold", "comment_publish",
          "comment_hide", "easy_title", "admin_change", "login_locked", "personal_data_purged")
AFTER = (*BEFORE, "attachment_publish", "attachment_withhold")


def _actions(actions) -> str:
    return 'action IN (' + ', '.join(f"'{a}'" for a in actions) + ')'


def upgrade() -> None:
    op.create_table(
        'attachments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('proposal_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('content_type', sa.String(length=40), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('width', sa.Integer(), nullable=True),
        sa.Column('height', sa.Integer(), nullable=True),
        sa.Column('storage_key', sa.String(length=100), nullable=False),
        sa.Column('thumbnail_key', sa.String(length=100), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('published_at', sa.DateTime(), nullable=True),
        sa.Column('withheld_reason', sa.Text(), nullable=True),
        sa.Column('purged_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'],
                                name=op.f('fk_attachments_proposal_id_proposals'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments')),
    )
    op.create_index('ix_attachments_proposal_id', 'attachments', ['proposal_id'])
    op.create_index('ix_attachments_storage_key', 'attachments', ['storage_key'])
    with op.batch_alter_table('events') as batch:
        batch.drop_constraint(op.f('ck_events_action_known'), type_='check')
        batch.create_check_constraint(op.f('ck_events_action_known'), _actions(AFTER))


def downgrade() -> None:
    with op.batch_alter_table('events') as batch:
        batch.drop_constraint(op.f('ck_events_action_known'), type_='check')
        batch.create_check_constraint(op.f('ck_events_action_known'), _actions(BEFORE))
    op.drop_index('ix_attachments_storage_key', table_name='attachments')
    op.drop_index('ix_attachments_proposal_id', table_name='attachments')
    op.drop_table('attachments')
