"""Legal holds (rättslig spärr mot gallring): a case under a hold is never culled while it
stands (a court order, an appeal, a complaint to IVO or JO, an archive's decision).

Set and lifted by the responsible coordinator through the case service (policy action
`retention.hold`), each with a reason: the hold's reason is kept encrypted on the hold
(master key), and both the setting and the lifting are journaled with the reason sealed
with the person's own key (`reason_enc`, shown in the case's timeline). These entries do
not count as the case's last entry for retention (`services.culling.due_persons`): lifting
a hold lets a case that is past its period be culled at once. Refusals are worded
`field: problem`.
"""

from __future__ import annotations

import uuid

from sqlmodel import Session

from adapters.repositories import cases, journal
from models.journal import Kind
from models.key_tables import RetentionHold
from models.tables import Case
from services.person_keys import sealer
from services.runtime import Runtime

MAX_REASON = 1000


class HoldError(ValueError):
    """A hold that cannot be set or lifted as asked (`field: problem`)."""


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not 3 <= len(reason) <= MAX_REASON:
        raise HoldError(f"reason: 3-{MAX_REASON} characters saying why (the decision, "
                        "the appeal, the complaint)")
    return reason


def _seal(session: Session, rt: Runtime, case: Case, reason: str) -> bytes:
    try:
        return sealer(session, rt.cipher, case.person_id, at=rt.now())(reason)
    except ValueError:  # the person's key destroyed
        raise HoldError(f"case: {case.case_number} was culled; nothing of it is kept "
                        "to hold") from None


def is_held(session: Session, case_id: uuid.UUID) -> bool:
    return session.get(RetentionHold, case_id) is not None


def hold(rt: Runtime, case_ref: str | uuid.UUID, *, by: str, reason: str) -> None:
    """Set a legal hold on the case; refused if one already stands."""
    reason = _reason(reason)
    at = rt.now()
    with rt.uow() as session:
        case = cases.lock_case_ref(session, case_ref)
        if is_held(session, case.id):
            raise HoldError(f"case: a legal hold already stands on {case.case_number}")
        sealed = _seal(session, rt, case, reason)
        session.add(RetentionHold(case_id=case.id, reason_enc=rt.cipher.encrypt(reason),
                                  set_by=by, set_at=at))
        journal.journal(session, case, kind=Kind.LEGAL_HOLD_SET, actor=by, at=at,
                        reason="legal hold set: the case is kept beyond its retention period",
                        data={"reason_enc": sealed.decode()})


def lift(rt: Runtime, case_ref: str | uuid.UUID, *, by: str, reason: str) -> None:
    """Lift the case's legal hold; refused if none stands. The case is culled when its
    retention period has run out (the next daily run)."""
    reason = _reason(reason)
    at = rt.now()
    with rt.uow() as session:
        case = cases.lock_case_ref(session, case_ref)
        found = session.get(RetentionHold, case.id, with_for_update=True)
        if found is None:
            raise HoldError(f"case: no legal hold stands on {case.case_number}")
        sealed = _seal(session, rt, case, reason)
        session.delete(found)
        journal.journal(session, case, kind=Kind.LEGAL_HOLD_LIFTED, actor=by, at=at,
                        reason="legal hold lifted: the case may be culled when its retention "
                               "period has run out",
                        data={"reason_enc": sealed.decode()})
