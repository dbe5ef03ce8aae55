"""personal data before publication: the public copy of a proposal's text, the review
flag, comment moderation, and the events that record them (SPEC section 5)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 10:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

BEFORE = ("submit", "route", "transfer", "transition", "extend", "escalate",
          "opinion_request", "opinion_answer", "opinion_waive", "session", "comment_period",
          "comment", "tracking_link")
ACTIONS = BEFORE + ("publication", "withhold", "comment_publish", "comment_hide")


def _actions_check(actions) -> str:
    return 'action IN (' + ', '.join(f"'{a}'" for a in actions) + ')'


def upgrade() -> None:
    op.create_table(
        'published_texts',
        sa.Column('proposal_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.Text(), nullable=False),
        sa.Column('problem', sa.Text(), nullable=False),
        sa.Column('proposal_text', sa.Text(), nullable=False),
        sa.Column('expected_effect', sa.Text(), nullable=False),
        sa.Column('role_split', sa.Text(), nullable=False),
        sa.Column('redactions', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('redactions >= 0', name=op.f('ck_published_texts_redactions_nonneg')),
        sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'],
                                name=op.f('fk_published_texts_proposal_id_proposals'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('proposal_id', name=op.f('pk_published_texts')),
    )
    # Proposals published before this revision were published as written (the review did
    # not exist): their public copy is their text, which the office can still mask.
    op.execute(
        "INSERT INTO published_texts (proposal_id, title, problem, proposal_text, "
        "expected_effect, role_split, redactions, updated_at) "
        "SELECT id, title, problem, proposal_text, expected_effect, role_split, 0, "
        "published_at FROM proposals WHERE published_at IS NOT NULL"
    )
    with op.batch_alter_table('proposals') as batch:
        batch.add_column(sa.Column('review_pending', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    with op.batch_alter_table('comments') as batch:
        batch.add_column(sa.Column('status', sa.String(length=20), nullable=False,
                                   server_default='published'))
        batch.add_column(sa.Column('public_name', sa.String(length=100), nullable=True))
        batch.add_column(sa.Column('public_body', sa.Text(), nullable=True))
    op.execute("UPDATE comments SET status = 'hidden' WHERE hidden_reason IS NOT NULL")
    op.execute("UPDATE comments SET public_name = name, public_body = body "
               "WHERE hidden_reason IS NULL")
    with op.batch_alter_table('comments') as batch:
        batch.create_check_constraint(op.f('ck_comments_status_known'),
                                      "status IN ('published', 'held', 'hidden')")
    with op.batch_alter_table('events') as batch:
        batch.drop_constraint(op.f('ck_events_action_known'), type_='check')
        batch.create_check_constraint(op.f('ck_events_action_known'), _actions_check(ACTIONS))


def downgrade() -> None:
    # (fails while events of the new actions exist: the audit log is never rewritten)
    with op.batch_alter_table('events') as batch:
        batch.drop_constraint(op.f('ck_events_action_known'), type_='check')
        batch.create_check_constraint(op.f('ck_events_action_known'), _actions_check(BEFORE))
    with op.batch_alter_table('comments') as batch:
        batch.drop_constraint(op.f('ck_comments_status_known'), type_='check')
        batch.drop_column('public_body')
        batch.drop_column('public_name')
        batch.drop_column('status')
    with op.batch_alter_table('proposals') as batch:
        batch.drop_column('review_pending')
    op.drop_table('published_texts')
