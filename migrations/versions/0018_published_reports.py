"""Reports over every case, made by the workers and handed out by the case service:
`published_report` (the suppressed output: HTML, PDF, the CSV tables as a zip, the
tables as JSON; no case and no person) and `report_request` (a grants officer asked for
a report not yet made; the run started for it).

Revision ID: 0018_published_reports
Revises: 0016_plan_and_people
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0018_published_reports"
down_revision = "0016_plan_and_people"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
KINDS = "kind IN ('grant_account', 'followup_national')"


def upgrade() -> None:
    op.create_table(
        "published_report",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("parameters", sa.String(40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("made_on", sa.Date(), nullable=False),
        sa.Column("made_at", TS, nullable=False),
        sa.Column("made_by_run", sa.String(64), nullable=True),
        sa.Column("html", sa.LargeBinary(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("csv_zip", sa.LargeBinary(), nullable=False),
        sa.Column("tables", postgresql.JSONB(), nullable=False),
        sa.CheckConstraint(KINDS, name="ck_published_report_kind"),
        sa.CheckConstraint(
            "(kind = 'grant_account' AND year IS NOT NULL AND period_start IS NULL"
            " AND period_end IS NULL) OR (kind = 'followup_national' AND year IS NULL"
            " AND period_start IS NOT NULL AND period_end >= period_start)",
            name="ck_published_report_parameters"),
        sa.UniqueConstraint("kind", "parameters", "made_on",
                            name="uq_published_report_kind_parameters_day"),
    )
    op.create_index("ix_published_report_lookup", "published_report",
                    ["kind", "parameters", "made_at"])
    op.create_table(
        "report_request",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("parameters", sa.String(40), nullable=False),
        sa.Column("requested_at", TS, nullable=False),
        sa.Column("requested_by", sa.String(200), nullable=False),
        sa.Column("flow_run_id", sa.String(64), nullable=True),
        sa.CheckConstraint(KINDS, name="ck_report_request_kind"),
    )
    op.create_index("ix_report_request_lookup", "report_request",
                    ["kind", "parameters", "requested_at"])
    # No case_id and no person_id: published output is suppressed tables and amounts,
    # so no row-level security (tests/integration/test_db_roles.py's guard). The workers
    # make reports; the service hands them out and records requests for them.
    op.execute("GRANT SELECT ON published_report TO utvag_app")
    op.execute("GRANT SELECT, INSERT ON published_report TO utvag_worker")
    op.execute("GRANT SELECT, INSERT ON report_request TO utvag_app")
    op.execute("GRANT UPDATE (flow_run_id) ON report_request TO utvag_app")
    op.execute("GRANT SELECT ON report_request TO utvag_worker")


def downgrade() -> None:
    op.drop_table("report_request")
    op.drop_table("published_report")
