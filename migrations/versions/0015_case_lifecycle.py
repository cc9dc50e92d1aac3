"""The case's life over time: who is responsible for it (residence, stay, costs) with
its history, the person's establishment in the new town, transfer offers that may be
made again after a decline, several relocations per case (each with its own
protection request), and the threat assessment's re-assessments.

Municipalities in `case_responsibility` and the destination of a relocation or a
transfer are encrypted, with a keyed hash to find them (no municipality of a relocated
person stored in clear).

The new tables are under forced row-level security like every case-keyed table of
0013_rls: the case service sees a row when its case is in the bound principal's scope,
the workers see all, the owner passes by its own policy.

Revision ID: 0015_case_lifecycle
Revises: 0014_console_sessions
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_case_lifecycle"
down_revision = "0014_console_sessions"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
NEW_TABLES = ("case_responsibility", "case_establishment")
VISIBLE = "case_id IN (SELECT utvag_visible_case_ids())"


def _secure(table: str) -> None:
    op.execute(f"GRANT SELECT, INSERT, UPDATE ON {table} TO utvag_app, utvag_worker")
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY app_scope ON {table} FOR ALL TO utvag_app USING ({VISIBLE}) "
               f"WITH CHECK ({VISIBLE})")
    op.execute(f"CREATE POLICY worker_all ON {table} FOR ALL TO utvag_worker USING (true) "
               "WITH CHECK (true)")
    op.execute(f"CREATE POLICY owner_all ON {table} FOR ALL TO CURRENT_USER USING (true) "
               "WITH CHECK (true)")


def upgrade() -> None:
    op.create_table(
        "case_responsibility",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("case_id", sa.Uuid(), sa.ForeignKey("case.id"), nullable=False, index=True),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("municipality_enc", sa.LargeBinary(), nullable=False),
        sa.Column("municipality_hash", sa.String(64), nullable=False, index=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("basis", sa.String(20), nullable=False),
        sa.Column("recorded_by", sa.String(100), nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
        sa.CheckConstraint("role IN ('residence', 'stay', 'costs')",
                           name="ck_responsibility_role"),
        sa.CheckConstraint("valid_to IS NULL OR valid_to >= valid_from",
                           name="ck_responsibility_period"),
    )
    op.create_table(
        "case_establishment",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("case_id", sa.Uuid(), sa.ForeignKey("case.id"), nullable=False, index=True),
        sa.Column("stable_housing", sa.Boolean(), nullable=False),
        sa.Column("occupation", sa.Boolean(), nullable=False),
        sa.Column("support_needed", sa.Boolean(), nullable=False),
        sa.Column("recorded_by", sa.String(100), nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
    )
    for table in NEW_TABLES:
        _secure(table)
        op.execute(f"GRANT USAGE, SELECT ON SEQUENCE {table}_id_seq TO utvag_app, "
                   "utvag_worker")
    # Transfer offers: again after a decline; one unanswered at a time.
    op.drop_constraint("transfer_offer_case_id_key", "transfer_offer", type_="unique")
    op.create_index("ix_transfer_offer_case_id", "transfer_offer", ["case_id"])
    op.create_index("uq_transfer_offer_open", "transfer_offer", ["case_id"], unique=True,
                    postgresql_where=sa.text("answered_at IS NULL"))
    op.add_column("transfer_offer", sa.Column("basis", sa.String(20), nullable=False,
                                              server_default="established"))
    op.add_column("transfer_offer", sa.Column("reason", sa.String(500), nullable=True))
    op.add_column("transfer_offer", sa.Column("receiving_enc", sa.LargeBinary(),
                                              nullable=True))
    op.add_column("transfer_offer", sa.Column("responsible_from", sa.Date(), nullable=True))
    op.create_check_constraint("ck_transfer_basis", "transfer_offer",
                               "basis IN ('established', 'coordinator')")
    # Several relocations per case, numbered; the latest is where the person lives.
    op.drop_constraint("relocation_case_id_key", "relocation", type_="unique")
    op.add_column("relocation", sa.Column("sequence", sa.Integer(), nullable=False,
                                          server_default="1"))
    op.add_column("relocation", sa.Column("kind", sa.String(10), nullable=False,
                                          server_default="lasting"))
    op.add_column("relocation", sa.Column("destination_hash", sa.String(64), nullable=True))
    op.execute("UPDATE relocation SET kind = 'emergency' WHERE fast_path")
    op.create_unique_constraint("uq_relocation_case_sequence", "relocation",
                                ["case_id", "sequence"])
    op.create_check_constraint("ck_relocation_kind", "relocation",
                               "kind IN ('emergency', 'lasting')")
    op.drop_constraint("protection_request_case_id_key", "protection_request", type_="unique")
    op.add_column("protection_request", sa.Column("relocation_sequence", sa.Integer(),
                                                  nullable=False, server_default="1"))
    op.create_unique_constraint("uq_protection_case_relocation", "protection_request",
                                ["case_id", "relocation_sequence"])


def downgrade() -> None:
    op.drop_constraint("uq_protection_case_relocation", "protection_request", type_="unique")
    op.execute("DELETE FROM protection_request WHERE relocation_sequence > 1")
    op.drop_column("protection_request", "relocation_sequence")
    op.create_unique_constraint("protection_request_case_id_key", "protection_request",
                                ["case_id"])
    op.drop_constraint("ck_relocation_kind", "relocation", type_="check")
    op.drop_constraint("uq_relocation_case_sequence", "relocation", type_="unique")
    op.execute("DELETE FROM relocation WHERE sequence > 1")
    for column in ("destination_hash", "kind", "sequence"):
        op.drop_column("relocation", column)
    op.create_unique_constraint("relocation_case_id_key", "relocation", ["case_id"])
    op.drop_constraint("ck_transfer_basis", "transfer_offer", type_="check")
    op.execute("DELETE FROM transfer_offer t USING transfer_offer u "
               "WHERE t.case_id = u.case_id AND t.id < u.id")
    for column in ("responsible_from", "receiving_enc", "reason", "basis"):
        op.drop_column("transfer_offer", column)
    op.drop_index("uq_transfer_offer_open", "transfer_offer")
    op.drop_index("ix_transfer_offer_case_id", "transfer_offer")
    op.create_unique_constraint("transfer_offer_case_id_key", "transfer_offer", ["case_id"])
    op.drop_table("case_establishment")
    op.drop_table("case_responsibility")
