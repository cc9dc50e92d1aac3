"""A person's answer to what a case waits for: ONE table from the kind of wait to the
answer's model and the use case that records it.

    ANSWERS[WaitKind.NEEDS_ASSESSMENT] -> Answering(model=NeedsAnswer, record=...)

The models are what an answer may say (pydantic, `extra="forbid"`): the case service
takes them as JSON bodies, the CLI validates its arguments with them, and the demo
(`utvag demo advance`) fills them with canned values. `record()` validates, records
through the kind's use case and returns what was recorded; the caller then wakes the
case (`flows.resume.wake_case`): nothing typed into Prefect is ever an answer.

Errors are `AnswerError` (bad or refused input; the message names the field, never the
value) and its subclass `AnswerDenied` (the person may not give this answer). Not in the
table: an agency's answer (collected, `services.agency.collect_open`) and social
services' assessment of a relapse flag (recorded by the register sweep's relapse
service, `utvag case assess`).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from models.action_plan import InterventionRefused
from models.enums import Agency, Criterion, Need, NetworkRole, WaitKind
from models.relocation import DisclosureDenied, RelocationRefused
from services import action_plan, decisions, grants, meeting, relocation, transfer
from services.belongings import confirm_delivered
from services.runtime import Runtime
from services.views import case_id_of

MUNICIPALITY = re.compile(r"\d{4}")
MAX_ADDRESS = 300


class AnswerError(ValueError):
    """An answer refused before anything was written; `field: problem`."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field, self.problem = field, problem

    @classmethod
    def of(cls, refusal: Exception) -> AnswerError:
        """A use case's refusal ("field: why", as the rules word them)."""
        field, sep, problem = str(refusal).partition(": ")
        return cls(field, problem) if sep else cls("answer", str(refusal))


class AnswerDenied(AnswerError):
    """The person answering may not give this answer (e.g. not the receiving municipality)."""


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CriterionAnswer(Answer):
    """Does this eligibility criterion hold? The note stays in Utväg's database."""

    criterion: Criterion
    holds: bool
    note: str = Field(default="", max_length=2000, repr=False)


class ConsentAnswer(Answer):
    """Consent to disclosure to an agency, given or withdrawn."""

    agency: Agency
    given: bool = True
    legal_basis: str = Field(default="samtycke", min_length=1, max_length=200)


class NeedsAnswer(Answer):
    """The needs assessment before the collaboration meeting."""

    needs: list[Need]
    network: list[NetworkRole] = Field(default_factory=list)


class PlanApproval(Answer):
    """Approve the action plan as it stands (interventions are added before)."""


class StatementAnswer(Answer):
    """The police defector coordinator's statement on the grant application."""

    supports: bool


class GrantCompletion(Answer):
    """The grant application has been completed as the police asked."""


def _municipality(value: str, field: str, where: str) -> str:
    value = value.strip()
    if not MUNICIPALITY.fullmatch(value):
        raise ValueError(f"{field}: a 4-digit municipality code{where}")
    return value


class RelocationAnswer(Answer):
    """Where the person moves. Destination and address are never shown (repr=False) and
    never leave Utväg's database unencrypted."""

    destination: str = Field(repr=False)
    address: str = Field(repr=False)
    lives_independently: bool
    needs_deep_support: bool
    fast_path: bool = False

    @field_validator("destination")
    @classmethod
    def _destination(cls, value: str) -> str:
        return _municipality(value, "destination", "")

    @field_validator("address")
    @classmethod
    def _address(cls, value: str) -> str:
        if not 1 <= len(value.strip()) <= MAX_ADDRESS:
            raise ValueError(f"address: 1-{MAX_ADDRESS} characters")
        return value.strip()


class RelocationApproval(Answer):
    """The usual approval of a fast-path relocation, afterwards."""


class BelongingsDelivered(Answer):
    """Social services (placing or receiving) confirm the belongings have arrived;
    `municipality` is their own (for the receiving one it is the destination)."""

    municipality: str = Field(repr=False)

    @field_validator("municipality")
    @classmethod
    def _own(cls, value: str) -> str:
        return _municipality(value, "municipality", " (your own)")


