"""The plan and the people around it (docs/plan-and-people.md): the relapse event outbox,
plan versions, closure proposals confirmed by a second person, the meeting as an event,
a child's guardians, and providers' permits; relapse flags may also come from a handler's
report (substance abuse, lost contact).

Every new table is granted to `utvag_app` and `utvag_worker` (no default privileges);
those with a `case_id` are under forced row-level security with 0013_rls's policies.

Revision ID: 0016_plan_and_people
Revises: 0015_case_lifecycle
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0016_plan_and_people"
down_revision = "0015_case_lifecycle"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
APP, WORKER = "utvag_app", "utvag_worker"
CASE_KEYED = ("relapse_event", "plan_version", "closure_proposal", "meeting_record",
              "guardian")
TABLES = (*CASE_KEYED, "provider_permit")
OLD_REGISTERS = "register IN ('criminal_records', 'suspicions')"
NEW_REGISTERS = "register IN ('criminal_records', 'suspicions', 'handler_report')"
OLD_KINDS = "entry_kind IN ('conviction', 'suspicion')"
NEW_KINDS = "entry_kind IN ('conviction', 'suspicion', 'substance_abuse', 'lost_contact')"


def _id() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True)


def _case(**kw: bool) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column("case_id", sa.Uuid(), sa.ForeignKey("case.id"), nullable=False, **kw)


def _tables() -> None:
    op.create_table(
        "relapse_event", _id(),
        sa.Column("flag_id", sa.BigInteger(), sa.ForeignKey("relapse_flag.id"),
                  nullable=False, unique=True),
        _case(index=True),
        sa.Column("municipality", sa.String(4), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("emitted_at", TS, nullable=True),
        sa.Column("notified_at", TS, nullable=True))
    op.create_table(
        "plan_version", _id(), _case(index=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("opened_by", sa.String(), nullable=False),
        sa.Column("opened_at", TS, nullable=False),
        sa.Column("intervention_ids", pg.ARRAY(sa.BigInteger()), nullable=False),
        sa.Column("cost_sek", sa.BigInteger(), nullable=True),
        sa.Column("approved_by", sa.String(), nullable=True),
        sa.Column("approved_at", TS, nullable=True),
        sa.UniqueConstraint("case_id", "version"),
        sa.CheckConstraint("status IN ('draft', 'approved')", name="ck_plan_version_status"))
    op.create_table(
        "closure_proposal", _id(), _case(),
        sa.Column("flag_id", sa.BigInteger(), nullable=True),
        sa.Column("outcome", sa.String(), nullable=False),
        sa.Column("proposed_by", sa.String(), nullable=False),
        sa.Column("proposed_at", TS, nullable=False),
        sa.Column("decided_by", sa.String(), nullable=True),
        sa.Column("decided_at", TS, nullable=True),
        sa.Column("confirmed", sa.Boolean(), nullable=True),
        # Two different people: the one who proposes never decides.
        sa.CheckConstraint("decided_by IS NULL OR decided_by <> proposed_by",
                           name="ck_closure_two_people"))
    op.create_index("uq_closure_proposal_open", "closure_proposal", ["case_id"], unique=True,
                    postgresql_where=sa.text("decided_at IS NULL"))
    op.create_table(
        "meeting_record", _id(), _case(index=True),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("participants", pg.ARRAY(sa.String()), nullable=False),
        sa.Column("defector_participated", sa.Boolean(), nullable=False),
        sa.Column("defector_agreed", sa.Boolean(), nullable=False),
        sa.Column("recorded_by", sa.String(), nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
        sa.UniqueConstraint("case_id", "held_on"))
    op.create_table(
        "guardian", _id(), _case(),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("name_enc", sa.LargeBinary(), nullable=False),
        sa.Column("consents", sa.Boolean(), nullable=False),
        sa.Column("recorded_by", sa.String(), nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
        sa.UniqueConstraint("case_id", "role"))
    op.create_table(
        "provider_permit", _id(),
        sa.Column("provider_id", sa.BigInteger(), sa.ForeignKey("provider.id"),
                  nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("reference", sa.String(100), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("recorded_by", sa.String(), nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
        sa.UniqueConstraint("provider_id", "kind"))


def _security() -> None:
    for table in TABLES:
        op.execute(f'GRANT SELECT, INSERT, UPDATE ON "{table}" TO {APP}, {WORKER}')
        op.execute(f'GRANT USAGE, SELECT ON SEQUENCE "{table}_id_seq" TO {APP}, {WORKER}')
    for table in CASE_KEYED:
        op.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
        op.execute(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY')
        scope = "case_id IN (SELECT utvag_visible_case_ids())"
        op.execute(f'CREATE POLICY app_scope ON "{table}" FOR ALL TO {APP} '
                   f"USING ({scope}) WITH CHECK ({scope})")
        op.execute(f'CREATE POLICY worker_all ON "{table}" FOR ALL TO {WORKER} '
                   "USING (true) WITH CHECK (true)")
        op.execute(f'CREATE POLICY owner_all ON "{table}" FOR ALL TO CURRENT_USER '
                   "USING (true) WITH CHECK (true)")


def upgrade() -> None:
    op.drop_constraint("ck_relapse_flag_register", "relapse_flag", type_="check")
    op.create_check_constraint("ck_relapse_flag_register", "relapse_flag", NEW_REGISTERS)
    op.drop_constraint("ck_relapse_flag_kind", "relapse_flag", type_="check")
    op.create_check_constraint("ck_relapse_flag_kind", "relapse_flag", NEW_KINDS)
    _tables()
    _security()


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
    op.execute("DELETE FROM relapse_flag WHERE register = 'handler_report'")
    op.drop_constraint("ck_relapse_flag_kind", "relapse_flag", type_="check")
    op.create_check_constraint("ck_relapse_flag_kind", "relapse_flag", OLD_KINDS)
    op.drop_constraint("ck_relapse_flag_register", "relapse_flag", type_="check")
    op.create_check_constraint("ck_relapse_flag_register", "relapse_flag", OLD_REGISTERS)
