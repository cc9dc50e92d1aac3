"""The one table from wait kind to answer (`services.answers`): every kind a person
answers has a model and a use case; bad answers name the field, never the value, and
write nothing; an answer the person may not give is denied and journaled nowhere."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from adapters.repositories import journal
from models.during_tables import NeedsAssessment, Relocation, TransferOffer
from models.enums import WaitKind
from models.journal import Kind
from services import answers, hand_over
from services.answers import ANSWERS, AnswerDenied, AnswerError, RelocationAnswer
from services.runtime import Runtime
from services.views import waiting
from tests.factories import open_case, threat_assessed
from tests.fakes.agencies import FakeAgencies

ADDRESS = "Hemligvägen 17"


def test_every_kind_of_wait_a_person_answers_is_in_the_table() -> None:
    # Agencies' answers are collected; a relapse flag is assessed through the sweep's
    # relapse service (`utvag case assess`); a closure's confirmation, a provider concern
    # and the guardians' consent have their own use cases and endpoints
    # (docs/plan-and-people.md).
    assert set(ANSWERS) == set(WaitKind) - {WaitKind.AGENCY_ANSWER,
                                            WaitKind.RELAPSE_ASSESSMENT,
                                            WaitKind.CLOSURE_CONFIRMATION,
                                            WaitKind.PROVIDER_FOLLOW_UP,
                                            WaitKind.GUARDIAN_CONSENT}


@pytest.mark.parametrize(("kind", "data", "message"), [
    (WaitKind.COORDINATOR_ANSWER, {"criterion": "is_nice", "holds": True},
     "criterion: one of meets_definition, motivated"),
    (WaitKind.COORDINATOR_ANSWER, {"criterion": "motivated"}, "holds: required"),
    (WaitKind.CONSENT, {"agency": "police", "given": "perhaps"}, "given: yes or no"),
    (WaitKind.NEEDS_ASSESSMENT, {"needs": ["housing"], "by": "x"},
     "by: not part of this answer"),
    (WaitKind.RELOCATION, {"destination": "Kiruna", "address": ADDRESS,
                           "lives_independently": True, "needs_deep_support": False},
     "destination: a 4-digit municipality code"),
    (WaitKind.RELOCATION, {"destination": "2584", "address": " ",
                           "lives_independently": True, "needs_deep_support": False},
     "address: 1-300 characters"),
    (WaitKind.TRANSFER, {"accept": True, "cost_payer": "state", "cost_from": "2027-01-01",
                         "municipality": "2584"}, "cost_payer: one of placing, receiving"),
    (WaitKind.TRANSFER, {"accept": True, "cost_payer": "placing", "cost_from": "soon",
                         "municipality": "2584"}, "cost_from: a date YYYY-MM-DD"),
    (WaitKind.AGENCY_ANSWER, {}, "kind: agency_answer is not answered by a person here"),
])
def test_a_bad_answer_names_the_field_and_never_the_value(
        kind: WaitKind, data: dict[str, object], message: str) -> None:
    with pytest.raises(AnswerError) as refused:
        answers.parse(kind, data)
    assert str(refused.value) == message or str(refused.value).startswith(message)
    for value in ("Kiruna", "Hemlig", "perhaps", "soon", "state"):
        assert value not in str(refused.value)


def test_the_destination_and_address_are_never_in_an_answers_repr() -> None:
    answer = RelocationAnswer(destination="2584", address=ADDRESS, lives_independently=True,
                              needs_deep_support=False)
    assert "2584" not in repr(answer) and "Hemlig" not in repr(answer)


def test_a_recorded_answer_answers_the_wait_and_says_what_was_recorded(rt: Runtime) -> None:
    opened = open_case(rt)
    recorded = answers.record(rt, opened.case_number, WaitKind.NEEDS_ASSESSMENT,
                              {"needs": ["housing", "debts"], "network": ["mentor"]}, by="anna")
    assert (recorded.case_id, recorded.case_number) == (opened.case_id, opened.case_number)
    assert recorded.summary == "needs recorded (housing, debts)"
    with rt.uow() as session:
        row = session.exec(select(NeedsAssessment)).one()
        kinds = [e.kind for e in journal.entries(session, opened.case_id)]
    assert (row.needs, row.network, row.recorded_by) == (["debts", "housing"], ["mentor"], "anna")
    assert kinds[-1] == "needs_assessed"


def test_a_refused_answer_writes_nothing(rt: Runtime, agencies: FakeAgencies) -> None:
    opened = threat_assessed(rt, agencies)
    with pytest.raises(AnswerError, match="^destination: inside an exclusion zone"):
        answers.record(rt, opened.case_id, WaitKind.RELOCATION,
                       {"destination": "0180", "address": ADDRESS,
                        "lives_independently": True, "needs_deep_support": False}, by="eva")
    with pytest.raises(AnswerError, match="^action_plan: add at least one intervention"):
        answers.record(rt, opened.case_id, WaitKind.ACTION_PLAN, {}, by="eva")
    with rt.uow() as session:
        assert session.exec(select(Relocation)).all() == []
        assert not journal.has_entry(session, opened.case_id, Kind.PLAN_APPROVED)


def test_only_the_receiving_municipality_answers_the_transfer(
        rt: Runtime, agencies: FakeAgencies) -> None:
    opened = threat_assessed(rt, agencies)
    answers.record(rt, opened.case_id, WaitKind.RELOCATION,
                   {"destination": "2584", "address": ADDRESS, "lives_independently": True,
                    "needs_deep_support": False}, by="eva")
    hand_over.offer_transfer(rt, opened.case_id)
    transfer = {"accept": True, "cost_payer": "receiving", "cost_from": date(2027, 4, 1)}
    for wrong in ("1480", "0180"):  # another municipality; the placing one
        with pytest.raises(AnswerDenied):
            answers.record(rt, opened.case_id, WaitKind.TRANSFER,
                           {**transfer, "municipality": wrong}, by="someone")
    with rt.uow() as session:
        assert session.exec(select(TransferOffer.answered_at)).one() is None
    recorded = answers.record(rt, opened.case_id, WaitKind.TRANSFER,
                              {**transfer, "municipality": "2584"}, by="ss-kiruna")
    assert recorded.summary == "transfer accepted: responsible from 2027-04-01"
    assert all(w.kind != WaitKind.TRANSFER for w in waiting(rt, opened.case_id).waits)
