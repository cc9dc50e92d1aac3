"""Test data: referrals with valid (fictitious) identity numbers."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from models.identity import luhn_check_digit
from services import intake
from services.intake import OpenedCase
from services.runtime import Runtime
from tests.fakes.agencies import FakeAgencies

TOLVAN = "19121212-1212"
TOLVAN_NAME = "Tolvan Tolvansson"


def identity_number(*, born: date | None = None, serial: int | None = None) -> str:
    born = born or date(1995, 3, 14)
    serial = random.randint(1, 999) if serial is None else serial  # 000 is never issued
    nine = f"{born:%y%m%d}{serial:03d}"
    return f"{born:%Y%m%d}-{serial:03d}{luhn_check_digit(nine)}"


def referral(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "person": {"identity_number": TOLVAN, "name": TOLVAN_NAME},
        "placing_municipality": "0180",
        "referring_agency": "police",
        "milieu": "gang",
        "custody_status": "none",
        "recorded_by": "coordinator-anna",
        "consents": [
            {"agency": "police", "legal_basis": "samtycke enligt OSL 10:1"},
            {"agency": "social_services", "legal_basis": "samtycke enligt OSL 10:1"},
        ],
        "eligibility": {
            "meets_definition": {"holds": True},
            "motivated": {"holds": True},
            "consents_to_exchange": {"holds": True},
            "signed_conditions": {"holds": True},
            "not_witness": {"holds": True},
        },
    }
    base.update(overrides)
    return base


def open_case(rt: Runtime, **overrides: Any) -> OpenedCase:
    """A new case from a referral (Tolvan unless told otherwise), through intake."""
    return intake.open_case(rt, referral(**overrides))


def threat_assessed(rt: Runtime, agencies: FakeAgencies, **overrides: Any) -> OpenedCase:
    """A new case whose police threat assessment is in (the fake police answer at once:
    high threat, the placing municipality an exclusion zone, relocation required),
    recorded through the one agency step; no flow run. Consents for the police, social
    services and the Tax Agency unless told otherwise."""
    from services import agency
    from services.before_steps import ThreatAssessmentStep

    agencies.police.answer_at_once = True
    overrides.setdefault("consents", [{"agency": a, "legal_basis": "samtycke"}
                                      for a in ("police", "social_services", "tax_agency")])
    opened = open_case(rt, **overrides)
    step = ThreatAssessmentStep()
    agency.send(rt, agencies, opened.case_id, step)
    if not isinstance(agency.collect(rt, agencies, opened.case_id, step), agency.Answered):
        raise AssertionError("the fake police did not answer")
    return opened
