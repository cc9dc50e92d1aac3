"""Journal kinds, and rebuilding a case's state from its journal.

Every entry carries the phase and status the case had *after* the event, and the
closing entry its outcome, so folding the entries in order gives the case back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol


class Kind(StrEnum):
    OPENED = "opened"
    DECISION = "decision"
    CONSENT = "consent"
    AGENCY_REQUEST = "agency_request"
    AGENCY_ANSWER = "agency_answer"
    DISCLOSURE = "disclosure"
    DISCLOSURE_REFUSED = "disclosure_refused"
    WAIT_OPENED = "wait_opened"
    WAIT_ANSWERED = "wait_answered"
    WAIT_OVERDUE = "wait_overdue"
    BLOCKED = "blocked"
    UNBLOCKED = "unblocked"
    ADMITTED = "admitted"
    CLOSED = "closed"
    NOTE = "note"
    READ = "read"  # the case's personal data shown to someone (not an entry that keeps it)
    RELAPSE_FLAGGED = "relapse_flagged"
    RELAPSE_NOTIFIED = "relapse_notified"
    RELAPSE_ASSESSED = "relapse_assessed"
    NEEDS_ASSESSED = "needs_assessed"
    ROUTED = "routed"
    MEETING_DECIDED = "meeting_decided"
    INTERVENTION_ADDED = "intervention_added"
    INTERVENTION_REFUSED = "intervention_refused"
    PLAN_APPROVED = "plan_approved"
    GRANT_STATEMENT = "grant_statement"
    GRANT_COMPLETION_REQUESTED = "grant_completion_requested"
    GRANT_DECIDED = "grant_decided"
    RELOCATION_DECIDED = "relocation_decided"
    RELOCATION_APPROVED = "relocation_approved"
    DESTINATION_READ = "destination_read"
    DESTINATION_DENIED = "destination_denied"
    PROTECTION_DECIDED = "protection_decided"
    BELONGINGS_ORDERED = "belongings_ordered"
    BELONGINGS_DELIVERED = "belongings_delivered"
    REOPENED = "reopened"
    TRANSFER_OFFERED = "transfer_offered"
    TRANSFER_ANSWERED = "transfer_answered"
    ESTABLISHED = "established"
    INDICATORS = "indicators"
    WAIT_CANCELLED = "wait_cancelled"
    PLAN_REVISION = "plan_revision"  # older entries only: a reopening now writes PLAN_REVISED
    ESTABLISHMENT = "establishment"  # housing and occupation in the new town recorded
    RESPONSIBILITY = "responsibility"  # who is responsible (residence, stay, costs)
    THREAT_REASSESSED = "threat_reassessed"
    # Plan and people (docs/plan-and-people.md).
    PLAN_REVISED = "plan_revised"
    CLOSURE_PROPOSED = "closure_proposed"
    CLOSURE_DECLINED = "closure_declined"
    RELAPSE_REPORTED = "relapse_reported"
    MEETING_RECORDED = "meeting_recorded"
    GUARDIAN_RECORDED = "guardian_recorded"
    PROVIDER_CONCERN = "provider_concern"
    CORRECTED = "corrected"  # name or identity number corrected (GDPR art. 16)
    SUBJECT_ACCESS = "subject_access"  # a subject-access export was made (art. 15)
    CULLED = "culled"  # the person's data key destroyed (gallring)
    LEGAL_HOLD_SET = "legal_hold_set"  # kept from culling (services.legal_hold)
    LEGAL_HOLD_LIFTED = "legal_hold_lifted"


class EntryLike(Protocol):
    kind: str
    phase: str
    status: str
    reason: str
    data: dict[str, Any]


@dataclass(frozen=True)
class CaseState:
    phase: str
    status: str
    outcome: str | None
    blocked_reason: str | None


def replay(entries: Iterable[EntryLike]) -> CaseState:
    state: CaseState | None = None
    for entry in entries:
        outcome = state.outcome if state else None
        blocked = state.blocked_reason if state else None
        if entry.kind == Kind.CLOSED:
            outcome = entry.data.get("outcome")
        if entry.kind in (Kind.OPENED, Kind.REOPENED):
            outcome = None
        blocked = entry.reason if entry.status == "blocked" else None
        state = CaseState(entry.phase, entry.status, outcome, blocked)
    if state is None:
        raise ValueError("journal: a case has at least its opening entry")
    return state
