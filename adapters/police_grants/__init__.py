"""Police grants adapter: applications for state grants to defector work (NOA decides)."""

from adapters.police_grants.client import HttpPoliceGrantsAdapter
from adapters.police_grants.port import PoliceGrantsPort
from adapters.police_grants.schemas import GrantApplication, GrantDecision, PlannedIntervention

__all__ = ["GrantApplication", "GrantDecision", "HttpPoliceGrantsAdapter", "PlannedIntervention",
           "PoliceGrantsPort"]
