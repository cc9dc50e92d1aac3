"""Signing in to the console with the real embedded OpenID Connect provider (oidc/), in
Chromium: authorization code with PKCE, the tokens kept on the server, the browser
holding only an HttpOnly SameSite=Strict cookie; signing out ends the session here and
at the provider."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from adapters.oidc import TokenVerifier
from adapters.oidc_provider import DEMO_PASSWORD, EmbeddedProvider
from caseservice.console.oidc import ConsoleOidc
from services.runtime import Runtime
from tests.console.conftest import Served, _free_port, axe_violations
from tests.fakes.runs import FakeRuns

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def with_provider(module_rt: Runtime, tmp_path_factory: pytest.TempPathFactory
                  ) -> Iterator[Served]:
    port = _free_port()
    console = f"http://127.0.0.1:{port}"
    directory: Path = tmp_path_factory.mktemp("console-oidc")
    provider = EmbeddedProvider(keys_file=directory / "keys.json",
                                console_redirects=[f"{console}/auth/callback"],
                                console_post_logout=[f"{console}/"])
    provider.start()
    served = Served(module_rt, FakeRuns(), port=port,
                    verifier=TokenVerifier(provider.issuer, "utvag-case-service"),
                    oidc=ConsoleOidc(issuer=provider.issuer, client_id="utvag-console"))
    served.start()
    yield served
    served.stop()
    provider.stop()


def _sessions(served: Served) -> int:
    with served.rt.db.engine.connect() as conn:
        return int(conn.execute(text(
            "SELECT count(*) FROM console_session WHERE kind = 'session' AND expires_at > :now"
        ), {"now": served.rt.now()}).scalar_one())


def test_sign_in_and_out_with_the_provider(with_provider: Served, browser: Any) -> None:
    served = with_provider
    context = browser.new_context(base_url=served.url)
    context.set_default_timeout(8000)
    page = context.new_page()
    before = _sessions(served)
    page.goto("/console/")
    assert "/console/sign-in" in page.url
    page.click("a.button:has-text('Logga in')")
    page.fill("#username", "stockholm.samordnare")
    page.fill("#password", DEMO_PASSWORD)
    page.click("button:has-text('Logga in')")
    page.wait_for_url(f"{served.url}/console/")
    assert page.inner_text("h1") == "Mina ärenden"
    assert "Karin Lindqvist" in page.inner_text("header")
    assert axe_violations(page) == []

    (cookie,) = [c for c in context.cookies() if c["name"] == "utvag_console"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert not cookie["secure"]  # plain http on loopback only (docs/console.md)
    assert "eyJ" not in cookie["value"]  # an opaque id, never a token
    assert _sessions(served) == before + 1
    assert page.evaluate("document.cookie") == ""  # nothing a script can read

    page.click("button:has-text('Logga ut')")
    page.click("button:has-text('Ja, logga ut')")  # the provider ends its own session
    page.wait_for_url("**/console/sign-in**")
    assert _sessions(served) == before
    page.goto("/console/")
    assert "/console/sign-in" in page.url
    page.click("a.button:has-text('Logga in')")  # the provider asks again: its session ended too
    assert page.locator("#password").is_visible()
    context.close()
