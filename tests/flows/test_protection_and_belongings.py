"""After the relocation, under Prefect's harness: protected personal data from the Tax
Agency (consent, once by key through retries and a rerun, the decision in `case show`)
and the move of belongings through social services."""

from __future__ import annotations

import io
import time
import uuid
from datetime import date

import pytest
from sqlmodel import select

from adapters import repo
from adapters.common import SubmittedRequest
from adapters.db import unit_of_work
from adapters.registry import agency_clients
from adapters.tax_agency.port import TaxAgencyPort
from adapters.tax_agency.schemas import ProtectionDecision, ProtectionRequest
from flows.agency_answers import collect_agency_answers
from flows.new_case import new_case
from models.action_plan import FollowUpVerdict
from models.during_tables import BelongingsMove
from models.during_tables import ProtectionRequest as ProtectionRow
from models.relocation import DisclosureDenied
from models.tables import AgencyRequest, Person
from tasks.action_plan import record_follow_up
from tasks.belongings import confirm_delivered, order_belongings_move, work_order
from tasks.cases import snapshot
from tasks.protection import request_protection
from tasks.relocation import RelocationIn, decide_relocation
from tasks.waits import record_consent
from tests.relocation_support import ADDRESS, DESTINATION, MOVER, NOW, at_relocation
from tests.sims import Sim
from utvag_cli.main import main

WITHOUT_TAX = [{"agency": a, "legal_basis": "samtycke"} for a in ("police", "social_services")]
KEY_SUFFIX = ":tax_agency:protected_personal_data"


def _relocated(**kwargs: object) -> uuid.UUID:
    case_id = at_relocation(**kwargs)  # type: ignore[arg-type]
    decide_relocation(case_id, RelocationIn(destination=DESTINATION, address=ADDRESS,
                                            lives_independently=True, needs_deep_support=False),
                      by="ss-anna")
    return case_id


def _kinds(case_id: uuid.UUID) -> list[str]:
    with unit_of_work() as session:
        return [e.kind for e in repo.journal_entries(session, case_id)]


