"""The register sweep's rows: loading a page of ongoing cases, journaling disclosures
before sending, and writing what the registers answered.

A page is read with one keyset query (``LIMIT``), its cases' identity numbers decrypted
in one pass. What a page's requests answered is written in ONE transaction (one
commit): the relapse flags (``INSERT ... ON CONFLICT DO NOTHING``: an entry flags a case
once, whatever the runs, retries or races), their journal entries, and one
``register_check`` row per answered request naming exactly its cases. A request that
failed writes nothing, so no case is ever marked checked that was not.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from adapters.db import raw_connection, unit_of_work
from adapters.db import table as core_table
from adapters.registers import LookupResult, Subject
from adapters.vault import get_cipher
from models.journal import Kind
from models.relapse import Finding, RelapseFlag, relapses
from models.tables import JournalEntry
from tasks.cases import SYSTEM


class Case(NamedTuple):
    """One row of ``_LOAD_SQL``, in its column order."""

    id: str  # the case id as text: it is the subject_ref and goes into id arrays as is
    phase: str
    status: str
    identity_enc: bytes
    admitted_on: date
    consent: bool


# Person by a correlated sub-select, not a join: joined, the planner hashes the whole
# person table for every page (a parallel seq scan, O(all cases) per page).
_LOAD = """
SELECT c.id::text AS id, c.phase, c.status,
       (SELECT p.identity_enc FROM person p WHERE p.id = c.person_id) AS identity_enc,
       (coalesce((SELECT min(j.at) FROM case_journal j
                  WHERE j.case_id = c.id AND j.kind = 'admitted'), c.opened_at)
        AT TIME ZONE 'UTC')::date AS admitted_on,
       coalesce((SELECT co.state = 'given' FROM consent co
                 WHERE co.case_id = c.id AND co.agency = 'police'
                 ORDER BY co.id DESC LIMIT 1), false) AS consent
FROM "case" c
WHERE c.phase IN ('during', 'after') AND c.status <> 'closed'
  AND c.id > %(after)s AND c.id <= %(upto)s
ORDER BY c.id
"""
_DONE = """
SELECT r.register, u.id::text FROM register_check r, unnest(r.case_ids) AS u(id)
WHERE r.sweep_run = %(run)s AND u.id > %(after)s AND u.id <= %(upto)s
"""
_IDS = """
SELECT c.id::text FROM "case" c
WHERE c.phase IN ('during', 'after') AND c.status <> 'closed' AND c.id > %(after)s
ORDER BY c.id LIMIT %(n)s
"""
# Without a cursor: two statements rather than "(%(after)s IS NULL OR c.id > ...)",
# which defeats the index.
_FIRST = {sql: sql.replace("c.id > %(after)s AND ", "").replace(" AND c.id > %(after)s", "")
          .replace("u.id > %(after)s AND ", "") for sql in (_LOAD, _DONE, _IDS)}


def plan_pages(after: str | None, size: int,
               page_size: int) -> tuple[list[tuple[str | None, str]], int]:
    """The next ``size`` ongoing cases after ``after``, as consecutive id ranges
    ``(after, upto]`` of ``page_size`` cases (ids only: ~0.1 µs of PostgreSQL per case),
    so that pages can be loaded concurrently; and how many cases that is."""
    with raw_connection() as conn, conn.cursor(binary=True) as cursor:
        cursor.execute(_FIRST[_IDS] if after is None else _IDS, {"after": after, "n": size},
                       prepare=True)
        ids = [row[0] for row in cursor.fetchall()]
    if not ids:
        return [], 0
    ends = ids[page_size - 1::page_size]
    if not ends or ends[-1] != ids[-1]:
        ends.append(ids[-1])
    return list(zip([after, *ends[:-1]], ends, strict=True)), len(ids)


def load(after: str | None, upto: str, run_key: str,
         skip_checked: bool) -> tuple[list[Case], set[tuple[str, str]]]:
    """The ongoing cases with ids in ``(after, upto]``, and, when ``skip_checked``, the
    (case, register) pairs this run has already checked among them (a retry skips
    them). Read as plain psycopg rows in binary (prepared statements): SQLAlchemy's
    result rows cost ~8 µs of CPU per case, more than the query."""
    params: dict[str, Any] = {"after": after, "upto": upto, "run": run_key}
    with raw_connection() as conn, conn.cursor(binary=True) as cursor:
        cursor.execute(_FIRST[_LOAD] if after is None else _LOAD, params, prepare=True)
        cases = [Case(*row) for row in cursor.fetchall()]
        if not (skip_checked and cases):
            return cases, set()
        cursor.execute(_FIRST[_DONE] if after is None else _DONE, params)
        done = cursor.fetchall()
    return cases, {(case_id, register) for register, case_id in done}


def _uuid_array(ids: Sequence[str]) -> str:
    """A uuid[] literal: one string parameter, instead of psycopg adapting every element
    (ids are read from PostgreSQL as text, so they are well-formed)."""
    return "{" + ",".join(ids) + "}"


_MARK_CHECKED = sa.text("""
INSERT INTO register_check (sweep_run, register, checked_at, case_ids)
VALUES (:run, :register, :at, CAST(:ids AS uuid[]))
""")

_JOURNAL_DISCLOSURES = sa.text("""
INSERT INTO register_disclosure (at, actor, agency, register, sweep_run, fields, reason,
                                 case_ids)
