"""Relocation rules: where a person may be placed, in what housing, the fast path, and who
may see the destination. Pure: no I/O.

The destination is decided from the threat assessment: never inside an exclusion zone
(the placing municipality is one when the person must move away). The destination
municipality and address are visible to the placing and the receiving social services
only; every other reader is refused. After the move the Tax Agency is asked to protect
the person's personal data (`protection_measure`), with the identity number only: the
new address is held away from it as from everyone else.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from models.enums import Agency, ProtectionLevel, ThreatLevel

FAST_PATH_APPROVAL_WITHIN = timedelta(hours=72)


class HousingForm(StrEnum):
    PROTECTED_HOUSING = "protected_housing"  # skyddat boende, emergency
    YOUTH_HOME = "youth_home"  # SiS youth home / HVB for a child
    SUPPORTED_HOUSING = "supported_housing"  # stödboende
    TRAINING_FLAT = "training_flat"  # träningslägenhet
    OWN_FLAT = "own_flat"


class RelocationRefused(ValueError):
    """A relocation that may not be decided; the message names the field and why."""


class DisclosureDenied(PermissionError):
    """A reader who may not see the destination."""


def check_destination(destination: str, *, exclusion_zones: list[str],
                      known_municipalities: frozenset[str]) -> None:
    if destination not in known_municipalities:
        raise RelocationRefused("destination: no municipality has this code")
    if destination in exclusion_zones:
        raise RelocationRefused("destination: inside an exclusion zone of the threat assessment")


def housing_form(*, age: int, lives_independently: bool, needs_deep_support: bool,
                 emergency: bool) -> HousingForm:
    """The housing form from age, ability to live independently and need of support."""
    if emergency:
        return HousingForm.PROTECTED_HOUSING
    if age < 18:
        return HousingForm.YOUTH_HOME
    if needs_deep_support:
        return HousingForm.SUPPORTED_HOUSING
    if not lives_independently:
        return HousingForm.TRAINING_FLAT
    return HousingForm.OWN_FLAT


def fast_path_approval_due(decided_at: datetime) -> datetime:
    """A fast-path (protective) decision must be approved in the usual order by then."""
    return decided_at + FAST_PATH_APPROVAL_WITHIN


def check_disclosure(*, viewer_agency: str, viewer_municipality: str | None, placing: str,
                     receiving: str) -> None:
    """Only the placing and the receiving social services may see the destination."""
    if viewer_agency != Agency.SOCIAL_SERVICES.value:
        raise DisclosureDenied(f"viewer: {viewer_agency} may not see the destination")
    if viewer_municipality not in (placing, receiving):
        raise DisclosureDenied("viewer: only the placing and the receiving social services "
                               "may see the destination")


def protection_measure(level: ThreatLevel | str) -> ProtectionLevel:
    """What to ask the Tax Agency for after a relocation. A high or critical threat:
    *skyddad folkbokföring* (registered at the old place, the new address kept out of the
    population register); a lower one: *sekretessmarkering* (register data released only
    after a check). The stronger one is never asked for a threat that does not carry it."""
    if ThreatLevel(level) in (ThreatLevel.HIGH, ThreatLevel.CRITICAL):
        return ProtectionLevel.SKYDDAD_FOLKBOKFORING
    return ProtectionLevel.SEKRETESSMARKERING


def stronger_protection(current: ProtectionLevel | str,
                        granted: ProtectionLevel | str) -> ProtectionLevel:
    """The person's protection level after a grant: never weakened by one."""
    order = list(ProtectionLevel)
    return max(ProtectionLevel(current), ProtectionLevel(granted), key=order.index)
