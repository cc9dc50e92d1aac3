"""The grants officer sees the completions the police asked for (Statsbidrag's
"Begärda kompletteringar"): under row-level security the case service's role showed
them no `case_wait` row, so the list was empty outside the tests run as the owner. Read
only, the open or answered `grant_completion` waits of the cases they already see (a
case with the police coordinator's statement: 0013_rls's `app_grants`).

Revision ID: 0022_grants_completions
Revises: 0021_drop_clear_columns
Create Date: 2026-12-04
"""

from alembic import op

revision = "0022_grants_completions"
down_revision = "0021_drop_clear_columns"
branch_labels = None
depends_on = None

# 0013_rls's GRANTS condition, then the waits of the cases with a statement.
POLICY = """
CREATE POLICY app_grants ON "case_wait" FOR SELECT TO utvag_app USING (
  (utvag_bound_org() = 'police:national' AND utvag_has_role('grants_officer'))
  AND kind = 'grant_completion'
  AND case_id IN (SELECT s.case_id FROM coordinator_statement s));
"""


def upgrade() -> None:
    op.execute(POLICY)


def downgrade() -> None:
    op.execute('DROP POLICY app_grants ON "case_wait";')
