"""The journey of issue 12: a coordinator signs in and takes a new case (the demo
referral, docs/examples/referral.json) from the referral form to the after phase
entirely in the browser. The agency simulators answer for the agencies (when told to,
then collected as collect-agency-answers does), the case's flow body is carried by a
waker as a worker would (tests/console/journey.py), and every wait a person answers is
answered in the console, by the person whose it is: Stockholm's coordinator, the police
contact she assigns (the grant statement), Göteborg's coordinator (the transfer). The
grants officer follows the grant on Statsbidrag; Kiruna's coordinator never finds the
case. Each page passes axe-core and is saved under test-artifacts/."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from services.runtime import Runtime
from tests.conftest import ROOT, make_settings
from tests.console.conftest import Served, axe_violations, shot
from tests.console.journey import FlowWaker, Simulators, simulators
from tests.service import tokens as u

pytestmark = pytest.mark.timeout(180)
REFERRAL = json.loads((ROOT / "docs" / "examples" / "referral.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def agencies(module_rt: Runtime) -> Iterator[Simulators]:
    with simulators(module_rt.clock) as running:
        yield running


@pytest.fixture(scope="module")
def waker(module_rt: Runtime, database_url: str, agencies: Simulators,
          prefect_harness: None) -> Iterator[FlowWaker]:
    settings = make_settings(database_url, **agencies.urls)
    rt = Runtime(settings=settings, db=module_rt.db, clock=module_rt.clock,
                 cipher=module_rt.cipher)
    flows = FlowWaker(rt, settings)
    flows.begin()
    yield flows
    flows.end()


@pytest.fixture(scope="module")
def served(module_app_rt: Runtime, waker: FlowWaker) -> Iterator[Served]:
    """The console as `utvag serve` runs it: role utvag_app, under row-level security
    (the worker's passes run as the owner, as the flow tests do)."""
    server = Served(module_app_rt, waker)
    server.start()
    yield server
    server.stop()


MOVER = "Flyttfirman Trygg AB"
DESTINATION = "1480"  # Göteborg: its coordinator answers the transfer
SEEN = 15_000  # ms: a pass of the flow and a poll of the page (every second here)


def _check(page: Any, name: str) -> None:
    """What every page the journey visits passes: axe-core (no serious or critical
    violation); saved under test-artifacts/."""
    shot(page, f"journey-{name}")
    assert axe_violations(page) == [], name


def _wait(page: Any, heading: str) -> Any:
    return page.locator("#waits article.wait").filter(
        has=page.locator("h3", has_text=heading)).first


def _shows(page: Any, waker: FlowWaker, heading: str) -> Any:
    """The wait `heading` on the page, as its polling brings it (no reload)."""
    try:
        expect(_wait(page, heading)).to_be_visible(timeout=SEEN)
    except AssertionError:
        waker.settle(timeout=1)  # a pass that failed says why
        raise
    return _wait(page, heading)


def _phase(page: Any, phase: str) -> None:
    expect(page.locator("#waits p.state")).to_contain_text(f"Fas: {phase}.", timeout=SEEN)


def _done(page: Any, message: str) -> None:
    expect(page.locator("#status")).to_contain_text(message)


def _yes(wait: Any, *names: str) -> None:
    for name in names:
        wait.locator(f"input[name={name}][value=yes]").check()


def _agencies_answer(agencies: Simulators, waker: FlowWaker) -> None:
    assert agencies.answer_now() >= 1
    waker.collect()


def _not_found(page: Any, number: str) -> None:
    response = page.goto(f"/console/cases/{number}")
    assert response is not None and response.status == 404
    assert "Sidan finns inte" in page.inner_text("h1")
    assert number not in page.inner_text("main")


def test_a_coordinator_takes_a_new_case_to_the_after_phase_in_the_browser(
        served: Served, waker: FlowWaker, agencies: Simulators, as_user: Any) -> None:
    today = served.rt.now().date()
    person = REFERRAL["person"]
    anna = as_user(u.COORDINATOR_STHLM)

    # A vetted mover for the plan's move of belongings (Utförare).
    anna.goto("/console/providers")
    anna.fill("#register-name", MOVER)
    anna.press("#register-name", "Enter")
    anna.select_option("#vet-name", MOVER)
    anna.fill("#vet-follow_up_due", (today + timedelta(days=365)).isoformat())
    anna.click("text=Registrera granskning")
    expect(anna.locator("main")).to_contain_text("Granskningen är registrerad")

    # Ny anmälan: the demo referral.
    anna.goto("/console/referral")
    _check(anna, "referral")
    anna.fill("#person-name", person["name"])
    anna.fill("#person-identity_number", person["identity_number"])
    anna.select_option("#person-protection_level", person["protection_level"])
    anna.select_option("#referring_agency", REFERRAL["referring_agency"])
    anna.select_option("#milieu", REFERRAL["milieu"])
    anna.select_option("#custody_status", REFERRAL["custody_status"])
    for consent in REFERRAL["consents"]:
        anna.check(f"input[name=consents][value={consent['agency']}]")
    anna.click("text=Skicka anmälan")
    anna.wait_for_url("**/console/cases/UTV-*")
    number = anna.url.rsplit("/", 1)[-1].split("?")[0]
    _done(anna, "Ärendet är öppnat")
    assert person["name"] in anna.inner_text("main"), "the referrer handles the case"
    assert person["name"] not in anna.title()
    kiruna = as_user(u.COORDINATOR_KIRUNA)
    _not_found(kiruna, number)
    _check(kiruna, "not-found")
    gbg = as_user(u.COORDINATOR_GBG)  # not (yet) where the person moves: nothing either
    _not_found(gbg, number)

    # Before: the eligibility criteria, answered one by one as the run asks them.
    for criterion in ("Uppfyller definitionen av avhoppare", "Motiverad att lämna",
                      "Samtycker till informationsutbyte", "Har undertecknat villkoren",
                      "Är inte vittne"):
        wait = _shows(anna, waker, criterion)
        _phase(anna, "Före")
        _yes(wait, "holds")
        wait.locator("button:has-text('Registrera')").click()
        _done(anna, "Kriteriet är registrerat")
    _check(anna, "case-before")

    # The police's threat assessment and social services' decision: the page says it
    # waits for them; their answers appear without a reload.
    _shows(anna, waker, "Svar från myndighet")
    expect(anna.locator("#waits")).to_contain_text("Väntar på svar från Polisen")
    expect(anna.locator("#waits")).to_contain_text("Väntar på svar från Socialtjänsten")
    anna.evaluate("window.notReloaded = true")  # gone if the page were loaded again
    _agencies_answer(agencies, waker)
    expect(anna.locator("#status")).to_contain_text("Ärendet har uppdaterats", timeout=SEEN)
    wait = _shows(anna, waker, "Behovsbedömning")
    assert anna.evaluate("window.notReloaded === true"), "shown without a reload"
    _phase(anna, "Under")
    expect(anna.locator("#waits")).not_to_contain_text("Väntar på svar från Polisen")

    # During: the needs; the consents for the agencies invited to the meeting, their
    # sign-offs.
    wait.locator("input[name=needs][value=housing]").check()
    wait.locator("input[name=needs][value=occupation]").check()
    wait.locator("input[name=network][value=mentor]").check()
    wait.locator("button:has-text('Registrera behovsbedömningen')").click()
    _done(anna, "Behovsbedömningen är registrerad")
    disclosed = anna.locator("section[aria-labelledby=disclosed-h] tbody")
    expect(disclosed).to_contain_text("Personnummer till Polisen för hotbedömningen")
    expect(disclosed.locator("tr", has_text="Polisen")).to_contain_text("Samtycke")
    for agency in ("Kriminalvården", "Arbetsförmedlingen"):  # on probation; occupation
        wait = _shows(anna, waker, f"Samtycke: {agency}")
        _yes(wait, "given")
        wait.locator("button:has-text('Registrera')").click()
        _done(anna, "Samtycket är registrerat")
        _shows(anna, waker, "Svar från myndighet")
        expect(anna.locator("#waits")).to_contain_text(f"Väntar på svar från {agency}")
        _agencies_answer(agencies, waker)

    # The action plan: the move of belongings by the vetted mover, then approval.
    wait = _shows(anna, waker, "Handlingsplan")
    wait.locator("select[name=kind]").select_option("moving_belongings")
    wait.locator("input[name=start]").fill(today.isoformat())
    wait.locator("input[name=planned_end]").fill((today + timedelta(days=200)).isoformat())
    wait.locator("input[name=cost_sek]").fill("15000")
    wait.locator("select[name=provider]").select_option(MOVER)
    wait.locator("button:has-text('Lägg till insatsen')").click()
    _done(anna, "Insatsen är tillagd")
    assert "15\u00a0000 kr" in anna.inner_text("main")
    _check(anna, "case-plan")
    _wait(anna, "Handlingsplan").locator("button:has-text('Godkänn handlingsplanen')").click()
    _done(anna, "Handlingsplanen är godkänd")

    # The grant: the coordinator assigns the police contact, who gives the statement;
    # the police ask for a completion (the grants officer sees it asked), the
    # coordinator completes, the grant is decided.
    agencies.set_scenario("police-grants", number, grant_completion=True)
    _shows(anna, waker, "Polisens yttrande")
    expect(anna.locator("#waits")).to_contain_text("Någon annan med ansvar")
    anna.fill("#assignment-staff_id", u.POLICE_ASSIGNED.staff_id)
    anna.select_option("#assignment-role", "police_contact")
    anna.fill("#assignment-organisation", u.POLICE_ASSIGNED.organisation)
    anna.click("button:has-text('Tilldela')")
    _done(anna, "Tilldelningen är registrerad")
    police = as_user(u.POLICE_ASSIGNED)
    police.goto(f"/console/cases/{number}")
    assert person["name"] not in police.inner_text("main"), "masked but for the handlers"
    _check(police, "case-police")
    wait = _shows(police, waker, "Polisens yttrande")
    _yes(wait, "supports")
    wait.locator("button:has-text('Lämna yttrandet')").click()
    _done(police, "Yttrandet är registrerat")
    _shows(anna, waker, "Svar från myndighet")
    _agencies_answer(agencies, waker)
    wait = _shows(anna, waker, "Komplettering av ansökan")
    grants = as_user(u.GRANTS)
    grants.goto("/console/grants")
    expect(grants.locator("table", has_text="Begärda kompletteringar")).to_contain_text(number)
    _check(grants, "grants")
    wait.locator("button:has-text('Ansökan är kompletterad')").click()
    _done(anna, "Ansökan är kompletterad")

    # The relocation to Göteborg; the tax agency's protection of the person's data asks
    # a consent first; the belongings delivered; Kriminalvården takes over the
    # probation's measures in the new town.
    wait = _shows(anna, waker, "Beslut om flytt")
    grants.reload()
    decided = grants.locator("table", has_text="Beslut i ärenden").locator("tr", has_text=number)
    expect(decided).to_contain_text("Beviljad")
    expect(decided).to_contain_text("15\u00a0000 kr")
    expect(grants.locator("table", has_text="Begärda kompletteringar")).not_to_contain_text(
        number)
    wait.locator("input[name=destination]").fill(DESTINATION)
    wait.locator("input[name=address]").fill("Nya gatan 1")
    _yes(wait, "lives_independently")
    wait.locator("input[name=needs_deep_support][value=no]").check()
    wait.locator("button:has-text('Besluta om flytt')").click()
    _done(anna, "Flyttbeslutet är registrerat")
    assert "Nya gatan" not in anna.url and "Nya gatan" not in anna.title()
    gbg.goto(f"/console/cases/{number}")
    assert "Personen" not in gbg.inner_text("main"), "the destination: its waits only"
    assert person["name"] not in gbg.content()
    wait = _shows(anna, waker, "Samtycke: Skatteverket")
    _yes(wait, "given")
    wait.locator("button:has-text('Registrera')").click()
    _done(anna, "Samtycket är registrerat")
    _shows(anna, waker, "Svar från myndighet")
    _agencies_answer(agencies, waker)
    wait = _shows(anna, waker, "Flytt av tillhörigheter")
    wait.locator("button:has-text('Tillhörigheterna har levererats')").click()
    _done(anna, "Leveransen av tillhörigheter är bekräftad")
    _shows(anna, waker, "Svar från myndighet")
    _agencies_answer(agencies, waker)
    wait = _shows(anna, waker, "Etablering på nya orten")
    _yes(wait, "stable_housing", "occupation", "support_needed")
    wait.locator("button:has-text('Registrera etableringen')").click()
    _done(anna, "Etableringen är registrerad")

    # Göteborg's coordinator accepts the transfer; then the case is theirs to see, the
    # identity masked (protected) but for the case's handlers.
    wait = _shows(gbg, waker, "Överflyttning av ansvar")
    _check(gbg, "case-transfer")
    _yes(wait, "accept")
    wait.locator("input[name=cost_payer][value=receiving]").check()
    wait.locator("input[name=cost_from]").fill((today + timedelta(days=30)).isoformat())
    wait.locator("button:has-text('Svara')").click()
    _done(gbg, "Svaret på överflyttningen är registrerat")
    _phase(gbg, "Efter")
    assert "Personen" in gbg.inner_text("main")
    assert "Skyddad identitet" in gbg.inner_text("main")
    assert person["name"] not in gbg.inner_text("main")

    # After: the coordinator's page says so, in Swedish; what was disclosed to whom.
    anna.reload()
    _phase(anna, "Efter")
    expect(anna.locator("#waits")).to_contain_text("Ärendet väntar inte på något just nu")
    assert "Uppföljning och avslut" in anna.inner_text("main")
    disclosed = anna.locator("section[aria-labelledby=disclosed-h] tbody").inner_text()
    for line in ("Personnummer till Polisen för hotbedömningen",
                 "Personnummer till Socialtjänsten för beslutet om stöd",
                 "Personnummer till Kriminalvården för samverkansmötet",
                 "Personnummer till Arbetsförmedlingen för samverkansmötet",
                 "Personnummer till Polisen för ansökan om statsbidrag",
                 "Personnummer till Skatteverket för skydd i folkbokföringen",
                 "Personnummer till Kriminalvården för överlämningen av övervakaren"):
        assert line in disclosed, line
    assert "namn" not in disclosed, "a protected person's name never travels"
    assert "disclosed" not in disclosed, "in Swedish"
    _check(anna, "case-after")
    probation = as_user(u.PROBATION)  # Kriminalvården: what it received, nothing more
    probation.goto(f"/console/cases/{number}")
    assert "Det här har lämnats ut till din myndighet" in probation.inner_text("main")
    assert "Samverkansmötet: Besvarad" in probation.inner_text("main")
    assert "Överlämningen av övervakaren: Besvarad" in probation.inner_text("main")
    assert person["name"] not in probation.inner_text("main")
    _check(probation, "case-agency")
    _not_found(kiruna, number)
    kiruna.goto("/console/")
    assert number not in kiruna.inner_text("main")
    waker.settle()  # and no pass of the flow failed on the way
