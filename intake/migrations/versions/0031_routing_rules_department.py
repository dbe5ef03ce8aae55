"""routing_rules: indexed by department (and whether active)

Revision ID: 0031_routing_rules_department
Revises: 0030_password_links
Create Date: 2026-11-30 07:00:00

Switching a department off first counts the active rules that still route to it
(intake/admin/deactivation.py); without an index that count reads every rule, and so
does the foreign key's check when a department row is deleted on PostgreSQL.  The rules
table is small in most cities, but a city that routes by keyword and district can hold
thousands, and the rule is that every filter has its index.
"""
from alembic import op

revision = '0031_routing_rules_department'
down_revision = '0030_password_links'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_routing_rules_department_active', 'routing_rules',
                    ['department_id', 'active'])


def downgrade() -> None:
    op.drop_index('ix_routing_rules_department_active', table_name='routing_rules')
