"""During phase: routing version pinned on the case, needs assessment, meeting
invitations with per-agency sign-off; providers, their follow-ups and the interventions
of the action plan; coordinator statements, the grant budget and decisions; relocations
(destination and address encrypted).

Revision ID: 0006_during
Revises: 0003
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0006_during"
down_revision = "0003"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("case", sa.Column("routing_version", sa.String(), nullable=True))
    op.create_table(
        "needs_assessment",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("case_id", sa.Uuid(), sa.ForeignKey("case.id"), nullable=False, unique=True),
        sa.Column("needs", pg.ARRAY(sa.String()), nullable=False),
        sa.Column("network", pg.ARRAY(sa.String()), nullable=False),
        sa.Column("recorded_by", sa.String(), nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
    )
    op.create_table(
        "meeting_invitation",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("case_id", sa.Uuid(), sa.ForeignKey("case.id"), nullable=False, index=True),
        sa.Column("invitee", sa.String(), nullable=False),
        sa.Column("units", pg.ARRAY(sa.String()), nullable=False),
        sa.Column("external", sa.Boolean(), nullable=False),
        sa.Column("routing_version", sa.String(), nullable=False),
        sa.Column("signed_off_by", sa.String(), nullable=True),
        sa.Column("signed_off_at", TS, nullable=True),
        sa.UniqueConstraint("case_id", "invitee"),
    )
    op.create_table(
        "provider",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("vetted_by", sa.String(), nullable=True),
        sa.Column("vetted_on", sa.Date(), nullable=True),
        sa.Column("next_follow_up_due", sa.Date(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.CheckConstraint("(vetted_by IS NULL) = (vetted_on IS NULL)", name="ck_provider_vetted"),
    )
    op.create_table(
        "provider_follow_up",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("provider_id", sa.BigInteger(), sa.ForeignKey("provider.id"), nullable=False,
                  index=True),
        sa.Column("verdict", sa.String(), nullable=False),
        sa.Column("reported_by", sa.String(), nullable=False),
        sa.Column("reported_on", sa.Date(), nullable=False),
        sa.Column("next_follow_up_due", sa.Date(), nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
        sa.CheckConstraint("verdict IN ('satisfactory', 'concerns', 'unsatisfactory')",
                           name="ck_follow_up_verdict"),
    )
    op.create_table(
        "intervention",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("case_id", sa.Uuid(), sa.ForeignKey("case.id"), nullable=False, index=True),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("provider_id", sa.BigInteger(), sa.ForeignKey("provider.id"), nullable=True),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("planned_end", sa.Date(), nullable=False),
        sa.Column("cost_sek", sa.BigInteger(), nullable=False),
        sa.Column("added_by", sa.String(), nullable=False),
        sa.Column("added_at", TS, nullable=False),
        sa.CheckConstraint("cost_sek >= 0", name="ck_intervention_cost"),
        sa.CheckConstraint("planned_end >= start", name="ck_intervention_period"),
    )
    op.create_table(
        "coordinator_statement",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("case_id", sa.Uuid(), sa.ForeignKey("case.id"), nullable=False, unique=True),
        sa.Column("supports", sa.Boolean(), nullable=False),
        sa.Column("recorded_by", sa.String(), nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
    )
    op.create_table(
        "grant_budget",
        sa.Column("year", sa.Integer(), primary_key=True),
        sa.Column("appropriation_sek", sa.BigInteger(), nullable=False),
        sa.Column("direct_operational_cap_sek", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "grant_decision",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("case_id", sa.Uuid(), sa.ForeignKey("case.id"), nullable=False, unique=True),
        sa.Column("year", sa.Integer(), sa.ForeignKey("grant_budget.year"), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("amount_sek", sa.BigInteger(), nullable=True),
        sa.Column("reason", sa.String(), nullable=True),
        sa.Column("decided_at", TS, nullable=False),
        sa.CheckConstraint("status IN ('granted', 'rejected', 'refused_budget')",
                           name="ck_grant_status"),
        sa.CheckConstraint("(status = 'granted') = (amount_sek IS NOT NULL)",
                           name="ck_grant_amount"),
    )
    op.create_table(
        "relocation",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("case_id", sa.Uuid(), sa.ForeignKey("case.id"), nullable=False, unique=True),
        sa.Column("destination_enc", sa.LargeBinary(), nullable=False),
        sa.Column("address_enc", sa.LargeBinary(), nullable=False),
        sa.Column("housing_form", sa.String(), nullable=False),
        sa.Column("fast_path", sa.Boolean(), nullable=False),
        sa.Column("decided_by", sa.String(), nullable=False),
        sa.Column("decided_at", TS, nullable=False),
        sa.Column("approval_due", TS, nullable=True),
        sa.Column("approved_by", sa.String(), nullable=True),
        sa.Column("approved_at", TS, nullable=True),
        sa.CheckConstraint("NOT fast_path OR approval_due IS NOT NULL", name="ck_fast_path_due"),
    )
    op.create_table(
        "outcome_indicator",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("case_id", sa.Uuid(), sa.ForeignKey("case.id"), nullable=False, index=True),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.Column("stable_housing", sa.Boolean(), nullable=False),
        sa.Column("occupation", sa.Boolean(), nullable=False),
        sa.Column("no_new_crime", sa.Boolean(), nullable=False),
        sa.Column("recorded_by", sa.String(), nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
        sa.UniqueConstraint("case_id", "months"),
        sa.CheckConstraint("months IN (6, 12, 24)", name="ck_indicator_months"),
    )
    op.create_table(
        "transfer_offer",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("case_id", sa.Uuid(), sa.ForeignKey("case.id"), nullable=False, unique=True),
        sa.Column("offered_by", sa.String(), nullable=False),
        sa.Column("offered_at", TS, nullable=False),
        sa.Column("accepted", sa.Boolean(), nullable=True),
        sa.Column("cost_payer", sa.String(), nullable=True),
        sa.Column("cost_from", sa.Date(), nullable=True),
        sa.Column("answered_by", sa.String(), nullable=True),
        sa.Column("answered_at", TS, nullable=True),
        sa.CheckConstraint("cost_payer IN ('placing', 'receiving')", name="ck_transfer_payer"),
    )


def downgrade() -> None:
    op.drop_table("transfer_offer")
    op.drop_table("outcome_indicator")
    op.drop_table("relocation")
    op.drop_table("grant_decision")
    op.drop_table("grant_budget")
    op.drop_table("coordinator_statement")
    op.drop_table("intervention")
    op.drop_table("provider_follow_up")
    op.drop_table("provider")
    op.drop_table("meeting_invitation")
    op.drop_table("needs_assessment")
    op.drop_column("case", "routing_version")
