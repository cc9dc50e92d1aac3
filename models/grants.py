"""State grants to defector work (statliga medel till avhopparverksamhet): the yearly
budget ledger and the outcomes of a decision. Pure: no I/O. Whole kronor (int) only.

The police decide per individual case; the annual appropriation is capped (72.5 MSEK in
2022, of which at most 10 MSEK as direct operational support to organisations). A grant
beyond what is left of the year's appropriation (or of the cap, for direct operational
support) is refused. The caps of each year are dated data (`models.appropriation`,
table `grant_appropriation`); the defaults below are the 2022 caps, kept for callers
that have no database at hand.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

ANNUAL_APPROPRIATION_SEK = 72_500_000
DIRECT_OPERATIONAL_CAP_SEK = 10_000_000


class GrantKind(StrEnum):
    INDIVIDUAL_CASE = "individual_case"  # to a municipality, per individual
    DIRECT_OPERATIONAL = "direct_operational"  # direct operational support to organisations
    # Development work by an agency of the joint government assignment (SiS,
    # Socialstyrelsen): counts against the appropriation, not the direct-support cap.
    AGENCY_DEVELOPMENT = "agency_development"


class RejectionReason(StrEnum):
    """The reasons of the police report to the government."""

    CRITERIA_NOT_MET = "criteria_not_met"
    INCOMPLETE = "incomplete"
    NOT_COMPLETED_WHEN_ASKED = "not_completed_when_asked"


class BudgetExceeded(ValueError):
    """A grant the year's appropriation (or cap) cannot pay; the message says how much is left."""


@dataclass(frozen=True)
class LedgerEntry:
    kind: GrantKind
    amount_sek: int


@dataclass(frozen=True)
class Budget:
    year: int
    appropriation_sek: int = ANNUAL_APPROPRIATION_SEK
    direct_operational_cap_sek: int = DIRECT_OPERATIONAL_CAP_SEK


def _whole(amount: object) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise BudgetExceeded(f"amount_sek: whole kronor (an integer), not {type(amount).__name__}")
    if amount <= 0:
        raise BudgetExceeded("amount_sek: must be positive")
    return amount


def left(budget: Budget, granted: Iterable[LedgerEntry]) -> tuple[int, int]:
    """(left of the appropriation, left under the direct operational cap)."""
    entries = list(granted)
    total = sum(e.amount_sek for e in entries)
    direct = sum(e.amount_sek for e in entries if e.kind == GrantKind.DIRECT_OPERATIONAL)
    return budget.appropriation_sek - total, budget.direct_operational_cap_sek - direct


def check_grant(budget: Budget, granted: Iterable[LedgerEntry], *, kind: GrantKind,
                amount_sek: int) -> None:
    """Raise `BudgetExceeded` unless the year's ledger can pay `amount_sek`."""
    amount = _whole(amount_sek)
    total_left, direct_left = left(budget, granted)
    if amount > total_left:
        raise BudgetExceeded(f"amount_sek: {amount} kr exceeds the {total_left} kr left of "
                             f"the {budget.year} appropriation")
    if kind == GrantKind.DIRECT_OPERATIONAL and amount > direct_left:
        raise BudgetExceeded(f"amount_sek: {amount} kr exceeds the {direct_left} kr left under "
                             f"the {budget.year} cap for direct operational support")
