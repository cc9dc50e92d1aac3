"""Register sweep work: one task checks one batch of ongoing cases in both registers.

A batch is a keyset range of case ids ``(after, upto]``. The task loads its cases with
one query, decrypts their identity numbers in one pass, journals every request's
disclosure (``register_disclosure``: one row per request with its register and case ids,
one statement for the batch, before anything is sent), looks them up in both registers
concurrently (async httpx; one request in flight per register, under the slots the flow
holds of the register's Prefect global concurrency limit), and then writes, in ONE
transaction for the batch (one commit), for every request that succeeded: the relapse
flags (``INSERT ... ON CONFLICT DO NOTHING``: an entry flags a case once, whatever the
runs, retries or races), their journal entries, and the ``register_check`` row naming
exactly the cases in that request.
A failed request writes nothing, so no case is ever marked checked that was not.

Retries re-run the batch and skip (case, register) pairs already checked in this sweep
run. Personal data (identity numbers) is decrypted here, sent to the police registers
only for cases with a recorded consent to the police, and never returned or logged.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

import httpx
import sqlalchemy as sa
from prefect import task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel
from sqlalchemy.dialects.postgresql import insert

from adapters.db import table as core_table
from adapters.db import unit_of_work
from adapters.errors import AgencyError, PermanentAgencyError, RetryableAgencyError
from adapters.http import tls_context
from adapters.logs import get_logger
from adapters.registers import (
    MAX_SUBJECTS_PER_LOOKUP,
    HttpRegisterAdapter,
    LookupResult,
    LookupSubject,
    RegisterPort,
)
from adapters.settings import Settings, get_settings
from adapters.vault import get_cipher
from models.journal import Kind
from models.relapse import Finding, RegisterName, RelapseFlag, relapses
from models.tables import JournalEntry
from tasks.cases import SYSTEM
from tasks.sweep_db import retry_transient_or_db

REGISTERS = (RegisterName.CRIMINAL_RECORDS, RegisterName.SUSPICIONS)


def limit_name(register: str) -> str:
    return f"register:{register}"


class BatchResult(BaseModel):
    """What one batch did: counts only, never personal data."""

    cases: int = 0
    checked: dict[str, int] = {}
    flags: dict[str, int] = {}
    no_consent: int = 0
    failures: list[str] = []


class _Case(NamedTuple):
    """One row of ``_LOAD_SQL``, in its column order."""

    id: str  # the case id as text: it is the subject_ref and goes into id arrays as is
    phase: str
    status: str
    identity_enc: bytes
    admitted_on: date
    consent: bool


# Person by a correlated sub-select, not a join: joined, the planner hashes the whole
# person table for every batch (a parallel seq scan, O(all cases) per batch).
_LOAD_SQL = """
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
  AND c.id > :after AND c.id <= :upto
