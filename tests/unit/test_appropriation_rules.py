"""The appropriation in force on a day and the kinds of grant the year's decisions allow."""

from __future__ import annotations

from datetime import date

import pytest

from models.appropriation import (
    AllocationRule,
    AppropriationStep,
    NoAppropriation,
    allocation_in_force,
    caps_in_force,
    refusal,
)
from models.grants import GrantKind

STEPS = [
    AppropriationStep(2020, date(2020, 1, 1), "letter_of_appropriation", 7_500_000, None, False),
    AppropriationStep(2022, date(2022, 1, 1), "letter_of_appropriation", 22_500_000, None,
                      False),
    AppropriationStep(2022, date(2022, 6, 30), "amending_decision", 72_500_000, 10_000_000,
                      True),
]
ONLY_INDIVIDUAL = AllocationRule(date(2022, 4, 8), frozenset({"individual_case"}))


def test_the_amending_decision_applies_from_its_day() -> None:
    before = caps_in_force(STEPS, year=2022, on=date(2022, 6, 29))
    after = caps_in_force(STEPS, year=2022, on=date(2022, 6, 30))
    assert (before.total_cap_sek, before.direct_operational_cap_sek) == (22_500_000, 22_500_000)
    assert (after.total_cap_sek, after.direct_operational_cap_sek) == (72_500_000, 10_000_000)
    assert after.budget().appropriation_sek == 72_500_000


def test_a_day_before_the_years_first_step_takes_that_step() -> None:
    caps = caps_in_force([STEPS[2]], year=2022, on=date(2022, 2, 1))
    assert caps.total_cap_sek == 72_500_000 and not caps.provisional


def test_a_year_without_its_own_record_runs_provisionally_on_the_last_one() -> None:
    caps = caps_in_force(STEPS, year=2024, on=date(2024, 3, 1))
    assert (caps.total_cap_sek, caps.provisional, caps.source_year) == (72_500_000, True, 2022)


def test_there_is_no_appropriation_before_the_first_recorded_year() -> None:
    with pytest.raises(NoAppropriation, match="year: no appropriation is recorded for 2019"):
        caps_in_force(STEPS, year=2019, on=date(2019, 6, 1))


def test_the_2022_allocation_decision_keeps_direct_support_out() -> None:
    caps = caps_in_force(STEPS, year=2022, on=date(2022, 9, 1))
    rule = allocation_in_force([ONLY_INDIVIDUAL], on=date(2022, 9, 1))
    assert refusal(GrantKind.INDIVIDUAL_CASE, caps=caps, allocation=rule) is None
    assert "does not allow direct_operational" in (
        refusal(GrantKind.DIRECT_OPERATIONAL, caps=caps, allocation=rule) or "")
    # Before the decision of 8 April nothing limited the kinds.
    early = allocation_in_force([ONLY_INDIVIDUAL], on=date(2022, 3, 1))
    assert refusal(GrantKind.DIRECT_OPERATIONAL, caps=caps, allocation=early) is None


def test_agency_development_needs_an_appropriation_for_the_joint_assignment() -> None:
    letter = caps_in_force(STEPS, year=2022, on=date(2022, 5, 1))
    amended = caps_in_force(STEPS, year=2022, on=date(2022, 7, 1))
    assert "joint assignment" in (
        refusal(GrantKind.AGENCY_DEVELOPMENT, caps=letter, allocation=ONLY_INDIVIDUAL) or "")
    assert refusal(GrantKind.AGENCY_DEVELOPMENT, caps=amended, allocation=ONLY_INDIVIDUAL) \
        is None
