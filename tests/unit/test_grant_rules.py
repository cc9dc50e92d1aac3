"""The yearly budget ledger of the state grant."""

from __future__ import annotations

import pytest

from models.grants import (
    Budget,
    BudgetExceeded,
    GrantKind,
    LedgerEntry,
    check_grant,
    left,
)

BUDGET = Budget(year=2026)
IND, DIRECT = GrantKind.INDIVIDUAL_CASE, GrantKind.DIRECT_OPERATIONAL


def test_the_appropriation_and_cap_follow_the_domain_figures() -> None:
    assert (BUDGET.appropriation_sek, BUDGET.direct_operational_cap_sek) == (72_500_000,
                                                                             10_000_000)


def test_a_grant_within_what_is_left_is_accepted() -> None:
    granted = [LedgerEntry(IND, 58_053_534)]
    check_grant(BUDGET, granted, kind=IND, amount_sek=14_446_466)
    assert left(BUDGET, granted) == (14_446_466, 10_000_000)


def test_a_grant_beyond_what_is_left_of_the_year_is_refused() -> None:
    granted = [LedgerEntry(IND, 72_000_000)]
    with pytest.raises(BudgetExceeded, match="500001 kr exceeds the 500000 kr left of the 2026"):
        check_grant(BUDGET, granted, kind=IND, amount_sek=500_001)


def test_direct_operational_support_is_capped_separately() -> None:
    granted = [LedgerEntry(DIRECT, 9_000_000), LedgerEntry(IND, 1_000_000)]
    check_grant(BUDGET, granted, kind=IND, amount_sek=2_000_000)
    with pytest.raises(BudgetExceeded, match="cap for direct operational support"):
        check_grant(BUDGET, granted, kind=DIRECT, amount_sek=1_000_001)


@pytest.mark.parametrize("amount", [1000.0, 0, -5, True])
def test_amounts_are_positive_whole_kronor(amount: object) -> None:
    with pytest.raises(BudgetExceeded, match="amount_sek"):
        check_grant(BUDGET, [], kind=IND, amount_sek=amount)  # type: ignore[arg-type]
