"""What a case waits for, as values: the kind of wait and its subject.

A wait's subject is stored as text (`case_wait.subject`); this module is the one place
that writes and reads that text. An agency's answer is waited for by `AgencySubject`
(agency, request kind); a person's decision by the criterion, the agency whose consent
is missing, or the one subject its kind has.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.enums import Criterion, WaitKind


@dataclass(frozen=True, order=True)
class AgencySubject:
    """One request to one agency: the police's threat assessment, Kriminalvården's
    meeting invitation, a hand-over for a purpose. Also the request's idempotency
    scope: one request per case and subject, ever."""

    agency: str
    kind: str

    def __str__(self) -> str:
        return f"{self.agency}:{self.kind}"

    @classmethod
    def parse(cls, text: str) -> AgencySubject:
        agency, sep, kind = text.partition(":")
        if not sep or not agency or not kind:
            raise ValueError(f"agency subject: expected 'agency:kind', got {text[:60]!r}")
        return cls(agency, kind)


# Waits of which a case has at most one at a time: their subject is fixed.
SINGLE_SUBJECT: dict[WaitKind, str] = {
    WaitKind.NEEDS_ASSESSMENT: "needs",
    WaitKind.ACTION_PLAN: "action_plan",
    WaitKind.GRANT_STATEMENT: "coordinator_statement",
    WaitKind.GRANT_COMPLETION: "grant_completion",
    WaitKind.RELOCATION: "relocation",
    WaitKind.RELOCATION_APPROVAL: "fast_path_approval",
    WaitKind.TRANSFER: "transfer_of_responsibility",
    WaitKind.BELONGINGS: "belongings_move",
    WaitKind.ESTABLISHMENT: "establishment",
    WaitKind.TRANSFER_OFFER: "new_transfer_offer",
    WaitKind.CLOSURE_CONFIRMATION: "closure",
    WaitKind.GUARDIAN_CONSENT: "guardians",
}


@dataclass(frozen=True, order=True)
class Wait:
    kind: WaitKind
    subject: str

    @classmethod
    def of(cls, kind: WaitKind) -> Wait:
        """A wait of a kind with one subject (needs assessment, action plan, ...)."""
        return cls(kind, SINGLE_SUBJECT[kind])

    @classmethod
    def criterion(cls, criterion: Criterion) -> Wait:
        return cls(WaitKind.COORDINATOR_ANSWER, criterion.value)

    @classmethod
    def consent(cls, agency: str) -> Wait:
        return cls(WaitKind.CONSENT, agency)

    @classmethod
    def answer(cls, subject: AgencySubject) -> Wait:
        return cls(WaitKind.AGENCY_ANSWER, str(subject))

    @classmethod
    def relapse_assessment(cls, flag_id: int) -> Wait:
        return cls(WaitKind.RELAPSE_ASSESSMENT, f"relapse-flag:{flag_id}")

    @property
    def agency_subject(self) -> AgencySubject | None:
        return AgencySubject.parse(self.subject) if self.kind == WaitKind.AGENCY_ANSWER \
            else None

    @property
    def agency(self) -> str | None:
        """The agency this wait is about (its answer or its consent), if any."""
        if self.kind == WaitKind.CONSENT:
            return self.subject
        subject = self.agency_subject
        return subject.agency if subject else None
