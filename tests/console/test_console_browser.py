"""The console in Debian's Chromium: a coordinator carries cases through the pages, the
other municipality finds nothing, a protected identity is masked, the referral form's
per-field errors write nothing, every page passes axe-core (no serious or critical
violation), and the referral can be made with the keyboard alone.

Cases are brought to each wait by the services (tests/states.py: what the flow run and
the agencies would have done); every answer is given in the browser."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from models.principal import Principal, Role
from services import hand_over, meeting
from services.access import caseload
from tests import states
from tests.console.conftest import Served, axe_violations, shot
from tests.factories import identity_number
from tests.fakes.agencies import FakeAgencies
from tests.service import tokens as u

pytestmark = pytest.mark.timeout(120)
NAME = "Sara Svensson"


def _count(served: Served, sql: str, **params: Any) -> int:
    with served.rt.db.engine.connect() as conn:
        return int(conn.execute(text(sql), params).scalar_one())


def _check_axe(page: Any, name: str) -> None:
    shot(page, name)
    assert axe_violations(page) == [], name


def test_headers_csrf_and_no_session(served: Served, as_user: Any) -> None:
    with httpx.Client(base_url=served.url) as http:
        first = http.get("/console/", follow_redirects=False)
        assert first.status_code == 303
        assert first.headers["location"].startswith("/console/sign-in")
        page = http.get("/console/sign-in")
        csp = page.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp and page.headers["cache-control"] == "no-store"
        # A form posted without the session's CSRF token is refused and writes nothing.
        cookie = {"utvag_console": _session(served, u.COORDINATOR_STHLM)}
        before = _count(served, "SELECT count(*) FROM \"case\"")
        refused = http.post("/console/referral", cookies=cookie, data={
            "csrf": "forged", "person.name": NAME, "person.identity_number":
                identity_number(serial=311), "referring_agency": "police", "milieu": "gang"})
        assert refused.status_code == 403
        assert _count(served, "SELECT count(*) FROM \"case\"") == before
    page = as_user(None)
    page.goto("/console/sign-in")
    _check_axe(page, "sign-in")


def _session(served: Served, user: u.User) -> str:
    from tests.console.support import session_for

    return session_for(served.rt, user)


def test_referral_errors_per_field_and_nothing_written(served: Served, as_user: Any) -> None:
    page = as_user(u.COORDINATOR_STHLM)
    page.goto("/console/referral")
    _check_axe(page, "referral")
    before = _count(served, "SELECT count(*) FROM \"case\"")
    page.fill("#person-name", "   ")
    page.fill("#person-identity_number", "19900101-0000")
    page.click("text=Skicka anmälan")
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    for field in ("person-name", "person-identity_number", "referring_agency", "milieu"):
        described = page.get_attribute(f"#{field}", "aria-describedby") or ""
        message = page.locator(f"#{described.split()[-1]}")
        assert message.is_visible() and message.inner_text().startswith("Fel"), field
        assert page.get_attribute(f"#{field}", "aria-invalid") == "true"
    assert page.input_value("#person-identity_number") == ""  # never echoed back
    assert _count(served, "SELECT count(*) FROM \"case\"") == before
    _check_axe(page, "referral-errors")


def test_referral_with_the_keyboard_alone(served: Served, as_user: Any) -> None:
    page = as_user(u.COORDINATOR_STHLM)
    page.goto("/console/referral")
    page.focus("#person-name")
    page.keyboard.type(NAME)
    page.keyboard.press("Tab")
    page.keyboard.type(identity_number(serial=312))
    page.keyboard.press("Tab")  # protection level: keep "Ingen"
    page.keyboard.press("Tab")
    page.keyboard.type("Polisen")  # a select picks by typing
    page.keyboard.press("Tab")
    page.keyboard.type("Gäng")
    page.keyboard.press("Tab")  # custody: keep
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # consent: the first agency (police)
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # social services
    for _ in range(6):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "submit":
            break
    page.keyboard.press("Enter")
    page.wait_for_url("**/console/cases/UTV-*")
    assert "Ärendet är öppnat" in page.inner_text("#status")
    assert NAME in page.inner_text("main")  # the referrer is its assigned coordinator
    _check_axe(page, "case-new")


def test_coordinator_carries_a_case_through_the_waits(served: Served, as_user: Any) -> None:
    rt, fakes = served.rt, FakeAgencies()
    admitted = states.admitted(rt, fakes, person={"identity_number": identity_number(
        serial=313), "name": "Nils Nord"})
    page = as_user(u.COORDINATOR_STHLM)
    page.goto("/console/")
    assert admitted.case_number in page.inner_text("table.cases")
    _check_axe(page, "my-cases")
    page.click(f"text={admitted.case_number}")
    _check_axe(page, "case")
    page.check("input[name=needs][value=housing]")
    page.check("input[name=network][value=mentor]")
    page.click("text=Registrera behovsbedömningen")
    assert "Behovsbedömningen är registrerad" in page.inner_text("#status")
    assert admitted.case_id in served.waker.woken

    # The action plan: an intervention with a vetted provider, then the approval.
    planned = states.at_plan(rt, fakes, person={"identity_number": identity_number(
        serial=314), "name": "Olle Ost"})
    page.goto("/console/providers")
    page.fill("#register-name", "Stiftelsen Vägen")
    page.press("#register-name", "Enter")
    assert "Utföraren är registrerad" in page.inner_text("main")
    page.select_option("#vet-name", "Stiftelsen Vägen")
    page.fill("#vet-follow_up_due", (rt.now().date() + timedelta(days=180)).isoformat())
    page.click("text=Registrera granskning")
    assert "Granskningen är registrerad" in page.inner_text("main")
    _check_axe(page, "providers")
    page.goto(f"/console/cases/{planned.case_number}")
    page.select_option("select[name=kind]", "contact_person")
    page.fill("input[name=start]", rt.now().date().isoformat())
    page.fill("input[name=planned_end]", (rt.now().date() + timedelta(days=200)).isoformat())
    page.fill("input[name=cost_sek]", "24000")
    page.select_option("select[name=provider]", "Stiftelsen Vägen")
    page.click("text=Lägg till insatsen")
    assert "Insatsen är tillagd" in page.inner_text("#status")
    assert "24\u00a0000 kr" in page.inner_text("main")
    page.click("text=Godkänn handlingsplanen")
    assert "Handlingsplanen är godkänd" in page.inner_text("#status")

    # The relocation: destination and address typed into the form, never in a URL or title.
    moving = states.at_relocation(rt, fakes, person={"identity_number": identity_number(
        serial=315), "name": "Per Pil"})
    page.goto(f"/console/cases/{moving.case_number}")
    form = page.locator("form[action$='/answer/relocation']")
    assert form.get_attribute("autocomplete") == "off"
    form.locator("input[name=destination]").fill("25")
    form.locator("input[name=address]").fill("Hemliga gatan 3")
    page.click("text=Besluta om flytt")
    error = page.locator("#relocation-relocation-destination-error")
    assert error.is_visible()  # the code must have four digits: said at the field
    assert "Hemliga gatan" not in page.content()  # not put back into the page
    page.locator("input[name=destination]").fill("2584")
    page.locator("input[name=address]").fill("Hemliga gatan 3")
    page.check("form[action$='/answer/relocation'] input[name=lives_independently][value=yes]")
    page.check("form[action$='/answer/relocation'] input[name=needs_deep_support][value=no]")
    page.click("text=Besluta om flytt")
    assert "Flyttbeslutet är registrerat" in page.inner_text("#status")
    assert "Hemliga" not in page.url and "Hemliga" not in page.title()
    page.click("text=Visa destination och adress")
    assert "Hemliga gatan 3" in page.inner_text("main")
    assert "Hemliga" not in page.url and "Hemliga" not in page.title()

    # The after phase: indicators, closure, and the case can be reopened.
    after = states.in_after_phase(rt, fakes, person={"identity_number": identity_number(
        serial=316), "name": "Rut Ros"})
    page.goto(f"/console/cases/{after.case_number}")
    page.select_option("#indicators-months", "6")
    page.check("input[name=stable_housing]")
    page.click("text=Registrera uppföljningen")
    assert "Uppföljningen är registrerad" in page.inner_text("#status")
    page.select_option("#closure-outcome", "completed")
    page.click("button:has-text('Avsluta')")
    assert "Ärendet är avslutat" in page.inner_text("#status")
    assert page.locator("#reopening-reason").is_visible()
    _check_axe(page, "case-closed")


def test_waits_refresh_without_reload_and_the_other_municipality_finds_nothing(
        served: Served, as_user: Any) -> None:
    rt = served.rt
    case = states.admitted(rt, FakeAgencies(), person={"identity_number": identity_number(
        serial=317), "name": "Ture Tall"})
    page = as_user(u.COORDINATOR_STHLM)
    page.goto(f"/console/cases/{case.case_number}")
    assert page.locator("text=Registrera behovsbedömningen").is_visible()
    meeting.record_needs(rt, case.case_id, needs=[], network=[], by="someone-else")
    page.wait_for_selector("text=Ärendet har uppdaterats", timeout=8000)
    assert not page.locator("text=Registrera behovsbedömningen").is_visible()

    other = as_user(u.COORDINATOR_GBG)
    denied = _count(served, "SELECT count(*) FROM access_log WHERE outcome = 'denied'")
    response = other.goto(f"/console/cases/{case.case_number}")
    assert response is not None and response.status == 404
    assert "Sidan finns inte" in other.inner_text("h1")
    assert case.case_number not in other.inner_text("main")
    assert _count(served, "SELECT count(*) FROM access_log WHERE outcome = 'denied'") > denied
    _check_axe(other, "not-found")
    other.goto("/console/")
    assert case.case_number not in other.inner_text("main")


def test_receiving_municipality_sees_the_case_only_after_accepting(
        served: Served, as_user: Any) -> None:
    rt, fakes = served.rt, FakeAgencies()
    moved = states.relocated(rt, fakes, person={"identity_number": identity_number(
        serial=318), "name": "Ulla Ulv"})
    states.ask(rt, fakes, moved, states.PROTECTION)
    from services import belongings

    belongings.order_move(rt, moved.case_id)
    belongings.confirm_delivered(rt, moved.case_id, viewer_municipality="2584", by="x")
    step = states.stands_at(rt, moved.case_id)
    for subject in step.subjects if isinstance(step, states.Ask) else ():
        states.ask(rt, fakes, moved, subject)
    hand_over.offer_transfer(rt, moved.case_id)
    page = as_user(u.COORDINATOR_KIRUNA)
    page.goto(f"/console/cases/{moved.case_number}")
    assert "Ulla Ulv" not in page.content()
    assert "Personen" not in page.inner_text("main")  # the limited page: the waits only
    page.check("input[name=accept][value=yes]")
    page.check("input[name=cost_payer][value=receiving]")
    page.fill("input[name=cost_from]", (rt.now().date() + timedelta(days=30)).isoformat())
    page.click("text=Svara")
    assert "Svaret på överflyttningen är registrerat" in page.inner_text("#status")
    # Now the receiving municipality's: the whole case (the identity protected since
    # the move, so masked for all but its assigned handlers).
    assert "Personen" in page.inner_text("main")
    assert "Skyddad identitet" in page.inner_text("main")


def test_protected_identity_masked_but_for_the_handlers(served: Served,
                                                        as_user: Any) -> None:
    rt = served.rt
    case = states.admitted(rt, FakeAgencies(), person={
        "identity_number": identity_number(serial=319), "name": "Vera Vik",
        "protection_level": "skyddad_folkbokforing"})
    coordinator = Principal(subject=u.COORDINATOR_STHLM.subject, staff_id="coord-sthlm",
                            name="C", organisation="municipality:0180",
                            roles=frozenset({Role.COORDINATOR}))
    caseload.assign(rt, coordinator, case.case_id, staff_id=u.HANDLER_STHLM.staff_id,
                    organisation=u.HANDLER_STHLM.organisation, role=Role.SOCIAL_HANDLER)
    unassigned = as_user(u.COORDINATOR_STHLM)
    unassigned.goto(f"/console/cases/{case.case_number}")
    assert "Vera Vik" not in unassigned.content()
    assert "Skyddad identitet" in unassigned.inner_text("main")
    handler = as_user(u.HANDLER_STHLM)
    handler.goto(f"/console/cases/{case.case_number}")
    assert "Vera Vik" in handler.inner_text("main")


def test_oversight_pages(served: Served, as_user: Any) -> None:
    rt = served.rt
    case = states.admitted(rt, FakeAgencies(), person={"identity_number": identity_number(
        serial=320), "name": "Yngve Yr"})
    police = as_user(u.POLICE_OTHER)
    police.goto(f"/console/break-glass?case={case.case_number}")
    _check_axe(police, "break-glass")
    police.fill("#reason", "kort")
    police.click("text=Öppna med nödåtkomst")
    assert police.locator("#-reason-error").is_visible()
    police.fill("#reason", "Akut hot mot personen, jour natt")
    police.click("text=Öppna med nödåtkomst")
    assert "Nödåtkomst öppnad" in police.inner_text("h1")
    _check_axe(police, "break-glass-open")
    police.click("text=Öppna ärendet")
    assert "Yngve Yr" in police.inner_text("main")

    auditor = as_user(u.AUDITOR)
    auditor.goto("/console/")
    assert auditor.url.endswith("/console/audit")
    assert case.case_number in auditor.inner_text("main")
    _check_axe(auditor, "audit")
    auditor.click("button:has-text('Markera granskad') >> nth=0")
    assert "markerad som granskad" in auditor.inner_text("main")

    grants = as_user(u.GRANTS)
    grants.goto("/console/")
    assert "Statsbidrag" in grants.inner_text("h1")
    _check_axe(grants, "grants")

    # Three weeks on: the coordinator's list with the overdue ones first, marked.
    rt.clock.advance(days=21)  # type: ignore[attr-defined]
    coordinator = as_user(u.COORDINATOR_STHLM)
    coordinator.goto("/console/")
    first = coordinator.locator("table.cases tbody tr").first
    assert "Försenad" in first.inner_text()
    _check_axe(coordinator, "my-cases-later")