SELECT :at, :actor, 'police', d.register, :run, ARRAY['identity_number'], :reason,
       CAST(d.ids AS uuid[])
FROM unnest(CAST(:registers AS text[]), CAST(:ids AS text[])) AS d(register, ids)
""")


class Request(NamedTuple):
    """One look-up: a register, its subjects (at most ``MAX_SUBJECTS_PER_LOOKUP``) and
    the date entries count from (the earliest admission among them)."""

    register: str
    subjects: Sequence[Subject]
    since: date


class Page(NamedTuple):
    """A page of ongoing cases, ready to send: what was loaded and the requests."""

    loaded: int
    no_consent: int
    already_checked: dict[str, int]  # per register, by an earlier attempt of this run
    cases: dict[str, Case]  # consenting cases by id
    requests: list[Request]


def prepare_page(after: str | None, upto: str, run_key: str, *, skip_checked: bool,
                 registers: Sequence[str], request_size: int) -> Page:
    """Load the page ``(after, upto]``, decrypt the identity numbers of the cases with
    consent to the police (one pass), cut them into requests per register, and journal
    every request's disclosure BEFORE it is sent."""
    cases, done = load(after, upto, run_key, skip_checked)
    consenting = [c for c in cases if c.consent]
    numbers = get_cipher().decrypt_many([c.identity_enc for c in consenting])
    subjects = [Subject(subject_ref=c.id, identity_number=number)
                for c, number in zip(consenting, numbers, strict=True)]
    del numbers
    admitted = {c.id: c.admitted_on for c in consenting}
    requests: list[Request] = []
    already: dict[str, int] = {}
    for register in registers:
        todo = [s for s in subjects if (s["subject_ref"], register) not in done] if done \
            else subjects
        already[register] = len(subjects) - len(todo)
        for i in range(0, len(todo), request_size):
            chunk = todo[i:i + request_size]
            requests.append(Request(register, chunk,
                                    min(admitted[s["subject_ref"]] for s in chunk)))
    journal_disclosures(requests, run_key)
    return Page(len(cases), len(cases) - len(consenting), already,
                {c.id: c for c in consenting}, requests)


def journal_disclosures(requests: Sequence[Request], run_key: str) -> None:
    """Journal, before sending, every request's disclosure of identity numbers: one row
    per request naming its register and exactly its cases (one statement for the page;
    a retry that sends again journals again)."""
    if not requests:
        return
    with unit_of_work() as session:
        session.execute(_JOURNAL_DISCLOSURES, {
            "at": datetime.now(UTC), "actor": SYSTEM, "run": run_key,
            "reason": "identity disclosed to the police registers for the register sweep "
                      "(consent recorded)",
            "registers": [r.register for r in requests],
            "ids": [_uuid_array([s["subject_ref"] for s in r.subjects]) for r in requests]})


def record(done: Sequence[tuple[Request, LookupResult]], cases: dict[str, Case],
           run_key: str) -> dict[str, int]:
    """The flags, their journal entries and the check rows of every request that
    succeeded, in ONE transaction (one commit per page); new flags per kind (conviction,
    suspicion)."""
    at = datetime.now(UTC)
    findings = [Finding(case_id=uuid.UUID(e.subject_ref), register=register,
                        entry_id=e.entry_id, kind=e.kind, entry_date=e.date)
                for (register, _, _), result in done
                for e in result.entries if e.subject_ref in cases]
    flagged = relapses(findings, admitted_on={
        f.case_id: cases[str(f.case_id)].admitted_on for f in findings})
    table = core_table(RelapseFlag)
    new_per_kind: dict[str, int] = {}
    with unit_of_work() as session:
        new: Sequence[Any] = []
        if flagged:
            new = session.execute(
                insert(table).on_conflict_do_nothing(constraint="uq_relapse_flag_entry")
                .returning(table.c.id, table.c.case_id, table.c.register, table.c.entry_kind,
                           table.c.entry_date),
                [{"case_id": f.case_id, "register": f.register, "entry_id": f.entry_id,
                  "entry_kind": f.kind, "entry_date": f.entry_date, "found_at": at,
                  "sweep_run": run_key} for f in flagged],
            ).all()
        if new:
            session.execute(insert(core_table(JournalEntry)).values([
                {"case_id": row.case_id, "at": at, "actor": SYSTEM,
                 "kind": Kind.RELAPSE_FLAGGED.value, "phase": cases[str(row.case_id)].phase,
                 "status": cases[str(row.case_id)].status,
                 "reason": f"relapse flagged: {row.entry_kind} dated {row.entry_date} "
                           f"in {row.register}",
                 "data": {"flag_id": row.id, "register": row.register, "kind": row.entry_kind,
                          "entry_date": row.entry_date.isoformat()}} for row in new]))
            for row in new:
                new_per_kind[row.entry_kind] = new_per_kind.get(row.entry_kind, 0) + 1
        if done:
            session.execute(_MARK_CHECKED, [
                {"ids": _uuid_array([s["subject_ref"] for s in request.subjects]),
                 "register": request.register, "at": at, "run": run_key}
                for request, _ in done])
    return new_per_kind


