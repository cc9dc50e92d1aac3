"""Social-services adapter: decisions on support interventions over HTTP."""

from adapters.social_services.client import HttpSocialServicesAdapter
from adapters.social_services.port import SocialServicesPort
from adapters.social_services.schemas import (
    SupportDecision,
    SupportDecisionRequest,
    SupportDecisionResult,
)

__all__ = [
    "HttpSocialServicesAdapter",
    "SocialServicesPort",
    "SupportDecision",
    "SupportDecisionRequest",
    "SupportDecisionResult",
]
