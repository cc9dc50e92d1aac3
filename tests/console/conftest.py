"""The console under test in a real browser: the case service's app (console included)
on uvicorn on 127.0.0.1, on the session's PostgreSQL, a verifier of the tests' own
tokens, a recording waker; Debian's Chromium driven by Playwright, started once.

People are signed in by a session row made as the sign-in makes it (a verified token,
encrypted in `console_session`), its id in the browser's cookie."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from adapters.oidc import Verifier
from caseservice.app import create_app
from caseservice.console import ConsoleConfig
from caseservice.console.oidc import ConsoleOidc
from caseservice.waker import Waker
from services.runtime import Runtime
from tests.console.support import COOKIE, session_for
from tests.fakes.runs import FakeRuns
from tests.loopback import LoopbackServer
from tests.service.tokens import TestVerifier, User

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Served:
    """The app on uvicorn in a thread; `port` is chosen first so that a provider can be
    told the console's redirect URI before `start` (see `with_provider`)."""

    def __init__(self, rt: Runtime, waker: Waker, *, verifier: Verifier | None = None,
                 oidc: ConsoleOidc | None = None, port: int | None = None) -> None:
        self.rt = rt
        self.waker: Any = waker  # the tests' own: FakeRuns, or the journey's FlowWaker
        self.port = port or _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        app = create_app(rt, verifier or TestVerifier(), waker,
                         console=ConsoleConfig(oidc=oidc, poll_seconds=1))
        self.server = LoopbackServer(app, port=self.port, log_level="warning")

    def start(self) -> None:
        self.server.start()

    def stop(self) -> None:
        self.server.stop()


@pytest.fixture(scope="module")
def served(module_rt: Runtime) -> Iterator[Served]:
    server = Served(module_rt, FakeRuns())
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM,
                                     args=["--no-sandbox", "--disable-gpu"])
        yield chromium
        chromium.close()


@pytest.fixture()
def as_user(served: Served, browser: Any) -> Iterator[Any]:
    """as_user(USER) -> a page in a fresh browser context signed in as USER."""
    contexts: list[Any] = []

    def open_as(user: User | None) -> Any:
        context = browser.new_context(base_url=served.url, viewport={"width": 1280,
                                                                     "height": 900})
        if user is not None:
            context.add_cookies([{"name": COOKIE, "value": session_for(served.rt, user),
                                  "url": served.url, "httpOnly": True, "sameSite": "Strict"}])
        context.set_default_timeout(5000)
        # A page load on a loaded machine (the suite on both cores beside other work)
        # once took more than 5 s: navigations get longer, waits for the page do not.
        context.set_default_navigation_timeout(20000)
        contexts.append(context)
        return context.new_page()

    yield open_as
    for context in contexts:
        context.close()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it stands (WCAG 2.x A
    and AA rules). Injected through the DevTools protocol: the page's CSP allows no
    inline script, and the test does not loosen it."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text() + "\n;0")
    result = page.evaluate("""() => axe.run(document, {runOnly: {type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}}).then(r => r.violations.map(
        v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))})))""")
    return [v for v in result if v["impact"] in ("serious", "critical")]


def shot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"console-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
