"""A batch's pages: planning them, loading one (decrypting its identity numbers and
journaling every request's disclosure BEFORE it is sent), and recording what its
requests answered.

A page is read with one keyset query, its cases' identity numbers decrypted in one pass.
What a page's requests answered is written in ONE transaction (one commit): the relapse
flags, their journal entries and one check row per answered request naming exactly its
cases. A request that failed writes nothing, so no case is ever marked checked that was
not. Blocking (database, CPU): the pipeline runs these in threads.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import NamedTuple

from adapters.registers import LookupResult, Subject
from adapters.repositories import sweep
from adapters.repositories.sweep import SweepCase
from models.journal import Kind
from models.relapse import Finding, relapses
from services.runtime import Runtime

SYSTEM = "utvag"
DISCLOSURE_REASON = ("identity disclosed to the police registers for the register sweep "
                     "(consent recorded)")


class Request(NamedTuple):
    """One look-up: a register, its subjects (at most `MAX_SUBJECTS_PER_LOOKUP`) and
    the date entries count from (the earliest admission among them)."""

    register: str
    subjects: Sequence[Subject]
    since: date


class Page(NamedTuple):
    """A page of ongoing cases, ready to send: what was loaded and the requests."""

    loaded: int
    no_consent: int
    already_checked: dict[str, int]  # per register, by an earlier attempt of this run
    cases: dict[str, SweepCase]  # consenting cases by id
    requests: list[Request]


def plan_pages(rt: Runtime, *, after: str | None, size: int,
               page_size: int) -> tuple[list[tuple[str | None, str]], int]:
    """The next `size` ongoing cases after `after`, as consecutive id ranges
    `(after, upto]` of `page_size` cases (ids only), so that pages can be loaded
    concurrently; and how many cases that is."""
    with rt.db.raw_connection() as conn:
        ids = sweep.ongoing_ids(conn, after=after, n=size)
    if not ids:
        return [], 0
    ends = ids[page_size - 1::page_size]
    if not ends or ends[-1] != ids[-1]:
        ends.append(ids[-1])
    return list(zip([after, *ends[:-1]], ends, strict=True)), len(ids)


def _load(rt: Runtime, *, after: str | None, upto: str, run_key: str,
          skip_checked: bool) -> tuple[list[SweepCase], set[tuple[str, str]]]:
    """The page's cases and, when `skip_checked`, the (case, register) pairs this run
    has already checked among them (a retry skips them)."""
    with rt.db.raw_connection() as conn:
        cases = sweep.load_page(conn, after=after, upto=upto)
        if not (skip_checked and cases):
            return cases, set()
        return cases, sweep.checked_pairs(conn, run=run_key, after=after, upto=upto)


def prepare_page(rt: Runtime, *, after: str | None, upto: str, run_key: str,
                 skip_checked: bool, registers: Sequence[str], request_size: int) -> Page:
    """Load the page `(after, upto]`, decrypt the identity numbers of the cases with
    consent to the police (one pass), cut them into requests per register, and journal
    every request's disclosure BEFORE it is sent."""
    cases, done = _load(rt, after=after, upto=upto, run_key=run_key,
                        skip_checked=skip_checked)
    consenting = [c for c in cases if c.consent]
    numbers = rt.cipher.decrypt_many([c.identity_enc for c in consenting])
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
    journal_disclosures(rt, requests, run_key=run_key)
    return Page(len(cases), len(cases) - len(consenting), already,
                {c.id: c for c in consenting}, requests)


def _case_ids(request: Request) -> list[str]:
    return [s["subject_ref"] for s in request.subjects]


def journal_disclosures(rt: Runtime, requests: Sequence[Request], *, run_key: str) -> None:
    """Journal, before sending, every request's disclosure of identity numbers: one row
    per request naming its register and exactly its cases (one statement for the page;
    a resend journals again)."""
    if not requests:
        return
    with rt.uow() as session:
        sweep.journal_disclosures(session, [(r.register, _case_ids(r)) for r in requests],
                                  at=rt.now(), actor=SYSTEM, run=run_key,
                                  reason=DISCLOSURE_REASON)


def record(rt: Runtime, done: Sequence[tuple[Request, LookupResult]], *,
           cases: dict[str, SweepCase], run_key: str) -> dict[str, int]:
    """The flags, their journal entries and the check rows of every request that
    succeeded, in ONE transaction (one commit per page); new flags per kind (conviction,
    suspicion)."""
    at = rt.now()
    findings = [Finding(case_id=uuid.UUID(e.subject_ref), register=request.register,
                        entry_id=e.entry_id, kind=e.kind, entry_date=e.date)
                for request, result in done
                for e in result.entries if e.subject_ref in cases]
    flagged = relapses(findings, admitted_on={
        f.case_id: cases[str(f.case_id)].admitted_on for f in findings})
    new_per_kind: dict[str, int] = {}
    with rt.uow() as session:
        new = sweep.insert_flags(session, flagged, at=at, run=run_key)
        sweep.journal_rows(session, [
            {"case_id": row.case_id, "at": at, "actor": SYSTEM,
             "kind": Kind.RELAPSE_FLAGGED.value, "phase": cases[str(row.case_id)].phase,
             "status": cases[str(row.case_id)].status,
             "reason": f"relapse flagged: {row.entry_kind} dated {row.entry_date} "
                       f"in {row.register}",
             "data": {"flag_id": row.id, "register": row.register, "kind": row.entry_kind,
                      "entry_date": row.entry_date.isoformat()}} for row in new])
        sweep.mark_checked(session, [(request.register, _case_ids(request))
                                     for request, _ in done], at=at, run=run_key)
    for row in new:
        new_per_kind[row.entry_kind] = new_per_kind.get(row.entry_kind, 0) + 1
    return new_per_kind
