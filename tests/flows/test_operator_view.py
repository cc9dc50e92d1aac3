"""What operators see: the waits artifact per case, overdue waits flagged once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
from prefect.client.schemas.sorting import ArtifactSort

from adapters import repo
from adapters.db import unit_of_work
from flows.new_case import new_case
from flows.overdue import flag_overdue
from models.tables import CaseWait
from tasks.cases import snapshot
from tasks.intake import open_case
from tests.factories import TOLVAN, TOLVAN_NAME, referral
from tests.sims import Sim


def _waiting_case() -> str:
    answers = referral()["eligibility"]
    del answers["signed_conditions"]
    case_id = open_case(referral(eligibility=answers), now=datetime.now(UTC)).case_id
    new_case(case_id=case_id)
    return snapshot(case_id).case_number


def test_a_waiting_case_publishes_what_it_waits_for_without_personal_data(
    sims: tuple[Sim, Sim],
) -> None:
    number = _waiting_case()
    with get_client(sync_client=True) as client:
        # Case numbers repeat across tests (each test starts from an empty database), so
        # the harness holds older artifacts under the same key: take the newest.
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[f"{number.lower()}-waits"])),
            sort=ArtifactSort.CREATED_DESC)
    assert artifacts, "a waits artifact for the case"
    markdown = str(artifacts[0].data)
    assert "coordinator_answer" in markdown and "signed_conditions" in markdown
    assert TOLVAN_NAME.split()[0] not in markdown and TOLVAN[-4:] not in markdown


def test_an_overdue_wait_is_flagged_once(sims: tuple[Sim, Sim]) -> None:
    number = _waiting_case()
    with unit_of_work() as session:
        session.execute(sa.update(CaseWait).values(
            deadline=datetime.now(UTC) - timedelta(minutes=1)))
    first = flag_overdue()
    second = flag_overdue()
    assert (first["newly_overdue"], second["newly_overdue"]) == (1, 0)
    assert second["overdue"] == 1
    with unit_of_work() as session:
        case = repo.find_case(session, number)
        kinds = [e.kind for e in repo.journal_entries(session, case.id)]
    assert kinds.count("wait_overdue") == 1


def test_each_step_publishes_what_happened_and_what_the_case_waits_for(
    sims: tuple[Sim, Sim],
) -> None:
    number = _waiting_case()
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[f"{number.lower()}-steps"])),
            sort=ArtifactSort.CREATED_DESC)
    assert artifacts, "a steps artifact for the case"
    markdown = str(artifacts[0].data)
    assert f"## {number}: waiting (coordinator answer)" in markdown
    assert "| wait_opened | waiting for coordinator_answer: signed_conditions |" in markdown
    assert TOLVAN_NAME.split()[0] not in markdown and TOLVAN[-4:] not in markdown
