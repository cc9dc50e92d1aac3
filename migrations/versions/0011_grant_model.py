"""The state grant as the police account for it: dated appropriations and allocation
decisions, applicants, applications that do not come from a case with their decisions
and uses, payouts, and the view `grant_ledger` that lists those applications beside the
case flow's `grant_decision` rows (not copied: the case flow stays their only writer).

Seeds the appropriation as far as the sources state it (the police's 2022 account,
Dnr A077.218/2023): 2020 at most 7 500 000 kr; 2022 at most 22 500 000 kr by the
letter of appropriation, raised by the amending decision of 30 June 2022 to at most
72 500 000 kr, of which at most 10 000 000 kr direct operational support, also paying
the joint government assignment; and the allocation decision of 8 April 2022 (only
applications tied to an individual, through a municipality). 2021 and 2023 are not
stated in the sources and are left for the grants officer to record.

Revision ID: 0011_grant_model
Revises: 0009_merge_heads
Create Date: 2026-12-04
"""

from datetime import date

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0011_grant_model"
down_revision = "0009_merge_heads"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
KINDS = "('individual_case', 'direct_operational', 'agency_development')"
SEEDED_BY = "migration 0011 (Polismyndigheten, Dnr A077.218/2023)"

LEDGER_VIEW = """
CREATE VIEW grant_ledger AS
SELECT a.id AS application_id, NULL::bigint AS case_decision_id, a.year, a.kind,
       ap.kind AS applicant_kind, ap.name AS applicant_name, ap.municipality_code,
       COALESCE(d.outcome, 'pending') AS status, d.amount_sek, d.rejection_reason,
       d.decided_on
  FROM grant_application a
  JOIN grant_applicant ap ON ap.id = a.applicant_id
  LEFT JOIN grant_application_decision d ON d.application_id = a.id
UNION ALL
SELECT NULL::bigint, g.id, g.year, g.kind, 'municipality', m.name, c.placing_municipality,
       CASE g.status WHEN 'granted' THEN 'granted' ELSE 'rejected' END, g.amount_sek,
       CASE g.status WHEN 'granted' THEN NULL
                     WHEN 'refused_budget' THEN 'appropriation_exhausted'
                     ELSE g.reason END,
       (g.decided_at AT TIME ZONE 'Europe/Stockholm')::date
  FROM grant_decision g
  JOIN "case" c ON c.id = g.case_id
  JOIN municipality m ON m.code = c.placing_municipality
"""


