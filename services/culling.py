"""Culling (gallring) by crypto-shredding.

A person's data is culled when every case of theirs is closed and the last journal entry
of each is older than the retention period (`retention_years`, five by default, as the
Social Services Act has it for social-services records), unless a legal hold stands on a
case (`services.legal_hold`) or the research exception keeps it (born on a kept day of
the month, placed by a municipality where the exception applies: `retention_keep_*`).

Culling a person, one transaction: their data key is destroyed (so every value sealed
with it is unreadable wherever a copy lies, backups included), the look-up hash replaced
by a random one (a returning person is no longer linked to them), the values still under
the master key on their cases (destination, address, notes, legal bases, the journal's
tokens) overwritten, and one `culled` entry journaled per case without any personal
data. The journal keeps its rows. Then Prefect's runs, logs and artifacts of the cases
are deleted through `CaseHistory`. The report holds counts only.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from sqlalchemy import text
from sqlmodel import Session, col, select

from adapters.repositories import journal
from models.journal import Kind
from models.key_tables import PersonKey, RetentionHold
from models.tables import Case, Person
from services.clear_text import birth_date_of
from services.runtime import Runtime

ACTOR = "system:gallring"


class CaseHistory(Protocol):
    """What Prefect holds of a case (adapters.prefect_history.PrefectCaseHistory)."""

    def delete_case_runs(self, case_number: str) -> int:
        """Delete the case's flow runs with their logs and artifacts; how many runs."""
        ...


@dataclass(frozen=True)
class CullReport:
    persons: int
    cases: int
    held: int  # persons kept by a legal hold on one of their cases
    excepted: int  # persons kept by the research exception
    prefect_runs: int


def _cutoff(now: datetime, years: int) -> datetime:
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


# Not entries that keep a record: a legal hold's setting or lifting is about retention,
# and reading the case (journaled as every read is) is no new entry in it.
NOT_ENTRIES = (Kind.LEGAL_HOLD_SET, Kind.LEGAL_HOLD_LIFTED, Kind.READ, Kind.DESTINATION_READ,
               Kind.DESTINATION_DENIED)


def due_persons(session: Session, *, now: datetime, years: int) -> list[uuid.UUID]:
    """Persons not yet culled whose every case is closed and without an entry since the
    cutoff."""
    return list(session.execute(text(
        "SELECT c.person_id FROM \"case\" c JOIN case_journal j ON j.case_id = c.id "
        "LEFT JOIN person_key k ON k.person_id = c.person_id "
        "WHERE k.destroyed_at IS NULL AND j.kind <> ALL(:not_entries) "
        "GROUP BY c.person_id HAVING bool_and(c.status = 'closed') AND max(j.at) < :cutoff"),
        {"cutoff": _cutoff(now, years),
         "not_entries": [kind.value for kind in NOT_ENTRIES]}).scalars())


def cull(rt: Runtime, history: CaseHistory) -> CullReport:
    """Cull every person due; counts only."""
    settings = rt.settings
    now = rt.now()
    with rt.uow() as session:
        due = due_persons(session, now=now, years=settings.retention_years)
    persons = culled_cases = held = excepted = runs = 0
    for person_id in due:
        with rt.uow() as session:
            own = list(session.exec(select(Case).where(Case.person_id == person_id)))
            ids = [c.id for c in own]
            if session.exec(select(RetentionHold.case_id).where(
                    col(RetentionHold.case_id).in_(ids))).first() is not None:
                held += 1
                continue
            person = session.get_one(Person, person_id, with_for_update=True)
            if _excepted(person, own, rt):
                excepted += 1
                continue
            _shred(session, person, own, now=now, years=settings.retention_years)
        persons += 1
        culled_cases += len(own)
        for case in own:  # after the commit: Prefect's copy goes once ours is gone
            runs += history.delete_case_runs(case.case_number)
    return CullReport(persons, culled_cases, held, excepted, runs)


def _excepted(person: Person, own: list[Case], rt: Runtime) -> bool:
    keep = set(rt.settings.retention_keep_municipalities)
    if not keep or not any(c.placing_municipality in keep for c in own):
        return False
    try:
        born: date = birth_date_of(person, rt.cipher)
    except ValueError:
        return False
    return born.day in set(rt.settings.retention_keep_birth_days)


def _shred(session: Session, person: Person, own: list[Case], *, now: datetime,
           years: int) -> None:
    ids = [c.id for c in own]
    key = session.get(PersonKey, person.id, with_for_update=True) or PersonKey(
        person_id=person.id, key_id="none", created_at=now)  # a person from before keys
    key.wrapped, key.destroyed_at = None, now
    session.add(key)
    person.identity_hash = "culled:" + uuid.uuid4().hex
    person.identity_enc, person.name_enc = b"", b""
    person.birth_date_enc = person.sex_enc = None
    session.add(person)
    session.flush()
    params = {"ids": ids}
    for statement in (
            # Where the person went: the destination, its keyed hash and its tag (a
            # dump holds the tag key: every municipality's tag can be computed), the
            # offer's receiving municipality, the periods of responsibility (without
            # them the placing municipality, in clear on the case, is the owner).
            "UPDATE relocation SET destination_enc = '', address_enc = '', "
            "destination_hash = NULL, destination_tag = NULL WHERE case_id = ANY(:ids)",
            "UPDATE transfer_offer SET receiving_enc = NULL, receiving_tag = NULL "
            "WHERE case_id = ANY(:ids)",
            "DELETE FROM case_responsibility WHERE case_id = ANY(:ids)",
            "UPDATE guardian SET name_enc = '' WHERE case_id = ANY(:ids)",
            "UPDATE consent SET legal_basis_enc = NULL "
            "WHERE case_id = ANY(:ids)",
            "UPDATE eligibility_assessment SET evidence_note_enc = NULL "
            "WHERE case_id = ANY(:ids)",
            "UPDATE break_glass SET reason_enc = '' WHERE case_id = ANY(:ids)",
            "UPDATE case_wait SET answer = answer - 'note_enc' "
            "WHERE case_id = ANY(:ids) AND answer ? 'note_enc'",
            # The journal is append-only to the workers: the one change culling makes
            # to it (words sealed before per-person keys) is the owner's function.
            "SELECT utvag_cull_journal(CAST(:ids AS uuid[]))"):
        session.execute(text(statement), params)
    for case in own:
        journal.journal(session, case, kind=Kind.CULLED, actor=ACTOR, at=now,
                        reason=f"gallrad: {years} år efter sista anteckningen",
                        data={"years": years})
