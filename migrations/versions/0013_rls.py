"""Database roles and row-level security: `utvag_app` (the case service) and
`utvag_worker` (the Prefect workers), their grants, the journals' TRUNCATE triggers, and
the policies that keep every case and its personal data inside the bound principal's
scope (docs/database-roles.md).

The owner is whoever runs this migration (`utvag_owner` in production, the superuser in
the tests and the embedded server): it owns the tables and the SECURITY DEFINER
functions. The two roles are cluster-wide: created here when missing (NOLOGIN; needs
CREATEROLE), never dropped by the downgrade (other databases on the server use them).

Revision ID: 0013_rls
Revises: 0012_access
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_rls"
down_revision = "0012_access"
branch_labels = None
depends_on = None

APP, WORKER = "utvag_app", "utvag_worker"
JOURNALS = ("case_journal", "register_disclosure", "access_log")
# Reference data and the installation's facts: read only for both roles.
READ_ONLY = ("county", "municipality", "installation")
# Tables whose rows belong to one case (column case_id): in scope when the case is.
CASE_KEYED = ("agency_request", "belongings_move", "case_wait", "consent",
              "coordinator_statement", "eligibility_assessment", "grant_decision",
              "intervention", "meeting_invitation", "needs_assessment", "outcome_indicator",
              "protection_request", "relapse_flag", "threat_assessment")
# Tables the receiving municipality of a transfer offer sees before answering it.
OFFER_KEYED = ("relocation", "transfer_offer")
RLS_TABLES = ("case", "person", "case_journal", *CASE_KEYED, *OFFER_KEYED, "case_assignment",
              "break_glass", "access_log", "register_check", "register_disclosure",
              "installation")

ROLES = """
DO $$
DECLARE r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['utvag_app', 'utvag_worker'] LOOP
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = r) THEN
      BEGIN
        EXECUTE format('CREATE ROLE %I NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE '
                       'NOBYPASSRLS NOREPLICATION', r);
      EXCEPTION
        WHEN duplicate_object OR unique_violation THEN NULL;  -- another database's migration
        WHEN insufficient_privilege THEN
          RAISE EXCEPTION 'role % is missing and % may not create it: create it first '
                          '(docs/database-roles.md)', r, current_user;
      END;
    END IF;
    IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = r
               AND (rolsuper OR rolbypassrls OR rolcreaterole OR rolreplication)) THEN
      RAISE EXCEPTION 'role % may not be a superuser or bypass row-level security', r;
    END IF;
  END LOOP;
END $$;
"""

# The bound principal (adapters/rls.py); every policy reads it through these.
PRINCIPAL = """
CREATE FUNCTION utvag_bound_org() RETURNS text LANGUAGE sql STABLE
  SET search_path = pg_catalog AS
$$ SELECT nullif(current_setting('utvag.org', true), '') $$;

CREATE FUNCTION utvag_has_role(role text) RETURNS boolean LANGUAGE sql STABLE
  SET search_path = pg_catalog AS
$$ SELECT current_setting('utvag.org', true) <> ''
          AND role = ANY (string_to_array(current_setting('utvag.roles', true), ',')) $$;

-- The receiving municipality is the destination, never stored in clear: a transfer offer
-- carries the tag of the receiving organisation, keyed by a secret only the owner reads.
CREATE FUNCTION utvag_org_tag(org text) RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog AS
$$ SELECT encode(sha256(convert_to(i.value || '|' || org, 'UTF8')), 'hex')
   FROM public.installation i WHERE i.key = 'secret:org_tag' AND org IS NOT NULL $$;
"""

# One place for "is this case in the bound principal's scope": the placing municipality,
# the receiving one once it accepted, an active assignment, an agency a request went to,
# an open break-glass. SECURITY DEFINER (owned by the owner, who passes every policy) so
# the policies on these tables never recurse.
FUNCTIONS = """
CREATE FUNCTION utvag_cases_visible(ids uuid[]) RETURNS boolean LANGUAGE sql STABLE
  SECURITY DEFINER SET search_path = pg_catalog AS $$
WITH p AS (SELECT public.utvag_bound_org() AS org,
                  nullif(current_setting('utvag.staff_id', true), '') AS staff,
                  coalesce(nullif(current_setting('utvag.now', true), '')::timestamptz,
                           now()) AS at)
SELECT EXISTS (
  SELECT 1 FROM public."case" c, p
  WHERE c.id = ANY (ids) AND p.org IS NOT NULL AND (
       p.org = 'municipality:' || c.placing_municipality
    OR EXISTS (SELECT 1 FROM public.transfer_offer t WHERE t.case_id = c.id AND t.accepted
               AND t.receiving_tag = public.utvag_org_tag(p.org))
    OR EXISTS (SELECT 1 FROM public.case_assignment a WHERE a.case_id = c.id
               AND a.staff_id = p.staff AND a.ended_at IS NULL)
    OR (p.org LIKE 'agency:%' AND EXISTS (
         SELECT 1 FROM public.agency_request r WHERE r.case_id = c.id
         AND r.agency = substr(p.org, 8) AND r.sent_at IS NOT NULL))
    OR EXISTS (SELECT 1 FROM public.break_glass b WHERE b.case_id = c.id
               AND b.staff_id = p.staff AND b.opened_at <= p.at AND b.expires_at > p.at))) $$;

