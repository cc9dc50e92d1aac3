"""Access: case assignments, break-glass openings, the access log (append-only) and
the installation's facts (the demo marker).

Revision ID: 0012_access
Revises: 0011_grant_model
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0012_access"
down_revision = "0011_grant_model"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)

APPEND_ONLY = """
CREATE FUNCTION access_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'access_log is append-only';
END $$;
CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON access_log
  FOR EACH ROW EXECUTE FUNCTION access_log_append_only();
CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log
  FOR EACH STATEMENT EXECUTE FUNCTION access_log_append_only();
"""


def upgrade() -> None:
    op.create_table(
        "case_assignment",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("case_id", sa.Uuid(), sa.ForeignKey("case.id"), nullable=False, index=True),
        sa.Column("staff_id", sa.String(100), nullable=False),
        sa.Column("organisation", sa.String(100), nullable=False),
        sa.Column("role", sa.String(40), nullable=False),
        sa.Column("assigned_at", TS, nullable=False),
        sa.Column("assigned_by", sa.String(100), nullable=False),
        sa.Column("ended_at", TS, nullable=True),
    )
    op.create_index("uq_case_assignment_active", "case_assignment",
                    ["case_id", "staff_id", "role"], unique=True,
                    postgresql_where=sa.text("ended_at IS NULL"))
    op.create_table(
        "break_glass",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("case_id", sa.Uuid(), sa.ForeignKey("case.id"), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("staff_id", sa.String(100), nullable=False),
        sa.Column("organisation", sa.String(100), nullable=False),
        sa.Column("reason_enc", sa.LargeBinary(), nullable=False),
        sa.Column("opened_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("reviewed_at", TS, nullable=True),
        sa.Column("reviewed_by", sa.String(100), nullable=True),
    )
    op.create_index("ix_break_glass_case_staff", "break_glass", ["case_id", "staff_id"])
    op.create_table(
        "access_log",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("at", TS, nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("staff_id", sa.String(100), nullable=False),
        sa.Column("organisation", sa.String(100), nullable=False),
        sa.Column("roles", pg.ARRAY(sa.String(40)), nullable=False),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("purpose", sa.String(200), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("fields", pg.ARRAY(sa.String(60)), nullable=False),
        sa.CheckConstraint("outcome IN ('allowed', 'denied', 'break_glass')",
                           name="ck_access_log_outcome"),
    )
    op.create_index("ix_access_log_case_at", "access_log", ["case_id", "at"])
    op.create_index("ix_access_log_org_at", "access_log", ["organisation", "at"])
    op.execute(APPEND_ONLY)
    op.create_table(
        "installation",
        sa.Column("key", sa.String(40), primary_key=True),
        sa.Column("value", sa.String(200), nullable=False),
        sa.Column("set_at", TS, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("installation")
    op.execute("DROP TABLE access_log")
    op.execute("DROP FUNCTION access_log_append_only()")
    op.drop_table("break_glass")
    op.drop_table("case_assignment")
