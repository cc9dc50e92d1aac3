"""Row-level security (migration 0013_rls): as the case service's role `utvag_app`, a
query without any filter returns only what the bound principal may see: the placing
municipality's cases, the destination's few rows from the relocation's decision and the
whole case from its acceptance of the transfer,
an assigned person's, an agency's a request went to, an open break-glass. Nothing bound:
nothing. The workers' role sees everything."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import text

from adapters.db import Database
from models.principal import Role
from models.progress import PROTECTION, Act, Action, Ask
from services import belongings, hand_over
from services.intake import OpenedCase
from services.runtime import Runtime
from services.transfer import record_establishment
from tests.factories import identity_number, open_case
from tests.fakes.agencies import FakeAgencies
from tests.rls_support import acting, bound, coordinator, ids, principal
from tests.states import DESTINATION, ask, relocated, stands_at

OTHER = "1480"  # Göteborg: neither the placing (0180) nor the receiving (2584) municipality
CASE_TABLES = ("case_journal", "consent", "eligibility_assessment", "threat_assessment",
               "agency_request", "case_wait", "relocation", "transfer_offer")


@pytest.fixture(scope="module")
def app_db(database_url: str) -> Iterator[Database]:
    db = Database(database_url, pool_size=1, max_overflow=2, role="utvag_app")
    yield db
    db.dispose()


def _second_case(rt: Runtime, municipality: str = OTHER) -> OpenedCase:
    return open_case(rt, placing_municipality=municipality,
                     person={"identity_number": identity_number(serial=412), "name": "B B"})


def _person_of(rt: Runtime, case: OpenedCase) -> uuid.UUID:
    with rt.uow() as s:
        found: uuid.UUID = s.execute(text('SELECT person_id FROM "case" WHERE id = :id'),
                                     {"id": case.case_id}).scalar_one()
    return found


def _seen(db: Database, who: object) -> dict[str, set[object]]:
    """What a plain `SELECT *` without a WHERE returns of cases and persons."""
    with acting(db, who) as s:  # type: ignore[arg-type]
        seen = {"case": ids(s, 'SELECT * FROM "case"'), "person": ids(s, "SELECT * FROM person")}
        for table in CASE_TABLES:
            seen[table] = {r.case_id for r in s.execute(text(f"SELECT * FROM {table}"))}
    return seen


def test_a_coordinator_sees_nothing_of_another_municipalitys_case(
        rt: Runtime, app_db: Database) -> None:
    a, b = open_case(rt), _second_case(rt)
    seen = _seen(app_db, coordinator("0180"))
    assert seen["case"] == {a.case_id}
    assert seen["person"] == {_person_of(rt, a)}
    assert seen["case_journal"] == seen["consent"] == {a.case_id}
    assert seen["eligibility_assessment"] == {a.case_id}
    seen = _seen(app_db, coordinator(OTHER))
    assert (seen["case"], seen["person"]) == ({b.case_id}, {_person_of(rt, b)})
    assert seen["case_journal"] == {b.case_id}


def test_nothing_bound_sees_nothing_and_the_workers_see_everything(
        rt: Runtime, app_db: Database, database_url: str) -> None:
    open_case(rt), _second_case(rt)
    assert all(not rows for rows in _seen(app_db, None).values())
    worker = Database(database_url, pool_size=1, role="utvag_worker")
    try:
        everything = _seen(worker, None)
    finally:
        worker.dispose()
    assert len(everything["case"]) == len(everything["person"]) == 2
    assert len(everything["case_journal"]) == 2


def _offered(rt: Runtime) -> OpenedCase:
    """Relocated to DESTINATION, protected, belongings delivered, established: the
    transfer of responsibility to be offered to the receiving municipality
    (in_after_phase's first steps)."""
    fakes = FakeAgencies()
    opened = relocated(rt, fakes)
    ask(rt, fakes, opened, PROTECTION)
    belongings.order_move(rt, opened.case_id)
    belongings.confirm_delivered(rt, opened.case_id, viewer_municipality=DESTINATION,
                                 by="ss-kiruna")
    step = stands_at(rt, opened.case_id)
    for subject in step.subjects if isinstance(step, Ask) else ():
        ask(rt, fakes, opened, subject)
    record_establishment(rt, opened.case_id, stable_housing=True, occupation=True,
                         support_needed=True, by="ss-anna")
    assert stands_at(rt, opened.case_id) == Act(Action.OFFER_TRANSFER)
    return opened


def _answer(rt: Runtime, opened: OpenedCase, database_url: str, *, accept: bool) -> None:
    """The receiving social services answer through the service's code, as utvag_app
    bound to them: under row-level security."""
    base, as_receiving = bound(database_url, coordinator(DESTINATION, staff_id="ss-kiruna"))
    try:
        hand_over.answer_transfer(
            Runtime(settings=rt.settings, db=as_receiving, clock=rt.clock, cipher=rt.cipher),
            opened.case_id, accept=accept, cost_payer="receiving",
            cost_from=rt.now().date() + timedelta(days=30),
            viewer_municipality=DESTINATION, by="ss-kiruna")
    finally:
        base.dispose()


def test_the_receiving_municipality_sees_the_case_once_it_accepted_the_transfer(
        rt: Runtime, app_db: Database, database_url: str) -> None:
    opened = _offered(rt)
    receiving = coordinator(DESTINATION, staff_id="ss-kiruna")
    # The destination, from the relocation's decision: the case and the relocation (to
    # confirm the belongings), nothing personal.
    before = _seen(app_db, receiving)
    assert before["case"] == before["relocation"] == {opened.case_id}
    assert not before["person"] and not before["threat_assessment"] and not before["consent"]
    assert not before["transfer_offer"]

    hand_over.offer_transfer(rt, opened.case_id)
    offer = _seen(app_db, receiving)
    # The offer: the case, the offer and the relocation (to itself), nothing personal.
    assert offer["case"] == offer["transfer_offer"] == offer["relocation"] == {opened.case_id}
    assert not offer["person"] and not offer["threat_assessment"] and not offer["consent"]
    with acting(app_db, receiving) as s:
        assert ids(s, "SELECT DISTINCT kind FROM case_journal") <= {
            "transfer_offered", "belongings_delivered", "wait_opened", "wait_answered"}
        assert ids(s, "SELECT DISTINCT data->>'wait_kind' FROM case_journal"
                      " WHERE kind LIKE 'wait_%'") <= {"belongings", "transfer"}
    assert all(not rows for rows in _seen(app_db, coordinator(OTHER)).values())

    _answer(rt, opened, database_url, accept=True)
    accepted = _seen(app_db, receiving)
    assert accepted["person"] == {_person_of(rt, opened)}
    assert accepted["threat_assessment"] == accepted["consent"] == {opened.case_id}
    assert all(not rows for rows in _seen(app_db, coordinator(OTHER)).values())


def test_a_declined_transfer_shows_the_receiving_municipality_nothing_personal(
        rt: Runtime, app_db: Database, database_url: str) -> None:
    opened = _offered(rt)
    hand_over.offer_transfer(rt, opened.case_id)
    _answer(rt, opened, database_url, accept=False)
    declined = _seen(app_db, coordinator(DESTINATION, staff_id="ss-kiruna"))
    assert declined["transfer_offer"] == {opened.case_id}
    assert not declined["person"] and not declined["threat_assessment"]
    with rt.uow() as s:
        assert ids(s, "SELECT accepted FROM transfer_offer") == {False}


def _run(rt: Runtime, sql: str, **params: object) -> None:
    with rt.uow() as s:
        s.execute(text(sql), params)


def test_an_active_assignment_shows_the_case_until_it_ends(rt: Runtime,
                                                           app_db: Database) -> None:
    a, _ = open_case(rt), _second_case(rt)
    police = principal("police:region-stockholm", Role.POLICE_CONTACT, staff_id="police-li")
    assert not _seen(app_db, police)["case"]
    _run(rt, "INSERT INTO case_assignment (case_id, staff_id, organisation, role, assigned_at,"
         " assigned_by) VALUES (:c, 'police-li', 'police:region-stockholm', 'police_contact',"
         " now(), 'coordinator-anna')", c=a.case_id)
    seen = _seen(app_db, police)
    assert (seen["case"], seen["person"]) == ({a.case_id}, {_person_of(rt, a)})
    _run(rt, "UPDATE case_assignment SET ended_at = now()")
    assert not _seen(app_db, police)["case"]


def test_an_agency_sees_the_cases_a_request_was_sent_to_it_for(rt: Runtime,
                                                               app_db: Database) -> None:
    a, b = open_case(rt), _second_case(rt)
    for case, sent in ((a, "now()"), (b, "NULL")):
        _run(rt, "INSERT INTO agency_request (case_id, agency, kind, idempotency_key, status,"
             f" created_at, sent_at) VALUES (:c, 'kriminalvarden', 'hand_over', :k,"
             f" 'sent', now(), {sent})", c=case.case_id, k=f"key-{case.case_id}")
    staff = principal("agency:kriminalvarden", Role.AGENCY_STAFF)
    assert _seen(app_db, staff)["case"] == {a.case_id}  # b's request was never sent
    assert not _seen(app_db, principal("agency:sis", Role.AGENCY_STAFF))["case"]


def test_break_glass_opens_a_case_until_it_expires(rt: Runtime, app_db: Database) -> None:
    a, b = open_case(rt), _second_case(rt)
    for case, expires in ((a, "now() + interval '4 hours'"), (b, "now() - interval '1 s'")):
        _run(rt, "INSERT INTO break_glass (case_id, subject, staff_id, organisation,"
             " reason_enc, opened_at, expires_at) VALUES (:c, 'sub-er', 'er-doc',"
             f" 'municipality:1280', 'x', now() - interval '5 hours', {expires})",
             c=case.case_id)
    emergency = coordinator("1280", staff_id="er-doc")
    assert _seen(app_db, emergency)["case"] == {a.case_id}
    assert not _seen(app_db, coordinator("1280", staff_id="someone-else"))["case"]


def test_the_operator_counts_cases_without_seeing_anyone(rt: Runtime,
                                                         app_db: Database) -> None:
    open_case(rt), _second_case(rt)
    seen = _seen(app_db, principal("operations", Role.OPERATOR))
    assert len(seen["case"]) == 2
    assert not seen["person"] and not seen["case_journal"] and not seen["consent"]
    # The role counts in its own organisation only.
    assert not _seen(app_db, principal("municipality:1280", Role.OPERATOR))["case"]


def test_the_grants_officer_sees_the_cases_with_a_statement(rt: Runtime,
                                                            app_db: Database) -> None:
    a, _ = open_case(rt), _second_case(rt)
    _run(rt, "INSERT INTO coordinator_statement (case_id, supports, recorded_by, recorded_at)"
         " VALUES (:c, true, 'police-li', now())", c=a.case_id)
    seen = _seen(app_db, principal("police:national", Role.GRANTS_OFFICER))
    assert seen["case"] == {a.case_id} and not seen["person"]


def test_the_access_log_is_the_auditors_and_each_persons_own(rt: Runtime,
                                                             app_db: Database) -> None:
    for staff in ("coordinator-x", "police-li"):
        _run(rt, "INSERT INTO access_log (at, subject, staff_id, organisation, roles, action,"
             " purpose, outcome, fields) VALUES (now(), 's', :s, 'municipality:0180',"
             " '{coordinator}', 'case.show', 'handling', 'allowed', '{}')", s=staff)
    with acting(app_db, principal("audit", Role.AUDITOR, staff_id="auditor-1")) as s:
        assert ids(s, "SELECT staff_id FROM access_log") >= {"coordinator-x", "police-li"}
    with acting(app_db, coordinator("0180")) as s:
        assert ids(s, "SELECT staff_id FROM access_log") == {"coordinator-x"}


def test_intake_through_the_service_opens_only_the_bound_municipalitys_cases(
        rt: Runtime, database_url: str) -> None:
    base, bound_a = bound(database_url, coordinator("0180"))
    as_a = Runtime(settings=rt.settings, db=bound_a, clock=rt.clock, cipher=rt.cipher)
    try:
        opened = open_case(as_a)
        with pytest.raises(sa.exc.ProgrammingError, match="row-level security"):
            _second_case(as_a)
    finally:
        base.dispose()
    with rt.uow() as s:
        assert ids(s, 'SELECT id FROM "case"') == {opened.case_id}
        assert s.execute(text("SELECT count(*) FROM person")).scalar_one() == 1


def test_intake_finds_a_person_of_another_municipality_by_id_only(rt: Runtime,
                                                                   app_db: Database) -> None:
    a = open_case(rt)
    with rt.uow() as s:
        lookup = s.execute(text("SELECT identity_hash FROM person")).scalar_one()
    with acting(app_db, coordinator(OTHER)) as s:
        assert not ids(s, "SELECT id FROM person WHERE identity_hash = :h", h=lookup)
        found = s.execute(text("SELECT utvag_person_id(:h)"), {"h": lookup}).scalar_one()
    assert found == _person_of(rt, a)
    with acting(app_db, None) as s:
        assert s.execute(text("SELECT utvag_person_id(:h)"), {"h": lookup}).scalar_one() is None


def test_the_functions_that_reach_past_the_policies_answer_only_whom_they_are_for(
        rt: Runtime, app_db: Database) -> None:
    """A case's id by number (anyone bound), the auditor's case numbers, intake's probe
    (social services of a municipality): for anyone else NULL, and the probe writes
    nothing."""
    a = open_case(rt)
    with rt.uow() as s:
        number, lookup = s.execute(text(
            'SELECT c.case_number, p.identity_hash FROM "case" c JOIN person p'
            " ON p.id = c.person_id")).one()
    police = principal("police:region-vast", Role.POLICE_REGIONAL, staff_id="police-ola")
    for who, found in ((coordinator(OTHER), a.case_id), (police, a.case_id),
                       (principal("agency:sis", Role.AGENCY_STAFF), a.case_id),
                       (None, None)):
        with acting(app_db, who) as s:
            assert s.execute(text("SELECT utvag_case_id(:n)"),
                             {"n": number}).scalar_one() == found
            assert s.execute(text("SELECT utvag_audit_case_number(:c)"),
                             {"c": a.case_id}).scalar_one() is None
    with acting(app_db, principal("audit", Role.AUDITOR)) as s:
        assert s.execute(text("SELECT utvag_audit_case_number(:c)"),
                         {"c": a.case_id}).scalar_one() == number
        assert s.execute(text("SELECT utvag_audit_case_id(:n)"),
                         {"n": number}).scalar_one() == a.case_id
    for who in (None, police, coordinator("0180")):  # the placing one sees it itself
        with acting(app_db, who) as s:
            assert s.execute(text("SELECT utvag_intake_probe(:h)"),
                             {"h": lookup}).scalar_one() is None
    with acting(app_db, coordinator(OTHER, staff_id="coord-gbg")) as s:
        assert s.execute(text("SELECT utvag_intake_probe(:h)"),
                         {"h": lookup}).scalar_one() == a.case_id
    with rt.uow() as s:
        assert s.execute(text("SELECT actor FROM case_journal WHERE data ? 'intake_probe'")
                         ).scalars().all() == ["coord-gbg"]


def test_intake_of_a_person_whose_case_elsewhere_is_closed_opens_a_case_here(
        rt: Runtime, database_url: str) -> None:
    first = open_case(rt)
    _run(rt, "UPDATE \"case\" SET status = 'closed', closed_at = now() WHERE id = :c",
         c=first.case_id)
    base, as_other = bound(database_url, coordinator(OTHER))
    try:
        again = open_case(Runtime(settings=rt.settings, db=as_other, clock=rt.clock,
                                  cipher=rt.cipher), placing_municipality=OTHER)
    finally:
        base.dispose()
    assert again.created and again.placing_municipality == OTHER
    assert _person_of(rt, again) == _person_of(rt, first)


def test_intake_of_a_person_seen_through_a_closed_case_finds_their_open_case_elsewhere(
        rt: Runtime, database_url: str) -> None:
    """The person is visible to Stockholm through its own closed case, their open case
    is Göteborg's (hidden): the referral is not a second open case but a probe told to
    Göteborg's case."""
    first = open_case(rt)
    _run(rt, "UPDATE \"case\" SET status = 'closed', closed_at = now() WHERE id = :c",
         c=first.case_id)
    theirs = open_case(rt, placing_municipality=OTHER)
    assert theirs.created
    base, as_sthlm = bound(database_url, coordinator("0180", staff_id="coord-sthlm"))
    try:
        again = open_case(Runtime(settings=rt.settings, db=as_sthlm, clock=rt.clock,
                                  cipher=rt.cipher))
    finally:
        base.dispose()
    assert (again.created, again.told, again.case_id) == (False, True, theirs.case_id)
    with rt.uow() as s:
        assert s.execute(text("SELECT case_id, actor FROM case_journal"
                              " WHERE data ? 'intake_probe'")).all() == [
            (theirs.case_id, "coord-sthlm")]
        assert s.execute(text("SELECT count(*) FROM \"case\" WHERE status <> 'closed'")
                         ).scalar_one() == 1