ORDER BY c.id
"""
# Two statements rather than "(:after IS NULL OR c.id > :after)", which defeats the index.
_LOAD = sa.text(_LOAD_SQL)
_LOAD_FIRST = sa.text(_LOAD_SQL.replace("c.id > :after AND ", ""))
_DONE_SQL = """
SELECT r.register, u.id::text FROM register_check r, unnest(r.case_ids) AS u(id)
WHERE r.sweep_run = :run AND u.id > :after AND u.id <= :upto
"""
_DONE = sa.text(_DONE_SQL)
_DONE_FIRST = sa.text(_DONE_SQL.replace("u.id > :after AND ", ""))


def _load(after: uuid.UUID | None, upto: uuid.UUID,
          run_key: str) -> tuple[list[_Case], set[tuple[str, str]]]:
    """The batch's cases, and the (case, register) pairs this run has already checked
    (a retried batch skips them)."""
    params = {"upto": upto, "run": run_key} if after is None else {
        "after": after, "upto": upto, "run": run_key}
    with unit_of_work() as session:
        rows = session.execute(_LOAD_FIRST if after is None else _LOAD, params).all()
        done = session.execute(_DONE_FIRST if after is None else _DONE, params).all()
    cases = [_Case(*row) for row in rows]
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


def _journal_disclosures(work: dict[str, list[Sequence[LookupSubject]]],
                         run_key: str) -> None:
    """Journal, before sending, every request's disclosure of identity numbers: one row
    per request naming its register and exactly its cases (one statement for the batch;
    a retry that sends again journals again)."""
    requests = [(register, _uuid_array([s.subject_ref for s in chunk]))
                for register, chunks in work.items() for chunk in chunks]
    if not requests:
        return
    with unit_of_work() as session:
        session.execute(_JOURNAL_DISCLOSURES, {
            "at": datetime.now(UTC), "actor": SYSTEM, "run": run_key,
            "reason": "identity disclosed to the police registers for the register sweep "
                      "(consent recorded)",
            "registers": [register for register, _ in requests],
            "ids": [ids for _, ids in requests]})


def _chunks(items: Sequence[LookupSubject], size: int) -> list[Sequence[LookupSubject]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


async def _lookup_all(ports: Sequence[RegisterPort],
                      work: dict[str, list[Sequence[LookupSubject]]],
                      since: date) -> list[tuple[str, Sequence[LookupSubject],
                                                 LookupResult | AgencyError]]:
    """Both registers at once; within a register one request at a time, so a batch never
    has more than one request in flight per register (the flow holds one slot of the
    register's global concurrency limit per batch it runs in parallel)."""
    by_name = {port.register: port for port in ports}
    Outcome = tuple[str, Sequence[LookupSubject], LookupResult | AgencyError]

    async def one_register(register: str, chunks: list[Sequence[LookupSubject]]) -> list[Outcome]:
        outcomes: list[Outcome] = []
        for subjects in chunks:
            try:
                result: LookupResult | AgencyError = await by_name[register].lookup(  # type: ignore[index]
                    subjects=subjects, entries_since=since)
            except AgencyError as exc:
                result = exc
            outcomes.append((register, subjects, result))
        return outcomes

    per_register = await asyncio.gather(*(one_register(register, chunks)
                                          for register, chunks in work.items()))
    return [outcome for outcomes in per_register for outcome in outcomes]


def _record(done: Sequence[tuple[str, Sequence[LookupSubject], LookupResult]],
            cases: dict[str, _Case], run_key: str) -> dict[str, int]:
    """The flags, their journal entries and the check rows of every request that
    succeeded, in ONE transaction (one commit per batch); new flags per register."""
    at = datetime.now(UTC)
    findings = [Finding(case_id=uuid.UUID(e.subject_ref), register=register,
                        entry_id=e.entry_id, kind=e.kind, entry_date=e.date)
                for register, _, result in done
                for e in result.entries if e.subject_ref in cases]
    flagged = relapses(findings, admitted_on={
        f.case_id: cases[str(f.case_id)].admitted_on for f in findings})
    table = core_table(RelapseFlag)
    new_per_register: dict[str, int] = {}
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
                new_per_register[row.register] = new_per_register.get(row.register, 0) + 1
        if done:
            session.execute(_MARK_CHECKED, [
                {"ids": _uuid_array([s.subject_ref for s in subjects]), "register": register,
                 "at": at, "run": run_key} for register, subjects, _ in done])
    return new_per_register


def _register_ports(settings: Settings, clients: list[httpx.AsyncClient]) -> list[RegisterPort]:
    urls = {RegisterName.CRIMINAL_RECORDS: settings.criminal_records_url,
            RegisterName.SUSPICIONS: settings.suspicions_url}
    timeout = httpx.Timeout(connect=2.0, read=settings.http_read_timeout, write=5.0, pool=5.0)
    ports: list[RegisterPort] = []
    for register in REGISTERS:
        client = httpx.AsyncClient(base_url=urls[register], timeout=timeout,
                                   verify=tls_context())
        clients.append(client)
        ports.append(HttpRegisterAdapter(client, register=register.value))
    return ports


async def _run_lookups(settings: Settings, work: dict[str, list[Sequence[LookupSubject]]],
                       since: date) -> list[tuple[str, Sequence[LookupSubject],
                                                  LookupResult | AgencyError]]:
    clients: list[httpx.AsyncClient] = []
    try:
        return await _lookup_all(_register_ports(settings, clients), work, since)
    finally:
        for client in clients:
            await client.aclose()


@task(name="check-batch", cache_policy=NO_CACHE, persist_result=False, retries=4,
      retry_delay_seconds=[1, 2, 4, 8], retry_jitter_factor=0.5,
      retry_condition_fn=retry_transient_or_db)
def check_batch(run_key: str, after: uuid.UUID | None, upto: uuid.UUID) -> BatchResult:
    """Check the ongoing cases with ids in (after, upto] in both registers."""
    settings = get_settings()
    cases, done = _load(after, upto, run_key)
    result = BatchResult(cases=len(cases))
    consenting = [c for c in cases if c.consent]
    result.no_consent = len(cases) - len(consenting)
    if not consenting:
        return result
    identities = get_cipher().decrypt_many([c.identity_enc for c in consenting])
    subjects = [LookupSubject(subject_ref=c.id, identity_number=number)
                for c, number in zip(consenting, identities, strict=True)]
    del identities
    since = min(c.admitted_on for c in consenting)
    size = min(settings.sweep_request_size, MAX_SUBJECTS_PER_LOOKUP)
    names = [str(r) for r in REGISTERS]  # plain str: an enum's .value costs ~1 µs a call
    work = {name: _chunks([s for s in subjects if (s.subject_ref, name) not in done]
                          if done else subjects, size) for name in names}
    by_id = {c.id: c for c in consenting}
    retryable = False
    for name in names:
        result.checked[name] = sum(1 for c in consenting if (c.id, name) in done)
    _journal_disclosures(work, run_key)
    answered: list[tuple[str, Sequence[LookupSubject], LookupResult]] = []
    for register, chunk, outcome in asyncio.run(_run_lookups(settings, work, since)):
        if isinstance(outcome, AgencyError):
            retryable = retryable or isinstance(outcome, RetryableAgencyError)
            result.failures.append(f"{register}: {outcome.reason}")
        else:
            answered.append((register, chunk, outcome))
            result.checked[register] = result.checked.get(register, 0) + len(chunk)
    for register, new in _record(answered, by_id, run_key).items():
        kind = "conviction" if register == RegisterName.CRIMINAL_RECORDS else "suspicion"
        result.flags[kind] = result.flags.get(kind, 0) + new
    if result.failures:
        get_logger().warning("sweep.batch_incomplete", failures=len(result.failures))
        error = RetryableAgencyError if retryable else PermanentAgencyError
        raise error(agency="registers", reason="; ".join(result.failures)[:500])
    return result