class TransferAnswer(Answer):
    """The receiving social services accept or decline the transfer of responsibility."""

    accept: bool
    cost_payer: Literal["placing", "receiving"]
    cost_from: date
    responsible_from: date | None = None  # the agreed date; the cost date unless given
    municipality: str = Field(repr=False)

    @field_validator("municipality")
    @classmethod
    def _own(cls, value: str) -> str:
        return _municipality(value, "municipality", " (your own)")


class EstablishmentAnswer(Answer):
    """Is the person established in the new town (more lasting housing, an occupation),
    and do they still need support from social services?"""

    stable_housing: bool
    occupation: bool
    support_needed: bool


class TransferOfferAnswer(Answer):
    """A coordinator offers the transfer of responsibility now (before establishment,
    or again after a decline), with the reason."""

    reason: str = Field(min_length=3, max_length=500)


A = TypeVar("A", bound=Answer)


@dataclass(frozen=True)
class Answering(Generic[A]):
    """How one kind of wait is answered: the answer's model and the use case that
    records it (returns what was recorded, in words without personal data)."""

    model: type[A]
    record: Callable[[Runtime, uuid.UUID, A, str], str]


def _criterion(rt: Runtime, case_id: uuid.UUID, a: CriterionAnswer, by: str) -> str:
    decisions.record_criterion(rt, case_id, criterion=a.criterion, holds=a.holds, by=by,
                               note=a.note)
    return f"{a.criterion.value} recorded ({'holds' if a.holds else 'does not hold'})"


def _consent(rt: Runtime, case_id: uuid.UUID, a: ConsentAnswer, by: str) -> str:
    decisions.record_consent(rt, case_id, agency=a.agency.value, given=a.given, by=by,
                             legal_basis=a.legal_basis)
    return f"consent {'given' if a.given else 'withdrawn'} for {a.agency.value}"


def _needs(rt: Runtime, case_id: uuid.UUID, a: NeedsAnswer, by: str) -> str:
    meeting.record_needs(rt, case_id, needs=a.needs, network=a.network, by=by)
    return f"needs recorded ({', '.join(n.value for n in a.needs) or 'none'})"


def _plan(rt: Runtime, case_id: uuid.UUID, a: PlanApproval, by: str) -> str:
    return f"action plan approved ({action_plan.approve_plan(rt, case_id, by=by)} kr)"


def _statement(rt: Runtime, case_id: uuid.UUID, a: StatementAnswer, by: str) -> str:
    grants.record_statement(rt, case_id, supports=a.supports, by=by)
    return "coordinator statement recorded"


def _completion(rt: Runtime, case_id: uuid.UUID, a: GrantCompletion, by: str) -> str:
    grants.complete_application(rt, case_id, by=by)
    return "grant application completed"


def _relocation(rt: Runtime, case_id: uuid.UUID, a: RelocationAnswer, by: str) -> str:
    form = relocation.decide_relocation(rt, case_id, relocation.RelocationIn(
        destination=a.destination, address=a.address,
        lives_independently=a.lives_independently, needs_deep_support=a.needs_deep_support,
        fast_path=a.fast_path), by=by)
    return f"relocation decided ({form}" + (", fast path: approve within 72 h"
                                            if a.fast_path else "") + ")"


def _approval(rt: Runtime, case_id: uuid.UUID, a: RelocationApproval, by: str) -> str:
    relocation.approve_relocation(rt, case_id, by=by)
    return "relocation approved"


def _belongings(rt: Runtime, case_id: uuid.UUID, a: BelongingsDelivered, by: str) -> str:
    confirm_delivered(rt, case_id, viewer_municipality=a.municipality, by=by)
    return "belongings delivered"


def _transfer(rt: Runtime, case_id: uuid.UUID, a: TransferAnswer, by: str) -> str:
    transfer.answer_transfer(rt, case_id, accept=a.accept, cost_payer=a.cost_payer,
                             cost_from=a.cost_from, viewer_municipality=a.municipality, by=by,
                             responsible_from=a.responsible_from)
    if not a.accept:
        return "transfer declined: the case stays and waits for a new offer"
    return f"transfer accepted: responsible from {a.responsible_from or a.cost_from}"


