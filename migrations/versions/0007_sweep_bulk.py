"""Register sweeps in bulk: one row per register request instead of one per case.

``register_check`` becomes one row per successful look-up request (the run, the register,
when, and the ids of exactly the cases in that request); ``register_disclosure`` is the
append-only record of each request's disclosure of identity numbers to a register,
written before the request is sent, with the ids of the cases disclosed (GIN-indexed, so
a case's disclosures are found with ``case_ids @> ARRAY[id]``). Per-case rows cost the
sweep ~40 µs each in PostgreSQL (foreign-key trigger, index, JSONB): 300,000 rows for
100,000 cases. Check rows of earlier runs are dropped: they only served their own run.

Revision ID: 0007_sweep_bulk
Revises: 0004_sweeps
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0007_sweep_bulk"
down_revision = "0004_sweeps"
branch_labels = None
depends_on = None

REGISTERS = "register IN ('criminal_records', 'suspicions')"
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.drop_table("register_check")
    op.create_table(
        "register_check",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("sweep_run", sa.String(), nullable=False),
        sa.Column("register", sa.String(), nullable=False),
        sa.Column("checked_at", TS, nullable=False),
        sa.Column("case_ids", pg.ARRAY(sa.Uuid()), nullable=False),
        sa.CheckConstraint(REGISTERS, name="ck_register_check_register"),
    )
    op.create_index("ix_register_check_run", "register_check", ["sweep_run", "register"])
    op.create_table(
        "register_disclosure",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("agency", sa.String(), nullable=False),
        sa.Column("register", sa.String(), nullable=False),
        sa.Column("sweep_run", sa.String(), nullable=False),
        sa.Column("fields", pg.ARRAY(sa.String()), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("case_ids", pg.ARRAY(sa.Uuid()), nullable=False),
        sa.CheckConstraint(REGISTERS, name="ck_register_disclosure_register"),
    )
    op.create_index("ix_register_disclosure_case_ids", "register_disclosure", ["case_ids"],
                    postgresql_using="gin")
    # An audit trail like case_journal: the database refuses edits.
    op.execute("""
        CREATE FUNCTION register_disclosure_append_only() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION 'register_disclosure is append-only';
        END;
        $$ LANGUAGE plpgsql;
        CREATE TRIGGER register_disclosure_no_update BEFORE UPDATE OR DELETE
            ON register_disclosure
            FOR EACH ROW EXECUTE FUNCTION register_disclosure_append_only();
    """)


def downgrade() -> None:
    op.execute("DROP TRIGGER register_disclosure_no_update ON register_disclosure")
    op.execute("DROP FUNCTION register_disclosure_append_only()")
    op.drop_table("register_disclosure")
    op.drop_table("register_check")
    op.create_table(
        "register_check",
        sa.Column("case_id", sa.Uuid(), sa.ForeignKey("case.id"), primary_key=True),
        sa.Column("register", sa.String(), primary_key=True),
        sa.Column("checked_at", TS, nullable=False),
        sa.Column("sweep_run", sa.String(), nullable=False),
        sa.CheckConstraint(REGISTERS, name="ck_register_check_register"),
    )
