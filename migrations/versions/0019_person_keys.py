"""Keys: the master key's fingerprint and id (`master_key`), a rotation's staged values
(`key_rotation_stage`), and the probe a process uses to tell whether its key opens the
personal data already stored (docs/keys.md). Free text and the birth date and sex get
encrypted columns; the clear ones become nullable and are emptied by `utvag init`, which
holds the key (`services.clear_text`), and dropped by a later migration.

Revision ID: 0019_person_keys
Revises: 0018_published_reports
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0019_person_keys"
down_revision = "0018_published_reports"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
ENCRYPTED_NEW = (("person", "birth_date_enc"), ("person", "sex_enc"),
                 ("eligibility_assessment", "evidence_note_enc"),
                 ("consent", "legal_basis_enc"))
# The downgrade leaves them nullable: rows written since hold no clear value.
NOW_NULLABLE = (("person", "birth_date"), ("person", "sex"), ("consent", "legal_basis"))
APP, WORKER = "utvag_app", "utvag_worker"

# One value under the master key (a person's wrapped data key, else an identity from
# before person keys; a ciphertext tells nothing without the key), so that a
# process bound to no one, which row-level security shows no person, can still tell
# whether its key opens the data already there before it registers the key.
PROBE = """
CREATE FUNCTION utvag_key_probe() RETURNS bytea LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog AS
$$ SELECT coalesce(
     (SELECT k.wrapped FROM public.person_key k WHERE k.wrapped IS NOT NULL LIMIT 1),
     (SELECT p.identity_enc FROM public.person p
       WHERE substring(p.identity_enc FROM 1 FOR 3) <> '\\x70312e'::bytea LIMIT 1),
     (SELECT p.identity_enc FROM public.person p LIMIT 1)) $$;
