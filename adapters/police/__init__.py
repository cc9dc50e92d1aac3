"""Police adapter: threat assessments ("hotbildsbedömning") over HTTP."""

from adapters.police.client import HttpPoliceAdapter
from adapters.police.port import PolicePort
from adapters.police.schemas import ThreatAssessmentRequest, ThreatAssessmentResult, ThreatLevel

__all__ = [
    "HttpPoliceAdapter",
    "PolicePort",
    "ThreatAssessmentRequest",
    "ThreatAssessmentResult",
    "ThreatLevel",
]
