"""What operators see of case runs in Prefect (run names, tags, state messages, task
runs, artifacts, logs) tells no destination and no sensitive category: nothing of
health care, SiS (a child), a witness referral or a relapse, no municipality.

The cases here have those traits; the test reads back, from the Prefect server, every
text their runs left there."""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Any

from prefect.client.orchestration import SyncPrefectClient, get_client
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterFlowRunId,
    FlowRunFilter,
    FlowRunFilterId,
    LogFilter,
    LogFilterFlowRunId,
)
from prefect.logging.handlers import APILogHandler

from models.enums import Need
from models.waits import Wait
from services import meeting, waits
from services.runtime import Runtime
from tests.factories import identity_number, open_case, referral
from tests.fakes.agencies import FakeAgencies
from tests.flows.conftest import CaseRunner
from tests.states import COORDINATOR, admitted, consents

# What would tell a category, a relapse or a place (the placing municipality 0180).
TELLS = re.compile(r"health|sjukv|\bsis\b|child|barn|witness|vittne|relapse|återfall|"
                   r"conviction|suspicion|municipality|kommun|\b0180\b|sthlm|stockholm",
                   re.IGNORECASE)
EVERYONE = consents("police", "social_services", "kriminalvarden", "arbetsformedlingen",
                    "health_care", "sis")


def _run(run: CaseRunner, case_id: uuid.UUID) -> uuid.UUID:
    state = run(case_id, return_state=True)
    flow_run_id: uuid.UUID = state.state_details.flow_run_id
    return flow_run_id


def _texts(client: SyncPrefectClient, run_ids: list[uuid.UUID]) -> list[str]:
    """Every operator-visible text the runs left on the server."""
    APILogHandler().flush()
    found: list[Any] = []
    for flow_run in client.read_flow_runs(flow_run_filter=FlowRunFilter(
            id=FlowRunFilterId(any_=run_ids))):
        state = flow_run.state
        found += [flow_run.name, *flow_run.tags, str(flow_run.parameters)]
        found += [state.name, state.message] if state else []
        for task_run in client.read_task_runs(flow_run_filter=FlowRunFilter(
                id=FlowRunFilterId(any_=[flow_run.id]))):
            found += [task_run.name, *task_run.tags]
            if task_run.state:
                found += [task_run.state.name, task_run.state.message]
    for artifact in client.read_artifacts(artifact_filter=ArtifactFilter(
            flow_run_id=ArtifactFilterFlowRunId(any_=run_ids))):
        found += [artifact.key, artifact.description, str(artifact.data)]
    found += [log.message for log in client.read_logs(
        LogFilter(flow_run_id=LogFilterFlowRunId(any_=run_ids)))]
    return [str(text) for text in found if text]


# A child's guardians, who consent (the consent rule for minors, services/minors.py).
GUARDIANS = [{"role": "mother", "name": "Mamma Barn", "consents": True}]


def test_runs_over_sensitive_cases_tell_no_category_or_place(
        rt: Runtime, agencies: FakeAgencies, run: CaseRunner) -> None:
    run_ids: list[uuid.UUID] = []
    # A witness: referred to witness protection, closed.
    witness = referral()["eligibility"] | {"not_witness": {"holds": False}}
    run_ids.append(_run(run, open_case(rt, eligibility=witness).case_id))
    # A child with mental-health needs: health care and SiS invited to the meeting, and
    # the health care invitation fails for good (the case is blocked).
    child = admitted(rt, agencies, consents=EVERYONE, guardians=GUARDIANS, person={
        "identity_number": identity_number(born=date(2011, 6, 1)), "name": "Barnet Barn"})
    meeting.record_needs(rt, child.case_id, needs=[Need.MENTAL_HEALTH, Need.HOUSING],
                         network=[], by=COORDINATOR)
    agencies.invited("health_care").fail_next(5, permanent=True)
    run_ids.append(_run(run, child.case_id))
    # An adult whose health care consent is missing: the case waits for it.
    adult = admitted(rt, agencies, consents=consents("police", "social_services"), person={
        "identity_number": identity_number(born=date(1990, 2, 3)), "name": "Vuxen Vuxensson"})
    meeting.record_needs(rt, adult.case_id, needs=[Need.MENTAL_HEALTH], network=[],
                         by=COORDINATOR)
    run_ids.append(_run(run, adult.case_id))
    # A relapse flagged by the register sweep: the case waits for its assessment.
    relapsed = admitted(rt, agencies, person={
        "identity_number": identity_number(born=date(1988, 8, 8)), "name": "Åter Fallsson"})
    waits.open_waits(rt, relapsed.case_id, [Wait.relapse_assessment(7)])
    run_ids.append(_run(run, relapsed.case_id))

    with get_client(sync_client=True) as client:
        texts = _texts(client, run_ids)
        flow_runs = client.read_flow_runs(flow_run_filter=FlowRunFilter(
            id=FlowRunFilterId(any_=run_ids)))
    # The runs did what the traits say (else this test would prove nothing).
    assert len(flow_runs) == 4
    assert sorted(fr.state.type.value for fr in flow_runs if fr.state) == [
        "COMPLETED", "COMPLETED", "COMPLETED", "FAILED"]
    assert any("blocked" in t for t in texts) and any("waits for" in t for t in texts)
    assert any(t == child.case_number or child.case_number in t for t in texts)
    told = sorted({m.group(0).lower() for t in texts for m in TELLS.finditer(t)})
    assert told == [], [t for t in texts if TELLS.search(t)][:5]


def test_a_case_run_is_started_with_its_number_its_phase_and_its_id_only(
        rt: Runtime, agencies: FakeAgencies, prefect_harness: None) -> None:
    from flows.resume import start_case_run

    child = admitted(rt, agencies, consents=EVERYONE, guardians=GUARDIANS, person={
        "identity_number": identity_number(born=date(2012, 1, 2)), "name": "Lilla Barn"})
    with get_client(sync_client=True) as client:
        flow_id = client.create_flow_from_name("new-case")
        client.create_deployment(flow_id=flow_id, name="new-case",
                                 entrypoint="flows/new_case.py:new_case")
        run_id = start_case_run(rt, child.case_id)
        started = client.read_flow_run(run_id)
    assert started.name == f"{child.case_number}-during"
    assert started.tags == ["phase:during"]
    assert started.parameters == {"case_id": str(child.case_id)}
    assert not TELLS.search(" ".join([started.name, *started.tags]))