"""

# The access log of the cases in the bound principal's scope, for the person's subject-
# access export (every read of their data and by which organisation): the log's own
# policy shows a principal only their own rows. No staff id or subject leaves.
CASE_READS = """
CREATE FUNCTION utvag_case_reads(case_ids uuid[]) RETURNS TABLE (
    id bigint, at timestamptz, organisation text, roles text[], action text, purpose text,
    outcome text, fields text[], case_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS
$$ SELECT a.id, a.at, a.organisation, a.roles::text[], a.action, a.purpose, a.outcome,
          a.fields::text[], a.case_id
     FROM public.access_log a
    WHERE a.case_id = ANY (case_ids)
      AND a.case_id IN (SELECT public.utvag_visible_case_ids()) $$;
"""

# The journal stays append-only, except that the owner may re-encrypt the tokens in an
# entry's reason and data (a key rotation, the encryption of rows from before 0017) in a
# transaction that says so (`SET LOCAL utvag.rekey = 'on'`); who, what, when never change.
# The roles have no UPDATE on the journal at all (0013).
REKEYABLE_JOURNAL = """
CREATE OR REPLACE FUNCTION case_journal_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND current_setting('utvag.rekey', true) = 'on'
     AND NEW.id = OLD.id AND NEW.case_id = OLD.case_id AND NEW.at = OLD.at
     AND NEW.actor = OLD.actor AND NEW.kind = OLD.kind AND NEW.phase = OLD.phase
     AND NEW.status = OLD.status THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'case_journal is append-only';
END;
$$ LANGUAGE plpgsql;
"""
APPEND_ONLY_JOURNAL = """
CREATE OR REPLACE FUNCTION case_journal_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'case_journal is append-only';
END;
$$ LANGUAGE plpgsql;
"""


def upgrade() -> None:
    op.create_table(
        "master_key",
        sa.Column("key_id", sa.String(16), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False, unique=True),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("activated_at", TS, nullable=True),
        sa.Column("retired_at", TS, nullable=True),
        sa.CheckConstraint("state IN ('active', 'next', 'retired')", name="ck_master_key_state"),
    )
    op.create_index("uq_master_key_active", "master_key", ["state"], unique=True,
                    postgresql_where=sa.text("state IN ('active', 'next')"))
    op.create_table(
        "key_rotation_stage",
        sa.Column("table_name", sa.String(63), primary_key=True),
        sa.Column("row_id", sa.String(64), primary_key=True),
        sa.Column("column_name", sa.String(63), primary_key=True),
        sa.Column("key_id", sa.String(16), sa.ForeignKey("master_key.key_id"), nullable=False),
        sa.Column("source_digest", sa.LargeBinary(), nullable=False),
        sa.Column("value", sa.LargeBinary(), nullable=False),
    )
    op.create_table(
        "person_key",
        sa.Column("person_id", sa.Uuid(), sa.ForeignKey("person.id"), primary_key=True),
        sa.Column("key_id", sa.String(16), nullable=False),
        sa.Column("wrapped", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("destroyed_at", TS, nullable=True),
    )
    op.create_table(
        "retention_hold",
        sa.Column("case_id", sa.Uuid(), sa.ForeignKey("case.id"), primary_key=True),
        sa.Column("reason_enc", sa.LargeBinary(), nullable=False),
        sa.Column("set_by", sa.String(100), nullable=False),
        sa.Column("set_at", TS, nullable=False),
    )
    op.execute(f"GRANT SELECT, INSERT, UPDATE ON person_key, retention_hold TO {APP}, {WORKER}")
    for table in ("person_key", "retention_hold"):
        op.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
        op.execute(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY')
        op.execute(f'CREATE POLICY worker_all ON "{table}" FOR ALL TO {WORKER} '
                   "USING (true) WITH CHECK (true)")
        op.execute(f'CREATE POLICY owner_all ON "{table}" FOR ALL TO CURRENT_USER '
                   "USING (true) WITH CHECK (true)")
    # A wrapped key is ciphertext under the master key, which the service holds anyway:
    # any bound principal may fetch one to open a value it was already allowed to read
    # (the value's own row is what row-level security guards), and intake adds one.
    op.execute(f"CREATE POLICY app_read ON person_key FOR SELECT TO {APP} "
               "USING (true)")
    op.execute(f"CREATE POLICY app_register ON person_key FOR INSERT TO {APP} "
               "WITH CHECK (utvag_bound_org() LIKE 'municipality:%')")
    op.execute(f"CREATE POLICY app_scope ON retention_hold FOR ALL TO {APP} "
               "USING (case_id IN (SELECT utvag_visible_case_ids())) "
               "WITH CHECK (case_id IN (SELECT utvag_visible_case_ids()))")
    op.execute(PROBE)
    op.execute(REKEYABLE_JOURNAL)
    op.execute(CASE_READS)
    op.execute("REVOKE ALL ON FUNCTION utvag_case_reads(uuid[]) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION utvag_case_reads(uuid[]) TO {APP}")
    for table, column in ENCRYPTED_NEW:
        op.add_column(table, sa.Column(column, sa.LargeBinary(), nullable=True))
    for table, column in NOW_NULLABLE:
        op.alter_column(table, column, nullable=True)
    # Any process registers the key of a database that has none (the first start), and
    # reads it at every start; only the operator's login (the owner) rotates.
    op.execute(f"GRANT SELECT, INSERT ON master_key TO {APP}, {WORKER}")
    op.execute(f"GRANT SELECT ON key_rotation_stage TO {APP}, {WORKER}")
    op.execute("REVOKE ALL ON FUNCTION utvag_key_probe() FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION utvag_key_probe() TO {APP}, {WORKER}")


def downgrade() -> None:
    op.drop_table("retention_hold")
    op.drop_table("person_key")
    op.execute(APPEND_ONLY_JOURNAL)
    op.execute("DROP FUNCTION utvag_case_reads(uuid[])")
    for table, column in ENCRYPTED_NEW:
        op.drop_column(table, column)
    op.execute("DROP FUNCTION utvag_key_probe()")
    op.drop_table("key_rotation_stage")
    op.drop_index("uq_master_key_active", table_name="master_key")
    op.drop_table("master_key")
