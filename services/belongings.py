"""The move of belongings (flytt av bohag): ordered once the destination is decided,
carried out through social services, confirmed by them.

The move is planned as the intervention `moving_belongings` in the action plan. When that
intervention names a provider from the registry and the provider is still vetted and
followed up, the provider does the first leg only: it collects the belongings and
delivers them to the placing social services, who take them on to the address. The
provider's work order therefore names the case, the placing municipality and the
hand-over point, never the destination or the address; a provider that has lapsed since
the plan was approved is not used and social services do the whole move.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, col, select

from adapters.logs import get_logger
from adapters.repositories import cases, journal, waits
from models.action_plan import (
    InterventionDraft,
    InterventionKind,
    InterventionRefused,
    check_intervention,
)
from models.during_tables import BelongingsMove, Intervention, Provider
from models.enums import WaitKind
from models.journal import Kind
from models.relocation import check_disclosure
from models.tables import Case
from models.waits import Wait
from services.action_plan import provider_status
from services.relocation import relocation_of
from services.runtime import Runtime

SYSTEM = "utvag"
HAND_OVER_POINT = "the placing social services"


@dataclass(frozen=True)
class WorkOrder:
    """What the provider gets: no destination, no address, no name."""

    case_number: str
    provider: str
    collect_in: str  # the placing municipality
    deliver_to: str

    def text(self) -> str:
        return (f"{self.case_number}: {self.provider} collects the belongings in "
                f"municipality {self.collect_in} and delivers them to {self.deliver_to}")


def order_move(rt: Runtime, case_id: uuid.UUID) -> None:
    """Order the planned move once (journaled), and wait for social services to confirm."""
    at = rt.now()
    with rt.uow() as session:
        case = cases.lock_case(session, case_id)
        if session.exec(select(BelongingsMove.id).where(
                BelongingsMove.case_id == case_id)).first() is not None:
            return
        planned = session.exec(select(Intervention).where(
            Intervention.case_id == case_id,
            Intervention.kind == InterventionKind.MOVING_BELONGINGS.value)
            .order_by(col(Intervention.id))).first()
        if planned is None:
            return
        provider, refused = _usable_provider(session, planned, today=at.date())
        session.execute(insert(BelongingsMove).values(
            case_id=case_id, provider_id=provider.id if provider else None, status="ordered",
            ordered_by=SYSTEM, ordered_at=at).on_conflict_do_nothing(index_elements=["case_id"]))
        who = (f"{provider.name} takes them to {HAND_OVER_POINT}, who take them on"
               if provider else "social services move them")
        journal.journal(session, case, kind=Kind.BELONGINGS_ORDERED, actor=SYSTEM, at=at,
                        reason=f"move of belongings ordered: {who}"
                               + (f" (planned provider not used: {refused})" if refused else ""),
                        data={"provider": provider.name if provider else None,
                              "hand_over_point": "placing_social_services"})
        wait = Wait.of(WaitKind.BELONGINGS)
        waits.open_wait(session, case, wait, at=at, deadline=rt.deadline(wait.kind, at=at))
    get_logger(case_number=case.case_number).info("belongings.ordered",
                                                  provider=provider is not None)


def _usable_provider(session: Session, planned: Intervention, *,
                     today: date) -> tuple[Provider | None, str | None]:
    """The plan's provider if it still passes vetting and follow-up; else (None, why)."""
    if planned.provider_id is None:
        return None, None
    provider = session.get_one(Provider, planned.provider_id)
    draft = InterventionDraft(kind=InterventionKind(planned.kind), start=planned.start,
                              planned_end=planned.planned_end, cost_sek=planned.cost_sek)
    try:
        check_intervention(draft, provider_status(session, provider), today=today)
    except InterventionRefused as refused:
        return None, str(refused)
    return provider, None


def work_order(rt: Runtime, case_ref: str | uuid.UUID) -> WorkOrder | None:
    """The provider's work order, or None when no provider does the move."""
    with rt.uow() as session:
        case = cases.find_case(session, case_ref)
        found = session.exec(select(BelongingsMove, Provider).join(Provider).where(
            BelongingsMove.case_id == case.id)).first()
    if found is None:
        return None
    return WorkOrder(case_number=case.case_number, provider=found[1].name,
                     collect_in=case.placing_municipality, deliver_to=HAND_OVER_POINT)


def confirm_delivered(rt: Runtime, case_ref: str | uuid.UUID, *, viewer_municipality: str,
                      by: str) -> Case:
    """The placing or the receiving social services confirm the belongings have arrived.
    `models.relocation.DisclosureDenied` for anyone else; `LookupError` when no move was
    ordered. Nothing is written on either."""
    at = rt.now()
    with rt.uow() as session:
        case = cases.lock_case_ref(session, case_ref)
        move = session.exec(select(BelongingsMove).where(
            BelongingsMove.case_id == case.id).with_for_update()).first()
        if move is None:
            raise LookupError(f"case: no move of belongings ordered for {case.case_number}")
        receiving = rt.cipher.decrypt(relocation_of(session, case).destination_enc)
        check_disclosure(viewer_agency="social_services", viewer_municipality=viewer_municipality,
                         placing=case.placing_municipality, receiving=receiving)
        if move.status == "delivered":
            return case
        move.status, move.delivered_by, move.delivered_at = "delivered", by, at
        session.add(move)
        journal.journal(session, case, kind=Kind.BELONGINGS_DELIVERED, actor=by, at=at,
                        reason="belongings delivered (confirmed by social services)")
        waits.close_wait(session, case, Wait.of(WaitKind.BELONGINGS), by=by, at=at,
                         answer={"delivered": True})
    return case
