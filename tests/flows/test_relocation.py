"""Relocation: exclusion zones, the fast path and its 72-hour deadline (on the test's
clock), who may read the destination, and a search of everything Prefect holds, the app
database, the logs and what every agency and the moving provider got for it."""

from __future__ import annotations

import json
import logging
import time
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.events import EventPage
from prefect.events.filters import EventFilter, EventOccurredFilter
from sqlalchemy import text
from sqlmodel import select

from adapters.repositories import journal, waits
from models.during_tables import Relocation
from models.relocation import DisclosureDenied, RelocationRefused
from services import belongings
from services.relocation import (
    NoRelocation,
    RelocationIn,
    approve_relocation,
    decide_relocation,
    read_destination,
)
from services.runtime import Runtime
from services.transfer import answer_transfer, decide_offer, record_establishment
from services.waits import flag_overdue_waits
from tests.factories import TOLVAN_NAME, open_case
from tests.fakes.agencies import FakeAgencies
from tests.fakes.clock import FakeClock
from tests.flows.conftest import CaseRunner
from tests.states import ADDRESS, DESTINATION, MOVER, at_relocation


def _kinds(rt: Runtime, case_id: uuid.UUID) -> list[str]:
    with rt.uow() as session:
        return [e.kind for e in journal.entries(session, case_id)]


def _move(*, to: str = DESTINATION, fast_path: bool = False,
          deep_support: bool = False) -> RelocationIn:
    return RelocationIn(destination=to, address=ADDRESS, lives_independently=True,
                        needs_deep_support=deep_support, fast_path=fast_path)


def test_a_fast_path_relocation_is_audited_flagged_when_late_and_approved_afterwards(
        rt: Runtime, clock: FakeClock, run: CaseRunner) -> None:
    case_id = at_relocation(rt).case_id
    with pytest.raises(RelocationRefused, match="exclusion zone"):
        decide_relocation(rt, case_id, _move(to="0180"), by="ss-anna")
    assert "relocation_decided" not in _kinds(rt, case_id), "nothing written"
    assert decide_relocation(rt, case_id, _move(fast_path=True), by="ss-anna") \
        == "protected_housing"
    assert run(case_id)["reason"] == "fast-path approval"
    with rt.uow() as session:
        row = session.exec(select(Relocation).where(Relocation.case_id == case_id)).one()
        [wait] = waits.open_waits(session, case_id)
    assert wait.kind == "relocation_approval"
    assert row.approval_due == row.decided_at + timedelta(hours=72) == wait.deadline
    clock.set(row.approval_due - timedelta(minutes=1))
    assert flag_overdue_waits(rt)[0] == [], "not late yet"
    clock.set(row.approval_due + timedelta(minutes=1))
    assert [f.kind for f in flag_overdue_waits(rt)[0]] == ["relocation_approval"]
    assert flag_overdue_waits(rt)[0] == [], "flagged once"
    approve_relocation(rt, case_id, by="unit-head-eva")
    assert run(case_id)["reason"] == "move of belongings"
    belongings.confirm_delivered(rt, case_id, viewer_municipality=DESTINATION, by="ss-receiving")
    assert run(case_id)["reason"] == "lasting move", "emergency housing is not a settled life"
    decide_relocation(rt, case_id, _move(), by="ss-anna")
    assert run(case_id)["reason"] == "establishment in the new town"
    record_establishment(rt, case_id, stable_housing=True, occupation=True, support_needed=True,
                         by="ss-anna")
    assert run(case_id)["reason"] == "transfer of responsibility"
    with pytest.raises(DisclosureDenied):
        answer_transfer(rt, case_id, accept=True, cost_payer="receiving",
                        cost_from=date(2027, 3, 1), viewer_municipality="0180", by="ss-placing")
    answer_transfer(rt, case_id, accept=True, cost_payer="receiving", cost_from=date(2027, 3, 1),
                    viewer_municipality=DESTINATION, by="ss-receiving")
    result = run(case_id)
    assert (result["reason"], result["phase"]) == ("after phase: follow-up", "after")
    kinds = _kinds(rt, case_id)
    assert kinds.index("relocation_decided") < kinds.index("wait_overdue") \
        < kinds.index("relocation_approved")
    with rt.uow() as session:
        [approved] = [e for e in journal.entries(session, case_id)
                      if e.kind == "relocation_approved"]
    assert approved.data == {"late": True} and "after its deadline" in approved.reason


