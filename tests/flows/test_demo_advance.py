"""The demo case of `make run` goes through every phase when `utvag demo advance`
answers each decision a person makes (here with the recording fakes as the agencies and
the case's flow body under Prefect's harness)."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from prefect import flow
from sqlalchemy import text

from adapters.repositories import journal
from flows.new_case import drive
from services import installation
from services.agency import collect_open
from services.answers import ANSWERS
from services.runtime import Runtime
from services.views import waiting
from tests.factories import open_case
from tests.fakes.agencies import FakeAgencies, granted
from tests.fakes.runs import FakeRuns
from utvag_cli.demo_advance import DEMO
from utvag_cli.main import main

REFERRAL = json.loads((Path(__file__).resolve().parents[2] / "docs" / "examples"
                       / "referral.json").read_text(encoding="utf-8"))


@pytest.fixture()
def demo_rt(rt: Runtime) -> Iterator[Runtime]:
    """The runtime on a database marked as a demo, as `utvag run` marks it."""
    installation.mark_demo(rt)
    yield rt
    with rt.uow() as session:
        session.execute(text("DELETE FROM installation WHERE key = 'demo'"))


def test_the_demo_has_an_answer_for_every_kind_a_person_answers() -> None:
    assert set(DEMO) == set(ANSWERS)


def test_the_demo_case_reaches_the_after_phase_through_every_step(
        demo_rt: Runtime, agencies: FakeAgencies, prefect_harness: None) -> None:
    rt = demo_rt
    agencies.police.answer_at_once = True
    agencies.social_services.answer_at_once = True
    agencies.police_grants.decide_with = granted
    opened = open_case(rt, **REFERRAL)
    runs = FakeRuns()
    answered: list[str] = []

    # One flow run carries the case body pass after pass (each pass ends where a deployed
    # run would suspend), with `utvag demo advance` in between: a flow run costs about a
    # second here, a pass a few tasks.
    @flow(name="demo-case-under-test", persist_result=False)
    def demo_case(case_id: uuid.UUID) -> Any:
        for _ in range(30):
            result = drive(case_id, rt=rt, ports=agencies)
            if result["phase"] == "after":
                return result
            # As a person at the terminal: advance until nothing is left to answer
            # (consents for two agencies wait side by side), then the agencies answer.
            for _ in range(5):
                shown = io.StringIO()
                assert main(["demo", "advance", opened.case_number], runtime=rt, runs=runs,
                            stdout=shown) == 0
                said = shown.getvalue().removeprefix(f"{opened.case_number}: ").split(";")[0]
                answered.append(said)
                if said.startswith("nothing to answer"):
                    break
            collect_open(rt, agencies)  # what collect-agency-answers does
        return result

    result = cast(dict[str, str], demo_case(opened.case_id))
    assert result["reason"] == "after phase: follow-up", answered
    assert all(woken == opened.case_id for woken in runs.woken)
    assert len(runs.woken) == sum(a.startswith("answered") for a in answered)
    with rt.uow() as session:
        entries = journal.entries(session, opened.case_id)
    assert {e.phase for e in entries} == {"before", "during", "after"}
    assert {"admitted", "routed", "meeting_decided", "plan_approved", "grant_decided",
            "relocation_decided", "protection_decided", "belongings_ordered",
            "belongings_delivered", "transfer_answered", "established"} <= {
                e.kind for e in entries}
    assert "answered consent" in answered, "the demo case asks consent for new agencies"
    assert "answered relocation" in answered and "answered transfer" in answered
    assert waiting(rt, opened.case_id).waits == []


def test_a_case_that_waits_for_an_agency_is_left_alone(demo_rt: Runtime) -> None:
    rt = demo_rt
    opened = open_case(rt)
    shown, runs = io.StringIO(), FakeRuns()
    assert main(["demo", "advance", opened.case_number], runtime=rt, runs=runs,
                stdout=shown) == 0
    assert "nothing to answer" in shown.getvalue() and runs.woken == []
