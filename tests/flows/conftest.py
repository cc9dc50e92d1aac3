"""Flow tests: Prefect's test harness (tests/conftest.py: a temporary server, once per
session), the recording fakes of the agencies and the real PostgreSQL of
tests/conftest.py. A test drives the case's flow body (`flows.new_case.drive`) with the
fakes handed in."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from prefect import flow

from flows.new_case import drive
from flows.resume import run_name
from services import snapshot
from services.runtime import Runtime
from tests.fakes.agencies import FakeAgencies


class CaseRunner:
    """Runs the case's flow body in a flow run, as the deployed `new-case` does, with the
    test's runtime and fakes (a run outside a deployment ends where it would suspend)."""

    def __init__(self, rt: Runtime, agencies: FakeAgencies) -> None:
        self.rt, self.agencies = rt, agencies

        @flow(name="new-case-under-test", persist_result=False)
        def case_run(case_id: uuid.UUID) -> Any:
            return drive(case_id, rt=self.rt, ports=self.agencies)

        self.flow = case_run

    def __call__(self, case_id: uuid.UUID, *, return_state: bool = False) -> Any:
        # Named as `flows.resume` names a deployed run (never Prefect's random names:
        # the privacy tests read every run's name).
        case = snapshot.load(self.rt, case_id)
        named = self.flow.with_options(flow_run_name=run_name(case.case_number, case.phase))
        return named(case_id=case_id, return_state=return_state)


@pytest.fixture()
def run(rt: Runtime, agencies: FakeAgencies, prefect_harness: None) -> CaseRunner:
    return CaseRunner(rt, agencies)