CREATE FUNCTION utvag_case_visible(case_id uuid) RETURNS boolean LANGUAGE sql STABLE
  SECURITY DEFINER SET search_path = pg_catalog AS
$$ SELECT public.utvag_cases_visible(ARRAY[case_id]) $$;

-- The receiving municipality of an offer (answered or not): it sees the case, the offer,
-- the relocation (its own municipality), the transfer wait and the transfer entries.
CREATE FUNCTION utvag_case_offered(case_id uuid) RETURNS boolean LANGUAGE sql STABLE
  SECURITY DEFINER SET search_path = pg_catalog AS
$$ SELECT EXISTS (SELECT 1 FROM public.transfer_offer t WHERE t.case_id = $1
                  AND t.receiving_tag = public.utvag_org_tag(public.utvag_bound_org())) $$;

CREATE FUNCTION utvag_person_visible(person_id uuid) RETURNS boolean LANGUAGE sql STABLE
  SECURITY DEFINER SET search_path = pg_catalog AS
$$ SELECT public.utvag_cases_visible(ARRAY(
     SELECT c.id FROM public."case" c WHERE c.person_id = $1)) $$;

-- The grants officer: the cases the police coordinator made a statement on.
CREATE FUNCTION utvag_grant_case(case_id uuid) RETURNS boolean LANGUAGE sql STABLE
  SECURITY DEFINER SET search_path = pg_catalog AS
$$ SELECT public.utvag_has_role('grants_officer') AND EXISTS (
     SELECT 1 FROM public.coordinator_statement s WHERE s.case_id = $1) $$;

-- Intake's duplicate check across municipalities: the person's id (opaque) by the
-- identity number's keyed hash, without reading anyone's row.
CREATE FUNCTION utvag_person_id(identity_hash text) RETURNS uuid LANGUAGE sql STABLE
  SECURITY DEFINER SET search_path = pg_catalog AS
$$ SELECT p.id FROM public.person p WHERE p.identity_hash = $1
   AND public.utvag_bound_org() LIKE 'municipality:%' $$;

CREATE FUNCTION utvag_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: TRUNCATE refused', TG_TABLE_NAME;
END $$;
"""

FUNCTION_NAMES = ("utvag_bound_org()", "utvag_has_role(text)", "utvag_org_tag(text)",
                  "utvag_cases_visible(uuid[])", "utvag_case_visible(uuid)",
                  "utvag_case_offered(uuid)", "utvag_person_visible(uuid)",
                  "utvag_grant_case(uuid)", "utvag_person_id(text)")

TAG_KEY_ROW = """
INSERT INTO installation (key, value, set_at)
SELECT 'secret:org_tag', encode(sha256(convert_to(gen_random_uuid()::text
         || gen_random_uuid()::text || clock_timestamp()::text, 'UTF8')), 'hex'), now()
