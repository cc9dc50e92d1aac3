"""The Prefect UI in a real browser: Debian's headless Chromium (never a
downloaded one) driven by Playwright. It finds the deployments, a demo case's
flow run, its suspended state and the Resume button (a resume carries no answer:
answers are recorded through Utväg), and saves screenshots under test-artifacts/."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT, eventually, utvag
from tests.e2e.test_demo_path import DEMO, _suspended
from tests.factories import identity_number
from utvag_cli.stack import Stack

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def chromium() -> Path:
    if not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None:
        pytest.skip("browser test: /usr/bin/chromium is missing "
                    "(apt-get install -y chromium; .ci/run installs it)")
    return CHROMIUM


def test_operator_finds_deployments_runs_and_the_suspended_run(
    chromium: Path, stack: Stack, tmp_path: Path,
) -> None:
    from playwright.sync_api import expect, sync_playwright

    referral = {**DEMO, "person": {"identity_number": identity_number(serial=611),
                                   "name": "Ui Testperson"}}
    path = tmp_path / "referral.json"
    path.write_text(json.dumps(referral), encoding="utf-8")
    opened = utvag(stack, "case", "open", str(path))
    assert opened.returncode == 0, opened.stderr
    number = opened.stdout.split(":")[0].strip()
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(60_000)
        # The deployments page needs no case: looked at while the case's run starts.
        page.goto(f"{stack.ui_url}/deployments")
        for name in ("new-case", "collect-agency-answers", "flag-overdue-waits",
                     "recover-stalled-cases"):
            expect(page.get_by_text(name, exact=True).first).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "prefect-ui-deployments.png"), full_page=True)

        run = eventually(lambda: _suspended(stack, number), timeout=240,
                         what="a suspended run")
        page.goto(f"{stack.ui_url}/runs")
        expect(page.get_by_text(f"{number}-before").first).to_be_visible()

        page.goto(f"{stack.ui_url}/runs/flow-run/{run.id}")
        expect(page.get_by_text(f"{number}-before").first).to_be_visible()
        expect(page.get_by_text("Suspended").first).to_be_visible()
        page.get_by_role("button", name="Resume").first.click()
        dialog = page.get_by_role("dialog")
        expect(dialog.get_by_text("Resume Flow Run")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "prefect-ui-resume.png"), full_page=True)
        browser.close()
    assert (ARTIFACTS / "prefect-ui-resume.png").stat().st_size > 10_000
