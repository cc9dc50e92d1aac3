"""The clear columns 0019 emptied go: person.birth_date and person.sex,
consent.legal_basis, eligibility_assessment.evidence_note (their values are in the `*_enc`
columns, encrypted by `utvag init`, which holds the key: `services.clear_text`). Refused,
with nothing changed, while a clear value is left: `utvag init` (and `make run`) encrypt
them before migrating here (`services.keys.prepare_database`).

And the case service may lift a legal hold (DELETE on `retention_hold`, under its
row-level security policy).

Revision ID: 0021_drop_clear_columns
Revises: 0020_plan_versions_backfill
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0021_drop_clear_columns"
down_revision = "0020_plan_versions_backfill"
branch_labels = None
depends_on = None

CLEAR = (("person", "birth_date"), ("person", "sex"), ("consent", "legal_basis"),
         ("eligibility_assessment", "evidence_note"))
LEFT = " UNION ALL ".join(
    f"SELECT '{table}.{column}' FROM \"{table}\" WHERE {column} IS NOT NULL "  # noqa: S608
    f"AND {column}::text <> ''" for table, column in CLEAR)


def upgrade() -> None:
    left = sorted({row[0] for row in op.get_bind().execute(sa.text(LEFT))})
    if left:
        raise RuntimeError(
            f"migration 0021: values from before migration 0019 are still in clear "
            f"({', '.join(left)}); run `utvag init` (it encrypts them with the key, then "
            "migrates). Nothing was changed")
    for table, column in CLEAR:
        op.drop_column(table, column)
    op.execute("GRANT DELETE ON retention_hold TO utvag_app")


def downgrade() -> None:
    op.execute("REVOKE DELETE ON retention_hold FROM utvag_app")
    op.add_column("person", sa.Column("sex", sa.String(), nullable=True))
    op.add_column("person", sa.Column("birth_date", sa.Date(), nullable=True))
    op.add_column("consent", sa.Column("legal_basis", sa.String(), nullable=True))
    op.add_column("eligibility_assessment", sa.Column(
        "evidence_note", sa.String(2000), nullable=False, server_default=""))
    op.create_check_constraint("ck_sex_allowed", "person", "sex IN ('male', 'female')")
