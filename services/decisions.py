"""A person's decisions on a case: eligibility criteria and consent to disclosure.
Each is journaled and answers the wait it closes, in one transaction."""

from __future__ import annotations

import uuid

from adapters.repositories import answers, cases, journal, waits
from models.enums import ConsentState, Criterion
from models.journal import Kind
from models.tables import Case, Consent
from models.waits import Wait
from services import person_keys
from services.runtime import Runtime


def record_criterion(rt: Runtime, case_ref: str | uuid.UUID, *, criterion: Criterion,
                     holds: bool, by: str, note: str = "") -> Case:
    """A coordinator's answer to one eligibility criterion."""
    at = rt.now()
    with rt.uow() as session:
        case = cases.lock_case_ref(session, case_ref)
        seal = person_keys.sealer(session, rt.cipher, case.person_id, at=at)
        answers.upsert(session, case_id=case.id, criterion=criterion.value, holds=holds,
                       note_enc=seal(note) if note else None, recorded_by=by, at=at)
        journal.journal(session, case, kind=Kind.DECISION, actor=by, at=at,
                        reason=f"{criterion.value}: {'holds' if holds else 'does not hold'}",
                        data={"criterion": criterion.value, "holds": holds})
        waits.close_wait(session, case, Wait.criterion(criterion), by=by, at=at,
                         answer={"holds": holds})
    return case


def record_consent(rt: Runtime, case_ref: str | uuid.UUID, *, agency: str, given: bool,
                   by: str, legal_basis: str) -> Case:
    """Consent given or withdrawn for one receiving agency; journaled. The latest record
    decides every later disclosure to that agency."""
    at = rt.now()
    state = ConsentState.GIVEN if given else ConsentState.WITHDRAWN
    with rt.uow() as session:
        case = cases.lock_case_ref(session, case_ref)
        seal = person_keys.sealer(session, rt.cipher, case.person_id, at=at)
        session.add(Consent(case_id=case.id, agency=agency, state=state, at=at,
                            recorded_by=by, legal_basis_enc=seal(legal_basis)))
        journal.journal(session, case, kind=Kind.CONSENT, actor=by, at=at,
                        reason=f"consent {state.value} for {agency}",
                        data={"agency": agency, "state": state.value,
                              "legal_basis_enc": seal(legal_basis).decode()})
        if given:
            waits.close_wait(session, case, Wait.consent(agency), by=by, at=at,
                             answer={"given": True})
    return case
