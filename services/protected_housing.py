"""Protected housing (skyddat boende): its own intervention, and the permit its providers
must hold under the rules in force since 1 April 2024 (seed 000: a permit from the
Health and Social Care Inspectorate, IVO, for running protected housing).

The provider registry records each permit (kind `protected_housing`, the permit's
reference, valid from / until); an intervention of kind `protected_housing` bought from
an external provider is refused unless the provider holds a permit valid on the
intervention's start and through its planned end. The municipality's own protected
housing (no provider) is not a bought service and needs no provider permit.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, select

from models.action_plan import InterventionDraft, InterventionKind, InterventionRefused
from models.during_tables import Provider
from models.plan_tables import ProviderPermit
from services.runtime import Runtime

PERMIT = "protected_housing"
RULES_FROM = date(2024, 4, 1)


class PermitError(ValueError):
    """The message names the field."""


def record_permit(rt: Runtime, provider_name: str, *, reference: str, valid_from: date,
                  valid_until: date | None, by: str) -> None:
    reference = reference.strip()
    if not 1 <= len(reference) <= 100:
        raise PermitError("reference: 1-100 characters (the permit's reference number)")
    if valid_until is not None and valid_until < valid_from:
        raise PermitError("valid_until: before valid_from")
    with rt.uow() as session:
        provider = session.exec(select(Provider).where(
            Provider.name == provider_name.strip())).first()
        if provider is None or provider.id is None:
            from services.action_plan import ProviderNotFound  # it imports this module

            raise ProviderNotFound(f"provider: no provider named {provider_name!r} in the "
                                   "registry")
        values = {"reference": reference, "valid_from": valid_from,
                  "valid_until": valid_until, "recorded_by": by, "recorded_at": rt.now()}
        session.execute(insert(ProviderPermit).values(provider_id=provider.id, kind=PERMIT,
                                                      **values)
                        .on_conflict_do_update(index_elements=["provider_id", "kind"],
                                               set_=values))


def check(session: Session, provider: Provider | None, draft: InterventionDraft) -> None:
    """Raise `InterventionRefused` for protected housing from a provider without a
    permit covering the intervention."""
    if draft.kind != InterventionKind.PROTECTED_HOUSING or provider is None:
        return
    permit = session.exec(select(ProviderPermit).where(
        ProviderPermit.provider_id == provider.id, ProviderPermit.kind == PERMIT)).first()
    if permit is None:
        raise InterventionRefused(
            f"provider: {provider.name} holds no permit for protected housing (required "
            f"since {RULES_FROM})")
    if permit.valid_from > draft.start or (
            permit.valid_until is not None and permit.valid_until < draft.planned_end):
        raise InterventionRefused(
            f"provider: {provider.name}'s protected-housing permit ({permit.valid_from} to "
            f"{permit.valid_until or 'open'}) does not cover {draft.start} to "
            f"{draft.planned_end}")
