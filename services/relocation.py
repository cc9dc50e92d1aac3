"""Relocation: the decision (from the threat assessment), the fast path, its approval,
and the only way to read the destination back.

A case may move more than once: emergency housing first (a fast-path, protective
decision), then a lasting move; each is its own decision, numbered, with the same
secrecy (destination encrypted and a keyed hash), exclusion zones and approval. The
latest is where the person lives: protection, the hand-over, the destination's part in
the case and the transfer follow it. The person stays in the destination municipality
(*vistelsekommun*) from the decision (`services.responsibility`).

The destination municipality and the address are encrypted before they are stored and
never returned to a flow, logged or journaled: the journal records that a relocation was
decided (housing form, fast path, approval deadline), and every read of the destination,
allowed or denied, without the destination itself.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from adapters.logs import get_logger
from adapters.org_tag import org_tag
from adapters.repositories import cases, journal, waits
from models.crypto import Cipher
from models.during_tables import Relocation
from models.enums import CaseStatus, Phase, WaitKind
from models.journal import Kind
from models.reference.loader import municipality_codes
from models.relocation import (
    DisclosureDenied,
    RelocationRefused,
    check_destination,
    check_disclosure,
    fast_path_approval_due,
    housing_form,
)
from models.tables import Case, Person, ThreatAssessment
from models.waits import Wait
from services import person_keys
from services.clear_text import birth_date_of
from services.responsibility import municipality_hash, record_stay, responsible
from services.runtime import Runtime


@dataclass(frozen=True)
class RelocationIn:
    destination: str
    address: str
    lives_independently: bool
    needs_deep_support: bool
    fast_path: bool = False


class NoRelocation(LookupError):
    """The case has no relocation decided (yet)."""


EMERGENCY, LASTING = "emergency", "lasting"


def relocation_of(session: Session, case: Case, *, lock: bool = False) -> Relocation:
    """The case's latest relocation; `NoRelocation` when none is decided."""
    query = select(Relocation).where(Relocation.case_id == case.id).order_by(
        col(Relocation.sequence).desc())
    row = session.exec(query.with_for_update() if lock else query).first()
    if row is None:
        raise NoRelocation(f"case: no relocation decided for {case.case_number}")
    return row


