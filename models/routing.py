"""Who is called to the collaboration meeting (samverkansmöte): pure, table-driven,
versioned routing rules.

A rule says: call this agency (and this social-services unit) when this condition
holds on the case's facts. The rule tables are versioned: a case is pinned to the
version in force when it was opened (`case.routing_version`), so changing the rules
(a new entry in `VERSIONS`, a new `CURRENT_VERSION`) applies to new cases only, and
the journal records which version decided.

Facts carry no personal data beyond what routing needs: needs, custody status,
whether the person is a child, and the roles (never names) of the network resources.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from models.enums import Agency, CustodyStatus, Need, NetworkRole

NETWORK = "network"  # not an agency: the person's own network, invited by the coordinator


@dataclass(frozen=True)
class Facts:
    needs: frozenset[Need]
    custody_status: CustodyStatus
    is_child: bool
    network: tuple[NetworkRole, ...] = ()


def is_child(birth_date: date, *, today: date) -> bool:
    """Under 18 on `today`."""
    had_birthday = (today.month, today.day) >= (birth_date.month, birth_date.day)
    age = today.year - birth_date.year - (0 if had_birthday else 1)
    return age < 18


# Conditions: small frozen values, so a rule table is data that can be printed and compared.
@dataclass(frozen=True)
class Always:
    def holds(self, facts: Facts) -> bool:
        return True

    def describe(self) -> str:
        return "always"


@dataclass(frozen=True)
class AnyNeed:
    needs: frozenset[Need]
    adults_only: bool = False

    def holds(self, facts: Facts) -> bool:
        return bool(self.needs & facts.needs) and not (self.adults_only and facts.is_child)

    def describe(self) -> str:
        names = "/".join(sorted(n.value for n in self.needs))
        return f"need {names}" + (" (adult)" if self.adults_only else "")


@dataclass(frozen=True)
class InCustody:
    def holds(self, facts: Facts) -> bool:
        return facts.custody_status in (CustodyStatus.IN_PRISON, CustodyStatus.ON_PROBATION)

    def describe(self) -> str:
        return "in prison or on probation"


@dataclass(frozen=True)
class Child:
    def holds(self, facts: Facts) -> bool:
        return facts.is_child

    def describe(self) -> str:
        return "the person is a child"


@dataclass(frozen=True)
class HasNetwork:
    def holds(self, facts: Facts) -> bool:
        return bool(facts.network)

    def describe(self) -> str:
        return "network resources recorded"


Condition = Always | AnyNeed | InCustody | Child | HasNetwork


@dataclass(frozen=True)
class Rule:
    invitee: str  # an Agency value, or NETWORK
    when: Condition
    unit: str | None = None  # a social-services unit


@dataclass(frozen=True)
class Invitation:
    """One invitee of the meeting: an agency (with units, for social services) or the
    network (with roles as units). `reasons` name the rules that called it."""

    invitee: str
    units: tuple[str, ...] = ()
    reasons: tuple[str, ...] = field(default=())

    @property
    def external(self) -> bool:
        """Invited through an agency adapter and must sign off the meeting decision.
        The police and social services already hold the case; the network is invited by
        the coordinator."""
        return self.invitee in EXTERNAL_AGENCIES


EXTERNAL_AGENCIES = (Agency.KRIMINALVARDEN.value, Agency.ARBETSFORMEDLINGEN.value,
                     Agency.HEALTH_CARE.value, Agency.SIS.value)

_SS = Agency.SOCIAL_SERVICES.value
_V2026_1: tuple[Rule, ...] = (
    Rule(Agency.POLICE.value, Always()),  # presents the threat assessment
    Rule(_SS, AnyNeed(frozenset({Need.FINANCIAL_SUPPORT, Need.DEBTS})),
         unit="financial_support"),
    Rule(_SS, AnyNeed(frozenset({Need.HOUSING})), unit="housing"),
    Rule(_SS, AnyNeed(frozenset({Need.SUBSTANCE_ABUSE, Need.DAILY_ROUTINES}), adults_only=True),
         unit="adult_unit"),
    Rule(Agency.KRIMINALVARDEN.value, InCustody()),
    Rule(Agency.ARBETSFORMEDLINGEN.value, AnyNeed(frozenset({Need.OCCUPATION}))),
    Rule(Agency.HEALTH_CARE.value, AnyNeed(frozenset({Need.MENTAL_HEALTH}))),
    Rule(Agency.SIS.value, Child()),
    Rule(NETWORK, HasNetwork()),
)
# 2026.2: substance abuse also calls health care (addiction care is a regional duty).
_V2026_2: tuple[Rule, ...] = (
    *_V2026_1[:6],
    Rule(Agency.HEALTH_CARE.value, AnyNeed(frozenset({Need.MENTAL_HEALTH,
                                                      Need.SUBSTANCE_ABUSE}))),
    *_V2026_1[7:],
)

# 2026.3: a child is called to social services' child and youth unit (barn och unga),
# whatever the need: a child with a substance-abuse need is no longer left without a
# social-services invitation (the adult unit stays for adults). Seed 002: more
# children reached. Cases opened under 2026.1 keep their rules.
_V2026_3: tuple[Rule, ...] = (
    *_V2026_1[:4],
    Rule(_SS, Child(), unit="child_and_youth"),
    *_V2026_1[4:],
)

VERSIONS: Mapping[str, tuple[Rule, ...]] = {"2026.1": _V2026_1, "2026.2": _V2026_2,
                                            "2026.3": _V2026_3}
CURRENT_VERSION = "2026.3"


class UnknownRoutingVersion(KeyError):
    pass


def route(facts: Facts, *, version: str) -> list[Invitation]:
    """The meeting's invitees under the rules of `version`, in rule-table order,
    one per invitee (social-services units and network roles merged)."""
    try:
        rules = VERSIONS[version]
    except KeyError:
        raise UnknownRoutingVersion(f"routing_version: no rules version {version!r}") from None
    units: dict[str, list[str]] = {}
    reasons: dict[str, list[str]] = {}
    for rule in rules:
        if not rule.when.holds(facts):
            continue
        units.setdefault(rule.invitee, [])
        reasons.setdefault(rule.invitee, []).append(
            rule.when.describe() + (f" -> {rule.unit}" if rule.unit else ""))
        if rule.unit and rule.unit not in units[rule.invitee]:
            units[rule.invitee].append(rule.unit)
        if rule.invitee == NETWORK:
            units[NETWORK] = sorted({role.value for role in facts.network})
    return [Invitation(invitee, tuple(units[invitee]), tuple(reasons[invitee]))
            for invitee in units]


HandOver = tuple[str, str]  # (agency, purpose)


def hand_overs(facts: Facts, *, relocated: bool) -> list[HandOver]:
    """Hand-overs after the meeting and the move: Frivården's release/transition measures
    and a lay supervisor when in prison or on probation (the person may stay registered
    with probation in the home town); Arbetsförmedlingen hands over to the office where
    the person now lives when occupation is a need and the person moved."""
    result: list[HandOver] = []
    if InCustody().holds(facts):
        result += [(Agency.KRIMINALVARDEN.value, "release_measures"),
                   (Agency.KRIMINALVARDEN.value, "lay_supervisor")]
    if relocated and Need.OCCUPATION in facts.needs:
        result.append((Agency.ARBETSFORMEDLINGEN.value, "office_hand_over"))
    return result
