"""Console pages without a browser (the browser tests drive the rest): what needs action
first and overdue marked, the filters, a duplicate in another municipality not revealed,
the police contact's statement, a refused answer at its field, a legal hold set and
lifted."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text
from starlette.testclient import TestClient

from models.principal import Principal, Role
from services.access import caseload
from services.runtime import Runtime
from tests import states
from tests.console.support import page_client, signed_in
from tests.factories import identity_number
from tests.fakes.agencies import FakeAgencies
from tests.fakes.clock import FakeClock
from tests.service import tokens as u


@pytest.fixture()
def client(rt: Runtime) -> Iterator[TestClient]:
    yield from page_client(rt)


_as = signed_in


def test_my_cases_puts_the_overdue_first_and_filters(client: TestClient, rt: Runtime,
                                                     clock: FakeClock) -> None:
    late = states.admitted(rt, FakeAgencies(), person={
        "identity_number": identity_number(serial=501), "name": "A"})
    clock.advance(days=15)
    fresh = states.at_plan(rt, FakeAgencies(), person={
        "identity_number": identity_number(serial=502), "name": "B"})
    elsewhere = states.admitted(rt, FakeAgencies(), placing_municipality="1480", person={
        "identity_number": identity_number(serial=503), "name": "C"})
    _as(client, rt, u.COORDINATOR_STHLM)
    page = client.get("/console/").text
    assert page.index(late.case_number) < page.index(fresh.case_number)
    row = page[page.index(late.case_number):page.index(fresh.case_number)]
    assert "Försenad" in row and 'class="overdue"' in page
    assert elsewhere.case_number not in page
    assert "Behovsbedömning" in row and "Handlingsplan" in page
    only_before = client.get("/console/?phase=before").text
    assert late.case_number not in only_before and "0 av 2" in only_before
    waiting = client.get("/console/?phase=during&status=waiting").text
    assert late.case_number in waiting and fresh.case_number in waiting


def test_a_duplicate_elsewhere_is_not_revealed(client: TestClient, rt: Runtime) -> None:
    number = identity_number(serial=504)
    existing = states.admitted(rt, FakeAgencies(), person={"identity_number": number,
                                                           "name": "Dora D"})
    csrf = _as(client, rt, u.COORDINATOR_GBG)
    with rt.db.engine.connect() as conn:
        before = conn.execute(text('SELECT count(*) FROM "case"')).scalar_one()
    answer = client.post("/console/referral", follow_redirects=False, data={
        "csrf": csrf, "person.name": "Dora D", "person.identity_number": number,
        "referring_agency": "police", "milieu": "gang"})
    assert answer.status_code == 202 and "Anmälan är mottagen" in answer.text
    assert existing.case_number not in answer.text and "0180" not in answer.text
    with rt.db.engine.connect() as conn:
        assert conn.execute(text('SELECT count(*) FROM "case"')).scalar_one() == before


def test_the_police_contact_gives_the_statement(client: TestClient, rt: Runtime) -> None:
    case = states.at_grant(rt, FakeAgencies(), person={
        "identity_number": identity_number(serial=505), "name": "Eva E"})
    coordinator = Principal(subject=u.COORDINATOR_STHLM.subject, staff_id="coord-sthlm",
                            name="C", organisation="municipality:0180",
                            roles=frozenset({Role.COORDINATOR}))
    caseload.assign(rt, coordinator, case.case_id, staff_id=u.POLICE_ASSIGNED.staff_id,
                    organisation=u.POLICE_ASSIGNED.organisation, role=Role.POLICE_CONTACT)
    csrf = _as(client, rt, u.COORDINATOR_STHLM)
    assert "Lämna yttrandet" not in client.get(f"/console/cases/{case.case_number}").text
    csrf = _as(client, rt, u.POLICE_ASSIGNED)
    page = client.get(f"/console/cases/{case.case_number}").text
    assert "Lämna yttrandet" in page
    refused = client.post(f"/console/cases/{case.case_number}/answer/statement",
                          data={"csrf": csrf, "key": "grant_statement-coordinator_statement"})
    assert refused.status_code == 422
    assert 'id="grant_statement-coordinator_statement-supports-error"' in refused.text
    assert 'aria-describedby="grant_statement-coordinator_statement-supports-error"' \
        in refused.text
    done = client.post(f"/console/cases/{case.case_number}/answer/statement",
                       data={"csrf": csrf, "supports": "yes"}, follow_redirects=False)
    assert done.status_code == 303
    assert "Yttrandet är registrerat" in client.get(done.headers["location"]).text


def test_criteria_and_consent_answered_from_their_waits(client: TestClient,
                                                        rt: Runtime) -> None:
    from models.enums import Criterion
    from models.waits import Wait
    from services.waits import open_waits
    from tests.factories import open_case

    case = open_case(rt, person={"identity_number": identity_number(serial=506),
                                 "name": "Filip F"}, eligibility={}, consents=[])
    open_waits(rt, case.case_id, [Wait.criterion(Criterion.MOTIVATED),
                                  Wait.consent("kriminalvarden")])
    csrf = _as(client, rt, u.COORDINATOR_STHLM)
    page = client.get(f"/console/cases/{case.case_number}").text
    assert "Motiverad att lämna" in page and "Samtycke: Kriminalvården" in page
    done = client.post(f"/console/cases/{case.case_number}/answer/criteria", data={
        "csrf": csrf, "criterion": "motivated", "holds": "yes", "note": "samtal 3/11"},
        follow_redirects=False)
    assert done.status_code == 303
    done = client.post(f"/console/cases/{case.case_number}/answer/consents", data={
        "csrf": csrf, "agency": "kriminalvarden", "given": "yes",
        "legal_basis": "samtycke"}, follow_redirects=False)
    assert done.status_code == 303
    page = client.get(f"/console/cases/{case.case_number}").text
    assert "Samtycke: Kriminalvården" not in page.split('id="waits-h"')[1].split("</section>")[0]
    assert "Kriminalvården</td><td>Lämnat" in page


def test_a_provider_whose_follow_up_lapsed_is_marked(client: TestClient, rt: Runtime) -> None:
    from datetime import timedelta

    from services import action_plan

    today = rt.now().date()
    action_plan.register_provider(rt, "Gamla Stiftelsen")
    action_plan.vet_provider(rt, "Gamla Stiftelsen", by="eva", on=today - timedelta(days=400),
                             next_follow_up_due=today - timedelta(days=35))
    action_plan.register_provider(rt, "Nya Stiftelsen")
    action_plan.vet_provider(rt, "Nya Stiftelsen", by="eva", on=today,
                             next_follow_up_due=today + timedelta(days=300))
    _as(client, rt, u.COORDINATOR_STHLM)
    page = client.get("/console/providers").text
    lapsed = page[page.index("Gamla Stiftelsen"):page.index("Nya Stiftelsen")]
    assert "Uppföljningen har gått ut" in lapsed
    assert "Uppföljningen har gått ut" not in page[page.index("Nya Stiftelsen"):]


def test_an_agency_sees_only_what_was_disclosed_to_it(client: TestClient,
                                                       rt: Runtime) -> None:
    case = states.in_after_phase(
        rt, FakeAgencies(), custody_status="on_probation",
        consents=states.consents("police", "social_services", "tax_agency", "kriminalvarden"),
        person={"identity_number": identity_number(serial=507), "name": "Gun G"})
    _as(client, rt, u.PROBATION)
    page = client.get(f"/console/cases/{case.case_number}")
    assert page.status_code == 200 and "lämnats ut till din myndighet" in page.text
    assert "Besvarad" in page.text and "Tidslinje" not in page.text
    assert "Gun G" not in page.text  # protected since the move: masked for the agency too
    _as(client, rt, u.EMPLOYMENT)
    assert client.get(f"/console/cases/{case.case_number}").status_code == 404


def test_the_coordinator_holds_a_case_from_culling_and_lifts_the_hold(
        client: TestClient, rt: Runtime) -> None:
    case = states.admitted(rt, person={"identity_number": identity_number(serial=506),
                                       "name": "Fia F"})
    page_url = f"/console/cases/{case.case_number}"
    csrf = _as(client, rt, u.HANDLER_STHLM)
    assert "Spärr mot gallring" not in client.get(page_url).text
    assert client.post(f"{page_url}/answer/legal-hold",
                       data={"csrf": csrf, "reason": "överklagat"}).status_code == 404
    csrf = _as(client, rt, u.COORDINATOR_STHLM)
    page = client.get(page_url).text
    assert "Spärr mot gallring" in page and '<label for="legal-hold-reason">' in page
    refused = client.post(f"{page_url}/answer/legal-hold",
                          data={"csrf": csrf, "key": "legal-hold", "reason": ""})
    assert refused.status_code == 422
    assert 'id="legal-hold-reason-error"' in refused.text
    assert 'aria-describedby="legal-hold-reason-error"' in refused.text
    done = client.post(f"{page_url}/answer/legal-hold", follow_redirects=False, data={
        "csrf": csrf, "key": "legal-hold", "reason": "överklagat till förvaltningsrätten"})
    assert done.status_code == 303
    held = client.get(done.headers["location"]).text
    assert "Ärendet är spärrat mot gallring." in held and "Häv spärren" in held
    assert "legal hold set" in held and "överklagat till förvaltningsrätten" in held
    lifted = client.post(f"{page_url}/answer/legal-hold-lift", follow_redirects=False, data={
        "csrf": csrf, "key": "legal-hold-lift", "reason": "domen har vunnit laga kraft"})
    assert lifted.status_code == 303
    assert "Spärren mot gallring är hävd." in client.get(lifted.headers["location"]).text


def test_the_coordinator_assigns_the_police_contact_from_the_case_page(
        client: TestClient, rt: Runtime) -> None:
    case = states.at_grant(rt, FakeAgencies(), person={
        "identity_number": identity_number(serial=508), "name": "Hans H"})
    url = f"/console/cases/{case.case_number}"
    csrf = _as(client, rt, u.COORDINATOR_STHLM)
    assert "Tilldela ärendet" in client.get(url).text
    with rt.db.engine.connect() as conn:
        before = conn.execute(text("SELECT count(*) FROM case_assignment")).scalar_one()
    # Each invalid field gets its message at the field; nothing is written.
    refused = client.post(f"{url}/answer/assignment", data={
        "csrf": csrf, "key": "assignment", "staff_id": "police li", "role": "auditor",
        "organisation": "police:region-stockholm"})
    assert refused.status_code == 422
    for field in ("staff_id", "role"):
        assert f'id="assignment-{field}-error"' in refused.text, field
        assert f'aria-describedby="assignment-{field}-error"' in refused.text, field
    # A police contact needs a police organisation: said at the organisation field.
    wrong = client.post(f"{url}/answer/assignment", data={
        "csrf": csrf, "key": "assignment", "staff_id": "police-li", "role": "police_contact",
        "organisation": "municipality:0180"})
    assert wrong.status_code == 422
    assert 'id="assignment-organisation-error"' in wrong.text
    assert "Organisationen passar inte rollen" in wrong.text
    with rt.db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM case_assignment")).scalar_one() == before
    done = client.post(f"{url}/answer/assignment", data={
        "csrf": csrf, "key": "assignment", "staff_id": u.POLICE_ASSIGNED.staff_id,
        "role": "police_contact", "organisation": u.POLICE_ASSIGNED.organisation},
        follow_redirects=False)
    assert done.status_code == 303
    assert "Tilldelningen är registrerad" in client.get(done.headers["location"]).text
    _as(client, rt, u.POLICE_ASSIGNED)
    assert "Lämna yttrandet" in client.get(url).text
    _as(client, rt, u.HANDLER_STHLM)  # a handler may not assign
    assert "Tilldela ärendet" not in client.get(url).text
