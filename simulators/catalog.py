"""Every simulator Utväg ships, by name: the app factory and its default port.

`python -m simulators NAME` and the local stack (`make run`, tests/e2e) both read
this table, so a new agency simulator is added here once. The stack points the
adapters at a simulator through the setting `UTVAG_<NAME>_URL` (dashes become
underscores), e.g. `UTVAG_SOCIAL_SERVICES_URL`.
"""

from __future__ import annotations

from simulators import police, police_grants, registers, social_services, tax_agency
from simulators.app import AppFactory
from simulators.invitations import app_for

APPS: dict[str, AppFactory] = {
    "police": police.create_app,
    "social-services": social_services.create_app,
    "kriminalvarden": app_for("kriminalvarden"),
    "arbetsformedlingen": app_for("arbetsformedlingen"),
    "health-care": app_for("health_care"),
    "sis": app_for("sis"),
    "police-grants": police_grants.create_app,
    "criminal-records": registers.create_criminal_records_app,
    "suspicions": registers.create_suspicions_app,
    "tax-agency": tax_agency.create_app,
}
DEFAULT_PORTS: dict[str, int] = {"police": 8101, "social-services": 8102,
                                 "kriminalvarden": 8103, "arbetsformedlingen": 8104,
                                 "health-care": 8105, "sis": 8106, "police-grants": 8107,
                                 "criminal-records": 8108, "suspicions": 8109,
                                 "tax-agency": 8110}


def settings_env(name: str) -> str:
    return f"UTVAG_{name.upper().replace('-', '_')}_URL"
