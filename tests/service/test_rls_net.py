"""The database is the net under the access policy: a use case the service calls with
its policy check skipped (here: the service functions called directly, through the
service's own runtime, role utvag_app, bound to a principal of another municipality)
still gets nothing of a case outside that principal's scope, and writes nothing."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import NoResultFound

from caseservice.runtime import WrongRole, service_runtime
from models.crypto import Cipher
from models.enums import WaitKind
from models.principal import Principal, Role
from services import answers, relocation, views
from services.access import caseload, disclosed
from services.runtime import Runtime
from tests import states
from tests.conftest import TEST_KEY, make_settings
from tests.factories import identity_number
from tests.fakes.agencies import FakeAgencies
from tests.service.world import ANNA


def _coordinator(municipality: str, staff_id: str) -> Principal:
    return Principal(subject=f"sub-{staff_id}", staff_id=staff_id, name=staff_id,
                     organisation=f"municipality:{municipality}",
                     roles=frozenset({Role.COORDINATOR}))


def _count(rt: Runtime, sql: str, **params: Any) -> int:
    with rt.db.engine.connect() as conn:
        return int(conn.execute(text(sql), params).scalar_one())


def test_a_service_call_that_skipped_the_policy_gets_nothing_of_another_municipalitys_case(
        rt: Runtime, app_rt: Runtime) -> None:
    a = states.relocated(rt, FakeAgencies(), person={
        "identity_number": identity_number(serial=51), "name": ANNA})
    sthlm, gbg = _coordinator("0180", "coord-sthlm"), _coordinator("1480", "coord-gbg")
    placing, other = app_rt.acting_as(sthlm), app_rt.acting_as(gbg)
    # The same calls as the placing municipality work: the test can fail.
    assert views.case_view(placing, a.case_id, viewer="coord-sthlm").person.name == ANNA
    assert [line.case_number for line in caseload.caseload(placing, sthlm)] == [a.case_number]
    journal_before = _count(rt, "SELECT count(*) FROM case_journal WHERE case_id = :c",
                            c=a.case_id)

    for number_or_id in (a.case_number, a.case_id):
        with pytest.raises(views.CaseNotFound):
            views.case_view(other, number_or_id, viewer="coord-gbg")
    with pytest.raises(views.CaseNotFound):
        relocation.read_destination(other, a.case_id, viewer_agency="social_services",
                                    viewer_municipality="1480", by="coord-gbg")
    with pytest.raises(views.CaseNotFound):
        answers.record(other, a.case_id, WaitKind.NEEDS_ASSESSMENT,
                       {"needs": ["housing"]}, by="coord-gbg")
    with pytest.raises(NoResultFound):
        disclosed.disclosed_view(other, a.case_id, agency="kriminalvarden", masked=False)
    assert caseload.caseload(other, gbg) == []
    with other.uow() as session:  # a query without any filter
        for table in ('"case"', "person", "case_journal", "relocation", "consent"):
            assert session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == 0
    # Nothing was written on the case either.
    assert _count(rt, "SELECT count(*) FROM case_journal WHERE case_id = :c",
                  c=a.case_id) == journal_before


def test_utvag_serve_runs_as_utvag_app_and_never_as_another_role(database_url: str,
                                                                 rt: Runtime) -> None:
    states.admitted(rt, person={"identity_number": identity_number(serial=52), "name": ANNA})
    served = service_runtime(make_settings(database_url))
    with served.uow() as session:
        assert session.execute(text("SELECT current_user")).scalar_one() == "utvag_app"
        assert session.execute(text('SELECT count(*) FROM "case"')).scalar_one() == 0
    with pytest.raises(WrongRole, match="^database_role: "):
        service_runtime(make_settings(database_url, database_role="utvag_worker"))


def test_the_waker_finds_the_run_holding_a_case_whose_wait_the_answerer_cannot_see(
        rt: Runtime, app_rt: Runtime) -> None:
    """The destination (Kiruna) confirms the belongings of a case whose run waits on
    something only the placing municipality sees: the run is still found, to resume it
    rather than start a second one."""
    from services import waits

    c = states.relocated(rt, FakeAgencies(), person={
        "identity_number": identity_number(serial=53), "name": ANNA})
    run = uuid.uuid4()
    with rt.uow() as session:
        session.execute(text("UPDATE case_wait SET flow_run_id = :r WHERE id = (SELECT max(id)"
                             " FROM case_wait WHERE case_id = :c AND kind <> 'belongings')"),
                        {"r": run, "c": c.case_id})
    kiruna = app_rt.acting_as(_coordinator(states.DESTINATION, "coord-kiruna"))
    with kiruna.uow() as session:  # the wait itself is hidden from the destination
        assert session.execute(text("SELECT count(*) FROM case_wait WHERE flow_run_id = :r"),
                               {"r": run}).scalar_one() == 0
    assert waits.holding_run(kiruna, c.case_id) == run
    assert waits.holding_run(app_rt.acting_as(_coordinator("1480", "coord-gbg")),
                             c.case_id) is None


def test_the_caseload_finds_the_destinations_cases_without_decrypting_a_destination(
        rt: Runtime, app_rt: Runtime) -> None:
    class Sealed(Cipher):
        def decrypt(self, token: bytes) -> str:
            raise AssertionError("the caseload decrypted something")

    c = states.relocated(rt, FakeAgencies(), person={
        "identity_number": identity_number(serial=54), "name": ANNA})
    states.relocated(rt, FakeAgencies(), destination="1480", person={
        "identity_number": identity_number(serial=55), "name": "Bo B"})
    sealed = Runtime(settings=app_rt.settings, db=app_rt.db, clock=app_rt.clock,
                     cipher=Sealed(TEST_KEY.encode()))
    kiruna = _coordinator(states.DESTINATION, "coord-kiruna")
    lines = caseload.caseload(sealed.acting_as(kiruna), kiruna)
    assert [(line.case_number, line.relations) for line in lines] == [
        (c.case_number, ["destination"])]
