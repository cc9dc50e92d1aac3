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
CASE_KEYED = ("agency_request", "case_wait", "consent",
              "coordinator_statement", "eligibility_assessment", "grant_decision",
              "intervention", "meeting_invitation", "needs_assessment", "outcome_indicator",
              "protection_request", "relapse_flag", "threat_assessment")
# Tables the destination municipality sees before it accepted the transfer (to confirm
# the belongings and to answer the offer).
OFFER_KEYED = ("belongings_move", "relocation", "transfer_offer")
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

# The bound principal (adapters/rls.py). Not SECURITY DEFINER, no SET clause: the
# planner inlines them into the policies.
PRINCIPAL = """
CREATE FUNCTION utvag_bound_org() RETURNS text LANGUAGE sql STABLE AS
$$ SELECT nullif(pg_catalog.current_setting('utvag.org', true), '') $$;

CREATE FUNCTION utvag_has_role(role text) RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT pg_catalog.current_setting('utvag.org', true) <> '' AND role OPERATOR(pg_catalog.=)
          ANY (pg_catalog.string_to_array(pg_catalog.current_setting('utvag.roles', true),
                                          ',')) $$;

-- The receiving municipality is the destination, never stored in clear: a transfer offer
-- carries the tag of the receiving organisation, keyed by a secret only the owner reads.
CREATE FUNCTION utvag_org_tag(org text) RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog AS
$$ SELECT encode(sha256(convert_to(i.value || '|' || org, 'UTF8')), 'hex')
   FROM public.installation i WHERE i.key = 'secret:org_tag' AND org IS NOT NULL $$;

-- The key itself, for the worker tagging an offer and the service a relocation
-- (adapters/org_tag.py) without sending the destination to the server. Both hold the
-- encryption key that opens the destination itself: the tag key tells them nothing more.
CREATE FUNCTION utvag_org_tag_key() RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog AS
$$ SELECT i.value FROM public.installation i WHERE i.key = 'secret:org_tag' $$;
"""

