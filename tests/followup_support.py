"""Cases for the follow-up statistics, written straight into the tables with exactly the
facts a test needs (a phase reached on a day, a relocation, interventions, indicators,
relapse flags, waits): the flows that would produce them are tested elsewhere."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, select

from models.during_tables import Intervention, OutcomeIndicator, Provider, Relocation
from models.relapse import RelapseFlag
from models.tables import Case, CaseWait, JournalEntry, Person
from services.runtime import Runtime

_serial = itertools.count(1)


@dataclass
class Spec:
    municipality: str = "1280"
    sex: str = "male"
    born: date = date(2000, 1, 1)
    milieu: str = "gang"
    agency: str = "police"
    opened: datetime = datetime(2025, 3, 1, 9, tzinfo=UTC)
    admitted_after: int | None = 20  # days after opening; None: never admitted
    after_after: int | None = None  # days after opening the after phase began
    closed_after: int | None = None
    outcome: str | None = None
    relocation: tuple[str, str] | None = None  # (housing form, destination code)
    interventions: list[tuple[str, str | None]] = field(default_factory=list)
    indicators: list[tuple[int, bool, bool, bool]] = field(default_factory=list)
    flags: list[str | None] = field(default_factory=list)  # assessment decisions
    overdue_waits: list[str] = field(default_factory=list)


def _provider(session: Session, name: str, *, at: datetime) -> int:
    found = session.exec(select(Provider).where(Provider.name == name)).first()
    if found is None:
        found = Provider(name=name, vetted_by="x", vetted_on=date(2024, 1, 1),
                         next_follow_up_due=date(2027, 1, 1), created_at=at)
        session.add(found)
        session.flush()
    assert found.id is not None
    return found.id


def add_cases(rt: Runtime, specs: list[Spec]) -> list[uuid.UUID]:
    cipher = rt.cipher
    ids = []
    with rt.uow() as session:
        for s in specs:
            n = next(_serial)
            person = Person(identity_enc=cipher.encrypt(f"id-{n}"),
                            name_enc=cipher.encrypt(f"Person {n}"),
                            identity_hash=uuid.uuid4().hex, protection_level="none",
                            sex_enc=cipher.encrypt(s.sex),
                            birth_date_enc=cipher.encrypt(s.born.isoformat()),
                            created_at=s.opened)
            session.add(person)
            session.flush()
            at = s.opened
            phase, status = "before", "open"
            marks = [(at, "opened", "before", "open")]
            if s.admitted_after is not None:
                phase, status = "during", "admitted"
                marks.append((at + timedelta(days=s.admitted_after), "admitted", phase, status))
            if s.after_after is not None:
                phase = "after"
                marks.append((at + timedelta(days=s.after_after), "established", phase, status))
            closed = None
            if s.closed_after is not None:
                status, closed = "closed", at + timedelta(days=s.closed_after)
                marks.append((closed, "closed", phase, status))
            case = Case(case_number=f"UTV-{at.year}-{n:06d}", person_id=person.id,
                        placing_municipality=s.municipality, referring_agency=s.agency,
                        milieu=s.milieu, custody_status="none", phase=phase, status=status,
                        outcome=s.outcome, opened_at=at, closed_at=closed, updated_at=at)
            session.add(case)
            session.flush()
            session.add_all([JournalEntry(case_id=case.id, at=when, actor="test", kind=kind,
                                          phase=ph, status=st, reason=kind, data={})
                             for when, kind, ph, st in marks])
            if s.relocation:
                form, destination = s.relocation
                session.add(Relocation(case_id=case.id, destination_enc=cipher.encrypt(
                    destination), address_enc=cipher.encrypt("Storgatan 1"), housing_form=form,
                    fast_path=False, decided_by="x", decided_at=at + timedelta(days=30)))
            for kind, provider in s.interventions:
                session.add(Intervention(
                    case_id=case.id, kind=kind,
                    provider_id=_provider(session, provider, at=at) if provider else None,
                    start=at.date(), planned_end=at.date() + timedelta(days=90), cost_sek=1000,
                    added_by="x", added_at=at))
            session.add_all([OutcomeIndicator(case_id=case.id, months=m, stable_housing=h,
                                              occupation=o, no_new_crime=c, recorded_by="x",
                                              recorded_at=at)
                             for m, h, o, c in s.indicators])
            session.add_all([RelapseFlag(case_id=case.id, register_name="suspicions",
                                         entry_id=f"e-{n}-{i}", entry_kind="suspicion",
                                         entry_date=at.date(), found_at=at, sweep_run="r",
                                         decision=d, decided_by="x" if d else None,
                                         decided_at=at if d else None)
                             for i, d in enumerate(s.flags)])
            session.add_all([CaseWait(case_id=case.id, kind=k, subject=f"s-{i}", opened_at=at,
                                      deadline=at + timedelta(days=14),
                                      answered_at=at + timedelta(days=20), answered_by="x")
                             for i, k in enumerate(s.overdue_waits)])
            ids.append(case.id)
    return ids
