"""answer templates: the office's ready-made reasons per trigger, in three languages

Revision ID: 0008_templates
Revises: 0007_stats
Create Date: 2026-12-02 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0008_templates'
down_revision = '0007_stats'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'answer_templates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=40), nullable=False),
        sa.Column('trigger', sa.String(length=40), nullable=False),
        sa.Column('title_ja', sa.String(length=200), nullable=False),
        sa.Column('title_en', sa.String(length=200), nullable=False),
        sa.Column('title_easy', sa.String(length=200), nullable=False),
        sa.Column('body_ja', sa.Text(), nullable=False),
        sa.Column('body_en', sa.Text(), nullable=False),
        sa.Column('body_easy', sa.Text(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('sort_order', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_answer_templates')),
        sa.UniqueConstraint('code', name=op.f('uq_answer_templates_code')),
    )
    op.create_index('ix_answer_templates_trigger_active', 'answer_templates',
                    ['trigger', 'active'])


def downgrade() -> None:
    op.drop_index('ix_answer_templates_trigger_active', table_name='answer_templates')
    op.drop_table('answer_templates')
