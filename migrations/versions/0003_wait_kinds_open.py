"""Wait kinds are checked by the code's enum, not a CHECK constraint, so that later
phases can add kinds without rewriting one shared constraint.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_constraint("ck_kind_allowed", "case_wait", type_="check")


def downgrade() -> None:
    op.create_check_constraint(
        "ck_kind_allowed", "case_wait", "kind IN ('coordinator_answer', 'agency_answer', 'consent')"
    )
