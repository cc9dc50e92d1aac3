"""Routing rules for the collaboration meeting: who is called, under which version."""

from __future__ import annotations

from datetime import date

import pytest

from models.enums import CustodyStatus, Need, NetworkRole
from models.routing import (
    CURRENT_VERSION,
    VERSIONS,
    Facts,
    UnknownRoutingVersion,
    is_child,
    route,
)


def facts(*needs: Need, custody: CustodyStatus = CustodyStatus.NONE, child: bool = False,
          network: tuple[NetworkRole, ...] = ()) -> Facts:
    return Facts(needs=frozenset(needs), custody_status=custody, is_child=child, network=network)


def invitees(f: Facts, version: str = "2026.1") -> dict[str, tuple[str, ...]]:
    return {i.invitee: i.units for i in route(f, version=version)}


def test_the_police_are_always_called_to_present_the_threat_assessment() -> None:
    assert invitees(facts()) == {"police": ()}


def test_social_services_units_follow_the_needs() -> None:
    called = invitees(facts(Need.DEBTS, Need.HOUSING, Need.FINANCIAL_SUPPORT,
                            Need.SUBSTANCE_ABUSE))
    assert called["social_services"] == ("financial_support", "housing", "adult_unit")


def test_a_child_with_a_substance_abuse_need_is_called_to_the_child_and_youth_unit() -> None:
    called = invitees(facts(Need.SUBSTANCE_ABUSE, child=True), CURRENT_VERSION)
    assert called["social_services"] == ("child_and_youth",), "never the adult unit"
    assert "sis" in called
    adult = invitees(facts(Need.SUBSTANCE_ABUSE), CURRENT_VERSION)
    assert adult["social_services"] == ("adult_unit",)
    # A case opened under 2026.1 keeps its rules (a child got no social-services call).
    assert "social_services" not in invitees(facts(Need.SUBSTANCE_ABUSE, child=True), "2026.1")


@pytest.mark.parametrize("custody", [CustodyStatus.IN_PRISON, CustodyStatus.ON_PROBATION])
def test_kriminalvarden_is_called_when_in_prison_or_on_probation(custody: CustodyStatus) -> None:
    assert "kriminalvarden" in invitees(facts(custody=custody))


def test_kriminalvarden_is_not_called_without_custody() -> None:
    assert "kriminalvarden" not in invitees(facts(Need.OCCUPATION))


def test_arbetsformedlingen_for_occupation_and_health_care_for_mental_health() -> None:
    called = invitees(facts(Need.OCCUPATION, Need.MENTAL_HEALTH))
    assert {"arbetsformedlingen", "health_care"} <= set(called)
    assert "health_care" not in invitees(facts(Need.OCCUPATION))


def test_network_resources_are_called_by_role() -> None:
    called = invitees(facts(network=(NetworkRole.MENTOR, NetworkRole.FAMILY, NetworkRole.MENTOR)))
    assert called["network"] == ("family", "mentor")


def test_each_invitee_carries_the_reasons_that_called_it() -> None:
    [_, social] = route(facts(Need.HOUSING, Need.DEBTS), version="2026.1")
    assert social.reasons == ("need debts/financial_support -> financial_support",
                              "need housing -> housing")


def test_a_newer_rules_version_changes_routing_only_for_cases_under_it() -> None:
    f = facts(Need.SUBSTANCE_ABUSE)
    assert "health_care" not in invitees(f, "2026.1")
    assert "health_care" in invitees(f, "2026.2")


def test_an_unknown_version_is_refused_by_name() -> None:
    with pytest.raises(UnknownRoutingVersion, match="routing_version"):
        route(facts(), version="1999.1")


def test_the_current_version_exists() -> None:
    assert CURRENT_VERSION in VERSIONS


@pytest.mark.parametrize(("born", "child"), [
    (date(2009, 1, 2), False), (date(2009, 1, 3), True), (date(1990, 6, 1), False),
])
def test_a_child_is_under_18_on_the_day(born: date, child: bool) -> None:
    assert is_child(born, today=date(2027, 1, 2)) is child


def test_hand_overs_follow_custody_and_occupation_after_a_move() -> None:
    from models.routing import hand_overs

    on_probation = facts(Need.OCCUPATION, custody=CustodyStatus.ON_PROBATION)
    assert hand_overs(on_probation, relocated=True) == [
        ("kriminalvarden", "release_measures"), ("kriminalvarden", "lay_supervisor"),
        ("arbetsformedlingen", "office_hand_over")]
    assert hand_overs(facts(Need.OCCUPATION), relocated=False) == []
