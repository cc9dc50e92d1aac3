"""Which interventions may enter an individual action plan."""

from __future__ import annotations

from datetime import date

import pytest

from models.action_plan import (
    FollowUpVerdict,
    InterventionDraft,
    InterventionKind,
    InterventionRefused,
    ProviderStatus,
    check_intervention,
    plan_cost,
)

TODAY = date(2026, 11, 25)
DRAFT = InterventionDraft(kind=InterventionKind.CRIMINAL_THINKING_PROGRAMME,
                          start=TODAY, planned_end=date(2027, 5, 25), cost_sek=48_000)
VETTED = ProviderStatus(name="Exit Väst", vetted_by="unit-head-eva", vetted_on=date(2026, 1, 10),
                        next_follow_up_due=date(2027, 1, 10))


def test_the_catalogue_covers_the_domain_list() -> None:
    assert len(InterventionKind) >= 14
    assert {"debt_restructuring", "trustee", "tattoo_removal", "moving_belongings",
            "protected_personal_data", "contact_person"} <= {k.value for k in InterventionKind}


def test_a_vetted_provider_with_follow_up_ahead_is_accepted() -> None:
    check_intervention(DRAFT, VETTED, today=TODAY)


def test_the_municipality_itself_needs_no_vetting() -> None:
    check_intervention(DRAFT, None, today=TODAY)


def test_an_unvetted_provider_is_refused_by_name() -> None:
    unvetted = ProviderStatus(name="Snabbhjälp AB", vetted_by=None, vetted_on=None,
                              next_follow_up_due=None)
    with pytest.raises(InterventionRefused, match="provider: Snabbhjälp AB is not vetted"):
        check_intervention(DRAFT, unvetted, today=TODAY)


def test_a_lapsed_follow_up_is_refused_with_its_due_date() -> None:
    lapsed = ProviderStatus(name="Exit Väst", vetted_by="eva", vetted_on=date(2025, 1, 1),
                            next_follow_up_due=date(2026, 11, 24))
    with pytest.raises(InterventionRefused, match="due 2026-11-24 and has lapsed"):
        check_intervention(DRAFT, lapsed, today=TODAY)


def test_an_unsatisfactory_follow_up_is_refused() -> None:
    bad = ProviderStatus(name="X", vetted_by="eva", vetted_on=date(2025, 1, 1),
                         next_follow_up_due=date(2027, 1, 1),
                         last_verdict=FollowUpVerdict.UNSATISFACTORY)
    with pytest.raises(InterventionRefused, match="unsatisfactory"):
        check_intervention(DRAFT, bad, today=TODAY)


@pytest.mark.parametrize(("cost", "message"), [(1.5, "cost_sek: whole kronor"),
                                               (-1, "cost_sek: must not be negative")])
def test_costs_are_whole_non_negative_kronor(cost: object, message: str) -> None:
    draft = InterventionDraft(kind=DRAFT.kind, start=TODAY, planned_end=TODAY,
                              cost_sek=cost)  # type: ignore[arg-type]
    with pytest.raises(InterventionRefused, match=message):
        check_intervention(draft, None, today=TODAY)


def test_an_end_before_the_start_is_refused() -> None:
    draft = InterventionDraft(kind=DRAFT.kind, start=TODAY, planned_end=date(2026, 1, 1),
                              cost_sek=0)
    with pytest.raises(InterventionRefused, match="planned_end"):
        check_intervention(draft, None, today=TODAY)


def test_a_plan_costs_the_sum_in_kronor() -> None:
    total = plan_cost([48_000, 12_500, 0])
    assert total == 60_500 and isinstance(total, int)
