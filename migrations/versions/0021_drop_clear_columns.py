"""The clear columns 0019 emptied go: person.birth_date and person.sex,
consent.legal_basis, eligibility_assessment.evidence_note (their values are in the `*_enc`
columns, encrypted by `utvag init`, which holds the key: `services.clear_text`). Refused,
with nothing changed, while a clear value is left: `utvag init` (and `make run`) encrypt
them before migrating here (`services.keys.prepare_database`).

And the case service may lift a legal hold (DELETE on `retention_hold`, under its
row-level security policy); the workers may cull (DELETE on `case_responsibility`, and
`utvag_cull_journal`, below).

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


# Culling (the workers' `cull-expired-cases`, as utvag_worker) strips from a culled
# person's journal entries the words sealed before per-person keys existed (under the
# master key, they would still open). The journal is append-only to the workers: this
# function, the owner's, is the one change to it they may make, and only that one.
CULL_JOURNAL = """
CREATE FUNCTION utvag_cull_journal(ids uuid[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  PERFORM set_config('utvag.rekey', 'on', true);
  UPDATE case_journal SET data = data - 'legal_basis_enc' - 'reason_enc'
   WHERE case_id = ANY(ids) AND (data ? 'legal_basis_enc' OR data ? 'reason_enc');
  PERFORM set_config('utvag.rekey', '', true);
END $$"""


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
    op.execute("GRANT DELETE ON case_responsibility TO utvag_worker")
    op.execute(CULL_JOURNAL)
    op.execute("REVOKE ALL ON FUNCTION utvag_cull_journal(uuid[]) FROM PUBLIC")
    op.execute("GRANT EXECUTE ON FUNCTION utvag_cull_journal(uuid[]) TO utvag_worker")


def downgrade() -> None:
    op.execute("DROP FUNCTION utvag_cull_journal(uuid[])")
    op.execute("REVOKE DELETE ON case_responsibility FROM utvag_worker")
    op.execute("REVOKE DELETE ON retention_hold FROM utvag_app")
    op.add_column("person", sa.Column("sex", sa.String(), nullable=True))
    op.add_column("person", sa.Column("birth_date", sa.Date(), nullable=True))
    op.add_column("consent", sa.Column("legal_basis", sa.String(), nullable=True))
    op.add_column("eligibility_assessment", sa.Column(
        "evidence_note", sa.String(2000), nullable=False, server_default=""))
    op.create_check_constraint("ck_sex_allowed", "person", "sex IN ('male', 'female')")
