"""Relocation under Prefect's harness: exclusion zones, the fast path and its deadline,
who may read the destination, and a search of everything Prefect holds, the app
database, the logs and what the Tax Agency and the moving provider get for it."""

from __future__ import annotations

import json
import logging
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from prefect.client.orchestration import get_client
from sqlalchemy import text
from sqlmodel import select

from adapters import repo
from adapters.db import get_engine, unit_of_work
from flows.new_case import new_case
from models.during_tables import Relocation
from models.relocation import DisclosureDenied, RelocationRefused
from tasks.belongings import confirm_delivered, work_order
from tasks.cases import snapshot
from tasks.hand_over import answer_transfer
from tasks.relocation import (
    RelocationIn,
    approve_relocation,
    decide_relocation,
    read_destination,
)
from tasks.waits import flag_overdue_waits
from tests.relocation_support import ADDRESS, DESTINATION, MOVER, at_relocation
from tests.sims import Sim

NOW = datetime.now(UTC)


def _kinds(case_id: uuid.UUID) -> list[str]:
    with unit_of_work() as session:
        return [e.kind for e in repo.journal_entries(session, case_id)]


def test_a_fast_path_relocation_is_audited_flagged_when_late_and_approved_afterwards(
        sims: tuple[Sim, Sim], invited: dict[str, Sim]) -> None:
    case_id = at_relocation()
    with pytest.raises(RelocationRefused, match="exclusion zone"):
        decide_relocation(case_id, RelocationIn(destination="0180", address=ADDRESS,
                                                lives_independently=True,
                                                needs_deep_support=False), by="ss-anna")
    assert "relocation_decided" not in _kinds(case_id), "nothing written"
    form = decide_relocation(case_id, RelocationIn(destination=DESTINATION, address=ADDRESS,
                                                   lives_independently=True,
                                                   needs_deep_support=False, fast_path=True),
                             by="ss-anna")
    assert form == "protected_housing"
    assert new_case(case_id=case_id)["reason"] == "fast-path approval"
    [wait] = snapshot(case_id).open_waits
    with unit_of_work() as session:
        row = session.exec(select(Relocation).where(Relocation.case_id == case_id)).one()
    assert row.approval_due is not None and wait.deadline == row.approval_due
    flagged, _ = flag_overdue_waits(at=row.approval_due + timedelta(minutes=1))
    assert [f["kind"] for f in flagged] == ["relocation_approval"]
    approve_relocation(case_id, by="unit-head-eva")
    assert new_case(case_id=case_id)["reason"] == "move of belongings"
    confirm_delivered(case_id, viewer_municipality=DESTINATION, by="ss-receiving")
    assert new_case(case_id=case_id)["reason"] == "transfer of responsibility"
    with pytest.raises(DisclosureDenied):
        answer_transfer(case_id, accept=True, cost_payer="receiving", cost_from=date(2027, 3, 1),
                        viewer_municipality="0180", by="ss-placing")
    answer_transfer(case_id, accept=True, cost_payer="receiving", cost_from=date(2027, 3, 1),
                    viewer_municipality=DESTINATION, by="ss-receiving")
    result = new_case(case_id=case_id)
    assert (result["reason"], result["phase"]) == ("after phase: follow-up", "after")
    kinds = _kinds(case_id)
    assert kinds.index("relocation_decided") < kinds.index("wait_overdue") \
        < kinds.index("relocation_approved")


def test_only_the_placing_and_receiving_social_services_read_the_destination(
        sims: tuple[Sim, Sim], invited: dict[str, Sim]) -> None:
    case_id = at_relocation()
    decide_relocation(case_id, RelocationIn(destination=DESTINATION, address=ADDRESS,
                                            lives_independently=False, needs_deep_support=False),
                      by="ss-anna")
    for municipality in ("0180", DESTINATION):
        assert read_destination(case_id, viewer_agency="social_services",
                                viewer_municipality=municipality, by="ss-x") == (DESTINATION,
                                                                                  ADDRESS)
    for agency, municipality in (("police", "0180"), ("social_services", "1480"),
                                 ("kriminalvarden", DESTINATION)):
        with pytest.raises(DisclosureDenied):
            read_destination(case_id, viewer_agency=agency, viewer_municipality=municipality,
                             by="someone")
    kinds = _kinds(case_id)
    assert (kinds.count("destination_read"), kinds.count("destination_denied")) == (2, 3)


