"""Hand-over after the move: Frivården and Arbetsförmedlingen requests (through the
agency's invitation API with a `purpose`). The transfer of responsibility that follows
is `services.transfer` (re-exported here for its earlier callers)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlmodel import Session

from adapters.common import SubmittedRequest
from adapters.invitations.schemas import InvitationRequest, InvitationResult
from adapters.registry import AgencyPorts
from models.progress import hand_over, relocation_number
from models.tables import Case
from models.waits import AgencySubject
from services.agency import Personal, Recorded
from services.before_steps import wire_subject
from services.transfer import TransferError, answer_transfer, offer_transfer

SYSTEM = "utvag"
__all__ = ["PURPOSES", "HandOverStep", "TransferError", "answer_transfer", "hand_over_step",
           "offer_transfer"]
Purpose = Literal["release_measures", "lay_supervisor", "office_hand_over"]
PURPOSES: tuple[Purpose, ...] = ("release_measures", "lay_supervisor", "office_hand_over")


@dataclass(frozen=True)
class HandOverStep:
    agency: str
    purpose: Purpose
    relocation: int = 1  # the move handed over (a later move is handed over anew)

    @property
    def subject(self) -> AgencySubject:
        return hand_over(self.agency, self.purpose, self.relocation)

    def body(self, session: Session, case: Case, person: Personal, *, key: str,
             at: datetime) -> InvitationRequest:
        return InvitationRequest(case_number=case.case_number, subject=wire_subject(person),
                                 placing_municipality=case.placing_municipality, units=[],
                                 routing_version=case.routing_version or "",
                                 purpose=self.purpose)

    def submit(self, ports: AgencyPorts, *, key: str, body: InvitationRequest) -> SubmittedRequest:
        return ports.invitation(self.agency).invite(idempotency_key=key, request=body)

    def poll(self, ports: AgencyPorts, *, external_id: str) -> InvitationResult | None:
        result = ports.invitation(self.agency).get_invitation(request_id=external_id)
        return result if result.status == "signed_off" else None

    def record(self, session: Session, case: Case, answer: InvitationResult, *,
               at: datetime) -> Recorded:
        return Recorded(f"{self.agency} accepted the hand-over ({self.purpose})", {})


def hand_over_step(subject: AgencySubject) -> HandOverStep | None:
    for purpose in PURPOSES:
        move = relocation_number(subject, hand_over(subject.agency, purpose))
        if move is not None:
            return HandOverStep(subject.agency, purpose, move)
    return None
