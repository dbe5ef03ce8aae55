"""audit anchors: checkpoints over the chain heads (intake/anchors.py)

Revision ID: 0015_audit_anchors
Revises: 0014_staff_security
Create Date: 2026-11-27 15:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0015_audit_anchors'
down_revision = '0014_staff_security'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('event_chain_heads') as batch:
        batch.add_column(sa.Column('anchored', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.create_index('ix_event_chain_heads_anchored', ['anchored'])
    with op.batch_alter_table('event_chain_heads') as batch:
        batch.alter_column('anchored', server_default=None)
    op.create_table(
        'audit_checkpoints',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('max_proposal_id', sa.Integer(), nullable=False),
        sa.Column('prev_hash', sa.String(length=64), nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_checkpoints')),
        sa.UniqueConstraint('seq', name=op.f('uq_audit_checkpoints_seq')),
    )
    op.create_table(
        'audit_checkpoint_heads',
        sa.Column('checkpoint_id', sa.Integer(), nullable=False),
        sa.Column('chain', sa.String(length=40), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['checkpoint_id'], ['audit_checkpoints.id'],
                                name=op.f('fk_audit_checkpoint_heads_checkpoint_id_audit_checkpoints')),
        sa.PrimaryKeyConstraint('checkpoint_id', 'chain', name=op.f('pk_audit_checkpoint_heads')),
    )


def downgrade() -> None:
    op.drop_table('audit_checkpoint_heads')
    op.drop_table('audit_checkpoints')
    with op.batch_alter_table('event_chain_heads') as batch:
        batch.drop_index('ix_event_chain_heads_anchored')
        batch.drop_column('anchored')
