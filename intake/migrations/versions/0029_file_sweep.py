"""attachments: the thumbnail's key is indexed like the file's, and the sweep of files no
attachment refers to keeps whose turn it is

Revision ID: 0029_file_sweep
Revises: 0028_search_trigrams
Create Date: 2026-11-30 10:00:00

Files are written before their request's transaction commits, so a rolled-back one leaves
a file no row refers to; the worker sweeps such files a 256th of the storage a pass
(intake/attachments/sweep.py), asking the database about a batch of keys at a time as a
file or a thumbnail: both columns need their index (without the thumbnail's, every batch
would read the whole table at a million proposals).  ``file_sweep`` is left empty: the
first pass writes its row.
"""
import sqlalchemy as sa
from alembic import op

revision = '0029_file_sweep'
down_revision = '0028_search_trigrams'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_attachments_thumbnail_key', 'attachments', ['thumbnail_key'])
    op.create_table(
        'file_sweep',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('next_slice', sa.Integer(), nullable=False),
        sa.Column('taken_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_file_sweep')),
    )


def downgrade() -> None:
    op.drop_table('file_sweep')
    op.drop_index('ix_attachments_thumbnail_key', table_name='attachments')
