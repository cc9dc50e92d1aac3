"""A Resume in the Prefect UI is never taken as a decision (flows/waiting.py): a resume
whose payload claims a criterion, a consent and who recorded it records nothing; the
case goes on waiting for its answer through Utväg.

The case's run is a deployment's run here, executed in this process as a worker would
(with the recording fakes): it suspends, is resumed with the form's payload, and runs
again."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from prefect import flow
from prefect.client.orchestration import get_client
from prefect.exceptions import Pause, PrefectHTTPStatusError
from prefect.flow_engine import run_flow
from prefect.flow_runs import resume_flow_run

from adapters.repositories import journal
from flows.new_case import drive
from models.enums import Criterion, WaitKind
from services import snapshot
from services.runtime import Runtime
from tests.factories import open_case, referral
from tests.fakes.agencies import FakeAgencies

FORM = {"criterion": "signed_conditions", "holds": True, "recorded_by": "coordinator-anna",
        "agency": "health_care", "given": True, "legal_basis": "samtycke"}


def _kinds(rt: Runtime, case_id: uuid.UUID) -> list[tuple[str, str]]:
    with rt.uow() as session:
        return [(e.kind, e.actor) for e in journal.entries(session, case_id)]


def _execute(case_run: Any, flow_run: Any, params: dict[str, Any]) -> None:
    """Run the flow run in this process, as a worker's process would; a suspension ends
    it (the process would exit)."""
    try:
        run_flow(case_run, flow_run=flow_run, parameters=params, return_type="state")
    except Pause:
        pass


def test_a_resume_with_a_forms_payload_records_no_decision(
        rt: Runtime, agencies: FakeAgencies, prefect_harness: None) -> None:
    @flow(name="new-case-resume-under-test", persist_result=False)
    def case_run(case_id: uuid.UUID) -> Any:
        return drive(case_id, rt=rt, ports=agencies)

    eligibility = referral()["eligibility"]
    del eligibility["signed_conditions"]  # the case waits for a coordinator's answer
    opened = open_case(rt, eligibility=eligibility)
    with get_client(sync_client=True) as client:
        flow_id = client.create_flow_from_name(case_run.name)
        deployment = client.create_deployment(flow_id=flow_id, name="resume-test",
                                              entrypoint="tests/x.py:x")
        created = client.create_flow_run_from_deployment(
            deployment, parameters={"case_id": str(opened.case_id)})
        params = {"case_id": opened.case_id}
        _execute(case_run, created, params)
        suspended = client.read_flow_run(created.id)
        assert suspended.state is not None and suspended.state.is_paused()
        assert suspended.state.state_details.run_input_keyset is None, "no form offered"
        before = _kinds(rt, opened.case_id)
        waiting = [(w.kind, w.subject) for w in snapshot.load(rt, opened.case_id).waits]
        assert waiting == [(WaitKind.COORDINATOR_ANSWER, Criterion.SIGNED_CONDITIONS)]

        # What the UI's Resume posts (a form, or JSON typed into it).
        try:
            resume_flow_run(created.id, run_input=FORM)
        except (PrefectHTTPStatusError, RuntimeError, ValueError):
            resume_flow_run(created.id)  # refused with input: resumed without it
        resumed = client.read_flow_run(created.id)
        assert resumed.state is not None and not resumed.state.is_paused()
        _execute(case_run, resumed, params)
        again = client.read_flow_run(created.id)

    case = snapshot.load(rt, opened.case_id)
    assert Criterion.SIGNED_CONDITIONS not in case.answers
    assert [(w.kind, w.subject) for w in case.waits] == waiting, "still waiting for it"
    added = _kinds(rt, opened.case_id)[len(before):]
    # Only the system's note "resumed without an answer": no criterion, no consent, no
    # entry under the name the form claimed.
    assert added == [("note", "utvag")], added
    assert again.state is not None and again.state.is_paused(), "suspended again"
    assert agencies.every_call() == []


@pytest.mark.parametrize("module", ["flows/waiting.py", "flows/new_case.py",
                                    "flows/resume.py"])
def test_no_flow_asks_prefect_for_input(module: str) -> None:
    from pathlib import Path

    source = (Path(__file__).resolve().parents[2] / module).read_text(encoding="utf-8")
    for asks in ("wait_for_input", "receive_input", "RunInput", "run_input"):
        assert asks not in source, f"{module} takes {asks} from Prefect"
