"""supports (賛同): one per e-mail address per proposal, counted once confirmed

Revision ID: 0011_supports
Revises: 0010_search
Create Date: 2026-12-02 10:00:00

``supports`` holds the address (personal data), an optional name, the SHA-256 of the
confirmation link's token and when it was confirmed.  ``proposals.supports_count`` is the
figure confirmations keep (intake/supports/operations.py), so the public list never
counts rows; it starts at 0 for every existing proposal (there were no supports before).
A plain ADD COLUMN with a default: no table copy on SQLite, no rewrite on PostgreSQL.
"""
import sqlalchemy as sa
from alembic import op

revision = '0011_supports'
down_revision = '0010_search'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('proposals', sa.Column('supports_count', sa.Integer(), nullable=False,
                                         server_default='0'))
    op.create_table(
        'supports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('proposal_id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('confirmed_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'],
                                name=op.f('fk_supports_proposal_id_proposals'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_supports')),
        sa.UniqueConstraint('proposal_id', 'email',
                            name=op.f('uq_supports_proposal_id_email')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_supports_token_hash')),
    )
    op.create_index('ix_supports_email', 'supports', ['email'])


def downgrade() -> None:
    op.drop_index('ix_supports_email', table_name='supports')
    op.drop_table('supports')
    with op.batch_alter_table('proposals') as batch:
        batch.drop_column('supports_count')
