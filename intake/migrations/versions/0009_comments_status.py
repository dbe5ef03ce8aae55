"""comment moderation: an index for the office's list of held and hidden comments

Revision ID: 0009_comments_status
Revises: 0008_templates
Create Date: 2026-12-01 10:00:00

/staff/comments pages the held comments (oldest first) and the hidden ones (newest
first) by keyset on ``id`` within a ``status``: ``(status, id)`` serves both.
"""
from alembic import op

revision = '0009_comments_status'
down_revision = '0008_templates'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_comments_status_id', 'comments', ['status', 'id'])


def downgrade() -> None:
    op.drop_index('ix_comments_status_id', table_name='comments')