def _show(case_id: uuid.UUID, capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    assert main(["case", "show", snapshot(case_id).case_number]) == 0
    return capsys.readouterr().out


def test_without_consent_for_the_tax_agency_nothing_is_sent_and_the_case_shows_why(
        sims: tuple[Sim, Sim], invited: dict[str, Sim],
        capsys: pytest.CaptureFixture[str]) -> None:
    case_id = _relocated(consents=WITHOUT_TAX)
    assert new_case(case_id=case_id)["reason"] == "consent"
    assert invited["tax_agency"].requests() == {"by_idempotency_key": {}, "resources": 0}
    assert [(w.kind, w.subject) for w in snapshot(case_id).open_waits] == [
        ("consent", "tax_agency")]
    assert "disclosure_refused" in _kinds(case_id)
    shown = _show(case_id, capsys)
    assert "protection:   not requested: no recorded consent for the Tax Agency" in shown
    assert "no recorded consent for tax_agency: nothing disclosed" in shown

    record_consent(case_id, agency="tax_agency", given=True, by="coordinator-anna",
                   legal_basis="samtycke")
    assert new_case(case_id=case_id)["reason"] == "move of belongings"
    seen = invited["tax_agency"].requests()
    assert seen["resources"] == 1 and list(seen["by_idempotency_key"]) == [
        f"{case_id}{KEY_SUFFIX}"]
    shown = _show(case_id, capsys)
    assert "protection:   skyddad_folkbokforing requested from the Tax Agency: granted" in shown
    with unit_of_work() as session:
        person = session.exec(select(Person)).one()
        [disclosure] = [e for e in repo.journal_entries(session, case_id)
                        if e.kind == "disclosure" and e.data["agency"] == "tax_agency"]
    assert person.protection_level == "skyddad_folkbokforing"
    assert disclosure.data["fields"] == ["identity_number"]


class CrashAfterFiling:
    """The Tax Agency files the request, then the worker dies before Utväg records it."""

    def __init__(self, real: TaxAgencyPort) -> None:
        self.real = real

    def request_protection(self, *, idempotency_key: str,
                           request: ProtectionRequest) -> SubmittedRequest:
        self.real.request_protection(idempotency_key=idempotency_key, request=request)
        raise SystemExit("worker killed")

    def get_decision(self, *, request_id: str) -> ProtectionDecision:
        return self.real.get_decision(request_id=request_id)


def test_retries_and_a_rerun_after_a_crash_file_one_request(
        sims: tuple[Sim, Sim], invited: dict[str, Sim]) -> None:
    case_id = _relocated()
    with agency_clients() as clients, pytest.raises(SystemExit):
        assert clients.tax_agency is not None
        request_protection.fn(case_id, CrashAfterFiling(clients.tax_agency))
    with unit_of_work() as session:
        row = session.exec(select(AgencyRequest).where(
            AgencyRequest.agency == "tax_agency")).one()
    assert (row.status, row.attempts) == ("pending", 1), "filed, but not recorded as sent"
    invited["tax_agency"].set_faults(rate_limit_rate=0.5, seed=7)
    assert new_case(case_id=case_id)["reason"] == "move of belongings"
    assert new_case(case_id=case_id)["reason"] == "move of belongings", "a second rerun"
    seen = invited["tax_agency"].requests()
    assert seen["resources"] == 1
    assert list(seen["by_idempotency_key"]) == [f"{case_id}{KEY_SUFFIX}"]
    assert seen["by_idempotency_key"][f"{case_id}{KEY_SUFFIX}"] >= 2, "filed again, same key"
    with unit_of_work() as session:
        row = session.exec(select(AgencyRequest).where(
            AgencyRequest.agency == "tax_agency")).one()
        protection = session.exec(select(ProtectionRow)).one()
    assert row.status == "answered" and protection.status == "granted"
    assert _kinds(case_id).count("protection_decided") == 1


def test_a_late_decision_is_collected_by_collect_agency_answers(
        sims: tuple[Sim, Sim], invited: dict[str, Sim],
        capsys: pytest.CaptureFixture[str]) -> None:
    case_id = _relocated()
    invited["tax_agency"].set_scenario(snapshot(case_id).case_number, answer_delay_seconds=1.0)
    assert new_case(case_id=case_id)["reason"] == "protected personal data decision"
    assert [(w.kind, w.subject) for w in snapshot(case_id).open_waits] == [
        ("agency_answer", "tax_agency:protected_personal_data")]
    assert "awaiting the Tax Agency's decision" in _show(case_id, capsys)
    time.sleep(1.2)
    assert collect_agency_answers(wake=False)["answered"] == 1
    assert snapshot(case_id).open_waits == []
    assert new_case(case_id=case_id)["reason"] == "move of belongings"


def test_a_rejection_is_recorded_shown_and_the_case_goes_on(
        sims: tuple[Sim, Sim], invited: dict[str, Sim],
        capsys: pytest.CaptureFixture[str]) -> None:
    case_id = _relocated()
    invited["tax_agency"].set_scenario(snapshot(case_id).case_number,
                                       protection_decision="rejected")
    assert new_case(case_id=case_id)["reason"] == "move of belongings"
    shown = _show(case_id, capsys)
    assert "requested from the Tax Agency: rejected" in shown
    assert "(insufficient_grounds)" in shown
    with unit_of_work() as session:
        assert session.exec(select(Person.protection_level)).one() == "none"


def test_the_belongings_move_is_ordered_once_and_confirmed_by_social_services_only(
        sims: tuple[Sim, Sim], invited: dict[str, Sim],
        capsys: pytest.CaptureFixture[str]) -> None:
    case_id = _relocated(mover=MOVER)
    assert new_case(case_id=case_id)["reason"] == "move of belongings"
    assert order_belongings_move.fn(case_id) == "ordered", "ordering again changes nothing"
    order = work_order(case_id)
    assert order is not None
    assert order.text() == (f"{snapshot(case_id).case_number}: {MOVER} collects the belongings"
                            " in municipality 0180 and delivers them to the placing social"
                            " services")
    for municipality in ("1480", ""):
        with pytest.raises(DisclosureDenied):
            confirm_delivered(case_id, viewer_municipality=municipality, by="someone")
    number = snapshot(case_id).case_number
    assert main(["during", "belongings-delivered", number, "--by", "someone"],
                stdin=io.StringIO("1480\n")) == 2
    with unit_of_work() as session:
        [move] = session.exec(select(BelongingsMove)).all()
    assert move.status == "ordered"
    assert "belongings:   ordered, awaiting social services' confirmation (moved by " \
           f"{MOVER} to the placing social services, then social services)" \
        in _show(case_id, capsys)
    assert main(["during", "belongings-delivered", number, "--by", "ss-kiruna"],
                stdin=io.StringIO(f"{DESTINATION}\n")) == 0
    assert new_case(case_id=case_id)["reason"] == "transfer of responsibility"
    assert "belongings:   delivered, confirmed by ss-kiruna" in _show(case_id, capsys)
    kinds = _kinds(case_id)
    assert kinds.count("belongings_ordered") == 1 and kinds.count("belongings_delivered") == 1
    assert kinds.index("protection_decided") < kinds.index("belongings_ordered")


def test_a_provider_whose_follow_up_went_bad_does_not_move_the_belongings(
        sims: tuple[Sim, Sim], invited: dict[str, Sim]) -> None:
    case_id = _relocated(mover=MOVER)
    record_follow_up(MOVER, verdict=FollowUpVerdict.UNSATISFACTORY, by="unit-head-eva",
                     on=NOW.date(), next_follow_up_due=date(2099, 1, 1))
    assert new_case(case_id=case_id)["reason"] == "move of belongings"
    assert work_order(case_id) is None
    with unit_of_work() as session:
        [entry] = [e for e in repo.journal_entries(session, case_id)
                   if e.kind == "belongings_ordered"]
    assert entry.data["provider"] is None
    assert "planned provider not used" in entry.reason and "unsatisfactory" in entry.reason
