"""The data of `bench/reports.py`, written by COPY: cases opened in 2025 with all the facts
the follow-up statistics count, and grant applications 2020-2024 (a long tail of small
municipalities, so suppression has work to do). Made-up values, fixed seeds."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

YEAR_START = datetime(2025, 1, 1, tzinfo=UTC)
AS_OF = datetime(2026, 12, 4, tzinfo=UTC)
KINDS = ("contact_person", "financial_support", "substance_abuse_treatment",
         "criminal_thinking_programme", "psychological_treatment", "individual_coaching",
         "occupation", "long_term_housing", "new_social_networks", "debt_restructuring")
FORMS = (("protected_housing", 50), ("own_flat", 20), ("supported_housing", 15),
         ("training_flat", 10), ("youth_home", 5))


def pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([k for k, _ in weighted], [w for _, w in weighted])[0]


def _copy(conn: Any, table: str, columns: str, rows: list[tuple[Any, ...]]) -> None:
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _municipalities(conn: Any) -> list[str]:
    return [r[0] for r in conn.execute("SELECT code FROM municipality ORDER BY code")]


def populate_cases(conn: Any, n: int, cipher: Any) -> None:
    rng = random.Random(2025)  # noqa: S311 - made-up bench data, not a secret
    codes = _municipalities(conn)
    weights = [12 if c == "0180" else 7 if c == "1480" else 6 if c == "1280" else 3
               if c == "0380" else 0.3 for c in codes]
    providers = [(i, f"Utförare {i} AB") for i in range(1, 31)]
    _copy(conn, "provider", "id, name, vetted_by, vetted_on, next_follow_up_due, created_at",
          [(i, name, "bench", date(2024, 1, 1), date(2027, 1, 1), AS_OF)
           for i, name in providers])
    conn.execute("SELECT setval(pg_get_serial_sequence('provider', 'id'), 100)")
    address = cipher.encrypt("Storgatan 1")
    persons, cases, journal, relocations, interventions = [], [], [], [], []
    indicators, flags, waits = [], [], []
    for i in range(n):
        pid, cid = uuid.UUID(int=(1 << 120) | i), uuid.UUID(int=(2 << 120) | i)
        opened = YEAR_START + timedelta(minutes=rng.randrange(365 * 24 * 60))
        age = rng.choices([15, 23, 34, 45], [8, 62, 20, 10])[0] + rng.randrange(5)
        sex = "male" if rng.random() < 0.88 else "female"
        persons.append((pid, b"-", b"-", f"h{i}", "none", cipher.encrypt(sex),
                        cipher.encrypt(date(opened.year - age, 6, 1).isoformat()), opened))
        place = rng.choices(codes, weights)[0]
        marks = [(opened, "opened", "before", "open")]
        phase, status, outcome, closed = "before", "open", None, None
        if rng.random() < 0.88:
            admitted = opened + timedelta(days=rng.randint(5, 60))
            phase, status = "during", "admitted"
            marks.append((admitted, "admitted", phase, status))
            last = admitted
            if rng.random() < 0.45:
                last = admitted + timedelta(days=rng.randint(60, 300))
                phase = "after"
                marks.append((last, "established", phase, status))
            if rng.random() < 0.25:
                closed = last + timedelta(days=rng.randint(30, 200))
                outcome = rng.choice(["completed", "completed", "dropped_out", "relapsed"])
            if rng.random() < 0.55:
                form = pick(rng, FORMS)
                dest = place if rng.random() < 0.3 else rng.choice(codes)
                relocations.append((cid, cipher.encrypt(dest), address, form, False, "bench",
                                    admitted + timedelta(days=7)))
            for kind in rng.sample(KINDS, rng.randint(1, 3)):
                provider = rng.choice(providers)[0] if rng.random() < 0.7 else None
                interventions.append((cid, kind, provider, admitted.date(),
                                      admitted.date() + timedelta(days=180), 25_000, "bench",
                                      admitted))
            if rng.random() < 0.05:
                for k in range(rng.randint(1, 2)):
                    flags.append((cid, "suspicions", f"e{i}-{k}", "suspicion", admitted.date(),
                                  admitted, "bench", rng.choice(
                                      ["continue", "adjust_plan", "end_support", None])))
        elif rng.random() < 0.5:
            closed = opened + timedelta(days=rng.randint(2, 30))
            outcome = rng.choice(["not_eligible", "support_refused"])
        if closed is not None:
            status = "closed"
            marks.append((closed, "closed", phase, status))
            for months, share in ((6, 0.8), (12, 0.5), (24, 0.2)):
                if rng.random() < share:
                    indicators.append((cid, months, rng.random() < 0.6, rng.random() < 0.5,
                                       rng.random() < 0.8, "bench", closed))
        cases.append((cid, f"UTV-2025-{i:06d}", pid, place, pick(rng, (
            ("police", 60), ("social_services", 20), ("kriminalvarden", 12), ("sis", 4),
            ("other", 4))), pick(rng, (("gang", 85), ("violent_extremism", 5), ("honour", 7),
                                      ("other", 3))), "none", phase, status, outcome, opened,
            closed, opened))
        journal += [(cid, at, "bench", kind, ph, st, kind, "{}") for at, kind, ph, st in marks]
        for k in range(rng.randint(1, 2)):
            deadline = opened + timedelta(days=14 + 20 * k)
            late = rng.random()
            answered = (deadline + timedelta(days=3) if late < 0.15 else None if late < 0.18
                        else deadline - timedelta(days=2))
            waits.append((cid, rng.choice(["coordinator_answer", "action_plan", "consent"]),
                          f"s{k}", opened, deadline, answered))
    _copy(conn, "person", "id, identity_enc, name_enc, identity_hash, protection_level, "
          "sex_enc, birth_date_enc, created_at", persons)
    _copy(conn, '"case"', "id, case_number, person_id, placing_municipality, referring_agency, "
          "milieu, custody_status, phase, status, outcome, opened_at, closed_at, updated_at",
          cases)
    _copy(conn, "case_journal", "case_id, at, actor, kind, phase, status, reason, data",
          journal)
    _copy(conn, "relocation", "case_id, destination_enc, address_enc, housing_form, "
          "fast_path, decided_by, decided_at", relocations)
    _copy(conn, "intervention", "case_id, kind, provider_id, start, planned_end, cost_sek, "
          "added_by, added_at", interventions)
    _copy(conn, "outcome_indicator", "case_id, months, stable_housing, occupation, "
          "no_new_crime, recorded_by, recorded_at", indicators)
    _copy(conn, "relapse_flag", 'case_id, register, entry_id, entry_kind, entry_date, '
          'found_at, sweep_run, decision', flags)
    _copy(conn, "case_wait", "case_id, kind, subject, opened_at, deadline, answered_at", waits)
    for table in ("person", '"case"', "case_journal", "relocation", "intervention",
                  "outcome_indicator", "relapse_flag", "case_wait"):
        conn.execute(f"ANALYZE {table}")


def populate_grants(conn: Any, m: int) -> None:
    rng = random.Random(2024)  # noqa: S311 - made-up bench data, not a secret
    codes = _municipalities(conn)
    applicants = [(i + 1, "municipality", name, code) for i, (code, name) in enumerate(
        conn.execute("SELECT code, name FROM municipality ORDER BY code"))]
    applicants += [(1000, "agency", "Statens institutionsstyrelse", None),
                   (1001, "agency", "Socialstyrelsen", None)]
    applicants += [(1100 + k, "private_organisation", f"Förening {k}", None) for k in range(5)]
    _copy(conn, "grant_applicant", "id, kind, name, municipality_code", applicants)
    conn.execute("SELECT setval(pg_get_serial_sequence('grant_applicant', 'id'), 2000)")
    # Zipf-like: a few big cities, a long tail of small municipalities (small counts).
    weights = [1 / (rank + 1) for rank in range(len(codes))]
    apps, decisions, uses, payouts = [], [], [], []
    sizes = {2020: 12, 2021: 28, 2022: 124, 2023: 180, 2024: m}
    next_id = 1
    for year, count in sizes.items():
        for _ in range(count):
            aid, r = next_id, rng.random()
            next_id += 1
            kind, applicant = ("agency_development", rng.choice([1000, 1001])) if r < 0.01 \
                else ("direct_operational", 1100 + rng.randrange(5)) if r < 0.03 \
                else ("individual_case", rng.choices(range(1, len(codes) + 1), weights)[0])
            apps.append((aid, f"B{year}-{aid:06d}", year, kind, applicant,
                         "bench" if kind != "individual_case" else None, "import", "bench",
                         AS_OF))
            decided = date(year, 1, 1) + timedelta(days=rng.randrange(350))
            if rng.random() < 0.92:
                amount = rng.randrange(100_000, 900_000)
                decisions.append((aid, "granted", amount, None, decided, "noa_delegate",
                                  "bench", AS_OF))
                if kind == "individual_case":
                    for k, cat in enumerate(rng.sample(KINDS, rng.randint(1, 3))):
                        uses.append((aid, cat, amount // 4 if k else amount // 2))
                if rng.random() < 0.9:
                    payouts.append((f"P-{aid}", aid, amount, decided + timedelta(days=14),
                                    "bench", AS_OF))
            else:
                decisions.append((aid, "rejected", None, rng.choice(
                    ["criteria_not_met", "incomplete", "not_completed_when_asked"]), decided,
                    "noa_delegate", "bench", AS_OF))
    _copy(conn, "grant_application", "id, reference, year, kind, applicant_id, purpose, "
          "source, recorded_by, recorded_at", apps)
    conn.execute("SELECT setval(pg_get_serial_sequence('grant_application', 'id'), %s)",
                 (next_id + 1,))
    _copy(conn, "grant_application_decision", "application_id, outcome, amount_sek, "
          "rejection_reason, decided_on, decided_by, recorded_by, recorded_at", decisions)
    _copy(conn, "grant_use", "application_id, category, amount_sek", uses)
    _copy(conn, "grant_payout", "reference, application_id, amount_sek, paid_on, recorded_by, "
          "recorded_at", payouts)
    for table in ("grant_applicant", "grant_application", "grant_application_decision",
                  "grant_use", "grant_payout"):
        conn.execute(f"ANALYZE {table}")


