"""The individual action plan: the provider registry (vetting, follow-ups) and the
interventions of a case, checked by `models.action_plan` before anything is written.
A refused intervention writes no intervention; the refusal itself is journaled on the
case (who tried to buy what from whom, and why it was refused)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col, select

from adapters.repositories import cases, journal, waits
from models.action_plan import (
    FollowUpVerdict,
    InterventionDraft,
    InterventionKind,
    InterventionRefused,
    ProviderStatus,
    check_intervention,
    plan_cost,
)
from models.during_tables import Intervention, Provider, ProviderFollowUp
from models.enums import WaitKind
from models.journal import Kind
from models.waits import Wait
from services.runtime import Runtime


class ProviderNotFound(LookupError):
    pass


def _provider(session: Session, name: str) -> Provider:
    provider = session.exec(select(Provider).where(Provider.name == name)).first()
    if provider is None:
        raise ProviderNotFound(f"provider: no provider named {name!r} in the registry")
    return provider


def register_provider(rt: Runtime, name: str) -> int:
    """Add an (unvetted) provider to the registry; returns its id (existing one if known)."""
    if not 1 <= len(name.strip()) <= 200:
        raise ValueError("name: 1-200 characters")
    with rt.uow() as session:
        found = session.exec(select(Provider).where(Provider.name == name.strip())).first()
        if found is not None and found.id is not None:
            return found.id
        provider = Provider(name=name.strip(), created_at=rt.now())
        session.add(provider)
        session.flush()
        assert provider.id is not None  # noqa: S101 - flushed
        return provider.id


def vet_provider(rt: Runtime, name: str, *, by: str, on: date, next_follow_up_due: date) -> None:
    """Record that `by` approved the provider on `on`, with the next follow-up due."""
    if next_follow_up_due < on:
        raise ValueError("next_follow_up_due: before the vetting date")
    with rt.uow() as session:
        provider = _provider(session, name)
        provider.vetted_by, provider.vetted_on = by, on
        provider.next_follow_up_due = next_follow_up_due
        session.add(provider)


def record_follow_up(rt: Runtime, name: str, *, verdict: FollowUpVerdict, by: str, on: date,
                     next_follow_up_due: date) -> None:
    """A provider's follow-up report; it moves the next follow-up date."""
    if next_follow_up_due < on:
        raise ValueError("next_follow_up_due: before the report date")
    with rt.uow() as session:
        provider = _provider(session, name)
        assert provider.id is not None  # noqa: S101 - a stored row
        session.add(ProviderFollowUp(provider_id=provider.id, verdict=verdict.value,
                                     reported_by=by, reported_on=on,
                                     next_follow_up_due=next_follow_up_due,
                                     recorded_at=rt.now()))
        provider.next_follow_up_due = next_follow_up_due
        session.add(provider)


def provider_status(session: Session, provider: Provider) -> ProviderStatus:
    """A registered provider as the vetting rules see it (vetting, follow-ups)."""
    last = session.exec(select(ProviderFollowUp.verdict)
                        .where(ProviderFollowUp.provider_id == provider.id)
                        .order_by(sa.desc(col(ProviderFollowUp.id)))).first()
    return ProviderStatus(name=provider.name, vetted_by=provider.vetted_by,
                          vetted_on=provider.vetted_on,
                          next_follow_up_due=provider.next_follow_up_due,
                          last_verdict=FollowUpVerdict(last) if last else None)


def providers(rt: Runtime) -> list[ProviderStatus]:
    """Every registered provider (organisations, no personal data), by name."""
    with rt.uow() as session:
        return [provider_status(session, p)
                for p in session.exec(select(Provider).order_by(col(Provider.name))).all()]


@dataclass(frozen=True)
class InterventionIn:
    kind: InterventionKind
    start: date
    planned_end: date
    cost_sek: int
    provider: str | None = None


def add_intervention(rt: Runtime, case_ref: str | uuid.UUID, item: InterventionIn, *,
                     by: str) -> int:
    """Add an intervention to the case's plan, or raise `InterventionRefused` (journaled)."""
    at = rt.now()
    draft = InterventionDraft(kind=item.kind, start=item.start, planned_end=item.planned_end,
                              cost_sek=item.cost_sek)
    with rt.uow() as session:
        case = cases.lock_case_ref(session, case_ref)
        provider = _provider(session, item.provider) if item.provider else None
        try:
            check_intervention(draft, provider_status(session, provider) if provider else None,
                               today=at.date())
        except InterventionRefused as refused:
            reason = str(refused)
        else:
            row = Intervention(case_id=case.id, kind=item.kind.value,
                               provider_id=provider.id if provider else None, start=item.start,
                               planned_end=item.planned_end, cost_sek=item.cost_sek,
                               added_by=by, added_at=at)
            session.add(row)
            session.flush()
            journal.journal(session, case, kind=Kind.INTERVENTION_ADDED, actor=by, at=at,
                            reason=f"intervention {item.kind.value} added "
                                   f"({item.provider or 'the municipality'}, {item.cost_sek} kr)",
                            data={"intervention_id": row.id, "kind": item.kind.value,
                                  "provider": item.provider, "cost_sek": item.cost_sek})
            assert row.id is not None  # noqa: S101 - flushed
            return row.id
    with rt.uow() as session:
        case = cases.lock_case_ref(session, case_ref)
        journal.journal(session, case, kind=Kind.INTERVENTION_REFUSED, actor=by, at=at,
                        reason=f"intervention {item.kind.value} refused: {reason}",
                        data={"kind": item.kind.value, "provider": item.provider})
    raise InterventionRefused(reason)


def approve_plan(rt: Runtime, case_ref: str | uuid.UUID, *, by: str) -> int:
    """Approve the case's action plan (at least one intervention); returns its cost."""
    at = rt.now()
    with rt.uow() as session:
        case = cases.lock_case_ref(session, case_ref)
        costs = list(session.exec(select(Intervention.cost_sek)
                                  .where(Intervention.case_id == case.id)))
        if not costs:
            raise InterventionRefused("action_plan: add at least one intervention first")
        total = plan_cost(costs)
        journal.journal(session, case, kind=Kind.PLAN_APPROVED, actor=by, at=at,
                        reason=f"action plan approved: {len(costs)} interventions, {total} kr",
                        data={"interventions": len(costs), "cost_sek": total})
        waits.close_wait(session, case, Wait.of(WaitKind.ACTION_PLAN), by=by, at=at,
                         answer={"approved": True})
    return total
