"""The journey of issue 12: a coordinator signs in and takes a new case from the referral
form to the after phase entirely in the browser, the agency simulators answering for
the agencies, the case's flow body carried by a waker as a worker would
(tests/console/journey.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from adapters.db import Database
from services.runtime import Runtime
from tests.conftest import ROOT, make_settings
from tests.console.conftest import Served
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
def served(module_rt: Runtime, waker: FlowWaker) -> Iterator[Served]:
    server = Served(module_rt, waker)
    server.start()
    yield server
    server.stop()


def _waits(page: Any) -> str:
    return str(page.inner_text("#waits"))


def _answer(page: Any, kind_h: str, fill: Any, button: str) -> None:
    art = page.locator("article.wait", has=page.locator(f"h3:text-is('{kind_h}')")).first
    fill(art)
    art.locator(f"button:has-text('{button}')").click()


def test_explore(served: Served, waker: FlowWaker, agencies: Simulators, as_user: Any,
                 database: Database) -> None:
    import re
    from datetime import timedelta
    rt = served.rt
    anna = as_user(u.COORDINATOR_STHLM)
    anna.goto("/console/providers")
    anna.fill("#register-name", "Flytt AB")
    anna.press("#register-name", "Enter")
    anna.select_option("#vet-name", "Flytt AB")
    anna.fill("#vet-follow_up_due", (rt.now().date() + timedelta(days=180)).isoformat())
    anna.click("text=Registrera granskning")
    anna.goto("/console/referral")
    person = REFERRAL["person"]
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
    gbg = as_user(u.COORDINATOR_GBG)
    police = as_user(u.POLICE_ASSIGNED)
    today = rt.now().date()
    for step in range(40):
        waker.settle()
        anna.goto(f"/console/cases/{number}")
        text = _waits(anna)
        heads = anna.locator("#waits article h3").all_inner_texts()
        state = anna.locator("#waits p.state").inner_text()
        print(step, state, heads, waker.passes[-1][1] if waker.passes else None)
        if "Efter" in state:
            break
        if not heads:
            break
        h = heads[0]
        if h.startswith("Behörighetskriterium"):
            _answer(anna, h, lambda a: a.locator("input[value=yes]").check(), "Registrera")
        elif h.startswith("Samtycke"):
            _answer(anna, h, lambda a: a.locator("input[value=yes]").check(), "Registrera")
        elif h.startswith("Svar från myndighet"):
            print("  agencies:", agencies.answer_now())
            waker.collect()
        elif h == "Behovsbedömning":
            _answer(anna, h, lambda a: (a.locator("input[name=needs][value=housing]").check(),
                                        a.locator("input[name=network][value=mentor]").check()),
                    "Registrera behovsbedömningen")
        elif h == "Handlingsplan":
            def add(a: Any) -> None:
                a.locator("select[name=kind]").select_option("moving_belongings")
                a.locator("input[name=start]").fill(today.isoformat())
                a.locator("input[name=planned_end]").fill((today + timedelta(days=200)).isoformat())
                a.locator("input[name=cost_sek]").fill("15000")
                a.locator("select[name=provider]").select_option("Flytt AB")
            _answer(anna, h, add, "Lägg till insatsen")
            print("  ", anna.inner_text("#status"))
            anna.click("text=Godkänn handlingsplanen")
        elif h == "Polisens yttrande":
            from models.principal import Principal, Role
            from services.access import caseload
            from services.views import case_id_of
            coordinator = Principal(subject=u.COORDINATOR_STHLM.subject, staff_id="coord-sthlm",
                                    name="C", organisation="municipality:0180",
                                    roles=frozenset({Role.COORDINATOR}))
            cid, _ = case_id_of(rt, number)
            caseload.assign(rt, coordinator, cid, staff_id=u.POLICE_ASSIGNED.staff_id,
                            organisation=u.POLICE_ASSIGNED.organisation, role=Role.POLICE_CONTACT)
            police.goto(f"/console/cases/{number}")
            _answer(police, h, lambda a: a.locator("input[value=yes]").check(), "Lämna yttrandet")
            print("  ", police.inner_text("#status"))
        elif h == "Beslut om flytt":
            def move(a: Any) -> None:
                a.locator("input[name=destination]").fill("1480")
                a.locator("input[name=address]").fill("Nya gatan 1")
                a.locator("input[name=lives_independently][value=yes]").check()
                a.locator("input[name=needs_deep_support][value=no]").check()
            _answer(anna, h, move, "Besluta om flytt")
            print("  ", anna.inner_text("#status"), anna.locator(".error").all_inner_texts())
        elif h == "Flytt av tillhörigheter":
            _answer(anna, h, lambda a: None, "Tillhörigheterna har levererats")
        elif h == "Etablering på nya orten":
            _answer(anna, h, lambda a: [a.locator(f"input[name={n}][value=yes]").check()
                                        for n in ("stable_housing", "occupation", "support_needed")],
                    "Registrera etableringen")
        elif h == "Överflyttning av ansvar":
            gbg.goto(f"/console/cases/{number}")
            def acc(a: Any) -> None:
                a.locator("input[name=accept][value=yes]").check()
                a.locator("input[name=cost_payer][value=receiving]").check()
                a.locator("input[name=cost_from]").fill((today + timedelta(days=30)).isoformat())
            _answer(gbg, h, acc, "Svara")
            print("  ", gbg.inner_text("#status"))
        else:
            print("???", text)
            break