def test_a_relocation_is_decided_once_from_a_threat_assessment_and_only_a_fast_one_approved(
        rt: Runtime) -> None:
    before_assessment = open_case(rt, person={"identity_number": "19900101-0017",
                                              "name": "A B"})
    with pytest.raises(RelocationRefused, match="no threat assessment"):
        decide_relocation(rt, before_assessment.case_id, _move(), by="ss-anna")
    case_id = at_relocation(rt).case_id
    with pytest.raises(NoRelocation, match="no relocation decided"):
        read_destination(rt, case_id, viewer_agency="social_services",
                         viewer_municipality="0180", by="ss-anna")
    with pytest.raises(NoRelocation):
        approve_relocation(rt, case_id, by="unit-head-eva")
    decide_relocation(rt, case_id, _move(), by="ss-anna")
    with pytest.raises(RelocationRefused, match="already decided"):
        decide_relocation(rt, case_id, _move(), by="ss-anna")
    with pytest.raises(RelocationRefused, match="usual order"):
        approve_relocation(rt, case_id, by="unit-head-eva")
    assert _kinds(rt, case_id).count("relocation_decided") == 1
    assert "relocation_approved" not in _kinds(rt, case_id)
    assert read_destination(rt, case_id, viewer_agency="social_services",
                            viewer_municipality="0180", by="ss-anna") == (DESTINATION, ADDRESS)


def test_only_the_placing_and_receiving_social_services_read_the_destination(
        rt: Runtime) -> None:
    case_id = at_relocation(rt).case_id
    decide_relocation(rt, case_id, RelocationIn(destination=DESTINATION, address=ADDRESS,
                                                lives_independently=False,
                                                needs_deep_support=False), by="ss-anna")
    for municipality in ("0180", DESTINATION):
        assert read_destination(rt, case_id, viewer_agency="social_services",
                                viewer_municipality=municipality, by="ss-x") == (DESTINATION,
                                                                                  ADDRESS)
    for agency, municipality in (("police", "0180"), ("social_services", "1480"),
                                 ("kriminalvarden", DESTINATION)):
        with pytest.raises(DisclosureDenied):
            read_destination(rt, case_id, viewer_agency=agency,
                             viewer_municipality=municipality, by="someone")
    kinds = _kinds(rt, case_id)
    assert (kinds.count("destination_read"), kinds.count("destination_denied")) == (2, 3)


def _prefect_texts(*, run_id: str, since: datetime) -> list[str]:
    """Every flow run, task run, log and artifact the session's Prefect server holds, and
    the events since `since`, once those of run `run_id` have arrived (events are
    written asynchronously)."""
    texts: list[str] = []
    with get_client(sync_client=True) as client:
        for reader in (client.read_flow_runs, client.read_task_runs, client.read_logs,
                       client.read_artifacts):
            offset = 0
            while batch := reader(limit=200, offset=offset):
                texts += [json.dumps(item.model_dump(mode="json"), ensure_ascii=False)
                          for item in batch]
                offset += len(batch)
        deadline = time.monotonic() + 15
        while True:
            events: list[str] = []
            page: EventPage | None = client.read_events(
                EventFilter(occurred=EventOccurredFilter(since=since)), limit=50)
            while page is not None:
                events += [json.dumps(e.model_dump(mode="json"), ensure_ascii=False)
                           for e in page.events]
                page = client.read_events_page(str(page.next_page)) if page.next_page \
                    else None
            if any(run_id in e for e in events) or time.monotonic() > deadline:
                break
            time.sleep(0.2)
    assert any(run_id in e for e in events), "the search sees this run's events"
    return texts + events


