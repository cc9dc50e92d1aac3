"""Relocation rules: exclusion zones, housing form, fast path, who sees the destination."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from models.relocation import (
    DisclosureDenied,
    HousingForm,
    RelocationRefused,
    check_destination,
    check_disclosure,
    fast_path_approval_due,
    housing_form,
    protection_measure,
    stronger_protection,
)

KNOWN = frozenset({"0180", "1480", "1280", "2584"})


def test_a_destination_outside_the_exclusion_zones_is_accepted() -> None:
    check_destination("2584", exclusion_zones=["0180", "1480"], known_municipalities=KNOWN)


@pytest.mark.parametrize("zone", ["0180", "1480"])
def test_a_destination_inside_an_exclusion_zone_is_refused(zone: str) -> None:
    with pytest.raises(RelocationRefused, match="destination: inside an exclusion zone"):
        check_destination(zone, exclusion_zones=["0180", "1480"], known_municipalities=KNOWN)


def test_an_unknown_destination_is_refused() -> None:
    with pytest.raises(RelocationRefused, match="destination: no municipality"):
        check_destination("9999", exclusion_zones=[], known_municipalities=KNOWN)


@pytest.mark.parametrize(("age", "independent", "support", "emergency", "form"), [
    (25, True, False, True, HousingForm.PROTECTED_HOUSING),
    (16, True, False, False, HousingForm.YOUTH_HOME),
    (25, True, True, False, HousingForm.SUPPORTED_HOUSING),
    (25, False, False, False, HousingForm.TRAINING_FLAT),
    (25, True, False, False, HousingForm.OWN_FLAT),
])
def test_the_housing_form_follows_age_independence_and_support(
        age: int, independent: bool, support: bool, emergency: bool, form: HousingForm) -> None:
    assert housing_form(age=age, lives_independently=independent, needs_deep_support=support,
                        emergency=emergency) is form


def test_a_fast_path_decision_must_be_approved_within_72_hours() -> None:
    at = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
    assert fast_path_approval_due(at) - at == timedelta(hours=72)


@pytest.mark.parametrize("municipality", ["0180", "2584"])
def test_placing_and_receiving_social_services_may_see_the_destination(
        municipality: str) -> None:
    check_disclosure(viewer_agency="social_services", viewer_municipality=municipality,
                     placing="0180", receiving="2584")


@pytest.mark.parametrize(("agency", "municipality"), [
    ("police", "0180"), ("kriminalvarden", "2584"), ("social_services", "1480"),
    ("social_services", None)])
def test_everyone_else_is_denied_the_destination(agency: str, municipality: str | None) -> None:
    with pytest.raises(DisclosureDenied, match="viewer"):
        check_disclosure(viewer_agency=agency, viewer_municipality=municipality,
                         placing="0180", receiving="2584")


@pytest.mark.parametrize(("level", "measure"), [
    ("low", "sekretessmarkering"), ("medium", "sekretessmarkering"),
    ("high", "skyddad_folkbokforing"), ("critical", "skyddad_folkbokforing")])
def test_the_protection_asked_for_follows_the_threat_level(level: str, measure: str) -> None:
    assert protection_measure(level) == measure


@pytest.mark.parametrize(("current", "granted", "after"), [
    ("none", "sekretessmarkering", "sekretessmarkering"),
    ("skyddad_folkbokforing", "sekretessmarkering", "skyddad_folkbokforing"),
    ("sekretessmarkering", "skyddad_folkbokforing", "skyddad_folkbokforing")])
def test_a_grant_never_weakens_the_protection_level(current: str, granted: str,
                                                    after: str) -> None:
    assert stronger_protection(current, granted) == after
