"""Fakes of the agency ports: an idempotent request store per agency that records every
call and answers when the test says so (`answer`), or fails as told (`fail_next`)."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Generic, TypeVar

from adapters.common import SubmittedRequest
from adapters.errors import AgencyError, PermanentAgencyError, RetryableAgencyError
from adapters.invitations.schemas import InvitationRequest, InvitationResult
from adapters.police.schemas import ThreatAssessmentRequest, ThreatAssessmentResult
from adapters.police_grants.schemas import GrantApplication, GrantDecision
from adapters.registry import AgencyPorts
from adapters.social_services.schemas import (
    RelapseNotification,
    RelapseNotificationReceipt,
    SupportDecisionRequest,
    SupportDecisionResult,
)
from adapters.tax_agency.schemas import ProtectionDecision, ProtectionRequest

Body = TypeVar("Body")


@dataclass
class Call(Generic[Body]):
    key: str
    body: Body


@dataclass
class FakeAgency(Generic[Body]):
    """What every fake agency shares: calls, the idempotent store, faults."""

    agency: str
    calls: list[Call[Body]] = field(default_factory=list)
    by_key: dict[str, str] = field(default_factory=dict)
    bodies: dict[str, Body] = field(default_factory=dict)
    faults: deque[AgencyError] = field(default_factory=deque)

    def fail_next(self, times: int = 1, *, permanent: bool = False,
                  reason: str = "HTTP 503") -> None:
        error = PermanentAgencyError if permanent else RetryableAgencyError
        self.faults.extend(error(agency=self.agency, reason=reason) for _ in range(times))

    def _raise_fault(self) -> None:
        if self.faults:
            raise self.faults.popleft()

    def submit(self, key: str, body: Body) -> SubmittedRequest:
        self._raise_fault()
        self.calls.append(Call(key, body))
        if key in self.by_key:
            return SubmittedRequest(request_id=self.by_key[key], status="pending", created=False)
        request_id = f"{self.agency}-{len(self.by_key) + 1}"
        self.by_key[key], self.bodies[request_id] = request_id, body
        return SubmittedRequest(request_id=request_id, status="pending", created=True)

    def keys_sent(self) -> list[str]:
        return [call.key for call in self.calls]

    def case_numbers(self) -> list[str]:
        return [getattr(call.body, "case_number", "") for call in self.calls]

    def request_id_for(self, case_number: str) -> str:
        """The latest request received for the case (a later move or re-assessment
        asks again)."""
        for request_id, body in reversed(self.bodies.items()):
            if getattr(body, "case_number", None) == case_number:
                return request_id
        raise KeyError(f"{self.agency}: nothing received for {case_number}")


@dataclass
class FakePolice(FakeAgency[ThreatAssessmentRequest]):
    agency: str = "police"
    results: dict[str, ThreatAssessmentResult] = field(default_factory=dict)
    answer_at_once: bool = False

    def answer(self, case_number: str, *, level: str = "high",
               exclusion_zones: Sequence[str] | None = None,
               relocation_required: bool | None = None,
               valid_until: date = date(2027, 12, 31)) -> None:
        request_id = self.request_id_for(case_number)
        body = self.bodies[request_id]
        zones = list(exclusion_zones if exclusion_zones is not None
                     else [body.placing_municipality])
        required = relocation_required if relocation_required is not None \
            else level in ("high", "critical")
        self.results[request_id] = ThreatAssessmentResult(
            request_id=request_id, status="completed", level=level,  # type: ignore[arg-type]
            exclusion_zones=zones, relocation_required=required, valid_until=valid_until)

    def request_threat_assessment(self, *, idempotency_key: str,
                                  request: ThreatAssessmentRequest) -> SubmittedRequest:
        receipt = self.submit(idempotency_key, request)
        if self.answer_at_once and receipt.created:
            self.answer(request.case_number)
        return receipt

    def get_threat_assessment(self, *, request_id: str) -> ThreatAssessmentResult:
        self._raise_fault()
        return self.results.get(request_id) or ThreatAssessmentResult(request_id=request_id,
                                                                      status="pending")


@dataclass
class FakeSocialServices(FakeAgency[SupportDecisionRequest]):
    agency: str = "social_services"
    results: dict[str, SupportDecisionResult] = field(default_factory=dict)
    answer_at_once: bool = False
    notified: list[RelapseNotification] = field(default_factory=list)

    def answer(self, case_number: str, *, decision: str = "granted",
               interventions: Sequence[str] = ("conversation_support",)) -> None:
        request_id = self.request_id_for(case_number)
        self.results[request_id] = SupportDecisionResult(
            request_id=request_id, status="decided", decision=decision,  # type: ignore[arg-type]
            interventions=list(interventions), decided_at=datetime(2026, 11, 2, tzinfo=UTC))

    def request_support_decision(self, *, idempotency_key: str,
                                 request: SupportDecisionRequest) -> SubmittedRequest:
        receipt = self.submit(idempotency_key, request)
        if self.answer_at_once and receipt.created:
            self.answer(request.case_number)
        return receipt

    def get_support_decision(self, *, request_id: str) -> SupportDecisionResult:
        self._raise_fault()
        return self.results.get(request_id) or SupportDecisionResult(request_id=request_id,
                                                                     status="pending")

    def notify_relapses(self, *, notifications: Sequence[RelapseNotification]
                        ) -> list[RelapseNotificationReceipt]:
        self._raise_fault()
        receipts = []
        for n in notifications:
            seen = any(old.idempotency_key == n.idempotency_key for old in self.notified)
            if not seen:
                self.notified.append(n)
            receipts.append(RelapseNotificationReceipt(
                idempotency_key=n.idempotency_key, notification_id=f"n-{n.flag_id}",
                created=not seen))
        return receipts


@dataclass
class FakeInvited(FakeAgency[InvitationRequest]):
    """One invited agency (Kriminalvården, Arbetsförmedlingen, health care, SiS)."""

    agency: str = "kriminalvarden"
    signed: dict[str, InvitationResult] = field(default_factory=dict)
    sign_off_at_once: bool = True

    def sign_off(self, case_number: str, *, purpose: str = "collaboration_meeting") -> None:
        for request_id, body in self.bodies.items():
            if body.case_number == case_number and body.purpose == purpose:
                self.signed[request_id] = InvitationResult(
                    request_id=request_id, status="signed_off",
                    signed_off_by=f"{self.agency}-officer",
                    signed_off_at=datetime(2026, 11, 3, tzinfo=UTC))

    def invite(self, *, idempotency_key: str, request: InvitationRequest) -> SubmittedRequest:
        receipt = self.submit(idempotency_key, request)
        if self.sign_off_at_once:
            self.sign_off(request.case_number, purpose=request.purpose)
        return receipt

    def get_invitation(self, *, request_id: str) -> InvitationResult:
        self._raise_fault()
        return self.signed.get(request_id) or InvitationResult(request_id=request_id,
                                                               status="pending")


@dataclass
class FakePoliceGrants(FakeAgency[GrantApplication]):
    agency: str = "police"
    decisions: dict[str, GrantDecision] = field(default_factory=dict)
    completions: list[Call[GrantApplication]] = field(default_factory=list)
    # What an application gets at once (None: pending until `decide`).
    decide_with: Callable[[GrantApplication], GrantDecision | None] | None = None

    def decide(self, case_number: str, **decision: Any) -> None:
        request_id = self.request_id_for(case_number)
        self.decisions[request_id] = GrantDecision(request_id=request_id, **decision)

    def apply(self, *, idempotency_key: str, application: GrantApplication) -> SubmittedRequest:
        receipt = self.submit(idempotency_key, application)
        if self.decide_with is not None and receipt.request_id not in self.decisions:
            decided = self.decide_with(application)
            if decided is not None:
                self.decisions[receipt.request_id] = decided.model_copy(
                    update={"request_id": receipt.request_id})
        return receipt

    def complete(self, *, idempotency_key: str, request_id: str,
                 application: GrantApplication) -> GrantDecision:
        self._raise_fault()
        self.completions.append(Call(idempotency_key, application))
        decided = GrantDecision(request_id=request_id, status="granted",
                                amount_sek=application.amount_sek)
        self.decisions[request_id] = decided
        return decided

    def get_decision(self, *, request_id: str) -> GrantDecision:
        self._raise_fault()
        return self.decisions.get(request_id) or GrantDecision(request_id=request_id,
                                                               status="pending")


def granted(application: GrantApplication) -> GrantDecision:
    """A police grants office that grants what is applied for, at once."""
    return GrantDecision(request_id="", status="granted", amount_sek=application.amount_sek)


@dataclass
class FakeTaxAgency(FakeAgency[ProtectionRequest]):
    agency: str = "tax_agency"
    decisions: dict[str, ProtectionDecision] = field(default_factory=dict)
    decide_at_once: bool = True

    def decide(self, case_number: str, *, status: str = "granted",
               rejection_reason: str | None = None) -> None:
        request_id = self.request_id_for(case_number)
        body = self.bodies[request_id]
        self.decisions[request_id] = ProtectionDecision(
            request_id=request_id, status=status,  # type: ignore[arg-type]
            measure=body.measure if status == "granted" else None,
            rejection_reason=rejection_reason,  # type: ignore[arg-type]
            decided_at=datetime(2026, 11, 4, tzinfo=UTC))

    def request_protection(self, *, idempotency_key: str,
                           request: ProtectionRequest) -> SubmittedRequest:
        receipt = self.submit(idempotency_key, request)
        if self.decide_at_once and receipt.created:
            self.decide(request.case_number)
        return receipt

    def get_decision(self, *, request_id: str) -> ProtectionDecision:
        self._raise_fault()
        return self.decisions.get(request_id) or ProtectionDecision(request_id=request_id,
                                                                    status="pending")


INVITED = ("kriminalvarden", "arbetsformedlingen", "health_care", "sis")


class FakeAgencies(AgencyPorts):
    """Every agency port as a recording fake, typed as the fakes they are."""

    police: FakePolice
    social_services: FakeSocialServices
    police_grants: FakePoliceGrants
    tax_agency: FakeTaxAgency
    invitations: dict[str, FakeInvited]  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__(police=FakePolice(), social_services=FakeSocialServices(),
                         police_grants=FakePoliceGrants(), tax_agency=FakeTaxAgency(),
                         invitations={a: FakeInvited(agency=a) for a in INVITED})

    def invited(self, agency: str) -> FakeInvited:
        return self.invitations[agency]

    def every_call(self) -> list[tuple[str, Call[Any]]]:
        fakes: list[FakeAgency[Any]] = [self.police, self.social_services, self.police_grants,
                                        self.tax_agency, *self.invitations.values()]
        return [(fake.agency, call) for fake in fakes for call in fake.calls]