def age(born: date, *, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def decide_relocation(rt: Runtime, case_ref: str | uuid.UUID, item: RelocationIn, *,
                      by: str) -> str:
    """Record where the person moves (a fast-path decision: emergency housing; in the
    usual order: a lasting move); returns the housing form. Raises
    `models.relocation.RelocationRefused` (nothing written) for a forbidden destination,
    a case without a threat assessment, a closed case, or one whose latest relocation
    still awaits its approval or was a lasting move to the same municipality."""
    at = rt.now()
    if not 1 <= len(item.address.strip()) <= 300:
        raise ValueError("address: 1-300 characters")
    with rt.uow() as session:
        case = cases.lock_case_ref(session, case_ref)
        threat = session.exec(select(ThreatAssessment).where(
            ThreatAssessment.case_id == case.id)).first()
        if threat is None:
            raise RelocationRefused(f"case: {case.case_number} has no threat assessment to "
                                    "decide the destination from")
        if case.status == CaseStatus.CLOSED:
            raise RelocationRefused(f"case: {case.case_number} is closed")
        previous = session.exec(select(Relocation).where(Relocation.case_id == case.id)
                                .order_by(col(Relocation.sequence).desc())).first()
        kind = EMERGENCY if item.fast_path else LASTING
        if previous is not None:
            _check_after(previous, kind=kind, destination=item.destination, cipher=rt.cipher,
                         case_number=case.case_number)
        sequence = previous.sequence + 1 if previous is not None else 1
        check_destination(item.destination, exclusion_zones=list(threat.exclusion_zones),
                          known_municipalities=municipality_codes())
        person = session.get_one(Person, case.person_id)
        form = housing_form(age=age(birth_date_of(person, rt.cipher), on=at.date()),
                            lives_independently=item.lives_independently,
                            needs_deep_support=item.needs_deep_support, emergency=item.fast_path)
        due = fast_path_approval_due(at) if item.fast_path else None
        seal = person_keys.sealer(session, rt.cipher, case.person_id, at=at)  # culled with them
        session.add(Relocation(case_id=case.id, sequence=sequence, kind=kind,
                               destination_enc=seal(item.destination),
                               destination_hash=municipality_hash(rt.cipher, item.destination),
                               destination_tag=org_tag(session,
                                                       f"municipality:{item.destination}"),
                               address_enc=seal(item.address.strip()),
                               housing_form=form.value, fast_path=item.fast_path,
                               decided_by=by, decided_at=at, approval_due=due))
        record_stay(session, rt.cipher, case, item.destination, on=at.date(), by=by, at=at)
        reason = (f"relocation {sequence} decided on the fast path (emergency housing, "
                  f"protective decision, usual approval skipped; to be approved by "
                  f"{due:%Y-%m-%d %H:%M} UTC): {form.value}"
                  if due else f"relocation {sequence} decided (lasting move): {form.value}")
        journal.journal(session, case, kind=Kind.RELOCATION_DECIDED, actor=by, at=at,
                        reason=reason,
                        data={"housing_form": form.value, "fast_path": item.fast_path,
                              "sequence": sequence, "kind": kind,
                              "approval_due": due.isoformat() if due else None})
        if case.phase == Phase.AFTER:
            journal.transition(session, case, kind=Kind.NOTE, actor=by, at=at,
                               phase=Phase.DURING, reason="a new relocation: the case is in "
                               "the during phase again (protection, hand-over, transfer)")
        waits.close_wait(session, case, Wait.of(WaitKind.RELOCATION), by=by, at=at,
                         answer={"decided": True})
        if due is not None:
            # The approval wait's deadline is the decision's own, not the default.
            waits.open_wait(session, case, Wait.of(WaitKind.RELOCATION_APPROVAL), at=at,
                            deadline=due)
    get_logger(case_number=case.case_number).info("relocation.decided", fast_path=item.fast_path)
    return form.value


def _check_after(previous: Relocation, *, kind: str, destination: str, cipher: Cipher,
                 case_number: str) -> None:
    if previous.fast_path and previous.approved_at is None:
        raise RelocationRefused(f"relocation: the previous relocation of {case_number} awaits "
                                "its approval")
    if previous.kind == LASTING and kind == LASTING and \
            cipher.decrypt(previous.destination_enc) == destination:
        raise RelocationRefused(f"relocation: already decided for {case_number}")


def approve_relocation(rt: Runtime, case_ref: str | uuid.UUID, *, by: str) -> None:
    """The usual approval of a fast-path decision, afterwards (approving twice is
    harmless). `NoRelocation` without a decision; `RelocationRefused` for a decision
    taken in the usual order, which has nothing left to approve."""
    at = rt.now()
    with rt.uow() as session:
        case = cases.lock_case_ref(session, case_ref)
        row = relocation_of(session, case, lock=True)
        if row.approved_at is not None:
            return
        if not row.fast_path:
            raise RelocationRefused(f"relocation: {case.case_number} was decided in the usual "
                                    "order; there is no fast-path decision to approve")
        row.approved_by, row.approved_at = by, at
        session.add(row)
        late = row.approval_due is not None and at > row.approval_due
        journal.journal(session, case, kind=Kind.RELOCATION_APPROVED, actor=by, at=at,
                        reason="relocation approved in the usual order"
                               + (" (after its deadline)" if late else ""),
                        data={"late": late})
        waits.close_wait(session, case, Wait.of(WaitKind.RELOCATION_APPROVAL), by=by, at=at,
                         answer={"approved": True})


def read_destination(rt: Runtime, case_ref: str | uuid.UUID, *, viewer_agency: str,
                     viewer_municipality: str | None, by: str) -> tuple[str, str]:
    """(destination municipality, address) for the placing or receiving social services;
    `DisclosureDenied` for anyone else. Both outcomes are journaled, neither with the
    destination. `NoRelocation` (nothing journaled) when none is decided."""
    at = rt.now()
    with rt.uow() as session:
        case = cases.lock_case_ref(session, case_ref)
        row = relocation_of(session, case)
        destination = rt.cipher.decrypt(row.destination_enc)
        try:
            check_disclosure(viewer_agency=viewer_agency, viewer_municipality=viewer_municipality,
                             placing=responsible(session, rt.cipher, case, on=at.date()),
                             receiving=destination)
        except DisclosureDenied as denied:
            reason = str(denied)
        else:
            journal.journal(session, case, kind=Kind.DESTINATION_READ, actor=by, at=at,
                            reason="destination read by social services (placing or "
                                   "receiving)")
            return destination, rt.cipher.decrypt(row.address_enc)
    with rt.uow() as session:
        case = cases.lock_case_ref(session, case_ref)
        journal.journal(session, case, kind=Kind.DESTINATION_DENIED, actor=by, at=at,
                        reason=f"destination withheld from {viewer_agency}",
                        data={"viewer_agency": viewer_agency})
    raise DisclosureDenied(reason)
