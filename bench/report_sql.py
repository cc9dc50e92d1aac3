"""The baselines of `bench/reports.py`: each report's aggregates as ONE plain SQL
statement (psycopg parameters), returning one JSON object. No suppression, no
decryption (moves to another municipality cannot be counted in SQL: the destination is
encrypted; nor sex and age band: the birth date and sex are encrypted, migration 0020, so
each is grouped as one unknown value here), no Python between the queries: the floor a
report's queries could reach."""

from __future__ import annotations

FOLLOWUP_SQL = """
WITH cohort AS MATERIALIZED (
  SELECT c.id, c.phase, c.status, c.milieu, c.referring_agency, c.outcome, c.opened_at,
         c.closed_at, NULL::text AS sex, co.name AS county, NULL::text AS age_band
    FROM "case" c JOIN person p ON p.id = c.person_id
    JOIN municipality m ON m.code = c.placing_municipality
    JOIN county co ON co.code = m.county_code
   WHERE c.opened_at >= %(start)s AND c.opened_at < %(end)s
), dims AS (
  SELECT grouping(phase, status, milieu, sex, age_band, county, referring_agency) AS g,
         phase, status, milieu, sex, age_band, county, referring_agency, count(*) AS n
    FROM cohort GROUP BY GROUPING SETS ((phase), (status), (milieu), (sex), (age_band),
                                        (county), (referring_agency), ())
), marks AS (
  SELECT c.id, c.opened_at, c.closed_at,
         min(j.at) FILTER (WHERE j.phase = 'during') AS during_at,
         min(j.at) FILTER (WHERE j.phase = 'after') AS after_at,
         bool_or(j.kind = 'admitted') AS admitted
    FROM cohort c JOIN case_journal j ON j.case_id = c.id GROUP BY c.id, c.opened_at, c.closed_at
), times AS (
  SELECT v.phase, count(v.days) AS n,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY v.days) AS median,
         percentile_cont(0.9) WITHIN GROUP (ORDER BY v.days) AS p90
    FROM marks CROSS JOIN LATERAL (VALUES
      ('before', extract(epoch FROM coalesce(during_at, after_at, closed_at) - opened_at)),
      ('during', extract(epoch FROM coalesce(after_at, closed_at) - during_at)),
      ('after', extract(epoch FROM closed_at - after_at))) AS v(phase, days)
   GROUP BY v.phase
), overdue AS (
  SELECT w.kind, count(DISTINCT w.case_id) AS n
    FROM case_wait w JOIN cohort c ON c.id = w.case_id
   WHERE w.answered_at > w.deadline OR (w.answered_at IS NULL AND w.deadline < %(as_of)s)
   GROUP BY ROLLUP (w.kind)
)
SELECT json_build_object(
  'dims', (SELECT json_agg(dims) FROM dims),
  'times', (SELECT json_agg(times) FROM times),
  'admitted', (SELECT count(*) FROM marks WHERE admitted),
  'overdue', (SELECT json_agg(overdue) FROM overdue),
  'relocations', (SELECT json_build_object('n', count(*), 'emergency', count(*) FILTER (
                    WHERE r.housing_form IN ('protected_housing', 'emergency')))
                    FROM relocation r JOIN cohort c ON c.id = r.case_id),
  'kinds', (SELECT json_object_agg(kind, n) FROM (
              SELECT i.kind, count(DISTINCT i.case_id) AS n
                FROM intervention i JOIN cohort c ON c.id = i.case_id GROUP BY i.kind) k),
  'providers', (SELECT json_object_agg(name, n) FROM (
              SELECT coalesce(p.name, '') AS name, count(DISTINCT i.case_id) AS n
                FROM intervention i JOIN cohort c ON c.id = i.case_id
                LEFT JOIN provider p ON p.id = i.provider_id GROUP BY 1) pr),
  'outcomes', (SELECT json_object_agg(o, n) FROM (
              SELECT coalesce(outcome, 'other') AS o, count(*) AS n FROM cohort
               WHERE status = 'closed' GROUP BY 1) oc),
  'indicators', (SELECT json_agg(i) FROM (
              SELECT o.months, count(*), count(*) FILTER (WHERE o.stable_housing),
                     count(*) FILTER (WHERE o.occupation), count(*) FILTER (WHERE o.no_new_crime)
                FROM outcome_indicator o JOIN cohort c ON c.id = o.case_id
               GROUP BY o.months) i),
  'flags', (SELECT json_agg(f) FROM (
              SELECT coalesce(f.decision, '') AS d, count(*), count(DISTINCT f.case_id)
                FROM relapse_flag f JOIN cohort c ON c.id = f.case_id
               GROUP BY ROLLUP (coalesce(f.decision, ''))) f))
"""

ACCOUNT_SQL = """
WITH recipients AS (
  SELECT l.kind, l.applicant_kind, l.applicant_name, co.name AS county, l.status,
         l.rejection_reason, count(*) AS n, coalesce(sum(l.amount_sek), 0) AS sek
    FROM grant_ledger l
    LEFT JOIN municipality m ON m.code = l.municipality_code
    LEFT JOIN county co ON co.code = m.county_code
   WHERE l.year = %(year)s AND l.status <> 'pending' GROUP BY 1, 2, 3, 4, 5, 6
), paid AS (
  SELECT kind, applicant_kind, applicant_name, sum(sek) AS sek FROM (
    SELECT l.kind, l.applicant_kind, l.applicant_name, p.amount_sek AS sek
      FROM grant_ledger l JOIN grant_payout p ON p.application_id = l.application_id
     WHERE l.year = %(year)s
    UNION ALL
    SELECT l.kind, l.applicant_kind, l.applicant_name, p.amount_sek
      FROM grant_ledger l JOIN grant_payout p ON p.case_decision_id = l.case_decision_id
     WHERE l.year = %(year)s) x GROUP BY 1, 2, 3
), uses AS (
  SELECT category, count(DISTINCT application) AS n, sum(sek) AS sek FROM (
    SELECT u.category, 'a' || u.application_id AS application, u.amount_sek AS sek
      FROM grant_use u JOIN grant_application a ON a.id = u.application_id
      JOIN grant_application_decision d ON d.application_id = a.id AND d.outcome = 'granted'
     WHERE a.year = %(year)s
    UNION ALL
    SELECT i.kind, 'c' || g.id, i.cost_sek FROM grant_decision g
      JOIN intervention i ON i.case_id = g.case_id AND i.added_at <= g.decided_at
     WHERE g.year = %(year)s AND g.status = 'granted') x GROUP BY category
), trend AS (
  SELECT year, count(*) AS n, sum(amount_sek) AS sek,
         count(DISTINCT (applicant_kind, applicant_name)) AS applicants
    FROM grant_ledger WHERE kind = 'individual_case' AND status = 'granted'
     AND year <= %(year)s GROUP BY year
)
SELECT json_build_object(
  'recipients', (SELECT json_agg(recipients) FROM recipients),
  'paid', (SELECT json_agg(paid) FROM paid),
  'purposes', (SELECT json_agg(a.purpose) FROM grant_application a
                 JOIN grant_application_decision d ON d.application_id = a.id
                WHERE a.year = %(year)s AND d.outcome = 'granted' AND a.purpose IS NOT NULL),
  'uses', (SELECT json_agg(uses) FROM uses),
  'trend', (SELECT json_agg(trend) FROM trend),
  'appropriation', (SELECT json_agg(g) FROM grant_appropriation g),
  'allocation', (SELECT json_agg(a) FROM grant_allocation_decision a
                  WHERE a.year = %(year)s))
"""
