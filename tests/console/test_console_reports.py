"""Statsbidrag and Uppföljning in Debian's Chromium: the grants officer records an
application, its decision and a payout through the forms (a refused form names its
fields and writes nothing), sees the year's ledger against its caps and downloads the
account; a coordinator sees the own municipality's statistics with small counts shown
as "<5", the grants officer the whole country's; a backwards period is refused at its
field; every page passes axe-core."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import text

from tests.console.conftest import Served, axe_violations, shot
from tests.followup_support import Spec, add_cases
from tests.service import tokens as u

pytestmark = pytest.mark.timeout(180)
OPENED = datetime(2026, 2, 2, 9, tzinfo=UTC)


def _count(served: Served, table: str) -> int:
    with served.rt.db.engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def _check_axe(page: Any, name: str) -> None:
    shot(page, name)
    assert axe_violations(page) == [], name


def test_the_grants_officer_records_decides_pays_and_downloads(served: Served,
                                                               as_user: Any) -> None:
    page = as_user(u.GRANTS)
    page.goto("/console/grants?year=2022")
    assert "Statsbidrag 2022" in page.inner_text("h1")
    assert "72\u00a0500\u00a0000 kr" in page.inner_text("main")
    _check_axe(page, "grants")
    # An individual case does not come from an agency: refused at its field, nothing written.
    page.fill("#application-reference", "A077.400/2022")
    page.select_option("#application-kind", "individual_case")
    page.select_option("#application-applicant_kind", "agency")
    page.fill("#application-applicant", "Statens institutionsstyrelse")
    page.click("button:has-text('Registrera ansökan')")
    assert page.locator("#error-summary").is_visible()
    assert page.get_attribute("#application-applicant_kind", "aria-invalid") == "true"
    assert page.get_attribute("#application-applicant_kind", "aria-describedby") == \
        "application-applicant_kind-error"
    assert page.locator("#application-applicant_kind-error").is_visible()
    _check_axe(page, "grants-errors")
    assert _count(served, "grant_application") == 0
    page.select_option("#application-kind", "agency_development")
    page.fill("#application-purpose", "Utbildning om avhopparverksamhet")
    page.fill("#application-amount_applied_sek", "905000")
    page.click("button:has-text('Registrera ansökan')")
    assert "Ansökan är registrerad" in page.inner_text("[role=status]")
    page.fill("#decision-reference", "A077.400/2022")
    page.fill("#decision-amount_sek", "905000")
    page.fill("#decision-decided_on", "2022-09-15")
    page.click("button:has-text('Registrera beslut')")
    assert "Beslutet är registrerat" in page.inner_text("[role=status]")
    page.fill("#payout-reference", "UTB-400")
    page.fill("#payout-application", "A077.400/2022")
    page.fill("#payout-amount_sek", "905001")
    page.fill("#payout-paid_on", "2022-10-01")
    page.click("button:has-text('Registrera utbetalning')")
    assert page.get_attribute("#payout-amount_sek", "aria-invalid") == "true"
    page.fill("#payout-amount_sek", "905000")
    page.click("button:has-text('Registrera utbetalning')")
    main = page.inner_text("main")
    assert "Utbetalningen är registrerad" in main
    assert "A077.400/2022" in main and "Beviljad (2022-09-15)" in main
    assert "71\u00a0595\u00a0000 kr" in main  # left of the appropriation
    pdf = page.request.get("/console/grants/2022/account?format=pdf", timeout=60_000)
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    assert "statliga-medel-2022.pdf" in pdf.headers["content-disposition"]
    # Not the grants officer: the page is not there.
    coordinator = as_user(u.COORDINATOR_STHLM)
    assert coordinator.goto("/console/grants").status == 404
    assert "Statsbidrag" not in coordinator.inner_text("nav")


def test_followup_statistics_are_suppressed_and_the_period_checked(served: Served,
                                                                   as_user: Any) -> None:
    add_cases(served.rt, [Spec(municipality="0180", opened=OPENED,
                               sex="female" if i < 3 else "male") for i in range(12)])
    add_cases(served.rt, [Spec(municipality="1480", opened=OPENED) for _ in range(30)])
    page = as_user(u.COORDINATOR_STHLM)
    page.goto("/console/followup?from=2026-01-01&to=2026-12-31")
    assert "Stockholm" in page.inner_text("h1")
    assert page.inner_text("#followup-cases") == "12"
    sexes = page.locator("table.stats", has_text="Ärenden per kön")
    assert "Kvinnor\t<5" in sexes.inner_text() and "Män\tx" in sexes.inner_text()
    assert "UTV-" not in page.inner_text("main")
    _check_axe(page, "followup")
    csv = page.request.get("/console/followup/download?from=2026-01-01&to=2026-12-31"
                           "&format=csv")
    assert csv.ok and csv.headers["content-type"] == "application/zip"
    page.fill("#-from", "2026-12-31")
    page.fill("#-to", "2026-01-01")
    page.click("button:has-text('Visa')")
    assert page.get_attribute("#-to", "aria-invalid") == "true"
    assert "Perioden slutar innan den börjar" in page.inner_text("#-to-error")
    _check_axe(page, "followup-errors")
    national = as_user(u.GRANTS)
    national.goto("/console/followup?from=2026-01-01&to=2026-12-31")
    assert "Hela landet" in national.inner_text("h1")
    assert national.inner_text("#followup-cases") == "42"
    handler = as_user(u.HANDLER_STHLM)
    assert handler.goto("/console/followup").status == 404
