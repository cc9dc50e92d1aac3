"""What operators see in Prefect: per case, what it waits for (a person or an agency) and
what each step did, opaque and without personal data; overdue waits flagged once."""

from __future__ import annotations

import uuid

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
from prefect.client.schemas.sorting import ArtifactSort

from adapters.repositories import journal
from services.runtime import Runtime
from services.waits import flag_overdue_waits
from tests.factories import TOLVAN, TOLVAN_NAME, open_case, referral
from tests.fakes.clock import FakeClock
from tests.flows.conftest import CaseRunner


def _waiting_case(rt: Runtime, run: CaseRunner) -> tuple[str, uuid.UUID]:
    """A case that waits for a coordinator (signed_conditions is not answered)."""
    answers = referral()["eligibility"]
    del answers["signed_conditions"]
    opened = open_case(rt, eligibility=answers)
    assert run(opened.case_id)["step"] == "waiting"
    return opened.case_number, opened.case_id


def _newest_artifact(number: str, what: str) -> str:
    # Case numbers repeat across tests (each test starts from an empty database), so the
    # harness holds older artifacts under the same key: take the newest.
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(
                any_=[f"{number.lower()}-{what}"])),
            sort=ArtifactSort.CREATED_DESC, limit=1)
    assert artifacts, f"a {what} artifact for {number}"
    return str(artifacts[0].data)


def _nothing_telling(markdown: str) -> None:
    assert TOLVAN_NAME.split()[0] not in markdown and TOLVAN[-4:] not in markdown
    for word in ("signed_conditions", "coordinator_answer", "police", "gang"):
        assert word not in markdown, word


def test_a_waiting_case_publishes_what_it_waits_for_without_personal_data(
        rt: Runtime, run: CaseRunner) -> None:
    number, _ = _waiting_case(rt, run)
    markdown = _newest_artifact(number, "waits")
    assert f"## {number}: before phase, waiting" in markdown
    assert "| person | 2026-11-02 09:00 | 2026-11-16 |" in markdown
    _nothing_telling(markdown)


def test_each_step_publishes_what_happened_and_what_the_case_waits_for(
        rt: Runtime, run: CaseRunner) -> None:
    number, _ = _waiting_case(rt, run)
    markdown = _newest_artifact(number, "steps")
    assert f"## {number}: await" in markdown
    assert "journal entries recorded by this step." in markdown
    assert "| person |" in markdown
    _nothing_telling(markdown)


def test_an_overdue_wait_is_flagged_once(rt: Runtime, run: CaseRunner,
                                         clock: FakeClock) -> None:
    number, case_id = _waiting_case(rt, run)
    assert flag_overdue_waits(rt) == ([], []), "not yet due"
    clock.advance(days=15)
    first, second = flag_overdue_waits(rt), flag_overdue_waits(rt)
    assert ([w.case_number for w in first[0]], len(first[1])) == ([number], 1)
    assert (second[0], len(second[1])) == ([], 1), "still overdue, flagged once"
    with rt.uow() as session:
        kinds = [e.kind for e in journal.entries(session, case_id)]
    assert kinds.count("wait_overdue") == 1
