"""Relocation: the decision (from the threat assessment), the fast path, its approval, and
the only way to read the destination back.

The destination municipality and the address are encrypted before they are stored and
never returned to a flow, logged or journaled: the journal records that a relocation was
decided (housing form, fast path, approval deadline), and every read of the destination,
allowed or denied, without the destination itself. The decision is taken on the command
line (`utvag during relocate`), never through a Prefect form.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from prefect import task
from prefect.cache_policies import NO_CACHE
from sqlmodel import Session, col, select

from adapters import repo
from adapters.db import unit_of_work
from adapters.logs import get_logger
from adapters.vault import get_cipher
from models.during_tables import Relocation
from models.enums import WaitKind
from models.journal import Kind
from models.reference.loader import municipality_codes
from models.relocation import (
    DisclosureDenied,
    check_destination,
    check_disclosure,
    fast_path_approval_due,
    housing_form,
)
from models.tables import Case, CaseWait, Person, ThreatAssessment
from tasks.cases import now
from tasks.waits import close_wait_in, open_wait_in

DECISION_SUBJECT, APPROVAL_SUBJECT = "relocation", "fast_path_approval"


@dataclass(frozen=True)
class RelocationIn:
    destination: str
    address: str
    lives_independently: bool
    needs_deep_support: bool
    fast_path: bool = False


def _age(born: date, *, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def decide_relocation(case_ref: str | uuid.UUID, item: RelocationIn, *, by: str) -> str:
    """Record where the person moves; returns the housing form. Raises
    `models.relocation.RelocationRefused` (nothing written) for a forbidden destination."""
    at = now()
    if not 1 <= len(item.address.strip()) <= 300:
        raise ValueError("address: 1-300 characters")
    with unit_of_work() as session:
        case = _case(session, case_ref)
        threat = session.exec(select(ThreatAssessment).where(
            ThreatAssessment.case_id == case.id)).one()
        check_destination(item.destination, exclusion_zones=list(threat.exclusion_zones),
                          known_municipalities=municipality_codes())
        person = session.exec(select(Person).where(Person.id == case.person_id)).one()
        form = housing_form(age=_age(person.birth_date, on=at.date()),
                            lives_independently=item.lives_independently,
                            needs_deep_support=item.needs_deep_support, emergency=item.fast_path)
        due = fast_path_approval_due(at) if item.fast_path else None
        cipher = get_cipher()
        session.add(Relocation(case_id=case.id, destination_enc=cipher.encrypt(item.destination),
                               address_enc=cipher.encrypt(item.address.strip()),
                               housing_form=form.value, fast_path=item.fast_path,
                               decided_by=by, decided_at=at, approval_due=due))
        reason = (f"relocation decided on the fast path (protective decision, usual approval "
                  f"skipped; to be approved by {due:%Y-%m-%d %H:%M} UTC): {form.value}"
                  if due else f"relocation decided: {form.value}")
        repo.journal(session, case, kind=Kind.RELOCATION_DECIDED, actor=by, at=at, reason=reason,
                     data={"housing_form": form.value, "fast_path": item.fast_path,
                           "approval_due": due.isoformat() if due else None})
        close_wait_in(session, case, kind=WaitKind.RELOCATION, subject=DECISION_SUBJECT, by=by,
                      at=at, answer={"decided": True})
        if due is not None:
            open_wait_in(session, case, kind=WaitKind.RELOCATION_APPROVAL,
                         subject=APPROVAL_SUBJECT, at=at)
            # The approval wait's deadline is the decision's own, not the default.
            session.execute(sa.update(CaseWait).where(
                col(CaseWait.case_id) == case.id,
                col(CaseWait.kind) == WaitKind.RELOCATION_APPROVAL.value,
                col(CaseWait.answered_at).is_(None)).values(deadline=due))
    get_logger(case_number=case.case_number).info("relocation.decided", fast_path=item.fast_path)
    return form.value


def approve_relocation(case_ref: str | uuid.UUID, *, by: str) -> None:
    """The usual approval of a fast-path decision, afterwards."""
    at = now()
    with unit_of_work() as session:
        case = _case(session, case_ref)
        row = session.exec(select(Relocation).where(Relocation.case_id == case.id)).one()
        if row.approved_at is not None:
            return
        row.approved_by, row.approved_at = by, at
        session.add(row)
        late = row.approval_due is not None and at > row.approval_due
        repo.journal(session, case, kind=Kind.RELOCATION_APPROVED, actor=by, at=at,
                     reason="relocation approved in the usual order"
                            + (" (after its deadline)" if late else ""),
                     data={"late": late})
        close_wait_in(session, case, kind=WaitKind.RELOCATION_APPROVAL,
                      subject=APPROVAL_SUBJECT, by=by, at=at, answer={"approved": True})


def read_destination(case_ref: str | uuid.UUID, *, viewer_agency: str,
                     viewer_municipality: str | None, by: str) -> tuple[str, str]:
    """(destination municipality, address) for the placing or receiving social services;
    `DisclosureDenied` for anyone else. Both outcomes are journaled, neither with the
    destination."""
    at = now()
    with unit_of_work() as session:
        case = _case(session, case_ref)
        row = session.exec(select(Relocation).where(Relocation.case_id == case.id)).one()
        cipher = get_cipher()
        destination = cipher.decrypt(row.destination_enc)
        try:
            check_disclosure(viewer_agency=viewer_agency, viewer_municipality=viewer_municipality,
                             placing=case.placing_municipality, receiving=destination)
        except DisclosureDenied as denied:
            reason = str(denied)
        else:
            repo.journal(session, case, kind=Kind.DESTINATION_READ, actor=by, at=at,
                         reason="destination read by social services (placing or receiving)")
            return destination, cipher.decrypt(row.address_enc)
    with unit_of_work() as session:
        case = _case(session, case_ref)
        repo.journal(session, case, kind=Kind.DESTINATION_DENIED, actor=by, at=at,
                     reason=f"destination withheld from {viewer_agency}",
                     data={"viewer_agency": viewer_agency})
    raise DisclosureDenied(reason)


@task(name="relocation-status", cache_policy=NO_CACHE, persist_result=False)
def relocation_status(case_id: uuid.UUID) -> str:
    """'not_required', 'undecided', 'awaiting_approval' or 'relocated' (no destination)."""
    with unit_of_work() as session:
        threat = session.exec(select(ThreatAssessment).where(
            ThreatAssessment.case_id == case_id)).first()
        row = session.exec(select(Relocation).where(Relocation.case_id == case_id)).first()
    if row is None:
        return "undecided" if threat is not None and threat.relocation_required \
            else "not_required"
    if row.fast_path and row.approved_at is None:
        return "awaiting_approval"
    return "relocated"


def _case(session: Session, case_ref: str | uuid.UUID) -> Case:
    case = repo.find_case(session, str(case_ref))
    return repo.get_case(session, case.id, lock=True)
