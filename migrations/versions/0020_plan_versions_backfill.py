"""The action plan's state is read from `plan_version` alone (`services.snapshot`), no
longer from the journal: a plan approved before versions were kept (0016) gets its
version 1 (approved, by whom and when the journal says, with the case's interventions),
and a revision opened by a reopening before this one (the journal's `plan_revision`
marker, not approved since) its draft. Data only; the downgrade leaves the rows (they
are true).

Revision ID: 0020_plan_versions_backfill
Revises: 0019_person_keys
Create Date: 2026-12-10
"""

from alembic import op

revision = "0020_plan_versions_backfill"
down_revision = "0019_person_keys"
branch_labels = None
depends_on = None

FIRST_VERSIONS = """
INSERT INTO plan_version (case_id, version, status, reason, opened_by, opened_at,
                          intervention_ids, cost_sek, approved_by, approved_at)
SELECT j.case_id, 1, 'approved', 'first plan', j.actor, j.at,
       coalesce((SELECT array_agg(i.id ORDER BY i.id) FROM intervention i
                  WHERE i.case_id = j.case_id), '{}'),
       (SELECT coalesce(sum(i.cost_sek), 0) FROM intervention i WHERE i.case_id = j.case_id),
       j.actor, j.at
  FROM (SELECT DISTINCT ON (case_id) case_id, actor, at FROM case_journal
         WHERE kind = 'plan_approved' ORDER BY case_id, id) j
 WHERE NOT EXISTS (SELECT 1 FROM plan_version v WHERE v.case_id = j.case_id)
"""

OPEN_REVISIONS = """
INSERT INTO plan_version (case_id, version, status, reason, opened_by, opened_at,
                          intervention_ids)
SELECT r.case_id, v.version + 1, 'draft', 'reopened', r.actor, r.at, v.intervention_ids
  FROM (SELECT DISTINCT ON (case_id) case_id, id, actor, at FROM case_journal
         WHERE kind = 'plan_revision' ORDER BY case_id, id DESC) r
  JOIN LATERAL (SELECT version, status, intervention_ids FROM plan_version w
                 WHERE w.case_id = r.case_id ORDER BY version DESC LIMIT 1) v ON true
 WHERE v.status = 'approved'
   AND r.id > (SELECT max(a.id) FROM case_journal a
                WHERE a.case_id = r.case_id AND a.kind = 'plan_approved')
"""


def upgrade() -> None:
    op.execute(FIRST_VERSIONS)
    op.execute(OPEN_REVISIONS)


def downgrade() -> None:
    pass