# One place for "which cases are in the bound principal's scope": the placing
# municipality's, the receiving one's once it accepted, an active assignment's, an
# agency's a request went to, an open break-glass's. SECURITY DEFINER (owned by the
# owner, who passes every policy), so the policies on these tables never recurse; a set,
# computed once per statement (`case_id IN (SELECT utvag_visible_case_ids())` is a hashed
# subplan), not a function call per row: ~0.1 s rather than ~20 s over 50,000 cases.
FUNCTIONS = """
CREATE FUNCTION utvag_visible_case_ids() RETURNS SETOF uuid LANGUAGE sql STABLE
  SECURITY DEFINER SET search_path = pg_catalog AS $$
WITH p AS (SELECT public.utvag_bound_org() AS org,
                  nullif(current_setting('utvag.staff_id', true), '') AS staff,
                  coalesce(nullif(current_setting('utvag.now', true), '')::timestamptz,
                           now()) AS at)
SELECT c.id FROM public."case" c, p
 WHERE p.org LIKE 'municipality:%' AND c.placing_municipality = substr(p.org, 14)
UNION
SELECT t.case_id FROM public.transfer_offer t, p
 WHERE t.accepted AND t.receiving_tag = public.utvag_org_tag(p.org)
UNION
SELECT a.case_id FROM public.case_assignment a, p
 WHERE p.org IS NOT NULL AND a.staff_id = p.staff AND a.ended_at IS NULL
UNION
SELECT r.case_id FROM public.agency_request r, p
 WHERE p.org LIKE 'agency:%' AND r.agency = substr(p.org, 8) AND r.sent_at IS NOT NULL
UNION
SELECT b.case_id FROM public.break_glass b, p
 WHERE p.org IS NOT NULL AND b.staff_id = p.staff AND b.opened_at <= p.at
   AND b.expires_at > p.at $$;

-- The destination municipality, from the relocation's decision (its tag) or the offer
-- (answered or not): it sees the case, the relocation (its own municipality), the move
-- of belongings, the offer, the belongings and transfer waits and their entries.
CREATE FUNCTION utvag_offered_case_ids() RETURNS SETOF uuid LANGUAGE sql STABLE
  SECURITY DEFINER SET search_path = pg_catalog AS
$$ WITH tag AS (SELECT public.utvag_org_tag(public.utvag_bound_org()) AS t)
   SELECT r.case_id FROM public.relocation r, tag WHERE r.destination_tag = tag.t
   UNION
   SELECT o.case_id FROM public.transfer_offer o, tag WHERE o.receiving_tag = tag.t $$;

CREATE FUNCTION utvag_visible_person_ids() RETURNS SETOF uuid LANGUAGE sql STABLE
  SECURITY DEFINER SET search_path = pg_catalog AS
$$ SELECT c.person_id FROM public."case" c
   WHERE c.id IN (SELECT public.utvag_visible_case_ids()) $$;

-- One case: for a caller's own check (the policies use the set above).
CREATE FUNCTION utvag_case_visible(case_id uuid) RETURNS boolean LANGUAGE sql STABLE
  SECURITY DEFINER SET search_path = pg_catalog AS
$$ SELECT $1 IN (SELECT public.utvag_visible_case_ids()) $$;

-- Intake's duplicate check across municipalities: the person's id (opaque) by the
-- identity number's keyed hash, without reading anyone's row.
CREATE FUNCTION utvag_person_id(identity_hash text) RETURNS uuid LANGUAGE sql STABLE
  SECURITY DEFINER SET search_path = pg_catalog AS
$$ SELECT p.id FROM public.person p WHERE p.identity_hash = $1
   AND public.utvag_bound_org() LIKE 'municipality:%' $$;

-- A case's id by its number, whoever is bound, the case in scope or not: to journal a
-- refusal with the case it was about (the auditor sees what was tried), and for
-- break-glass, which is how someone outside a case gets in. An opaque id, nothing else.
CREATE FUNCTION utvag_case_id(case_number text) RETURNS uuid LANGUAGE sql STABLE
  SECURITY DEFINER SET search_path = pg_catalog AS
$$ SELECT c.id FROM public."case" c WHERE c.case_number = $1
   AND public.utvag_bound_org() IS NOT NULL $$;

-- Intake of a person with an open case placed by ANOTHER municipality (invisible to the
-- bound one): that case's coordinators are told in its journal (one fixed entry, the
-- bound referrer as its actor) and its id is returned for the access log; NULL (nothing
-- written) otherwise. Only social services of a municipality, only by the identity
-- number's keyed hash: nothing of the case is read back.
CREATE FUNCTION utvag_intake_probe(identity_hash text) RETURNS uuid LANGUAGE plpgsql
  VOLATILE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
  org text := public.utvag_bound_org();
  staff text := nullif(current_setting('utvag.staff_id', true), '');
  hit public."case"%ROWTYPE;
BEGIN
  IF org IS NULL OR org NOT LIKE 'municipality:%' OR staff IS NULL OR NOT (
      public.utvag_has_role('coordinator') OR public.utvag_has_role('social_handler')) THEN
    RETURN NULL;
  END IF;
  SELECT c.* INTO hit FROM public."case" c JOIN public.person p ON p.id = c.person_id
   WHERE p.identity_hash = $1 AND c.status <> 'closed'
     AND c.placing_municipality <> substr(org, 14)
   ORDER BY c.opened_at DESC LIMIT 1;
  IF hit.id IS NULL THEN
    RETURN NULL;
  END IF;
  INSERT INTO public.case_journal (case_id, at, actor, kind, phase, status, reason, data)
  VALUES (hit.id, coalesce(nullif(current_setting('utvag.now', true), '')::timestamptz,
                             now()),
          staff, 'note', hit.phase, hit.status,
          'a referral for this person from ' || org || ' (' || staff || ') was accepted '
          || 'for review; they were not told of this case',
          jsonb_build_object('intake_probe', true, 'organisation', org));
  RETURN hit.id;
END $$;

-- The case service's waker (caseservice/waker.py): which flow run holds a case the
-- principal who just answered sees (in scope, or as its destination), though its other
-- waits may be hidden from them. A run id, nothing of the case.
CREATE FUNCTION utvag_waiting_run(case_id uuid) RETURNS uuid LANGUAGE sql STABLE
  SECURITY DEFINER SET search_path = pg_catalog AS
$$ SELECT w.flow_run_id FROM public.case_wait w
   WHERE w.case_id = $1 AND w.flow_run_id IS NOT NULL
     AND ($1 IN (SELECT public.utvag_visible_case_ids())
          OR $1 IN (SELECT public.utvag_offered_case_ids()))
   ORDER BY w.id DESC LIMIT 1 $$;

-- The auditor reads the access log and the break-glass openings, not the cases: a case's
-- number (an identifier, nothing personal) by its id, and its id by its number.
CREATE FUNCTION utvag_audit_case_number(case_id uuid) RETURNS text LANGUAGE sql STABLE
  SECURITY DEFINER SET search_path = pg_catalog AS
$$ SELECT c.case_number FROM public."case" c WHERE c.id = $1
   AND public.utvag_bound_org() = 'audit' AND public.utvag_has_role('auditor') $$;

CREATE FUNCTION utvag_audit_case_id(case_number text) RETURNS uuid LANGUAGE sql STABLE
  SECURITY DEFINER SET search_path = pg_catalog AS
$$ SELECT c.id FROM public."case" c WHERE c.case_number = $1
   AND public.utvag_bound_org() = 'audit' AND public.utvag_has_role('auditor') $$;

CREATE FUNCTION utvag_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: TRUNCATE refused', TG_TABLE_NAME;
END $$;
"""

FUNCTION_NAMES = ("utvag_bound_org()", "utvag_has_role(text)", "utvag_org_tag(text)",
                  "utvag_org_tag_key()",
                  "utvag_visible_case_ids()", "utvag_offered_case_ids()",
                  "utvag_visible_person_ids()", "utvag_case_visible(uuid)",
                  "utvag_person_id(text)", "utvag_case_id(text)",
                  "utvag_intake_probe(text)", "utvag_audit_case_number(uuid)",
                  "utvag_audit_case_id(text)", "utvag_waiting_run(uuid)")