def _prefect_texts() -> list[str]:
    texts: list[str] = []
    with get_client(sync_client=True) as client:
        for reader in (client.read_flow_runs, client.read_task_runs, client.read_logs,
                       client.read_artifacts):
            offset = 0
            while batch := reader(limit=200, offset=offset):  # type: ignore[operator]
                texts += [json.dumps(item.model_dump(mode="json")) for item in batch]
                offset += len(batch)
    return texts


def test_the_destination_and_address_are_nowhere_but_with_social_services(
        sims: tuple[Sim, Sim], invited: dict[str, Sim], tax_agency_wire: list[str],
        caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]) -> None:
    """Prefect, the app database (in clear), the journal, the logs, the Tax Agency's wire
    and the moving provider's work order: none holds the destination or the address."""
    caplog.set_level(logging.DEBUG)
    case_id = at_relocation(mover=MOVER)
    decide_relocation(case_id, RelocationIn(destination=DESTINATION, address=ADDRESS,
                                            lives_independently=True, needs_deep_support=True),
                      by="ss-anna")
    assert new_case(case_id=case_id)["reason"] == "move of belongings"
    order = work_order(case_id)
    assert order is not None and order.provider == MOVER and order.collect_in == "0180"
    confirm_delivered(case_id, viewer_municipality="0180", by="ss-placing")
    assert new_case(case_id=case_id)["reason"] == "transfer of responsibility"
    answer_transfer(case_id, accept=False, cost_payer="placing", cost_from=date(2027, 1, 1),
                    viewer_municipality=DESTINATION, by="ss-receiving")
    assert new_case(case_id=case_id)["phase"] == "after"
    needles = ["Hemligvägen", "981 31", f'"{DESTINATION}"', f"destination={DESTINATION}",
               f"destination: {DESTINATION}", f"'{DESTINATION}'"]

    wire = "\n".join(tax_agency_wire)
    assert "/protection-requests" in wire and "191212121212" in wire, "the search sees it"
    assert [n for n in [*needles, DESTINATION, "Kiruna", "Tolvan"] if n in wire] == []
    assert [n for n in [*needles, DESTINATION, "Kiruna"] if n in order.text()] == []

    prefect = "\n".join(_prefect_texts())
    assert snapshot(case_id).case_number in prefect, "the search sees this case's runs"
    assert "request-protected-personal-data" in prefect and "order-belongings-move" in prefect
    assert [n for n in needles if n in prefect] == []
    assert "skyddad_folkbokforing" not in prefect, "the measure would tell the threat level"
    logs = "\n".join(r.getMessage() + repr(r.__dict__) for r in caplog.records)
    logs += capsys.readouterr().err
    assert "protection.decided" in logs or "belongings.ordered" in logs, "the search sees logs"
    assert [n for n in needles if n in logs] == []
    with get_engine().connect() as conn:
        dump: list[str] = []
        for table in conn.execute(text("SELECT tablename FROM pg_tables "
                                       "WHERE schemaname = 'public'")).scalars():
            dump += [repr(tuple(r)) for r in conn.execute(text(f'SELECT * FROM "{table}"'))]
    database = "\n".join(dump)
    assert "Hemligvägen" not in database
    with unit_of_work() as session:
        journal = json.dumps([{"reason": e.reason, "data": e.data}
                              for e in repo.journal_entries(session, case_id)])
    assert DESTINATION not in journal and "Hemlig" not in journal
