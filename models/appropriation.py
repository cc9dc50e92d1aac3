"""The appropriation in force on a day, and which kinds of grant a year's decisions
allow. Pure: no I/O.

Each year's caps are set by the letter of appropriation and may be changed during the
year by an amending decision (2022: at most 22 500 000 kr; from 30 June at most
72 500 000 kr, of which at most 10 000 000 kr direct operational support). A decision
is checked against the caps in force on its date.

A year for which nothing is recorded yet (the letter for the new year is not entered,
or the sources do not state it) runs on the last recorded year's final caps, marked
`provisional`: refusing every grant until someone types in the letter would stop cases
for a bookkeeping gap, while the caps of the year before are the best estimate there is.
The annual account says so. Before the first recorded year there is no appropriation.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from models.grants import Budget, GrantKind


@dataclass(frozen=True)
class AppropriationStep:
    year: int
    in_force_from: date
    kind: str
    total_cap_sek: int
    direct_operational_cap_sek: int | None
    includes_joint_assignment: bool
    decided_on: date | None = None
    reference: str | None = None


@dataclass(frozen=True)
class CapsInForce:
    year: int
    total_cap_sek: int
    direct_operational_cap_sek: int  # the whole appropriation when no separate cap
    includes_joint_assignment: bool
    provisional: bool  # carried over from `source_year`: nothing recorded for `year`
    source_year: int

    def budget(self) -> Budget:
        return Budget(self.year, self.total_cap_sek, self.direct_operational_cap_sek)


@dataclass(frozen=True)
class AllocationRule:
    decided_on: date
    allowed_kinds: frozenset[str]


class NoAppropriation(LookupError):
    """No appropriation is recorded for the year or any year before it."""


def _caps(step: AppropriationStep, *, year: int, provisional: bool) -> CapsInForce:
    direct = (step.total_cap_sek if step.direct_operational_cap_sek is None
              else step.direct_operational_cap_sek)
    return CapsInForce(year=year, total_cap_sek=step.total_cap_sek,
                       direct_operational_cap_sek=direct,
                       includes_joint_assignment=step.includes_joint_assignment,
                       provisional=provisional, source_year=step.year)


def caps_in_force(steps: Iterable[AppropriationStep], *, year: int, on: date) -> CapsInForce:
    """The caps in force on `on` for grants of `year`. A day before the year's first
    step (the letter applies from 1 January) takes that first step."""
    ordered = sorted(steps, key=lambda s: (s.year, s.in_force_from))
    own = [s for s in ordered if s.year == year]
    if own:
        current = [s for s in own if s.in_force_from <= on]
        return _caps(current[-1] if current else own[0], year=year, provisional=False)
    earlier = [s for s in ordered if s.year < year]
    if not earlier:
        raise NoAppropriation(f"year: no appropriation is recorded for {year} or before")
    return _caps(earlier[-1], year=year, provisional=True)


def final_caps(steps: Iterable[AppropriationStep], *, year: int) -> CapsInForce:
    return caps_in_force(steps, year=year, on=date(year, 12, 31))


def allocation_in_force(rules: Sequence[AllocationRule], *, on: date) -> AllocationRule | None:
    current = [r for r in sorted(rules, key=lambda r: r.decided_on) if r.decided_on <= on]
    return current[-1] if current else None


def refusal(kind: GrantKind, *, caps: CapsInForce, allocation: AllocationRule | None) -> str | None:
    """Why a grant of `kind` may not be made under these decisions, or None.

    Agency development work is paid from the appropriation for the joint government
    assignment, which the year's allocation decision to organisations does not govern
    (2022: the 8 April decision kept the money for individual cases; the amending
    decision of 30 June added the joint assignment, and SiS and Socialstyrelsen were
    granted money from it)."""
    if kind == GrantKind.AGENCY_DEVELOPMENT:
        if not caps.includes_joint_assignment:
            return (f"kind: the {caps.year} appropriation in force does not pay the agencies' "
                    "joint assignment")
        return None
    if allocation is not None and kind.value not in allocation.allowed_kinds:
        return (f"kind: the allocation decision of {allocation.decided_on.isoformat()} "
                f"does not allow {kind.value} grants")
    return None
