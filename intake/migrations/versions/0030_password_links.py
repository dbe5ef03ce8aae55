"""password_links: one-time links to set a staff password (an invitation to a new
account, a forgotten password); only each token's SHA-256 is stored

Revision ID: 0030_password_links
Revises: 0029_file_sweep
Create Date: 2026-11-30 03:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0030_password_links'
down_revision = '0029_file_sweep'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'password_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('purpose', sa.String(length=10), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint("purpose IN ('invite', 'reset')",
                           name=op.f('ck_password_links_purpose_known')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_password_links_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_password_links')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_password_links_token_hash')),
    )
    op.create_index(op.f('ix_password_links_user_id'), 'password_links', ['user_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_password_links_user_id'), table_name='password_links')
    op.drop_table('password_links')
