"""Register sweeps: relapse flags (one per register entry and case, ever) and the
per-case, per-register record of the last successful check.

Revision ID: 0004_sweeps
Revises: 0003
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_sweeps"
down_revision = "0003"
branch_labels = None
depends_on = None

REGISTERS = "register IN ('criminal_records', 'suspicions')"


def upgrade() -> None:
    op.create_table(
        "relapse_flag",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("case_id", sa.Uuid(), sa.ForeignKey("case.id"), nullable=False),
        sa.Column("register", sa.String(), nullable=False),
        sa.Column("entry_id", sa.String(), nullable=False),
        sa.Column("entry_kind", sa.String(), nullable=False),
        sa.Column("entry_date", sa.Date(), nullable=False),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sweep_run", sa.String(), nullable=False),
        sa.Column("notified_at", sa.DateTime(timezone=True)),
        sa.Column("notification_id", sa.String()),
        sa.Column("decision", sa.String()),
        sa.Column("decided_by", sa.String()),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        # The same register entry flags a case once, whatever the runs, retries or races.
        sa.UniqueConstraint("case_id", "register", "entry_id", name="uq_relapse_flag_entry"),
        sa.CheckConstraint(REGISTERS, name="ck_relapse_flag_register"),
        sa.CheckConstraint("entry_kind IN ('conviction', 'suspicion')",
                           name="ck_relapse_flag_kind"),
        sa.CheckConstraint("decision IS NULL OR decision IN "
                           "('continue', 'adjust_plan', 'end_support')",
                           name="ck_relapse_flag_decision"),
    )
    op.create_index("ix_relapse_flag_unnotified", "relapse_flag", ["id"],
                    postgresql_where=sa.text("notified_at IS NULL"))
    op.create_table(
        "register_check",
        sa.Column("case_id", sa.Uuid(), sa.ForeignKey("case.id"), primary_key=True),
        sa.Column("register", sa.String(), primary_key=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sweep_run", sa.String(), nullable=False),
        sa.CheckConstraint(REGISTERS, name="ck_register_check_register"),
    )
    op.create_index("ix_case_journal_admitted", "case_journal", ["case_id"],
                    postgresql_where=sa.text("kind = 'admitted'"))


def downgrade() -> None:
    op.drop_index("ix_case_journal_admitted", "case_journal")
    op.drop_table("register_check")
    op.drop_index("ix_relapse_flag_unnotified", "relapse_flag")
    op.drop_table("relapse_flag")
