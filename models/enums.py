"""The closed vocabularies of a case. Stored as text with CHECK constraints."""

from __future__ import annotations

from enum import StrEnum


class ProtectionLevel(StrEnum):
    NONE = "none"
    SEKRETESSMARKERING = "sekretessmarkering"
    SKYDDAD_FOLKBOKFORING = "skyddad_folkbokforing"


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"


class Milieu(StrEnum):
    GANG = "gang"
    VIOLENT_EXTREMISM = "violent_extremism"
    HONOUR = "honour"
    OTHER = "other"


class CustodyStatus(StrEnum):
    IN_PRISON = "in_prison"
    ON_PROBATION = "on_probation"
    NONE = "none"


class Agency(StrEnum):
    POLICE = "police"
    SOCIAL_SERVICES = "social_services"
    KRIMINALVARDEN = "kriminalvarden"
    ARBETSFORMEDLINGEN = "arbetsformedlingen"
    SIS = "sis"
    HEALTH_CARE = "health_care"
    TAX_AGENCY = "tax_agency"
    OTHER = "other"


class Phase(StrEnum):
    BEFORE = "before"
    DURING = "during"
    AFTER = "after"


class CaseStatus(StrEnum):
    OPEN = "open"
    WAITING = "waiting"
    BLOCKED = "blocked"
    ADMITTED = "admitted"
    CLOSED = "closed"


class Outcome(StrEnum):
    REFERRED_TO_WITNESS_PROTECTION = "referred_to_witness_protection"
    NOT_ELIGIBLE = "not_eligible"
    SUPPORT_REFUSED = "support_refused"
    # Closure after admission (follow-up model)
    COMPLETED = "completed"
    DROPPED_OUT = "dropped_out"
    RELAPSED = "relapsed"
    MOVED_ABROAD = "moved_abroad"
    DECEASED = "deceased"
    OTHER = "other"


class Criterion(StrEnum):
    """The six criteria of the police defector programme (DOMAIN.md), each phrased so
    that True means 'holds' — including `not_witness`."""

    MEETS_DEFINITION = "meets_definition"
    MOTIVATED = "motivated"
    CONSENTS_TO_EXCHANGE = "consents_to_exchange"
    SIGNED_CONDITIONS = "signed_conditions"
    NOT_WITNESS = "not_witness"
    SOCIAL_SERVICES_DECIDED = "social_services_decided"


class ConsentState(StrEnum):
    GIVEN = "given"
    WITHDRAWN = "withdrawn"


class ThreatLevel(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class RequestStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    ANSWERED = "answered"
    FAILED = "failed"


class WaitKind(StrEnum):
    COORDINATOR_ANSWER = "coordinator_answer"
    AGENCY_ANSWER = "agency_answer"
    CONSENT = "consent"
    RELAPSE_ASSESSMENT = "relapse_assessment"
    NEEDS_ASSESSMENT = "needs_assessment"
    ACTION_PLAN = "action_plan"
    GRANT_STATEMENT = "grant_statement"
    GRANT_COMPLETION = "grant_completion"
    RELOCATION = "relocation"  # decided on the command line only: an address never enters Prefect
    RELOCATION_APPROVAL = "relocation_approval"
    TRANSFER = "transfer"  # the receiving social services answer on the command line
    BELONGINGS = "belongings"  # social services confirm the move of belongings (command line)
    ESTABLISHMENT = "establishment"  # social services: housing and occupation in the new town
    TRANSFER_OFFER = "transfer_offer"  # a coordinator offers the transfer (again, after a decline)
    # Plan and people (docs/plan-and-people.md).
    CLOSURE_CONFIRMATION = "closure_confirmation"  # a second person confirms a closure
    PROVIDER_FOLLOW_UP = "provider_follow_up"  # a running provider's follow-up lapsed/failed
    GUARDIAN_CONSENT = "guardian_consent"  # a child: every recorded guardian consents


class GuardianRole(StrEnum):
    """A child's guardian (vårdnadshavare), by role: the name is encrypted apart."""

    MOTHER = "mother"
    FATHER = "father"
    OTHER_GUARDIAN = "other_guardian"
    APPOINTED_GUARDIAN = "appointed_guardian"  # särskilt förordnad vårdnadshavare


def values(enum: type[StrEnum]) -> list[str]:
    return [member.value for member in enum]


class Need(StrEnum):
    """Needs recorded in the needs assessment before the collaboration meeting."""

    FINANCIAL_SUPPORT = "financial_support"
    HOUSING = "housing"
    SUBSTANCE_ABUSE = "substance_abuse"
    DEBTS = "debts"
    MENTAL_HEALTH = "mental_health"
    DAILY_ROUTINES = "daily_routines"
    OCCUPATION = "occupation"


class NetworkRole(StrEnum):
    """A resource in the person's own network, by role only (never a name in Utväg)."""

    FAMILY = "family"
    MENTOR = "mentor"
    PARTNER = "partner"
    FRIEND = "friend"
    OTHER = "other"
