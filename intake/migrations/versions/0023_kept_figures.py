"""the dashboard's overdue, monthly and rulings figures, kept as proposals change
(intake/office/counts.py)

Revision ID: 0023_kept_figures
Revises: 0022_dept_overdue_index
Create Date: 2026-11-28 02:30:00

Each table starts from one count of the proposals already there, as 0018 did: overdue
per (department, due date) where the workflow's clock runs in the proposal's state (the
workflows say which states those are); submissions and rulings per department × month in
Japan (UTC+9, no summer time); rulings per department × decision × business days.
"""
import sqlalchemy as sa
from alembic import op

import workflows

revision = '0023_kept_figures'
down_revision = '0022_dept_overdue_index'
branch_labels = None
depends_on = None

ADOPTING = ('adopted', 'partially_adopted')  # workflows.ADOPTING when written


def _table(name: str, *columns: sa.Column) -> None:
    op.create_table(
        name,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('lead_department_id', sa.Integer(), nullable=True),
        *columns,
        sa.ForeignKeyConstraint(['lead_department_id'], ['departments.id'],
                                name=op.f(f'fk_{name}_lead_department_id_departments')),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{name}')),
    )


def _month(column: str) -> str:
    if op.get_bind().dialect.name == 'postgresql':
        return f"CAST(date_trunc('month', {column} + INTERVAL '9 hours') AS DATE)"
    return f"date({column}, '+9 hours', 'start of month')"


def _clock_running() -> str:
    per_workflow = []
    for name in workflows.workflow_names():
        states = ", ".join(f"'{state}'"
                           for state in workflows.get_workflow(name).clock_running_states())
        if states:
            per_workflow.append(f"(kind = '{name}' AND state IN ({states}))")
    return " OR ".join(per_workflow) or "1 = 0"


def upgrade() -> None:
    _table('overdue_counts', sa.Column('due_on', sa.Date(), nullable=False),
           sa.Column('delta', sa.Integer(), nullable=False))
    _table('monthly_counts', sa.Column('month', sa.Date(), nullable=False),
           sa.Column('submissions', sa.Integer(), nullable=False),
           sa.Column('rulings', sa.Integer(), nullable=False),
           sa.Column('adoptions', sa.Integer(), nullable=False))
    _table('ruling_counts', sa.Column('decision', sa.String(length=40), nullable=False),
           sa.Column('business_days', sa.Integer(), nullable=True),
           sa.Column('delta', sa.Integer(), nullable=False))
    op.execute(
        "INSERT INTO overdue_counts (lead_department_id, due_on, delta) "
        "SELECT lead_department_id, due_on, COUNT(*) FROM proposals "
        f"WHERE due_on IS NOT NULL AND ({_clock_running()}) "
        "GROUP BY lead_department_id, due_on")
    adopting = ", ".join(f"'{decision}'" for decision in ADOPTING)
    op.execute(
        "INSERT INTO monthly_counts (lead_department_id, month, submissions, rulings, "
        "adoptions) "
        f"SELECT lead_department_id, {_month('submitted_at')}, COUNT(*), 0, 0 "
        f"FROM proposals GROUP BY lead_department_id, {_month('submitted_at')}")
    op.execute(
        "INSERT INTO monthly_counts (lead_department_id, month, submissions, rulings, "
        "adoptions) "
        f"SELECT lead_department_id, {_month('ruled_at')}, 0, COUNT(*), "
        f"SUM(CASE WHEN ruling_decision IN ({adopting}) THEN 1 ELSE 0 END) "
        f"FROM proposals WHERE ruled_at IS NOT NULL "
        f"GROUP BY lead_department_id, {_month('ruled_at')}")
    op.execute(
        "INSERT INTO ruling_counts (lead_department_id, decision, business_days, delta) "
        "SELECT lead_department_id, ruling_decision, ruling_business_days, COUNT(*) "
        "FROM proposals WHERE ruling_decision IS NOT NULL "
        "GROUP BY lead_department_id, ruling_decision, ruling_business_days")


def downgrade() -> None:
    op.drop_table('ruling_counts')
    op.drop_table('monthly_counts')
    op.drop_table('overdue_counts')
