"""The individual action plan (individuell handlingsplan): the intervention catalogue and
the rules an intervention must pass before it enters a plan. Pure: no I/O.

Public money must not reach unserious actors: an intervention delivered by an external
provider needs a provider that is vetted (approved, by whom, when) and whose follow-up
is not overdue. Costs are whole kronor (int), never floats.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class InterventionKind(StrEnum):
    """The catalogue (DOMAIN.md's typical interventions)."""

    CONTACT_PERSON = "contact_person"  # conversation support and a contact person, SoL 4:1
    FINANCIAL_SUPPORT = "financial_support"
    SUBSTANCE_ABUSE_TREATMENT = "substance_abuse_treatment"
    CRIMINAL_THINKING_PROGRAMME = "criminal_thinking_programme"
    PSYCHOLOGICAL_TREATMENT = "psychological_treatment"  # assessment and treatment
    INDIVIDUAL_COACHING = "individual_coaching"
    OCCUPATION = "occupation"  # occupation and employment
    LONG_TERM_HOUSING = "long_term_housing"
    NEW_SOCIAL_NETWORKS = "new_social_networks"
    DEBT_RESTRUCTURING = "debt_restructuring"  # skuldsanering
    TRUSTEE = "trustee"  # god man
    PROTECTED_PERSONAL_DATA = "protected_personal_data"
    MOVING_BELONGINGS = "moving_belongings"
    TATTOO_REMOVAL = "tattoo_removal"
    # Protected housing (skyddat boende, SoL since 1 April 2024): its own intervention,
    # from a provider holding the permit (`services.protected_housing`).
    PROTECTED_HOUSING = "protected_housing"
    OTHER = "other"


class FollowUpVerdict(StrEnum):
    SATISFACTORY = "satisfactory"
    CONCERNS = "concerns"
    UNSATISFACTORY = "unsatisfactory"


@dataclass(frozen=True)
class ProviderStatus:
    name: str
    vetted_by: str | None
    vetted_on: date | None
    next_follow_up_due: date | None
    last_verdict: FollowUpVerdict | None = None


@dataclass(frozen=True)
class InterventionDraft:
    kind: InterventionKind
    start: date
    planned_end: date
    cost_sek: int


class InterventionRefused(ValueError):
    """An intervention that may not enter the plan; the message names the field and why."""


def check_intervention(draft: InterventionDraft, provider: ProviderStatus | None, *,
                       today: date) -> None:
    """Raise `InterventionRefused` with a clear reason, or return when it may be added.
    `provider` None: delivered by the municipality itself."""
    if isinstance(draft.cost_sek, bool) or not isinstance(draft.cost_sek, int):
        raise InterventionRefused("cost_sek: whole kronor (an integer), not "
                                  f"{type(draft.cost_sek).__name__}")
    if draft.cost_sek < 0:
        raise InterventionRefused("cost_sek: must not be negative")
    if draft.planned_end < draft.start:
        raise InterventionRefused("planned_end: before the start")
    if provider is None:
        return
    if provider.vetted_by is None or provider.vetted_on is None:
        raise InterventionRefused(f"provider: {provider.name} is not vetted")
    if provider.last_verdict == FollowUpVerdict.UNSATISFACTORY:
        raise InterventionRefused(
            f"provider: {provider.name}'s last follow-up was unsatisfactory")
    if provider.next_follow_up_due is None or provider.next_follow_up_due < today:
        due = provider.next_follow_up_due or "never planned"
        raise InterventionRefused(
            f"provider: {provider.name}'s follow-up was due {due} and has lapsed")


def plan_cost(costs: list[int]) -> int:
    """Total cost of a plan in whole kronor."""
    return sum(costs, 0)