PUBLIC_FUNCTIONS = tuple(f for f in FUNCTION_NAMES if not f.startswith("utvag_org_tag"))

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


VISIBLE = "{col} IN (SELECT utvag_visible_case_ids())"
OFFERED = "{col} IN (SELECT utvag_offered_case_ids())"
OWN = "staff_id = current_setting('utvag.staff_id', true)"
# A role counts only in its own organisation (as models.principal checks it too).
OPERATOR = "(utvag_bound_org() = 'operations' AND utvag_has_role('operator'))"
AUDITOR = "(utvag_bound_org() = 'audit' AND utvag_has_role('auditor'))"
GRANTS = "(utvag_bound_org() = 'police:national' AND utvag_has_role('grants_officer'))"


def _scope(col: str = "case_id", *, offered: bool = False) -> str:
    seen = VISIBLE.format(col=col)
    return f"{seen} OR {OFFERED.format(col=col)}" if offered else seen


def _policies() -> list[str]:
    scope = [_policy(t, "app_scope", _scope()) for t in CASE_KEYED]
    scope += [_policy(t, "app_scope", _scope(offered=True)) for t in OFFER_KEYED]
    any_visible = ("EXISTS (SELECT 1 FROM unnest(case_ids) AS u(id)"
                   " WHERE u.id IN (SELECT utvag_visible_case_ids()))")
    transfer_entries = ("kind IN ('belongings_delivered', 'transfer_offered',"
                        " 'transfer_answered') OR (kind IN ('wait_opened', 'wait_answered')"
                        " AND data->>'wait_kind' IN ('belongings', 'transfer'))")
    with_statement = "{col} IN (SELECT s.case_id FROM coordinator_statement s)"
    return [
        *scope,
        _policy("case", "app_scope", _scope("id", offered=True)),
        _policy("case", "app_open", "", command="INSERT",
                check="utvag_bound_org() = 'municipality:' || placing_municipality"),
        _policy("case", "app_operator", OPERATOR, command="SELECT"),
        _policy("case", "app_grants", f"{GRANTS} AND {with_statement.format(col='id')}",
                command="SELECT"),
        _policy("case_wait", "app_offer", f"{OFFERED.format(col='case_id')} AND kind IN "
                "('belongings', 'transfer')"),
        _policy("case_wait", "app_operator", OPERATOR, command="SELECT"),
        _policy("agency_request", "app_operator", OPERATOR,
                command="SELECT"),
        _policy("coordinator_statement", "app_grants", GRANTS,
                command="SELECT"),
        _policy("grant_decision", "app_grants",
                f"{GRANTS} AND {with_statement.format(col='case_id')}"),
        _policy("person", "app_scope", "id IN (SELECT utvag_visible_person_ids())"),
        _policy("person", "app_register", "", command="INSERT",
                check="utvag_bound_org() LIKE 'municipality:%'"),
        _policy("case_journal", "app_scope", f"{_scope()} OR ("
                f"{OFFERED.format(col='case_id')} AND ({transfer_entries}))"),
        _policy("register_check", "app_scope", any_visible),
        _policy("register_disclosure", "app_scope", any_visible),
        _policy("case_assignment", "app_scope", f"{_scope()} OR {OWN}"),
        _policy("case_assignment", "app_auditor", AUDITOR,
                command="SELECT"),
        _policy("break_glass", "app_scope", f"utvag_bound_org() IS NOT NULL AND ({OWN} "
                f"OR {_scope()} OR {AUDITOR})"),
        _policy("access_log", "app_read", f"utvag_bound_org() IS NOT NULL AND ({OWN} "
                f"OR {AUDITOR})", command="SELECT"),
        _policy("access_log", "app_write", "", command="INSERT", check="true"),
        _policy("access_log", "worker_write", "", command="INSERT", check="true", role=WORKER),
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
        # The tag functions are the owner's (called inside the functions above), but
        # the worker tags an offer and the service a relocation with the key
        # (adapters/org_tag.py).
        f"GRANT EXECUTE ON FUNCTION {', '.join(PUBLIC_FUNCTIONS)} TO {roles}",
        f"GRANT EXECUTE ON FUNCTION utvag_org_tag_key() TO {roles}",
        # The ledger view reads grant decisions with the reader's rights (and policies).
        "ALTER VIEW grant_ledger SET (security_invoker = true)",
    ]


def upgrade() -> None:
    op.execute(ROLES)
    op.add_column("transfer_offer", sa.Column("receiving_tag", sa.String(64), nullable=True))
    op.add_column("relocation", sa.Column("destination_tag", sa.String(64), nullable=True))
    # The destination's cases by its tag (the policies, the caseload): an index lookup.
    op.create_index("ix_relocation_destination_tag", "relocation", ["destination_tag"])
    op.create_index("ix_transfer_offer_receiving_tag", "transfer_offer", ["receiving_tag"])
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
    op.drop_index("ix_transfer_offer_receiving_tag", "transfer_offer")
    op.drop_index("ix_relocation_destination_tag", "relocation")
    op.drop_column("transfer_offer", "receiving_tag")
    op.drop_column("relocation", "destination_tag")