def _establishment(rt: Runtime, case_id: uuid.UUID, a: EstablishmentAnswer, by: str) -> str:
    offer = transfer.record_establishment(rt, case_id, stable_housing=a.stable_housing,
                                          occupation=a.occupation,
                                          support_needed=a.support_needed, by=by)
    return "establishment recorded" + (": the transfer will be offered" if offer else "")


def _offer(rt: Runtime, case_id: uuid.UUID, a: TransferOfferAnswer, by: str) -> str:
    made = transfer.decide_offer(rt, case_id, reason=a.reason, by=by)
    return "transfer of responsibility offered" if made else "a transfer offer is open already"


ANSWERS: Mapping[WaitKind, Answering[Any]] = {
    WaitKind.COORDINATOR_ANSWER: Answering(CriterionAnswer, _criterion),
    WaitKind.CONSENT: Answering(ConsentAnswer, _consent),
    WaitKind.NEEDS_ASSESSMENT: Answering(NeedsAnswer, _needs),
    WaitKind.ACTION_PLAN: Answering(PlanApproval, _plan),
    WaitKind.GRANT_STATEMENT: Answering(StatementAnswer, _statement),
    WaitKind.GRANT_COMPLETION: Answering(GrantCompletion, _completion),
    WaitKind.RELOCATION: Answering(RelocationAnswer, _relocation),
    WaitKind.RELOCATION_APPROVAL: Answering(RelocationApproval, _approval),
    WaitKind.BELONGINGS: Answering(BelongingsDelivered, _belongings),
    WaitKind.TRANSFER: Answering(TransferAnswer, _transfer),
    WaitKind.ESTABLISHMENT: Answering(EstablishmentAnswer, _establishment),
    WaitKind.TRANSFER_OFFER: Answering(TransferOfferAnswer, _offer),
}


def answering(kind: WaitKind) -> Answering[Any]:
    entry = ANSWERS.get(kind)
    if entry is None:
        raise AnswerError("kind", f"{kind.value} is not answered by a person here")
    return entry


def _problem(error: Mapping[str, Any]) -> str:
    """Pydantic's complaint in a person's words, never with the input itself."""
    ctx = error.get("ctx") or {}
    match error["type"]:
        case "enum" | "literal_error":
            expected = str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ")
            return f"one of {expected}"
        case "bool_parsing" | "bool_type":
            return "yes or no"
        case "missing":
            return "required"
        case "extra_forbidden":
            return "not part of this answer"
        case "date_parsing" | "date_from_datetime_parsing" | "date_type":
            return "a date YYYY-MM-DD"
        case "value_error":
            return str(ctx.get("error", "")).partition(": ")[2] or "not accepted"
    return str(error["msg"])


def parse(kind: WaitKind, data: Mapping[str, Any]) -> Answer:
    """The answer for a wait of `kind`, validated; `AnswerError` names the first bad
    field (`needs`, `destination`, ...)."""
    model: type[Answer] = answering(kind).model
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        first = exc.errors(include_input=False, include_url=False)[0]
        raise AnswerError(str(first["loc"][0]) if first["loc"] else "answer",
                          _problem(first)) from None


@dataclass(frozen=True)
class Recorded:
    case_id: uuid.UUID
    case_number: str
    kind: WaitKind
    summary: str  # what was recorded, without personal data


def record(rt: Runtime, case_ref: str | uuid.UUID, kind: WaitKind,
           answer: Answer | Mapping[str, Any], *, by: str) -> Recorded:
    """Record a person's answer to a wait of `kind` (validated first if given as data).
    Raises `AnswerError`/`AnswerDenied` (nothing written), `CaseNotFound`."""
    entry = answering(kind)
    parsed = answer if isinstance(answer, entry.model) else parse(
        kind, answer.model_dump() if isinstance(answer, Answer) else answer)
    case_id, number = case_id_of(rt, case_ref)
    try:
        summary = entry.record(rt, case_id, parsed, by)
    except DisclosureDenied as denied:
        raise AnswerDenied.of(denied) from None
    except (RelocationRefused, InterventionRefused, LookupError, ValueError) as refused:
        raise AnswerError.of(refused) from None
    return Recorded(case_id, number, kind, summary)