def upgrade() -> None:
    op.create_table(
        "grant_appropriation",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("in_force_from", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("reference", sa.String(200), nullable=True),
        sa.Column("total_cap_sek", sa.BigInteger(), nullable=False),
        sa.Column("direct_operational_cap_sek", sa.BigInteger(), nullable=True),
        sa.Column("includes_joint_assignment", sa.Boolean(), nullable=False),
        sa.Column("recorded_by", sa.String(100), nullable=False),
        sa.UniqueConstraint("year", "in_force_from"),
        sa.CheckConstraint("kind IN ('letter_of_appropriation', 'amending_decision')",
                           name="ck_appropriation_kind"),
        sa.CheckConstraint("total_cap_sek > 0", name="ck_appropriation_total"),
        sa.CheckConstraint("direct_operational_cap_sek BETWEEN 0 AND total_cap_sek",
                           name="ck_appropriation_direct"),
        sa.CheckConstraint("extract(year FROM in_force_from) = year",
                           name="ck_appropriation_year"),
    )
    op.create_table(
        "grant_allocation_decision",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("reference", sa.String(200), nullable=True),
        sa.Column("allowed_kinds", pg.ARRAY(sa.String(40)), nullable=False),
        sa.Column("note", sa.String(1000), nullable=False),
        sa.Column("recorded_by", sa.String(100), nullable=False),
        sa.UniqueConstraint("year", "decided_on"),
        sa.CheckConstraint("allowed_kinds <@ ARRAY['individual_case', 'direct_operational', "
                           "'agency_development']::varchar[]", name="ck_allocation_kinds"),
    )
    op.create_table(
        "grant_applicant",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("municipality_code", sa.String(4), sa.ForeignKey("municipality.code"),
                  nullable=True),
        sa.UniqueConstraint("kind", "name"),
        sa.CheckConstraint("kind IN ('municipality', 'city_district', 'agency', "
                           "'private_organisation')", name="ck_applicant_kind"),
        sa.CheckConstraint("(kind IN ('municipality', 'city_district')) = "
                           "(municipality_code IS NOT NULL)", name="ck_applicant_municipality"),
    )
    op.create_table(
        "grant_application",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("reference", sa.String(64), nullable=False, unique=True),
        sa.Column("year", sa.Integer(), nullable=False, index=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("applicant_id", sa.BigInteger(), sa.ForeignKey("grant_applicant.id"),
                  nullable=False, index=True),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("amount_applied_sek", sa.BigInteger(), nullable=True),
        sa.Column("purpose", sa.String(500), nullable=True),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("import_digest", sa.String(64), nullable=True),
        sa.Column("recorded_by", sa.String(100), nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
        sa.CheckConstraint(f"kind IN {KINDS}", name="ck_application_kind"),
        sa.CheckConstraint("source IN ('officer', 'import')", name="ck_application_source"),
        sa.CheckConstraint("kind <> 'individual_case' OR purpose IS NULL",
                           name="ck_application_no_free_text_on_individuals"),
        sa.CheckConstraint("amount_applied_sek > 0", name="ck_application_amount"),
    )
    op.create_table(
        "grant_application_decision",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("application_id", sa.BigInteger(), sa.ForeignKey("grant_application.id"),
                  nullable=False, unique=True),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("amount_sek", sa.BigInteger(), nullable=True),
        sa.Column("rejection_reason", sa.String(40), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("decided_by", sa.String(40), nullable=False),
        sa.Column("recorded_by", sa.String(100), nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
        sa.CheckConstraint("outcome IN ('granted', 'rejected')", name="ck_decision_outcome"),
        sa.CheckConstraint("(outcome = 'granted') = (amount_sek IS NOT NULL) AND "
                           "(outcome = 'rejected') = (rejection_reason IS NOT NULL)",
                           name="ck_decision_amount_or_reason"),
        sa.CheckConstraint("amount_sek > 0", name="ck_decision_amount"),
        sa.CheckConstraint("rejection_reason IN ('criteria_not_met', 'incomplete', "
                           "'not_completed_when_asked')", name="ck_decision_reason"),
        sa.CheckConstraint("decided_by IN ('noa_head', 'noa_delegate')",
                           name="ck_decision_by"),
    )
    op.create_table(
        "grant_use",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("application_id", sa.BigInteger(), sa.ForeignKey("grant_application.id"),
                  nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("amount_sek", sa.BigInteger(), nullable=False),
        sa.UniqueConstraint("application_id", "category"),
        sa.CheckConstraint("amount_sek > 0", name="ck_use_amount"),
    )
    op.create_table(
        "grant_payout",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("reference", sa.String(64), nullable=False, unique=True),
        sa.Column("application_id", sa.BigInteger(), sa.ForeignKey("grant_application.id"),
                  nullable=True, index=True),
        sa.Column("case_decision_id", sa.BigInteger(), sa.ForeignKey("grant_decision.id"),
                  nullable=True, index=True),
        sa.Column("amount_sek", sa.BigInteger(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(100), nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
        sa.CheckConstraint("num_nonnulls(application_id, case_decision_id) = 1",
                           name="ck_payout_one_application"),
        sa.CheckConstraint("amount_sek > 0", name="ck_payout_amount"),
    )
    op.execute(LEDGER_VIEW)
    _seed()


def _seed() -> None:
    appropriation = sa.table(
        "grant_appropriation", *(sa.column(c) for c in (
            "year", "in_force_from", "kind", "decided_on", "reference", "total_cap_sek",
            "direct_operational_cap_sek", "includes_joint_assignment", "recorded_by")))
    op.bulk_insert(appropriation, [
        {"year": 2020, "in_force_from": date(2020, 1, 1), "kind": "letter_of_appropriation",
         "decided_on": None, "reference": "Regleringsbrev för budgetåret 2020",
         "total_cap_sek": 7_500_000, "direct_operational_cap_sek": None,
         "includes_joint_assignment": False, "recorded_by": SEEDED_BY},
        {"year": 2022, "in_force_from": date(2022, 1, 1), "kind": "letter_of_appropriation",
         "decided_on": None, "reference": "Regleringsbrev för budgetåret 2022 avseende "
                                          "Polismyndigheten",
         "total_cap_sek": 22_500_000, "direct_operational_cap_sek": None,
         "includes_joint_assignment": False, "recorded_by": SEEDED_BY},
        {"year": 2022, "in_force_from": date(2022, 6, 30), "kind": "amending_decision",
         "decided_on": date(2022, 6, 30), "reference": "JU2022/01535; JU2022/02207 delvis",
         "total_cap_sek": 72_500_000, "direct_operational_cap_sek": 10_000_000,
         "includes_joint_assignment": True, "recorded_by": SEEDED_BY},
    ])
    allocation = sa.table("grant_allocation_decision", *(sa.column(c) for c in (
        "year", "decided_on", "reference", "allowed_kinds", "note", "recorded_by")))
    op.bulk_insert(allocation, [
        {"year": 2022, "decided_on": date(2022, 4, 8),
         "reference": "Noa 92/2022 (A155.489/2022)", "allowed_kinds": ["individual_case"],
         "note": "Anslaget fördelas på ansökningar kopplade till enskild individ som inkommer "
                 "via en kommun; inget direkt verksamhetsstöd beviljas.",
         "recorded_by": SEEDED_BY},
    ])


def downgrade() -> None:
    op.execute("DROP VIEW grant_ledger")
    for table in ("grant_payout", "grant_use", "grant_application_decision",
                  "grant_application", "grant_applicant", "grant_allocation_decision",
                  "grant_appropriation"):
        op.drop_table(table)