def test_the_destination_and_address_are_nowhere_but_with_social_services(
        rt: Runtime, agencies: FakeAgencies, run: CaseRunner,
        caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]) -> None:
    """Prefect, the app database (in clear), the journal, the logs, what every agency
    received and the moving provider's work order: none holds the destination or the
    address."""
    caplog.set_level(logging.DEBUG)
    started = datetime.now(UTC)  # Prefect's own time: its events are stamped with it
    opened = at_relocation(rt, agencies, mover=MOVER)
    decide_relocation(rt, opened.case_id, _move(deep_support=True), by="ss-anna")
    assert run(opened.case_id)["reason"] == "move of belongings"
    order = belongings.work_order(rt, opened.case_id)
    assert order is not None and order.provider == MOVER and order.collect_in == "0180"
    belongings.confirm_delivered(rt, opened.case_id, viewer_municipality="0180",
                                 by="ss-placing")
    assert run(opened.case_id)["reason"] == "establishment in the new town"
    record_establishment(rt, opened.case_id, stable_housing=True, occupation=True,
                         support_needed=True, by="ss-anna")
    assert run(opened.case_id)["reason"] == "transfer of responsibility"
    answer_transfer(rt, opened.case_id, accept=False, cost_payer="placing",
                    cost_from=date(2027, 1, 1), viewer_municipality=DESTINATION,
                    by="ss-receiving")
    assert run(opened.case_id)["reason"] == "new transfer offer"
    decide_offer(rt, opened.case_id, reason="established; the receiver asked again",
                 by="coordinator-anna")
    answer_transfer(rt, opened.case_id, accept=True, cost_payer="placing",
                    cost_from=date(2027, 1, 1), viewer_municipality=DESTINATION,
                    by="ss-receiving")
    last = run(opened.case_id, return_state=True)
    assert last.result()["phase"] == "after"
    needles = ["Hemligvägen", "981 31", f'"{DESTINATION}"', f"destination={DESTINATION}",
               f"destination: {DESTINATION}", f"'{DESTINATION}'"]

    [protection] = agencies.tax_agency.calls
    assert protection.body.subject.identity_number == "191212121212", "the search sees it"
    sent = {agency: call.body.model_dump_json() for agency, call in agencies.every_call()}
    assert [(agency, n) for agency, body in sent.items()
            for n in [*needles, DESTINATION, "Kiruna"] if n in body] == []
    assert "Tolvan" not in sent["tax_agency"], "the Tax Agency gets the identity number only"
    assert [n for n in [*needles, DESTINATION, "Kiruna"] if n in order.text()] == []

    prefect = "\n".join(_prefect_texts(run_id=str(last.state_details.flow_run_id),
                                        since=started))
    assert opened.case_number in prefect, "the search sees this case's runs"
    assert "ask-agency" in prefect and "case-step" in prefect, "and its tasks"
    assert [n for n in [*needles, TOLVAN_NAME, "191212121212", "19121212-1212"]
            if n in prefect] == []
    assert "skyddad_folkbokforing" not in prefect, "the measure would tell the threat level"

    logs = "\n".join(r.getMessage() + repr(r.__dict__) for r in caplog.records)
    captured = capsys.readouterr()
    logs += captured.out + captured.err
    assert "belongings.ordered" in logs, "the search sees the logs"
    assert [n for n in [*needles, TOLVAN_NAME] if n in logs] == []

    with rt.db.engine.connect() as conn:
        dump: list[str] = []
        for table in conn.execute(text("SELECT tablename FROM pg_tables "
                                       "WHERE schemaname = 'public'")).scalars():
            dump += [repr(tuple(r)) for r in conn.execute(text(f'SELECT * FROM "{table}"'))]
    database = "\n".join(dump)
    assert opened.case_number in database, "the search sees the database"
    assert "Hemligvägen" not in database and TOLVAN_NAME not in database
    with rt.uow() as session:
        entries = json.dumps([{"reason": e.reason, "data": e.data}
                              for e in journal.entries(session, opened.case_id)],
                             ensure_ascii=False)
    assert "transfer_answered" in _kinds(rt, opened.case_id) and "cost_payer" in entries
    assert DESTINATION not in entries and "Hemlig" not in entries

