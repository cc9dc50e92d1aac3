"""One pass of the before phase: screening, agency requests, answers, admission.

`advance` is re-entrant: it reads the case from the database and does the next
thing that can be done, so running it again after a crash, a retry or a resume
never does a step twice (the tasks are idempotent by key) and never skips one.
It returns what the case now waits for, if anything.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Literal

from prefect.futures import PrefectFuture

from adapters.errors import AgencyError
from adapters.registry import AgencyClients
from models.enums import Criterion, Outcome, WaitKind
from models.rules import COORDINATOR_CRITERIA, Verdict, screen
from tasks.agency import SendOutcome, with_retry_settings
from tasks.cases import CaseSnapshot, admit_case, block_case, close_case, load_case, unblock_case
from tasks.police import collect_threat_assessment, request_threat_assessment
from tasks.social_services import collect_support_decision, request_support_decision
from tasks.waits import open_wait

StepKind = Literal["admitted", "closed", "waiting", "blocked", "done"]


@dataclass(frozen=True)
class Step:
    kind: StepKind
    case_number: str
    reason: str = ""


def advance(case_id: uuid.UUID, clients: AgencyClients) -> Step:
    case = load_case(case_id)
    if case.finished_before_phase:
        return Step("done", case.case_number, f"{case.phase}/{case.status}")
    if case.status == "blocked":
        unblock_case(case_id)
    closed = _screen(case)
    if closed is not None:
        return closed
    return _agencies(case, clients)


def _screen(case: CaseSnapshot) -> Step | None:
    result = screen(case.answers, criteria=COORDINATOR_CRITERIA)
    if result.verdict == Verdict.WITNESS:
        close_case(case.case_id, outcome=Outcome.REFERRED_TO_WITNESS_PROTECTION,
                   reason="witness/evidence person: referred to witness protection, not admitted")
        return Step("closed", case.case_number, Outcome.REFERRED_TO_WITNESS_PROTECTION)
    if result.verdict == Verdict.NOT_ELIGIBLE:
        failed = ", ".join(c.value for c in result.failed)
        close_case(case.case_id, outcome=Outcome.NOT_ELIGIBLE,
                   reason=f"not eligible: {failed} does not hold")
        return Step("closed", case.case_number, Outcome.NOT_ELIGIBLE)
    if result.verdict == Verdict.UNKNOWN:
        for criterion in result.missing:
            open_wait(case.case_id, kind=WaitKind.COORDINATOR_ANSWER, subject=criterion.value)
        return Step("waiting", case.case_number, "coordinator answer")
    return None


def _agencies(case: CaseSnapshot, clients: AgencyClients) -> Step:
    requests: list[PrefectFuture[SendOutcome]] = [
        with_retry_settings(request_threat_assessment).submit(case.case_id, clients.police),
        with_retry_settings(request_support_decision).submit(case.case_id,
                                                             clients.social_services),
    ]
    try:
        outcomes = [future.result() for future in requests]
        assessed = with_retry_settings(collect_threat_assessment)(case.case_id, clients.police)
        decision = with_retry_settings(collect_support_decision)(case.case_id,
                                                                 clients.social_services)
    except AgencyError as exc:
        reason = f"{exc.agency}: {exc.reason}"
        block_case(case.case_id, reason=reason)
        return Step("blocked", case.case_number, reason)
    if "needs_consent" in outcomes:
        return Step("waiting", case.case_number, "consent")
    if decision == "refused":
        close_case(case.case_id, outcome=Outcome.SUPPORT_REFUSED,
                   reason="social services decided not to grant support interventions")
        return Step("closed", case.case_number, Outcome.SUPPORT_REFUSED)
    pending = [("police", "threat_assessment")] if not assessed else []
    pending += [("social_services", "support_decision")] if decision is None else []
    for agency, kind in pending:
        open_wait(case.case_id, kind=WaitKind.AGENCY_ANSWER, subject=f"{agency}:{kind}")
    if pending:
        return Step("waiting", case.case_number, "agency answer")
    answers = load_case(case.case_id).answers
    if screen(answers).verdict != Verdict.ELIGIBLE or not answers.get(
        Criterion.SOCIAL_SERVICES_DECIDED
    ):
        return Step("waiting", case.case_number, "eligibility")
    admit_case(case.case_id)
    return Step("admitted", case.case_number)
