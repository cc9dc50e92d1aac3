"""Test data: referrals with valid (fictitious) identity numbers."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from models.identity import luhn_check_digit

TOLVAN = "19121212-1212"
TOLVAN_NAME = "Tolvan Tolvansson"


def identity_number(*, born: date | None = None, serial: int | None = None) -> str:
    born = born or date(1995, 3, 14)
    serial = random.randint(0, 999) if serial is None else serial
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