ON CONFLICT (key) DO NOTHING;
"""


def _policy(table: str, name: str, using: str, *, command: str = "ALL",
            check: str | None = None, role: str = APP) -> str:
    clause = "" if command == "INSERT" else f" USING ({using})"
    if command in ("ALL", "INSERT", "UPDATE"):
        clause += f" WITH CHECK ({check or using})"
    return f'CREATE POLICY {name} ON "{table}" FOR {command} TO {role}{clause};'


def _policies() -> list[str]:
    scope = [_policy(t, "app_scope", "utvag_case_visible(case_id)") for t in CASE_KEYED]
    offered = "utvag_case_visible(case_id) OR utvag_case_offered(case_id)"
    scope += [_policy(t, "app_scope", offered) for t in OFFER_KEYED]
    own = "staff_id = current_setting('utvag.staff_id', true)"
    return [
        *scope,
        _policy("case", "app_scope", "utvag_case_visible(id) OR utvag_case_offered(id)"),
        _policy("case", "app_open", "", command="INSERT",
                check="utvag_bound_org() = 'municipality:' || placing_municipality"),
        _policy("case", "app_operator", "utvag_has_role('operator')", command="SELECT"),
        _policy("case", "app_grants", "utvag_grant_case(id)", command="SELECT"),
        _policy("case_wait", "app_offer", "utvag_case_offered(case_id) AND kind = 'transfer'"),
        _policy("case_wait", "app_operator", "utvag_has_role('operator')", command="SELECT"),
        _policy("agency_request", "app_operator", "utvag_has_role('operator')",
                command="SELECT"),
        _policy("coordinator_statement", "app_grants", "utvag_has_role('grants_officer')",
                command="SELECT"),
        _policy("grant_decision", "app_grants", "utvag_grant_case(case_id)"),
        _policy("person", "app_scope", "utvag_person_visible(id)"),
        _policy("person", "app_register", "", command="INSERT",
                check="utvag_bound_org() LIKE 'municipality:%'"),
        _policy("case_journal", "app_scope", "utvag_case_visible(case_id) OR ("
                "utvag_case_offered(case_id) AND (kind IN ('transfer_offered', "
                "'transfer_answered') OR (kind = 'wait_answered' AND data->>'wait_kind' ="
                " 'transfer')))"),
        _policy("register_check", "app_scope", "utvag_cases_visible(case_ids)"),
        _policy("register_disclosure", "app_scope", "utvag_cases_visible(case_ids)"),
        _policy("case_assignment", "app_scope", f"utvag_case_visible(case_id) OR {own}"),
        _policy("case_assignment", "app_auditor", "utvag_has_role('auditor')",
                command="SELECT"),
        _policy("break_glass", "app_scope", f"utvag_bound_org() IS NOT NULL AND ({own} "
                "OR utvag_case_visible(case_id) OR utvag_has_role('auditor'))"),
        _policy("access_log", "app_read", f"utvag_bound_org() IS NOT NULL AND ({own} "
                "OR utvag_has_role('auditor'))", command="SELECT"),
        _policy("access_log", "app_write", "", command="INSERT", check="true"),
        *[_policy("access_log", f"{r[6:]}_write", "", command="INSERT", check="true", role=r)
          for r in (WORKER,)],
        *[_policy("installation", f"{r[6:]}_facts", "key NOT LIKE 'secret:%'",
                  command="SELECT", role=r) for r in (APP, WORKER)],
        *[_policy(t, "worker_all", "true", role=WORKER)
          for t in RLS_TABLES if t not in ("installation", "access_log")],
        _policy("access_log", "worker_read", "true", command="SELECT", role=WORKER),
        # FORCE below: the owner passes by its own policy (migrations, the functions above).
        *[_policy(t, "owner_all", "true", role="CURRENT_USER") for t in RLS_TABLES],
    ]


def _grants() -> list[str]:
    roles = f"{APP}, {WORKER}"
    journals = ", ".join(f'"{t}"' for t in JOURNALS)
    return [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {roles}",
        f"GRANT USAGE ON SCHEMA public TO {roles}",
        f"GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO {roles}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {roles}",
        f"REVOKE UPDATE ON {journals} FROM {roles}",
        f"REVOKE INSERT, UPDATE ON {', '.join(READ_ONLY)} FROM {roles}",
        f"REVOKE ALL ON alembic_version FROM {roles}",
        f"REVOKE ALL ON FUNCTION {', '.join(FUNCTION_NAMES)} FROM PUBLIC",
        f"GRANT EXECUTE ON FUNCTION {', '.join(FUNCTION_NAMES)} TO {roles}",
        # The ledger view reads grant decisions with the reader's rights (and policies).
        "ALTER VIEW grant_ledger SET (security_invoker = true)",
    ]


def upgrade() -> None:
    op.execute(ROLES)
    op.add_column("transfer_offer", sa.Column("receiving_tag", sa.String(64), nullable=True))
    op.execute(TAG_KEY_ROW)
    op.execute(PRINCIPAL)
    op.execute(FUNCTIONS)
    for table in ("case_journal", "register_disclosure"):
        op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION utvag_refuse_truncate()")
    for table in JOURNALS:  # even under session_replication_role = replica
        op.execute(f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {table}_no_truncate")
    for statement in _grants():
        op.execute(statement)
    for table in RLS_TABLES:
        op.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
        op.execute(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY')
    for statement in _policies():
        op.execute(statement)


def downgrade() -> None:
    for table in RLS_TABLES:
        for (name,) in op.get_bind().execute(sa.text(
                "SELECT policyname FROM pg_policies WHERE tablename = :t"), {"t": table}):
            op.execute(f'DROP POLICY {name} ON "{table}"')
        op.execute(f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY')
        op.execute(f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY')
    op.execute("ALTER VIEW grant_ledger RESET (security_invoker)")
    op.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {APP}, {WORKER}")
    op.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {APP}, {WORKER}")
    op.execute(f"REVOKE USAGE ON SCHEMA public FROM {APP}, {WORKER}")
    op.execute("ALTER TABLE access_log ENABLE TRIGGER access_log_no_truncate")
    for table in ("case_journal", "register_disclosure"):
        op.execute(f"DROP TRIGGER {table}_no_truncate ON {table}")
    op.execute("DROP FUNCTION utvag_refuse_truncate()")
    for name in reversed(FUNCTION_NAMES):
        op.execute(f"DROP FUNCTION {name}")
    op.execute("DELETE FROM installation WHERE key = 'secret:org_tag'")
    op.drop_column("transfer_offer", "receiving_tag")
