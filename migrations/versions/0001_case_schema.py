"""Case schema: person, case, journal, consent, eligibility, threat, requests, waits.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _check(column: str, allowed: list[str]) -> sa.CheckConstraint:
    quoted = ", ".join(f"'{v}'" for v in allowed)
    return sa.CheckConstraint(f"{column} IN ({quoted})", name=f"ck_{column}_allowed")


AGENCIES = ["police", "social_services", "kriminalvarden", "arbetsformedlingen", "sis",
            "health_care", "tax_agency", "other"]
PHASES = ["before", "during", "after"]
STATUSES = ["open", "waiting", "blocked", "admitted", "closed"]


def upgrade() -> None:
    op.create_table(
        "county",
        sa.Column("code", sa.String(2), primary_key=True),
        sa.Column("name", sa.String(), nullable=False, unique=True),
        sa.CheckConstraint("code ~ '^[0-9]{2}$'", name="ck_county_code"),
    )
    op.create_table(
        "municipality",
        sa.Column("code", sa.String(4), primary_key=True),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("county_code", sa.String(2), sa.ForeignKey("county.code"), nullable=False),
        sa.CheckConstraint("code ~ '^[0-9]{4}$'", name="ck_municipality_code"),
    )
    op.create_table(
        "person",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("identity_enc", sa.LargeBinary(), nullable=False),
        sa.Column("name_enc", sa.LargeBinary(), nullable=False),
        sa.Column("identity_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("protection_level", sa.String(), nullable=False),
        sa.Column("sex", sa.String(), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        _check("protection_level", ["none", "sekretessmarkering", "skyddad_folkbokforing"]),
        _check("sex", ["male", "female"]),
    )
    op.create_table(
        "case",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("case_number", sa.String(15), nullable=False, unique=True),
        sa.Column("person_id", sa.Uuid(), sa.ForeignKey("person.id"), nullable=False),
        sa.Column("placing_municipality", sa.String(4), sa.ForeignKey("municipality.code"),
                  nullable=False),
        sa.Column("referring_agency", sa.String(), nullable=False),
        sa.Column("milieu", sa.String(), nullable=False),
        sa.Column("custody_status", sa.String(), nullable=False),
        sa.Column("phase", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("outcome", sa.String(), nullable=True),
        sa.Column("blocked_reason", sa.String(), nullable=True),
        sa.Column("opened_at", TS, nullable=False),
        sa.Column("closed_at", TS, nullable=True),
        sa.Column("updated_at", TS, nullable=False),
        sa.CheckConstraint("case_number ~ '^UTV-[0-9]{4}-[0-9]{6}$'", name="ck_case_number"),
        _check("referring_agency", AGENCIES),
        _check("milieu", ["gang", "violent_extremism", "honour", "other"]),
        _check("custody_status", ["in_prison", "on_probation", "none"]),
        _check("phase", PHASES),
        _check("status", STATUSES),
        sa.CheckConstraint("(status = 'closed') = (closed_at IS NOT NULL)", name="ck_closed_at"),
    )
    # One open case per person, enforced by the database, not only by the intake code.
    op.create_index("uq_case_open_per_person", "case", ["person_id"], unique=True,
                    postgresql_where=sa.text("status <> 'closed'"))
    op.create_table(
        "case_journal",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("case_id", sa.Uuid(), sa.ForeignKey("case.id"), nullable=False, index=True),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("phase", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("data", pg.JSONB(), nullable=False, server_default=sa.text("'{}'::jsonb")),
    )
    # Append-only: the journal is the audit trail, so the database refuses edits.
    op.execute(
        """
        CREATE FUNCTION case_journal_append_only() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION 'case_journal is append-only';
        END;
        $$ LANGUAGE plpgsql;
        CREATE TRIGGER case_journal_no_update BEFORE UPDATE OR DELETE ON case_journal
            FOR EACH ROW EXECUTE FUNCTION case_journal_append_only();
        """
    )
    op.create_table(
        "consent",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("case_id", sa.Uuid(), sa.ForeignKey("case.id"), nullable=False, index=True),
        sa.Column("agency", sa.String(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("recorded_by", sa.String(), nullable=False),
        sa.Column("legal_basis", sa.String(), nullable=False),
        _check("agency", AGENCIES),
        _check("state", ["given", "withdrawn"]),
    )
    op.create_table(
        "eligibility_assessment",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("case_id", sa.Uuid(), sa.ForeignKey("case.id"), nullable=False),
        sa.Column("criterion", sa.String(), nullable=False),
        sa.Column("holds", sa.Boolean(), nullable=True),
        sa.Column("evidence_note", sa.String(2000), nullable=False, server_default=""),
        sa.Column("recorded_by", sa.String(), nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
        sa.UniqueConstraint("case_id", "criterion"),
        _check("criterion", ["meets_definition", "motivated", "consents_to_exchange",
                             "signed_conditions", "not_witness", "social_services_decided"]),
    )
    op.create_table(
        "threat_assessment",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("case_id", sa.Uuid(), sa.ForeignKey("case.id"), nullable=False, unique=True),
        sa.Column("level", sa.String(), nullable=False),
        sa.Column("exclusion_zones", pg.ARRAY(sa.String(4)), nullable=False),
        sa.Column("relocation_required", sa.Boolean(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("received_at", TS, nullable=False),
        sa.Column("request_id", sa.String(), nullable=False),
        _check("level", ["low", "medium", "high", "critical"]),
    )
    op.create_table(
        "agency_request",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("case_id", sa.Uuid(), sa.ForeignKey("case.id"), nullable=False, index=True),
        sa.Column("agency", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("idempotency_key", sa.String(), nullable=False, unique=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("external_id", sa.String(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.String(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("sent_at", TS, nullable=True),
        sa.Column("answered_at", TS, nullable=True),
        _check("agency", AGENCIES),
        _check("status", ["pending", "sent", "answered", "failed"]),
    )
    op.create_table(
        "case_wait",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("case_id", sa.Uuid(), sa.ForeignKey("case.id"), nullable=False, index=True),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("subject", sa.String(), nullable=False),
        sa.Column("opened_at", TS, nullable=False),
        sa.Column("deadline", TS, nullable=False),
        sa.Column("answered_at", TS, nullable=True),
        sa.Column("answered_by", sa.String(), nullable=True),
        sa.Column("answer", pg.JSONB(), nullable=True),
        sa.Column("flow_run_id", sa.Uuid(), nullable=True),
        sa.Column("overdue_flagged_at", TS, nullable=True),
        _check("kind", ["coordinator_answer", "agency_answer", "consent"]),
    )
    # A case waits for a given thing at most once at a time.
    op.create_index("uq_case_wait_open", "case_wait", ["case_id", "kind", "subject"], unique=True,
                    postgresql_where=sa.text("answered_at IS NULL"))
    op.create_table(
        "case_number_counter",
        sa.Column("year", sa.Integer(), primary_key=True),
        sa.Column("last", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    for table in ("case_number_counter", "case_wait", "agency_request", "threat_assessment",
                  "eligibility_assessment", "consent"):
        op.drop_table(table)
    op.execute("DROP TRIGGER case_journal_no_update ON case_journal")
    op.execute("DROP FUNCTION case_journal_append_only()")
    op.drop_table("case_journal")
    op.drop_index("uq_case_open_per_person", table_name="case")
    op.drop_table("case")
    op.drop_table("person")
    op.drop_table("municipality")
    op.drop_table("county")
